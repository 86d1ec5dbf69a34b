import { pathApi, type PathStyle } from '../core/paths.js';
import type { ResolvedLinkType } from '../plan/types.js';

/** How thoroughly a copy is checked before its original may be deleted. */
export type VerifyMode = 'meta' | 'content';

/**
 * What a rename is for in the move protocol (DESIGN.md "Moving data
 * safely"), so the code that reports or checks a run asks the step, never
 * its path's spelling:
 * - `move`: the data itself goes to its new place on one volume (the whole move);
 * - `stage`: a verified copy takes its final name (`<to>.relocate-partial-…` → `<to>`);
 * - `aside`: the original is set aside under `.relocate-old-…` until its copy is
 *   verified once more, then deleted;
 * - `backup`: the link path's data is kept under `.relocate-backup-<stamp>`
 *   (`conflict: backup`), and stays after the run.
 */
export type RenameRole = 'move' | 'stage' | 'aside' | 'backup';

/**
 * One atomic, journaled operation. Every step can be probed (did it happen?)
 * and undone without losing data; `delete` is undone by copying back from
 * `twin`, the verified copy that made the delete allowed.
 */
export type Step =
  | { op: 'mkdirs'; path: string }
  | { op: 'rename'; from: string; to: string; role: RenameRole }
  | { op: 'copy'; from: string; to: string }
  | { op: 'verify'; original: string; copy: string; mode: VerifyMode; subset?: boolean }
  | { op: 'link'; path: string; target: string; kind: ResolvedLinkType }
  | { op: 'check-link'; path: string; target: string; kind: ResolvedLinkType }
  /** Refuses (E_IN_USE) when a program holds something inside `path`; only reads, so its undo is nothing. */
  | { op: 'check-in-use'; path: string }
  /** Removes a link that points to `target` (a hard link: a file sharing `target`'s data). Its kind and text are journaled when it runs. */
  | { op: 'unlink'; path: string; target: string }
  /** `subset`: `path` holds only files equal to some in `twin` (a merge's leftovers), not a whole copy of it. */
  | { op: 'delete'; path: string; twin: string; subset?: boolean };

/**
 * A step of a run, tied to the plan entry it serves.
 * Invariant: `n` is the step's position in the run (0-based, dense).
 */
export interface RunStep {
  n: number;
  entry: number;
  step: Step;
}

/**
 * The tag of one entry's own names in a run: `<run>-<order>`. Staging and
 * set-aside names carry it, so no two entries of one run ever share one
 * (an undo of one entry can never take another's copy for its own).
 * Runs recorded before it carry the run id alone; their steps keep those
 * names (run.json stores every path) and the guard still accepts them.
 */
export function entryTag(runId: string, order: number): string {
  return `${runId}-${order}`;
}

export function parentOf(p: string, style: PathStyle): string {
  return pathApi(style).dirname(p);
}

/** The kind of a step (its `op`). */
export type StepOp = Step['op'];

/** Each kind's step, by its `op`: `StepFor['delete']` is the delete step. Lets a table of per-kind functions be typed. */
export type StepFor = { [K in StepOp]: Extract<Step, { op: K }> };

/** The step of kind K, spelled so that a call infers K from the step it is given (and so types that step's info). */
export type StepOfKind<K extends StepOp> = StepFor[K] & { op: K };
