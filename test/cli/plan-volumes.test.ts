/**
 * Cross-volume detection on a real second filesystem: a small tmpfs mount
 * holds the targets. Checks `crossVolume`, the free-space preflight
 * (E_NO_SPACE), hard links across volumes and read-only destinations.
 * The tmpfs is snapshotted with the sandbox: plan changes neither.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { requireBuiltCli } from '../helpers/cli.js';
import { mountTmpfs, tmpfsReason, type TmpfsMount } from '../helpers/tmpfs.js';
import { bytes, findingCodes, planJsonIn, Sandbox } from '../state/cli-sandbox.js';

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/cli/plan-volumes: skipped: ${NO_TMPFS}`);

const MiB = 1024 * 1024;

beforeAll(() => {
  requireBuiltCli();
});

/** A sandbox on the system temp folder's filesystem plus a tmpfs of `sizeMiB`, snapshotted together. */
function setup(ctx: TestContext, label: string, sizeMiB: number): { sb: Sandbox; vol: string } {
  const sb = new Sandbox(label);
  ctx.onTestFinished(() => sb.cleanup());
  const m: TmpfsMount = mountTmpfs(sizeMiB, label);
  ctx.onTestFinished(() => m.unmount());
  sb.extraRoots.push(m.dir);
  return { sb, vol: m.dir };
}

/** A folder of `n` files of `each` bytes at the link path; returns the total. */
function fill(sb: Sandbox, rel: string, n: number, each: number): number {
  for (let i = 0; i < n; i++) sb.file(`${rel}/part-${i}.bin`, bytes(each, i + 1));
  return n * each;
}

describe.skipIf(NO_TMPFS !== undefined)('plan across volumes (tmpfs)', { concurrent: true }, () => {
  it('a folder moving to a tmpfs: crossVolume true with the exact bytes and files, summed in the summary; exit 2', async (ctx) => {
    const { sb, vol } = setup(ctx, 'xvol-move', 8);
    const total = fill(sb, 'home/Games', 3, 100_000) + fill(sb, 'home/Games/sub', 2, 12_345);
    const L = sb.p('home/Games');
    const T = path.join(vol, 'Games');
    sb.manifest([{ link: L, target: T }]);
    const { doc, status } = await planJsonIn(sb);
    expect(doc.entries).toHaveLength(1);
    expect(doc.entries[0]).toMatchObject({ action: 'move', from: L, to: T, crossVolume: true, bytes: total, files: 5 });
    expect(doc.entries[0]!.reason).toMatch(/across volumes/);
    expect(doc.summary).toMatchObject({ bytesToMove: total, bytesAcrossVolumes: total });
    expect(findingCodes(doc)).toEqual([]);
    expect(status).toBe(2);
  });

  it("same filesystem (both on the tmpfs, and both on the sandbox's): crossVolume false", async (ctx) => {
    const { sb, vol } = setup(ctx, 'xvol-same', 8);
    sb.file(path.join(vol, 'home/Games/a.bin'), bytes(5000));
    sb.file('home/Local/b.bin', bytes(6000));
    sb.manifest([
      { link: path.join(vol, 'home/Games'), target: path.join(vol, 'store/Games') },
      { link: sb.p('home/Local'), target: sb.p('store/Local') },
    ]);
    const { doc, status } = await planJsonIn(sb);
    expect(doc.entries.map((e) => [e.action, e.crossVolume, e.bytes])).toEqual([
      ['move', false, 5000],
      ['move', false, 6000],
    ]);
    expect(doc.summary).toMatchObject({ bytesToMove: 11_000, bytesAcrossVolumes: 0 });
    expect(status).toBe(2);
  });

  it('a target below a symlinked folder that leads to the tmpfs: crossVolume true', async (ctx) => {
    const { sb, vol } = setup(ctx, 'xvol-via', 8);
    sb.file('home/Games/a.bin', bytes(4000));
    sb.symlink('via', vol);
    sb.manifest([{ link: sb.p('home/Games'), target: sb.p('via/Games') }]);
    const { doc, status } = await planJsonIn(sb);
    expect(doc.entries[0]).toMatchObject({ action: 'move', crossVolume: true, bytes: 4000, files: 1 });
    expect(status).toBe(2);
  });

  it("a tree bigger than the tmpfs's free space: E_NO_SPACE, blocked, exit 1", async (ctx) => {
    const { sb, vol } = setup(ctx, 'xvol-full', 2);
    const total = fill(sb, 'home/Games', 3, MiB);
    const T = path.join(vol, 'Games');
    sb.manifest([{ link: sb.p('home/Games'), target: T }]);
    const { doc, status } = await planJsonIn(sb);
    expect(doc.entries[0]).toMatchObject({ action: 'move', crossVolume: true, bytes: total, files: 3 });
    expect(doc.findings.map((f) => f.code)).toEqual(['E_NO_SPACE']);
    expect(doc.findings[0]).toMatchObject({ severity: 'error', path: T });
    expect(doc.findings[0]!.message).toMatch(/3\.0 MiB to copy \([\d.]+ MiB there, in blocks of 4\.0 KiB\), 2\.0 MiB free/);
    expect(doc.summary.errors).toBe(1);
    expect(doc.blocked).toBe(true);
    expect(status).toBe(1);
  });

  it('two moves into one tmpfs that fit alone but not together: E_NO_SPACE naming both', async (ctx) => {
    const { sb, vol } = setup(ctx, 'xvol-sum', 2);
    fill(sb, 'home/A', 1, 1.25 * MiB);
    fill(sb, 'home/B', 1, 1.25 * MiB);
    sb.manifest([
      { link: sb.p('home/A'), target: path.join(vol, 'A') },
      { link: sb.p('home/B'), target: path.join(vol, 'B') },
    ]);
    const { doc, status } = await planJsonIn(sb);
    expect(doc.findings.map((f) => f.code)).toEqual(['E_NO_SPACE']);
    expect(doc.findings[0]!.message).toContain(path.join(vol, 'A'));
    expect(doc.findings[0]!.message).toContain(path.join(vol, 'B'));
    expect(status).toBe(1);
  });

  it('a tree that fits: no E_NO_SPACE, exit 2', async (ctx) => {
    const { sb, vol } = setup(ctx, 'xvol-fits', 2);
    fill(sb, 'home/Games', 1, MiB);
    sb.manifest([{ link: sb.p('home/Games'), target: path.join(vol, 'Games') }]);
    const { doc, status } = await planJsonIn(sb);
    expect(doc.entries[0]).toMatchObject({ action: 'move', crossVolume: true, bytes: MiB });
    expect(findingCodes(doc)).toEqual([]);
    expect(status).toBe(2);
  });

  it('restore (state: absent) from a tmpfs: crossVolume true, the bytes that come back', async (ctx) => {
    const { sb, vol } = setup(ctx, 'xvol-restore', 8);
    const T = path.join(vol, 'Games');
    sb.file(path.join(T, 'save.bin'), bytes(2500));
    sb.symlink('home/Games', T);
    sb.manifest([{ link: sb.p('home/Games'), target: T, state: 'absent' }]);
    const { doc, status } = await planJsonIn(sb);
    expect(doc.entries[0]).toMatchObject({ action: 'restore', from: T, to: sb.p('home/Games'), crossVolume: true, bytes: 2500, files: 1 });
    expect(doc.summary.bytesAcrossVolumes).toBe(2500);
    expect(status).toBe(2);
  });

  it('a hard link across volumes: E_CROSS_VOLUME, exit 1', async (ctx) => {
    const { sb, vol } = setup(ctx, 'xvol-hard', 2);
    sb.file('home/config.ini', 'a=1\n');
    sb.manifest([{ link: sb.p('home/config.ini'), target: path.join(vol, 'config.ini'), type: 'hardlink' }]);
    const { doc, status } = await planJsonIn(sb);
    expect(doc.entries[0]).toMatchObject({ action: 'move', type: 'hardlink', crossVolume: true });
    expect(findingCodes(doc)).toEqual(['E_CROSS_VOLUME']);
    expect(status).toBe(1);
  });

  it('a read-only tmpfs as destination: E_READ_ONLY, exit 1', async (ctx) => {
    const { sb, vol } = setup(ctx, 'xvol-ro', 2);
    sb.file('home/Games/a.bin', bytes(100));
    execFileSync('mount', ['-o', 'remount,ro', vol]);
    sb.manifest([{ link: sb.p('home/Games'), target: path.join(vol, 'Games') }]);
    const { doc, status } = await planJsonIn(sb);
    expect(doc.entries[0]).toMatchObject({ action: 'move', crossVolume: true });
    const f = doc.entries[0]!.findings.find((x) => x.code === 'E_READ_ONLY');
    expect(f).toMatchObject({ severity: 'error', path: path.join(vol, 'Games') });
    expect(status).toBe(1);
  });

  it('a read-only tmpfs reached through a symlinked folder: E_READ_ONLY too', async (ctx) => {
    const { sb, vol } = setup(ctx, 'xvol-ro-via', 2);
    sb.file('home/Games/a.bin', bytes(100));
    sb.symlink('via', vol);
    execFileSync('mount', ['-o', 'remount,ro', vol]);
    sb.manifest([{ link: sb.p('home/Games'), target: sb.p('via/Games') }]);
    const { doc, status } = await planJsonIn(sb);
    expect(doc.entries[0]).toMatchObject({ action: 'move', crossVolume: true });
    expect(findingCodes(doc)).toEqual(['E_READ_ONLY']);
    expect(status).toBe(1);
  });
});
