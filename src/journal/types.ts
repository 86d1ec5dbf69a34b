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
 * One journal line (JSON Lines, fsync'd), one variant per tag `t`. `begin`
 * is written before a step touches the disk and `done` after;
 * `undo-begin`/`undo-done` likewise for rollback. Readers ignore fields and
 * line kinds they do not know (decodeJournalLine).
 *
 * A line does not say its step's kind, so a step's info is kept here as the
 * JSON object it is; the executor reads it only through decodeStepInfo
 * (step-info-decode.ts), by its step's kind, into its typed shape
 * (src/exec/step-info.ts).
 */
export type JournalLine = BeginLine | MadeLine | DoneLine | UndoBeginLine | UndoDoneLine;

/** Every journal line's tag: a line of another tag is one this version does not know. */
export type JournalTag = JournalLine['t'];

/** What every line has. Invariant: `n` is the index of a step of the run's record (`steps[n]`). */
interface LineBase {
  n: number;
  /** When the line was written (ISO 8601, UTC). */
  at: string;
}

/**
 * Written before step `n` touches the disk. `info` is what the step found
 * when it began (the text of a link it removes, the identity of what it
 * moves), needed to undo it; absent when the step records nothing. A begin
 * again (resume) starts the step's info afresh.
 */
export interface BeginLine extends LineBase {
  t: 'begin';
  info?: Record<string, unknown>;
}

/**
 * Written between a step's (or an undo's) begin and its done, fsync'd, the
 * moment the step has made something: `info` (always there) is the identity
 * of what it made (a copy's root), joined to the begin's info so undo and
 * resume check it before they delete it.
 */
export interface MadeLine extends LineBase {
  t: 'made';
  info: Record<string, unknown>;
}

/** Written after step `n` took effect. `info`, when there, is the identity of what it made (the folders mkdirs created), joined to the begin's. */
export interface DoneLine extends LineBase {
  t: 'done';
  info?: Record<string, unknown>;
}

/** Written before step `n` is undone. Carries nothing else. */
export interface UndoBeginLine extends LineBase {
  t: 'undo-begin';
}

/** Written after step `n` was undone, or its undo skipped: `info.skipped` then says why (under --force, or refused by the guard), and nothing was changed there. */
export interface UndoDoneLine extends LineBase {
  t: 'undo-done';
  info?: { skipped: string };
}
