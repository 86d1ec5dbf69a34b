import type { RunOutcome } from '../exec/run-control.js';
import { entryResults, runChanged, type EntryResult, type RunDirection } from '../exec/run-results.js';
import type { Plan, PlannedEntry } from '../plan/types.js';
import { hasMove } from '../plan/actions.js';
import { RunStore } from '../journal/runs.js';
import { nodeJournalDisk } from '../platform/journal-fs.js';
import { backupNotice, backupsLeft } from '../usecase/backups.js';
import type { CliIO } from './io.js';

/** Which command ran a run, and so which way it drove it (see src/exec/run-results.ts). */
export interface RunCommand {
  command: 'apply' | 'resume' | 'rollback';
  direction: RunDirection;
  stateDir: string;
}

/** A run's outcome with each entry's result and whether the disk changed, read from its journal. */
export interface ReportedRun {
  outcome: RunOutcome;
  results: ReadonlyMap<number, EntryResult>;
  changed: boolean;
}

/** Reads the run's journal as the command left it and works out each entry's result and `changed`. */
export async function reportedRun(outcome: RunOutcome, how: RunCommand): Promise<ReportedRun> {
  const lines = await new RunStore(nodeJournalDisk, how.stateDir, outcome.record.id).readJournal();
  const results = entryResults(outcome.record, lines, how.direction);
  return { outcome, results, changed: runChanged(how.command, outcome, results, lines) };
}

/** A command that ran no run: `nothing-to-do` (every entry in sync: `unchanged`), `refused` (a conflict `failed`, the rest `not-run`), `nothing-to-resume`. */
export interface NoRun {
  result: 'nothing-to-do' | 'refused' | 'nothing-to-resume';
  plan?: Plan;
}

function noRunResult(p: PlannedEntry, result: NoRun['result']): EntryResult {
  if (p.action === 'none') return 'unchanged';
  return result === 'refused' && p.action === 'conflict' ? 'failed' : 'not-run';
}

function entryJson(p: PlannedEntry, result: EntryResult): Record<string, unknown> {
  return {
    link: p.link,
    target: p.target,
    type: p.type,
    action: p.action,
    result,
    ...(hasMove(p) ? { ...(p.move.measured === false ? {} : { bytes: p.move.bytes, files: p.move.files }), crossVolume: p.move.crossVolume } : {}),
  };
}

/**
 * The machine shape of apply/rollback/resume (DESIGN.md): `{ formatVersion,
 * run, result, changed, entries }`, each entry with its `result`. `changed`
 * is true exactly when the disk is now different from before the command
 * (runChanged): a failed apply that was rolled back cleanly changed nothing.
 */
export function runJson(run: ReportedRun | NoRun): Record<string, unknown> {
  if (!('outcome' in run)) {
    return {
      formatVersion: 1,
      run: null,
      result: run.result,
      changed: false,
      entries: (run.plan?.entries ?? []).filter((p) => p.action !== 'skip').map((p) => entryJson(p, noRunResult(p, run.result))),
    };
  }
  const o = run.outcome;
  const r = o.record;
  // DESIGN.md: data moved aside by `conflict: backup` is kept *and reported*, under the name the run chose.
  const backups = backupsLeft(o.result, r.steps);
  return {
    formatVersion: 1,
    run: r.id,
    result: o.result,
    changed: run.changed,
    entries: r.plan.entries.filter((p) => p.action !== 'skip').map((p) => entryJson(p, run.results.get(p.order) ?? 'not-run')),
    ...(o.error ? { error: { code: o.error.code, message: o.error.message, path: o.error.path ?? null, hint: o.error.hint ?? null } } : {}),
    ...(o.undoError ? { undoError: { code: o.undoError.code, message: o.undoError.message, path: o.undoError.path ?? null } } : {}),
    ...(o.skipped && o.skipped.length > 0 ? { skipped: o.skipped } : {}),
    ...(backups.length > 0 ? { backups } : {}),
  };
}

/** Prints how a run ended and returns the exit code (0 done, 1 otherwise). */
export async function reportOutcome(io: CliIO, outcome: RunOutcome, doneWords: string, how: RunCommand): Promise<number> {
  const { record, result, error, undoError, skipped } = outcome;
  if (io.json) {
    io.out(JSON.stringify(runJson(await reportedRun(outcome, how)), null, 2));
    return result === 'done' || (result === 'rolled-back' && !error) ? 0 : 1;
  }
  for (const s of skipped ?? []) io.err(io.color.yellow(`skipped: ${s.reason}`));
  for (const b of backupsLeft(result, record.steps)) io.out(backupNotice(b));
  if (result === 'done' || (result === 'rolled-back' && !error)) {
    io.out(`${io.color.green(doneWords)} (run ${record.id}).`);
    return 0;
  }
  if (error) {
    io.err(`${io.color.red(`error ${error.code}`)}: ${error.message}`);
    if (error.hint) io.err(`  hint: ${error.hint}`);
  }
  if (error?.code === 'E_INTERRUPTED') {
    const how = error.message.replace(/ at a safe point.*/, '');
    if (result === 'rolled-back') io.err(`Interrupted (${how}): every change of run ${record.id} was undone; the disk is as before. Nothing was lost.`);
    else if (record.status === 'rolling-back')
      io.err(`Interrupted (${how}): the rollback of run ${record.id} stopped between two steps; \`relocate rollback\` continues it.`);
    else if (undoError)
      io.err(
        `Interrupted (${how}), and the rollback that followed stopped (${undoError.code}: ${undoError.message}). Run ${record.id} is unfinished: \`relocate rollback\` undoes it, \`relocate resume\` finishes it.`,
      );
    else
      io.err(
        `Interrupted (${how}): run ${record.id} stopped with its finished steps in place (--no-rollback). \`relocate resume\` finishes it; \`relocate rollback\` undoes it.`,
      );
    return 1;
  }
  if (error?.code === 'E_STATE_WRITE') {
    io.err(
      `Run ${record.id} is unfinished: relocate stopped where it was, because every step and every undo must be written to the journal first and the journal cannot be written. No data was deleted that was not verified elsewhere.`,
    );
    return 1;
  }
  if (result === 'rolled-back') {
    io.err(`Rolled back: every change of run ${record.id} was undone; the disk is as before. Nothing was lost.`);
  } else if (undoError) {
    io.err(`${io.color.red(`The automatic rollback stopped too (${undoError.code}: ${undoError.message}).`)}`);
    io.err(
      `Run ${record.id} is unfinished; no data was deleted that was not verified elsewhere. Fix the cause, then \`relocate rollback\` (undo) or \`relocate resume\` (finish).`,
    );
  } else if (record.status === 'rolling-back') {
    // A rollback (or a resumed one) that stopped: no --no-rollback was involved, and the undo goes on where it stopped.
    io.err(
      `The rollback of run ${record.id} stopped; the steps it undid stay undone and nothing was deleted that was not verified elsewhere. Fix the cause, then run \`relocate rollback\` again to finish it.`,
    );
  } else {
    io.err(
      `Run ${record.id} stopped with its finished steps left in place (--no-rollback). \`relocate resume\` finishes it after you fix the cause; \`relocate rollback\` undoes it.`,
    );
  }
  return 1;
}
