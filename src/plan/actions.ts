import type { TreeComparison } from '../state/types.js';
import type { Action, ActionFields, MoveSpec, MovingAction } from './types.js';

/**
 * What each action is, in one table: whether applying it changes the disk,
 * whether it moves data into or out of the target, and how `plan` shows it.
 * Every list of actions and every rule "which actions do X" reads this
 * table, so a new action is one row here (a compile error until it has
 * one) plus a case in each exhaustive switch over Action.
 *
 * Invariants: `changesDisk` is false exactly for none, skip and conflict
 * (a conflict is refused, never applied); `movesData` implies
 * `changesDisk`; `work` is true for every action but none and skip (a
 * conflict is work the user must do: `plan` exits 2, `history` counts it).
 */
export interface ActionTraits {
  /** Applying it changes the disk (a run compiles steps for it; the guard and the path locks cover its paths). */
  readonly changesDisk: boolean;
  /** It takes data into or out of the target (two of these cannot share a target). */
  readonly movesData: boolean;
  /** It is something to do or to settle: not in sync (none) and not for this machine (skip). */
  readonly work: boolean;
  /** The plan's one-character mark. */
  readonly symbol: string;
  /** The plan's colour for it. */
  readonly colour: 'dim' | 'green' | 'cyan' | 'yellow' | 'red' | 'bold-red';
}

export const ACTION_TRAITS = {
  none: { changesDisk: false, movesData: false, work: false, symbol: '=', colour: 'dim' },
  link: { changesDisk: true, movesData: false, work: true, symbol: '+', colour: 'green' },
  create: { changesDisk: true, movesData: false, work: true, symbol: '+', colour: 'green' },
  move: { changesDisk: true, movesData: true, work: true, symbol: '>', colour: 'cyan' },
  relink: { changesDisk: true, movesData: false, work: true, symbol: '~', colour: 'yellow' },
  retarget: { changesDisk: true, movesData: true, work: true, symbol: '>', colour: 'cyan' },
  backup: { changesDisk: true, movesData: false, work: true, symbol: '>', colour: 'yellow' },
  merge: { changesDisk: true, movesData: true, work: true, symbol: '>', colour: 'yellow' },
  restore: { changesDisk: true, movesData: true, work: true, symbol: '>', colour: 'cyan' },
  remove: { changesDisk: true, movesData: false, work: true, symbol: '-', colour: 'red' },
  conflict: { changesDisk: false, movesData: false, work: true, symbol: '!', colour: 'bold-red' },
  skip: { changesDisk: false, movesData: false, work: false, symbol: '·', colour: 'dim' },
} as const satisfies Record<Action, ActionTraits>;

/** Every action, in the table's order (the order of `--json`'s counts). */
export const ACTIONS = Object.keys(ACTION_TRAITS) as Action[];

/** Whether applying `a` changes the disk. */
export const changesDisk = (a: Action): boolean => ACTION_TRAITS[a].changesDisk;

/** Whether `a` takes data into or out of the target. */
export const movesData = (a: Action): boolean => ACTION_TRAITS[a].movesData;

/** Whether `a` is something to do or settle (all but none and skip). */
export const isWork = (a: Action): boolean => ACTION_TRAITS[a].work;

/*
 * Narrowing on what an entry carries (plan/types.ts ActionFields). Here
 * rather than beside the types so render, which may import only this
 * module of the planner at run time, can use them.
 */

/** The actions whose variant carries `move`: exactly MovingAction (a missing or extra key is a compile error). */
const CARRIES_MOVE = { move: true, backup: true, merge: true, restore: true, retarget: true } as const satisfies Record<MovingAction, true>;

/** Whether `p` carries a `move`: move, backup, merge, restore and retarget (a backup carries one but is not `movesData`: it moves the data aside, not into the target). */
export function hasMove<T extends ActionFields>(p: T): p is Extract<T, { move: MoveSpec }> {
  return Object.hasOwn(CARRIES_MOVE, p.action);
}

/** The data `p` moves, if its action moves any. */
export function moveOf(p: ActionFields): MoveSpec | undefined {
  return hasMove(p) ? p.move : undefined;
}

/** The comparison of the two sides `p` carries, if its action has one (merge; conflict and link when compared). */
export function comparisonOf(p: ActionFields): TreeComparison | undefined {
  return p.action === 'merge' || p.action === 'conflict' || p.action === 'link' ? p.comparison : undefined;
}

/** Whether `p` makes its target folder before linking: a create, or a relink to a missing folder. */
export function createsTarget(p: ActionFields): boolean {
  return p.action === 'create' || (p.action === 'relink' && p.createsTarget === true);
}
