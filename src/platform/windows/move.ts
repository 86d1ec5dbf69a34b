/**
 * The no-clobber rename on Windows: MoveFileExW without
 * MOVEFILE_REPLACE_EXISTING (and without MOVEFILE_COPY_ALLOWED, so it is a
 * rename on one volume or nothing) fails with ERROR_ALREADY_EXISTS or
 * ERROR_FILE_EXISTS when anything is at the destination, in one step.
 *
 * Antivirus scanners and indexers open fresh files for a moment, which
 * makes a rename fail with a sharing violation or "access denied" that a
 * retry a little later does not meet: those are retried with back-off
 * before the failure is reported.
 */
import type { Win32 } from './win32.js';
import { WinError } from './win32.js';

const MOVEFILE_WRITE_THROUGH = 0x8;

/** Waits between attempts (ms): about 3 s in all before giving up. */
export const RETRY_DELAYS_MS = [50, 100, 200, 400, 800, 1600];

export const TRANSIENT_WIN_ERRORS: ReadonlySet<number> = new Set([WinError.ACCESS_DENIED, WinError.SHARING_VIOLATION, WinError.LOCK_VIOLATION]);

export type MoveOutcome = { ok: true; attempts: number } | { ok: false; winError: number; attempts: number };

export function moveFileNoReplace(w: Win32, from: string, to: string): { ok: true } | { ok: false; winError: number } {
  return w.raw.MoveFileExW(from, to, MOVEFILE_WRITE_THROUGH) ? { ok: true } : { ok: false, winError: w.lastError() };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** MoveFileExW with retries on transient errors; the last error when it never worked. */
export async function moveNoReplaceWithRetry(w: Win32, from: string, to: string, delays: readonly number[] = RETRY_DELAYS_MS): Promise<MoveOutcome> {
  for (let attempt = 0; ; attempt++) {
    const r = moveFileNoReplace(w, from, to);
    if (r.ok) return { ok: true, attempts: attempt + 1 };
    if (!TRANSIENT_WIN_ERRORS.has(r.winError) || attempt >= delays.length) return { ...r, attempts: attempt + 1 };
    await sleep(delays[attempt]);
  }
}

/** Node error codes that mean the same transient trouble (the portable path's retries). */
export const TRANSIENT_ERRNO: ReadonlySet<string> = new Set(['EBUSY', 'EPERM', 'EACCES']);

/** Windows error → the errno name NodeFs maps to relocate's codes. */
export function errnoOfWinError(e: number): string {
  switch (e) {
    case WinError.FILE_EXISTS:
    case WinError.ALREADY_EXISTS:
      return 'EEXIST';
    case WinError.FILE_NOT_FOUND:
    case WinError.PATH_NOT_FOUND:
      return 'ENOENT';
    case WinError.ACCESS_DENIED:
      return 'EPERM';
    case WinError.SHARING_VIOLATION:
    case WinError.LOCK_VIOLATION:
      return 'EBUSY';
    case WinError.NOT_SAME_DEVICE:
      return 'EXDEV';
    case WinError.DIR_NOT_EMPTY:
      return 'ENOTEMPTY';
    default:
      return `Windows error ${e}`;
  }
}
