/**
 * macOS extended attributes through koffi (libSystem): listxattr,
 * getxattr, setxattr, removexattr with XATTR_NOFOLLOW, so a symlink's own
 * attributes are its own. Their signatures differ from Linux's: an
 * `options` argument (XATTR_NOFOLLOW instead of the l- prefix) and a
 * `position` (non-zero only for the resource fork, read whole here). The
 * resource fork (com.apple.ResourceFork) and Finder info
 * (com.apple.FinderInfo) are attributes like the others, and the resource
 * fork can be far longer than Linux's 64 KiB limit: a value that does not
 * fit the reused buffer is asked for its size and read again.
 *
 * Errnos are given in the Linux numbers of XATTR_ERRNO (xattrs.ts), so the
 * keeper reads one set (`linuxXattrErrno`).
 */
import type { Koffi } from './koffi.js';
import { splitXattrNames, xattrNameOf } from './xattr-names.js';
import type { Xattr, XattrCalls } from './xattrs.js';

/** <sys/xattr.h>. */
export const XATTR_NOFOLLOW = 0x1;

/** macOS errnos (<sys/errno.h>) that differ from Linux's, and the Linux numbers XATTR_ERRNO uses for them. */
const DARWIN_TO_LINUX: Record<number, number> = {
  /** ENOATTR → ENODATA */
  93: 61,
  /** ENOTSUP */
  45: 95,
  /** EDQUOT */
  69: 122,
};
const ERANGE = 34;
const ENODATA_LINUX = 61;

/** A macOS errno as the Linux number keep-meta reads (EPERM, EACCES, ENOSPC, ERANGE, E2BIG are the same on both). */
export function linuxXattrErrno(darwinErrno: number): number {
  return DARWIN_TO_LINUX[darwinErrno] ?? darwinErrno;
}

const SMALL = 4096;
const VALUE = 65536;

export function makeDarwinXattrCalls(koffi: Koffi): XattrCalls {
  const libc = koffi.load('libSystem.B.dylib');
  const listxattr = libc.func('long listxattr(const char *path, uint8_t *namebuf, size_t size, int options)');
  const getxattr = libc.func('long getxattr(const char *path, const uint8_t *name, uint8_t *value, size_t size, uint32_t position, int options)');
  const setxattr = libc.func('int setxattr(const char *path, const uint8_t *name, const uint8_t *value, size_t size, uint32_t position, int options)');
  const removexattr = libc.func('int removexattr(const char *path, const uint8_t *name, int options)');
  const errno = () => linuxXattrErrno(koffi.errno());
  // Reused buffers: calls are synchronous and one at a time.
  const small = Buffer.alloc(SMALL);
  const value = Buffer.alloc(VALUE);
  /** Calls `read` with the reused buffer; on ERANGE asks the size (a null buffer) and reads again into one of that size. */
  const readAll = (read: (buf: Buffer | null, size: number) => number, reused: Buffer): Buffer | { errno: number } => {
    let n = read(reused, reused.length);
    if (n >= 0) return reused.subarray(0, n);
    if (koffi.errno() !== ERANGE) return { errno: errno() };
    n = read(null, 0);
    if (n < 0) return { errno: errno() };
    const big = Buffer.alloc(n);
    n = read(big, big.length);
    return n >= 0 ? big.subarray(0, n) : { errno: errno() };
  };
  return {
    read(p) {
      const names = readAll((buf, size) => Number(listxattr(p, buf, size, XATTR_NOFOLLOW)), small);
      if (!Buffer.isBuffer(names)) return names;
      const out: Xattr[] = [];
      for (const raw of splitXattrNames(names)) {
        const got = readAll((buf, size) => Number(getxattr(p, raw, buf, size, 0, XATTR_NOFOLLOW)), value);
        if (!Buffer.isBuffer(got)) {
          // Removed between the list and the read: not there.
          if (got.errno === ENODATA_LINUX) continue;
          return got;
        }
        out.push({ name: xattrNameOf(raw), raw, value: Buffer.from(got) });
      }
      return out.sort((a, b) => Buffer.compare(a.raw, b.raw));
    },
    set: (p, x) => (setxattr(p, x.raw, x.value, x.value.length, 0, XATTR_NOFOLLOW) === 0 ? 0 : errno()),
    remove: (p, raw) => (removexattr(p, raw, XATTR_NOFOLLOW) === 0 ? 0 : errno()),
    has: (p, name) => Number(getxattr(p, Buffer.from(`${name}\0`), null, 0, 0, XATTR_NOFOLLOW)) >= 0,
  };
}
