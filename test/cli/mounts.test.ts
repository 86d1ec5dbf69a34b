/**
 * Issue 13 §3 through the built CLI, on real mounts: a volume mounted inside
 * the folder to move (a tmpfs, a bind mount), a link path that is a mount
 * point, a target that is one under `state: absent`, and paths on kernel
 * pseudo file systems (the machine's /proc, /sys and /dev for `plan`; a
 * proc instance mounted in the sandbox for `apply`). Each is refused by
 * `plan` (exit 1, a stable code naming the mount) and by `apply` (exit 1,
 * no run, nothing changed — the mounted volume least of all); a mount made
 * after `plan --out` makes the saved plan stale. Mounts are undone when
 * each test finishes, failed or not.
 */
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, it, vi, type TestContext } from 'vitest';
import { readMountTable } from '../../src/platform/mount-table.js';
import { isPseudoFsName } from '../../src/platform/pseudo-fs.js';
import { requireBuiltCli } from '../helpers/cli.js';
import { Mounts, procMountReason } from '../helpers/mounts.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { tmpfsReason } from '../helpers/tmpfs.js';
import { build, json, sandbox, show, type Sandbox } from '../exec/sandbox.js';

vi.setConfig({ testTimeout: 60_000 });

const NO_MOUNTS = tmpfsReason();
if (NO_MOUNTS) console.warn(`test/cli/mounts: cases with mounts skipped: ${NO_MOUNTS}`);

beforeAll(() => {
  requireBuiltCli();
});

/** A sandbox whose mounts (made through `m`) are undone when the test ends, before the sandbox is removed. */
function mounted(ctx: TestContext): { box: Sandbox; m: Mounts } {
  const box = sandbox(ctx);
  const m = new Mounts();
  // onTestFinished hooks run in reverse order of registration: the mounts go before the sandbox's folder.
  ctx.onTestFinished(() => m.unmountAll(box.root));
  return { box, m };
}

function runsIn(box: Sandbox): string[] {
  try {
    return readdirSync(path.join(box.state, 'runs'));
  } catch {
    return [];
  }
}

/** All findings of a plan's JSON, flattened. */
function findings(plan: any): { code: string; path?: string; message: string; hint?: string }[] {
  return [...plan.entries.flatMap((e: any) => e.findings), ...plan.findings];
}

/**
 * plan exits 1 with a finding `code` (returned), apply exits 1 with no run,
 * and nothing under `watch` changed (the mounted volumes included).
 */
async function expectRefused(ctx: TestContext, box: Sandbox, code: string, watch: string[] = [box.sb]) {
  const { expect } = ctx;
  const before = snapshotTree(...watch);
  const plan = await box.cli(['plan', box.manifest, '--json']);
  expect(plan.status, show(plan)).toBe(1);
  const f = findings(json(plan)).find((x) => x.code === code);
  expect(f, show(plan)).toBeDefined();
  const apply = await box.apply();
  expect(apply.status, show(apply)).toBe(1);
  expect(apply.stdout + apply.stderr).toContain(code);
  expect(apply.stdout + apply.stderr).not.toMatch(/E_INTERNAL/);
  expect(runsIn(box)).toEqual([]);
  expect(snapshotTree(...watch)).toEqual(before);
  return f!;
}

describe.skipIf(NO_MOUNTS)('a volume mounted inside the folder to move', { concurrent: true }, () => {
  for (const across of [true, false]) {
    for (const kind of ['tmpfs', 'bind'] as const) {
      it(`${kind} inside, target ${across ? 'on another volume' : 'on the same volume'}: E_MOUNT_INSIDE naming it; the mounted volume keeps every byte`, async (ctx) => {
        const { box, m } = mounted(ctx);
        build(box.p('home/Games'), { 'game.exe': 'binary', 'saves/slot1': 'level 3' });
        build(box.p('other'), { 'keep.txt': 'bound here' });
        const mount = box.p('home/Games/saves/ssd');
        if (kind === 'tmpfs') m.tmpfs(mount);
        else m.bind(box.p('other'), mount);
        build(mount, { 'precious.sav': 'on the mounted volume', 'deep/more.sav': 'more' });
        const store = across ? m.tmpfs(box.p('store')) : box.p('store');
        box.writeManifest([{ link: box.p('home/Games'), target: path.join(store, 'Games'), type: 'symlink' }]);
        const f = await expectRefused(ctx, box, 'E_MOUNT_INSIDE');
        ctx.expect(f.path).toBe(mount);
        ctx.expect(f.message).toContain(`${mount} (${kind === 'tmpfs' ? 'tmpfs' : 'ext4'}`);
        ctx.expect(f.hint).toContain(`umount ${mount}`);
        // status does not call this in sync.
        const status = await box.cli(['status', box.manifest]);
        ctx.expect(status.status, show(status)).not.toBe(0);
        ctx.expect(status.stdout).not.toMatch(/In sync/);
      });
    }
  }

  it('a volume mounted inside after `plan --out`: the saved plan is stale, and nothing is touched', async (ctx) => {
    const { box, m } = mounted(ctx);
    build(box.p('home/Games'), { 'game.exe': 'binary', 'saves/slot1': 'level 3' });
    const store = m.tmpfs(box.p('store'));
    box.writeManifest([{ link: box.p('home/Games'), target: path.join(store, 'Games'), type: 'symlink' }]);
    const planFile = path.join(box.root, 'plan.json');
    const saved = await box.cli(['plan', box.manifest, '--out', planFile]);
    ctx.expect(saved.status, show(saved)).toBe(2);
    m.tmpfs(box.p('home/Games/saves/ssd'));
    writeFileSync(box.p('home/Games/saves/ssd/precious.sav'), 'on the mounted volume');
    const before = snapshotTree(box.sb);
    const r = await box.cli(['apply', planFile, '--yes', '--json']);
    ctx.expect(r.status, show(r)).toBe(1);
    ctx.expect(json(r).error.code).toBe('E_STALE_PLAN');
    ctx.expect(snapshotTree(box.sb)).toEqual(before);
    ctx.expect(runsIn(box)).toEqual([]);
  });
});

describe.skipIf(NO_MOUNTS)('a mount point where data would move', { concurrent: true }, () => {
  it('the link path is a mount point: E_MOUNT_POINT with the file system, not "close the program"', async (ctx) => {
    const { box, m } = mounted(ctx);
    m.tmpfs(box.p('home/Games'));
    build(box.p('home/Games'), { 'game.exe': 'binary' });
    box.writeManifest([{ link: box.p('home/Games'), target: box.p('store/Games'), type: 'symlink' }]);
    const f = await expectRefused(ctx, box, 'E_MOUNT_POINT');
    ctx
      .expect(f.message)
      .toBe(
        `${box.p('home/Games')} is a mount point (tmpfs); relocate moves folders, not mounts: it cannot be moved or replaced by a link while a volume is mounted there`,
      );
    ctx.expect(f.hint).not.toMatch(/close the program/);
  });

  it('state: absent with the target a mount point (the data would move out of it): E_MOUNT_POINT', async (ctx) => {
    const { box, m } = mounted(ctx);
    m.tmpfs(box.p('store/Games'));
    build(box.p('store/Games'), { 'game.exe': 'binary' });
    mkdirSync(box.p('home'));
    symlinkSync(box.p('store/Games'), box.p('home/Games'));
    box.writeManifest([{ link: box.p('home/Games'), target: box.p('store/Games'), state: 'absent' }]);
    await expectRefused(ctx, box, 'E_MOUNT_POINT');
  });

  it('a link to a target that is a mount point is still made (nothing moves)', async (ctx) => {
    const { box, m } = mounted(ctx);
    m.tmpfs(box.p('data'));
    build(box.p('data'), { 'a.txt': 'a' });
    mkdirSync(box.p('home'));
    box.writeManifest([{ link: box.p('home/data'), target: box.p('data'), type: 'symlink' }]);
    const r = await box.apply();
    ctx.expect(r.status, show(r)).toBe(0);
    ctx.expect(existsSync(box.p('home/data/a.txt'))).toBe(true);
  });
});

describe.concurrent('kernel pseudo file systems: refused by type, never walked', () => {
  // `plan` only: it reads and never changes the disk, so the machine's own /proc, /sys and /dev are safe to name.
  // What each is depends on the machine (a container's /dev is often a tmpfs mount, not devtmpfs): the
  // code expected is read from the mount table — a pseudo file system by type, else a mount point.
  const table = readMountTable() ?? [];
  const expected = (p: string): string | undefined => {
    const holder = table
      .filter((m) => p === m.point || p.startsWith(m.point === '/' ? '/' : `${m.point}/`))
      .sort((a, b) => a.point.length - b.point.length)
      .pop();
    if (holder && isPseudoFsName(holder.fsType)) return 'E_PSEUDO_FS';
    return holder?.point === p ? 'E_MOUNT_POINT' : undefined;
  };
  for (const link of ['/proc', '/proc/sys/vm', '/sys/kernel', '/dev', '/dev/shm']) {
    const code = expected(link);
    it.skipIf(process.platform !== 'linux' || !existsSync(link) || code === undefined)(
      `plan with link: ${link}: ${code ?? '(neither pseudo nor a mount point here)'}, exit 1, no E_INTERNAL, no walk`,
      async (ctx) => {
        const box = sandbox(ctx);
        box.writeManifest([{ link, target: box.p(`store${link.replaceAll('/', '_')}`), type: 'symlink' }]);
        const started = performance.now();
        const plan = await box.cli(['plan', box.manifest, '--json']);
        ctx.expect(plan.status, show(plan)).toBe(1);
        const doc = json(plan);
        ctx.expect(findings(doc).map((f) => f.code)).toContain(code!);
        ctx.expect(doc.entries[0].move?.files ?? 0, 'nothing was walked').toBe(0);
        ctx.expect(performance.now() - started).toBeLessThan(20_000);
        ctx.expect(readdirSync(box.sb)).toEqual([]);
      },
    );
  }

  it.skipIf(process.platform !== 'linux')('a target on /proc: E_PSEUDO_FS', async (ctx) => {
    const box = sandbox(ctx);
    build(box.p('home/x'), { a: 'a' });
    box.writeManifest([{ link: box.p('home/x'), target: '/proc/relocate-never-here', type: 'symlink' }]);
    const plan = await box.cli(['plan', box.manifest, '--json']);
    ctx.expect(plan.status, show(plan)).toBe(1);
    ctx.expect(findings(json(plan)).map((f) => f.code)).toContain('E_PSEUDO_FS');
  });

  const noProc = procMountReason();
  if (noProc) console.warn(`test/cli/mounts: the proc-in-a-sandbox case skipped: ${noProc}`);
  it.skipIf(!!noProc)('a proc instance mounted in the sandbox (the mount point and a folder inside): plan and apply refuse, nothing changes', async (ctx) => {
    const { box, m } = mounted(ctx);
    m.proc(box.p('p'));
    build(box.p('home'), { 'keep.txt': 'mine' });
    for (const link of [box.p('p'), box.p('p/sys/vm')]) {
      box.writeManifest([{ link, target: box.p(`store/${path.basename(link)}`), type: 'symlink' }]);
      // The proc mount is not snapshotted (its files change by themselves); everything else is.
      const f = await expectRefused(ctx, box, 'E_PSEUDO_FS', [box.p('home'), box.p('store')]);
      ctx.expect(f.path).toBe(link);
      ctx.expect(existsSync(box.p('p/self/status')), 'proc is still mounted and whole').toBe(true);
    }
  });
});
