/**
 * Issue 6, hostile and careless input through the built CLI: links at `/`,
 * at the home folder, at (or in, or around) relocate's own state folder,
 * or through a symlinked parent folder are refused by plan and apply, and
 * nothing changes; a path swapped for a link between `plan --out` and
 * `apply` (TOCTOU) — the link path itself, a folder above it, or a file
 * inside the tree — makes the saved plan stale (E_STALE_PLAN) and is never
 * followed.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, vi, type TestContext } from 'vitest';
import { snapshotTree } from '../helpers/snapshot.js';
import { build, json, sandbox, show, type Sandbox } from '../exec/sandbox.js';

vi.setConfig({ testTimeout: 30_000 });

type Expect = TestContext['expect'];

/** plan exits 1 naming `code` (in a finding or a manifest diagnostic), apply is refused, and nothing changed or ran. */
async function expectRefused(box: Sandbox, expect: Expect, code: string | RegExp, env?: Record<string, string>): Promise<any> {
  const before = snapshotTree(box.root);
  const plan = await box.cli(['plan', box.manifest, '--json'], env);
  expect(plan.status, show(plan)).toBe(1);
  expect(plan.stdout + plan.stderr, show(plan)).toMatch(code);
  const apply = await box.apply([], env);
  expect(apply.status, show(apply)).toBe(1);
  expect(apply.stdout + apply.stderr).toMatch(code);
  expect(json(apply).run ?? null).toBeNull();
  expect(apply.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  // Nothing changed (the state folder gained at most its lock-free skeleton) and no run was recorded.
  const after = snapshotTree(box.root);
  for (const [p, v] of Object.entries(before)) if (!p.startsWith(box.state)) expect(after[p], p).toBe(v);
  for (const p of Object.keys(after)) if (!p.startsWith(box.state)) expect(before[p], `${p} appeared`).toBeDefined();
  expect(runsIn(box)).toEqual([]);
  return json(plan);
}

function runsIn(box: Sandbox): string[] {
  try {
    return readdirSync(path.join(box.state, 'runs'));
  } catch {
    return [];
  }
}

describe.concurrent('links relocate must refuse', () => {
  it('the filesystem root `/`: refused (with or without force)', async (ctx) => {
    const box = sandbox(ctx);
    for (const force of [false, true]) {
      box.writeManifest([{ link: '/', target: box.p('rootfs'), ...(force ? { force: true } : {}) } as never]);
      await expectRefused(box, ctx.expect, /E_NESTED_SELF|E_PROTECTED/);
    }
  });

  it('the home folder itself: E_PROTECTED', async (ctx) => {
    const box = sandbox(ctx);
    build(box.p('home'), { 'notes.txt': 'mine', '.config/app.ini': 'a=1' });
    box.writeManifest([{ link: '~', target: box.p('bighome') }]);
    await expectRefused(box, ctx.expect, 'E_PROTECTED', { HOME: box.p('home') });
  });

  it("relocate's own state folder (exactly, a folder inside it, a folder holding it): E_PROTECTED, even with force", async (ctx) => {
    const box = sandbox(ctx);
    mkdirSync(path.join(box.state, 'runs'), { recursive: true });
    for (const link of [box.state, path.join(box.state, 'runs'), box.root]) {
      box.writeManifest([{ link, target: box.p('elsewhere'), force: true } as never]);
      await expectRefused(box, ctx.expect, /E_PROTECTED|E_NESTED_SELF/);
    }
  });

  it('a link path whose parent folder is a symlink (a folder to move, a link to create, deeper below): E_LINK_PARENT', async (ctx) => {
    const box = sandbox(ctx);
    build(box.p('real'), { 'Games/save.dat': 'precious', 'Games/sub/x.bin': 'x' });
    symlinkSync(box.p('real'), box.p('via'));
    for (const link of [box.p('via/Games'), box.p('via/New'), box.p('via/a/b/New')]) {
      box.writeManifest([{ link, target: box.p(`store/${path.basename(link)}`), type: 'symlink' }]);
      const plan = await expectRefused(box, ctx.expect, 'E_LINK_PARENT');
      const f = plan.entries[0].findings.find((x: { code: string }) => x.code === 'E_LINK_PARENT');
      ctx.expect(f, link).toMatchObject({ severity: 'error', path: link });
      ctx.expect(f.message).toContain(box.p('via'));
    }
    // The real path is fine.
    box.writeManifest([{ link: box.p('real/Games'), target: box.p('store/Games'), type: 'symlink' }]);
    const ok = await box.cli(['plan', box.manifest, '--json']);
    ctx.expect(ok.status, show(ok)).toBe(2);
  });

  it('a symlinked parent is refused for `state: absent` too (data would come back through it)', async (ctx) => {
    const box = sandbox(ctx);
    build(box.p('store/Games'), { 'save.dat': 'precious' });
    mkdirSync(box.p('real'));
    symlinkSync(box.p('real'), box.p('via'));
    symlinkSync(box.p('store/Games'), box.p('real/Games'));
    box.writeManifest([{ link: box.p('via/Games'), target: box.p('store/Games'), state: 'absent' }]);
    await expectRefused(box, ctx.expect, 'E_LINK_PARENT');
  });
});

describe.concurrent('a path swapped for a link between `plan --out` and `apply` (TOCTOU)', () => {
  /** A folder to move, an outside folder full of precious data, a saved plan; `swap` then changes the disk. */
  async function swapped(ctx: TestContext, swap: (box: Sandbox) => void): Promise<void> {
    const { expect } = ctx;
    const box = sandbox(ctx);
    build(box.p('home/Games'), { 'save.dat': 'mine', 'levels/1.pak': 'level', 'levels/2.pak': 'level 2' });
    build(box.p('outside'), { 'thesis.tex': 'years of work', 'levels/1.pak': 'not yours' });
    box.writeManifest([{ link: box.p('home/Games'), target: box.p('store/Games'), type: 'symlink' }]);
    const planFile = path.join(box.root, 'plan.json');
    const saved = await box.cli(['plan', box.manifest, '--out', planFile]);
    expect(saved.status, show(saved)).toBe(2);
    swap(box);
    const before = snapshotTree(box.sb);
    const r = await box.cli(['apply', planFile, '--yes', '--json']);
    expect(r.status, show(r)).toBe(1);
    expect(json(r).error.code, show(r)).toBe('E_STALE_PLAN');
    expect(snapshotTree(box.sb), 'nothing was followed or changed').toEqual(before);
    expect(runsIn(box)).toEqual([]);
  }

  it('the link path itself replaced by a symlink to an outside folder', async (ctx) => {
    await swapped(ctx, (box) => {
      renameSync(box.p('home/Games'), box.p('home/Games-moved-by-someone'));
      symlinkSync(box.p('outside'), box.p('home/Games'));
    });
  });

  it('a folder above the link path replaced by a symlink to the same data (same inodes: only the parent changed)', async (ctx) => {
    await swapped(ctx, (box) => {
      renameSync(box.p('home'), box.p('home-real'));
      symlinkSync(box.p('home-real'), box.p('home'));
    });
  });

  it('a file inside the tree replaced by a symlink to an outside file', async (ctx) => {
    await swapped(ctx, (box) => {
      rmSync(box.p('home/Games/levels/1.pak'));
      symlinkSync(box.p('outside/thesis.tex'), box.p('home/Games/levels/1.pak'));
    });
  });

  it('the target created as a symlink to an outside folder', async (ctx) => {
    await swapped(ctx, (box) => {
      mkdirSync(box.p('store'), { recursive: true });
      symlinkSync(box.p('outside'), box.p('store/Games'));
      writeFileSync(box.p('outside/marker'), 'x');
    });
  });
});
