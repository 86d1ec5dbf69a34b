import { acquirePathLocks, releaseIfSettled, type HeldPathLocks } from '../journal/path-lock.js';
import { lockRegistryPlace } from '../platform/path-locks.js';
import { nodeJournalDisk } from '../platform/journal-fs.js';
import type { CliIO } from './io.js';

/**
 * Takes the machine-wide path locks of run `runId` (src/journal/path-lock.ts)
 * for `fn`, which may narrow them; afterwards they are released only if the
 * run is finished or never began. An unfinished run keeps them across the
 * process's end, so runs from other state folders stay off its paths.
 */
export async function withPathLocks<T>(
  io: CliIO,
  run: { stateDir: string; runId: string; command: string; paths: string[] },
  fn: (locks: HeldPathLocks) => Promise<T>,
): Promise<T> {
  const locks = await acquirePathLocks({ disk: nodeJournalDisk, place: lockPlace(io), ...run });
  if (locks.cleared.length > 0 && io.verbose) {
    for (const c of locks.cleared) io.err(`note: removed the path lock of finished run ${c.runId} (pid ${c.pid}, ${c.stateDir}), which had not been released`);
  }
  try {
    return await fn(locks);
  } finally {
    await releaseIfSettled(nodeJournalDisk, locks, run.stateDir, run.runId);
  }
}

/** The lock registry of this invocation (RELOCATE_LOCK_DIR or the machine-wide default). */
export function lockPlace(io: CliIO): ReturnType<typeof lockRegistryPlace> {
  return lockRegistryPlace(io.env, process.platform, io.cwd);
}
