import type { Action, EntryBase, MoveSpec, PlannedEntry } from '../../src/plan/types.js';
import type { TreeComparison } from '../../src/state/types.js';

/**
 * A planned entry read as one flat record: every action's fields, each
 * undefined where the entry's action has none. For assertions that a field
 * is absent ("a relink to an existing folder has no createsTarget");
 * src/ narrows on `action` instead.
 */
export type FlatEntry = EntryBase & {
  action: Action;
  move?: MoveSpec;
  oldTarget?: string;
  removes?: string;
  createsTarget?: boolean;
  replacesIdentical?: boolean;
  comparison?: TreeComparison;
};

/** `p` as a FlatEntry (no cast: every variant is one). */
export function flat(p: PlannedEntry): FlatEntry {
  return p;
}
