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
 * With `stdinStop` (the `--progress json` runs), a line `stop` on stdin
 * counts as Ctrl-C (stopLines).
 * The command's exit code becomes 128 + the signal's number (130, 143, 129)
 * when a signal stopped it, whatever the rollback did; the run's message says
 * which.
 */
export async function withStopSignals(io: CliIO, fn: (stop: StopRequest) => Promise<number>, opts: { stdinStop?: boolean } = {}): Promise<number> {
  const stop: StopRequest = {};
  const handlers = new Map<StopSignal, () => void>();
  const ask = (sig: StopSignal, said: string) => {
    if (!stop.signal) {
      stop.signal = sig;
      io.err(`\n${said}: stopping at the next safe point (the current step finishes first). Press Ctrl-C again to stop at once.`);
      return;
    }
    io.err(
      `\n${said} again: stopped at once. The run is unfinished: \`relocate resume\` finishes it, \`relocate rollback\` undoes it. Nothing was deleted that was not verified elsewhere.`,
    );
    process.exit(STOP_SIGNALS[sig]);
  };
  for (const sig of Object.keys(STOP_SIGNALS) as StopSignal[]) {
    const handler = () => ask(sig, sig);
    handlers.set(sig, handler);
    process.on(sig, handler);
  }
  const stdin = opts.stdinStop ? stopLines(() => ask('SIGINT', 'stop (asked on stdin)')) : undefined;
  try {
    const code = await fn(stop);
    return stop.signal ? STOP_SIGNALS[stop.signal as StopSignal] : code;
  } finally {
    for (const [sig, handler] of handlers) process.removeListener(sig, handler);
    stdin?.close();
  }
}

/**
 * With `--progress json` a program drives the run, and where signals do not
 * reach (Windows has no SIGINT for another process: Node's kill() there
 * ends it outright), a line `stop` on stdin is its Ctrl-C: the first stops
 * the run at the next safe point, a second at once. Other lines, and the
 * end of stdin (a script's /dev/null), change nothing.
 */
function stopLines(onStop: () => void): { close(): void } {
  let partial = '';
  const onData = (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl).trim();
      partial = partial.slice(nl + 1);
      if (line === 'stop') onStop();
    }
  };
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', onData);
  // Read only while the run lasts: a stdin kept open by the caller must not keep relocate from exiting.
  return {
    close() {
      process.stdin.removeListener('data', onData);
      process.stdin.pause();
      process.stdin.unref?.();
    },
  };
}
