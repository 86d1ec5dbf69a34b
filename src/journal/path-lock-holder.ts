import os from 'node:os';
import path from 'node:path';
import { parseJson } from '../core/decode.js';
import { assertNever } from '../core/never.js';
import type { JournalDisk } from './disk-port.js';
import { runStatus } from './record-decode.js';
import { UNFINISHED, type RunStatus } from './types.js';

/**
 * Who holds a path lock, and whether their file still holds (point 3 of
 * path-lock.ts's module comment): the lock file's format, the judgement of
 * its holder from the holder's state folder, and the holder in words for
 * a refusal.
 */

/** What a lock file says. Invariant: `paths` are canonical (JournalDisk.canonicalLockPaths) and non-empty. */
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

/** Why a holder's file still holds, in words for the refusal. */
export type HolderState =
  | { held: true; why: 'running' | 'unfinished' | 'state-unreadable' | 'state-missing' | 'other-host' | 'alive' | 'lock-unreadable'; status?: RunStatus }
  | { held: false; why: 'finished' | 'never-began' };

/** How a run's record stands in its state folder. */
export type RunRecordState = { kind: 'finished' | 'unfinished'; status: RunStatus } | { kind: 'gone' } | { kind: 'unreadable' } | { kind: 'state-missing' };

/** How a run's record stands in its state folder, read without trusting it more than needed. */
export async function runRecordState(disk: JournalDisk, stateDir: string, runId: string): Promise<RunRecordState> {
  const presence = await disk.folderPresence(stateDir);
  if (presence === 'missing') return { kind: 'state-missing' };
  if (presence === 'unreadable') return { kind: 'unreadable' };
  const dir = path.join(stateDir, 'runs', runId);
  try {
    // status.json says finished only once run.json does (RunStore.save); an unfinished or missing one sends us to run.json.
    const side = await disk.readText(path.join(dir, 'status.json'));
    const sideStatus = side === undefined ? undefined : statusOf(side);
    if (sideStatus === 'done' || sideStatus === 'rolled-back') return { kind: 'finished', status: sideStatus };
    const full = await disk.readText(path.join(dir, 'run.json'));
    if (full === undefined) return { kind: 'gone' };
    // Only the status is read here (the whole record is decoded where the run is acted on): one that is not a run's status is unreadable.
    const status = statusOf(full);
    if (status === undefined) return { kind: 'unreadable' };
    return { kind: UNFINISHED.has(status) ? 'unfinished' : 'finished', status };
  } catch {
    return { kind: 'unreadable' };
  }
}

/** Decides whether a lock file still holds (see path-lock.ts's module comment, point 3). */
export async function holderState(disk: JournalDisk, info: PathLockInfo, host = os.hostname()): Promise<HolderState> {
  if (info.host !== host) return { held: true, why: 'other-host' };
  const rec = await runRecordState(disk, info.stateDir, info.runId);
  const alive = disk.processAlive(info.pid);
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

/** The `status` of a run.json or status.json text, or undefined when it has none that is a run's (torn, damaged, foreign). */
function statusOf(text: string): RunStatus | undefined {
  try {
    return runStatus((parseJson(text) as { status?: unknown } | null)?.status, 'status');
  } catch {
    return undefined;
  }
}

/** A lock file's text as a holder, or undefined when it is not one (torn, foreign). */
export function parseInfo(text: string): PathLockInfo | undefined {
  try {
    const v = JSON.parse(text) as PathLockInfo;
    if (v && v.version === 1 && typeof v.pid === 'number' && Array.isArray(v.paths) && typeof v.stateDir === 'string' && typeof v.runId === 'string') return v;
  } catch {
    // A file we cannot read is held (below): never a reason to go ahead.
  }
  return undefined;
}

/** A holder's file we cannot parse holds every path: we cannot tell which it protects. */
export const UNREADABLE_HOLDER = (name: string): PathLockInfo => ({
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

/** A holder's state: an unreadable lock file's (pid 0) holds, without a state folder to ask. */
export async function judgeHolder(disk: JournalDisk, other: PathLockInfo): Promise<HolderState> {
  return other.pid === 0 ? { held: true, why: 'lock-unreadable' } : holderState(disk, other);
}

/** The holder and why it holds, in words for E_PATH_LOCKED and `plan`'s warning. */
export function describeHolder(info: PathLockInfo, st: HolderState): string {
  // Nothing in such a file can be read but its name (UNREADABLE_HOLDER keeps it as the run id).
  if (st.held && st.why === 'lock-unreadable') return `the lock file ${info.runId} cannot be read, so relocate cannot tell which paths it holds`;
  const what = st.held
    ? {
        running: `still running (pid ${info.pid})`,
        alive: `pid ${info.pid} is still running`,
        unfinished: `unfinished (${st.status ?? '?'}): pid ${info.pid} is no longer running`,
        'state-unreadable': `its state folder cannot be read, so relocate cannot tell whether it finished`,
        'state-missing': `its state folder is not there, so relocate cannot tell whether it finished`,
        'other-host': `on host ${info.host}`,
        'lock-unreadable': 'its lock file cannot be read',
      }[st.why]
    : 'finished';
  return `relocate \`${info.command}\` by user ${info.user}, run ${info.runId}, state folder ${info.stateDir}, since ${info.startedAt}: ${what}`;
}

/** What to do about a holder; `me` is this process's user (another's run is finished as that user). */
export function hintFor(info: PathLockInfo, st: HolderState, file: string, me: string): string {
  const as = info.user !== me ? ` (as user ${info.user})` : '';
  if (st.held && (st.why === 'running' || st.why === 'alive')) return `wait for pid ${info.pid} to finish, then try again`;
  if (st.held && st.why === 'lock-unreadable')
    return `look at the lock file ${file}: if no relocate is running (on any machine sharing that folder), remove it and try again`;
  if (st.held && (st.why === 'state-missing' || st.why === 'other-host')) {
    return `finish or undo that run where its state folder is: \`relocate resume --state-dir ${info.stateDir}\` or \`relocate rollback --state-dir ${info.stateDir}\`${as}; if that run is gone for good, remove the lock file ${file}`;
  }
  return `finish or undo that run first: \`relocate resume --state-dir ${info.stateDir}\` or \`relocate rollback --state-dir ${info.stateDir}\`${as}`;
}
