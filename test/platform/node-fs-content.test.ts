/**
 * NodeFs's copy, content verify and delete paths that the benchmarks tuned
 * (src/platform/node-fs.ts): files are compared byte for byte, small ones on
 * the main thread and big ones (1 MiB and more) on the thread pool, and a
 * difference anywhere is found; a copy keeps special mode bits; a delete of
 * a big flat folder takes everything and follows no link.
 */
import {
  chmodSync,
  closeSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelReportsSyncfsErrors } from '../../src/platform/native/syncfs.js';
import { NodeFs } from '../../src/platform/node-fs.js';

const ON_WINDOWS = process.platform === 'win32';
let root = '';
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-nodefs-content-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MiB = 1024 * 1024;
function pattern(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}
function put(p: string, content: Buffer, mode = 0o644): void {
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  chmodSync(p, mode);
  utimesSync(p, 1_700_000_000, 1_700_000_000);
}

describe.skipIf(ON_WINDOWS)('NodeFs content verify, copy and delete', () => {
  it('finds one changed byte at the end of a big file and in the middle of a small one; equal trees pass', async () => {
    const fs = new NodeFs();
    const a = path.join(root, 'a');
    put(path.join(a, 'big.bin'), pattern(3 * MiB + 17, 1));
    put(path.join(a, 'sub/small.txt'), pattern(5000, 2));
    put(path.join(a, 'sub/empty'), Buffer.alloc(0));
    put(path.join(a, 'exactly-one-chunk.bin'), pattern(MiB, 3));
    const b = path.join(root, 'b');
    await fs.copyTree(a, b);
    await fs.verify(a, b, 'content', false);

    const big = pattern(3 * MiB + 17, 1);
    big[big.length - 1]! ^= 1;
    put(path.join(b, 'big.bin'), big);
    await fs.verify(a, b, 'meta', false); // same size and time: meta cannot tell
    await expect(fs.verify(a, b, 'content', false)).rejects.toMatchObject({
      code: 'E_VERIFY',
      message: expect.stringContaining('big.bin: the content differs'),
    });

    put(path.join(b, 'big.bin'), pattern(3 * MiB + 17, 1));
    const small = pattern(5000, 2);
    small[2500]! ^= 0x80;
    put(path.join(b, 'sub/small.txt'), small);
    await expect(fs.verify(a, b, 'content', false)).rejects.toMatchObject({
      code: 'E_VERIFY',
      message: expect.stringContaining('small.txt: the content differs'),
    });
  });

  it('big files compared several at once with reused buffers: a byte changed in the first, a middle or the last chunk of any one is found, and equal files pass', async () => {
    const fs = new NodeFs();
    const a = path.join(root, 'many-big');
    // More files than are compared at once (4), so buffers go from file to file; sizes around the 1 MiB chunk.
    const sizes = [MiB, 2 * MiB + 1, 3 * MiB - 1, 4 * MiB, 5 * MiB + 3, 2 * MiB, MiB + 1];
    sizes.forEach((n, k) => put(path.join(a, `f${k}.bin`), pattern(n, 10 + k)));
    const b = path.join(root, 'many-big-copy');
    await fs.copyTree(a, b);
    await fs.verify(a, b, 'content', false);
    for (const [k, at] of [
      [4, 0],
      [4, 2 * MiB + 5],
      [1, 2 * MiB],
      [6, MiB],
    ] as const) {
      const changed = pattern(sizes[k]!, 10 + k);
      changed[at]! ^= 0x40;
      put(path.join(b, `f${k}.bin`), changed);
      await expect(fs.verify(a, b, 'content', false), `f${k} at ${at}`).rejects.toMatchObject({
        code: 'E_VERIFY',
        message: expect.stringContaining(`f${k}.bin: the content differs`),
      });
      put(path.join(b, `f${k}.bin`), pattern(sizes[k]!, 10 + k));
      await fs.verify(a, b, 'content', false);
    }
  });

  it('a copy keeps set-user-ID, set-group-ID and sticky bits, and the modes of folders and files', async () => {
    const fs = new NodeFs();
    const a = path.join(root, 'modes');
    put(path.join(a, 'tool'), pattern(100, 4), 0o4755);
    put(path.join(a, 'shared'), pattern(100, 5), 0o2750);
    put(path.join(a, 'private'), pattern(100, 6), 0o600);
    mkdirSync(path.join(a, 'drop'), { mode: 0o1777 });
    chmodSync(path.join(a, 'drop'), 0o1777);
    const b = path.join(root, 'modes-copy');
    await fs.copyTree(a, b);
    for (const [name, mode] of [
      ['tool', 0o4755],
      ['shared', 0o2750],
      ['private', 0o600],
      ['drop', 0o1777],
    ] as const) {
      expect(statSync(path.join(b, name)).mode & 0o7777, name).toBe(mode);
    }
    await fs.verify(a, b, 'content', false);
  });

  it('deletes a folder of thousands of files, nested folders and links, without following a link', async () => {
    const fs = new NodeFs();
    const outside = path.join(root, 'outside');
    put(path.join(outside, 'keep.txt'), pattern(10, 7));
    const d = path.join(root, 'doomed');
    mkdirSync(path.join(d, 'flat'), { recursive: true });
    for (let i = 0; i < 4200; i++) writeFileSync(path.join(d, 'flat', `f${i}`), '');
    put(path.join(d, 'deep/er/still/file'), pattern(10, 8));
    symlinkSync(outside, path.join(d, 'deep/link-to-outside'));
    symlinkSync(path.join(outside, 'keep.txt'), path.join(d, 'flat/link-to-file'));
    await fs.deleteTree(d);
    expect(() => lstatSync(d)).toThrow();
    expect(readdirSync(outside)).toEqual(['keep.txt']);
    await fs.deleteTree(d); // already gone: nothing to do
    // Not a timing test: making 4,200 files on a disk busy with other test runs' fsyncs can take seconds.
  }, 60_000);

  it.skipIf(process.platform !== 'linux')(
    'compares sparse files where either side has data: equal holes pass unread, a byte in a hole or a lost extent fails',
    async () => {
      const fs = new NodeFs();
      const a = path.join(root, 'sparse-a');
      const size = 64 * MiB;
      // Data at 0 (1 MiB), at 20 MiB (4 KiB) and in the last MiB; holes elsewhere.
      const extents: [number, Buffer][] = [
        [0, pattern(MiB, 5)],
        [20 * MiB, pattern(4096, 6)],
        [63 * MiB, pattern(MiB - 100, 7)],
      ];
      const writeSparse = (p: string, parts: [number, Buffer][]) => {
        mkdirSync(path.dirname(p), { recursive: true });
        rmSync(p, { force: true });
        const fd = openSync(p, 'w', 0o644);
        ftruncateSync(fd, size);
        for (const [at, bytes] of parts) writeSync(fd, bytes, 0, bytes.length, at);
        closeSync(fd);
        utimesSync(p, 1_700_000_000, 1_700_000_000);
        // The folder's time too: replacing a file changes it, and the verify compares it.
        utimesSync(path.dirname(p), 1_700_000_000, 1_700_000_000);
      };
      writeSparse(path.join(a, 'disk.img'), extents);
      expect(statSync(path.join(a, 'disk.img')).blocks * 512).toBeLessThan(size);
      const b = path.join(root, 'sparse-b');
      await fs.copyTree(a, b);
      const seen: number[] = [];
      await fs.verify(a, b, 'content', false, (n) => seen.push(n));
      // Holes equal on both sides count as compared: the progress reaches the whole size.
      expect(seen.at(-1)).toBe(size);

      const copy = path.join(b, 'disk.img');
      const poke = (at: number, bytes: Buffer) => {
        const fd = openSync(copy, 'r+');
        writeSync(fd, bytes, 0, bytes.length, at);
        closeSync(fd);
        utimesSync(copy, 1_700_000_000, 1_700_000_000);
      };
      // Zeros written into a hole of the copy: the same bytes, so equal.
      poke(40 * MiB, Buffer.alloc(8192));
      await fs.verify(a, b, 'content', false);
      // One byte in a hole of the original: differs.
      poke(41 * MiB + 3, Buffer.from([1]));
      await expect(fs.verify(a, b, 'content', false)).rejects.toMatchObject({
        code: 'E_VERIFY',
        message: expect.stringContaining('disk.img: the content differs'),
      });
      // One byte changed inside a data extent: differs.
      writeSparse(copy, extents);
      poke(20 * MiB + 4095, Buffer.from([0xee]));
      await expect(fs.verify(a, b, 'content', false)).rejects.toMatchObject({
        code: 'E_VERIFY',
        message: expect.stringContaining('disk.img: the content differs'),
      });
      // The copy lacks an extent the original has (a hole there): differs.
      writeSparse(copy, [extents[0]!, extents[2]!]);
      await expect(fs.verify(a, b, 'content', false)).rejects.toMatchObject({
        code: 'E_VERIFY',
        message: expect.stringContaining('disk.img: the content differs'),
      });
      // The original's last extent ends 100 bytes before the end: a byte there in the copy differs.
      writeSparse(copy, [...extents, [size - 1, Buffer.from([9])]]);
      await expect(fs.verify(a, b, 'content', false)).rejects.toMatchObject({
        code: 'E_VERIFY',
        message: expect.stringContaining('disk.img: the content differs'),
      });
      writeSparse(copy, extents);
      await fs.verify(a, b, 'content', false);
    },
  );
});

describe('syncfs is used only where it reports write-back errors', () => {
  it('Linux 5.8 and later', () => {
    for (const r of ['5.8.0', '5.10.0-28-amd64', '6.18.44-fc-v657', '10.0']) expect(kernelReportsSyncfsErrors(r), r).toBe(true);
    for (const r of ['5.7.19', '4.19.0', '3.10.0-1160.el7', 'unknown']) expect(kernelReportsSyncfsErrors(r), r).toBe(false);
  });
});
