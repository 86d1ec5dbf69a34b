/**
 * Issue 13 §1 and §5 at random (fast-check). Two properties, on two tmpfs
 * volumes, in-process:
 *
 * 1. Shared targets: several entries naming one target, each link path
 *    holding data or nothing, the target absent or holding data. The plan
 *    refuses (E_SHARED_TARGET) exactly when two or more entries would put
 *    data into it (or one would and another creates it); run anyway, as an
 *    older relocate or a forged plan would, then rolled back — and, where a
 *    rollback stops naming a partial copy as its obstacle, after the user
 *    deletes that partial copy as told — no byte of any entry is lost.
 * 2. Tampering between a stop and resume/rollback: a cross-volume move stops
 *    at a random fault (a crash's stand-in: the journal says "begun"), then
 *    one of relocate's own names on disk is swapped for a decoy (the real
 *    one kept under another name), or a decoy is put at one of its names
 *    that is absent; then resume or rollback (with or without --force).
 *    Nothing relocate did not make is ever renamed or deleted (the decoy is
 *    intact, where it was put), and no byte of the original is lost.
 *
 * `STRESS=N` multiplies the case counts, as in the other harnesses.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { resumeRun, rollbackRun, startRun } from '../../src/exec/run-control.js';
import { stagingName } from '../../src/core/own-names.js';
import type { Step } from '../../src/exec/steps.js';
import type { Plan } from '../../src/plan/types.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { FaultyFs, type FaultSpec } from '../fault/faulty-fs.js';
import { seededBytes } from '../helpers/crash-tree.js';
import { tmpfsReason, volumePairForFile } from '../helpers/tmpfs.js';
import { inventory, lostFiles, newFigures, planFor, printFigures, reload, STRESS, totalBytes, type EntryPaths } from './harness.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/property/identity: skipped: ${NO_TMPFS}`);

const vols = volumePairForFile('prop-identity', 32);
const figures = newFigures();
figures.sharedTargetsRefused = 0;
figures.tamperings = 0;
figures.forcedRuns = 0;
figures.decoysKept = 0;
afterAll(() => printFigures('identity (issue 13: shared targets, tampering)', figures));

let caseNo = 0;
const fs = new NodeFs();

/** A small random tree: a few files (one nested), each of seeded bytes. */
const treeArb = fc.record({ files: fc.integer({ min: 1, max: 4 }), size: fc.integer({ min: 0, max: 3000 }), seed: fc.integer({ min: 1, max: 1e6 }) });
type TreeArb = { files: number; size: number; seed: number };

function buildData(root: string, t: TreeArb, tag: string): void {
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  for (let i = 0; i < t.files; i++) {
    // The tag makes every entry's bytes its own: a file lost from one entry cannot be "found" in another.
    writeFileSync(path.join(root, i === 0 ? 'sub' : '', `f${i}.bin`), Buffer.concat([Buffer.from(`${tag}:${i}:`), seededBytes(t.seed + i, t.size)]));
  }
}

function freshCase() {
  const id = `c${caseNo++}`;
  const A = path.join(vols.volA(), id);
  const B = path.join(vols.volB(), id);
  const meta = path.join(vols.scratch(), `${id}-meta`);
  for (const d of [A, B, meta]) mkdirSync(d, { recursive: true });
  return { A, B, manifest: path.join(meta, 'relocate.yaml'), stateDir: path.join(meta, 'state') };
}

const RUNS = 12 * STRESS;

describe.skipIf(NO_TMPFS)('shared targets, at random', () => {
  it('refused exactly when two entries would fill one target; forced through, no byte is lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(treeArb, { nil: undefined, freq: 3 }), { minLength: 2, maxLength: 4 }),
        fc.option(treeArb, { nil: undefined, freq: 2 }),
        fc.array(fc.constantFrom('fail', 'merge', 'backup'), { minLength: 4, maxLength: 4 }),
        fc.boolean(),
        fc.boolean(),
        async (links, targetData, strategies, crossVolume, forceRollback) => {
          const c = freshCase();
          const target = path.join(crossVolume ? c.B : c.A, 'T');
          if (targetData) buildData(target, targetData, 'target');
          const entries: EntryPaths[] = links.map((_, i) => ({ link: path.join(c.A, `L${i}`), target }));
          links.forEach((t, i) => t && buildData(entries[i]!.link, t, `L${i}`));
          writeFileSync(c.manifest, JSON.stringify({ version: 1, links: entries.map((e, i) => ({ ...e, type: 'symlink', conflict: strategies[i] })) }));
          const before = inventory(c.A, c.B);
          const plan = await planFor(c.manifest, c.stateDir);
          const shared = plan.findings.some((f) => f.code === 'E_SHARED_TARGET');
          const movers = plan.entries.filter((p) => p.action === 'move' || p.action === 'merge').length;
          const creators = plan.entries.filter((p) => p.action === 'create').length;
          expect(shared, `${plan.entries.map((p) => p.action).join(',')}`).toBe(movers >= 2 || (movers >= 1 && creators >= 1));
          if (shared) {
            figures.sharedTargetsRefused++;
            expect(plan.blocked).toBe(true);
          }
          // Forced through: every other refusal stays (a conflict blocks the run as it always did).
          const forced: Plan = { ...plan, findings: plan.findings.filter((f) => f.code !== 'E_SHARED_TARGET') };
          forced.blocked =
            forced.summary.conflicts > 0 ||
            forced.findings.some((f) => f.severity === 'error') ||
            forced.entries.some((p) => p.findings.some((f) => f.severity === 'error'));
          if (!forced.blocked) {
            figures.forcedRuns++;
            const out = await startRun(forced, { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, verify: 'meta', noRollback: false });
            let record = out.record;
            if (out.result === 'failed') {
              const obstacle = out.undoError?.path;
              if (obstacle?.includes('.relocate-partial-')) rmSync(obstacle, { recursive: true, force: true });
              record = await reload(c.stateDir, out.record.id);
              await rollbackRun(record, { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, force: forceRollback });
            } else if (out.result === 'done') {
              await rollbackRun(await reload(c.stateDir, record.id), { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, force: forceRollback });
            }
          }
          const lost = lostFiles(before, entries);
          figures.dataLost += lost.bytes;
          figures.bytesVerified += totalBytes(before);
          figures.cases++;
          expect(lost.lost.map((f) => f.path)).toEqual([]);
        },
      ),
      { numRuns: RUNS },
    );
  }, 300_000);
});

/** Faults that stop a cross-volume move partway: each leaves one step begun, as a crash would. */
const FAULTS: FaultSpec[] = [
  { kind: 'copy', n: 1, timing: 'partial', errno: 'EIO' },
  { kind: 'copy', n: 1, timing: 'after', errno: 'EIO' },
  { kind: 'rename', n: 1, timing: 'before', errno: 'EIO' },
  { kind: 'rename', n: 1, timing: 'after', errno: 'EIO' },
  { kind: 'rename', n: 2, timing: 'before', errno: 'EIO' },
  { kind: 'rename', n: 2, timing: 'after', errno: 'EIO' },
  { kind: 'link', n: 1, timing: 'before', errno: 'EIO' },
  { kind: 'delete', n: 1, timing: 'before', errno: 'EIO' },
  { kind: 'delete', n: 1, timing: 'partial', errno: 'EIO', k: 1 },
];

describe.skipIf(NO_TMPFS)("tampering with relocate's own names between a stop and resume or rollback, at random", () => {
  it('nothing relocate did not make is renamed or deleted, and no byte is lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        treeArb,
        fc.integer({ min: 0, max: FAULTS.length - 1 }),
        fc.constantFrom('swap', 'decoy-at-absent'),
        fc.nat(),
        fc.constantFrom('resume', 'rollback', 'rollback-force'),
        async (tree, faultIx, how, pick, then) => {
          const c = freshCase();
          const link = path.join(c.A, 'Games');
          const target = path.join(c.B, 'Games');
          buildData(link, tree, 'games');
          writeFileSync(c.manifest, JSON.stringify({ version: 1, links: [{ link, target, type: 'symlink' }] }));
          const before = inventory(c.A, c.B);
          const plan = await planFor(c.manifest, c.stateDir);
          const faulty = new FaultyFs(new NodeFs(), FAULTS[faultIx]!);
          const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs: faulty, verify: 'meta', noRollback: true });
          if (faulty.fired) figures.faultsInjected++;
          // relocate's own names of this run, from its steps.
          const own = [...new Set(out.record.steps.flatMap((rs) => namesOf(rs.step)).filter((p) => p.includes('.relocate-')))];
          const present = own.filter((p) => exists(p));
          const absent = own.filter((p) => !exists(p));
          let decoy: string | undefined;
          if (how === 'swap' && present.length > 0) {
            decoy = present[pick % present.length]!;
            renameSync(decoy, `${decoy}.kept-by-test`);
          } else if (absent.length > 0) {
            decoy = absent[pick % absent.length]!;
          }
          if (decoy) {
            mkdirSync(decoy);
            writeFileSync(path.join(decoy, 'decoy.txt'), "not relocate's");
            figures.tamperings++;
          }
          const record = await reload(c.stateDir, out.record.id);
          if (out.result === 'failed') {
            if (then === 'resume') await resumeRun(record, { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, noRollback: false });
            else await rollbackRun(record, { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, force: then === 'rollback-force' });
          } else if (out.result === 'done') {
            await rollbackRun(record, { journalDisk: nodeJournalDisk, stateDir: c.stateDir, fs, force: then === 'rollback-force' }).catch(() => undefined);
          }
          if (decoy) {
            expect(readFileSync(path.join(decoy, 'decoy.txt'), 'utf8'), `the decoy at ${decoy} (${then}, fault ${JSON.stringify(FAULTS[faultIx])})`).toBe(
              "not relocate's",
            );
            expect(readdirSync(decoy)).toEqual(['decoy.txt']);
            figures.decoysKept++;
          }
          const lost = lostFiles(before, [{ link, target }]);
          figures.dataLost += lost.bytes;
          figures.bytesVerified += totalBytes(before);
          figures.cases++;
          expect(
            lost.lost.map((f) => f.path),
            `${then}, fault ${JSON.stringify(FAULTS[faultIx])}, ${how} ${decoy}`,
          ).toEqual([]);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  }, 300_000);
});

function namesOf(s: Step): string[] {
  switch (s.op) {
    case 'rename':
    case 'copy':
      return [s.from, s.to];
    case 'delete':
      return [s.path, stagingName(s.path, 'undo')];
    case 'mkdirs':
    case 'verify':
    case 'link':
    case 'check-link':
    case 'check-in-use':
    case 'unlink':
      return [];
  }
}

function exists(p: string): boolean {
  try {
    return readdirSync(path.dirname(p)).includes(path.basename(p));
  } catch {
    return false;
  }
}
