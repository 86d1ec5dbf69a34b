import { constants as osConstants } from 'node:os';
import { RelocateError, type ErrorCode } from '../../core/errors.js';
import { mountPointError } from '../device-fence.js';

/** What each errno name means to a user: the RelocateError code an fs error becomes (anything else is E_IO). */
const ERRNO_CODES: Record<string, ErrorCode> = {
  ENOSPC: 'E_NO_SPACE',
  EDQUOT: 'E_NO_SPACE',
  EACCES: 'E_ACCESS',
  EPERM: 'E_ACCESS',
  EBUSY: 'E_IN_USE',
  ETXTBSY: 'E_IN_USE',
  EROFS: 'E_READ_ONLY',
  EXDEV: 'E_CROSS_VOLUME',
  EEXIST: 'E_EXISTS',
  ENOENT: 'E_MISSING',
  EIO: 'E_IO',
};

/** What to do when something appeared where relocate was about to create a name. */
export const EXISTS_HINT = 'something appeared at this path; move it away and run `relocate plan` again';

/** The hint each code carries: what the user can do about it. */
export const HINTS: Partial<Record<ErrorCode, string>> = {
  E_NO_SPACE: 'free space on the destination drive and run again',
  E_ACCESS: 'check the permissions of this path (or run from an account that may change it)',
  E_IN_USE: 'close the program that uses this file and run again',
  E_READ_ONLY: 'the volume is read-only; remount it read-write or choose another path',
  E_EXISTS: EXISTS_HINT,
  E_MISSING: 'the disk changed while relocate worked; run `relocate plan` again',
  E_IO: 'the disk reported an I/O error; check it before going on',
};

/** Wraps an fs error as a RelocateError with the path and a hint. */
export function fsError(err: unknown, p: string, doing: string): RelocateError {
  if (err instanceof RelocateError) return err;
  const errno = (err as NodeJS.ErrnoException)?.code ?? '';
  // EBUSY from a mount point is not a program holding a file: say what it is.
  const mounted = errno === 'EBUSY' ? mountPointError(p, doing) : undefined;
  if (mounted) return mounted;
  const code: ErrorCode = ERRNO_CODES[errno] ?? 'E_IO';
  return new RelocateError(code, `${doing} ${p} failed: ${errno || (err as Error)?.message}`, {
    path: p,
    ...(HINTS[code] ? { hint: HINTS[code] } : {}),
    cause: err,
  });
}

/**
 * The errnos a native call's failure is named by (the rest are shown as
 * `errno N`), by this host's numbers (os.constants: macOS numbers some of
 * them differently from Linux, ENOTEMPTY among them).
 */
const NAMED_ERRNOS = ['EPERM', 'ENOENT', 'EIO', 'EACCES', 'EBUSY', 'EEXIST', 'EXDEV', 'ENOTDIR', 'EISDIR', 'ENOSPC', 'EROFS', 'ENOTEMPTY'] as const;
const ERRNO_NAMES = new Map<number, string>(
  NAMED_ERRNOS.flatMap((name) => {
    const n = (osConstants.errno as Record<string, number | undefined>)[name];
    return n === undefined ? [] : [[n, name] as const];
  }),
);

/** The name of a host errno a native call returned (koffi.errno()), for fsError. */
function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

/** A native call's failure (a host errno) as the Error node:fs would have thrown, for fsError. */
export function hostErrnoError(errno: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`errno ${errno}`), { code: errnoName(errno) });
}
