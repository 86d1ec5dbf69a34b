import { describe, expect, it } from 'vitest';
import { compileSteps } from '../../src/exec/compile.js';
import { ACTION_TRAITS, ACTIONS, changesDisk, isWork, movesData } from '../../src/plan/actions.js';
import { changedPaths } from '../../src/plan/entry-paths.js';
import type { Action, Plan, PlannedEntry } from '../../src/plan/types.js';
import { POSIX_STYLE } from '../helpers/plan-fixtures.js';

/**
 * The one table of actions (src/plan/actions.ts) and what reads it: its
 * invariants, and that the executor compiles steps for exactly the actions
 * the table says change the disk, so the planner, the guard, the path locks
 * and the executor cannot disagree about which entries touch the disk.
 */

/** One entry of `action`, with the fields the invariants of PlannedEntry give that action. */
function planned(action: Action): PlannedEntry {
  const move = { from: '/a/Games', to: '/b/Games', crossVolume: true, bytes: 10, files: 2 };
  return {
    order: 0,
    index: 0,
    link: '/a/Games',
    target: '/b/Games',
    type: 'symlink',
    declaredType: 'auto',
    state: action === 'restore' || action === 'remove' ? 'absent' : 'present',
    conflictStrategy: action === 'merge' ? 'merge' : action === 'backup' ? 'backup' : 'fail',
    retargetMode: 'move',
    action,
    reason: 'r',
    findings: [],
    style: POSIX_STYLE,
    source: { file: '/m.yaml', line: 1, col: 1 },
    ...(action === 'move' || action === 'backup' ? { move } : {}),
    ...(action === 'merge' ? { move, comparison: { onlyAtLink: ['x'], onlyAtTarget: [], differ: [], identical: ['y'] } } : {}),
    ...(action === 'restore' ? { move: { ...move, from: '/b/Games', to: '/a/Games' }, removes: '/a/Games' } : {}),
    ...(action === 'retarget' ? { move: { ...move, from: '/c/Games' }, oldTarget: '/c/Games' } : {}),
    ...(action === 'relink' ? { oldTarget: '/c/Games' } : {}),
    ...(action === 'remove' ? { removes: '/a/Games' } : {}),
  } as PlannedEntry;
}

function stepsOf(action: Action): number {
  const plan = { entries: [planned(action)] } as unknown as Plan;
  return compileSteps(plan, { runId: 'R', stamp: 'S', verify: 'meta' }).length;
}

describe('the table of actions', () => {
  it('lists every action once, in the order of --json counts', () => {
    expect(ACTIONS).toEqual(['none', 'link', 'create', 'move', 'relink', 'retarget', 'backup', 'merge', 'restore', 'remove', 'conflict', 'skip']);
    expect(new Set(ACTIONS).size).toBe(ACTIONS.length);
  });

  it('keeps its invariants', () => {
    expect(ACTIONS.filter((a) => !changesDisk(a))).toEqual(['none', 'conflict', 'skip']);
    expect(ACTIONS.filter((a) => !isWork(a))).toEqual(['none', 'skip']);
    expect(ACTIONS.filter((a) => movesData(a))).toEqual(['move', 'retarget', 'merge', 'restore']);
    for (const a of ACTIONS) if (movesData(a)) expect(changesDisk(a), a).toBe(true);
    for (const a of ACTIONS) expect(ACTION_TRAITS[a].symbol, a).toHaveLength(1);
  });

  it('agrees with the executor: steps are compiled for exactly the actions that change the disk', () => {
    for (const a of ACTIONS) expect(stepsOf(a) > 0, a).toBe(changesDisk(a));
  });

  it('agrees with the guard and the path locks: an entry names paths to change exactly when it changes the disk', () => {
    for (const a of ACTIONS) expect(changedPaths(planned(a)).length > 0, a).toBe(changesDisk(a));
  });
});
