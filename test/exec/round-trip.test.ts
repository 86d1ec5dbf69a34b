/**
 * Issue 4, parts 3 and 4: `apply` then `rollback --yes` gives back exactly
 * the disk that was there (snapshotTree equality: kinds, sizes, modes,
 * mtimes, contents, link texts; hard-linked pairs checked by inode), with
 * nothing of relocate's left behind. Same volume and across volumes, one
 * entry and a run of many entries of every kind; links inside a moved tree
 * stay links with the same text, and what they point to outside the tree
 * is never touched.
 */
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, vi, type TestContext } from 'vitest';
import { snapshotTree } from '../helpers/snapshot.js';
import { tmpfsReason } from '../helpers/tmpfs.js';
import { MTIME, build, inode, json, kindAt, sandbox, relocateLeftovers, relSnap, show, type ManifestEntry, type NodeSpec, type Sandbox } from './sandbox.js';

vi.setConfig({ testTimeout: 30_000 });

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/exec/round-trip: cross-volume cases skipped: ${NO_TMPFS}`);

/** Nested folders, a hard-linked pair, an empty folder, a 0600 and a 0755 file, a 0700 folder. */
const RICH: Record<string, NodeSpec> = {
  'top.txt': 'top level\n',
  'private.key': { content: 'secret', mode: 0o600 },
  'bin/run.sh': { content: '#!/bin/sh\necho hi\n', mode: 0o755 },
  'nested/a/b/c/deep.txt': 'deep down',
  'nested/a/b/big.bin': Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 31) % 251)),
  'nested/a/side.txt': { content: 'side', mtime: MTIME - 3600 },
  empty: { dir: true },
  locked: { dir: true, mode: 0o700 },
  'locked/inside.txt': 'inside a 0700 folder',
  'pair/one.dat': 'one file, two names',
  'pair/two.dat': { hardlinkOf: 'pair/one.dat' },
};

/** apply → done, then rollback → rolled back; history agrees. Returns the apply's JSON. */
async function applyThenRollback(box: Sandbox, expect: TestContext['expect'], between?: () => void): Promise<any> {
  const a = await box.apply();
  expect(a.status, show(a)).toBe(0);
  const doc = json(a);
  expect(doc.result).toBe('done');
  between?.();
  const r = await box.cli(['rollback', '--yes', '--json']);
  expect(r.status, show(r)).toBe(0);
  expect(json(r).result).toBe('rolled-back');
  expect(json(r).run).toBe(doc.run);
  const h = json(await box.cli(['history', '--json']));
  expect(h.runs.map((x: any) => [x.id, x.status])).toEqual([[doc.run, 'rolled-back']]);
  return doc;
}

describe.concurrent('round trip: apply then rollback restores the disk exactly', () => {
  it('same volume: a rich tree moved by rename and back', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/Games');
    build(link, RICH);
    const before = snapshotTree(box.sb);
    const pair = inode(path.join(link, 'pair/one.dat'));
    // The target's parents do not exist: they are created, and removed again by the rollback.
    box.writeManifest([{ link, target: box.p('d/Store/Games') }]);
    await applyThenRollback(box, expect, () => {
      expect(kindAt(link)).toBe('symlink');
      expect(inode(box.p('d/Store/Games/pair/two.dat'))).toBe(pair);
    });
    expect(snapshotTree(box.sb)).toEqual(before);
    expect(inode(path.join(link, 'pair/two.dat'))).toBe(pair);
    expect(relocateLeftovers(box.sb)).toEqual([]);
  });

  it.skipIf(NO_TMPFS)('across volumes: a rich tree copied to another tmpfs and back', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const A = box.mount(16, 'A').dir;
    const B = box.mount(16, 'B').dir;
    const link = path.join(A, 'Games');
    const target = path.join(B, 'Store', 'Games');
    build(link, RICH);
    const before = snapshotTree(box.sb, A, B);
    const tree = relSnap(link);
    box.writeManifest([{ link, target }]);
    const doc = await applyThenRollback(box, expect, () => {
      // In between: the data is on B only, a faithful copy, hard links kept as hard links.
      expect(relSnap(target)).toEqual(tree);
      expect(inode(path.join(target, 'pair/one.dat'))).toBe(inode(path.join(target, 'pair/two.dat')));
      expect(readlinkSync(link)).toBe(target);
      expect(relocateLeftovers(A, B)).toEqual([]);
    });
    expect(doc.entries[0].crossVolume).toBe(true);
    expect(snapshotTree(box.sb, A, B)).toEqual(before);
    expect(inode(path.join(link, 'pair/one.dat'))).toBe(inode(path.join(link, 'pair/two.dat')));
    expect(relocateLeftovers(A, B)).toEqual([]);
  });

  it.skipIf(NO_TMPFS)('one run of many entries, every action, both volumes: all undone', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const A = box.mount(16, 'A').dir;
    const B = box.mount(16, 'B').dir;
    const a = (rel: string) => path.join(A, rel);
    const b = (rel: string) => path.join(B, rel);
    const s = box.p;
    const entries: ManifestEntry[] = [];
    // move, same volume and across
    build(s('c/Games'), RICH);
    entries.push({ link: s('c/Games'), target: s('d/Games') });
    build(a('Music'), RICH);
    entries.push({ link: a('Music'), target: b('Music') });
    // create
    entries.push({ link: s('c/new-cache'), target: s('d/new-cache') });
    // link
    build(s('d/existing'), { 'x.txt': 'x' });
    entries.push({ link: s('c/existing'), target: s('d/existing') });
    // relink (the old destination kept, as the entry asks)
    build(s('old/Tools'), { 'tool.exe': 'old' });
    build(s('d/Tools'), { 'tool.exe': 'new' });
    build(s('c'), { Tools: { symlink: s('old/Tools') } });
    entries.push({ link: s('c/Tools'), target: s('d/Tools'), retarget: 'relink' });
    // retarget, same volume and across: the data moves from where the link points now, the link follows
    build(s('old/Saves'), RICH);
    build(s('c'), { Saves: { symlink: s('old/Saves') } });
    entries.push({ link: s('c/Saves'), target: s('d/Store/Saves') });
    build(a('oldmods/Mods'), RICH);
    build(A, { Mods: { symlink: 'oldmods/Mods' } });
    entries.push({ link: a('Mods'), target: b('Mods') });
    // identical file replaced by a link; its own mode and mtime must come back
    build(s('d'), { 'font.ttf': 'glyphs' });
    build(s('c'), { 'font.ttf': { content: 'glyphs', mode: 0o600, mtime: MTIME - 7200 } });
    entries.push({ link: s('c/font.ttf'), target: s('d/font.ttf'), type: 'hardlink' });
    // a hard link of the target turned into a symlink: it must come back as the same file
    build(s('d'), { 'shared.cfg': 'shared' });
    build(s('c'), { 'shared.cfg': { hardlinkOf: '../d/shared.cfg' } });
    entries.push({ link: s('c/shared.cfg'), target: s('d/shared.cfg'), type: 'symlink' });
    // symlink → hard link (wrong kind)
    build(s('d'), { 'app.ini': 'ini' });
    build(s('c'), { 'app.ini': { symlink: s('d/app.ini') } });
    entries.push({ link: s('c/app.ini'), target: s('d/app.ini'), type: 'hardlink' });
    // backup
    build(s('c/Docs'), { 'mine.txt': 'mine', 'sub/more.txt': { content: 'more', mode: 0o640 } });
    build(s('d/Docs'), { 'theirs.txt': 'theirs' });
    entries.push({ link: s('c/Docs'), target: s('d/Docs'), conflict: 'backup' });
    // merge across volumes; the link folder 0700, an identical file with its own mode and mtime
    build(a('Photos'), { 'only-here.jpg': 'jpg', 'same.jpg': { content: 'same', mode: 0o600, mtime: MTIME - 60 }, 'deep/new/one.jpg': '1' });
    build(b('Photos'), { 'same.jpg': 'same', 'theirs.jpg': 't' });
    build(A, { Photos: { dir: true, mode: 0o700 } });
    entries.push({ link: a('Photos'), target: b('Photos'), conflict: 'merge' });
    // merge, same volume
    build(s('c/Mail'), { 'a.eml': 'a', 'same.eml': { content: 'same', mtime: MTIME - 5 } });
    build(s('d/Mail'), { 'same.eml': 'same', 'b.eml': 'b' });
    entries.push({ link: s('c/Mail'), target: s('d/Mail'), conflict: 'merge' });
    // restore, across volumes and same volume
    build(b('Old'), RICH);
    build(A, { Old: { symlink: b('Old') } });
    entries.push({ link: a('Old'), target: b('Old'), state: 'absent' });
    build(s('d/Back'), { 'b.txt': 'b' });
    build(s('c'), { Back: { symlink: s('d/Back') } });
    entries.push({ link: s('c/Back'), target: s('d/Back'), state: 'absent' });
    // remove: a broken link, and a hard link's target name
    build(s('c'), { Broken: { symlink: s('d/Broken') } });
    entries.push({ link: s('c/Broken'), target: s('d/Broken'), state: 'absent' });
    build(s('c'), { 'keep.db': 'db' });
    build(s('d'), { 'keep.db': { hardlinkOf: '../c/keep.db' } });
    entries.push({ link: s('c/keep.db'), target: s('d/keep.db'), type: 'hardlink', state: 'absent' });
    box.writeManifest(entries);

    const before = snapshotTree(box.sb, A, B);
    const doc = await applyThenRollback(box, expect, () => {
      expect(relocateLeftovers(box.sb, A, B).map((p) => path.basename(p))).toEqual([expect.stringMatching(/^Docs\.relocate-backup-/)]);
    });
    expect(doc.entries.map((e: any) => e.action).sort()).toEqual(
      [
        'backup',
        'create',
        'link',
        'link',
        'link',
        'merge',
        'merge',
        'move',
        'move',
        'relink',
        'relink',
        'remove',
        'remove',
        'restore',
        'restore',
        'retarget',
        'retarget',
      ].sort(),
    );
    expect(snapshotTree(box.sb, A, B)).toEqual(before);
    // Hard links come back as hard links: the same file under both names again.
    expect(inode(s('c/shared.cfg'))).toBe(inode(s('d/shared.cfg')));
    expect(inode(s('c/keep.db'))).toBe(inode(s('d/keep.db')));
    expect(inode(a('Music/pair/two.dat'))).toBe(inode(a('Music/pair/one.dat')));
    expect(relocateLeftovers(box.sb, A, B)).toEqual([]);
  });
});

describe.concurrent('links inside a moved tree (across volumes)', () => {
  it.skipIf(NO_TMPFS)('stay links with the same text; what they point to outside is never touched', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const A = box.mount(8, 'A').dir;
    const B = box.mount(8, 'B').dir;
    // A folder outside the sandbox and both volumes, full of files an absolute link points into.
    const outside = mkdtempSync(path.join(os.tmpdir(), 'relocate-outside-'));
    ctx.onTestFinished(() => rmSync(outside, { recursive: true, force: true }));
    build(outside, { 'precious.txt': 'do not touch', 'sub/more.bin': Buffer.alloc(4096, 2), 'ro.txt': { content: 'ro', mode: 0o444 } });
    const outsideBefore = snapshotTree(outside);

    const link = path.join(A, 'Project');
    const target = path.join(B, 'Project');
    const LINKS: Record<string, string> = {
      'rel-file': 'docs/readme.md',
      'docs/up-rel': '../src',
      'abs-outside-dir': outside,
      'abs-outside-file': path.join(outside, 'precious.txt'),
      broken: 'does/not/exist',
      'broken-abs': path.join(outside, 'missing'),
    };
    build(link, { 'docs/readme.md': 'readme', 'src/main.ts': 'code', ...Object.fromEntries(Object.entries(LINKS).map(([k, v]) => [k, { symlink: v }])) });
    const before = snapshotTree(box.sb, A, B);
    const tree = relSnap(link);
    box.writeManifest([{ link, target }]);
    await applyThenRollback(box, expect, () => {
      for (const [rel, text] of Object.entries(LINKS)) {
        expect(kindAt(path.join(target, rel)), rel).toBe('symlink');
        expect(readlinkSync(path.join(target, rel)), rel).toBe(text);
      }
      expect(relSnap(target)).toEqual(tree);
      // The old copy (with its link to `outside`) was deleted without following it.
      expect(snapshotTree(outside)).toEqual(outsideBefore);
      expect(relocateLeftovers(A, B)).toEqual([]);
    });
    expect(snapshotTree(box.sb, A, B)).toEqual(before);
    expect(snapshotTree(outside)).toEqual(outsideBefore);
  });
});
