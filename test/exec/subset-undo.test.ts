/**
 * Issue 13 §6, for subset deletes (a merge's leftovers: files the target
 * already held, identical): a rollback of such a delete that stopped
 * partway restores only the files it had deleted. The leftovers it had not
 * reached keep their identity (dev:ino) and metadata, never replaced by
 * copies of themselves; a rollback cut short while restoring finishes on
 * the next try and leaves none of relocate's names behind.
 */
import { appendFileSync, lstatSync, readdirSync, utimesSync } from 'node:fs';
import type { NodeMeta } from '../../src/exec/fs-port.js';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rollbackRun, startRun } from '../../src/exec/run-control.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { FaultyFs } from '../fault/faulty-fs.js';
import { caseBox } from '../helpers/case-box.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { volumePairForFile } from '../helpers/tmpfs.js';
import { describePlan, reload } from '../property/harness.js';
import { build } from './sandbox.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const vols = volumePairForFile('subset-undo');
let n = 0;

/** `dev:ino` of every node under root, by relative path. */
function identities(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (p: string, rel: string) => {
    const s = lstatSync(p, { bigint: true });
    out.set(rel, `${s.dev}:${s.ino}`);
    if (s.isDirectory()) for (const name of readdirSync(p).sort()) visit(path.join(p, name), rel === '' ? name : `${rel}/${name}`);
  };
  visit(root, '');
  return out;
}

/**
 * A merge (same volume): `Lib` holds four files the target holds too,
 * identical by content but with their own modes and times, and one file of
 * its own; the merge moves `own.txt` in and deletes the four leftovers.
 */
async function mergeCase() {
  const c = caseBox(vols, `s${n++}`, false);
  const link = path.join(c.A, 'Lib');
  const target = path.join(c.B, 'Lib');
  const same = { 'a.txt': 'alpha\n', 'sub/b.txt': 'bravo\n'.repeat(40), 'sub/c.txt': 'charlie\n', 'sub/deep/d.txt': 'delta\n'.repeat(9) };
  build(target, { ...same, 'theirs.txt': 'only in the target\n' });
  build(link, {
    ...Object.fromEntries(Object.entries(same).map(([rel, content], i) => [rel, { content, mode: 0o600, mtime: 1_600_000_000 + i }])),
    'own.txt': 'only at the link\n',
  });
  // Folder times of the link side differ from the target's: a rollback must put the link side's back.
  utimesSync(path.join(link, 'sub', 'deep'), 1_500_000_000, 1_500_000_000);
  utimesSync(path.join(link, 'sub'), 1_500_000_100, 1_500_000_100);
  c.write([{ link, target, type: 'symlink', conflict: 'merge' }]);
  const plan = await c.plan();
  expect(plan.entries[0]?.action, describePlan(plan)).toBe('merge');
  const dirTimes = () => ['sub', 'sub/deep'].map((rel) => lstatSync(path.join(link, rel)).mtimeMs);
  return { c, link, target, plan, before: snapshotTree(link, target), idsBefore: identities(link), times: dirTimes(), dirTimes };
}

/** The set-aside leftovers' folder of the run (`Lib.relocate-old-…`), or undefined. */
function asideOf(dir: string): string | undefined {
  const name = readdirSync(dir).find((x) => x.includes('.relocate-old-'));
  return name === undefined ? undefined : path.join(dir, name);
}

describe('undo of a subset delete that stopped partway', () => {
  it('puts back only the deleted leftovers; those not reached keep their inodes, modes and times', async () => {
    const m = await mergeCase();
    let remaining: Map<string, string> | undefined;
    // The delete of the leftovers removes one file, then fails (an I/O error): the run rolls back.
    const out = await startRun(m.plan, {
      journalDisk: nodeJournalDisk,
      stateDir: m.c.stateDir,
      fs: new FaultyFs(new NodeFs(), { kind: 'delete', n: 1, timing: 'partial', k: 1, errno: 'EIO' }),
      verify: 'meta',
      noRollback: false,
      onEvent: (e) => {
        if (e.type === 'undo' && e.phase === 'start' && e.rs.step.op === 'delete') remaining = identities(e.rs.step.path);
      },
    });
    expect(out.result, out.undoError?.message).toBe('rolled-back');
    expect(remaining, 'the delete was undone').toBeDefined();
    // It really stopped partway: some leftovers gone, some still there.
    const files = (ids: Map<string, string>) => [...ids.keys()].filter((r) => r.endsWith('.txt'));
    expect(files(remaining!).length).toBeGreaterThan(0);
    expect(files(remaining!).length).toBeLessThan(files(m.idsBefore).filter((r) => r !== 'own.txt').length);
    expect(snapshotTree(m.link, m.target)).toEqual(m.before);
    expect(m.dirTimes()).toEqual(m.times);
    expect(asideOf(m.c.A)).toBeUndefined();
    const after = identities(m.link);
    for (const [rel, id] of remaining!) if (rel !== '') expect(after.get(rel), `${rel} is the same file, not a copy of itself`).toBe(id);
  });

  it('a rollback cut short while putting files back finishes on the next try, leaving no staging name', async () => {
    const m = await mergeCase();
    const out = await startRun(m.plan, {
      journalDisk: nodeJournalDisk,
      stateDir: m.c.stateDir,
      fs: new FaultyFs(new NodeFs(), { kind: 'delete', n: 1, timing: 'partial', k: 2, errno: 'EIO' }),
      verify: 'meta',
      noRollback: true,
    });
    expect(out.result).toBe('failed');
    const aside = asideOf(m.c.A)!;
    expect(aside).toBeDefined();
    const remaining = identities(aside);
    // The first rollback copies a deleted file to its staging name, then cannot rename it in.
    const cut = await rollbackRun(await reload(m.c.stateDir, out.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: m.c.stateDir,
      fs: new FaultyFs(new NodeFs(), { kind: 'rename', n: 1, timing: 'before', errno: 'EIO' }),
      force: false,
    });
    expect(cut.result).not.toBe('rolled-back');
    const staged = identities(aside);
    expect(
      [...staged.keys()].some((r) => r.includes('.relocate-partial-undo')),
      [...staged.keys()].join(', '),
    ).toBe(true);
    const back = await rollbackRun(await reload(m.c.stateDir, out.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: m.c.stateDir,
      fs: new NodeFs(),
      force: false,
    });
    expect(back.result, back.error?.message).toBe('rolled-back');
    expect(snapshotTree(m.link, m.target)).toEqual(m.before);
    expect(m.dirTimes()).toEqual(m.times);
    const after = identities(m.link);
    expect([...after.keys()].filter((r) => r.includes('.relocate-'))).toEqual([]);
    for (const [rel, id] of remaining) if (rel !== '' && !rel.includes('.relocate-')) expect(after.get(rel), rel).toBe(id);
  });

  it('a file its identical link replaces, whose delete failed, is the same file after the rollback', async () => {
    const c = caseBox(vols, `s${n++}`, false);
    const link = path.join(c.A, 'settings.json');
    const target = path.join(c.B, 'settings.json');
    build(c.B, { 'settings.json': '{"theme":"dark"}\n' });
    build(c.A, { 'settings.json': { content: '{"theme":"dark"}\n', mode: 0o600, mtime: 1_600_000_000 } });
    c.write([{ link, target, type: 'symlink' }]);
    const plan = await c.plan();
    expect(plan.entries[0]?.action, describePlan(plan)).toBe('link');
    const before = snapshotTree(c.A, c.B);
    const id = identities(link).get('');
    const out = await startRun(plan, {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: new FaultyFs(new NodeFs(), { kind: 'delete', n: 1, timing: 'before', errno: 'EIO' }),
      verify: 'meta',
      noRollback: false,
    });
    expect(out.result, out.undoError?.message).toBe('rolled-back');
    expect(snapshotTree(c.A, c.B)).toEqual(before);
    expect(identities(link).get('')).toBe(id);
  });

  it('a restored leftover that does not come back equal (a disk that writes wrong) is caught by the check after the restore: the rollback stops, never says rolled back', async () => {
    const m = await mergeCase();
    const out = await startRun(m.plan, {
      journalDisk: nodeJournalDisk,
      stateDir: m.c.stateDir,
      fs: new FaultyFs(new NodeFs(), { kind: 'delete', n: 1, timing: 'partial', k: 2, errno: 'EIO' }),
      verify: 'meta',
      noRollback: true,
    });
    expect(out.result).toBe('failed');
    // Every file the undo puts back gets a byte more than it should, silently.
    class LyingFs extends NodeFs {
      override async restoreSnapshot(fromRoot: string, toRoot: string, nodes: NodeMeta[]): Promise<void> {
        await super.restoreSnapshot(fromRoot, toRoot, nodes);
        if (nodes.length === 1 && nodes[0]!.kind === 'file') appendFileSync(toRoot, '!');
      }
    }
    const back = await rollbackRun(await reload(m.c.stateDir, out.record.id), {
      journalDisk: nodeJournalDisk,
      stateDir: m.c.stateDir,
      fs: new LyingFs(),
      force: false,
    });
    expect(back.result).not.toBe('rolled-back');
    expect(back.error?.code).toBe('E_VERIFY');
  });
});
