import type { EntryObservation, PathObservation, TreeMeasure } from '../state/types.js';
import type { Action } from './types.js';

/**
 * Where an entry's data moves from, with its measured tree: the target for
 * a restore, the old target (where the link points now) for a retarget, the
 * link path for every other action. The path whose mounts, inode flags,
 * special files and programs in use the plan checks. Pure.
 */
export function movedSide(action: Action, o: EntryObservation): { side: PathObservation | undefined; tree: TreeMeasure | undefined } {
  if (action === 'restore') return { side: o.target, tree: o.targetTree };
  if (action === 'retarget') return { side: o.oldTarget, tree: o.oldTargetTree };
  return { side: o.link, tree: o.linkTree };
}
