import os from 'node:os';
import path from 'node:path';
import { parseJson } from '../core/decode.js';
import { RelocateError } from '../core/errors.js';
import {
  canonicalLockPath,
  canonicalLockPaths,
  currentUser,
  ensureRegistry,
  folderPresence,
  newLockFileName,
  processAlive,
  readLockFiles,
  removeLockFile,
  tidyRegistry,
  writeLockFile,
  type LockRegistryPlace,
} from '../platform/path-locks.js';
import { readText } from '../platform/journal-fs.js';
import { changedPaths } from '../plan/entry-paths.js';
import type { Plan } from '../plan/types.js';
import { runStatus } from './record-decode.js';
import { UNFINISHED, type RunStatus } from './types.js';
import { assertNever } from '../core/never.js';

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
 */

/** What a lock file says. Invariant: `paths` are canonical (canonicalLockPath) and non-empty. */
export interface PathLockInfo {
  version: 1;
  pid: number;
  host: string;
  user: string;
  uid: number | null;
  /** The holder's state folder, as the holder spelled it (absolute) and canonical. */
  stateDir: string;
  stateDirKey: string;
  runId: string;
  command: string;
  startedAt: string;
  /** The paths as the manifest named them (for people) and canonical (for comparing). */
  shown: string[];
  paths: string[];
}

/** Locks this process holds. `release` removes its file; `narrow` keeps only some paths. */
export interface HeldPathLocks {
  info: PathLockInfo;
  /** Stale files of others met while taking the locks and removed. */
  cleared: PathLockInfo[];
  /** Replaces the file with one naming only `paths` (a subset of those held). */
  narrow(paths: string[]): Promise<void>;
  release(): Promise<void>;
}

/** Why a holder's file still holds, in words for the refusal. */
export type HolderState =
  | { held: true; why: 'running' | 'unfinished' | 'state-unreadable' | 'state-missing' | 'other-host' | 'alive'; status?: RunStatus }
  | { held: false; why: 'finished' | 'never-began' };

/** How a run's record stands in its state folder, read without trusting it more than needed. */
async function runRecordState(stateDir: string, runId: string): Promise<{ kind: 'finished' | 'unfinished'; status: RunStatus } | { kind: 'gone' } | { kind: 'unreadable' } | { kind: 'state-missing' }> {
  const presence = await folderPresence(stateDir);
  if (presence === 'missing') return { kind: 'state-missing' };
  if (presence === 'unreadable') return { kind: 'unreadable' };
  const dir = path.join(stateDir, 'runs', runId);
  try {
    // status.json says finished only once run.json does (RunStore.save); an unfinished or missing one sends us to run.json.
    const side = await readText(path.join(dir, 'status.json'));
    const sideStatus = side === undefined ? undefined : statusOf(side);
    if (sideStatus === 'done' || sideStatus === 'rolled-back') return { kind: 'finished', status: sideStatus };
    const full = await readText(path.join(dir, 'run.json'));
    if (full === undefined) return { kind: 'gone' };
    // Only the status is read here (the whole record is decoded where the run is acted on): one that is not a run's status is unreadable.
    const status = statusOf(full);
    if (status === undefined) return { kind: 'unreadable' };
    return { kind: UNFINISHED.has(status) ? 'unfinished' : 'finished', status };
  } catch {
    return { kind: 'unreadable' };
  }
}

/** Decides whether a lock file still holds (see the module comment, point 3). */
export async function holderState(info: PathLockInfo, host = os.hostname()): Promise<HolderState> {
  if (info.host !== host) return { held: true, why: 'other-host' };
  const rec = await runRecordState(info.stateDir, info.runId);
  const alive = processAlive(info.pid);
  switch (rec.kind) {
    case 'state-missing':
      return { held: true, why: alive ? 'alive' : 'state-missing' };
    case 'unreadable':
      return { held: true, why: alive ? 'alive' : 'state-unreadable' };
    case 'unfinished':
      return { held: true, why: alive ? 'running' : 'unfinished', status: rec.status };
    case 'finished':
      return alive ? { held: true, why: 'alive', status: rec.status } : { held: false, why: 'finished' };
    case 'gone':
      return alive ? { held: true, why: 'alive' } : { held: false, why: 'never-began' };
    default:
      return assertNever(rec, 'record state');
  }
}

/** True when `a` and `b` (canonical) are one path or one holds the other. Pure. */
export function pathsOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const under = (x: string, y: string) => x.startsWith(y.endsWith('/') ? y : y + '/');
  return under(a, b) || under(b, a);
}

/** `p` and each folder above it, nearest first ('/a/b' → '/a/b', '/a', '/'). Pure. */
function selfAndAncestors(p: string): string[] {
  const out = [p];
  for (let cut = p.lastIndexOf('/'); cut > 0; cut = p.lastIndexOf('/', cut - 1)) {
    const up = p.slice(0, cut);
    // A drive's root is spelled 'c:/' (foldPath), never 'c:'.
    out.push(/^[a-z]:$/.test(up) ? `${up}/` : up);
  }
  if (p.startsWith('/') && p !== '/') out.push('/');
  return out;
}

/**
 * The first pair (mine, theirs) that overlaps, if any. Pure. Each side's
 * paths go in a set and the other side's paths and their ancestors are
 * looked up in it: linear in the paths times their depth (two runs of
 * 2,000 paths each compare in about a millisecond, where every pair took
 * seconds).
 */
export function firstOverlap(mine: readonly string[], theirs: readonly string[]): [string, string] | undefined {
  const theirSet = new Set(theirs);
  for (const m of mine) {
    const hit = selfAndAncestors(m).find((a) => theirSet.has(a));
    if (hit !== undefined) return [m, hit];
  }
  const mineSet = new Set(mine);
  for (const t of theirs) {
    const hit = selfAndAncestors(t).find((a) => mineSet.has(a));
    if (hit !== undefined) return [hit, t];
  }
  return undefined;
}

/** The `status` of a run.json or status.json text, or undefined when it has none that is a run's (torn, damaged, foreign). */
function statusOf(text: string): RunStatus | undefined {
  try {
    return runStatus((parseJson(text) as { status?: unknown } | null)?.status, 'status');
  } catch {
    return undefined;
  }
}

function parseInfo(text: string): PathLockInfo | undefined {
  try {
    const v = JSON.parse(text) as PathLockInfo;
    if (v && v.version === 1 && typeof v.pid === 'number' && Array.isArray(v.paths) && typeof v.stateDir === 'string' && typeof v.runId === 'string') return v;
  } catch {
    // A file we cannot read is held (below): never a reason to go ahead.
  }
  return undefined;
}

/** A holder's file we cannot parse holds every path: we cannot tell which it protects. */
const UNREADABLE_HOLDER = (name: string): PathLockInfo => ({
  version: 1,
  pid: 0,
  host: '?',
  user: '?',
  uid: null,
  stateDir: '?',
  stateDirKey: '?',
  runId: name,
  command: '?',
  startedAt: '?',
  shown: ['/'],
  paths: ['/'],
});

function describeHolder(info: PathLockInfo, st: HolderState): string {
  const what = st.held
    ? {
        running: `still running (pid ${info.pid})`,
        alive: `pid ${info.pid} is still running`,
        unfinished: `unfinished (${st.status ?? '?'}): pid ${info.pid} is no longer running`,
        'state-unreadable': `its state folder cannot be read, so relocate cannot tell whether it finished`,
        'state-missing': `its state folder is not there, so relocate cannot tell whether it finished`,
        'other-host': `on host ${info.host}`,
      }[st.why]
    : 'finished';
  return `relocate \`${info.command}\` by user ${info.user}, run ${info.runId}, state folder ${info.stateDir}, since ${info.startedAt}: ${what}`;
}

function hintFor(info: PathLockInfo, st: HolderState, file: string): string {
  const as = info.user !== currentUser().user ? ` (as user ${info.user})` : '';
  if (st.held && (st.why === 'running' || st.why === 'alive')) return `wait for pid ${info.pid} to finish, then try again`;
  if (st.held && (st.why === 'state-missing' || st.why === 'other-host')) {
    return `finish or undo that run where its state folder is: \`relocate resume --state-dir ${info.stateDir}\` or \`relocate rollback --state-dir ${info.stateDir}\`${as}; if that run is gone for good, remove the lock file ${file}`;
  }
  return `finish or undo that run first: \`relocate resume --state-dir ${info.stateDir}\` or \`relocate rollback --state-dir ${info.stateDir}\`${as}`;
}

export interface AcquireOptions {
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
  const dir = opts.place.dir;
  try {
    await ensureRegistry(opts.place);
  } catch (err) {
    throw new RelocateError('E_PATH_LOCK_DIR', `cannot use the path-lock folder ${dir}: ${(err as Error).message}; nothing was changed`, {
      path: dir,
      hint: opts.place.shared ? `it must be a folder every user can write to: \`chmod 1777 ${dir}\` (as its owner or root)` : `make ${dir} a folder this user can write to (RELOCATE_LOCK_DIR chooses it)`,
      cause: err,
    });
  }
  const shownByKey = new Map<string, string>();
  const keys = await canonicalLockPaths(opts.paths);
  opts.paths.forEach((p, i) => {
    if (!shownByKey.has(keys[i]!)) shownByKey.set(keys[i]!, p);
  });
  const me = currentUser();
  const stateDirKey = await canonicalLockPath(opts.stateDir);
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
    const name = newLockFileName(opts.runId);
    await writeLockFile(dir, name, JSON.stringify(info) + '\n');
    const conflict = await findConflict(dir, name, info, cleared);
    if (!conflict.found) {
      // Point 4: our run's earlier files (a crashed process of this run) go once ours is in place.
      for (const own of conflict.ownEarlier) await removeLockFile(dir, own);
      await tidyRegistry(dir);
      return held(dir, name, info, cleared);
    }
    await removeLockFile(dir, name);
    if (attempt >= 1) {
      const { holder, state, file, mine, theirs } = conflict;
      const shownMine = info.shown[info.paths.indexOf(mine)] ?? mine;
      const overlap = mine === theirs ? '' : ` (it holds ${holder.shown[holder.paths.indexOf(theirs)] ?? theirs})`;
      throw new RelocateError('E_PATH_LOCKED', `${shownMine} is in use by another relocate run${overlap}: ${describeHolder(holder, state)}; nothing was changed`, {
        path: shownMine,
        hint: hintFor(holder, state, path.join(dir, file)),
      });
    }
    // Both runs may have seen each other and backed off: one more try after a random pause breaks the tie.
    await new Promise((r) => setTimeout(r, opts.retryPauseMs ?? 50 + Math.floor(Math.random() * 200)));
  }
}

type Conflict =
  | { found: false; ownEarlier: string[] }
  | { found: true; holder: PathLockInfo; state: HolderState; file: string; mine: string; theirs: string };

async function findConflict(dir: string, myName: string, info: PathLockInfo, cleared: PathLockInfo[]): Promise<Conflict> {
  const ownEarlier: string[] = [];
  for (const { name, text } of await readLockFiles(dir)) {
    if (name === myName) continue;
    const other = parseInfo(text) ?? UNREADABLE_HOLDER(name);
    if (other.stateDirKey === info.stateDirKey && other.runId === info.runId && other.host === info.host) {
      ownEarlier.push(name);
      continue;
    }
    const hit = firstOverlap(info.paths, other.paths);
    // Our own state folder's leftovers (a process killed before its run began) are tidied even when they overlap nothing.
    if (!hit && other.stateDirKey !== info.stateDirKey) continue;
    const state: HolderState = other.pid === 0 ? { held: true, why: 'state-unreadable' } : await holderState(other);
    if (!hit) {
      if (!state.held && (await removeLockFile(dir, name))) cleared.push(other);
      continue;
    }
    if (!state.held) {
      // Removing is best effort: another user's stale file in the sticky folder stays, and is judged stale again next time.
      if (await removeLockFile(dir, name)) cleared.push(other);
      continue;
    }
    return { found: true, holder: other, state, file: name, mine: hit[0], theirs: hit[1] };
  }
  return { found: false, ownEarlier };
}

function held(dir: string, first: string, info: PathLockInfo, cleared: PathLockInfo[]): HeldPathLocks {
  let name = first;
  let current = info;
  return {
    get info() {
      return current;
    },
    cleared,
    async narrow(paths: string[]): Promise<void> {
      const keys = new Set(await canonicalLockPaths(paths));
      const kept = current.paths.map((k, i) => ({ k, shown: current.shown[i] ?? k })).filter((x) => keys.has(x.k));
      if (kept.length === current.paths.length) return;
      const next: PathLockInfo = { ...current, shown: kept.map((x) => x.shown), paths: kept.map((x) => x.k) };
      // The smaller file is written before the larger one goes: the paths kept are never unlocked in between.
      const nextName = newLockFileName(current.runId);
      await writeLockFile(dir, nextName, JSON.stringify(next) + '\n');
      await removeLockFile(dir, name);
      name = nextName;
      current = next;
    },
    async release(): Promise<void> {
      await removeLockFile(dir, name);
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
export async function lockedByOthers(place: LockRegistryPlace, paths: string[], stateDir: string): Promise<LockedPath[]> {
  const files = await readLockFiles(place.dir).catch(() => []);
  if (files.length === 0) return [];
  const keys = await canonicalLockPaths(paths);
  const stateDirKey = await canonicalLockPath(stateDir);
  const out: LockedPath[] = [];
  for (const { name, text } of files) {
    const other = parseInfo(text) ?? UNREADABLE_HOLDER(name);
    if (other.stateDirKey === stateDirKey) continue;
    const hit = firstOverlap(keys, other.paths);
    if (!hit) continue;
    const state: HolderState = other.pid === 0 ? { held: true, why: 'state-unreadable' } : await holderState(other);
    if (state.held) out.push({ path: paths[keys.indexOf(hit[0])] ?? hit[0], holder: describeHolder(other, state), hint: hintFor(other, state, path.join(place.dir, name)) });
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
export async function releaseIfSettled(locks: HeldPathLocks, stateDir: string, runId: string): Promise<boolean> {
  const rec = await runRecordState(stateDir, runId);
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
