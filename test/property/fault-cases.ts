/**
 * One randomized fault case of the "never loses data" harness (issue 6),
 * driven in-process: build a random sandbox and manifest, plan it, apply
 * it cleanly while counting every Fs call (FaultyFs without a fault), check
 * the end state, roll back and check the exact original; then apply again
 * with one fault at a random call of a random kind (in the apply, or in a
 * rollback of the applied run), and check after every stage:
 *
 * - no data lost: every file that existed is still somewhere it may be
 *   (its place, or the same relative path under the link, the target, or
 *   relocate's staging/set-aside/backup names beside them), byte for byte;
 *   the folder symlinks lead out to is untouched;
 * - the journal is consistent, and the run's status fits it;
 * - a run that failed is finished by `resume` or `rollback` (random), with
 *   a clean port; a rollback gives back the EXACT original tree (paths,
 *   bytes, modes, mtimes to the ms, link texts, hard-link groups);
 * - after a successful apply a second plan has no changes.
 *
 * The FaultyFs goes in through RunOptions.fs, so the run-control's guard
 * wraps it, as it wraps NodeFs in the CLI.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { RelocateError } from '../../src/core/errors.js';
import { resumeRun, rollbackRun, startRun, type RunOutcome } from '../../src/exec/run-control.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { FAULT_ERRNOS, FAULT_TIMINGS, FaultyFs, type FaultKind, type FaultSpec, type FaultTiming } from '../fault/faulty-fs.js';
import { snapshotTree } from '../helpers/snapshot.js';
import {
  describePlan,
  exactSnapshot,
  hardLinkGroups,
  hasChanges,
  inFlightLeftovers,
  inventory,
  listing,
  lostFiles,
  planFor,
  reload,
  stateProblems,
  totalBytes,
  treeDiffs,
  type EntryPaths,
  type Figures,
} from './harness.js';
import { buildEntry, caseArb, manifestText, type BuiltEntry, type CaseGen } from './scenario.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

export interface FaultPick {
  phase: 'apply' | 'rollback';
  kindI: number;
  nI: number;
  timingI: number;
  errno: (typeof FAULT_ERRNOS)[number];
  k: number;
  noRollback: boolean;
  finish: 'resume' | 'rollback';
  /** A second fault while recovering (the first resume or rollback after the fault): its kind and call. */
  second?: { kindI: number; n: number; timingI: number };
}

export const pickArb: fc.Arbitrary<FaultPick> = fc.record({
  phase: fc.constantFrom('apply', 'apply', 'apply', 'rollback'),
  kindI: fc.nat(10_000),
  nI: fc.nat(1_000_000),
  timingI: fc.nat(100),
  errno: fc.constantFrom(...FAULT_ERRNOS),
  k: fc.nat(6),
  noRollback: fc.constantFrom(false, false, false, true),
  finish: fc.constantFrom('resume', 'rollback'),
  second: fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.record({ kindI: fc.nat(100), n: fc.integer({ min: 1, max: 6 }), timingI: fc.nat(100) }) },
  ),
});

export const faultCaseArb = (maxEntries: number, maxOps: number) => fc.tuple(caseArb(maxEntries, maxOps), pickArb);

/** Picks a fault among the calls a clean run made: a kind that occurred, then one of its calls. */
export function chooseFault(pick: FaultPick, counts: Record<FaultKind, number>): FaultSpec | undefined {
  const kinds = (Object.keys(counts) as FaultKind[]).filter((k) => counts[k] > 0);
  if (kinds.length === 0) return undefined;
  const kind = kinds[pick.kindI % kinds.length]!;
  const timings = FAULT_TIMINGS[kind];
  return { kind, n: 1 + (pick.nI % counts[kind]), timing: timings[pick.timingI % timings.length]!, errno: pick.errno, k: pick.k };
}

class CaseFailure extends Error {}

export interface FaultCaseEnv {
  volA: string;
  volB: string;
  figures: Figures;
}

let nextCase = 0;

/** Runs one case; throws (with the story so far) when an invariant breaks. */
export async function runFaultCase(env: FaultCaseEnv, c: CaseGen, pick: FaultPick): Promise<void> {
  const id = `c${process.pid}-${nextCase++}`;
  const roots = { a: path.join(env.volA, id), b: path.join(env.volB, id), outside: path.join(env.volA, `${id}-out`) };
  const meta = path.join(env.volA, `${id}-meta`);
  const stateDir = path.join(meta, 'state');
  const manifest = path.join(meta, 'relocate.yaml');
  const story: string[] = [];
  const fail = (what: string): never => {
    throw new CaseFailure(`${what}\n--- story:\n${story.join('\n')}\n--- disk now:\n${listing(roots.a, roots.b)}`);
  };
  try {
    for (const d of [roots.a, roots.b, roots.outside, meta]) mkdirSync(d, { recursive: true });
    writeFileSync(path.join(roots.outside, 'readme.txt'), 'outside every tree\n');
    const built: BuiltEntry[] = c.entries.map((g, i) => buildEntry(roots, i, g));
    writeFileSync(manifest, manifestText(built));
    const paths: EntryPaths[] = built.map((b) => ({ link: b.link, target: b.target, ...(b.oldTarget ? { oldTarget: b.oldTarget } : {}) }));
    const dataRoots = [roots.a, roots.b, roots.outside];
    const original = exactSnapshot(...dataRoots);
    // Hard links are compared outside merges: a merge takes an identical file once from the target, so a
    // name hard-linked to one that moved comes back on rollback as a copy (bytes, mode and times exact).
    const merges = built.filter((b) => b.gen.situation === 'merge').flatMap((b) => [b.link, b.target]);
    const linkGroups = () => hardLinkGroups(...dataRoots).filter((g) => !g.some((p) => merges.some((m) => p === m || p.startsWith(m + '/'))));
    const originalLinks = linkGroups();
    const outsideBefore = snapshotTree(roots.outside);
    const files = inventory(...dataRoots);
    env.figures.retargets = (env.figures.retargets ?? 0) + built.filter((b) => b.gen.situation === 'retarget').length;
    story.push(
      `entries: ${built.map((b) => `${b.gen.situation}${b.gen.crossVolume ? '(x)' : ''}`).join(', ')}; verify ${c.verify}; pick ${JSON.stringify(pick)}`,
    );

    const expectNothingLost = (when: string) => {
      const { lost, bytes } = lostFiles(files, paths);
      env.figures.dataLost += bytes;
      if (lost.length > 0)
        fail(
          `${when}: ${lost.length} file(s), ${bytes} bytes, have no copy left: ${lost
            .slice(0, 5)
            .map((f) => f.path)
            .join(', ')}`,
        );
      const out = snapshotTree(roots.outside);
      if (JSON.stringify(out) !== JSON.stringify(outsideBefore)) fail(`${when}: the folder outside every tree changed`);
      env.figures.bytesVerified += totalBytes(files);
    };
    const expectOriginal = async (when: string) => {
      expectNothingLost(when);
      const diff = treeDiffs(original, exactSnapshot(...dataRoots));
      if (diff.length > 0) fail(`${when}: not the exact original tree:\n  ${diff.slice(0, 8).join('\n  ')}`);
      const groups = linkGroups();
      if (JSON.stringify(groups) !== JSON.stringify(originalLinks))
        fail(`${when}: hard-link groups changed:\n${JSON.stringify(originalLinks)}\n${JSON.stringify(groups)}`);
      const problems = await stateProblems(stateDir);
      if (problems.length > 0) fail(`${when}: journal problems:\n  ${problems.join('\n  ')}`);
    };
    const expectApplied = async (when: string) => {
      expectNothingLost(when);
      const left = inFlightLeftovers(roots.a, roots.b);
      if (left.length > 0) fail(`${when}: relocate's in-flight copies are left: ${left.join(', ')}`);
      const again = await planFor(manifest, stateDir);
      if (hasChanges(again)) fail(`${when}: a second plan is not a no-op:\n${describePlan(again)}`);
      const problems = await stateProblems(stateDir);
      if (problems.length > 0) fail(`${when}: journal problems:\n  ${problems.join('\n  ')}`);
    };
    const outcome = (o: RunOutcome, what: string) => {
      story.push(
        `${what}: ${o.result}${o.error ? ` (${o.error.code} ${o.error.message})` : ''}${o.undoError ? ` undo: ${o.undoError.code} ${o.undoError.message}` : ''}`,
      );
      return o;
    };
    /** A run refused before its first step (a rollback whose drift check could not read the disk) changed nothing. */
    const refusedOrRun = async (what: string, f: () => Promise<RunOutcome>): Promise<RunOutcome | undefined> => {
      try {
        return outcome(await f(), what);
      } catch (err) {
        const e = err as RelocateError;
        if (!(e instanceof RelocateError)) throw err;
        story.push(`${what}: refused before starting (${e.code} ${e.message})`);
        return undefined;
      }
    };

    // Phase 1: a clean apply and rollback, counting the Fs calls of each.
    const plan1 = await planFor(manifest, stateDir);
    story.push(`plan:\n${describePlan(plan1)}`);
    if (plan1.blocked) fail('the plan of a generated case is blocked');
    for (const [i, b] of built.entries()) {
      const p = plan1.entries.find((x) => x.index === i);
      if (!p || !b.expect.includes(p.action)) fail(`entry ${i} (${b.gen.situation}) planned as ${p?.action}, expected ${b.expect.join(' or ')}`);
    }
    env.figures.cases++;
    if (!hasChanges(plan1)) {
      await expectOriginal('a plan with nothing to do');
      return;
    }
    const counter = new FaultyFs(new NodeFs());
    const o1 = outcome(await startRun(plan1, { journalDisk: nodeJournalDisk, stateDir, fs: counter, verify: c.verify, noRollback: false }), 'clean apply');
    if (o1.result !== 'done') fail('a clean apply did not finish');
    const applyCounts = { ...counter.calls };
    await expectApplied('after a clean apply');
    counter.arm(undefined);
    const r1 = outcome(
      await rollbackRun(await reload(stateDir, o1.record.id), { journalDisk: nodeJournalDisk, stateDir, fs: counter, force: false }),
      'clean rollback',
    );
    if (r1.result !== 'rolled-back') fail('a clean rollback did not finish');
    const rollbackCounts = { ...counter.calls };
    await expectOriginal('after a clean rollback');

    // Phase 2: the same again with one fault.
    const plan2 = await planFor(manifest, stateDir);
    const faulty = new FaultyFs(new NodeFs());
    let run: RunOutcome;
    if (pick.phase === 'apply') {
      const spec = chooseFault(pick, applyCounts);
      faulty.arm(spec);
      story.push(`fault in apply: ${JSON.stringify(spec)}`);
      run = outcome(
        await startRun(plan2, { journalDisk: nodeJournalDisk, stateDir, fs: faulty, verify: c.verify, noRollback: pick.noRollback }),
        'apply with a fault',
      );
    } else {
      const clean = outcome(await startRun(plan2, { journalDisk: nodeJournalDisk, stateDir, fs: new NodeFs(), verify: c.verify, noRollback: false }), 'apply');
      if (clean.result !== 'done') fail('a clean apply did not finish');
      const spec = chooseFault(pick, rollbackCounts);
      faulty.arm(spec);
      story.push(`fault in rollback: ${JSON.stringify(spec)}`);
      run =
        (await refusedOrRun('rollback with a fault', async () =>
          rollbackRun(await reload(stateDir, clean.record.id), { journalDisk: nodeJournalDisk, stateDir, fs: faulty, force: false }),
        )) ?? clean;
    }
    if (faulty.fired) {
      env.figures.faultsInjected++;
      story.push(`fired: ${faulty.fired.kind} #${faulty.fired.n} ${faulty.fired.timing} ${faulty.fired.errno} at ${faulty.fired.op} ${faulty.fired.path}`);
    }
    expectNothingLost(`right after the ${pick.phase} with a fault`);
    const problems = await stateProblems(stateDir, { allowUnfinished: true });
    if (problems.length > 0) fail(`journal problems right after the fault:\n  ${problems.join('\n  ')}`);

    // Finish whatever the fault left, like a user would: the first attempt sometimes meets a second
    // fault (recovery on a disk that is still failing); after that, a clean port must finish the job.
    let record = await reload(stateDir, run.record.id);
    for (let round = 0; record.status !== 'done' && record.status !== 'rolled-back'; round++) {
      if (round > 3) fail(`the run is still ${record.status} after ${round} attempts to finish it`);
      const how = record.status === 'rolling-back' ? 'rollback' : pick.finish;
      let port = new FaultyFs(new NodeFs());
      if (round === 0 && pick.second) {
        // Half aim at the recovery's first changes whatever they are (the undo of a partly deleted original restores
        // before anything else: a fault there is a recovery cut short twice), half at a call of a given kind.
        const kinds = [
          'any-change',
          'any-change',
          'any-change',
          'any-change',
          'any-change',
          'any-change',
          'any-change',
          'rename',
          'copy',
          'write',
          'mkdir',
          'link',
          'delete',
          'read',
          'sync',
        ] as const;
        const kind = kinds[pick.second.kindI % kinds.length]!;
        const timings: readonly FaultTiming[] = kind === 'any-change' ? ['before', 'after', 'partial'] : FAULT_TIMINGS[kind];
        const second: FaultSpec = {
          kind,
          n: kind === 'any-change' ? 1 + ((pick.second.n - 1) % 3) : pick.second.n,
          timing: timings[pick.second.timingI % timings.length]!,
          errno: pick.errno,
          k: pick.k,
        };
        port = new FaultyFs(new NodeFs(), second);
        story.push(`second fault armed for the ${how}: ${JSON.stringify(second)}`);
      }
      const o =
        how === 'resume'
          ? outcome(await resumeRun(record, { journalDisk: nodeJournalDisk, stateDir, fs: port, noRollback: false }), `resume of a ${record.status} run`)
          : await refusedOrRun(`rollback of a ${record.status} run`, () =>
              rollbackRun(record, { journalDisk: nodeJournalDisk, stateDir, fs: port, force: false }),
            );
      if (port.fired) {
        env.figures.faultsInjected++;
        env.figures.secondFaults = (env.figures.secondFaults ?? 0) + 1;
        story.push(`second fault fired: ${port.fired.kind} #${port.fired.n} ${port.fired.timing} at ${port.fired.op} ${port.fired.path}`);
        expectNothingLost('right after a second fault');
      } else if (!o || o.result === 'failed') fail(`finishing the run with a clean port failed`);
      record = await reload(stateDir, run.record.id);
    }
    if (record.status === 'done') {
      await expectApplied('after the run finished');
      const back = outcome(
        await rollbackRun(record, { journalDisk: nodeJournalDisk, stateDir, fs: new NodeFs(), force: false }),
        'rollback of the finished run',
      );
      if (back.result !== 'rolled-back') fail('rolling back the finished run failed');
    }
    await expectOriginal('at the end');
  } finally {
    for (const d of [roots.a, roots.b, roots.outside, meta]) rmSync(d, { recursive: true, force: true });
  }
}
