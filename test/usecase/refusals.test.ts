/**
 * Refusals a command makes before it changes anything (src/usecase): a
 * plan saved inside a folder it moves, and a changing command while a run
 * is unfinished.
 */
import { describe, expect, it } from 'vitest';
import { RelocateError } from '../../src/core/errors.js';
import { makePlan } from '../../src/plan/planner.js';
import type { Plan } from '../../src/plan/types.js';
import { refuseOutInsideMove } from '../../src/usecase/plan-out.js';
import { unfinishedRunError } from '../../src/usecase/unfinished-run.js';
import { POSIX_STYLE, WIN_STYLE, comparison, context, entry, obs, pair, tree, vol } from '../helpers/plan-fixtures.js';
import { runRecord } from './run-fixtures.js';
import { thrownError } from '../helpers/relocate-error.js';

/** A plan that moves /home/u/games (to another volume) and links /home/u/new. */
function movingPlan(): Plan {
  const entries = [entry(POSIX_STYLE, '/home/u/games', '/mnt/big/games', { index: 0 }), entry(POSIX_STYLE, '/home/u/new', '/mnt/big/new', { index: 1 })];
  const observations = [
    pair(POSIX_STYLE, obs.dir('/home/u/games', vol('root')), obs.absent('/mnt/big/games', vol('big')), { linkTree: tree(10, 2) }),
    pair(POSIX_STYLE, obs.absent('/home/u/new', vol('root')), obs.dir('/mnt/big/new', vol('big'))),
  ];
  return makePlan(entries, observations, context('linux'));
}

describe('refuseOutInsideMove', () => {
  it('refuses a plan file inside (or at) a folder the plan moves, naming the folder and the action', () => {
    const plan = movingPlan();
    expect(plan.entries.map((p) => p.action)).toEqual(['move', 'link']);
    const err = thrownError(() => refuseOutInsideMove(plan, '/home/u/games/plan.json', '/home/u/games/plan.json'));
    expect(err.code).toBe('E_OUT_INSIDE_MOVE');
    expect(err.message).toBe('cannot save the plan to /home/u/games/plan.json: it is inside /home/u/games, which this plan moves (move); nothing was written');
    expect(err.path).toBe('/home/u/games/plan.json');
    expect(err.hint).toBe('save the plan outside every folder it moves, e.g. `--out ~/relocate-plan.json`');
    expect(() => refuseOutInsideMove(plan, '/home/u/games', '/home/u/games')).toThrow(RelocateError);
  });

  it('refuses a path that reaches a moved folder through a link (its resolved form), naming the path as given', () => {
    const err = thrownError(() => refuseOutInsideMove(movingPlan(), '/home/u/shortcut/plan.json', '/home/u/games/plan.json'));
    expect(err.message).toMatch(/^cannot save the plan to \/home\/u\/shortcut\/plan\.json: it is inside \/home\/u\/games/);
  });

  it("a merge moves the link path's folder too: a plan file inside it is refused", () => {
    const e = entry(POSIX_STYLE, '/home/u/docs', '/mnt/big/docs', { conflict: 'merge' });
    const o = pair(POSIX_STYLE, obs.dir('/home/u/docs', vol('root')), obs.dir('/mnt/big/docs', vol('big')), {
      linkTree: tree(10, 2),
      targetTree: tree(5, 1),
      comparison: comparison({ onlyAtLink: ['a'], onlyAtTarget: ['b'] }),
    });
    const plan = makePlan([e], [o], context('linux'));
    expect(plan.entries[0]?.action).toBe('merge');
    expect(() => refuseOutInsideMove(plan, '/home/u/docs/plan.json', '/home/u/docs/plan.json')).toThrow(/which this plan moves \(merge\)/);
  });

  it('a plan file beside a moved folder, or in a folder only linked, is fine', () => {
    expect(() => refuseOutInsideMove(movingPlan(), '/home/u/games-plan.json', '/home/u/games-plan.json')).not.toThrow();
    expect(() => refuseOutInsideMove(movingPlan(), '/home/u/new/plan.json', '/home/u/new/plan.json')).not.toThrow();
  });

  it("compares as the entry's OS does: on Windows case does not matter", () => {
    const e = entry(WIN_STYLE, 'C:\\Users\\u\\Games', 'D:\\Games');
    const plan = makePlan(
      [e],
      [pair(WIN_STYLE, obs.dir('C:\\Users\\u\\Games', vol('c')), obs.absent('D:\\Games', vol('d')), { linkTree: tree(10, 2) })],
      context('win32'),
    );
    expect(plan.entries[0]?.action).toBe('move');
    expect(() => refuseOutInsideMove(plan, 'c:\\users\\U\\games\\p.json', 'c:\\users\\U\\games\\p.json')).toThrow(/E_OUT_INSIDE_MOVE|inside/);
  });
});

describe('unfinishedRunError', () => {
  it("E_INTERRUPTED_RUN at the run's manifest, saying how to deal with it", () => {
    const err = unfinishedRunError(runRecord('r7', 'failed'));
    expect(err.code).toBe('E_INTERRUPTED_RUN');
    expect(err.message).toBe('run r7 (started r7-start, failed) did not finish; nothing new is started until it is dealt with');
    expect(err.path).toBe('/repo/relocate.yaml');
    expect(err.hint).toBe('`relocate resume` finishes it; `relocate rollback` undoes it');
  });
});
