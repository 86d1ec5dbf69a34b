/**
 * Two safety checks that sit on paths the default suite rarely takes, each
 * tested so that removing it fails: the portable no-replace rename (no
 * native layer: koffi missing, RELOCATE_NATIVE=0, a file system that refuses
 * RENAME_NOREPLACE) must not replace an empty folder, which rename(2) does
 * silently; and a write-back error that the final syncfs of a copy reports
 * must fail the copy, so the original is never deleted after a copy that
 * did not reach the disk.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** The code and path of what `p` rejects with (modules are loaded afresh here, so RelocateError is compared by its fields). */
async function refusal(p: Promise<unknown>): Promise<{ code?: string; path?: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string; path?: string };
  }
  throw new Error('expected a refusal, and the call succeeded');
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-fallbacks-'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('the portable no-replace rename (no native layer)', () => {
  it.skipIf(process.platform === 'win32')('an empty folder at the destination is not replaced: E_EXISTS, and both sides stay as they were', async () => {
    vi.stubEnv('RELOCATE_NATIVE', '0');
    vi.resetModules();
    const { renameNoReplace } = await import('../../src/platform/fs/rename.js');
    mkdirSync(path.join(dir, 'a'));
    writeFileSync(path.join(dir, 'a', 'x'), 'data');
    mkdirSync(path.join(dir, 'b'));
    const notes: string[] = [];
    const err = await refusal(renameNoReplace(path.join(dir, 'a'), path.join(dir, 'b'), (n) => notes.push(n)));
    expect(err.code).toBe('E_EXISTS');
    // The portable path was the one taken (the native call would refuse by itself).
    expect(notes.join('\n')).toContain('check-then-rename');
    expect(readdirSync(path.join(dir, 'b'))).toEqual([]);
    expect(existsSync(path.join(dir, 'a', 'x'))).toBe(true);
  });
});

describe("a copy's final syncfs", () => {
  it('a write-back error it reports fails the copy (E_IO naming the copy)', async () => {
    const { CopyFlush } = await import('../../src/platform/copy-flush.js');
    const { syncCopy } = await import('../../src/platform/fs/durable-copy.js');
    const flush = await CopyFlush.open(dir, () => ({ ok: false, errno: os.constants.errno.EIO }));
    const hooks = { syncDir: async () => undefined, noteDurability: () => undefined };
    const err = await refusal(syncCopy(hooks, path.join(dir, 'copy'), () => ({ files: [], dirs: [] }), { how: { way: 'syncfs', why: 'test' }, flush }));
    expect(err.code).toBe('E_IO');
    expect(err.path).toBe(path.join(dir, 'copy'));
    flush.close();
  });
});
