import os from 'node:os';
import path from 'node:path';
import { RelocateError } from '../core/errors.js';
import { changedPaths } from '../plan/entry-paths.js';
import type { Plan } from '../plan/types.js';
import type { JournalDisk, LockRegistryPlace } from './disk-port.js';
import { describeHolder, hintFor, judgeHolder, parseInfo, runRecordState, UNREADABLE_HOLDER, type HolderState, type PathLockInfo } from './path-lock-holder.js';
import { firstOverlap } from './path-overlap.js';

/**
 * Path locks: how runs from different state folders keep out of each
 * other's way (DESIGN.md "Runs, the journal"). The state folder's own lock
 * (lock.ts) only orders runs that share a state folder; two users, two
 * manifests, a script and a person each have their own, and one run's
 * rollback could otherwise undo, or delete, what the other made.
 *
 * The decision, and why:
 * 1. A registry every relocate honours, whatever its state folder: one
 *    folder per machine (src/platform/path-locks.ts says where and why
 *    there), holding one JSON file per run that holds locks: who (pid,
 *    host, user, state folder, run id, command, time) and which paths (the
 *    link and target of each entry the run may change, canonical: real
 *    parent folder, case folded). Nothing is ever written beside the
 *    user's paths.
 * 2. Taking locks: write our file first, then read every other file; a
 *    held file naming one of our paths, or a folder above or below one, is
 *    a conflict: remove ours and refuse (E_PATH_LOCKED, naming the holder).
 *    Two runs starting at once both write before they read, so at least one
 *    sees the other (both may refuse; each retries once after a short
 *    random pause). Files are unique names, created whole and never
 *    rewritten: no lost update, no stale-lock takeover race.
 * 3. A file is held until its run is finished. It is stale only when its
 *    process is dead (same host) AND its run is recorded finished in the
 *    holder's state folder, or that state folder has no record of the run
 *    (the process died before the run began). A crashed, unfinished run
 *    keeps its locks, pid dead or not; when the holder's state folder cannot
 *    be read (another user's private folder, a drive not mounted) the file
 *    is held. Stale files are removed by whoever meets them (a stale file
 *    can never become held again: a run that is finished or never began
 *    does nothing more, and its own resume or rollback writes a new file).
 * 4. Our own earlier file (the same state folder and run: the process that
 *    crashed during this run) is not a conflict; it is removed once the
 *    new one is in place, so resume and rollback take over their run's locks.
 * 5. Taken before the run's first step (apply: before the disk is even
 *    observed, so the plan cannot be made stale by a run that was still
 *    working), by resume and by rollback; released only when the run is
 *    finished (done or rolled back), or never began.
 * Who holds a file and whether it still holds is path-lock-holder.ts;
 * whether two paths meet, path-overlap.ts. Every disk call goes through
 * the JournalDisk given.
 */

/** Locks this process holds. `release` removes its file; `narrow` keeps only some paths. */
export interface HeldPathLocks {
  info: PathLockInfo;
  /** Stale files of others met while taking the locks and removed. */
  cleared: PathLockInfo[];
  /** Replaces the file with one naming only `paths` (a subset of those held). */
  narrow(paths: string[]): Promise<void>;
  release(): Promise<void>;
}

/** One path's canonical spelling (the port answers one per path asked). */
async function canonicalLockPath(disk: JournalDisk, p: string): Promise<string> {
  const [key] = await disk.canonicalLockPaths([p]);
  if (key === undefined) throw new Error(`no canonical spelling for ${p}`);
  return key;
}

/** What acquirePathLocks needs. `disk` is the only way it reaches the registry and the holders' state folders. */
export interface AcquireOptions {
  disk: JournalDisk;
  place: LockRegistryPlace;
  /** The paths the run may change (links and targets), as the plan names them. */
  paths: string[];
  stateDir: string;
  runId: string;
  command: string;
  /** Test hook: the pause before the one retry after a both-refuse race, in ms (default 50-250, random). */
  retryPauseMs?: number;
}

/**
 * Takes the locks on `paths` for run `runId` of `stateDir`, or throws
 * E_PATH_LOCKED naming the holder (nothing changed). See the module comment.
 */
export async function acquirePathLocks(opts: AcquireOptions): Promise<HeldPathLocks> {
  const { disk } = opts;
  const dir = opts.place.dir;
  try {
    await disk.ensureRegistry(opts.place);
  } catch (err) {
    throw new RelocateError('E_PATH_LOCK_DIR', `cannot use the path-lock folder ${dir}: ${(err as Error).message}; nothing was changed`, {
      path: dir,
      hint: opts.place.shared
        ? `it must be a folder every user can write to: \`chmod 1777 ${dir}\` (as its owner or root)`
        : `make ${dir} a folder this user can write to (RELOCATE_LOCK_DIR chooses it)`,
      cause: err,
    });
  }
  const shownByKey = new Map<string, string>();
  const keys = await disk.canonicalLockPaths(opts.paths);
  opts.paths.forEach((p, i) => {
    if (!shownByKey.has(keys[i])) shownByKey.set(keys[i], p);
  });
  const me = disk.currentUser();
  const stateDirKey = await canonicalLockPath(disk, opts.stateDir);
  const info: PathLockInfo = {
    version: 1,
    pid: process.pid,
    host: os.hostname(),
    user: me.user,
    uid: me.uid,
    stateDir: path.resolve(opts.stateDir),
    stateDirKey,
    runId: opts.runId,
    command: opts.command,
    startedAt: new Date().toISOString(),
    shown: [...shownByKey.values()],
    paths: [...shownByKey.keys()],
  };
  const cleared: PathLockInfo[] = [];
  for (let attempt = 0; ; attempt++) {
    const name = disk.newLockFileName(opts.runId);
    await disk.writeLockFile(dir, name, JSON.stringify(info) + '\n');
    const conflict = await findConflict(disk, dir, name, info, cleared);
    if (!conflict.found) {
      // Point 4: our run's earlier files (a crashed process of this run) go once ours is in place.
      for (const own of conflict.ownEarlier) await disk.removeLockFile(dir, own);
      await disk.removeDeadTemps(dir);
      return held(disk, dir, name, info, cleared);
    }
    await disk.removeLockFile(dir, name);
    if (attempt >= 1) {
      const { holder, state, file, mine, theirs } = conflict;
      const shownMine = info.shown[info.paths.indexOf(mine)] ?? mine;
      // An unreadable lock file says neither which run it is nor what it holds: "may be", and no overlap.
      const unknown = state.held && state.why === 'lock-unreadable';
      const overlap = mine === theirs || unknown ? '' : ` (it holds ${holder.shown[holder.paths.indexOf(theirs)] ?? theirs})`;
      throw new RelocateError(
        'E_PATH_LOCKED',
        `${shownMine} ${unknown ? 'may be' : 'is'} in use by another relocate run${overlap}: ${describeHolder(holder, state)}; nothing was changed`,
        {
          path: shownMine,
          hint: hintFor(holder, state, path.join(dir, file), me.user),
        },
      );
    }
    // Both runs may have seen each other and backed off: one more try after a random pause breaks the tie.
    await new Promise((r) => setTimeout(r, opts.retryPauseMs ?? 50 + Math.floor(Math.random() * 200)));
  }
}

type Conflict = { found: false; ownEarlier: string[] } | { found: true; holder: PathLockInfo; state: HolderState; file: string; mine: string; theirs: string };

async function findConflict(disk: JournalDisk, dir: string, myName: string, info: PathLockInfo, cleared: PathLockInfo[]): Promise<Conflict> {
  const ownEarlier: string[] = [];
  for (const { name, text } of await disk.readLockFiles(dir)) {
    if (name === myName) continue;
    const other = parseInfo(text) ?? UNREADABLE_HOLDER(name);
    if (other.stateDirKey === info.stateDirKey && other.runId === info.runId && other.host === info.host) {
      ownEarlier.push(name);
      continue;
    }
    const hit = firstOverlap(info.paths, other.paths);
    // Our own state folder's leftovers (a process killed before its run began) are tidied even when they overlap nothing.
    if (!hit && other.stateDirKey !== info.stateDirKey) continue;
    const state = await judgeHolder(disk, other);
    if (!state.held) {
      // Removing is best effort: another user's stale file in the sticky folder stays, and is judged stale again next time.
      if (await disk.removeLockFile(dir, name)) cleared.push(other);
      continue;
    }
    if (!hit) continue;
    return { found: true, holder: other, state, file: name, mine: hit[0], theirs: hit[1] };
  }
  return { found: false, ownEarlier };
}

function held(disk: JournalDisk, dir: string, first: string, info: PathLockInfo, cleared: PathLockInfo[]): HeldPathLocks {
  let name = first;
  let current = info;
  return {
    get info() {
      return current;
    },
    cleared,
    async narrow(paths: string[]): Promise<void> {
      const keys = new Set(await disk.canonicalLockPaths(paths));
      const kept = current.paths.map((k, i) => ({ k, shown: current.shown[i] ?? k })).filter((x) => keys.has(x.k));
      if (kept.length === current.paths.length) return;
      const next: PathLockInfo = { ...current, shown: kept.map((x) => x.shown), paths: kept.map((x) => x.k) };
      // The smaller file is written before the larger one goes: the paths kept are never unlocked in between.
      const nextName = disk.newLockFileName(current.runId);
      await disk.writeLockFile(dir, nextName, JSON.stringify(next) + '\n');
      await disk.removeLockFile(dir, name);
      name = nextName;
      current = next;
    },
    async release(): Promise<void> {
      await disk.removeLockFile(dir, name);
    },
  };
}

/** A path of a plan that another run holds: `path` as the plan names it, `holder` that run in words, `hint` what to do (as E_PATH_LOCKED's). */
export interface LockedPath {
  path: string;
  holder: string;
  hint: string;
}

/**
 * The held locks of other runs that name one of `paths` (or a folder above
 * or below one): for `plan` to warn. Reads only; removes nothing.
 */
export async function lockedByOthers(disk: JournalDisk, place: LockRegistryPlace, paths: string[], stateDir: string): Promise<LockedPath[]> {
  const files = await disk.readLockFiles(place.dir).catch(() => []);
  if (files.length === 0) return [];
  const keys = await disk.canonicalLockPaths(paths);
  const stateDirKey = await canonicalLockPath(disk, stateDir);
  const me = disk.currentUser().user;
  const out: LockedPath[] = [];
  for (const { name, text } of files) {
    const other = parseInfo(text) ?? UNREADABLE_HOLDER(name);
    if (other.stateDirKey === stateDirKey) continue;
    const hit = firstOverlap(keys, other.paths);
    if (!hit) continue;
    const state = await judgeHolder(disk, other);
    if (state.held)
      out.push({
        path: paths[keys.indexOf(hit[0])] ?? hit[0],
        holder: describeHolder(other, state),
        hint: hintFor(other, state, path.join(place.dir, name), me),
      });
  }
  return out;
}

/**
 * Releases the locks when their run no longer needs them: it is recorded
 * finished, or it never began (a refusal, a "no" at the question). An
 * unfinished run (failed, rolling back, a rollback that stopped) keeps
 * them, so no run from another state folder touches its paths until it is
 * resumed or rolled back. When the record cannot be read, they are kept.
 */
export async function releaseIfSettled(disk: JournalDisk, locks: HeldPathLocks, stateDir: string, runId: string): Promise<boolean> {
  const rec = await runRecordState(disk, stateDir, runId);
  if (rec.kind === 'finished' || rec.kind === 'gone') {
    await locks.release();
    return true;
  }
  return false;
}

/** The paths a plan's run may change: the link and target of every entry that changes something, and a retarget's old target. Pure. */
export function planLockPaths(plan: Plan): string[] {
  return plan.entries.flatMap(changedPaths);
}
