/**
 * DESIGN.md: a native call that is unavailable falls back to a safe
 * portable path and says so with --verbose. RELOCATE_NATIVE=0 turns the
 * koffi layer off (renameat2 / renamex_np here, the Win32 layer on
 * Windows), which is how the fallback is reached on purpose.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runCli } from '../helpers/cli.js';

describe('native fallbacks are said with --verbose', () => {
  let dir: string;
  beforeAll(() => {
    requireBuiltCli();
    dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-fallback-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function setup(name: string): { manifest: string; link: string; target: string; state: string } {
    const base = path.join(dir, name);
    const link = path.join(base, 'Games');
    const target = path.join(base, 'Store', 'Games');
    mkdirSync(link, { recursive: true });
    writeFileSync(path.join(link, 'a.txt'), 'a');
    const manifest = path.join(base, 'relocate.yaml');
    writeFileSync(manifest, `version: 1\nlinks:\n  - link: '${link}'\n    target: '${target}'\n`);
    return { manifest, link, target, state: path.join(base, 'state') };
  }

  it('with the native rename, apply --verbose and rollback --verbose print no fallback note', () => {
    const s = setup('native');
    const apply = runCli(['apply', s.manifest, '--yes', '--verbose', '--state-dir', s.state]);
    expect(apply.status, apply.stderr).toBe(0);
    expect(apply.stderr).not.toMatch(/^note:/m);
    const rb = runCli(['rollback', '--yes', '--verbose', '--state-dir', s.state]);
    expect(rb.status, rb.stderr).toBe(0);
    expect(rb.stderr).not.toMatch(/^note:/m);
  });

  it('with RELOCATE_NATIVE=0 the move still works (check-then-rename under the lock) and --verbose says why', () => {
    const s = setup('portable');
    const env = { RELOCATE_NATIVE: '0' };
    const apply = runCli(['apply', s.manifest, '--yes', '--verbose', '--state-dir', s.state], { env });
    expect(apply.status, apply.stderr).toBe(0);
    // Linux and macOS name the skipped kernel call's reason; Windows says MoveFileExW was not used.
    expect(apply.stderr).toMatch(/^note: .*RELOCATE_NATIVE=0 turns the native layer off\)?; using check-then-rename under the lock$/m);
    expect(existsSync(path.join(s.target, 'a.txt'))).toBe(true);
    const rb = runCli(['rollback', '--yes', '--verbose', '--state-dir', s.state], { env });
    expect(rb.status, rb.stderr).toBe(0);
    expect(rb.stderr).toMatch(/^note: .*RELOCATE_NATIVE=0 turns the native layer off/m);
    // Without --verbose nothing is said.
    const again = runCli(['apply', s.manifest, '--yes', '--state-dir', s.state], { env });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/note:/);
  });
});
