import { changesDisk } from './actions.js';
import type { PlannedEntry } from './types.js';

/**
 * The paths a run of this entry may change, as the plan names them: its
 * link and target, and for a retarget the old target its data moves from
 * (a remove's or restore's `removes` is one of the link and target).
 * Empty for an entry that changes nothing. Pure.
 */
export function changedPaths(p: PlannedEntry): string[] {
  if (!changesDisk(p.action)) return [];
  return p.action === 'retarget' ? [p.link, p.target, p.oldTarget] : [p.link, p.target];
}
