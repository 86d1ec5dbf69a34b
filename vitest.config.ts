import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each test file gets its own path-lock registry (see the file).
    setupFiles: ['test/helpers/lock-dir-setup.ts'],
  },
});
