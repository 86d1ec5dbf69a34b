import os from 'node:os';
import path from 'node:path';
import { count, obj, parseJson, str } from '../core/decode.js';
import { RelocateError } from '../core/errors.js';
import type { JournalDisk } from './disk-port.js';

/** The holder of the state directory's lock, as written in the lock file. */
export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

const lockInfo = obj<LockInfo>({ pid: count, host: str, startedAt: str, command: str });

/** A held lock. Invariant: at most one live process holds the lock of a state directory. */
export interface HeldLock {
  info: LockInfo;
  /** A previous holder that had died and whose lock was taken over. */
  tookOverFrom?: LockInfo;
  release(): Promise<void>;
}

/**
 * Takes the lock of a state directory: refused while a live process holds
 * it (E_LOCKED names its pid); a lock whose process is dead (on this host)
 * is reported and taken over. Every disk call goes through `disk`.
 */
export async function acquireLock(disk: JournalDisk, stateDir: string, command: string): Promise<HeldLock> {
  await disk.ensureDir(stateDir);
  const file = path.join(stateDir, 'lock');
  const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command };
  let tookOverFrom: LockInfo | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await disk.createExclusive(file, JSON.stringify(info))) {
      return {
        info,
        ...(tookOverFrom ? { tookOverFrom } : {}),
        release: () => disk.removeFile(file),
      };
    }
    let text = await disk.readText(file);
    // Gone since: the holder finished; try again.
    if (text === undefined) continue;
    // Empty: made by O_EXCL on a volume without hard links and not yet written (createWhole); look again after a moment.
    if (text === '') {
      await new Promise((r) => setTimeout(r, 100));
      text = await disk.readText(file);
      if (text === undefined) continue;
    }
    let holder: LockInfo | undefined;
    try {
      holder = lockInfo(parseJson(text), '');
    } catch {
      // Torn (a crash while it was written) or not a lock of ours: unreadable, taken over below as a dead holder's.
      holder = undefined;
    }
    if (holder && holder.host === info.host && disk.processAlive(holder.pid)) {
      throw new RelocateError(
        'E_LOCKED',
        `another relocate (pid ${holder.pid}, \`${holder.command}\`, since ${holder.startedAt}) is working with ${stateDir}`,
        {
          path: file,
          hint: `wait for it to finish; if pid ${holder.pid} is not relocate, remove ${file}`,
        },
      );
    }
    if (holder && holder.host !== info.host) {
      throw new RelocateError('E_LOCKED', `the state folder ${stateDir} is locked by relocate on host ${holder.host} (pid ${holder.pid})`, {
        path: file,
        hint: `a state folder shared between machines is not supported; if no relocate runs there, remove ${file}`,
      });
    }
    // A dead holder (crash, kill -9) or an unreadable lock file: take it over, removing exactly the file judged
    // (another run taking over the same dead holder may have put its own lock there since).
    if (await disk.removeIfStill(file, text)) tookOverFrom = holder ?? { pid: 0, host: info.host, startedAt: '?', command: '?' };
    await disk.removeDeadTemps(stateDir);
  }
  throw new RelocateError('E_LOCKED', `could not take the lock ${file}`, { path: file, hint: 'another relocate keeps taking it; try again' });
}
