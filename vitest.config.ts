import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { exePath } from './test/helpers/exe.js';

/**
 * Two projects. `node`: every test, with the CLI run as `node
 * dist/cli/bin.js`. `linux-exe`: the CLI tests (test/cli, and the GUI
 * server's tests that start relocate) again, through
 * relocate's single Linux executable (issue 18: scripts/build-exe.mjs;
 * test/helpers/cli.ts runs RELOCATE_TEST_CLI instead of node), built first
 * by its global setup when missing or stale. It exists on Linux x64 only,
 * and RELOCATE_SKIP_EXE=1 leaves it out (the run then says so). The
 * executable writes its native addon once to the per-user cache folder
 * (scripts/exe/koffi-native.cjs); the project points XDG_CACHE_HOME at a
 * folder of this run's (removed by the global setup's teardown), so the
 * tests that check a command left a fake HOME unchanged see HOME as the
 * CLI left it, and no test writes to the real ~/.cache.
 */
/** The linux-exe project's per-user cache folder: this run's own, under the temporary folder. */
const EXE_TEST_CACHE = path.join(os.tmpdir(), `relocate-exe-test-cache-${process.pid}`);
const withExe = process.platform === 'linux' && process.arch === 'x64' && process.env.RELOCATE_SKIP_EXE !== '1';
if (!withExe) console.warn(`vitest: the linux-exe project is left out (${process.env.RELOCATE_SKIP_EXE === '1' ? 'RELOCATE_SKIP_EXE=1' : `it runs on Linux x64, this is ${process.platform}-${process.arch}`})`);

export default defineConfig({
  test: {
    // Each test file gets its own path-lock registry (see the file).
    setupFiles: ['test/helpers/lock-dir-setup.ts'],
    // Most tests start the built CLI, often several times; on a 2-core CI machine under load one such test
    // has taken over 5 s (vitest's default) while taking about 1 s alone. Speed targets live in bench/, not here.
    testTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'node' } },
      ...(withExe
        ? [
            {
              extends: true,
              test: {
                name: 'linux-exe',
                // The GUI server's flow runs relocate as a child: through the executable it runs the executable itself (node:sea).
                include: ['test/cli/**/*.test.ts', 'test/gui/server-flow.test.ts', 'test/gui/server-cli.test.ts'],
                globalSetup: ['test/helpers/linux-exe-setup.ts'],
                env: { RELOCATE_TEST_CLI: exePath('linux-x64'), XDG_CACHE_HOME: EXE_TEST_CACHE },
              },
            },
          ]
        : []),
    ],
  },
});
