/**
 * A rename that never replaces an existing destination, done by the kernel
 * in one step: Linux renameat2(RENAME_NOREPLACE) and macOS
 * renamex_np(RENAME_EXCL) through koffi. Returns null when the native call
 * is unavailable (no koffi binary, an old kernel or libc, a filesystem that
 * refuses the flag, or RELOCATE_NATIVE=0 in the environment), so the caller
 * falls back to check-then-rename under the run's lock. Windows has its own
 * (MoveFileExW, src/platform/windows/move.ts).
 */
import { constants as osConstants } from 'node:os';
import { nativeBinding } from './koffi.js';

type NativeRename = (from: string, to: string) => { ok: true } | { ok: false; errno: number };

/** The host's numbers (koffi.errno() is the host's errno): Linux and macOS number ENOSYS and ENOTSUP differently. */
const { EINVAL, ENOSYS, ENOTSUP } = osConstants.errno;

const binding = nativeBinding<NativeRename>(
  'the native rename',
  () => (process.platform !== 'linux' && process.platform !== 'darwin' ? `no native no-replace rename on ${process.platform} in this layer` : undefined),
  (koffi): NativeRename => {
    if (process.platform === 'linux') {
      const renameat2 = koffi.load('libc.so.6').func('int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)');
      const AT_FDCWD = -100;
      const RENAME_NOREPLACE = 1;
      return (from, to) => (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) === 0 ? { ok: true } : { ok: false, errno: koffi.errno() });
    }
    const renamexNp = koffi.load('libSystem.B.dylib').func('int renamex_np(const char *from, const char *to, unsigned int flags)');
    const RENAME_EXCL = 0x4;
    return (from, to) => (renamexNp(from, to, RENAME_EXCL) === 0 ? { ok: true } : { ok: false, errno: koffi.errno() });
  },
);

export function nativeRenameNoReplace(): Promise<NativeRename | null> {
  return binding.get();
}

/** Errnos meaning "this call or flag is not supported here", after which the portable path is used. */
export function isUnsupportedErrno(errno: number): boolean {
  return errno === EINVAL || errno === ENOSYS || errno === ENOTSUP;
}

export function nativeRenameUnavailableReason(): string {
  return binding.why();
}
