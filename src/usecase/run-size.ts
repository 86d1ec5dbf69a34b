import { isWork, moveOf } from '../plan/actions.js';
import type { RunRecord } from '../journal/types.js';

/**
 * How big a run is, for `history`, `rollback` and `resume` to describe it.
 * Invariant: `changes` counts the work entries of the run's plan (a
 * conflict included, as `history --json` counts it); `bytes` adds the
 * measured data of the entries that move data, never a backup's (its data
 * is renamed aside on its own volume, not moved), 0 when none was measured.
 */
export interface RunSize {
  changes: number;
  bytes: number;
}

/** The size of a run, from its record's plan. */
export function runSize(r: Pick<RunRecord, 'plan'>): RunSize {
  const changes = r.plan.entries.filter((p) => isWork(p.action));
  return { changes: changes.length, bytes: changes.reduce((n, p) => n + (p.action !== 'backup' ? (moveOf(p)?.bytes ?? 0) : 0), 0) };
}
