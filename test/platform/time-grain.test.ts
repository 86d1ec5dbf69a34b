/**
 * The verify compares a copy's mtime as finely as the copy's file system
 * keeps times: exactly on ext4/tmpfs, within a step of the grain elsewhere
 * (a FUSE or FAT target), so a move there is not refused for precision the
 * target never had, while a lost nanosecond on tmpfs is still caught.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MetaKeeper } from '../../src/platform/keep-meta.js';
import { timeGrainNs } from '../../src/platform/time-grain.js';
import { RelocateError } from '../../src/core/errors.js';
import { mountTmpfs, tmpfsReason } from '../helpers/tmpfs.js';

const reason = tmpfsReason();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('time grain', () => {
  it.skipIf(process.platform !== 'linux' || reason !== undefined)('tmpfs keeps nanoseconds (grain 1)', async () => {
    const m = mountTmpfs(1, 'grain');
    try {
      expect(await timeGrainNs(m.dir)).toBe(1n);
    } finally {
      m.unmount();
    }
  });

  it.skipIf(process.platform !== 'linux')('procfs (a file system not known to keep ns) is given a second', async () => {
    expect(await timeGrainNs('/proc')).toBe(1_000_000_000n);
    const d = mkdtempSync(path.join(os.tmpdir(), 'relocate-grain-'));
    dirs.push(d);
    expect(await timeGrainNs(path.join(d, 'missing'))).toBe(1_000_000_000n);
  });

  it('sameMtime: exact (or NTFS-truncated) at grain 1; within one step at a coarser grain', async () => {
    const k = await MetaKeeper.load((err, p) => new RelocateError('E_INTERNAL', String(err), { path: p }));
    const t = 1_796_483_653_929_090_785n;
    if (!k.nsTimes) {
      // The portable path (no koffi here) keeps a millisecond, whatever the grain.
      expect(k.sameMtime(t, t - 900_000n, 'file')).toBe(true);
      return;
    }
    expect(k.sameMtime(t, t, 'file', 1n)).toBe(true);
    expect(k.sameMtime(t, t - 85n, 'file', 1n)).toBe(true); // truncated to 100 ns
    expect(k.sameMtime(t, t - 47n, 'file', 1n)).toBe(false);
    expect(k.sameMtime(t, t - 47n, 'file', 1_000_000_000n)).toBe(true); // a FUSE double
    expect(k.sameMtime(t, t - 929_090_785n, 'file', 1_000_000_000n)).toBe(true); // seconds only
    expect(k.sameMtime(t, t - 1_000_000_000n, 'file', 1_000_000_000n)).toBe(false);
  });
});
