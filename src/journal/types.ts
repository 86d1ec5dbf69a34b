import type { Plan } from '../plan/types.js';
import type { RunStep, VerifyMode } from '../exec/steps.js';

/**
 * Where a run stands. `running` on disk with no live lock holder means the
 * process died (crash, kill -9, power cut): the run is unfinished.
 * `failed` is a run stopped by --no-rollback with steps left applied; it is
 * unfinished too. `rolling-back` is a rollback in progress (or cut short).
 */
export type RunStatus = 'running' | 'done' | 'failed' | 'rolling-back' | 'rolled-back';

/** Runs that block every changing command until resume or rollback deals with them. */
export const UNFINISHED: ReadonlySet<RunStatus> = new Set(['running', 'failed', 'rolling-back']);

/**
 * The record of one run (run.json). Written before the first step and
 * rewritten atomically on each status change. Invariant: `steps` never
 * changes after creation; progress lives in the journal only.
 */
export interface RunRecord {
  /** The record's format (record-decode.ts: RUN_FORMAT_VERSION); absent in records written before it was recorded, which are format 1. */
  formatVersion?: 1;
  id: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  toolVersion: string;
  manifest: { path: string; hash: string };
  verify: VerifyMode;
  plan: Plan;
  steps: RunStep[];
  /** What went wrong, for a failed or rolled-back-after-failure run. */
  error?: { code: string; message: string; path?: string };
  /** Set when the run was rolled back automatically after a failure. */
  autoRolledBack?: boolean;
}

/**
 * One journal line (JSON Lines, fsync'd). `begin` is written before a step
 * touches the disk and `done` after; `undo-begin`/`undo-done` likewise for
 * rollback. `info` carries what the step found when it began (e.g. the text
 * of a link it removes, the identity of what it moves), needed to undo it.
 * `made` (between a step's begin and done, fsync'd) and a `done` line's
 * info carry the identity of what the step made (a copy's root the moment
 * it exists, the folders mkdirs created), which undo and resume check
 * before they delete it. Readers ignore fields and line kinds they do not know.
 *
 * A line does not say its step's kind, so `info` is kept here as the JSON
 * object it is; the executor reads a step's info only through
 * decodeStepInfo (step-info-decode.ts), by its step's kind, into its
 * typed shape (src/exec/step-info.ts). An `undo-done` line's info is
 * `{ skipped }`, the reason an undo was skipped.
 */
export interface JournalLine {
  t: 'begin' | 'made' | 'done' | 'undo-begin' | 'undo-done';
  n: number;
  at: string;
  info?: Record<string, unknown>;
}
