import { RelocateError } from '../core/errors.js';
import type { RunDirection } from '../exec/run-results.js';
import { UNFINISHED, type RunRecord } from '../journal/types.js';

/**
 * Which run `relocate rollback [RUN]` undoes, from the runs newest first:
 * the one named (by id or a prefix of it), else the unfinished run, else
 * the newest finished one. Throws E_NO_RUN when there is none, and
 * E_INTERRUPTED_RUN when another run is unfinished: a finished run is
 * never undone under a half-way one.
 */
export function runToRollBack(runs: readonly RunRecord[], wanted: string | undefined, stateDir: string): RunRecord {
  const run = wanted
    ? runs.find((r) => r.id === wanted || r.id.startsWith(wanted))
    : (runs.find((r) => UNFINISHED.has(r.status)) ?? runs.find((r) => r.status === 'done'));
  if (!run) {
    throw new RelocateError('E_NO_RUN', wanted ? `no run ${wanted} in ${stateDir}` : `no run to roll back in ${stateDir}`, {
      path: stateDir,
      hint: 'see `relocate history`',
    });
  }
  const unfinished = runs.find((r) => UNFINISHED.has(r.status));
  if (unfinished && unfinished.id !== run.id) {
    throw new RelocateError('E_INTERRUPTED_RUN', `run ${unfinished.id} did not finish; deal with it before rolling back ${run.id}`, {
      hint: `\`relocate rollback ${unfinished.id}\` or \`relocate resume\``,
    });
  }
  return run;
}

/** Which way `relocate resume` drives an unfinished run: back when it stopped rolling back, else forward. Read it before resuming (the run's status changes as it goes). */
export function resumeDirection(run: Pick<RunRecord, 'status'>): RunDirection {
  return run.status === 'rolling-back' ? 'back' : 'forward';
}
