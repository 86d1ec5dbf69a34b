/**
 * The measure walk's statx (src/platform/native/statx-lstat.ts) must read
 * what Node's lstat reads, field for field, or the walk would cross mounts
 * (dev), miscount hard links (ino, nlink) or sizes: compared here on real
 * nodes, and its makedev against glibc's own.
 */
import { linkSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKoffi } from '../../src/platform/native/koffi.js';
import { makedev, nativeStatx } from '../../src/platform/native/statx-lstat.js';

const linux = process.platform === 'linux';
if (!linux) console.warn('statx-lstat tests skipped: statx is Linux only');

const dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-statx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!linux)('statx for the measure walk', () => {
  it('reads what lstat reads: kind, dev, inode, links, size, blocks, mtime; a link is never followed', async () => {
    const read = await nativeStatx();
    expect(read, 'koffi and statx are there on this Linux host').not.toBeNull();
    mkdirSync(path.join(dir, 'folder'));
    writeFileSync(path.join(dir, 'folder', 'data.bin'), Buffer.alloc(123_457, 7));
    linkSync(path.join(dir, 'folder', 'data.bin'), path.join(dir, 'second-name'));
    symlinkSync(path.join(dir, 'folder'), path.join(dir, 'link'));
    utimesSync(path.join(dir, 'folder', 'data.bin'), 1_700_000_000.123456, 2_000_000_000.987654);
    const nodes = [
      dir,
      path.join(dir, 'folder'),
      path.join(dir, 'folder', 'data.bin'),
      path.join(dir, 'second-name'),
      path.join(dir, 'link'),
      '/proc/self',
      '/dev/null',
      '/dev/shm',
    ];
    for (const p of nodes) {
      const want = lstatSync(p);
      const big = lstatSync(p, { bigint: true });
      const got = read!(p);
      expect(got, p).toBeDefined();
      expect({ file: got!.isFile(), dir: got!.isDirectory(), link: got!.isSymbolicLink() }, p).toEqual({
        file: want.isFile(),
        dir: want.isDirectory(),
        link: want.isSymbolicLink(),
      });
      expect(got!.dev, `${p}: dev`).toBe(want.dev);
      expect(got!.ino, `${p}: ino`).toBe(String(big.ino));
      expect([got!.nlink, got!.size, got!.blocks], p).toEqual([want.nlink, want.size, want.blocks]);
      expect(got!.mtimeMs, `${p}: mtime`).toBeCloseTo(want.mtimeMs, 3);
      expect(got!.flag, p).toBeUndefined();
    }
  });

  it("a missing path gives undefined (the walk then asks lstat, whose error is Node's own)", async () => {
    const read = await nativeStatx();
    expect(read!(path.join(dir, 'no such file'))).toBeUndefined();
  });

  it("makedev agrees with glibc's gnu_dev_makedev, large majors and minors included", async () => {
    const loaded = await loadKoffi();
    if ('reason' in loaded) throw new Error(loaded.reason);
    const glibc = loaded.koffi.load('libc.so.6').func('uint64_t gnu_dev_makedev(unsigned int major, unsigned int minor)');
    for (const [major, minor] of [
      [0, 0],
      [8, 1],
      [7, 255],
      [0, 256],
      [0, 345],
      [259, 3],
      [4095, 1_048_575],
      [4096, 0],
      [65_535, 16_777_215],
      [1_048_575, 1],
    ]) {
      expect(makedev(major!, minor!), `${major}:${minor}`).toBe(Number(glibc(major, minor)));
    }
  });
});
