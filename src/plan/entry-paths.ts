import type { Action, PlannedEntry } from './types.js';

/** Actions that change the disk; `none`, `skip` and `conflict` change nothing. One table for the planner, the guard and the path locks. */
export const CHANGING_ACTIONS: ReadonlySet<Action> = new Set<Action>(['link', 'create', 'move', 'relink', 'retarget', 'backup', 'merge', 'restore', 'remove']);

/**
 * The paths a run of this entry may change, as the plan names them: its
 * link and target, and for a retarget the old target its data moves from
 * (a remove's or restore's `removes` is one of the link and target).
 * Empty for an entry that changes nothing. Pure.
 */
export function changedPaths(p: PlannedEntry): string[] {
  if (!CHANGING_ACTIONS.has(p.action)) return [];
  return p.action === 'retarget' && p.oldTarget ? [p.link, p.target, p.oldTarget] : [p.link, p.target];
}
