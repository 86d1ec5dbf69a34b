/**
 * Issue 13 §4, execution time: the `check-in-use` step. Where compile puts
 * it (before the copy, and right before every rename that sets an original
 * aside or moves data away), what it does (E_IN_USE naming the program; a
 * port without the check passes), and that a program appearing between the
 * copy and the set-aside stops the run, which rolls back with every byte
 * where it was.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSteps } from '../../src/exec/compile.js';
import type { FsPort } from '../../src/exec/fs-port.js';
import { startRun } from '../../src/exec/run-control.js';
import { hostOs, styleForOs } from '../../src/core/paths.js';
import { stepTookEffect } from '../../src/exec/resume-step.js';
import { IN_USE_LOOKS_AGAIN_MS, refuseIfInUse } from '../../src/exec/step-checks.js';
import { undoStep } from '../../src/exec/undo-step.js';
import type { Step } from '../../src/exec/steps.js';
import { makePlan } from '../../src/plan/planner.js';
import type { InUseFile } from '../../src/state/types.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { POSIX_STYLE, comparison, context, entry, obs, pair, tree, vol } from '../helpers/plan-fixtures.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { tmpfsReason, volumePairForFile } from '../helpers/tmpfs.js';
import { planFor } from '../property/harness.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/exec/check-in-use: the cross-volume run is skipped: ${NO_TMPFS}`);

const OPTS = { runId: 'R', stamp: 'S', verify: 'meta' as const };
const L = '/home/u/data';
const T = '/mnt/big/data';

function stepsOf(o: ReturnType<typeof pair>, extra: Parameters<typeof entry>[3] = {}): Step[] {
  const plan = makePlan([entry(POSIX_STYLE, L, T, extra)], [o], context('linux'));
  return compileSteps(plan, OPTS).map((rs) => rs.step);
}

const ops = (steps: Step[]) => steps.map((s) => (s.op === 'check-in-use' ? `check-in-use ${s.path}` : s.op));

describe('where compile puts check-in-use', () => {
  it('a cross-volume move: before the copy, and again right before the original is set aside', () => {
    const steps = stepsOf(pair(POSIX_STYLE, obs.dir(L, vol('root')), obs.absent(T, vol('big')), { linkTree: tree(10, 1) }));
    expect(ops(steps)).toEqual([
      'mkdirs',
      `check-in-use ${L}`,
      'copy',
      'verify',
      'rename',
      `check-in-use ${L}`,
      'rename',
      'link',
      'check-link',
      'verify',
      'delete',
    ]);
    const aside = steps[6] as Extract<Step, { op: 'rename' }>;
    expect(aside.from).toBe(L);
  });

  it('a same-volume move: before its one rename', () => {
    const steps = stepsOf(pair(POSIX_STYLE, obs.dir(L, vol('root')), obs.absent('/home/u/store/data', vol('root')), { linkTree: tree(10, 1) }));
    expect(ops(steps)).toEqual(['mkdirs', `check-in-use ${L}`, 'rename', 'link', 'check-link']);
  });

  it('a restore across volumes: the target (where the data is) before the copy and before it is set aside', () => {
    const steps = stepsOf(pair(POSIX_STYLE, obs.symlink(L, T, 'dir', vol('root')), obs.dir(T, vol('big')), { targetTree: tree(10, 1) }), { state: 'absent' });
    expect(ops(steps)).toEqual(['unlink', 'mkdirs', `check-in-use ${T}`, 'copy', 'verify', 'rename', `check-in-use ${T}`, 'rename', 'verify', 'delete']);
  });

  it('every rename that takes data away from where programs find it (move, backup, merge) is right after a check of that path', () => {
    const cases = [
      stepsOf(pair(POSIX_STYLE, obs.dir(L, vol('root')), obs.absent(T, vol('big')), { linkTree: tree(10, 1) })),
      stepsOf(pair(POSIX_STYLE, obs.dir(L, vol('root')), obs.dir(T, vol('big')), { linkTree: tree(10, 1), comparison: comparison({ differ: ['a'] }) }), {
        conflict: 'backup',
      }),
      stepsOf(
        pair(POSIX_STYLE, obs.dir(L, vol('root')), obs.dir(T, vol('big')), {
          linkTree: tree(10, 1),
          comparison: comparison({ onlyAtLink: ['x'], identical: ['y'] }),
        }),
        { conflict: 'merge' },
      ),
    ];
    for (const steps of cases) {
      const renamesOfL = steps.map((s, i) => [s, i] as const).filter(([s]) => s.op === 'rename' && s.from === L);
      expect(renamesOfL.length).toBeGreaterThan(0);
      for (const [, i] of renamesOfL) expect(steps[i - 1]).toEqual({ op: 'check-in-use', path: L });
    }
  });
});

describe('the check-in-use step', () => {
  const holder = (pid: number, process = 'logger'): InUseFile => ({ file: `${L}/app.log`, process, pid, how: 'open' });
  const port = (held: InUseFile[]) => ({ processesUsing: async () => held }) as unknown as FsPort;

  it('refuses with E_IN_USE naming the first program, its pid and how many others', async () => {
    await expect(refuseIfInUse(port([holder(10), holder(11, 'bash'), holder(10)]), L)).rejects.toMatchObject({
      code: 'E_IN_USE',
      path: `${L}/app.log`,
      message: `${L}/app.log is used by logger (pid 10) (and 1 more program(s): pid 11) (found right before the move)`,
    });
    await expect(refuseIfInUse(port([]), L)).resolves.toBeUndefined();
  });

  it('looks again before refusing: a program that only glanced at the tree has let go; one that holds on is refused at the last look', async () => {
    const pauses: number[] = [];
    const pause = async (ms: number) => {
      pauses.push(ms);
    };
    // Held at the first look only (a `du`, an indexer, another relocate's status walk): passes after one pause.
    let looks = 0;
    const glance = { processesUsing: async () => (looks++ === 0 ? [holder(12, 'du')] : []) } as unknown as FsPort;
    await expect(refuseIfInUse(glance, L, pause)).resolves.toBeUndefined();
    expect(looks).toBe(2);
    expect(pauses).toEqual([IN_USE_LOOKS_AGAIN_MS[0]]);
    // Held at every look: refused, naming what the last look found, after every pause.
    pauses.length = 0;
    let n = 0;
    const holds = { processesUsing: async () => [holder(20 + n++)] } as unknown as FsPort;
    await expect(refuseIfInUse(holds, L, pause)).rejects.toMatchObject({
      code: 'E_IN_USE',
      message: expect.stringContaining(`pid ${20 + IN_USE_LOOKS_AGAIN_MS.length}`),
    });
    expect(pauses).toEqual([...IN_USE_LOOKS_AGAIN_MS]);
    // Nobody at the first look: no pause at all.
    pauses.length = 0;
    await expect(refuseIfInUse(port([]), L, pause)).resolves.toBeUndefined();
    expect(pauses).toEqual([]);
  });

  it('a port without the check (a test fake) passes; undoing the step does nothing; resume runs it again', async () => {
    await expect(refuseIfInUse({} as FsPort, L)).resolves.toBeUndefined();
    const fail = {
      lstat: async () => {
        throw new Error('undo of a read-only step must not touch the disk');
      },
    } as unknown as FsPort;
    expect(await undoStep({ fs: fail, style: styleForOs(hostOs()) }, { op: 'check-in-use', path: L }, undefined, true, false)).toBeUndefined();
    expect(await stepTookEffect({ fs: fail, style: styleForOs(hostOs()) }, { op: 'check-in-use', path: L }, undefined)).toBe(false);
  });
});

const vols = volumePairForFile('checkinuse');

describe('a program that appears during the copy', () => {
  it.skipIf(NO_TMPFS)('the check right before the set-aside stops the run; it rolls back and the original is exactly as it was', async () => {
    const A = path.join(vols.volA(), 'c1');
    const B = path.join(vols.volB(), 'c1');
    const data = path.join(A, 'data');
    mkdirSync(path.join(data, 'sub'), { recursive: true });
    mkdirSync(B, { recursive: true });
    writeFileSync(path.join(data, 'app.log'), 'line 1\n');
    writeFileSync(path.join(data, 'sub', 'x'), 'x');
    const manifest = path.join(vols.scratch(), 'c1.yaml');
    writeFileSync(manifest, JSON.stringify({ version: 1, links: [{ link: data, target: path.join(B, 'data'), type: 'symlink' }] }));
    const before = snapshotTree(A, B);
    const plan = await planFor(manifest, path.join(vols.scratch(), 'c1-state'));
    expect(plan.blocked).toBe(false);
    // The first look (before the copy) finds nobody; the second (before the set-aside) finds a program.
    const checks: string[] = [];
    const fs = new NodeFs();
    fs.processesUsing = async (p: string) => {
      checks.push(p);
      return checks.length === 1 ? [] : [{ file: path.join(p, 'app.log'), process: 'late-writer', pid: 4242, how: 'open' }];
    };
    const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: path.join(vols.scratch(), 'c1-state'), fs, verify: 'meta', noRollback: false });
    // The first look before the copy; before the set-aside, the first look and the looks again (the program holds on).
    expect(checks).toEqual(Array(2 + IN_USE_LOOKS_AGAIN_MS.length).fill(data));
    expect(out.result).toBe('rolled-back');
    expect(out.error?.code).toBe('E_IN_USE');
    expect(out.error?.message).toContain('late-writer (pid 4242)');
    expect(snapshotTree(A, B)).toEqual(before);
  });
});
