/**
 * Issue 17 §4: the crash-at-every-journal-line suite (test/exec/crash.test.ts
 * does it through the CLI on tmpfs) run in-process with Windows paths on the
 * in-memory disk's Windows flavour, on any host, without Wine.
 *
 * A crash is a stop right after journal line k (as RELOCATE_TEST_CRASH_AFTER
 * does), or right after the n-th call that changed the disk returned, before
 * the executor could journal it (what the CLI's hook cannot reach: a kill
 * between a rename and its `done` line). At that instant the run's state
 * folder is copied and the disk port frozen (every later call throws before
 * touching the disk); the state folder is then put back as it was at the
 * instant, so the command after it sees exactly what a killed process
 * leaves. Each crash is followed by `resume` (which must reach the planned
 * end state) or `rollback` (which must give back the exact original, each
 * original file still on the disk as the rollback began kept as that very
 * file: mem-fs/survivors.ts); no byte may be lost at the crash or after.
 */
import { cpSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeJournalDisk } from '../../../src/platform/journal-fs.js';
import type { FsPort } from '../../../src/exec/fs-port.js';
import { resumeRun, rollbackRun, startRun } from '../../../src/exec/run-control.js';
import { RunStore, type JournalLineHook } from '../../../src/journal/runs.js';
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
  type WinScenario,
} from '../../helpers/mem-fs/windows-plans.js';

class Crash extends Error {}

/** The port calls that change the disk (a crash "after a change" counts these). */
const CHANGES: ReadonlySet<string> = new Set([
  'mkdirs',
  'rmdirIfEmpty',
  'renameNoReplace',
  'copyTree',
  'restoreMissing',
  'restoreSnapshot',
  'createLink',
  'restoreLink',
  'removeLink',
  'unlinkFile',
  'hardLink',
  'deleteTree',
]);

/** Where a run is stopped: after its k-th journal line, or after its n-th change of the disk. */
type CrashPoint = { line: number } | { change: number };

/**
 * A port that counts the calls that change the disk and, once killed,
 * refuses every call before it reaches the disk: a killed process does
 * nothing more. `onChange` hears each change the moment its call returns.
 */
function freezable(inner: FsPort, onChange: (n: number) => void): { port: FsPort; kill(): void } {
  let dead = false;
  let changes = 0;
  const port = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (dead) throw new Crash('the process is dead');
        const r = (v as (...a: unknown[]) => unknown).apply(target, args);
        if (!CHANGES.has(String(prop))) return r;
        return (r as Promise<unknown>).then((x) => {
          onChange(++changes);
          return x;
        });
      };
    },
  });
  return { port, kill: () => (dead = true) };
}

describe('a clean run of the whole Windows scenario on the in-memory disk', () => {
  it('a clean apply reaches the planned end state and a clean rollback the exact original', async () => {
    const s = buildScenario(true);
    const before = capture(s);
    const plan = await planScenario(s);
    expect(
      plan.entries.map((p) => p.action),
      JSON.stringify(
        plan.entries.map((p) => [p.action, p.reason, p.findings]),
        null,
        1,
      ),
    ).toEqual(s.entries.map((x) => x.action));
    expect(plan.blocked).toBeFalsy();
    const state = stateFolder();
    try {
      const port = memFsPort(s.disk);
      const o = await startRun(plan, { stateDir: state.dir, journalDisk: nodeJournalDisk, fs: port, verify: 'content', noRollback: false });
      expect(o.error?.message, String(o.error?.stack)).toBeUndefined();
      expect(o.result).toBe('done');
      expect(lostData(s, before)).toEqual([]);
      expect(await endStateProblems(s, before)).toEqual([]);
      const back = await rollbackRun(await new RunStore(nodeJournalDisk, state.dir, o.record.id).load(), {
        stateDir: state.dir,
        journalDisk: nodeJournalDisk,
        fs: port,
        force: false,
      });
      expect(back.error?.message).toBeUndefined();
      expect(back.result).toBe('rolled-back');
      expect(originalProblems(s, before)).toEqual([]);
    } finally {
      state.remove();
    }
  });
});

/** How a run after a crash finishes it. */
type Finish = 'resume' | 'rollback';
type Phase = 'apply' | 'rollback';

/** The journal lines and disk changes of a clean run of one entry (the apply, or the rollback of a finished apply). */
async function cleanRun(phase: Phase, privileged: boolean, only: number): Promise<{ lines: number; changes: number }> {
  const s = buildScenario(privileged, only);
  const plan = await planScenario(s);
  const state = stateFolder();
  const seen = { lines: 0, changes: 0 };
  try {
    const { port } = freezable(memFsPort(s.disk), (n) => (seen.changes = n));
    const hook = (count: number) => (seen.lines = count);
    const o = await startRun(plan, {
      stateDir: state.dir,
      journalDisk: nodeJournalDisk,
      fs: phase === 'apply' ? port : memFsPort(s.disk),
      verify: 'content',
      noRollback: false,
      ...(phase === 'apply' ? { onJournalLine: hook } : {}),
    });
    if (o.result !== 'done') throw new Error(`a clean apply ended ${o.result}: ${o.error?.message}`);
    if (phase === 'rollback') {
      const r = await rollbackRun(await new RunStore(nodeJournalDisk, state.dir, o.record.id).load(), {
        stateDir: state.dir,
        journalDisk: nodeJournalDisk,
        fs: port,
        force: false,
        onJournalLine: hook,
      });
      if (r.result !== 'rolled-back') throw new Error(`a clean rollback ended ${r.result}: ${r.error?.message}`);
    }
    return seen;
  } finally {
    state.remove();
  }
}

/**
 * Runs `run` with a port and journal hook that stop it at `at`; when they
 * did, puts the state folder back as it was at that instant. True when
 * the run was stopped (false: it ended before the point).
 */
async function stopAt(s: WinScenario, stateDir: string, at: CrashPoint, run: (port: FsPort, hook: JournalLineHook) => Promise<unknown>): Promise<boolean> {
  const image = `${stateDir}-image`;
  let crashed = false;
  const crash = () => {
    // The instant of the crash: relocate's records as they are now, and no disk call after.
    cpSync(stateDir, image, { recursive: true });
    frozen.kill();
    crashed = true;
    throw new Crash(`crashed at ${JSON.stringify(at)}`);
  };
  const frozen = freezable(memFsPort(s.disk), (n) => {
    if ('change' in at && n === at.change) crash();
  });
  try {
    await run(frozen.port, (count) => {
      if ('line' in at && count === at.line) crash();
    });
    if (crashed) {
      rmSync(stateDir, { recursive: true, force: true });
      cpSync(image, stateDir, { recursive: true });
    }
    return crashed;
  } finally {
    rmSync(image, { recursive: true, force: true });
  }
}

/**
 * Builds the entry's scenario afresh, runs the phase (an apply, or an apply
 * then the rollback of the finished run) until the crash point; with
 * `second`, the recovery after it is crashed too (at that point of its
 * own); then a clean port finishes as `finish` says (a run left rolling
 * back is rolled back). Returns what is wrong.
 */
async function crashCase(at: CrashPoint, phase: Phase, finish: Finish, privileged: boolean, only: number, second?: CrashPoint): Promise<string[]> {
  const s = buildScenario(privileged, only);
  const before = capture(s);
  // The originals still on the disk as the first rollback begins must come back as those very files (SurvivorWatch).
  const survivors = new SurvivorWatch(s.disk);
  const onEvent = survivors.onEvent;
  const plan = await planScenario(s);
  const state = stateFolder();
  const stateDir = state.dir;
  const problems: string[] = [];
  try {
    let id = '';
    let crashed: boolean;
    if (phase === 'apply') {
      crashed = await stopAt(
        s,
        stateDir,
        at,
        async (fs, onJournalLine) =>
          (id = (await startRun(plan, { stateDir, journalDisk: nodeJournalDisk, fs, verify: 'content', noRollback: false, onJournalLine })).record.id),
      );
    } else {
      const done = await startRun(plan, { stateDir, journalDisk: nodeJournalDisk, fs: memFsPort(s.disk), verify: 'content', noRollback: false });
      if (done.result !== 'done') return [`the clean apply ended ${done.result}: ${done.error?.message}`];
      id = done.record.id;
      crashed = await stopAt(s, stateDir, at, async (fs, onJournalLine) =>
        rollbackRun(await new RunStore(nodeJournalDisk, stateDir, id).load(), {
          stateDir,
          journalDisk: nodeJournalDisk,
          fs,
          force: false,
          onJournalLine,
          onEvent,
        }),
      );
    }
    if (!crashed) return ['the run ended before the crash point'];
    problems.push(...lostData(s, before).map((p) => `at the crash: ${p}`));
    const recover = async (fs: FsPort, onJournalLine?: JournalLineHook) => {
      const record = await new RunStore(nodeJournalDisk, stateDir, id).load();
      const how = phase === 'rollback' || record.status === 'rolling-back' ? 'rollback' : finish;
      if (how === 'resume') survivors.forget();
      const o =
        how === 'resume'
          ? await resumeRun(record, { stateDir, journalDisk: nodeJournalDisk, fs, noRollback: false, onEvent, ...(onJournalLine ? { onJournalLine } : {}) })
          : await rollbackRun(record, { stateDir, journalDisk: nodeJournalDisk, fs, force: false, onEvent, ...(onJournalLine ? { onJournalLine } : {}) });
      return { how, o };
    };
    let finished: Awaited<ReturnType<typeof recover>> | undefined;
    if (second) {
      let ran: typeof finished;
      if (await stopAt(s, stateDir, second, async (fs, hook) => (ran = await recover(fs, hook)))) {
        figures.secondFired++;
        problems.push(...lostData(s, before).map((p) => `at the second crash: ${p}`));
      }
      // A recovery that ended before the second crash point is the last one.
      else finished = ran;
    }
    const { how, o } = finished ?? (await recover(memFsPort(s.disk)));
    problems.push(...lostData(s, before).map((p) => `after the ${how}: ${p}`));
    if (how === 'resume') {
      if (o.result !== 'done') problems.push(`the resume ended ${o.result}: ${o.error?.code} ${o.error?.message}`);
      else problems.push(...(await endStateProblems(s, before)).map((p) => `after the resume: ${p}`));
    } else {
      if (o.result !== 'rolled-back') problems.push(`the rollback ended ${o.result}: ${o.error?.code} ${o.error?.message}`);
      else problems.push(...[...originalProblems(s, before), ...survivors.problems()].map((p) => `after the rollback: ${p}`));
    }
    return problems;
  } finally {
    state.remove();
  }
}

/** Crashes after every journal line and after every change of a clean run of the entry; returns the crash points tried and the failures. */
async function everyPoint(phase: Phase, finish: Finish, privileged: boolean, only: number, twice = false): Promise<{ points: number; failures: string[] }> {
  const clean = await cleanRun(phase, privileged, only);
  const points: CrashPoint[] = [];
  for (let k = 1; k <= clean.lines; k++) points.push({ line: k });
  for (let n = 1; n <= clean.changes; n++) points.push({ change: n });
  const failures: string[] = [];
  for (const [i, at] of points.entries()) {
    // Twice (every third point, to keep the suite fast): the recovery is crashed too, early (its first lines and
    // changes are where it undoes or redoes the step cut short).
    if (twice && i % 3 !== 0) continue;
    const j = i / 3;
    const second: CrashPoint | undefined = !twice ? undefined : j % 2 === 0 ? { line: 1 + (j % 5) } : { change: 1 + (j % 3) };
    if (second) figures.secondTried++;
    const problems = await crashCase(at, phase, finish, privileged, only, second);
    if (problems.length > 0)
      failures.push(
        `crash in the ${phase} at ${JSON.stringify(at)}${second ? `, again in the recovery at ${JSON.stringify(second)}` : ''}, then ${finish}:\n  ${problems.slice(0, 6).join('\n  ')}`,
      );
  }
  return { points: twice ? Math.ceil(points.length / 3) : points.length, failures };
}

const figures = { crashPoints: 0, secondTried: 0, secondFired: 0 };

describe.each([
  { phase: 'apply' as const, finish: 'resume' as const },
  { phase: 'apply' as const, finish: 'rollback' as const },
  { phase: 'rollback' as const, finish: 'rollback' as const },
])('a crash in the $phase after every journal line and every disk change, then $finish', ({ phase, finish }) => {
  it.each(ENTRY_NAMES)('$name: no byte lost at the crash or after, and the end state exact', async ({ index, privileged }) => {
    const { points, failures } = await everyPoint(phase, finish, privileged, index);
    figures.crashPoints += points;
    // Every entry's run has a few lines at least: a suite whose crashes never fire proves nothing.
    expect(points).toBeGreaterThanOrEqual(4);
    expect(failures.slice(0, 5).join('\n')).toBe('');
  });
});

describe.each([
  { phase: 'apply' as const, finish: 'resume' as const },
  { phase: 'apply' as const, finish: 'rollback' as const },
  { phase: 'rollback' as const, finish: 'rollback' as const },
])('a crash in the $phase, another in the recovery, then $finish', ({ phase, finish }) => {
  it.each(ENTRY_NAMES)('$name: no byte lost at either crash or after, and the end state exact', async ({ index, privileged }) => {
    const { points, failures } = await everyPoint(phase, finish, privileged, index, true);
    figures.crashPoints += points;
    expect(failures.slice(0, 5).join('\n')).toBe('');
  });
});

afterAll(() =>
  console.log(
    `[harness] Windows crash points (in-memory disk): ${figures.crashPoints}; a second crash during the recovery tried at ${figures.secondTried}, fired at ${figures.secondFired} (the other recoveries ended before that point)`,
  ),
);
