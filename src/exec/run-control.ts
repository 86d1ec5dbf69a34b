import { RelocateError } from '../core/errors.js';
import { styleForOs } from '../core/paths.js';
import { RunStore, freshRunId, utcStamp, type JournalLineHook } from '../journal/runs.js';
import type { RunRecord } from '../journal/types.js';
import type { JournalDisk } from '../journal/disk-port.js';
import { RUN_FORMAT_VERSION } from '../journal/record-decode.js';
import type { Plan } from '../plan/types.js';
import { compileSteps } from './compile.js';
import { runForward, runUndo, type ExecContext, type ExecEvent } from './executor.js';
import type { FsPort } from './fs-port.js';
import { GuardedFs } from './guard.js';
import { checkLink } from './step-checks.js';
import type { VerifyMode } from './steps.js';
import type { StopRequest } from './stop-request.js';

export interface RunOptions {
  stateDir: string;
  fs: FsPort;
  /** The state folder's disk: every journal line and record is written through it (the CLI passes platform's nodeJournalDisk). */
  journalDisk: JournalDisk;
  onEvent?: (e: ExecEvent) => void;
  /** Set by the CLI's signal handlers; the run stops at the next step boundary. */
  stop?: StopRequest;
  /** Called after each journal line (the CLI's crash and interrupt test hook: src/cli/test-hooks.ts). */
  onJournalLine?: JournalLineHook;
}

/** An undo a rollback skipped (under --force a step whose paths drifted, or one the guard refused), with why; nothing was changed there. */
export interface SkippedUndo {
  n: number;
  reason: string;
}

/*
 * The outcomes below name, as `?: never`, the fields that another outcome
 * has and they cannot: read on any outcome, such a field is undefined.
 */

/** The run applied everything. */
export interface RunDone {
  record: RunRecord;
  result: 'done';
  error?: never;
  undoError?: never;
  skipped?: never;
}

/**
 * Every change of the run was undone: after a step failed (`error`, what
 * failed; the automatic rollback of apply and resume), or because a
 * rollback was asked for (no `error`). `skipped`: the undos it skipped;
 * absent or empty when none.
 */
export interface RunRolledBack {
  record: RunRecord;
  result: 'rolled-back';
  error?: RelocateError;
  skipped?: SkippedUndo[];
  undoError?: never;
}

/**
 * A step (or an asked-for rollback) failed with `error` and changes remain
 * (--no-rollback; a journal that cannot be written; or the automatic
 * rollback failed too, `undoError`): the run is unfinished and blocks
 * changing commands until resume or rollback.
 */
export interface RunFailed {
  record: RunRecord;
  result: 'failed';
  error: RelocateError;
  undoError?: RelocateError;
  skipped?: never;
}

/** How a run ended, told apart by `result`. */
export type RunOutcome = RunDone | RunRolledBack | RunFailed;

function asRelocateError(err: unknown): RelocateError {
  if (err instanceof RelocateError) return err;
  return new RelocateError('E_INTERNAL', `unexpected failure: ${(err as Error)?.message ?? String(err)}`, {
    cause: err,
    hint: 'run `relocate history` and `relocate rollback` if needed; report this with --verbose output',
  });
}

function errorRecord(e: RelocateError): RunRecord['error'] {
  return { code: e.code, message: e.message, ...(e.path ? { path: e.path } : {}) };
}

/** Starts a run of a plan: record first, then the steps; a failure rolls back unless `noRollback`. */
export async function startRun(plan: Plan, opts: RunOptions & { verify: VerifyMode; noRollback: boolean; now?: Date; id?: string }): Promise<RunOutcome> {
  const now = opts.now ?? new Date();
  // The CLI chooses the id before planning: the path locks it takes first name the run (src/journal/path-lock.ts).
  const id = opts.id ?? (await freshRunId(opts.journalDisk, opts.stateDir, now));
  const record: RunRecord = {
    formatVersion: RUN_FORMAT_VERSION,
    id,
    status: 'running',
    startedAt: now.toISOString(),
    toolVersion: plan.toolVersion,
    manifest: plan.manifest,
    verify: opts.verify,
    plan,
    steps: compileSteps(plan, { runId: id, stamp: utcStamp(now), verify: opts.verify }),
  };
  const store = new RunStore(opts.journalDisk, opts.stateDir, id, opts.onJournalLine);
  await store.create(record);
  return continueForward(record, store, opts, opts.noRollback);
}

/** Every run's disk calls go through the guard, scoped to its plan (DESIGN.md: nothing the manifest does not name is touched). */
async function guarded(opts: RunOptions, record: RunRecord, store: RunStore): Promise<FsPort> {
  return GuardedFs.forRun(opts.fs, record, await store.readJournal());
}

/** What the executor works with for one run: the guarded port, the run's store and record, and the caller's event sink and stop request. */
async function execContext(opts: RunOptions, record: RunRecord, store: RunStore): Promise<ExecContext> {
  return {
    fs: await guarded(opts, record, store),
    store,
    record,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...(opts.stop ? { stop: opts.stop } : {}),
  };
}

async function continueForward(record: RunRecord, store: RunStore, opts: RunOptions, noRollback: boolean): Promise<RunOutcome> {
  const ctx = await execContext(opts, record, store);
  try {
    await runForward(ctx);
    record.status = 'done';
    record.finishedAt = new Date().toISOString();
    delete record.error;
    await store.save(record);
    return { record, result: 'done' };
  } catch (err) {
    const error = asRelocateError(err);
    record.error = errorRecord(error);
    if (error.code === 'E_STATE_WRITE') {
      // Nothing may act before the journal says so, and the journal cannot be written: no rollback now. The run stays
      // unfinished on disk (its record says running), for resume or rollback once the state folder has room.
      return { record, result: 'failed', error };
    }
    if (noRollback) {
      record.status = 'failed';
      await store.save(record);
      return { record, result: 'failed', error };
    }
    record.status = 'rolling-back';
    await store.save(record);
    try {
      // Nothing drifts in an automatic rollback; what it skips is what the guard refused (reported, not hidden).
      const skipped = await runUndo(ctx, false);
      record.status = 'rolled-back';
      record.autoRolledBack = true;
      record.finishedAt = new Date().toISOString();
      await store.save(record);
      return { record, result: 'rolled-back', error, ...(skipped.length > 0 ? { skipped } : {}) };
    } catch (undoErr) {
      // The run stays `rolling-back`: unfinished, so every changing command refuses until it is dealt with.
      return { record, result: 'failed', error, undoError: asRelocateError(undoErr) };
    }
  } finally {
    store.close();
  }
}

/** Finishes an unfinished run in the direction it was going: forward for running/failed, back for rolling-back. */
export async function resumeRun(record: RunRecord, opts: RunOptions & { noRollback: boolean }): Promise<RunOutcome> {
  const store = new RunStore(opts.journalDisk, opts.stateDir, record.id, opts.onJournalLine);
  if (record.status === 'rolling-back') return continueUndo(record, store, opts, false);
  record.status = 'running';
  await store.save(record);
  return continueForward(record, store, opts, opts.noRollback);
}

/**
 * Undoes a run. A finished run is first checked for drift (its links still
 * in place, its backups and restored folders still there); drift refuses
 * unless `force`, which skips steps whose paths drifted and never deletes
 * the only copy of anything.
 */
export async function rollbackRun(record: RunRecord, opts: RunOptions & { force: boolean }): Promise<RunOutcome> {
  const store = new RunStore(opts.journalDisk, opts.stateDir, record.id, opts.onJournalLine);
  if (record.status === 'rolled-back') {
    throw new RelocateError('E_ALREADY_ROLLED_BACK', `run ${record.id} was already rolled back`, { hint: 'see `relocate history`' });
  }
  if (record.status === 'done' && !opts.force) {
    const drift = await runDrift(record, opts.fs);
    if (drift.length > 0) {
      throw new RelocateError('E_DRIFT', `the disk changed since run ${record.id}: ${drift.join('; ')}`, {
        path: record.manifest.path,
        hint: 'put things back as the run left them, or use `relocate rollback --force` (it skips what drifted and never deletes the only copy of data)',
      });
    }
  }
  return continueUndo(record, store, opts, opts.force);
}

async function continueUndo(record: RunRecord, store: RunStore, opts: RunOptions, force: boolean): Promise<RunOutcome> {
  const ctx = await execContext(opts, record, store);
  record.status = 'rolling-back';
  await store.save(record);
  try {
    const skipped = await runUndo(ctx, force, true);
    record.status = 'rolled-back';
    record.finishedAt = new Date().toISOString();
    await store.save(record);
    return { record, result: 'rolled-back', skipped };
  } catch (err) {
    return { record, result: 'failed', error: asRelocateError(err) };
  } finally {
    store.close();
  }
}

/** What differs between the disk and how a finished run left it; empty when nothing drifted. */
export async function runDrift(record: RunRecord, fs: FsPort): Promise<string[]> {
  const out: string[] = [];
  const style = styleForOs(record.plan.os);
  for (const rs of record.steps) {
    const s = rs.step;
    if (s.op === 'link') {
      try {
        await checkLink({ fs, style }, s.path, s.target, s.kind);
      } catch (err) {
        // Only what checkLink found is drift; a disk that cannot be read (EIO, EACCES) is reported as itself.
        const code = (err as RelocateError).code;
        if (code !== 'E_LINK_UNSUPPORTED' && code !== 'E_LINK_CHECK') throw err;
        out.push(`${s.path} is no longer the ${s.kind} to ${s.target}`);
      }
    } else if (s.op === 'rename' && s.role === 'backup' && !(await fs.lstat(s.to))) {
      out.push(`the backup ${s.to} is gone`);
    }
  }
  for (const p of record.plan.entries) {
    if (p.action === 'restore' && !(await fs.lstat(p.link))) out.push(`${p.link} (restored by the run) is gone`);
  }
  return out;
}
