import { constants as osConstants } from 'node:os';
import { rename } from 'node:fs/promises';
import { RelocateError } from '../../core/errors.js';
import { isUnsupportedErrno, nativeRenameNoReplace, nativeRenameUnavailableReason } from '../native/rename-noreplace.js';
import { RETRY_DELAYS_MS, TRANSIENT_ERRNO, errnoOfWinError } from '../windows/move.js';
import { windowsMoveNoReplace } from '../windows/native.js';
import { win32UnavailableReason } from '../windows/win32.js';
import { EXISTS_HINT, fsError, hostErrnoError } from './errno-codes.js';
import { lstatOrNull } from './node-stat.js';

/** Hears why the native no-replace rename was not used (for --verbose). */
export type FallbackNote = (why: string) => void;

function alreadyThere(from: string, to: string): RelocateError {
  return new RelocateError('E_EXISTS', `cannot move ${from} to ${to}: something is already there`, { path: to, hint: EXISTS_HINT });
}

/** A Windows rename that kept failing: a program (antivirus, indexer, Explorer) may hold a file in it. */
function windowsMoveError(err: unknown, from: string, to: string, attempts: number): RelocateError {
  const e = fsError(err, from, `moving to ${to}${attempts > 1 ? ` (${attempts} attempts)` : ''}:`);
  if (e.code !== 'E_ACCESS' && e.code !== 'E_IN_USE') return e;
  return new RelocateError(e.code, e.message, {
    path: from,
    hint: 'a program (antivirus, a search indexer, an open Explorer window or the program itself) may hold a file in it; close it and run again',
    cause: err,
  });
}

/** Windows: MoveFileExW without MOVEFILE_REPLACE_EXISTING, no-clobber in one step, retried while antivirus holds a file. True when moved. */
async function windowsNativeMove(from: string, to: string, note: FallbackNote): Promise<boolean> {
  const move = await windowsMoveNoReplace();
  if (move) {
    const r = await move(from, to);
    if (r.ok) return true;
    const errno = errnoOfWinError(r.winError);
    if (errno === 'EEXIST') throw alreadyThere(from, to);
    throw windowsMoveError(Object.assign(new Error(`Windows error ${r.winError}`), { code: errno }), from, to, r.attempts);
  }
  note(`no MoveFileExW (${win32UnavailableReason()}); using check-then-rename under the lock`);
  return false;
}

/** Linux renameat2(RENAME_NOREPLACE), macOS renamex_np(RENAME_EXCL). True when moved. */
async function posixNativeMove(from: string, to: string, note: FallbackNote): Promise<boolean> {
  const native = await nativeRenameNoReplace();
  if (native) {
    const r = native(from, to);
    if (r.ok) return true;
    if (!isUnsupportedErrno(r.errno)) {
      if (r.errno === osConstants.errno.EEXIST) throw alreadyThere(from, to);
      throw fsError(hostErrnoError(r.errno), from, `moving to ${to}:`);
    }
    note(`the filesystem refused renameat2(RENAME_NOREPLACE); using check-then-rename under the lock`);
  } else {
    note(`${nativeRenameUnavailableReason()}; using check-then-rename under the lock`);
  }
  return false;
}

/** Windows: a rename refused by a transient error (a scanner holding a file) is tried again, RETRY_DELAYS_MS apart. */
async function renameRetrying(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (err) {
      if (TRANSIENT_ERRNO.has((err as NodeJS.ErrnoException).code ?? '') && attempt < RETRY_DELAYS_MS.length) {
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
        continue;
      }
      throw windowsMoveError(err, from, to, attempt + 1);
    }
  }
}

async function renameOnce(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    throw fsError(err, from, `moving to ${to}:`);
  }
}

/** This host's native no-replace move and portable rename, chosen once. */
const NATIVE_MOVE = process.platform === 'win32' ? windowsNativeMove : posixNativeMove;
const PORTABLE_RENAME = process.platform === 'win32' ? renameRetrying : renameOnce;

/**
 * Renames `from` to `to`, never replacing anything at `to` (E_EXISTS):
 * by the OS's no-replace call where it has one, else by a check, then a
 * rename, under relocate's state lock (`note` hears why). Makes nothing
 * durable: the caller syncs both folders.
 */
export async function renameNoReplace(from: string, to: string, note: FallbackNote): Promise<void> {
  if (await NATIVE_MOVE(from, to, note)) return;
  // Portable path: relocate holds the state lock, so only another program could race this check.
  if (await lstatOrNull(to)) throw alreadyThere(from, to);
  await PORTABLE_RENAME(from, to);
}
