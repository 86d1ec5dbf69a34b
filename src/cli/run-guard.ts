import { acquireLock, type HeldLock } from '../journal/lock.js';
import { findUnfinished } from '../journal/runs.js';
import type { RunRecord } from '../journal/types.js';
import type { CliIO } from './io.js';
import { unfinishedRunError } from '../usecase/unfinished-run.js';

/**
 * Runs `fn` holding the state directory's lock. A dead holder's lock is
 * reported and taken over. The lock is released however `fn` ends.
 */
export async function withLock<T>(stateDir: string, command: string, io: CliIO, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
  const lock = await acquireLock(stateDir, command);
  if (lock.tookOverFrom && !io.json) {
    io.err(io.color.yellow(`note: the lock of ${stateDir} was left by relocate pid ${lock.tookOverFrom.pid}, which is no longer running; taken over.`));
  }
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}

/** Refuses a changing command while a run is unfinished (DESIGN.md: resume or rollback first). */
export async function refuseIfUnfinished(stateDir: string): Promise<void> {
  const run: RunRecord | undefined = await findUnfinished(stateDir);
  if (run) throw unfinishedRunError(run);
}
