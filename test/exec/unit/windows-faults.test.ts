/**
 * Issue 17 §4: the fault harness (test/fault/faulty-fs.ts, as
 * test/property/fault-cases.ts drives it on tmpfs) run in-process with
 * Windows paths on the in-memory disk's Windows flavour, without Wine.
 *
 * For each entry of the Windows scenario (windows-plans.ts), a clean run
 * counts the port calls of each kind; then every call of every kind fails
 * in turn, before it acts and after it acted (an error reported for a
 * change that happened), with the errnos a disk gives (EIO, EACCES, EPERM,
 * EBUSY: Windows' sharing violation, ENOSPC, EXDEV), first in the apply
 * (the automatic rollback follows; a third with --no-rollback, left for a
 * later resume or rollback) and then in the rollback of a finished run. After each: no byte lost; a run rolled back is the exact original;
 * a run left unfinished is finished by a clean `rollback` (or `resume`) and
 * checked the same way. A rollback also keeps every original file that was
 * still on the disk when it began as that very file (mem-fs/survivors.ts):
 * a copy of it from the twin would match in every other way. (`partial` faults write to a real disk in
 * FaultyFs, so they are left to the POSIX harness.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nodeJournalDisk } from '../../../src/platform/journal-fs.js';
import { resumeRun, rollbackRun, startRun, type RunOutcome } from '../../../src/exec/run-control.js';
import { RunStore } from '../../../src/journal/runs.js';
import { FAULT_ERRNOS, FAULT_TIMINGS, FaultyFs, type FaultKind, type FaultSpec } from '../../fault/faulty-fs.js';
import { PartialFaultFs, type PartialFault } from '../../helpers/mem-fs/partial-faults.js';
import { memFsPort } from '../../helpers/mem-fs/port.js';
import { SurvivorWatch } from '../../helpers/mem-fs/survivors.js';
import {
  buildScenario,
  capture,
  ENTRY_NAMES,
  endStateProblems,
  lostData,
  originalProblems,
  planScenario,
  stateFolder,
} from '../../helpers/mem-fs/windows-plans.js';

const KINDS: FaultKind[] = ['rename', 'copy', 'mkdir', 'link', 'delete', 'sync', 'read'];
/** Reads are many (every lstat): every READ_STRIDE-th is failed, the first and last always. */
const READ_STRIDE = 4;

const figures = { cases: 0, faultsFired: 0, rolledBack: 0, finishedLater: 0 };

type Phase = 'apply' | 'rollback';

/** The calls of each kind a clean apply (or the rollback of a clean apply) makes for one entry. */
async function cleanCounts(index: number, privileged: boolean, phase: Phase): Promise<Record<FaultKind, number>> {
  const s = buildScenario(privileged, index);
  const plan = await planScenario(s);
  const state = stateFolder();
  try {
    const counter = new FaultyFs(memFsPort(s.disk));
    const o = await startRun(plan, {
      stateDir: state.dir,
      journalDisk: nodeJournalDisk,
      fs: phase === 'apply' ? counter : memFsPort(s.disk),
      verify: 'content',
      noRollback: false,
    });
    if (o.result !== 'done') throw new Error(`a clean apply ended ${o.result}: ${o.error?.message}`);
    if (phase === 'rollback') {
      const r = await rollbackRun(await new RunStore(nodeJournalDisk, state.dir, o.record.id).load(), {
        stateDir: state.dir,
        journalDisk: nodeJournalDisk,
        fs: counter,
        force: false,
      });
      if (r.result !== 'rolled-back') throw new Error(`a clean rollback ended ${r.result}: ${r.error?.message}`);
    }
    return { ...counter.calls };
  } finally {
    state.remove();
  }
}

/** Every fault point of a clean run's calls: each call of each kind, before and after (reads: before, strided). */
function faultPoints(counts: Record<FaultKind, number>): FaultSpec[] {
  const out: FaultSpec[] = [];
  for (const kind of KINDS) {
    for (let n = 1; n <= counts[kind]; n++) {
      if (kind === 'read' && n !== 1 && n !== counts[kind] && n % READ_STRIDE !== 0) continue;
      for (const timing of FAULT_TIMINGS[kind].filter((t) => t !== 'partial'))
        out.push({ kind, n, timing, errno: FAULT_ERRNOS[(out.length * 7 + n) % FAULT_ERRNOS.length]! });
    }
  }
  return out;
}

/** One fault: returns what is wrong (empty: nothing). */
async function faultCase(index: number, privileged: boolean, phase: Phase, spec: FaultSpec | PartialFault): Promise<string[]> {
  const s = buildScenario(privileged, index);
  const before = capture(s);
  // The originals still on the disk as the first rollback begins must come back as those very files (SurvivorWatch).
  const survivors = new SurvivorWatch(s.disk);
  const onEvent = survivors.onEvent;
  const plan = await planScenario(s);
  const state = stateFolder();
  const problems: string[] = [];
  const say = (o: RunOutcome) =>
    `${o.result}${o.error ? ` (${o.error.code}: ${o.error.message})` : ''}${o.undoError ? `; the undo failed: ${o.undoError.code}: ${o.undoError.message}` : ''}`;
  try {
    const faulty = 'timing' in spec ? new FaultyFs(memFsPort(s.disk), spec) : new PartialFaultFs(s.disk, spec);
    let run: RunOutcome;
    if (phase === 'apply') {
      // A third of the applies keep what they did (--no-rollback): a later resume or rollback meets the fault's leftovers.
      run = await startRun(plan, { stateDir: state.dir, journalDisk: nodeJournalDisk, fs: faulty, verify: 'content', noRollback: spec.n % 3 === 0, onEvent });
    } else {
      const done = await startRun(plan, { stateDir: state.dir, journalDisk: nodeJournalDisk, fs: memFsPort(s.disk), verify: 'content', noRollback: false });
      if (done.result !== 'done') return [`the clean apply ended ${say(done)}`];
      const record = await new RunStore(nodeJournalDisk, state.dir, done.record.id).load();
      try {
        run = await rollbackRun(record, { stateDir: state.dir, journalDisk: nodeJournalDisk, fs: faulty, force: false, onEvent });
      } catch {
        // Refused before its first undo (the drift check could not read the disk): nothing changed, the run stays done.
        problems.push(...lostData(s, before).map((p) => `after a refused rollback: ${p}`));
        run = done;
      }
    }
    figures.cases++;
    if (faulty.fired) figures.faultsFired++;
    problems.push(...lostData(s, before).map((p) => `right after the fault (run ${say(run)}): ${p}`));
    let record = await new RunStore(nodeJournalDisk, state.dir, run.record.id).load();
    if (record.status === 'rolled-back') figures.rolledBack++;
    // What the fault left unfinished, a clean port finishes (a rollback, as the CLI suggests; a failed apply resumed half the time).
    for (let round = 0; record.status !== 'done' && record.status !== 'rolled-back'; round++) {
      if (round > 2) return [...problems, `the run is still ${record.status} after ${round} attempts to finish it`];
      figures.finishedLater++;
      const port = memFsPort(s.disk);
      const resume = record.status === 'failed' && spec.n % 2 === 0;
      if (resume) survivors.forget();
      const o = resume
        ? await resumeRun(record, { stateDir: state.dir, journalDisk: nodeJournalDisk, fs: port, noRollback: false, onEvent })
        : await rollbackRun(record, { stateDir: state.dir, journalDisk: nodeJournalDisk, fs: port, force: false, onEvent });
      if (o.result === 'failed') return [...problems, `finishing the ${record.status} run with a clean port failed: ${say(o)}`];
      problems.push(...lostData(s, before).map((p) => `after finishing the run: ${p}`));
      record = await new RunStore(nodeJournalDisk, state.dir, run.record.id).load();
    }
    if (record.status === 'done') {
      problems.push(...(await endStateProblems(s, before)).map((p) => `after the run finished (${say(run)}): ${p}`));
      survivors.forget(); // the finished run's originals were deleted by design: its rollback takes its own
      const back = await rollbackRun(record, { stateDir: state.dir, journalDisk: nodeJournalDisk, fs: memFsPort(s.disk), force: false, onEvent });
      if (back.result !== 'rolled-back') return [...problems, `the rollback of the finished run ended ${say(back)}`];
    }
    problems.push(...originalProblems(s, before).map((p) => `at the end (run ${say(run)}): ${p}`));
    problems.push(...survivors.problems().map((p) => `at the end (run ${say(run)}): ${p}`));
    return problems;
  } finally {
    state.remove();
  }
}

describe.each([{ phase: 'apply' as const }, { phase: 'rollback' as const }])(
  'every port call failing in the $phase, Windows paths on the in-memory Windows disk',
  ({ phase }) => {
    it.each(ENTRY_NAMES)('$name: no byte lost, the original exact after the rollback', async ({ index, privileged }) => {
      const points = faultPoints(await cleanCounts(index, privileged, phase));
      expect(points.length).toBeGreaterThan(5);
      const failures: string[] = [];
      for (const spec of points) {
        const problems = await faultCase(index, privileged, phase, spec);
        if (problems.length > 0) failures.push(`${JSON.stringify(spec)}:\n  ${problems.slice(0, 4).join('\n  ')}`);
      }
      expect(failures.slice(0, 4).join('\n')).toBe('');
    });
  },
);

/** Cut-short cases tried, per phase (summed over the entries). */
const partialTried = { apply: 0, rollback: 0 };

/** The copies and deletes a clean apply (or the rollback of one) makes for one entry. */
async function partialCounts(index: number, privileged: boolean, phase: Phase): Promise<{ copy: number; delete: number }> {
  const s = buildScenario(privileged, index);
  const plan = await planScenario(s);
  const state = stateFolder();
  try {
    const counter = new PartialFaultFs(s.disk);
    const o = await startRun(plan, {
      stateDir: state.dir,
      journalDisk: nodeJournalDisk,
      fs: phase === 'apply' ? counter : memFsPort(s.disk),
      verify: 'content',
      noRollback: false,
    });
    expect(o.result, 'the clean apply the counts come from').toBe('done');
    if (phase === 'rollback')
      await rollbackRun(await new RunStore(nodeJournalDisk, state.dir, o.record.id).load(), {
        stateDir: state.dir,
        journalDisk: nodeJournalDisk,
        fs: counter,
        force: false,
      });
    return { ...counter.calls };
  } finally {
    state.remove();
  }
}

describe.each([{ phase: 'apply' as const }, { phase: 'rollback' as const }])(
  'every copy and delete cut short in the $phase (partial), Windows paths on the in-memory Windows disk',
  ({ phase }) => {
    it.each(ENTRY_NAMES)('$name: no byte lost, the original exact after the rollback', async ({ index, privileged }) => {
      const counts = await partialCounts(index, privileged, phase);
      const failures: string[] = [];
      let tried = 0;
      for (const kind of ['copy', 'delete'] as const) {
        for (let n = 1; n <= counts[kind]; n++) {
          for (const k of [0, 1, 3]) {
            const spec: PartialFault = { kind, n, k, errno: FAULT_ERRNOS[(n + k) % FAULT_ERRNOS.length]! };
            tried++;
            const problems = await faultCase(index, privileged, phase, spec);
            if (problems.length > 0) failures.push(`${JSON.stringify(spec)}:\n  ${problems.slice(0, 4).join('\n  ')}`);
          }
        }
      }
      partialTried[phase] += tried;
      expect(failures.slice(0, 4).join('\n')).toBe('');
    });

    // Entries that copy or delete nothing (a link, a same-volume move) have no partial faults to try; the scenario as
    // a whole must (its cross-volume moves copy and delete), or this describe tested nothing.
    it('copies and deletes were cut short at all', () => {
      expect(partialTried[phase]).toBeGreaterThan(10);
    });
  },
);

afterAll(() =>
  console.log(
    `[harness] Windows fault cases (in-memory disk, FaultyFs under the guard): ${figures.cases} cases, ${figures.faultsFired} faults fired, ${figures.rolledBack} rolled back automatically, ${figures.finishedLater} finished by a later command`,
  ),
);
