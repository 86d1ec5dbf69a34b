import os from 'node:os';
import { RelocateError } from '../../core/errors.js';
import { startRun } from '../../exec/run-control.js';
import type { VerifyMode } from '../../exec/steps.js';
import { hasChanges } from '../../plan/planner.js';
import type { Plan } from '../../plan/types.js';
import { NodeFs } from '../../platform/node-fs.js';
import { nodeJournalDisk } from '../../platform/journal-fs.js';
import { afterRun } from '../after-run.js';
import { diskReader } from '../../platform/disk-reader.js';
import { packageVersion } from '../../platform/package-version.js';
import { readTextFile } from '../../platform/read-text.js';
import { renderPlan } from '../../render/plan-text.js';
import { buildPlan } from '../build-plan.js';
import { confirm } from '../confirm.js';
import { withStopSignals } from '../interrupts.js';
import { loadContext } from '../context.js';
import type { CliIO } from '../io.js';
import { displayPath, findManifest } from '../manifest-path.js';
import { parseCommandArgs } from '../options.js';
import { progressFormat, progressView } from '../progress.js';
import { refuseIfUnfinished, withLock } from '../run-guard.js';
import { lockPlace } from '../path-guard.js';
import { acquirePathLocks, planLockPaths, releaseIfSettled, type HeldPathLocks } from '../../journal/path-lock.js';
import { freshRunId } from '../../journal/runs.js';
import { reportOutcome, runJson } from '../run-output.js';
import { stateDirFor } from '../state-dir.js';
import { isWork } from '../../plan/actions.js';
import { journalTestHook } from '../test-hooks.js';
import type { ObserveOptions } from '../../state/observe.js';
import { blockedPlanError } from '../../usecase/blocked-plan.js';
import { assertFresh, isSavedPlan, readSavedPlan } from '../../usecase/saved-plan.js';

/**
 * apply does not walk the data of same-volume moves: a rename needs no
 * sizes, so it takes the same time for 10 files or 100,000 (the plan it
 * shows says "size not counted"; `relocate plan` shows the sizes).
 */
const RENAMES_UNMEASURED = { measureRenames: false } as const;

/** The disk observed again through the platform's reader; src/usecase decides whether the plan still holds. */
async function refuseIfStale(plan: Plan, what: string, observe: ObserveOptions = {}): Promise<void> {
  await assertFresh(plan, what, await diskReader(), observe);
}

function entryTitle(p: Plan['entries'][number]): string {
  return `${p.action} ${p.link} → ${p.target}`;
}

/**
 * `relocate apply [MANIFEST | PLAN.json]`: under the state lock, plan (or
 * re-check a saved plan), ask, then run. 0 done or nothing to do; 1 error,
 * after an automatic rollback unless --no-rollback.
 */
export async function applyCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('apply', argv);
  const progress = progressFormat(values.progress, 'apply');
  if (positionals.length > 1) throw new RelocateError('E_USAGE', 'apply takes one manifest or saved plan', { hint: 'see `relocate apply --help`' });
  const verify = values.verify === 'content' ? 'content' : values.verify === 'meta' ? 'meta' : undefined;
  if (!verify)
    throw new RelocateError('E_USAGE', `--verify must be meta or content, not '${String(values.verify)}'`, {
      hint: 'meta compares names, sizes, times and modes; content also compares every byte',
    });
  const verifyMode: VerifyMode = verify;
  const file = findManifest(positionals[0], io.cwd);
  const saved = await isSavedPlan(file, readTextFile);
  const stateDir = stateDirFor(values['state-dir'], io.env, loadContext(io.env).os, os.homedir(), io.cwd);

  return withLock(stateDir, 'apply', io, async () => {
    await refuseIfUnfinished(stateDir);
    // The run's id is chosen now: the path locks, taken before the disk is observed, name it.
    const runId = await freshRunId(nodeJournalDisk, stateDir, new Date());
    let plan: Plan;
    let locks: HeldPathLocks | undefined;
    const lockRun = async (paths: string[]) => {
      locks = await acquirePathLocks({ disk: nodeJournalDisk, place: lockPlace(io), stateDir, runId, command: 'apply', paths });
    };
    try {
      if (saved) {
        plan = await readSavedPlan(file, { readText: readTextFile, toolVersion: packageVersion() });
        await lockRun(planLockPaths(plan));
        await refuseIfStale(plan, `the saved plan ${positionals[0] ?? file}`);
      } else {
        plan = (await buildPlan(file, io, stateDir, RENAMES_UNMEASURED, { beforeObserve: (entries) => lockRun(entries.flatMap((e) => [e.link, e.target])) }))
          .plan;
        if (plan.entries.some((p) => p.action === 'retarget')) {
          // A retarget's old target is known only once the disk is observed: the locks are taken again with it
          // (the earlier file of this run goes once the new one holds), and the disk, now under every lock, is
          // checked to be what the plan saw.
          await lockRun(planLockPaths(plan));
          await refuseIfStale(plan, 'the plan', RENAMES_UNMEASURED);
        } else {
          // Entries already in sync are not the run's: only the paths it changes stay locked.
          await locks?.narrow(planLockPaths(plan));
        }
      }
      return await applyPlanned(plan, runId);
    } finally {
      if (locks) await releaseIfSettled(nodeJournalDisk, locks, stateDir, runId);
    }
  });

  async function applyPlanned(plan: Plan, runId: string): Promise<number> {
    const label = displayPath(saved ? plan.manifest.path : file, io.cwd);
    if (!io.json) io.out(renderPlan(plan, { color: io.color, verbose: io.verbose, manifestLabel: label }));
    if (plan.blocked) {
      if (io.json) io.out(JSON.stringify({ ...runJson({ result: 'refused', plan }), error: blockedPlanError(plan, file) }, null, 2));
      else io.err('Nothing was changed.');
      return 1;
    }
    if (!hasChanges(plan)) {
      if (io.json) io.out(JSON.stringify(runJson({ result: 'nothing-to-do', plan }), null, 2));
      return 0;
    }
    if (!(await confirm(io, 'Apply these changes?', values.yes === true, 'apply'))) {
      io.err('Nothing was changed.');
      return 1;
    }
    // The question may have taken minutes: the disk must still be what the plan saw.
    if (!values.yes) await refuseIfStale(plan, 'the plan', saved ? {} : RENAMES_UNMEASURED);
    const work = plan.entries.filter((p) => isWork(p.action));
    const view = await progressView(io, work, entryTitle, { format: progress, command: 'apply' });
    const fs = new NodeFs();
    return withStopSignals(
      io,
      async (stop) => {
        const outcome = await startRun(plan, {
          stateDir,
          fs,
          journalDisk: nodeJournalDisk,
          verify: verifyMode,
          noRollback: values['no-rollback'] === true,
          onEvent: (e) => view.onEvent(e),
          id: runId,
          stop,
          onJournalLine: journalTestHook(),
        });
        await afterRun(io, fs, view, outcome, outcome.result === 'done');
        return reportOutcome(io, outcome, `Applied ${work.length} change${work.length === 1 ? '' : 's'}`, { command: 'apply', direction: 'forward', stateDir });
      },
      { stdinStop: progress === 'json' },
    );
  }
}
