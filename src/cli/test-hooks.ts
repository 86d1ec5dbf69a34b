import type { JournalLineHook } from '../journal/runs.js';

/**
 * The crash and interrupt tests' hook, from the environment: with
 * RELOCATE_TEST_CRASH_AFTER=N the process kills itself (SIGKILL) right
 * after journal line N (1-based); with RELOCATE_TEST_SIGNAL_AFTER=N:SIG[,M:SIG…]
 * it sends itself SIG (SIGINT, SIGTERM, SIGHUP) right after line N, as a
 * user's Ctrl-C would arrive while a step runs. Undefined (no hook: the
 * journal batches lines as usual) unless one is set. Made here, where a
 * process may end itself, and handed to the run (RunOptions.onJournalLine).
 */
export function journalTestHook(env: NodeJS.ProcessEnv = process.env): JournalLineHook | undefined {
  const n = Number(env.RELOCATE_TEST_CRASH_AFTER ?? '');
  const signals = new Map<number, NodeJS.Signals>();
  for (const part of (env.RELOCATE_TEST_SIGNAL_AFTER ?? '').split(',')) {
    const [at, sig] = part.split(':');
    if (Number(at) > 0 && (sig === 'SIGINT' || sig === 'SIGTERM' || sig === 'SIGHUP')) signals.set(Number(at), sig);
  }
  const crashAt = Number.isInteger(n) && n > 0 ? n : undefined;
  if (crashAt === undefined && signals.size === 0) return undefined;
  return (count) => {
    if (count === crashAt) process.kill(process.pid, 'SIGKILL');
    const sig = signals.get(count);
    if (sig) process.kill(process.pid, sig);
  };
}
