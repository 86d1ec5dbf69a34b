import type { StopRequest } from '../exec/stop-request.js';
import type { CliIO } from './io.js';

/** The signals a run answers, with the exit code a shell expects after each (128 + its number). */
export const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type StopSignal = keyof typeof STOP_SIGNALS;

/**
 * Runs a changing command (apply, resume, rollback) with Ctrl-C, SIGTERM
 * and SIGHUP handled instead of killing the process mid-step:
 * - the first asks the run to stop at the next safe point (between two
 *   steps); apply and resume then roll back what the run did, unless
 *   --no-rollback; a rollback stops where it is, to be continued;
 * - a second stops at once, as a crash would: the journal leaves the run
 *   resumable, and the message says so.
 * The command's exit code becomes 128 + the signal's number (130, 143, 129)
 * when a signal stopped it, whatever the rollback did; the run's message says
 * which.
 */
export async function withStopSignals(io: CliIO, fn: (stop: StopRequest) => Promise<number>): Promise<number> {
  const stop: StopRequest = {};
  const handlers = new Map<StopSignal, () => void>();
  for (const sig of Object.keys(STOP_SIGNALS) as StopSignal[]) {
    const handler = () => {
      if (!stop.signal) {
        stop.signal = sig;
        io.err(`\n${sig}: stopping at the next safe point (the current step finishes first). Press Ctrl-C again to stop at once.`);
        return;
      }
      io.err(`\n${sig} again: stopped at once. The run is unfinished: \`relocate resume\` finishes it, \`relocate rollback\` undoes it. Nothing was deleted that was not verified elsewhere.`);
      process.exit(STOP_SIGNALS[sig]);
    };
    handlers.set(sig, handler);
    process.on(sig, handler);
  }
  try {
    const code = await fn(stop);
    return stop.signal ? STOP_SIGNALS[stop.signal as StopSignal] : code;
  } finally {
    for (const [sig, handler] of handlers) process.removeListener(sig, handler);
  }
}
