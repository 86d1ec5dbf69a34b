/**
 * Issue 4, part 1 and 2: every action of DESIGN.md's table carried out for
 * real through the built CLI and checked on disk (lstat, readlink, inodes,
 * contents), for symlinks and hard links; then a second `apply --yes` must
 * change nothing and `status` must say "in sync".
 *
 * Cross-volume cases use two small tmpfs mounts (root only; CI is root).
 */
import { linkSync, lstatSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, it, vi, type TestContext } from 'vitest';
import { snapshotTree } from '../helpers/snapshot.js';
import { tmpfsReason } from '../helpers/tmpfs.js';
import { MTIME, build, inode, json, kindAt, sandbox, relocateLeftovers, relSnap, show, type Sandbox } from './sandbox.js';

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/exec/apply-actions: cross-volume cases skipped: ${NO_TMPFS}`);

type Expect = TestContext['expect'];

/** Applies the manifest and expects it done, with `action` for its one entry. */
async function applyOk(box: Sandbox, expect: Expect, action: string): Promise<any> {
  const r = await box.apply();
  expect(r.status, show(r)).toBe(0);
  const doc = json(r);
  expect(doc.result).toBe('done');
  expect(doc.entries.map((e: any) => e.action)).toEqual([action]);
  return doc;
}

/** Part 2: the disk already converged, so a second apply and status change and report nothing. */
async function expectConverged(box: Sandbox, expect: Expect, ...roots: string[]): Promise<void> {
  const before = snapshotTree(box.sb, ...roots);
  const again = await box.apply();
  expect(again.status, show(again)).toBe(0);
  expect(json(again).result).toBe('nothing-to-do');
  expect(snapshotTree(box.sb, ...roots)).toEqual(before);
  const st = await box.cli(['status', box.manifest]);
  expect(st.status, show(st)).toBe(0);
  expect(st.stdout).toMatch(/In sync/);
}

/** A refused apply: exit 1 with `code` (the first blocking reason), and not one byte of the sandbox (or `roots`) changed. */
async function expectRefused(box: Sandbox, expect: Expect, code: string, ...roots: string[]): Promise<void> {
  const before = snapshotTree(box.sb, ...roots);
  const r = await box.apply();
  expect(r.status, show(r)).toBe(1);
  expect(json(r).error.code).toBe(code);
  expect(json(r).run).toBeNull();
  expect(snapshotTree(box.sb, ...roots)).toEqual(before);
  expect(relocateLeftovers(box.sb, ...roots)).toEqual([]);
}

/** The text of the symlink at p; throws when p is not a symlink. */
function linkText(p: string): string {
  if (kindAt(p) !== 'symlink') throw new Error(`${p} is a ${kindAt(p)}, not a symlink`);
  return readlinkSync(p);
}

vi.setConfig({ testTimeout: 30_000 });

const TREE = {
  'readme.txt': 'hello\n',
  'sub/a.bin': Buffer.alloc(3000, 7),
  'sub/deeper/b.txt': { content: 'bee', mode: 0o600 },
  'run.sh': { content: '#!/bin/sh\n', mode: 0o755 },
  empty: { dir: true as const },
};

// One concurrent suite around all: the cases are independent (own sandbox, state folder and mounts each).
describe.concurrent('apply, action by action', () => {
  describe.concurrent('create: nothing at either side', () => {
    it('symlink: an empty target folder is created, then the link (missing parents too)', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const link = box.p('home/.cache/tool');
      const target = box.p('big/cache/tool');
      box.writeManifest([{ link, target, type: 'symlink' }]);
      await applyOk(box, expect, 'create');
      expect(kindAt(target)).toBe('dir');
      expect(snapshotTree(target)).toEqual({ [target]: expect.stringMatching(/^dir /) });
      expect(linkText(link)).toBe(target);
      await expectConverged(box, expect);
    });

    it('hardlink: refused at plan time (a hard link needs an existing file), nothing created', async (ctx) => {
      const box = sandbox(ctx);
      box.writeManifest([{ link: box.p('a/file'), target: box.p('b/file'), type: 'hardlink' }]);
      const plan = await box.cli(['plan', box.manifest, '--json']);
      ctx.expect(plan.status, show(plan)).toBe(1);
      ctx.expect(json(plan).entries[0].findings.map((f: any) => f.code)).toEqual(['E_HARDLINK_DIR']);
      await expectRefused(box, ctx.expect, 'E_HARDLINK_DIR');
      ctx.expect(kindAt(box.p('b'))).toBe('absent');
    });
  });

  describe.concurrent('link: the target exists, nothing at the link path', () => {
    it('symlink to a folder; the target is not touched', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const target = box.p('store/games');
      build(target, TREE);
      const before = snapshotTree(target);
      const link = box.p('c/games');
      box.writeManifest([{ link, target, type: 'symlink' }]);
      await applyOk(box, expect, 'link');
      expect(linkText(link)).toBe(target);
      expect(snapshotTree(target)).toEqual(before);
      await expectConverged(box, expect);
    });

    it('hardlink to a file: the link path becomes a second name of the same file', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const target = box.p('store/data.bin');
      build(box.p('store'), { 'data.bin': 'payload' });
      const link = box.p('c/data.bin');
      box.writeManifest([{ link, target, type: 'hardlink' }]);
      await applyOk(box, expect, 'link');
      expect(kindAt(link)).toBe('file');
      expect(inode(link)).toBe(inode(target));
      expect(lstatSync(target).nlink).toBe(2);
      expect(readFileSync(link, 'utf8')).toBe('payload');
      await expectConverged(box, expect);
    });
  });

  describe.concurrent('move, same volume: one rename, then the link', () => {
    it('a real folder (symlink): same inode at the target, contents intact', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const link = box.p('c/Games');
      const target = box.p('d/Games');
      build(link, TREE);
      const before = relSnap(link);
      const ino = inode(link);
      box.writeManifest([{ link, target }]);
      const doc = await applyOk(box, expect, 'move');
      expect(doc.entries[0].crossVolume).toBe(false);
      expect(linkText(link)).toBe(target);
      expect(inode(target)).toBe(ino);
      expect(relSnap(target)).toEqual(before);
      expect(relocateLeftovers(box.sb)).toEqual([]);
      await expectConverged(box, expect);
    });

    it('a real file (symlink)', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const link = box.p('c/big.iso');
      const target = box.p('d/isos/big.iso');
      build(box.p('c'), { 'big.iso': { content: Buffer.alloc(10_000, 1), mode: 0o640 } });
      const before = relSnap(link);
      const ino = inode(link);
      box.writeManifest([{ link, target, type: 'symlink' }]);
      await applyOk(box, expect, 'move');
      expect(linkText(link)).toBe(target);
      expect(inode(target)).toBe(ino);
      expect(relSnap(target)).toEqual(before);
      await expectConverged(box, expect);
    });

    it('a real file (hardlink): moved, then the link path is a second name of it', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const link = box.p('c/notes.txt');
      const target = box.p('d/notes.txt');
      build(box.p('c'), { 'notes.txt': 'my notes' });
      const ino = inode(link);
      box.writeManifest([{ link, target, type: 'hardlink' }]);
      await applyOk(box, expect, 'move');
      expect(kindAt(link)).toBe('file');
      expect(inode(target)).toBe(ino);
      expect(inode(link)).toBe(ino);
      expect(lstatSync(link).nlink).toBe(2);
      await expectConverged(box, expect);
    });

    it('a real folder with type hardlink is refused (mklink /H rule), nothing moved', async (ctx) => {
      const box = sandbox(ctx);
      build(box.p('c/Games'), TREE);
      box.writeManifest([{ link: box.p('c/Games'), target: box.p('d/Games'), type: 'hardlink' }]);
      await expectRefused(box, ctx.expect, 'E_HARDLINK_DIR');
    });
  });

  describe.concurrent('move across volumes (tmpfs → tmpfs): copy, verify, link, then the old copy goes', () => {
    it.skipIf(NO_TMPFS)('a real folder (symlink)', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const A = box.mount(16, 'A').dir;
      const B = box.mount(16, 'B').dir;
      const link = path.join(A, 'Games');
      const target = path.join(B, 'Store', 'Games');
      build(link, { ...TREE, 'sub/twin.bin': { hardlinkOf: 'sub/a.bin' } });
      const before = relSnap(link);
      box.writeManifest([{ link, target }]);
      const doc = await applyOk(box, expect, 'move');
      expect(doc.entries[0].crossVolume).toBe(true);
      expect(linkText(link)).toBe(target);
      expect(lstatSync(target).dev).not.toBe(lstatSync(A).dev);
      expect(relSnap(target)).toEqual(before);
      expect(inode(path.join(target, 'sub/twin.bin'))).toBe(inode(path.join(target, 'sub/a.bin')));
      // Nothing but the link on A; nothing but the data on B.
      expect(Object.keys(snapshotTree(A))).toEqual([A, link]);
      expect(relocateLeftovers(A, B)).toEqual([]);
      await expectConverged(box, expect, A, B);
    });

    it.skipIf(NO_TMPFS)('a real file (symlink)', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const A = box.mount(8, 'A').dir;
      const B = box.mount(8, 'B').dir;
      const link = path.join(A, 'disk.img');
      const target = path.join(B, 'disk.img');
      build(A, { 'disk.img': { content: Buffer.alloc(200_000, 3), mode: 0o600 } });
      const before = relSnap(link);
      box.writeManifest([{ link, target, type: 'symlink' }]);
      await applyOk(box, expect, 'move');
      expect(linkText(link)).toBe(target);
      expect(relSnap(target)).toEqual(before);
      expect(relocateLeftovers(A, B)).toEqual([]);
      await expectConverged(box, expect, A, B);
    });

    it.skipIf(NO_TMPFS)('a hard link across volumes is refused (E_CROSS_VOLUME), nothing copied', async (ctx) => {
      const box = sandbox(ctx);
      const A = box.mount(8, 'A').dir;
      const B = box.mount(8, 'B').dir;
      build(A, { 'f.txt': 'x' });
      box.writeManifest([{ link: path.join(A, 'f.txt'), target: path.join(B, 'f.txt'), type: 'hardlink' }]);
      await expectRefused(box, ctx.expect, 'E_CROSS_VOLUME', A, B);
    });
  });

  // Only the link changes with `retarget: relink`; without it the data moves (a retarget, test/exec/retarget.test.ts).
  describe.concurrent('relink: a link that points elsewhere, with `retarget: relink`', () => {
    it('symlink: repointed; the old destination is untouched', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      build(box.p('old/Games'), TREE);
      build(box.p('new/Games'), { 'x.txt': 'new' });
      const link = box.p('c/Games');
      build(box.p('c'), { Games: { symlink: box.p('old/Games') } });
      const old = snapshotTree(box.p('old'));
      const nu = snapshotTree(box.p('new'));
      box.writeManifest([{ link, target: box.p('new/Games'), retarget: 'relink' }]);
      await applyOk(box, expect, 'relink');
      expect(linkText(link)).toBe(box.p('new/Games'));
      expect(snapshotTree(box.p('old'))).toEqual(old);
      expect(snapshotTree(box.p('new'))).toEqual(nu);
      await expectConverged(box, expect);
    });

    it('symlink to a missing target folder: the target folder is created, the old one untouched', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      build(box.p('old/Games'), TREE);
      const link = box.p('c/Games');
      build(box.p('c'), { Games: { symlink: '../old/Games' } });
      const old = snapshotTree(box.p('old'));
      box.writeManifest([{ link, target: box.p('new/Games'), retarget: 'relink' }]);
      await applyOk(box, expect, 'relink');
      expect(linkText(link)).toBe(box.p('new/Games'));
      expect(kindAt(box.p('new/Games'))).toBe('dir');
      expect(snapshotTree(box.p('old'))).toEqual(old);
      await expectConverged(box, expect);
    });

    it('hardlink: a symlink to another file becomes a hard link of the target; the other file is untouched', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      build(box.p('store'), { 'old.cfg': 'old', 'new.cfg': 'new' });
      const link = box.p('c/app.cfg');
      build(box.p('c'), { 'app.cfg': { symlink: box.p('store/old.cfg') } });
      const before = snapshotTree(box.p('store'));
      box.writeManifest([{ link, target: box.p('store/new.cfg'), type: 'hardlink', retarget: 'relink' }]);
      await applyOk(box, expect, 'relink');
      expect(kindAt(link)).toBe('file');
      expect(inode(link)).toBe(inode(box.p('store/new.cfg')));
      expect(snapshotTree(box.p('store'))).toEqual(before);
      await expectConverged(box, expect);
    });
  });

  describe.concurrent('replace a link of the wrong kind', () => {
    it('a symlink to the target file becomes a hard link (the one wrong kind Linux has)', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      build(box.p('store'), { 'app.cfg': 'settings' });
      const target = box.p('store/app.cfg');
      const link = box.p('c/app.cfg');
      build(box.p('c'), { 'app.cfg': { symlink: target } });
      const before = snapshotTree(box.p('store'));
      box.writeManifest([{ link, target, type: 'hardlink' }]);
      await applyOk(box, expect, 'relink');
      expect(kindAt(link)).toBe('file');
      expect(inode(link)).toBe(inode(target));
      expect(snapshotTree(box.p('store'))).toEqual(before);
      await expectConverged(box, expect);
    });

    it('a hard link of the target becomes a symlink (identical content at both names)', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      build(box.p('store'), { 'app.cfg': 'settings' });
      const target = box.p('store/app.cfg');
      const link = box.p('c/app.cfg');
      build(box.p('c'), {});
      linkSync(target, link);
      box.writeManifest([{ link, target, type: 'symlink' }]);
      await applyOk(box, expect, 'link');
      expect(linkText(link)).toBe(target);
      expect(readFileSync(target, 'utf8')).toBe('settings');
      expect(lstatSync(target).nlink).toBe(1);
      expect(relocateLeftovers(box.sb)).toEqual([]);
      await expectConverged(box, expect);
    });
  });

  describe.concurrent('identical file at both sides: the link-path copy is replaced by the link', () => {
    // Identical is by content: the link-path copy has its own mode and mtime, as real copies do.
    for (const type of ['symlink', 'hardlink'] as const) {
      it(type, async (ctx) => {
        const { expect } = ctx;
        const box = sandbox(ctx);
        build(box.p('store'), { 'font.ttf': Buffer.alloc(5000, 9) });
        build(box.p('c'), { 'font.ttf': { content: Buffer.alloc(5000, 9), mode: 0o600, mtime: MTIME - 86_400 } });
        const target = box.p('store/font.ttf');
        const link = box.p('c/font.ttf');
        const before = snapshotTree(box.p('store'));
        box.writeManifest([{ link, target, type }]);
        await applyOk(box, expect, 'link');
        if (type === 'symlink') expect(linkText(link)).toBe(target);
        else expect(inode(link)).toBe(inode(target));
        expect(snapshotTree(box.p('store'))).toEqual(before);
        expect(readFileSync(target)).toEqual(Buffer.alloc(5000, 9));
        expect(relocateLeftovers(box.sb)).toEqual([]);
        await expectConverged(box, expect);
      });
    }
  });

  describe.concurrent('conflict: fail (the default)', () => {
    it('two folders: exit 1, E_CONFLICT, the disk untouched', async (ctx) => {
      const box = sandbox(ctx);
      build(box.p('c/Games'), TREE);
      build(box.p('d/Games'), { 'readme.txt': 'another readme\n', 'other.txt': 'o' });
      box.writeManifest([{ link: box.p('c/Games'), target: box.p('d/Games') }]);
      const plan = json(await box.cli(['plan', box.manifest, '--json']));
      ctx.expect(plan.entries[0].action).toBe('conflict');
      ctx.expect(plan.entries[0].comparison.differ).toEqual(['readme.txt']);
      await expectRefused(box, ctx.expect, 'E_CONFLICT');
    });

    it('two different files, hard link type: exit 1, the disk untouched', async (ctx) => {
      const box = sandbox(ctx);
      build(box.p('c'), { 'a.cfg': 'mine' });
      build(box.p('d'), { 'a.cfg': 'theirs' });
      box.writeManifest([{ link: box.p('c/a.cfg'), target: box.p('d/a.cfg'), type: 'hardlink' }]);
      await expectRefused(box, ctx.expect, 'E_CONFLICT');
    });

    it('one conflicting entry blocks the others too: nothing at all is changed', async (ctx) => {
      const box = sandbox(ctx);
      build(box.p('c/Games'), TREE);
      build(box.p('d/Games'), { 'x.txt': 'x' });
      build(box.p('c/Music'), { 'song.mp3': 'la' });
      box.writeManifest([
        { link: box.p('c/Music'), target: box.p('d/Music') },
        { link: box.p('c/Games'), target: box.p('d/Games') },
      ]);
      await expectRefused(box, ctx.expect, 'E_CONFLICT');
    });
  });

  describe.concurrent('conflict: backup', () => {
    it('symlink: the link-path folder is kept at <link>.relocate-backup-<UTC stamp> and reported', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const link = box.p('c/Games');
      const target = box.p('d/Games');
      build(link, TREE);
      build(target, { 'readme.txt': 'theirs' });
      const mine = relSnap(link);
      const theirs = snapshotTree(target);
      box.writeManifest([{ link, target, conflict: 'backup' }]);
      const r = await box.apply();
      expect(r.status, show(r)).toBe(0);
      const backups = relocateLeftovers(box.sb);
      expect(backups).toHaveLength(1);
      const backup = backups[0]!;
      expect(path.basename(backup)).toMatch(/^Games\.relocate-backup-\d{8}T\d{6}\d{0,3}Z$/);
      expect(path.dirname(backup)).toBe(box.p('c'));
      expect(relSnap(backup)).toEqual(mine);
      expect(linkText(link)).toBe(target);
      expect(snapshotTree(target)).toEqual(theirs);
      // Reported: the JSON names where the data went, and so does the text output.
      expect(json(r).backups).toEqual([{ link, path: backup }]);
      await expectConverged(box, expect);
      // The text report too (a fresh case: the first one is converged).
      const box2 = sandbox(ctx);
      build(box2.p('c/Games'), { 'a.txt': 'a' });
      build(box2.p('d/Games'), { 'a.txt': 'b' });
      box2.writeManifest([{ link: box2.p('c/Games'), target: box2.p('d/Games'), conflict: 'backup' }]);
      const t = await box2.cli(['apply', box2.manifest, '--yes']);
      expect(t.status, show(t)).toBe(0);
      const [b2] = relocateLeftovers(box2.sb);
      expect(b2).toBeDefined();
      expect(t.stdout).toContain(`Backup: the data that was at ${box2.p('c/Games')} is kept at ${b2}.`);
    });

    it('a backup deleted since the run is drift: rollback refuses (E_DRIFT names it) and changes nothing', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const link = box.p('c/Games');
      const target = box.p('d/Games');
      build(link, { 'a.txt': 'mine' });
      build(target, { 'a.txt': 'theirs' });
      box.writeManifest([{ link, target, conflict: 'backup' }]);
      expect((await box.apply()).status).toBe(0);
      const [backup] = relocateLeftovers(box.sb);
      rmSync(backup!, { recursive: true });
      const before = snapshotTree(box.p('c'), box.p('d'));
      const r = await box.cli(['rollback', '--yes']);
      expect(r.status, show(r)).toBe(1);
      expect(r.stderr).toContain('E_DRIFT');
      expect(r.stderr).toContain(`the backup ${backup} is gone`);
      expect(snapshotTree(box.p('c'), box.p('d'))).toEqual(before);
    });

    it('hardlink: the differing file is kept aside, the link path becomes a hard link of the target', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      build(box.p('c'), { 'a.cfg': { content: 'mine', mode: 0o600 } });
      build(box.p('d'), { 'a.cfg': 'theirs' });
      const link = box.p('c/a.cfg');
      const target = box.p('d/a.cfg');
      const mine = relSnap(link);
      box.writeManifest([{ link, target, type: 'hardlink', conflict: 'backup' }]);
      const doc = await applyOk(box, expect, 'backup');
      const [backup] = relocateLeftovers(box.sb);
      expect(doc.backups).toEqual([{ link, path: backup }]);
      expect(path.basename(backup!)).toMatch(/^a\.cfg\.relocate-backup-\d{8}T\d{6}\d{0,3}Z$/);
      expect(relSnap(backup!)).toEqual(mine);
      expect(inode(link)).toBe(inode(target));
      expect(readFileSync(link, 'utf8')).toBe('theirs');
      await expectConverged(box, expect);
    });
  });

  describe.concurrent('conflict: merge', () => {
    const LINK_SIDE = {
      'same.txt': 'identical on both sides',
      'mine.txt': 'only at the link',
      'sub/shared.txt': 'shared',
      'sub/only-mine.txt': { content: 'deep, only at the link', mode: 0o600 },
      'newdir/deep/x.bin': Buffer.alloc(2048, 5),
      'newdir/empty': { dir: true as const },
    };
    const TARGET_SIDE = {
      'same.txt': 'identical on both sides',
      'theirs.txt': 'only at the target',
      'sub/shared.txt': 'shared',
    };

    async function mergeCase(ctx: TestContext, cross: boolean): Promise<void> {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const roots = cross ? [box.mount(8, 'A').dir, box.mount(8, 'B').dir] : [];
      const link = path.join(cross ? roots[0]! : box.p('c'), 'Data');
      const target = path.join(cross ? roots[1]! : box.p('d'), 'Data');
      build(link, LINK_SIDE);
      build(target, TARGET_SIDE);
      const mine = relSnap(link);
      const theirs = relSnap(target);
      box.writeManifest([{ link, target, conflict: 'merge' }]);
      const doc = await applyOk(box, expect, 'merge');
      expect(doc.entries[0].crossVolume).toBe(cross);
      expect(linkText(link)).toBe(target);
      const after = relSnap(target);
      // Everything of both sides is at the target, with its metadata; the identical file once.
      for (const [rel, v] of Object.entries(mine)) if (!v.startsWith('dir')) expect(after[rel], rel).toBe(v);
      for (const [rel, v] of Object.entries(theirs)) if (!v.startsWith('dir')) expect(after[rel], rel).toBe(v);
      expect(Object.keys(after).sort()).toEqual([...new Set([...Object.keys(mine), ...Object.keys(theirs)])].sort());
      expect(relocateLeftovers(box.sb, ...roots)).toEqual([]);
      if (cross) expect(Object.keys(snapshotTree(roots[0]!))).toEqual([roots[0], link]);
      await expectConverged(box, expect, ...roots);
    }

    it('same volume: unique names move in, identical files taken once, then the link', async (ctx) => {
      await mergeCase(ctx, false);
    });

    it.skipIf(NO_TMPFS)('across volumes (tmpfs → tmpfs)', async (ctx) => {
      await mergeCase(ctx, true);
    });

    it('a differing collision is a conflict: exit 1, nothing moved', async (ctx) => {
      const box = sandbox(ctx);
      build(box.p('c/Data'), { ...LINK_SIDE, 'sub/shared.txt': 'changed on this side' });
      build(box.p('d/Data'), TARGET_SIDE);
      box.writeManifest([{ link: box.p('c/Data'), target: box.p('d/Data'), conflict: 'merge' }]);
      const plan = json(await box.cli(['plan', box.manifest, '--json']));
      ctx.expect(plan.entries[0].action).toBe('conflict');
      ctx.expect(plan.entries[0].reason).toMatch(/differ/);
      await expectRefused(box, ctx.expect, 'E_CONFLICT');
    });
  });

  describe.concurrent('state: absent', () => {
    /** The layout a move leaves: data at the target, a symlink at the link path. */
    function relocated(link: string, target: string): Record<string, string> {
      build(target, TREE);
      build(path.dirname(link), { [path.basename(link)]: { symlink: target } });
      return relSnap(target);
    }

    it('restore, same volume: the link goes, the data comes back by one rename', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const link = box.p('c/Games');
      const target = box.p('d/Games');
      const data = relocated(link, target);
      const ino = inode(target);
      box.writeManifest([{ link, target, state: 'absent' }]);
      await applyOk(box, expect, 'restore');
      expect(kindAt(link)).toBe('dir');
      expect(inode(link)).toBe(ino);
      expect(relSnap(link)).toEqual(data);
      expect(kindAt(target)).toBe('absent');
      await expectConverged(box, expect);
    });

    it.skipIf(NO_TMPFS)('restore across volumes: copied back, verified, then removed at the target', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const A = box.mount(8, 'A').dir;
      const B = box.mount(8, 'B').dir;
      const link = path.join(A, 'Games');
      const target = path.join(B, 'Games');
      const data = relocated(link, target);
      box.writeManifest([{ link, target, state: 'absent' }]);
      const doc = await applyOk(box, expect, 'restore');
      expect(doc.entries[0].crossVolume).toBe(true);
      expect(kindAt(link)).toBe('dir');
      expect(relSnap(link)).toEqual(data);
      expect(snapshotTree(B)).toEqual({ [B]: expect.stringMatching(/^dir /) });
      expect(relocateLeftovers(A, B)).toEqual([]);
      await expectConverged(box, expect, A, B);
    });

    it('restore with nothing at the link path: the data moves back', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const link = box.p('c/Games');
      const target = box.p('d/Games');
      build(target, TREE);
      const data = relSnap(target);
      box.writeManifest([{ link, target, state: 'absent' }]);
      await applyOk(box, expect, 'restore');
      expect(relSnap(link)).toEqual(data);
      expect(kindAt(target)).toBe('absent');
      await expectConverged(box, expect);
    });

    it('hard link: the target name is removed, the data stays at the link path', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      build(box.p('d'), { 'a.cfg': { content: 'keep me', mode: 0o600 } });
      const target = box.p('d/a.cfg');
      const link = box.p('c/a.cfg');
      build(box.p('c'), {});
      linkSync(target, link);
      const ino = inode(link);
      box.writeManifest([{ link, target, type: 'hardlink', state: 'absent' }]);
      await applyOk(box, expect, 'remove');
      expect(kindAt(target)).toBe('absent');
      expect(inode(link)).toBe(ino);
      expect(lstatSync(link).nlink).toBe(1);
      expect(readFileSync(link, 'utf8')).toBe('keep me');
      await expectConverged(box, expect);
    });

    it('a broken link is removed, and nothing else', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const link = box.p('c/Games');
      const target = box.p('d/Games');
      build(box.p('c'), { Games: { symlink: target }, 'keep.txt': 'k' });
      build(box.p('d'), { 'other.txt': 'o' });
      box.writeManifest([{ link, target, state: 'absent' }]);
      const before = snapshotTree(box.sb);
      await applyOk(box, expect, 'remove');
      const expected = { ...before };
      delete expected[link];
      expect(snapshotTree(box.sb)).toEqual(expected);
      await expectConverged(box, expect);
    });

    it('a link that points elsewhere is left alone (conflict), nothing changed', async (ctx) => {
      const box = sandbox(ctx);
      build(box.p('other'), { 'x.txt': 'x' });
      build(box.p('d/Games'), TREE);
      build(box.p('c'), { Games: { symlink: box.p('other') } });
      box.writeManifest([{ link: box.p('c/Games'), target: box.p('d/Games'), state: 'absent' }]);
      await expectRefused(box, ctx.expect, 'E_CONFLICT');
    });
  });

  describe.concurrent('confirmation', () => {
    it('apply without --yes and without a terminal: E_NEEDS_YES, nothing changed', async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      build(box.p('c/Games'), TREE);
      box.writeManifest([{ link: box.p('c/Games'), target: box.p('d/Games') }]);
      const before = snapshotTree(box.sb);
      const r = await box.cli(['apply', box.manifest, '--json']);
      expect(r.status, show(r)).toBe(1);
      expect(json(r).error.code).toBe('E_NEEDS_YES');
      const t = await box.cli(['apply', box.manifest]);
      expect(t.status, show(t)).toBe(1);
      expect(t.stderr).toMatch(/E_NEEDS_YES/);
      expect(t.stderr).toMatch(/--yes/);
      expect(snapshotTree(box.sb)).toEqual(before);
      const h = json(await box.cli(['history', '--json']));
      expect(h.runs).toEqual([]);
    });
  });
});
