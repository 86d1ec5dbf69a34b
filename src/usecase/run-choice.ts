import { RelocateError } from '../core/errors.js';
import type { RunDirection } from '../exec/run-results.js';
import { UNFINISHED, type RunRecord } from '../journal/types.js';

/**
 * Which run `relocate rollback [RUN]` undoes, from the runs newest first:
 * the one named (by its id, or the start of it when only one id starts so),
 * else the unfinished run, else the newest finished one. Throws E_NO_RUN
 * when there is none, E_USAGE when the start of an id names several runs
 * (ids begin with the date: `20261207` must not undo whichever of that
 * day's runs is newest), and E_INTERRUPTED_RUN when another run is
 * unfinished: a finished run is never undone under a half-way one.
 */
export function runToRollBack(runs: readonly RunRecord[], wanted: string | undefined, stateDir: string): RunRecord {
  const run = wanted ? named(runs, wanted) : (runs.find((r) => UNFINISHED.has(r.status)) ?? runs.find((r) => r.status === 'done'));
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

/** The run `wanted` names: the one with that id, else the only one whose id starts with it (several: E_USAGE). */
function named(runs: readonly RunRecord[], wanted: string): RunRecord | undefined {
  const exact = runs.find((r) => r.id === wanted);
  if (exact) return exact;
  const starting = runs.filter((r) => r.id.startsWith(wanted));
  if (starting.length > 1) {
    const shown = starting.slice(0, 5).map((r) => r.id);
    throw new RelocateError(
      'E_USAGE',
      `${starting.length} runs start with ${wanted}: ${shown.join(', ')}${starting.length > 5 ? ', …' : ''}; nothing was changed`,
      {
        hint: 'give more of the run id (see `relocate history`)',
      },
    );
  }
  return starting[0];
}

/** Which way `relocate resume` drives an unfinished run: back when it stopped rolling back, else forward. Read it before resuming (the run's status changes as it goes). */
export function resumeDirection(run: Pick<RunRecord, 'status'>): RunDirection {
  return run.status === 'rolling-back' ? 'back' : 'forward';
}
