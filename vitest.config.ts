import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each test file gets its own path-lock registry (see the file).
    setupFiles: ['test/helpers/lock-dir-setup.ts'],
    // Most tests start the built CLI, often several times; on a 2-core CI machine under load one such test
    // has taken over 5 s (vitest's default) while taking about 1 s alone. Speed targets live in bench/, not here.
    testTimeout: 30_000,
  },
});
