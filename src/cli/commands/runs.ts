import os from 'node:os';
import { formatBytes } from '../../core/units.js';
import { resumeRun, rollbackRun } from '../../exec/run-control.js';
import { listRuns } from '../../journal/runs.js';
import { UNFINISHED, type RunRecord } from '../../journal/types.js';
import { NodeFs } from '../../platform/node-fs.js';
import { nodeJournalDisk } from '../../platform/journal-fs.js';
import { afterRun } from '../after-run.js';
import { confirm } from '../confirm.js';
import { withStopSignals } from '../interrupts.js';
import { loadContext } from '../context.js';
import type { CliIO } from '../io.js';
import { parseCommandArgs } from '../options.js';
import { progressFormat, progressView } from '../progress.js';
import { withLock } from '../run-guard.js';
import { withPathLocks } from '../path-guard.js';
import { planLockPaths } from '../../journal/path-lock.js';
import { reportOutcome, runJson } from '../run-output.js';
import { stateDirFor } from '../state-dir.js';
import { isWork } from '../../plan/actions.js';
import { journalTestHook } from '../test-hooks.js';
import { resumeDirection, runToRollBack } from '../../usecase/run-choice.js';
import { runSize } from '../../usecase/run-size.js';

function stateDirOf(flag: string | undefined, io: CliIO): string {
  return stateDirFor(flag, io.env, loadContext(io.env).os, os.homedir(), io.cwd);
}

function describeRun(r: RunRecord): string {
  const { changes, bytes } = runSize(r);
  return `${changes} change${changes === 1 ? '' : 's'}${bytes ? `, ${formatBytes(bytes)} moved` : ''}`;
}

/**
 * `relocate rollback [RUN]`: undoes a run (default: the unfinished run, else
 * the newest finished one). Refuses a finished run whose results drifted,
 * unless --force.
 */
export async function rollbackCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('rollback', argv);
  const progress = progressFormat(values.progress, 'rollback');
  const stateDir = stateDirOf(values['state-dir'], io);
  return withLock(stateDir, 'rollback', io, async () => {
    const run = runToRollBack(await listRuns(nodeJournalDisk, stateDir), positionals[0], stateDir);
    if (!io.json) io.out(`Run ${run.id} (${run.status}, started ${run.startedAt}): ${describeRun(run)}. Rolling back undoes it.`);
    // A run from another state folder working on these paths now (or left unfinished on them) is never undone under.
    return withPathLocks(io, { stateDir, runId: run.id, command: 'rollback', paths: planLockPaths(run.plan) }, async () => {
      if (!(await confirm(io, 'Roll back this run?', values.yes === true, 'rollback'))) {
        io.err('Nothing was changed.');
        return 1;
      }
      const work = run.plan.entries.filter((p) => isWork(p.action));
      const view = await progressView(io, work, (p) => `undo ${p.action} ${p.link}`, { format: progress, command: 'rollback' });
      const fs = new NodeFs();
      return withStopSignals(
        io,
        async (stop) => {
          const outcome = await rollbackRun(run, {
            stateDir,
            fs,
            journalDisk: nodeJournalDisk,
            force: values.force === true,
            onEvent: (e) => view.onEvent(e),
            stop,
            onJournalLine: journalTestHook(),
          });
          await afterRun(io, fs, view, outcome, outcome.result === 'rolled-back');
          return reportOutcome(io, outcome, `Rolled back ${work.length} change${work.length === 1 ? '' : 's'}`, {
            command: 'rollback',
            direction: 'back',
            stateDir,
          });
        },
        { stdinStop: progress === 'json' },
      );
    });
  });
}

/** `relocate resume`: finishes the unfinished run in the direction it was going. */
export async function resumeCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('resume', argv);
  const progress = progressFormat(values.progress, 'resume');
  const stateDir = stateDirOf(values['state-dir'], io);
  return withLock(stateDir, 'resume', io, async () => {
    const run = (await listRuns(nodeJournalDisk, stateDir)).find((r) => UNFINISHED.has(r.status));
    if (!run) {
      if (io.json) io.out(JSON.stringify(runJson({ result: 'nothing-to-resume' }), null, 2));
      else io.out('Nothing to resume: no run is unfinished.');
      return 0;
    }
    // Read before the run: resumeRun changes the record's status as it goes.
    const direction = resumeDirection(run);
    if (!io.json)
      io.out(
        `Run ${run.id} (${run.status}, started ${run.startedAt}): ${describeRun(run)}. Resuming will ${direction === 'back' ? 'finish rolling it back' : 'finish applying it'}.`,
      );
    // The crashed process's locks are this run's own and are taken over; another run's refuse.
    return withPathLocks(io, { stateDir, runId: run.id, command: 'resume', paths: planLockPaths(run.plan) }, async () => {
      if (!(await confirm(io, 'Resume this run?', values.yes === true, 'resume'))) {
        io.err('Nothing was changed.');
        return 1;
      }
      const work = run.plan.entries.filter((p) => isWork(p.action));
      const view = await progressView(io, work, (p) => `${p.action} ${p.link} → ${p.target}`, { format: progress, command: 'resume' });
      const fs = new NodeFs();
      return withStopSignals(
        io,
        async (stop) => {
          const outcome = await resumeRun(run, {
            stateDir,
            fs,
            journalDisk: nodeJournalDisk,
            noRollback: values['no-rollback'] === true,
            onEvent: (e) => view.onEvent(e),
            stop,
            onJournalLine: journalTestHook(),
          });
          await afterRun(io, fs, view, outcome, outcome.result !== 'failed');
          return reportOutcome(io, outcome, direction === 'back' ? 'Rolled back' : 'Resumed and finished', { command: 'resume', direction, stateDir });
        },
        { stdinStop: progress === 'json' },
      );
    });
  });
}

/** `relocate history`: the runs, newest first. */
export async function historyCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('history', argv);
  const stateDir = stateDirOf(values['state-dir'], io);
  const runs = await listRuns(nodeJournalDisk, stateDir);
  if (io.json) {
    io.out(
      JSON.stringify(
        {
          formatVersion: 1,
          stateDir,
          runs: runs.map((r) => ({
            id: r.id,
            status: r.status,
            unfinished: UNFINISHED.has(r.status),
            startedAt: r.startedAt,
            finishedAt: r.finishedAt ?? null,
            manifest: r.manifest.path,
            toolVersion: r.toolVersion,
            changes: runSize(r).changes,
            error: r.error ?? null,
          })),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  if (runs.length === 0) {
    io.out(`No runs yet in ${stateDir}.`);
    return 0;
  }
  for (const r of runs) {
    const status = UNFINISHED.has(r.status) ? io.color.red(r.status) : r.status === 'done' ? io.color.green(r.status) : r.status;
    io.out(`${r.id}  ${status.padEnd(12)}  ${describeRun(r)}  ${r.manifest.path}${r.error ? `  (${r.error.code})` : ''}`);
  }
  return 0;
}
