import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, readFile, realpath, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createWhole } from './create-whole.js';
import { fsyncMadeLevels } from './durability.js';
import type { FolderPresence, LockFileText, LockRegistryPlace, ProcessUser } from '../journal/disk-port.js';

/**
 * The disk side of the machine-wide path-lock registry (the policy is in
 * src/journal/path-lock.ts). One small JSON file per run that holds locks,
 * in one folder every relocate on the machine uses, whatever its state
 * folder. Files are only ever created whole (written and fsync'd under a
 * temporary name, then linked into place, folder fsync'd: createWhole) and removed; never rewritten in place, so a reader sees a
 * holder's file complete or not at all.
 */

/**
 * The registry's folder. `RELOCATE_LOCK_DIR` overrides (tests; a site that
 * wants another place must set it for every user). Otherwise one place per
 * machine that survives a reboot, because an unfinished run (a power cut)
 * keeps its locks until it is resumed or rolled back:
 * - Windows: `%ProgramData%\relocate\locks` (every user may create files there);
 * - Linux and macOS: `/var/tmp/relocate-locks`. /var/tmp is kept across
 *   reboots (FHS) and writable by every user, unlike /tmp and /run/lock,
 *   which are emptied at boot and would drop a crashed run's locks.
 *   (systemd-tmpfiles ages /var/tmp entries after 30 days by default: a run
 *   left unfinished longer than that may lose its locks; `relocate status`
 *   reports such a run in its own state folder regardless.)
 * Pure: decided from the environment and OS only.
 */
export function lockRegistryPlace(env: Record<string, string | undefined>, osName: NodeJS.Platform, cwd: string): LockRegistryPlace {
  const override = env.RELOCATE_LOCK_DIR;
  if (override) return { dir: path.resolve(cwd, override), shared: false };
  if (osName === 'win32') return { dir: path.win32.join(env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData', 'relocate', 'locks'), shared: false };
  return { dir: '/var/tmp/relocate-locks', shared: true };
}

/**
 * Makes the registry folder if it is missing and checks it is a real
 * folder (a symlink planted there is refused: locks must land where every
 * run looks). The shared default is made sticky and world-writable, like
 * /tmp, so each user can add and remove only their own lock files.
 */
export async function ensureRegistry(place: LockRegistryPlace): Promise<void> {
  // Its name durable like every state name (a lock file in a folder a power cut takes back would be lost with it).
  await fsyncMadeLevels(place.dir, await mkdir(place.dir, { recursive: true, mode: place.shared ? 0o1777 : 0o755 }));
  const st = await lstat(place.dir);
  if (!st.isDirectory()) throw Object.assign(new Error(`${place.dir} is not a folder`), { code: 'ENOTDIR' });
  // mkdir's mode passes through the umask; a shared registry needs exactly 1777. Only its owner may change it.
  if (place.shared && (st.mode & 0o7777) !== 0o1777 && typeof process.getuid === 'function' && st.uid === process.getuid()) await chmod(place.dir, 0o1777);
}

/**
 * The spelling two runs agree on for one path: the real path of its
 * deepest existing parent folder (so `/home/me/link/x` and the folder the
 * link points into meet), then the remaining names, never resolving the
 * last name itself (a relocate link must stay itself, not become its
 * target). Separators are `/`; Unicode NFC; case folded always: on a
 * case-sensitive volume this can only make two runs over names differing
 * by case wait for each other, never let two runs over one path through.
 */
export async function canonicalLockPath(p: string): Promise<string> {
  return (await canonicalLockPaths([p]))[0];
}

/**
 * canonicalLockPath for many paths, resolving each parent folder once (a
 * manifest of 1,000 links in a few folders costs a few realpath calls, not
 * thousands).
 */
export async function canonicalLockPaths(paths: readonly string[]): Promise<string[]> {
  const realOf = new Map<string, Promise<string | null>>();
  const real = (dir: string): Promise<string | null> => {
    let r = realOf.get(dir);
    if (!r) {
      r = realpath(dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
        throw err;
      });
      realOf.set(dir, r);
    }
    return r;
  };
  const out: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(p);
    const rest: string[] = [path.basename(abs)];
    let dir = path.dirname(abs);
    for (;;) {
      const found = await real(dir);
      if (found !== null) {
        out.push(foldPath(path.join(found, ...rest.slice().reverse())));
        break;
      }
      const up = path.dirname(dir);
      if (up === dir) {
        out.push(foldPath(path.join(dir, ...rest.slice().reverse())));
        break;
      }
      rest.push(path.basename(dir));
      dir = up;
    }
  }
  return out;
}

/** Folding a canonical path for comparison (see canonicalLockPath). Pure. */
export function foldPath(p: string): string {
  let s = p.replace(/\\/g, '/').normalize('NFC').toLowerCase();
  while (s.length > 1 && s.endsWith('/') && !/^[a-z]:\/$/.test(s)) s = s.slice(0, -1);
  return s;
}

/** This process's user, for a refusal that names who holds a path. */
export function currentUser(): ProcessUser {
  let user = process.env.USER ?? process.env.USERNAME ?? '?';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (a container's arbitrary uid): the environment's name stands.
  }
  return { user, uid: typeof process.getuid === 'function' ? process.getuid() : null };
}

const SUFFIX = '.lock.json';

/** A new lock file's name: unique, so creating one never waits on or replaces another. */
export function newLockFileName(runId: string): string {
  return `${runId.replace(/[^A-Za-z0-9-]/g, '_')}-${process.pid}-${randomBytes(4).toString('hex')}${SUFFIX}`;
}

/**
 * Creates a lock file (never replacing one), its content and name durable
 * before it returns, and whole the moment its name appears (createWhole):
 * a run reading the registry meanwhile never finds it empty.
 */
export async function writeLockFile(dir: string, name: string, content: string): Promise<void> {
  if (!(await createWhole(path.join(dir, name), content, 0o644))) {
    throw Object.assign(new Error(`lock file ${name} exists already`), { code: 'EEXIST' });
  }
}

/** Every lock file in the registry with its text; a file removed while listing is skipped. */
export async function readLockFiles(dir: string): Promise<LockFileText[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: LockFileText[] = [];
  const read = async (name: string): Promise<void> => {
    try {
      out.push({ name, text: await readFile(path.join(dir, name), 'utf8') });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  };
  for (const name of names.filter((n) => n.endsWith(SUFFIX)).sort()) await read(name);
  // An empty file is one being written on a volume without hard links (createWhole's fallback): read it again after a moment.
  const empty = out.filter((f) => f.text === '').map((f) => f.name);
  if (empty.length > 0) {
    await new Promise((r) => setTimeout(r, 100));
    out.splice(0, out.length, ...out.filter((f) => f.text !== ''));
    for (const name of empty) await read(name);
  }
  return out;
}

/**
 * Removes a lock file; false when the OS refused (another user's file in a
 * sticky folder). Gone already counts as removed. Not fsync'd: a removed
 * file that a power cut brings back is a finished run's (stale, tidied by
 * the next run) or a run's own earlier file (taken over by its resume),
 * never a lock that lets two runs through.
 */
export async function removeLockFile(dir: string, name: string): Promise<boolean> {
  try {
    await unlink(path.join(dir, name));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code === 'EACCES' || code === 'EPERM') return false;
    throw err;
  }
  return true;
}

/**
 * Whether a holder's state folder can be read: `present`, `missing` (no
 * such folder: it was removed, or lives on a drive that is not there now)
 * or `unreadable` (another user's private folder, an I/O error).
 */
export async function folderPresence(dir: string): Promise<FolderPresence> {
  try {
    await readdir(dir);
    return 'present';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable';
  }
}
