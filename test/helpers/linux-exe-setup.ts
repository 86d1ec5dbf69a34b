/**
 * Global setup of vitest's `linux-exe` project (vitest.config.ts): relocate's
 * Linux single executable built when missing or stale, before test/cli runs
 * through it. A build that cannot be done fails the run with the reason;
 * RELOCATE_SKIP_EXE=1 leaves the project out instead.
 */
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { ensureExe } from './exe.js';

export default function setup(project: TestProject): () => void {
  const exe = ensureExe('linux-x64');
  if ('reason' in exe) throw new Error(`the linux-exe project cannot run: ${exe.reason} (RELOCATE_SKIP_EXE=1 leaves it out)`);
  const cache = project.config.env.XDG_CACHE_HOME;
  return () => {
    // The executable's native-addon cache of this run (vitest.config.ts).
    if (cache) rmSync(cache, { recursive: true, force: true });
  };
}
