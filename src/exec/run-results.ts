import type { JournalLine, RunRecord } from '../journal/types.js';
import type { PlannedEntry } from '../plan/types.js';

/**
 * What one command did to one entry, for machine output (`apply`, `resume`,
 * `rollback --json`: each entry's `result`):
 * - `changed`: this command left the entry's part of the disk different;
 * - `unchanged`: it did not (in sync already, or changed and then undone
 *   by the automatic rollback of a failed run);
 * - `failed`: the step that failed (or whose undo failed) is this entry's;
 * - `not-run`: the run stopped before reaching it.
 */
export type EntryResult = 'changed' | 'unchanged' | 'failed' | 'not-run';

/** Which way the command drove the run: forward (apply, resume of an apply) or back (rollback, resume of a rollback). */
export type RunDirection = 'forward' | 'back';

/** What the journal says of each step (the run's whole journal: a resumed run's earlier lines count). */
interface StepMarks {
  begun: Set<number>;
  done: Set<number>;
  undoBegun: Set<number>;
  undone: Set<number>;
  /** Undos the run skipped under --force or the guard (undo-done with `skipped`): nothing was changed there. */
  undoSkipped: Set<number>;
}

function marksOf(lines: readonly JournalLine[]): StepMarks {
  const m: StepMarks = { begun: new Set(), done: new Set(), undoBegun: new Set(), undone: new Set(), undoSkipped: new Set() };
  for (const l of lines) {
    if (l.t === 'begin') m.begun.add(l.n);
    else if (l.t === 'done') m.done.add(l.n);
    else if (l.t === 'undo-begin') m.undoBegun.add(l.n);
    else if (l.t === 'undo-done') {
      m.undone.add(l.n);
      if (l.info !== undefined) m.undoSkipped.add(l.n);
    }
  }
  return m;
}

/**
 * Each entry's result, from the run's record and its journal as the command
 * left them. Pure: the caller reads the journal. Entries in sync (`none`)
 * are `unchanged`; skipped entries are not listed by the callers.
 *
 * Forward: the first step begun and never done is the failed one (its
 * entry `failed`); an entry with a step done and not undone is `changed`;
 * one whose done steps were all undone (the automatic rollback)
 * `unchanged`; one with no step done `not-run`.
 *
 * Back: an undo begun and not finished is the failed one; an entry with an
 * undo that ran (not skipped) is `changed`; one with done steps still to
 * undo `not-run`; the rest (nothing of it had run, or its undos were
 * skipped) `unchanged`.
 */
export function entryResults(record: RunRecord, lines: readonly JournalLine[], direction: RunDirection): Map<number, EntryResult> {
  const m = marksOf(lines);
  const stepsOf = new Map<number, number[]>();
  for (const rs of record.steps) stepsOf.set(rs.entry, [...(stepsOf.get(rs.entry) ?? []), rs.n]);
  const out = new Map<number, EntryResult>();
  // Steps run one at a time, but a batch of safe steps is journaled begun together: the first begun and never done is the one that failed.
  const failedStep = [...m.begun].filter((n) => !m.done.has(n)).sort((a, b) => a - b)[0];
  for (const p of record.plan.entries) out.set(p.order, resultOf(p, stepsOf.get(p.order) ?? [], m, direction, failedStep));
  return out;
}

function resultOf(p: PlannedEntry, steps: number[], m: StepMarks, direction: RunDirection, failedStep: number | undefined): EntryResult {
  if (p.action === 'none' || p.action === 'skip') return 'unchanged';
  if (direction === 'forward') {
    if (failedStep !== undefined && steps.includes(failedStep)) return 'failed';
    if (steps.some((n) => m.done.has(n) && !m.undone.has(n))) return 'changed';
    if (steps.some((n) => m.done.has(n))) return 'unchanged';
    return 'not-run';
  }
  if (steps.some((n) => m.undoBegun.has(n) && !m.undone.has(n))) return 'failed';
  if (steps.some((n) => m.undone.has(n) && !m.undoSkipped.has(n))) return 'changed';
  if (steps.some((n) => (m.done.has(n) || m.begun.has(n)) && !m.undone.has(n))) return 'not-run';
  return 'unchanged';
}

/**
 * Whether the disk is now different from before the command, what a
 * wrapper reports as `changed` (Ansible's `changed`, DSC's set):
 * - a run that finished (`done`) changed the disk when some entry did;
 * - an apply that failed and was rolled back automatically, every undo
 *   carried out, changed nothing (the disk is as before) — unless an undo
 *   was skipped (`skipped`), which leaves that step's change in place;
 * - a run left unfinished (`failed`: --no-rollback, or the rollback itself
 *   stopped) changed the disk when any step of it began: its partial work
 *   is there until resume or rollback;
 * - rollback and a resumed rollback changed the disk when an undo ran.
 * For `resume` "before" is the half-done disk the crash left: finishing or
 * undoing it changes the disk whenever an entry's result is `changed`.
 */
export function runChanged(
  command: 'apply' | 'resume' | 'rollback',
  outcome: { result: 'done' | 'rolled-back' | 'failed'; skipped?: readonly unknown[] },
  results: ReadonlyMap<number, EntryResult>,
  lines: readonly JournalLine[],
): boolean {
  const anyChanged = [...results.values()].includes('changed');
  if (outcome.result === 'failed') return anyChanged || lines.some((l) => l.t === 'begin' || l.t === 'undo-done');
  if (command === 'apply' && outcome.result === 'rolled-back') return (outcome.skipped?.length ?? 0) > 0;
  return anyChanged;
}
