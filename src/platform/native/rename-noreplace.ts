/**
 * A rename that never replaces an existing destination, done by the kernel
 * in one step: Linux renameat2(RENAME_NOREPLACE) and macOS
 * renamex_np(RENAME_EXCL) through koffi. Returns null when the native call
 * is unavailable (no koffi binary, an old kernel or libc, a filesystem that
 * refuses the flag, or RELOCATE_NATIVE=0 in the environment), so the caller
 * falls back to check-then-rename under the run's lock. Windows has its own
 * (MoveFileExW, src/platform/windows/move.ts).
 */
import { loadKoffi } from './koffi.js';

type NativeRename = (from: string, to: string) => { ok: true } | { ok: false; errno: number };

let native: NativeRename | null | undefined;
let why = '';

const EINVAL = 22;
const ENOSYS = 38;
const ENOTSUP_LINUX = 95;

export async function nativeRenameNoReplace(): Promise<NativeRename | null> {
  if (native !== undefined) return native;
  native = null;
  if (process.platform !== 'linux' && process.platform !== 'darwin') {
    why = `no native no-replace rename on ${process.platform} in this layer`;
    return null;
  }
  const loaded = await loadKoffi();
  if ('reason' in loaded) {
    why = loaded.reason;
    return null;
  }
  const { koffi } = loaded;
  try {
    if (process.platform === 'linux') {
      const libc = koffi.load('libc.so.6');
      const renameat2 = libc.func('int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)');
      const AT_FDCWD = -100;
      const RENAME_NOREPLACE = 1;
      native = (from, to) => (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) === 0 ? { ok: true } : { ok: false, errno: koffi.errno() });
    } else {
      const libc = koffi.load('libSystem.B.dylib');
      const renamexNp = libc.func('int renamex_np(const char *from, const char *to, unsigned int flags)');
      const RENAME_EXCL = 0x4;
      native = (from, to) => (renamexNp(from, to, RENAME_EXCL) === 0 ? { ok: true } : { ok: false, errno: koffi.errno() });
    }
  } catch (err) {
    why = `koffi could not load the native rename: ${(err as Error).message}`;
    native = null;
  }
  return native;
}

/** Errnos meaning "this call or flag is not supported here", after which the portable path is used. */
export function isUnsupportedErrno(errno: number): boolean {
  return errno === EINVAL || errno === ENOSYS || errno === ENOTSUP_LINUX || (process.platform === 'darwin' && errno === 45);
}

export function nativeRenameUnavailableReason(): string {
  return why;
}
