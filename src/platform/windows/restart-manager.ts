/**
 * Files in use, through the Restart Manager (rstrtmgr.dll): a session is
 * started, the files of a folder about to move are registered, and
 * RmGetList names the processes (and services) that hold any of them. One
 * session answers "is anything in use?" for the whole folder; only when
 * something is, the file list is halved session by session to name the
 * files (a few of them: enough to tell the user what to close).
 */
import { Buffer } from 'node:buffer';
import path from 'node:path';
import type { InUseFile } from '../../state/types.js';
import type { Win32 } from './win32.js';
import { WinError, utf16z } from './win32.js';

/** sizeof(RM_PROCESS_INFO): RM_UNIQUE_PROCESS (12), WCHAR[256], WCHAR[64], RM_APP_TYPE, ULONG, DWORD, BOOL. */
export const RM_PROCESS_INFO_SIZE = 668;
const CCH_RM_SESSION_KEY = 32;
const REGISTER_BATCH = 500;
const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;

/** At most this many files are named; the search for them stops after this many sessions. */
const NAMED_LIMIT = 5;
const SESSION_BUDGET = 64;

export interface RmProcess {
  pid: number;
  appName: string;
  serviceName: string;
  appType: number;
}

export class RestartManagerError extends Error {
  constructor(
    readonly fn: string,
    readonly status: number,
  ) {
    super(`${fn} failed with Windows error ${status}`);
  }
}

/** One Restart Manager session: start, register the files, list the processes, end. */
export function processesUsing(w: Win32, files: string[]): RmProcess[] {
  const session = [0];
  const key = Buffer.alloc((CCH_RM_SESSION_KEY + 1) * 2);
  let status = w.raw.RmStartSession(session, 0, key);
  if (status !== WinError.SUCCESS) throw new RestartManagerError('RmStartSession', status);
  const handle = session[0];
  try {
    for (let i = 0; i < files.length; i += REGISTER_BATCH) {
      const batch = files.slice(i, i + REGISTER_BATCH);
      status = w.raw.RmRegisterResources(handle, batch.length, batch, 0, null, 0, null);
      if (status !== WinError.SUCCESS) throw new RestartManagerError('RmRegisterResources', status);
    }
    let room = 16;
    for (let attempt = 0; attempt < 5; attempt++) {
      const buf = Buffer.alloc(room * RM_PROCESS_INFO_SIZE);
      const needed = [0];
      const count = [room];
      const reasons = [0];
      status = w.raw.RmGetList(handle, needed, count, buf, reasons);
      if (status === WinError.MORE_DATA) {
        // Processes came and went between calls: ask again with room for what is needed now.
        room = Math.max(needed[0] + 8, room * 2);
        continue;
      }
      if (status !== WinError.SUCCESS) throw new RestartManagerError('RmGetList', status);
      const out: RmProcess[] = [];
      for (let i = 0; i < Math.min(count[0], room); i++) {
        const off = i * RM_PROCESS_INFO_SIZE;
        out.push({
          pid: buf.readUInt32LE(off),
          appName: utf16z(buf, off + 12, 512),
          serviceName: utf16z(buf, off + 524, 128),
          appType: buf.readInt32LE(off + 652),
        });
      }
      return out;
    }
    throw new RestartManagerError('RmGetList', WinError.MORE_DATA);
  } finally {
    w.raw.RmEndSession(handle);
  }
}

/** The executable's file name of a running process (e.g. Steam.exe), or undefined when it cannot be asked. */
export function processImageName(w: Win32, pid: number): string | undefined {
  const h = w.raw.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
  if (w.badHandle(h)) return undefined;
  try {
    const chars = [1024];
    const buf = Buffer.alloc(chars[0] * 2);
    if (!w.raw.QueryFullProcessImageNameW(h, 0, buf, chars)) return undefined;
    return path.win32.basename(buf.toString('utf16le', 0, chars[0] * 2));
  } finally {
    w.raw.CloseHandle(h);
  }
}

function describe(w: Win32, p: RmProcess): string {
  return processImageName(w, p.pid) ?? (p.appName || p.serviceName || 'an unknown process');
}

/**
 * Which of `files` are in use and by what: [] when none is (one session).
 * Otherwise up to a few files are named by halving the list; when the
 * search runs out of sessions, `fallback` (the folder) is named instead.
 */
export function filesInUse(w: Win32, files: string[], fallback: string): InUseFile[] {
  if (files.length === 0) return [];
  const all = processesUsing(w, files);
  if (all.length === 0) return [];
  const out: InUseFile[] = [];
  let sessions = 1;
  const groups: { files: string[]; procs: RmProcess[] }[] = [{ files, procs: all }];
  let g: { files: string[]; procs: RmProcess[] } | undefined;
  while (out.length < NAMED_LIMIT && (g = groups.shift()) !== undefined) {
    if (g.files.length === 1) {
      for (const p of g.procs) out.push({ file: g.files[0], process: describe(w, p), pid: p.pid });
      continue;
    }
    if (sessions + 2 > SESSION_BUDGET) {
      for (const p of g.procs) out.push({ file: fallback, process: describe(w, p), pid: p.pid });
      continue;
    }
    const mid = Math.ceil(g.files.length / 2);
    for (const half of [g.files.slice(0, mid), g.files.slice(mid)]) {
      sessions++;
      const procs = processesUsing(w, half);
      if (procs.length > 0) groups.push({ files: half, procs });
    }
  }
  // One line per file and process.
  const seen = new Set<string>();
  return out.filter((u) => {
    const k = `${u.file}\0${u.pid}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
