import type { RunOutcome } from '../exec/run-control.js';
import type { NodeFs } from '../platform/node-fs.js';
import { sweepRunProbes } from '../platform/probe-leftovers.js';
import type { CliIO } from './io.js';
import type { ProgressView } from './progress.js';

/**
 * What apply, rollback and resume each do once their run has ended, in this
 * order: remove the probes a killed earlier attempt of the run left in the
 * user's folders (probe-leftovers.ts), close the progress view (`succeeded`:
 * the run reached what the command asked for), and with --verbose say how
 * the disk code had to work (a rename fallback, what could not be kept,
 * how copies were made durable).
 */
export async function afterRun(io: CliIO, fs: NodeFs, view: ProgressView, outcome: RunOutcome, succeeded: boolean): Promise<void> {
  sweepRunProbes(outcome.record.steps);
  await view.finish(succeeded, outcome.error);
  if (!io.verbose) return;
  for (const note of [fs.fallbackNote, fs.keepNote, fs.durabilityNote]) if (note) io.err(`note: ${note}`);
}
