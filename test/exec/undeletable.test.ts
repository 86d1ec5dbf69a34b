/**
 * Issue 13 §6 (files that cannot be deleted) and §7 (hard links that leave
 * the tree), on real volumes: a loop-mounted ext4 image (tmpfs has no
 * chattr +i) and tmpfs, in-process through the same planner and run
 * control the CLI uses.
 */
import { lstatSync, mkdirSync, readdirSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollbackRun, startRun } from '../../src/exec/run-control.js';
import { listRuns } from '../../src/journal/runs.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { chattr, loopReason, mountLoopExt4, type LoopVolume } from '../helpers/loop-volume.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { mountTmpfs, type TmpfsMount } from '../helpers/tmpfs.js';
import { runCli } from '../helpers/cli.js';
import { describePlan, journalOf, planFor } from '../property/harness.js';
import { build, MTIME } from './sandbox.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';
import { moveOf } from '../../src/plan/actions.js';

const reason = loopReason();
if (reason) console.log(`[skip] undeletable files and outside hard links: ${reason}`);

let ext4: LoopVolume | undefined;
let tmpA: TmpfsMount | undefined;
let tmpB: TmpfsMount | undefined;
let n = 0;

beforeAll(() => {
  if (reason) return;
  ext4 = mountLoopExt4(32, 'undeletable');
  tmpA = mountTmpfs(32, 'undeletable-a');
  tmpB = mountTmpfs(32, 'undeletable-b');
});
afterAll(() => {
  // Each is tried even when another fails.
  for (const m of [ext4, tmpA, tmpB]) {
    try {
      m?.unmount();
    } catch (err) {
      console.error(err);
    }
  }
});

/** A fresh folder for one test on a volume, plus a state folder and a manifest path beside it. */
function caseDir(vol: string): { dir: string; state: string; manifest: string } {
  const dir = path.join(vol, `case-${++n}`);
  mkdirSync(dir);
  return { dir, state: path.join(dir, '.state'), manifest: path.join(dir, 'relocate.yaml') };
}

function manifest(file: string, link: string, target: string): void {
  writeFileSync(file, `version: 1\nlinks:\n  - link: ${JSON.stringify(link)}\n    target: ${JSON.stringify(target)}\n    type: symlink\n`);
}

/** `dev:ino` of every file and folder under root, by path relative to it. */
function identities(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (p: string, rel: string) => {
    const s = lstatSync(p, { bigint: true });
    out.set(rel, `${s.dev}:${s.ino}`);
    if (s.isDirectory()) for (const name of readdirSync(p)) visit(path.join(p, name), rel === '' ? name : `${rel}/${name}`);
  };
  visit(root, '');
  return out;
}

function rebase(snap: Record<string, string>, from: string): Record<string, string> {
  return Object.fromEntries(Object.entries(snap).map(([k, v]) => [path.relative(from, k), v]));
}

function freeBytes(vol: string): number {
  const s = statfsSync(vol);
  return s.bfree * s.bsize;
}

/** A game folder: files at the top and in folders, so a delete does some of them before it reaches `deep/locked.sav`. */
function gameTree(root: string): void {
  const spec: Record<string, string | { dir: true }> = {};
  for (let i = 0; i < 12; i++) spec[`top-${i}.dat`] = `top file ${i} `.repeat(50 + i);
  for (const d of ['a', 'b', 'deep']) for (let i = 0; i < 6; i++) spec[`${d}/f-${i}.bin`] = `${d} ${i} `.repeat(300 + i);
  spec['deep/locked.sav'] = 'a save game that must not be deleted\n';
  build(root, spec);
}

describe.skipIf(reason !== undefined)('§6 files that cannot be deleted', () => {
  it('a move across volumes of a folder holding an immutable file is refused at plan time, naming the file', async () => {
    const c = caseDir(ext4!.dir);
    const games = path.join(c.dir, 'Games');
    gameTree(games);
    const locked = path.join(games, 'deep', 'locked.sav');
    chattr('+i', locked);
    try {
      manifest(c.manifest, games, path.join(tmpB!.dir, `Games-${n}`));
      const plan = await planFor(c.manifest, c.state);
      const p = plan.entries[0]!;
      expect(p.action, describePlan(plan)).toBe('move');
      expect(moveOf(p)?.crossVolume).toBe(true);
      const f = p.findings.find((x) => x.code === 'E_IMMUTABLE');
      expect(f, describePlan(plan)).toBeDefined();
      expect(f!.path).toBe(locked);
      expect(f!.message).toContain(`${locked} (immutable)`);
      expect(f!.hint).toContain(`chattr -i "${locked}"`);
      expect(plan.blocked).toBe(true);
    } finally {
      chattr('-i', locked);
    }
  });

  it('an append-only file is refused the same way; a same-volume rename of its folder is allowed and works', async () => {
    const c = caseDir(ext4!.dir);
    const games = path.join(c.dir, 'Games');
    gameTree(games);
    const log = path.join(games, 'a', 'f-1.bin');
    chattr('+a', log);
    try {
      manifest(c.manifest, games, path.join(tmpB!.dir, `Games-${n}`));
      const cross = await planFor(c.manifest, c.state);
      expect(cross.entries[0]!.findings.map((f) => f.code)).toContain('E_IMMUTABLE');
      expect(cross.entries[0]!.findings.find((f) => f.code === 'E_IMMUTABLE')!.hint).toContain('chattr -a');

      // ext4 renames a folder that holds a flagged file (only the flagged node itself cannot be renamed).
      const target = path.join(c.dir, 'Store', 'Games');
      manifest(c.manifest, games, target);
      const before = rebase(snapshotTree(games), games);
      const same = await planFor(c.manifest, c.state);
      expect(moveOf(same.entries[0]!)?.crossVolume).toBe(false);
      expect(same.blocked, describePlan(same)).toBe(false);
      const out = await startRun(same, { journalDisk: nodeJournalDisk, stateDir: c.state, fs: new NodeFs(), verify: 'meta', noRollback: false });
      expect(out.result, out.error?.message).toBe('done');
      expect(rebase(snapshotTree(target), target)).toEqual(before);
      const back = await rollbackRun(out.record, { journalDisk: nodeJournalDisk, stateDir: c.state, fs: new NodeFs(), force: false });
      expect(back.result, back.error?.message).toBe('rolled-back');
      expect(rebase(snapshotTree(games), games)).toEqual(before);
    } finally {
      chattr('-a', path.join(games, 'a', 'f-1.bin'));
    }
  });

  it('a folder that is itself immutable cannot be renamed: refused even on the same volume', async () => {
    const c = caseDir(ext4!.dir);
    const games = path.join(c.dir, 'Games');
    gameTree(games);
    chattr('+i', games);
    try {
      manifest(c.manifest, games, path.join(c.dir, 'Store', 'Games'));
      const plan = await planFor(c.manifest, c.state);
      const f = plan.entries[0]!.findings.find((x) => x.code === 'E_IMMUTABLE');
      expect(f, describePlan(plan)).toBeDefined();
      expect(f!.message).toBe(`${games} is immutable: it cannot be renamed or moved`);
    } finally {
      chattr('-i', games);
    }
  });

  it('a delete stopped halfway (a file made immutable after the plan) rolls back by restoring only what was deleted: the remaining originals keep their inodes', async () => {
    const c = caseDir(ext4!.dir);
    const games = path.join(c.dir, 'Games');
    gameTree(games);
    const locked = path.join(games, 'deep', 'locked.sav');
    const target = path.join(tmpB!.dir, `Games-${n}`);
    manifest(c.manifest, games, target);
    const plan = await planFor(c.manifest, c.state);
    expect(plan.blocked, describePlan(plan)).toBe(false);
    const before = rebase(snapshotTree(games), games);
    const idsBefore = identities(games);
    // The flag is set after the plan (as a program could): the delete of the old copy fails at it, partway.
    chattr('+i', locked);
    let remaining: Map<string, string> | undefined;
    let aside = '';
    try {
      const out = await startRun(plan, {
        journalDisk: nodeJournalDisk,
        stateDir: c.state,
        fs: new NodeFs(),
        verify: 'meta',
        noRollback: false,
        onEvent: (e) => {
          // What the failed delete left, just before its undo: the originals still there.
          if (e.type === 'undo' && e.phase === 'start' && e.rs.step.op === 'delete') {
            aside = e.rs.step.path;
            remaining = identities(aside);
          }
        },
      });
      expect(out.error?.code).toBe('E_IMMUTABLE');
      expect(out.error?.message).toBe(`deleting ${out.error?.path} failed: it is immutable`);
      expect(out.error?.path).toMatch(/deep\/locked\.sav$/);
      expect(out.error?.hint).toContain('chattr -i');
      expect(out.result, out.undoError?.message).toBe('rolled-back');
    } finally {
      chattr('-i', locked);
    }
    expect(remaining, 'the delete step was undone').toBeDefined();
    // The delete really stopped partway: some files were gone, some (at least the locked one) left.
    expect(remaining!.size).toBeLessThan(idsBefore.size);
    expect(remaining!.has('deep/locked.sav')).toBe(true);
    // Every byte, mode and time is back; nothing of relocate's is left behind.
    expect(rebase(snapshotTree(games), games)).toEqual(before);
    expect(readdirSync(c.dir).filter((x) => x.includes('.relocate-'))).toEqual([]);
    expect(lstatSync(target, { throwIfNoEntry: false })).toBeUndefined();
    // The originals the delete had not reached are the same files (dev:ino), not copies of themselves.
    const after = identities(games);
    const kept = [...remaining!].filter(([rel]) => rel !== '');
    expect(kept.length).toBeGreaterThan(1);
    for (const [rel, id] of kept) expect(after.get(rel), rel).toBe(id);
    expect(after.get('deep/locked.sav')).toBe(idsBefore.get('deep/locked.sav'));
    expect(aside).toContain('.relocate-old-');
  });
  it('a partial rollback keeps hard-link groups whole: a missing name comes back as a link of the name still there (property counterexample)', async () => {
    const c = caseDir(ext4!.dir);
    const tree = path.join(c.dir, 'tree');
    // `keep` is append-only: its entry `keep/d1` cannot be removed, so the delete empties d1 and stops there.
    build(tree, { 'f0.bin': 'zero '.repeat(200), 'keep/d1/f1.bin': 'one\n', 'keep/d1/d2/d3/same.bin': { hardlinkOf: 'f0.bin' } });
    const target = path.join(tmpB!.dir, `tree-${n}`);
    manifest(c.manifest, tree, target);
    const plan = await planFor(c.manifest, c.state);
    const before = rebase(snapshotTree(tree), tree);
    chattr('+a', path.join(tree, 'keep'));
    try {
      const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: c.state, fs: new NodeFs(), verify: 'meta', noRollback: false });
      expect(out.result, out.undoError?.message).toBe('rolled-back');
    } finally {
      chattr('-a', path.join(tree, 'keep'));
    }
    expect(rebase(snapshotTree(tree), tree)).toEqual(before);
    const ids = identities(tree);
    expect(ids.get('keep/d1/d2/d3/same.bin')).toBe(ids.get('f0.bin'));
    expect(lstatSync(path.join(tree, 'f0.bin')).nlink).toBe(2);
  });
});

describe.skipIf(reason !== undefined)('§7 hard links that leave the tree', () => {
  it('the plan says what the move frees; rollback makes the files hard links of the same outside files again', async () => {
    const c = caseDir(tmpA!.dir);
    // A pnpm-like store beside the project: the project's node_modules files are hard links into it.
    const store = path.join(c.dir, 'store');
    const project = path.join(c.dir, 'work', 'project');
    const big = (i: number) => Buffer.alloc(64 * 1024 + i, i + 1);
    build(store, Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`pkg-${i}/index.js`, { content: big(i), mtime: MTIME + i }])));
    build(project, { 'src/main.ts': 'console.log(1)\n', 'README.md': 'mine\n' });
    mkdirSync(path.join(project, 'node_modules'));
    for (let i = 0; i < 20; i++) {
      mkdirSync(path.join(project, 'node_modules', `pkg-${i}`));
      build(project, { [`node_modules/pkg-${i}/index.js`]: { hardlinkOf: `../../store/pkg-${i}/index.js` } });
    }
    // Two names inside the tree for one outside file: both must come back as that file.
    build(project, { 'node_modules/pkg-0/again.js': { hardlinkOf: 'node_modules/pkg-0/index.js' } });
    const target = path.join(tmpB!.dir, `project-${n}`);
    manifest(c.manifest, project, target);

    const plan = await planFor(c.manifest, c.state);
    const p = plan.entries[0]!;
    const sharedBytes = Array.from({ length: 20 }, (_, i) => 64 * 1024 + i).reduce((a, b) => a + b, 0);
    expect(moveOf(p)?.sharedOutside).toEqual({ files: 20, bytes: sharedBytes });
    const w = p.findings.find((f) => f.code === 'W_OUTSIDE_HARDLINKS');
    expect(w, describePlan(plan)).toBeDefined();
    expect(w!.message).toMatch(/^20 file\(s\) in .* share their data with files outside the folder \(hard links\): the source frees only 20 B of 1\.3 MiB$/);
    expect(plan.blocked).toBe(false);

    // The CLI shows the figure in text and JSON.
    const text = runCli(['plan', c.manifest, '--state-dir', c.state]);
    expect(text.stdout).toContain('W_OUTSIDE_HARDLINKS');
    expect(text.stdout).toContain('the source frees only 20 B of 1.3 MiB');
    const j = JSON.parse(runCli(['plan', c.manifest, '--json', '--state-dir', c.state]).stdout);
    expect(j.entries[0].freesOnSource).toBe(20);
    expect(j.entries[0].sharedOutside).toEqual({ files: 20, bytes: sharedBytes });

    const before = rebase(snapshotTree(project), project);
    const outsideIds = identities(store);
    const freeBefore = freeBytes(tmpA!.dir);
    const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: c.state, fs: new NodeFs(), verify: 'meta', noRollback: false });
    expect(out.result, out.error?.message).toBe('done');
    // The move freed (almost) nothing on the source: the shared data stayed with the store.
    expect(freeBytes(tmpA!.dir) - freeBefore).toBeLessThan(64 * 1024);
    // The delete's begin line named the outside files.
    const del = out.record.steps.find((rs) => rs.step.op === 'delete')!;
    const begin = journalOf(c.state, out.record.id).find((l) => l.t === 'begin' && l.n === del.n);
    expect(begin?.t === 'begin' ? (begin.info?.outside as unknown[]).length : 0).toBe(21);

    const back = await rollbackRun(out.record, { journalDisk: nodeJournalDisk, stateDir: c.state, fs: new NodeFs(), force: false });
    expect(back.result, back.error?.message).toBe('rolled-back');
    expect(rebase(snapshotTree(project), project)).toEqual(before);
    const after = identities(project);
    for (let i = 0; i < 20; i++) expect(after.get(`node_modules/pkg-${i}/index.js`), `pkg-${i}`).toBe(outsideIds.get(`pkg-${i}/index.js`));
    expect(after.get('node_modules/pkg-0/again.js')).toBe(outsideIds.get('pkg-0/index.js'));
    expect(lstatSync(path.join(store, 'pkg-3/index.js')).nlink).toBe(2);
    // The source holds the data once again: its free space is what it was before the run (tmpfs counts pages).
    expect(Math.abs(freeBytes(tmpA!.dir) - freeBefore)).toBeLessThan(64 * 1024);
    expect(await listRuns(nodeJournalDisk, c.state)).toHaveLength(1);
  });

  it('an outside file changed since the move (another inode at its name, or new content) is copied back, not linked', async () => {
    const c = caseDir(tmpA!.dir);
    const store = path.join(c.dir, 'store');
    const project = path.join(c.dir, 'project');
    build(store, { 'a.js': 'alpha\n', 'b.js': 'bravo\n' });
    build(project, { 'a.js': { hardlinkOf: '../store/a.js' }, 'b.js': { hardlinkOf: '../store/b.js' } });
    const target = path.join(tmpB!.dir, `project-${n}`);
    manifest(c.manifest, project, target);
    const plan = await planFor(c.manifest, c.state);
    const before = rebase(snapshotTree(project), project);
    const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: c.state, fs: new NodeFs(), verify: 'meta', noRollback: false });
    expect(out.result, out.error?.message).toBe('done');
    // a.js: replaced by a new file (new inode); b.js: same inode, rewritten.
    const { rmSync, utimesSync } = await import('node:fs');
    rmSync(path.join(store, 'a.js'));
    writeFileSync(path.join(store, 'a.js'), 'ALPHA, replaced\n');
    writeFileSync(path.join(store, 'b.js'), 'BRAVO, edited!\n');
    utimesSync(path.join(store, 'b.js'), MTIME + 99, MTIME + 99);
    const back = await rollbackRun(out.record, { journalDisk: nodeJournalDisk, stateDir: c.state, fs: new NodeFs(), force: false });
    expect(back.result, back.error?.message).toBe('rolled-back');
    expect(rebase(snapshotTree(project), project)).toEqual(before);
    expect(lstatSync(path.join(project, 'a.js')).nlink).toBe(1);
    expect(lstatSync(path.join(project, 'b.js')).nlink).toBe(1);
  });
});
