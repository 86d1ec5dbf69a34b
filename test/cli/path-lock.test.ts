import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquirePathLocks } from '../../src/journal/path-lock.js';
import { requireBuiltCli, runCliAsync, type CliResult } from '../helpers/cli.js';
import { inventory, lostFiles } from '../property/harness.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { tmpfsReason, volumePairForFile } from '../helpers/tmpfs.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

/**
 * Issue 13 §2: runs from different state folders over the same link or
 * target, on two real tmpfs volumes, through the built CLI. Before the path
 * locks, the first case lost every byte: run A (state folder sA) is killed
 * after its copy was renamed into the target; run B (state folder sB, a
 * manifest with `conflict: merge`) merges the link folder into that target,
 * links it and deletes the link folder as "identical"; A's rollback then
 * renames the target back to its staging name and deletes it as A's own
 * copy: exit 0, "Rolled back", nothing left.
 */

const reason = tmpfsReason();
if (reason) console.warn(`path-lock CLI tests skipped: ${reason}`);

const vols = volumePairForFile('pathlock');

let root: string;
let lockDir: string;

function show(r: CliResult): string {
  return `status ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** The CLI with this test's own lock registry, and the crash hook off unless asked. */
function cli(args: string[], crashAfter?: number): Promise<CliResult> {
  return runCliAsync(args, { cwd: root, env: { RELOCATE_LOCK_DIR: lockDir, RELOCATE_TEST_CRASH_AFTER: crashAfter === undefined ? '' : String(crashAfter) } });
}

function manifest(name: string, entries: string[]): string {
  const file = path.join(root, name);
  writeFileSync(file, `version: 1\nlinks:\n${entries.map((e) => `  - ${e}\n`).join('')}`);
  return file;
}

function lockFiles(): string[] {
  return existsSync(lockDir) ? readdirSync(lockDir).filter((n) => n.endsWith('.lock.json')) : [];
}

describe.skipIf(reason !== undefined)('runs from two state folders never destroy each other’s data (tmpfs, real CLI)', () => {
  let L: string;
  let T: string;
  beforeEach(() => {
    requireBuiltCli();
    root = mkdtempSync(path.join(vols.scratch(), 'case-'));
    lockDir = path.join(root, 'locks');
    const a = mkdtempSync(path.join(vols.volA(), 'c-'));
    const b = mkdtempSync(path.join(vols.volB(), 'c-'));
    L = path.join(a, 'Games');
    T = path.join(b, 'Games');
    mkdirSync(path.join(L, 'saves'), { recursive: true });
    writeFileSync(path.join(L, 'game.bin'), Buffer.alloc(200_000, 7));
    writeFileSync(path.join(L, 'saves', 'slot1'), 'the only save');
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('a run left unfinished by kill -9 keeps its paths: another state folder is refused, naming it; the rollback then loses nothing', async () => {
    const before = inventory(L);
    const snap = snapshotTree(path.dirname(L), path.dirname(T));
    const mA = manifest('a.yaml', [`{ link: ${L}, target: ${T} }`]);
    const mB = manifest('b.yaml', [`{ link: ${L}, target: ${T}, conflict: merge }`]);
    const sA = path.join(root, 'sA');
    const sB = path.join(root, 'sB');
    // Line 8: the copy is verified and renamed into the target; the original is still at the link path.
    const a = await cli(['apply', mA, '--yes', '--state-dir', sA], 8);
    expect(a.status === null || a.status === 137, show(a)).toBe(true);
    expect(lockFiles(), 'the killed run keeps its lock').toHaveLength(1);
    const runA = readdirSync(path.join(sA, 'runs'))[0]!;

    const b = await cli(['apply', mB, '--yes', '--state-dir', sB]);
    expect(b.status, show(b)).toBe(1);
    expect(b.stderr).toContain('E_PATH_LOCKED');
    // The refusal names the holder: its run, state folder, command, pid and what to do.
    const holder = JSON.parse(readFileSync(path.join(lockDir, lockFiles()[0]!), 'utf8')) as { pid: number };
    expect(b.stderr).toContain(runA);
    expect(b.stderr).toContain(sA);
    expect(b.stderr).toContain('`apply`');
    expect(b.stderr).toContain(`pid ${holder.pid}`);
    expect(b.stderr).toContain(`relocate rollback --state-dir ${sA}`);
    expect(existsSync(path.join(sB, 'runs')) ? readdirSync(path.join(sB, 'runs')) : [], 'B began no run').toEqual([]);

    const back = await cli(['rollback', '--yes', '--state-dir', sA]);
    expect(back.status, show(back)).toBe(0);
    expect(lostFiles(before, [{ link: L, target: T }]).lost, 'files with no copy left').toEqual([]);
    expect(snapshotTree(path.dirname(L), path.dirname(T)), 'the disk is as before').toEqual(snap);
    expect(lockFiles(), 'a rolled-back run releases its locks').toEqual([]);

    // Once A is dealt with, B may go.
    const b2 = await cli(['apply', mB, '--yes', '--state-dir', sB]);
    expect(b2.status, show(b2)).toBe(0);
    expect(lockFiles(), 'a finished run releases its locks').toEqual([]);
  }, 120_000);

  it('a rollback is refused while a run from another state folder is unfinished on one of its paths', async () => {
    const before = inventory(L);
    const sA = path.join(root, 'sA');
    const sC = path.join(root, 'sC');
    const done = await cli(['apply', manifest('a.yaml', [`{ link: ${L}, target: ${T} }`]), '--yes', '--state-dir', sA]);
    expect(done.status, show(done)).toBe(0);
    expect(lockFiles(), 'a finished run keeps no lock').toEqual([]);
    // C links a second path to A's target (a shared target) and is killed after its first journal line.
    const L2 = path.join(path.dirname(L), 'Games2');
    const c = await cli(['apply', manifest('c.yaml', [`{ link: ${L2}, target: ${T} }`]), '--yes', '--state-dir', sC], 1);
    expect(c.status === null || c.status === 137, show(c)).toBe(true);
    const r = await cli(['rollback', '--yes', '--state-dir', sA]);
    expect(r.status, show(r)).toBe(1);
    expect(r.stderr).toContain('E_PATH_LOCKED');
    expect(r.stderr).toContain(sC);
    expect(lostFiles(before, [{ link: L, target: T }]).lost).toEqual([]);
    // C's own resume takes over its crashed process's lock; then A's rollback goes through.
    const resumed = await cli(['resume', '--yes', '--state-dir', sC]);
    expect(resumed.status, show(resumed)).toBe(0);
    expect(lockFiles()).toEqual([]);
    const r2 = await cli(['rollback', '--yes', '--state-dir', sC]);
    expect(r2.status, show(r2)).toBe(0);
    const r3 = await cli(['rollback', '--yes', '--state-dir', sA]);
    expect(r3.status, show(r3)).toBe(0);
    expect(inventory(L).map((f) => [path.relative(L, f.path), f.hash])).toEqual(before.map((f) => [path.relative(L, f.path), f.hash]));
    expect(lockFiles()).toEqual([]);
  }, 120_000);

  it('a folder above or below a locked path is locked too, and `plan` warns with W_PATH_LOCKED', async () => {
    const sA = path.join(root, 'sA');
    const sB = path.join(root, 'sB');
    const a = await cli(['apply', manifest('a.yaml', [`{ link: ${L}, target: ${T} }`]), '--yes', '--state-dir', sA], 8);
    expect(a.status === null || a.status === 137, show(a)).toBe(true);
    const inner = manifest('b.yaml', [`{ link: ${path.join(L, 'saves')}, target: ${path.join(path.dirname(T), 'saves')} }`]);
    const p = await cli(['plan', inner, '--state-dir', sB]);
    expect(p.stderr, show(p)).toContain('W_PATH_LOCKED');
    const b = await cli(['apply', inner, '--yes', '--state-dir', sB]);
    expect(b.status, show(b)).toBe(1);
    expect(b.stderr).toContain('E_PATH_LOCKED');
    expect(b.stderr).toContain(`it holds ${L}`);
    const back = await cli(['rollback', '--yes', '--state-dir', sA]);
    expect(back.status, show(back)).toBe(0);
  }, 120_000);
});

describe('W_PATH_LOCKED in machine output (issue 14)', () => {
  let box: string;
  beforeEach(() => {
    requireBuiltCli();
    box = mkdtempSync(path.join(os.tmpdir(), 'relocate-lockjson-'));
    root = box;
    lockDir = path.join(box, 'locks');
  });
  afterEach(() => {
    rmSync(box, { recursive: true, force: true });
  });

  it('plan --json and status --json carry the warning another run’s lock earns, with the path and a hint; the text plan says it on stderr', async () => {
    const games = path.join(box, 'c', 'Games');
    mkdirSync(games, { recursive: true });
    writeFileSync(path.join(games, 'save.dat'), 'progress');
    const m = manifest('m.yaml', [`{ link: ${games}, target: ${path.join(box, 'd', 'Games')} }`]);
    // Another run, from another state folder, holds the link path as an apply would (this test process is its live pid).
    const other = path.join(box, 'other-state');
    mkdirSync(path.join(other, 'runs', 'runA'), { recursive: true });
    writeFileSync(path.join(other, 'runs', 'runA', 'run.json'), JSON.stringify({ id: 'runA', status: 'running' }));
    const held = await acquirePathLocks({
      disk: nodeJournalDisk,
      place: { dir: lockDir, shared: false },
      stateDir: other,
      runId: 'runA',
      command: 'apply',
      paths: [games],
    });
    try {
      const mine = path.join(box, 'state');
      const p = await cli(['plan', m, '--json', '--state-dir', mine]);
      expect(p.status, show(p)).toBe(2);
      const doc = JSON.parse(p.stdout);
      const f = doc.findings.find((x: { code: string }) => x.code === 'W_PATH_LOCKED');
      expect(f, p.stdout).toMatchObject({ severity: 'warning', path: games });
      expect(f.message).toContain('runA');
      expect(f.hint).toContain(`wait for pid ${process.pid}`);
      expect(doc.summary.warnings).toBe(1);
      expect(doc.blocked).toBe(false);
      // The saved plan stays the planner's own: apply checks the locks itself.
      expect(doc.plan.findings.map((x: { code: string }) => x.code)).not.toContain('W_PATH_LOCKED');
      expect(p.stderr).toBe('');

      const st = await cli(['status', m, '--json', '--state-dir', mine]);
      expect(st.status, show(st)).toBe(2);
      expect(JSON.parse(st.stdout).findings.map((x: { code: string }) => x.code)).toContain('W_PATH_LOCKED');

      const text = await cli(['plan', m, '--state-dir', mine]);
      expect(text.stderr, show(text)).toContain(`warning W_PATH_LOCKED: ${games} is in use by another relocate run`);
      expect(text.stderr).toContain(`hint: wait for pid ${process.pid}`);
    } finally {
      await held.release();
    }
    // Once released, nothing is said.
    const free = JSON.parse((await cli(['plan', m, '--json', '--state-dir', path.join(box, 'state')])).stdout);
    expect(free.findings).toEqual([]);
  });
});
