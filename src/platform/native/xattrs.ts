/**
 * Linux extended attributes through koffi: llistxattr, lgetxattr,
 * lsetxattr, lremovexattr, which never follow a link (a symlink's own
 * security.* attributes are its own). POSIX ACLs travel as the attributes
 * `system.posix_acl_access` and `system.posix_acl_default`, so copying
 * every attribute copies the ACLs too, byte for byte (the kernel checks
 * and translates the ids).
 *
 * macOS has the same calls under other names and signatures
 * (xattrs-darwin.ts), behind the same `XattrCalls`.
 *
 * Returns null when unavailable (not Linux or macOS, no koffi binary,
 * RELOCATE_NATIVE=0): attributes are then neither copied nor compared, and
 * `nativeXattrsUnavailableReason` says why for --verbose.
 *
 * Cost: one llistxattr per node read, about 4 µs through koffi on this
 * machine (bench/RESULTS.md); lgetxattr only for nodes that have any. The
 * walk before a delete reads again only nodes whose change time moved
 * since the copy's read (ctime-vouch.ts).
 */
import { nativeBinding } from './koffi.js';
import { splitXattrNames, xattrNameOf } from './xattr-names.js';
import { makeDarwinXattrCalls } from './xattrs-darwin.js';

/** One extended attribute. `raw` is the name as the kernel gave it (NUL-terminated), so names that are not UTF-8 round-trip. */
export interface Xattr {
  name: string;
  raw: Buffer;
  value: Buffer;
}

export interface XattrCalls {
  /** The attributes of `p` (never followed): [] when none, or an errno when they cannot be read. */
  read(p: string): Xattr[] | { errno: number };
  /** Sets one attribute; 0 or an errno. */
  set(p: string, x: Xattr): number;
  /** Removes one attribute; 0 or an errno (ENODATA when it was not there). */
  remove(p: string, raw: Buffer): number;
  /** Whether `p` carries an attribute of this name (read only). */
  has(p: string, name: string): boolean;
  /**
   * Where some attributes carry a node's permissions (Windows: the security
   * descriptor), their names, and whether the volume holding folder `dir`
   * keeps them. On a volume that does not (FAT, exFAT) they are not set on
   * the copies made there, nor compared by the verify: the copies have the
   * volume's own, as robocopy's /COPY:DAT. Absent: keep-meta decides by
   * mode bits (mode-keeping.ts).
   */
  permissions?: { names: readonly string[]; heldIn(dir: string): boolean };
}

/**
 * Linux errnos met here (asm-generic/errno-base.h, errno.h); the macOS calls give theirs as these.
 * Deliberately Linux's numbers, not os.constants: a portable vocabulary the keeper reads on every OS, which the macOS and Windows bindings translate into.
 */
export const XATTR_ERRNO = { EPERM: 1, E2BIG: 7, EACCES: 13, ENOSPC: 28, ERANGE: 34, ENODATA: 61, ENOTSUP: 95, EDQUOT: 122 } as const;

/** XATTR_LIST_MAX and XATTR_SIZE_MAX (include/uapi/linux/limits.h): no list or value is longer. */
const LIST_MAX = 65536;
const SIZE_MAX = 65536;

const binding = nativeBinding<XattrCalls>(
  'the extended attribute calls',
  () =>
    process.platform !== 'linux' && process.platform !== 'darwin'
      ? `extended attributes are kept on Linux and macOS only (this is ${process.platform})`
      : undefined,
  (koffi) => {
    if (process.platform === 'darwin') return makeDarwinXattrCalls(koffi);
    const libc = koffi.load('libc.so.6');
    const llistxattr = libc.func('long llistxattr(const char *path, uint8_t *list, size_t size)');
    const lgetxattr = libc.func('long lgetxattr(const char *path, const uint8_t *name, uint8_t *value, size_t size)');
    const lsetxattr = libc.func('int lsetxattr(const char *path, const uint8_t *name, const uint8_t *value, size_t size, int flags)');
    const lremovexattr = libc.func('int lremovexattr(const char *path, const uint8_t *name)');
    // Buffers reused: every call is synchronous and one at a time. The list buffer is small (most nodes
    // have no attribute, and the kernel copies only what there is); a longer list asks again at full size.
    const small = Buffer.alloc(4096);
    const big = Buffer.alloc(LIST_MAX);
    const value = Buffer.alloc(SIZE_MAX);
    const list = (p: string): Buffer | { errno: number } => {
      let n = Number(llistxattr(p, small, small.length));
      if (n >= 0) return small.subarray(0, n);
      if (koffi.errno() !== XATTR_ERRNO.ERANGE) return { errno: koffi.errno() };
      n = Number(llistxattr(p, big, big.length));
      return n >= 0 ? big.subarray(0, n) : { errno: koffi.errno() };
    };
    return {
      read(p) {
        const names = list(p);
        if (!Buffer.isBuffer(names)) return names;
        if (names.length === 0) return [];
        const out: Xattr[] = [];
        for (const raw of splitXattrNames(names)) {
          const n = Number(lgetxattr(p, raw, value, value.length));
          if (n < 0) {
            // Removed between the list and the read: not there.
            if (koffi.errno() === XATTR_ERRNO.ENODATA) continue;
            return { errno: koffi.errno() };
          }
          out.push({ name: xattrNameOf(raw), raw, value: Buffer.from(value.subarray(0, n)) });
        }
        return out.sort((a, b) => Buffer.compare(a.raw, b.raw));
      },
      set: (p, x) => (lsetxattr(p, x.raw, x.value, x.value.length, 0) === 0 ? 0 : koffi.errno()),
      remove: (p, raw) => (lremovexattr(p, raw) === 0 ? 0 : koffi.errno()),
      has: (p, name) => Number(lgetxattr(p, Buffer.from(`${name}\0`), value, value.length)) >= 0,
    };
  },
);

export function nativeXattrs(): Promise<XattrCalls | null> {
  return binding.get();
}

export function nativeXattrsUnavailableReason(): string {
  return binding.why();
}
