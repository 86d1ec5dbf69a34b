/**
 * Issue 13 §1 and §5: no undo or resume renames or deletes anything relocate
 * did not make (checked by identity: device and inode, from the journal),
 * and resume re-verifies the twin before it goes on with an interrupted
 * delete. In-process runs on two tmpfs volumes; the crash case goes
 * through the built CLI and its kill -9 hook.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSteps } from '../../src/exec/compile.js';
import { GuardedFs } from '../../src/exec/guard.js';
import { resumeRun, rollbackRun, startRun } from '../../src/exec/run-control.js';
import { beginInfo } from '../../src/exec/begin-info.js';
import { clearPartial, stepTookEffect } from '../../src/exec/resume-step.js';
import { undoStep } from '../../src/exec/undo-step.js';
import { hostOs, styleForOs } from '../../src/core/paths.js';
import { asideName, stagingName } from '../../src/core/own-names.js';
import { entryTag, type Step, type StepFor } from '../../src/exec/steps.js';
import type { Plan } from '../../src/plan/types.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { FaultyFs } from '../fault/faulty-fs.js';
import { runCliAsync } from '../helpers/cli.js';
import { contentOf } from '../helpers/snapshot.js';
import { caseBox } from '../helpers/case-box.js';
import { tmpfsReason, volumePairForFile } from '../helpers/tmpfs.js';
import { reload } from '../property/harness.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/exec/identity: skipped: ${NO_TMPFS}`);

const vols = volumePairForFile('identity');
let n = 0;

/** A fresh case: folders on volume A (links) and B (targets), a manifest and a state folder in the scratch folder. */
function box() {
  return caseBox(vols, `i${n++}`);
}

/** Every file's content under the roots, keyed by content: what "no byte lost" is checked against. */
function contents(...roots: string[]): Set<string> {
  const out = new Set<string>();
  for (const r of roots) for (const v of Object.values(contentOf(r))) out.add(v);
  return out;
}

const fs = new NodeFs();
/** These tests run on this host's disk: its paths are spelled the host's way. */
const cx = { fs, style: styleForOs(hostOs()) };

const cliIn = (c: ReturnType<typeof box>, args: string[], crashAfter?: number) =>
  runCliAsync([...args, '--state-dir', c.stateDir], { env: { RELOCATE_TEST_CRASH_AFTER: crashAfter === undefined ? '' : String(crashAfter) } });

/** Applies the probe's manifest cleanly and returns the 1-based number of the first journal line matching `pick` (the layout is the same for an identical case). */
async function journalLineOf(probe: ReturnType<typeof box>, pick: (l: { t: string; n: number }, op: Step['op']) => boolean): Promise<number> {
  const clean = await cliIn(probe, ['apply', probe.manifest, '--yes', '--json']);
  expect(clean.status, clean.stderr).toBe(0);
  const runDir = path.join(probe.stateDir, 'runs', readdirSync(path.join(probe.stateDir, 'runs'))[0]!);
  const steps = (JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as { steps: { n: number; step: Step }[] }).steps;
  const lines = readFileSync(path.join(runDir, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { t: string; n: number });
  const at = lines.findIndex((l) => pick(l, steps[l.n]!.step.op)) + 1;
  expect(at).toBeGreaterThan(0);
  return at;
}

describe.skipIf(NO_TMPFS)('issue 13 §1: one target filled by two entries, forced past the plan', () => {
  it('the run fails on the second entry, and the rollback (even after the user deletes a partial copy) gives both folders back, byte for byte', async () => {
    const c = box();
    const A = path.join(c.A, 'A');
    const B = path.join(c.A, 'B');
    const T = path.join(c.B, 'T');
    mkdirSync(A);
    mkdirSync(B);
    writeFileSync(path.join(A, 'a-only.txt'), 'A holds this, and nowhere else');
    writeFileSync(path.join(B, 'b-only.txt'), 'B holds other files');
    c.write([
      { link: A, target: T, type: 'symlink' },
      { link: B, target: T, type: 'symlink' },
    ]);
    const before = c.snap();
    const refused = await c.plan();
    expect(refused.findings.map((f) => f.code)).toContain('E_SHARED_TARGET');
    // As an older relocate (or a saved plan) would have run it: the refusal taken out.
    const plan: Plan = { ...refused, findings: refused.findings.filter((f) => f.code !== 'E_SHARED_TARGET'), blocked: false };
    const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, verify: 'meta', noRollback: false });
    expect(out.result).not.toBe('done');
    if (out.result === 'failed') {
      // What a user told "the obstacle is X" does: delete it, then roll back. Nothing relocate names as an obstacle may be another entry's only copy.
      const obstacle = out.undoError?.path;
      if (obstacle) rmSync(obstacle, { recursive: true, force: true });
      await rollbackRun(await reload(c.stateDir, out.record.id), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, force: false });
    }
    expect(readFileSync(path.join(A, 'a-only.txt'), 'utf8'), "A's only copy").toBe('A holds this, and nowhere else');
    expect(readFileSync(path.join(B, 'b-only.txt'), 'utf8')).toBe('B holds other files');
    expect(c.snap()).toEqual(before);
  });

  it('each entry of a run has its own staging and set-aside names, and the guard lets an entry use only its own', async () => {
    const c = box();
    const A = path.join(c.A, 'A');
    const B = path.join(c.A, 'B');
    for (const d of [A, B]) {
      mkdirSync(d);
      writeFileSync(path.join(d, 'f'), d);
    }
    c.write([
      { link: A, target: path.join(c.B, 'TA'), type: 'symlink' },
      { link: B, target: path.join(c.B, 'TB'), type: 'symlink' },
    ]);
    const plan = await c.plan();
    const steps = compileSteps(plan, { runId: 'RUN', stamp: 'S', verify: 'meta' });
    const named = steps.flatMap((rs) => ('to' in rs.step ? [rs.step.to] : [])).filter((p) => p.includes('.relocate-'));
    expect(named).toContain(stagingName(path.join(c.B, 'TA'), entryTag('RUN', 0)));
    expect(named).toContain(asideName(B, entryTag('RUN', 1)));
    expect(
      named.every((p) => /\.relocate-(partial|old)-RUN-[01]$/.test(p)),
      named.join('\n'),
    ).toBe(true);
    expect(new Set(named).size).toBe(named.length);
    const record = { id: 'RUN', startedAt: new Date().toISOString(), plan, steps } as Parameters<typeof GuardedFs.forRun>[1];
    const guarded = GuardedFs.forRun(fs, record, []);
    // Entry 1's tag beside entry 0's link is not entry 0's name: refused before anything happens.
    const foreign = asideName(A, entryTag('RUN', 1));
    mkdirSync(foreign);
    await expect(guarded.deleteTree(foreign)).rejects.toMatchObject({ code: 'E_GUARD' });
    await expect(guarded.deleteTree(asideName(A, entryTag('RUN', 7)))).rejects.toMatchObject({ code: 'E_GUARD' });
    expect(lstatSync(foreign).isDirectory()).toBe(true);
    await guarded.deleteTree(path.join(foreign, '..', path.basename(asideName(A, entryTag('RUN', 0)))));
  });
});

/** A folder with one file. */
function folder(p: string, file: string, text: string): void {
  mkdirSync(p, { recursive: true });
  writeFileSync(path.join(p, file), text);
}

describe.skipIf(NO_TMPFS)('undo and resume check identity before they rename or delete (step by step)', () => {
  it('rename: something else at the destination is never moved back (E_DRIFT); with --force it is skipped and left alone', async () => {
    const c = box();
    const from = path.join(c.A, 'staging');
    const to = path.join(c.B, 'T');
    folder(from, 'mine', 'moved by relocate');
    const s: StepFor['rename'] = { op: 'rename', from, to, role: 'move' };
    const info = await beginInfo(cx, s);
    expect(typeof info?.movedId).toBe('string');
    // The rename failed (another entry's data was at `to`); then the user deleted what relocate named.
    folder(to, 'theirs', 'the only copy of something else');
    rmSync(from, { recursive: true });
    await expect(undoStep(cx, s, info, false, false)).rejects.toMatchObject({ code: 'E_DRIFT', path: to });
    expect(await undoStep(cx, s, info, false, true)).toMatch(/not what relocate moved there/);
    expect(readFileSync(path.join(to, 'theirs'), 'utf8')).toBe('the only copy of something else');
    expect(lstatSync(from, { throwIfNoEntry: false })).toBeUndefined();
    // Resume refuses it too, instead of taking it for the rename done.
    await expect(stepTookEffect(cx, s, info)).rejects.toMatchObject({ code: 'E_DRIFT' });
  });

  it('rename that never happened (its destination was taken): nothing to undo, both kept', async () => {
    const c = box();
    const from = path.join(c.A, 'staging');
    const to = path.join(c.B, 'T');
    folder(from, 'mine', 'm');
    folder(to, 'theirs', 't');
    const s: StepFor['rename'] = { op: 'rename', from, to, role: 'move' };
    const info = await beginInfo(cx, s);
    expect(await undoStep(cx, s, info, false, false)).toBeUndefined();
    expect(readFileSync(path.join(to, 'theirs'), 'utf8')).toBe('t');
    expect(readFileSync(path.join(from, 'mine'), 'utf8')).toBe('m');
  });

  it('copy: a staging folder that is not the one relocate made is never deleted, by undo or by resume', async () => {
    const c = box();
    const from = path.join(c.A, 'orig');
    const to = path.join(c.B, 'T.relocate-partial-x');
    folder(from, 'f', 'original');
    const s: StepFor['copy'] = { op: 'copy', from, to };
    let info = await beginInfo(cx, s);
    await fs.copyTree(from, to, undefined, (root) => (info = { ...info, madeId: `${root.dev}:${root.ino}` }));
    // Replaced after a crash by something else under relocate's name.
    rmSync(to, { recursive: true });
    folder(to, 'decoy', "not relocate's");
    await expect(undoStep(cx, s, info, false, false)).rejects.toMatchObject({ code: 'E_DRIFT', path: to });
    await expect(clearPartial(cx, s, info)).rejects.toMatchObject({ code: 'E_DRIFT', path: to });
    expect(readFileSync(path.join(to, 'decoy'), 'utf8')).toBe("not relocate's");
    // No record of the root at all (a crash before relocate could journal it): only an empty folder is removed.
    const bare = { fromId: info!.fromId };
    await expect(undoStep(cx, s, bare, false, false)).rejects.toMatchObject({ code: 'E_DRIFT' });
    rmSync(path.join(to, 'decoy'));
    expect(await undoStep(cx, s, bare, false, false)).toBeUndefined();
    expect(lstatSync(to, { throwIfNoEntry: false })).toBeUndefined();
  });

  it('copy of a single file: the root is reported before it is filled, and the copy is exact', async () => {
    const c = box();
    const from = path.join(c.A, 'file.bin');
    writeFileSync(from, Buffer.alloc(100_000, 7));
    const to = path.join(c.B, 'file.bin.relocate-partial-x');
    let sizeAtReport = -1;
    await fs.copyTree(from, to, undefined, () => (sizeAtReport = lstatSync(to).size));
    expect(sizeAtReport).toBe(0);
    expect(readFileSync(to).equals(readFileSync(from))).toBe(true);
    await fs.verify(from, to, 'content', false);
  });

  it('delete: what sits at the path is not what relocate began deleting → E_DRIFT, left alone', async () => {
    const c = box();
    const p = path.join(c.A, 'Games.relocate-old-x');
    const twin = path.join(c.B, 'Games');
    folder(p, 'f', 'same');
    folder(twin, 'f', 'same');
    const s: StepFor['delete'] = { op: 'delete', path: p, twin };
    const info = await beginInfo(cx, s);
    rmSync(p, { recursive: true });
    folder(p, 'other', "someone else's folder");
    await expect(clearPartial(cx, s, info)).rejects.toMatchObject({ code: 'E_DRIFT', path: p });
    await expect(undoStep(cx, s, info, false, false)).rejects.toMatchObject({ code: 'E_DRIFT', path: p });
    expect(readFileSync(path.join(p, 'other'), 'utf8')).toBe("someone else's folder");
  });
});

describe.skipIf(NO_TMPFS)('what an undo itself makes, and the folders a run made, are checked by identity too', () => {
  it('mkdirs: a folder that is not the one the step made is not removed, even empty', async () => {
    const c = box();
    const made = path.join(c.B, 'new', 'deep');
    const s: StepFor['mkdirs'] = { op: 'mkdirs', path: made };
    const info = await beginInfo(cx, s);
    await fs.mkdirs(made);
    const ids = { ...info, madeIds: Object.fromEntries((info!.created as string[]).map((d) => [d, `${lstatSync(d).dev}:${lstatSync(d).ino}`])) };
    // Someone replaced the inner folder with their own (empty) one.
    rmSync(made, { recursive: true });
    mkdirSync(made);
    expect(await undoStep(cx, s, ids, true, false)).toBeUndefined();
    expect(lstatSync(made).isDirectory(), "not relocate's: kept").toBe(true);
  });

  it('delete undo: a leftover at the undo staging name that the journal does not say relocate made is not deleted', async () => {
    const c = box();
    const p = path.join(c.A, 'Games.relocate-old-x');
    const twin = path.join(c.B, 'Games');
    folder(p, 'f', 'same');
    folder(twin, 'f', 'same');
    const s: StepFor['delete'] = { op: 'delete', path: p, twin };
    const info = await beginInfo(cx, s);
    await fs.deleteTree(p);
    const undoStaging = stagingName(p, 'undo');
    folder(undoStaging, 'decoy', "not relocate's");
    await expect(undoStep(cx, s, { ...info, restoredId: '1:1' }, true, false)).rejects.toMatchObject({ code: 'E_DRIFT', path: undoStaging });
    expect(readFileSync(path.join(undoStaging, 'decoy'), 'utf8')).toBe("not relocate's");
    // Its own (journaled) copy is replaced, and the put-back copy reported for the journal.
    rmSync(undoStaging, { recursive: true });
    let restored: unknown;
    expect(await undoStep(cx, s, info, true, false, (m) => (restored = m.restoredId))).toBeUndefined();
    // dev:ino, and the file system's fsid where it has one (src/exec/identity.ts).
    expect(restored).toMatch(new RegExp(`^${lstatSync(p).dev}:${lstatSync(p).ino}(:[0-9a-f]+\\.[0-9a-f]+)?$`));
    expect(readFileSync(path.join(p, 'f'), 'utf8')).toBe('same');
  });
});

describe.skipIf(NO_TMPFS)('identity checks in whole runs', () => {
  it('resume: a staging copy replaced after a crash is neither renamed into the target nor deleted', async () => {
    const c = box();
    const link = path.join(c.A, 'Games');
    const target = path.join(c.B, 'Games');
    folder(link, 'save', 'the original');
    c.write([{ link, target, type: 'symlink' }]);
    const plan = await c.plan();
    // The run stops right after the verify (the rename staging → target fails, left unfinished).
    const out = await startRun(plan, {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: new FaultyFs(new NodeFs(), { kind: 'rename', n: 1, timing: 'before', errno: 'EIO' }),
      verify: 'meta',
      noRollback: true,
    });
    expect(out.result).toBe('failed');
    const staging = readdirSync(c.B)
      .map((x) => path.join(c.B, x))
      .find((x) => x.includes('.relocate-partial-'))!;
    expect(staging).toBeDefined();
    // Swapped for something else under the same name.
    renameSync(staging, `${staging}.moved-by-user`);
    folder(staging, 'decoy', "not relocate's");
    const resumed = await resumeRun(await reload(c.stateDir, out.record.id), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, noRollback: true });
    expect(resumed.error?.code).toBe('E_DRIFT');
    expect(lstatSync(target, { throwIfNoEntry: false }), 'nothing renamed into the target').toBeUndefined();
    expect(readFileSync(path.join(staging, 'decoy'), 'utf8')).toBe("not relocate's");
    expect(readFileSync(path.join(link, 'save'), 'utf8')).toBe('the original');
    // Rolling back deletes nothing relocate did not make either: the decoy stays (skipped with --force).
    const back = await rollbackRun(await reload(c.stateDir, out.record.id), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, force: true });
    expect(back.result).toBe('rolled-back');
    expect(readFileSync(path.join(staging, 'decoy'), 'utf8')).toBe("not relocate's");
    expect(readFileSync(path.join(link, 'save'), 'utf8')).toBe('the original');
  });

  it('kill -9 once the copy is verified, the staging copy swapped, then resume: E_DRIFT before the rename, nothing moved into the target', async () => {
    const setUp = (c: ReturnType<typeof box>) => {
      folder(path.join(c.A, 'Games'), 'save', 'the original');
      c.write([{ link: path.join(c.A, 'Games'), target: path.join(c.B, 'Games'), type: 'symlink' }]);
    };
    const probe = box();
    setUp(probe);
    const line = await journalLineOf(probe, (l, op) => l.t === 'done' && op === 'verify');
    const c = box();
    setUp(c);
    const killed = await cliIn(c, ['apply', c.manifest, '--yes', '--json'], line);
    expect(killed.status === null || killed.status === 137, killed.stderr).toBe(true);
    const staging = readdirSync(c.B)
      .map((x) => path.join(c.B, x))
      .find((x) => x.includes('.relocate-partial-'))!;
    renameSync(staging, `${staging}.moved-by-user`);
    folder(staging, 'save', 'the original');
    const resumed = await cliIn(c, ['resume', '--yes', '--json', '--no-rollback']);
    expect(resumed.status).toBe(1);
    expect(resumed.stdout).toContain('E_DRIFT');
    expect(lstatSync(path.join(c.B, 'Games'), { throwIfNoEntry: false }), 'nothing renamed into the target').toBeUndefined();
    expect(readFileSync(path.join(staging, 'save'), 'utf8')).toBe('the original');
    expect(readFileSync(path.join(c.A, 'Games', 'save'), 'utf8')).toBe('the original');
  }, 60_000);

  it('rollback of a finished cross-volume move (the set-aside copy restored, then moved back) still passes its own identity checks', async () => {
    const c = box();
    const link = path.join(c.A, 'Games');
    folder(path.join(link, 'sub'), 'save', 'kept');
    c.write([{ link, target: path.join(c.B, 'Games'), type: 'symlink' }]);
    const before = c.snap();
    const out = await startRun(await c.plan(), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, verify: 'meta', noRollback: false });
    expect(out.result).toBe('done');
    const back = await rollbackRun(await reload(c.stateDir, out.record.id), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, force: false });
    expect(back.error).toBeUndefined();
    expect(c.snap()).toEqual(before);
  });
});

describe.skipIf(NO_TMPFS)('issue 13 §5: resume re-verifies the twin before it goes on with a delete', () => {
  /** Builds the case, and returns the number of the journal line that begins the delete of the set-aside original. */
  async function setUp(c: ReturnType<typeof box>) {
    const link = path.join(c.A, 'Games');
    const target = path.join(c.B, 'Games');
    folder(path.join(link, 'levels'), 'one.dat', 'level one, as the user made it');
    writeFileSync(path.join(link, 'save.dat'), 'the save game, 1234567890');
    c.write([{ link, target, type: 'symlink' }]);
    return { link, target };
  }
  const cli = cliIn;

  it("kill -9 right after the delete's begin line, the copy damaged, then resume: E_VERIFY, the original kept; rollback then keeps every byte", async () => {
    // A clean run first, to learn which journal line begins the delete (the layout is the same every time).
    const probe = box();
    await setUp(probe);
    const beginLine = await journalLineOf(probe, (l, op) => l.t === 'begin' && op === 'delete');

    const c = box();
    const { link, target } = await setUp(c);
    const before = c.snap();
    const killed = await cli(c, ['apply', c.manifest, '--yes', '--json'], beginLine);
    expect(killed.status === null || killed.status === 137, killed.stderr).toBe(true);
    const aside = readdirSync(c.A)
      .map((x) => path.join(c.A, x))
      .find((x) => x.includes('.relocate-old-'))!;
    expect(aside, 'the original, set aside, is still whole').toBeDefined();
    // A power cut took unsynced data of the copy: same size, other bytes.
    writeFileSync(path.join(target, 'save.dat'), 'the save game, 0000000000');
    const resumed = await cli(c, ['resume', '--yes', '--json', '--no-rollback']);
    expect(resumed.status, resumed.stdout + resumed.stderr).toBe(1);
    expect(resumed.stdout + resumed.stderr).toContain('E_VERIFY');
    expect(resumed.stdout + resumed.stderr).not.toMatch(/Resumed and finished/);
    expect(readFileSync(path.join(aside, 'save.dat'), 'utf8'), 'the original kept').toBe('the save game, 1234567890');
    expect(readFileSync(path.join(aside, 'levels', 'one.dat'), 'utf8')).toBe('level one, as the user made it');
    const back = await cli(c, ['rollback', '--yes', '--json']);
    expect(back.status, back.stdout + back.stderr).toBe(0);
    expect(readFileSync(path.join(link, 'save.dat'), 'utf8')).toBe('the save game, 1234567890');
    expect(c.snap()).toEqual(before);
  }, 60_000);

  it('the same crash and damage, then a plain resume (which rolls back on failure): E_VERIFY and the original back in place', async () => {
    const c = box();
    const { link, target } = await setUp(c);
    const before = c.snap();
    const plan = await c.plan();
    // In-process: the delete fails before it deletes anything, leaving it begun (as a crash does).
    const out = await startRun(plan, {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: new FaultyFs(new NodeFs(), { kind: 'delete', n: 1, timing: 'before', errno: 'EIO' }),
      verify: 'meta',
      noRollback: true,
    });
    expect(out.result).toBe('failed');
    writeFileSync(path.join(target, 'levels', 'one.dat'), 'level one, as the user xxxx it');
    const resumed = await resumeRun(await reload(c.stateDir, out.record.id), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, noRollback: false });
    expect(resumed.error?.code).toBe('E_VERIFY');
    expect(resumed.error?.hint).not.toMatch(/delete/i);
    expect(resumed.result).toBe('rolled-back');
    expect(readFileSync(path.join(link, 'levels', 'one.dat'), 'utf8')).toBe('level one, as the user made it');
    expect(c.snap()).toEqual(before);
  });

  it('a delete cut short halfway, then the copy damaged: resume deletes nothing more, and rollback keeps both rather than replace what is left', async () => {
    const c = box();
    const { target } = await setUp(c);
    const plan = await c.plan();
    const out = await startRun(plan, {
      journalDisk: nodeJournalDisk,
      stateDir: c.stateDir,
      fs: new FaultyFs(new NodeFs(), { kind: 'delete', n: 1, timing: 'partial', k: 1, errno: 'EIO' }),
      verify: 'meta',
      noRollback: true,
    });
    expect(out.result).toBe('failed');
    const aside = readdirSync(c.A)
      .map((x) => path.join(c.A, x))
      .find((x) => x.includes('.relocate-old-'))!;
    const left = contents(aside);
    expect(left.size).toBe(1);
    // Damage the twin of whatever is left.
    for (const [rel] of Object.entries(contentOf(aside))) writeFileSync(path.join(target, rel), 'damaged');
    const resumed = await resumeRun(await reload(c.stateDir, out.record.id), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, noRollback: true });
    expect(resumed.error?.code).toBe('E_VERIFY');
    expect(contents(aside)).toEqual(left);
    const back = await rollbackRun(await reload(c.stateDir, out.record.id), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, force: false });
    expect(back.result).toBe('failed');
    expect(back.error?.code).toBe('E_DRIFT');
    expect(back.error?.hint).not.toMatch(/\bdelete (it|the|this)\b/i);
    expect(contents(aside), 'what is left of the original is kept').toEqual(left);
  });
});
