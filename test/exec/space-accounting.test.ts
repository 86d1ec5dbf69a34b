/**
 * Issue 15 "Count space the way the disk does", through the built CLI on
 * loop-mounted ext4 and xfs: small files take a block each and a folder
 * takes one, so a tree whose apparent size fits but whose blocks do not is
 * refused at plan time (E_NO_SPACE), as is one with more files than the
 * target has free inodes (E_NO_INODES); a tree that passes does fit (the
 * estimate is never below what the copy really takes); the plan shows the
 * blocks a tree takes when that reads differently from its size.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runCliAsync } from '../helpers/cli.js';
import { loopFsReason, mountLoop, type LoopFs, type LoopVolume } from '../helpers/loop-volume.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { mountTmpfs, tmpfsReason, type TmpfsMount } from '../helpers/tmpfs.js';
import { manifestText } from '../state/cli-sandbox.js';

const FS: LoopFs[] = ['ext4', 'xfs', 'btrfs'];
for (const fs of FS) {
  const why = loopFsReason(fs);
  if (why) console.log(`[skip] space accounting on ${fs}: ${why}`);
}
const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.log(`[skip] space accounting: ${NO_TMPFS}`);

const mounted: (LoopVolume | TmpfsMount)[] = [];
let source: TmpfsMount | undefined;
let meta: string;
let n = 0;

beforeAll(() => {
  requireBuiltCli();
  meta = mkdtempSync(path.join(os.tmpdir(), 'relocate-space-'));
  if (!NO_TMPFS) mounted.push((source = mountTmpfs(256, 'space-src', 'nr_inodes=100000')));
});
afterAll(() => {
  for (const m of mounted) {
    try {
      m.unmount();
    } catch (err) {
      console.error(err);
    }
  }
  rmSync(meta, { recursive: true, force: true });
});

/** `count` files of `size` bytes in folders of 500, under `root`. */
function smallFiles(root: string, count: number, size: number): void {
  const body = Buffer.alloc(size, 'x');
  for (let i = 0; i < count; i++) {
    const dir = path.join(root, `d${Math.floor(i / 500)}`);
    if (i % 500 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `f${i}.txt`), body);
  }
}

function freeOf(dir: string): { bytes: number; inodes: number; blockSize: number } {
  const s = statfsSync(dir);
  return { bytes: s.bavail * s.bsize, inodes: s.ffree, blockSize: s.bsize };
}

/** Fills `dir`'s volume with one file until `leave` bytes are free (fallocate: real blocks, no writing). */
function fillUntil(dir: string, leave: number): void {
  const take = freeOf(dir).bytes - leave;
  if (take > 0) execFileSync('fallocate', ['-l', String(take), path.join(dir, 'filler.bin')]);
}

async function plan(link: string, target: string, extra: string[] = []) {
  const m = path.join(meta, `m${++n}.yaml`);
  writeFileSync(m, manifestText([{ link, target, type: 'symlink' }]));
  const state = path.join(meta, `state${n}`);
  const run = (args: string[]) => runCliAsync([...args, m, '--state-dir', state, ...extra]);
  return { manifest: m, state, run };
}

describe.skipIf(NO_TMPFS !== undefined)('space counted as the disk does', () => {
  for (const fs of FS) {
    describe.skipIf(loopFsReason(fs) !== undefined)(fs, () => {
      let vol: LoopVolume;
      beforeAll(() => {
        vol = mountLoop(fs, fs === 'ext4' ? 64 : 320, `space-${fs}`, fs === 'ext4' ? ['-b', '4096'] : []);
        mounted.push(vol);
      });

      it('4,000 files of 100 B: 400 KB of data, 16 MB of blocks; refused when only the data fits, with both figures', async () => {
        const src = path.join(source!.dir, `small-${fs}`);
        smallFiles(src, 4000, 100);
        const dest = path.join(vol.dir, 'tight');
        mkdirSync(dest);
        // Room for the bytes (and far more), not for a block per file.
        fillUntil(vol.dir, 6 * 1024 * 1024);
        const free = freeOf(vol.dir);
        expect(free.bytes).toBeGreaterThan(10 * 400_000);
        expect(free.bytes).toBeLessThan(4000 * free.blockSize);
        const before = snapshotTree(src);
        const c = await plan(src, path.join(dest, 'small'));
        const r = await c.run(['plan', '--json']);
        expect(r.status, r.stdout + r.stderr).toBe(1);
        const doc = JSON.parse(r.stdout);
        const codes = [...doc.findings, ...doc.entries.flatMap((e: { findings: unknown[] }) => e.findings)].map((f: any) => f.code);
        expect(codes).toContain('E_NO_SPACE');
        const f = doc.findings.find((x: any) => x.code === 'E_NO_SPACE');
        expect(f.message).toMatch(/391 KiB to copy \([\d.]+ MiB there, in blocks of 4\.0 KiB\)/);
        expect(doc.entries[0].allocated).toBeGreaterThanOrEqual(4000 * 4096);
        const text = await c.run(['plan']);
        expect(text.stdout).toMatch(/391 KiB \(15\.6 MiB on disk\) in 4,000 files, across volumes/);
        const applied = await c.run(['apply', '--yes']);
        expect(applied.status).toBe(1);
        expect(applied.stdout + applied.stderr).toMatch(/E_NO_SPACE/);
        expect(snapshotTree(src)).toEqual(before);
        rmSync(path.join(vol.dir, 'filler.bin'));
        // btrfs frees a deleted file's extents when the transaction commits.
        execFileSync('sync', ['-f', vol.dir]);
        rmSync(src, { recursive: true });
      });

      it('a tree that passes the check fits: the estimate is never below what the copy takes', async () => {
        const src = path.join(source!.dir, `fits-${fs}`);
        smallFiles(src, 1500, 3000);
        writeFileSync(path.join(src, 'big.bin'), Buffer.alloc(3 * 1024 * 1024 + 17, 'y'));
        // A 64 MiB sparse image with 40 scattered 4 KiB extents of data: counted (and copied) by its data.
        const sparse = path.join(src, 'sparse.img');
        execFileSync('truncate', ['-s', '64M', sparse]);
        for (let i = 0; i < 40; i++)
          execFileSync('dd', ['if=/dev/urandom', `of=${sparse}`, 'bs=4K', 'count=1', `seek=${i * 409}`, 'conv=notrunc', 'status=none']);
        const c = await plan(src, path.join(vol.dir, 'fits'));
        const planned = JSON.parse((await c.run(['plan', '--json'])).stdout);
        expect(planned.blocked, JSON.stringify(planned.findings.concat(planned.entries[0].findings))).toBeFalsy();
        const onTarget: number = planned.entries[0].onTarget;
        // More than the data outside the image (a block per small file), far less than the bytes with the image's holes.
        expect(onTarget).toBeGreaterThan(planned.entries[0].bytes - 64 * 1024 * 1024);
        expect(onTarget).toBeLessThan(planned.entries[0].bytes);
        const freeBefore = freeOf(vol.dir).bytes;
        const applied = await c.run(['apply', '--yes', '--json']);
        expect(applied.status, applied.stdout + applied.stderr).toBe(0);
        execFileSync('sync', ['-f', vol.dir]);
        const used = freeBefore - freeOf(vol.dir).bytes;
        expect(used, `the copy took ${used} B on ${fs}, the plan counted ${onTarget} B`).toBeLessThanOrEqual(onTarget);
        // And the estimate is not wildly high: within a block per file and folder of what was used.
        expect(onTarget - used).toBeLessThan((1500 + 10) * freeOf(vol.dir).blockSize);
        const back = await runCliAsync(['rollback', '--yes', '--state-dir', c.state]);
        expect(back.status, back.stderr).toBe(0);
      });
    });
  }

  it('more files than the target has free inodes: E_NO_INODES at plan time (ext4 with few inodes)', async (ctx) => {
    if (loopFsReason('ext4')) ctx.skip();
    const vol = mountLoop('ext4', 64, 'space-inodes', ['-b', '4096', '-N', '1024']);
    mounted.push(vol);
    const src = path.join(source!.dir, 'many');
    smallFiles(src, 2000, 10);
    const free = freeOf(vol.dir);
    expect(free.inodes).toBeLessThan(2000);
    // The blocks fit: 2,000 × 4 KiB is 8 MiB of 60.
    expect(free.bytes).toBeGreaterThan(2000 * free.blockSize * 2);
    const c = await plan(src, path.join(vol.dir, 'many'));
    const r = await c.run(['plan', '--json']);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout);
    const f = doc.findings.find((x: any) => x.code === 'E_NO_INODES');
    expect(f, JSON.stringify(doc.findings)).toBeDefined();
    expect(f.message).toContain('2,005 files, folders and links to create');
    expect(f.hint).toContain('df -i');
    const a = await c.run(['apply', '--yes']);
    expect(a.status).toBe(1);
    expect(a.stdout + a.stderr).toMatch(/E_NO_INODES/);
  });

  it('a sparse file is counted by its data going to a file system that stores holes (tmpfs): a 48 MiB image using 128 KiB moves onto a 24 MiB volume and stays sparse; the plan shows its few blocks on disk', async () => {
    const src = path.join(source!.dir, 'vm');
    mkdirSync(src);
    const img = path.join(src, 'disk.img');
    execFileSync('truncate', ['-s', '48M', img]);
    writeFileSync(path.join(src, 'notes.txt'), 'a VM image, mostly holes');
    execFileSync('dd', ['if=/dev/urandom', `of=${img}`, 'bs=64K', 'count=2', 'conv=notrunc', 'status=none']);
    const small = mountTmpfs(24, 'space-sparse');
    mounted.push(small);
    const c = await plan(src, path.join(small.dir, 'vm'));
    const r = await c.run(['plan', '--json']);
    const doc = JSON.parse(r.stdout);
    expect(
      doc.findings.map((x: any) => x.code),
      JSON.stringify(doc.findings),
    ).toEqual([]);
    expect(doc.entries[0].allocated).toBeLessThan(1024 * 1024);
    expect(doc.entries[0].onTarget).toBeLessThan(2 * 1024 * 1024);
    expect((await c.run(['plan'])).stdout).toMatch(/48\.0 MiB \(1\d\d KiB on disk\) in 2 files/);
    const a = await c.run(['apply', '--yes']);
    expect(a.status, a.stdout + a.stderr).toBe(0);
    expect(statSync(path.join(small.dir, 'vm', 'disk.img')).blocks * 512).toBeLessThan(1024 * 1024);
  });

  it.skipIf(loopFsReason('ntfs') !== undefined)(
    'a sparse file is counted by its size going to a file system not known to store holes (NTFS through FUSE): E_NO_SPACE on a volume smaller than its size',
    async () => {
      const src = path.join(source!.dir, 'vm2');
      mkdirSync(src);
      const img = path.join(src, 'disk.img');
      execFileSync('truncate', ['-s', '48M', img]);
      execFileSync('dd', ['if=/dev/urandom', `of=${img}`, 'bs=64K', 'count=2', 'conv=notrunc', 'status=none']);
      const ntfs = mountLoop('ntfs', 24, 'space-ntfs');
      mounted.push(ntfs);
      const c = await plan(src, path.join(ntfs.dir, 'vm'));
      const doc = JSON.parse((await c.run(['plan', '--json'])).stdout);
      expect(
        doc.findings.map((x: any) => x.code),
        JSON.stringify(doc.findings),
      ).toEqual(['E_NO_SPACE']);
    },
  );

  it("block counts are not part of a saved plan's fingerprint: blocks added after the plan (fallocate, same bytes and times) leave it fresh", async () => {
    const src = path.join(source!.dir, 'logs');
    mkdirSync(src);
    const file = path.join(src, 'app.log');
    writeFileSync(file, 'a line\n');
    const dest = mountTmpfs(8, 'space-fp');
    mounted.push(dest);
    const c = await plan(src, path.join(dest.dir, 'logs'));
    const out = path.join(meta, `saved${n}.json`);
    const saved = await c.run(['plan', '--out', out]);
    expect(saved.status, saved.stderr).toBe(2);
    // What delayed allocation or compression does after a write: the blocks change, nothing a user sees does.
    const mtime = statSync(file, { bigint: true }).mtimeNs;
    execFileSync('fallocate', ['-n', '-l', '1M', file]);
    execFileSync('touch', ['-m', '-d', `@${mtime / 1_000_000_000n}.${String(mtime % 1_000_000_000n).padStart(9, '0')}`, file]);
    expect(statSync(file).blocks).toBeGreaterThan(1000);
    expect(statSync(file, { bigint: true }).mtimeNs).toBe(mtime);
    const applied = await runCliAsync(['apply', out, '--yes', '--state-dir', c.state]);
    expect(applied.status, applied.stdout + applied.stderr).toBe(0);
    expect((await runCliAsync(['rollback', '--yes', '--state-dir', c.state])).status).toBe(0);
  });
});
