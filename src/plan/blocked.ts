import type { Finding, PlannedEntry } from './types.js';

/**
 * Whether apply must refuse a plan (Plan's invariant): some entry is a
 * conflict, or some finding, an entry's or the plan's, is an error. The
 * planner sets `blocked` from it, and a saved plan's decoder checks the
 * stored value against it: a plan file edited to say `blocked: false` is
 * refused, never applied past its own errors.
 */
export function isBlocked(entries: readonly PlannedEntry[], findings: readonly Finding[]): boolean {
  const error = (f: Finding) => f.severity === 'error';
  return entries.some((e) => e.action === 'conflict' || e.findings.some(error)) || findings.some(error);
}
