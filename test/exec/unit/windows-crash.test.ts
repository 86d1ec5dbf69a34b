/**
 * Issue 17 §4: the crash-at-every-journal-line suite (test/exec/crash.test.ts
 * does it through the CLI on tmpfs) run in-process with Windows paths on the
 * in-memory disk's Windows flavour, on any host, without Wine.
 *
 * A crash is a stop right after journal line k: the hook copies the run's
 * state folder at that instant and freezes the disk port (every later call
 * throws before touching the disk), then the state folder is put back as it
 * was at the instant, so the run after it sees exactly what a killed
 * process leaves. Each crash is followed by `resume` (which must reach the
 * planned end state) or `rollback` (which must give back the exact
 * original); no byte may be lost at the crash or after.
 */
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FsPort } from '../../../src/exec/fs-port.js';
import { resumeRun, rollbackRun, startRun } from '../../../src/exec/run-control.js';
import { RunStore } from '../../../src/journal/runs.js';
import { memFsPort } from '../../helpers/mem-fs/port.js';
import { buildScenario, capture, ENTRY_NAMES, endStateProblems, lostData, originalProblems, planScenario, stateFolder } from '../../helpers/mem-fs/windows-plans.js';

class Crash extends Error {}

/** A port that, once `dead`, refuses every call before it reaches the disk: a killed process does nothing more. */
function freezable(inner: FsPort): { port: FsPort; kill(): void } {
  let dead = false;
  const port = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (dead) throw new Crash('the process is dead');
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { port, kill: () => (dead = true) };
}

describe('crash at every journal line, Windows paths on the in-memory Windows disk', () => {
  it('a clean apply reaches the planned end state and a clean rollback the exact original', async () => {
    const s = buildScenario(true);
    const before = capture(s);
    const plan = await planScenario(s);
    expect(plan.entries.map((p) => p.action), JSON.stringify(plan.entries.map((p) => [p.action, p.reason, p.findings]), null, 1)).toEqual(s.entries.map((x) => x.action));
    expect(plan.blocked).toBeFalsy();
    const state = stateFolder();
    try {
      const port = memFsPort(s.disk);
      const o = await startRun(plan, { stateDir: state.dir, fs: port, verify: 'content', noRollback: false });
      expect(o.error?.message, String(o.error?.stack)).toBeUndefined();
      expect(o.result).toBe('done');
      expect(lostData(s, before)).toEqual([]);
      expect(await endStateProblems(s, before)).toEqual([]);
      const back = await rollbackRun(await new RunStore(state.dir, o.record.id).load(), { stateDir: state.dir, fs: port, force: false });
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

interface CrashResult {
  /** False when the run ended before line k (k is past its journal). */
  crashed: boolean;
  problems: string[];
}

/**
 * Builds the scenario afresh, runs `first` (an apply, or an apply then the
 * rollback of the finished run) until journal line k of the crashing run,
 * then finishes with a clean port as `finish` says, checking no byte is
 * lost at the crash and the end state after.
 */
async function crashCase(k: number, phase: 'apply' | 'rollback', finish: Finish, privileged: boolean, only: number): Promise<CrashResult> {
  const s = buildScenario(privileged, only);
  const before = capture(s);
  const plan = await planScenario(s);
  const state = stateFolder();
  const image = `${state.dir}-image`;
  const problems: string[] = [];
  try {
    const frozen = freezable(memFsPort(s.disk));
    let crashed = false;
    const hook = (count: number) => {
      if (count !== k) return;
      // The instant of the crash: relocate's records as they are now, and no disk call after.
      cpSync(state.dir, image, { recursive: true });
      frozen.kill();
      crashed = true;
      throw new Crash(`crashed after journal line ${k}`);
    };
    let id: string;
    if (phase === 'apply') {
      id = (await startRun(plan, { stateDir: state.dir, fs: frozen.port, verify: 'content', noRollback: false, onJournalLine: hook }).catch((err: unknown) => ({ record: { id: '' }, err }))).record.id;
    } else {
      const done = await startRun(plan, { stateDir: state.dir, fs: memFsPort(s.disk), verify: 'content', noRollback: false });
      if (done.result !== 'done') return { crashed: true, problems: [`the clean apply ended ${done.result}: ${done.error?.message}`] };
      id = done.record.id;
      await rollbackRun(await new RunStore(state.dir, id).load(), { stateDir: state.dir, fs: frozen.port, force: false, onJournalLine: hook });
    }
    if (!crashed) return { crashed: false, problems: [] };
    rmSync(state.dir, { recursive: true, force: true });
    cpSync(image, state.dir, { recursive: true });
    problems.push(...lostData(s, before).map((p) => `at the crash: ${p}`));
    const record = await new RunStore(state.dir, id || (await onlyRun(state.dir))).load();
    const port = memFsPort(s.disk);
    const how = phase === 'rollback' || record.status === 'rolling-back' ? 'rollback' : finish;
    const o = how === 'resume' ? await resumeRun(record, { stateDir: state.dir, fs: port, noRollback: false }) : await rollbackRun(record, { stateDir: state.dir, fs: port, force: false });
    problems.push(...lostData(s, before).map((p) => `after the ${how}: ${p}`));
    if (how === 'resume') {
      if (o.result !== 'done') problems.push(`the resume ended ${o.result}: ${o.error?.code} ${o.error?.message}`);
      else problems.push(...(await endStateProblems(s, before)).map((p) => `after the resume: ${p}`));
    } else {
      if (o.result !== 'rolled-back') problems.push(`the rollback ended ${o.result}: ${o.error?.code} ${o.error?.message}`);
      else problems.push(...originalProblems(s, before).map((p) => `after the rollback: ${p}`));
    }
    return { crashed: true, problems };
  } finally {
    state.remove();
    rmSync(image, { recursive: true, force: true });
  }
}

async function onlyRun(stateDir: string): Promise<string> {
  const { readdirSync } = await import('node:fs');
  const runs = readdirSync(path.join(stateDir, 'runs'));
  if (runs.length !== 1) throw new Error(`expected one run in ${stateDir}, found ${runs.length}`);
  return runs[0]!;
}

/** Crashes at line 1, 2, … until the run ends before the line; returns the failures and the crash points tried. */
async function everyLine(phase: 'apply' | 'rollback', finish: Finish, privileged: boolean, only: number): Promise<{ points: number; failures: string[] }> {
  const failures: string[] = [];
  let k = 1;
  for (; ; k++) {
    const r = await crashCase(k, phase, finish, privileged, only);
    if (!r.crashed) break;
    if (r.problems.length > 0) failures.push(`crash in the ${phase} after line ${k}, then ${finish}:\n  ${r.problems.slice(0, 6).join('\n  ')}`);
  }
  return { points: k - 1, failures };
}

const figures = { crashPoints: 0 };

describe.each([
  { phase: 'apply' as const, finish: 'resume' as const },
  { phase: 'apply' as const, finish: 'rollback' as const },
  { phase: 'rollback' as const, finish: 'rollback' as const },
])('a crash in the $phase after every journal line, then $finish', ({ phase, finish }) => {
  it.each(ENTRY_NAMES)('$name: no byte lost at the crash or after, and the end state exact', async ({ index, privileged }) => {
    const { points, failures } = await everyLine(phase, finish, privileged, index);
    figures.crashPoints += points;
    // Every entry's run has a few lines at least: a suite whose crashes never fire proves nothing.
    expect(points).toBeGreaterThanOrEqual(4);
    expect(failures.slice(0, 5).join('\n')).toBe('');
  });
});

afterAll(() => console.log(`[harness] Windows crash points (in-memory disk): ${figures.crashPoints}`));
