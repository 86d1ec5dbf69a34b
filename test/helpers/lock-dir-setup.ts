import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/**
 * Runs before every test file (vitest.config.ts `setupFiles`): the file's
 * runs, in-process and through the CLI (children inherit the environment),
 * use a path-lock registry of their own, so no test touches the machine-wide
 * one (/var/tmp/relocate-locks) and files running in parallel never see each
 * other's locks. Tests of the registry itself set their own folder.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-locks-'));
process.env.RELOCATE_LOCK_DIR = dir;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
