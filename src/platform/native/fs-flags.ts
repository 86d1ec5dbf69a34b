/**
 * Linux inode flags (`chattr`/`lsattr`): read with ioctl FS_IOC_GETFLAGS and
 * set with FS_IOC_SETFLAGS through koffi, on an fd opened O_RDONLY |
 * O_NONBLOCK | O_NOFOLLOW (and O_NOATIME where permitted) — only ever for a
 * node the walk's lstat found to be a regular file or a folder, so no fifo
 * or device is opened and no link followed (O_NOFOLLOW and O_NONBLOCK guard
 * the race where the node is swapped between the lstat and the open).
 *
 * Which flags a copy keeps (`COPYABLE_FLAGS`), and why the others are not:
 * - kept: s (secure deletion), u (undelete), c (compress), S (sync), d
 *   (nodump), A (noatime), m (no compression), j (data journalling), t (no
 *   tail merging), D (dirsync), T (top of hierarchy), C (no copy-on-write):
 *   each a choice the user made with chattr, none of which changes what the
 *   bytes are;
 * - never: i (immutable) and a (append-only), refused at plan time (see
 *   inode-flags.ts) — a copy carrying them could not be renamed into place;
 * - not copied, the target decides: the flags the file system sets itself
 *   or that chattr cannot set (e extents, I indexed folder, E encrypted, V
 *   verity, N inline data, h huge file), x (DAX, a property of the device),
 *   F (casefold: only on an empty folder of a file system formatted for it;
 *   the case rules of a target are the case-collision check's business),
 *   P (project inheritance: without the project id, which this does not
 *   copy, it would be half a setting).
 *
 * When: C and c/m act only on data written after them (btrfs ignores C on
 * a file that already has data, and compresses only what it writes after
 * c), so `BEFORE_DATA_FLAGS` are set on the empty copy before its bytes;
 * the others after the data (S set first would make the copy write
 * synchronously) and, on folders, after their content.
 *
 * Cost: an open, an ioctl and a close per file and folder of the original
 * (the walk of a copy's original side), about 9 µs a node through Node's
 * openSync and koffi on this machine's ext4 (5,000 cached empty files), where
 * its lstat costs about 5 µs and llistxattr about 4 µs; 7.5 µs with open and
 * close through koffi too, not worth declaring the variadic open(2) as a
 * fixed-argument function. No cheaper way exists: statx reports nodump and
 * compression but not noatime or no-COW. The copy's flags are read only
 * where the original has some, and the original's again before its delete
 * only where its change time moved since the copy's read (ctime-vouch.ts).
 *
 * Only where the FS_IOC_* numbers are the generic ones and an int is
 * little-endian: 64-bit x86, ARM, RISC-V, LoongArch. macOS has its own
 * flags (st_flags, lchflags): fs-flags-darwin.ts, behind the same
 * `FlagCalls`. `null` elsewhere, and with RELOCATE_NATIVE=0 or no koffi
 * binary: flags are then neither read nor kept, and --verbose says so.
 */
import { constants as C, closeSync, openSync } from 'node:fs';
import { makeDarwinFlagCalls } from './fs-flags-darwin.js';
import { nativeBinding } from './koffi.js';

/** include/uapi/linux/fs.h. */
export const FS_FL = {
  SECRM: 0x1,
  UNRM: 0x2,
  COMPR: 0x4,
  SYNC: 0x8,
  IMMUTABLE: 0x10,
  APPEND: 0x20,
  NODUMP: 0x40,
  NOATIME: 0x80,
  NOCOMP: 0x400,
  JOURNAL_DATA: 0x4000,
  NOTAIL: 0x8000,
  DIRSYNC: 0x10000,
  TOPDIR: 0x20000,
  NOCOW: 0x800000,
} as const;

/** The flags a copy keeps (see the module comment for the others). Never immutable or append-only. */
export const COPYABLE_FLAGS =
  FS_FL.SECRM |
  FS_FL.UNRM |
  FS_FL.COMPR |
  FS_FL.SYNC |
  FS_FL.NODUMP |
  FS_FL.NOATIME |
  FS_FL.NOCOMP |
  FS_FL.JOURNAL_DATA |
  FS_FL.NOTAIL |
  FS_FL.DIRSYNC |
  FS_FL.TOPDIR |
  FS_FL.NOCOW;

/** The flags that act only on data written after them: set on the empty copy. */
export const BEFORE_DATA_FLAGS = FS_FL.COMPR | FS_FL.NOCOMP | FS_FL.NOCOW;

/** `_IOR('f', 1, long)` and `_IOW('f', 2, long)` with the generic ioctl encoding and an 8-byte long. */
export const FS_IOC_GETFLAGS = 0x80086601;
export const FS_IOC_SETFLAGS = 0x40086602;

/** lsattr's letter for each copyable flag, for people. */
const LETTERS: [number, string][] = [
  [FS_FL.SECRM, 's'],
  [FS_FL.UNRM, 'u'],
  [FS_FL.COMPR, 'c'],
  [FS_FL.SYNC, 'S'],
  [FS_FL.NODUMP, 'd'],
  [FS_FL.NOATIME, 'A'],
  [FS_FL.NOCOMP, 'm'],
  [FS_FL.JOURNAL_DATA, 'j'],
  [FS_FL.NOTAIL, 't'],
  [FS_FL.DIRSYNC, 'D'],
  [FS_FL.TOPDIR, 'T'],
  [FS_FL.NOCOW, 'C'],
];

/** The chattr letters of the copyable flags in `flags` (e.g. `+dA`), or '' when none. */
export function linuxFlagLetters(flags: number): string {
  const got = LETTERS.filter(([bit]) => (flags & bit) !== 0)
    .map(([, l]) => l)
    .join('');
  return got === '' ? '' : `+${got}`;
}

/** The flags word to set on a copy that has `current`: its own flags outside `copyable` (extents, inline data…), the original's copyable ones. */
export function flagsToSet(current: number, wanted: number, copyable: number): number {
  return ((current & ~copyable) | (wanted & copyable)) >>> 0;
}

/**
 * Linux errnos met here (the macOS binding gives its ENOTSUP as this one). ENOTTY/ENOTSUP/EINVAL: the file system has no such flags, or not this one.
 * Deliberately Linux's numbers, not os.constants: a portable vocabulary the keeper reads on every OS, which the macOS and Windows bindings translate into.
 */
export const FLAG_ERRNO = { EPERM: 1, EACCES: 13, EINVAL: 22, ENOTTY: 25, ENOTSUP: 95 } as const;

/**
 * One OS's inode flags. Invariant: `copyable` never holds a flag that
 * forbids deleting or renaming (immutable, append-only), and `beforeData`
 * is part of `copyable`.
 */
export interface FlagCalls {
  /** The flags a copy keeps here. */
  copyable: number;
  /** The copyable flags that must be on the empty copy before its bytes. */
  beforeData: number;
  /** The flags in `flags` as chattr/chflags would name them, for people. */
  describe(flags: number): string;
  /** The flags of a file or folder (never followed), or an errno. `owned`: O_NOATIME may be asked for (the caller owns it, or is root). */
  get(p: string, owned: boolean): number | { errno: number };
  /** Sets the flags word of a file or folder; 0 or an errno. */
  set(p: string, flags: number): number;
}

const ARCHES = new Set(['x64', 'arm64', 'riscv64', 'loong64']);

/** Errno of a node:fs error, or EINVAL when it carries none. */
function errnoOf(err: unknown): number {
  const e = (err as NodeJS.ErrnoException).errno;
  return typeof e === 'number' ? -e : FLAG_ERRNO.EINVAL;
}

const binding = nativeBinding<FlagCalls>(
  'the inode flag calls',
  () =>
    process.platform === 'darwin' || (process.platform === 'linux' && ARCHES.has(process.arch))
      ? undefined
      : `inode flags are kept on macOS and 64-bit little-endian Linux only (this is ${process.platform} ${process.arch})`,
  (koffi) => {
    if (process.platform === 'darwin') return makeDarwinFlagCalls(koffi);
    const ioctl = koffi.load('libc.so.6').func('int ioctl(int fd, unsigned long request, ...)');
    // The kernel reads and writes an int, whatever the `long` in the request's name; one buffer, calls are synchronous.
    const word = Buffer.alloc(8);
    const base = C.O_RDONLY | C.O_NONBLOCK | C.O_NOFOLLOW;
    const open = (p: string, owned: boolean): number => {
      try {
        return openSync(p, owned ? base | C.O_NOATIME : base);
      } catch (err) {
        // O_NOATIME is refused (EPERM) to one who is neither owner nor CAP_FOWNER: asked again without it.
        if (owned && errnoOf(err) === FLAG_ERRNO.EPERM) return openSync(p, base);
        throw err;
      }
    };
    const call = (fd: number, request: number): number => (ioctl(fd, request, 'uint8_t *', word) === 0 ? 0 : koffi.errno());
    return {
      copyable: COPYABLE_FLAGS,
      beforeData: BEFORE_DATA_FLAGS,
      describe: linuxFlagLetters,
      get(p, owned) {
        let fd: number;
        try {
          fd = open(p, owned);
        } catch (err) {
          return { errno: errnoOf(err) };
        }
        try {
          const errno = call(fd, FS_IOC_GETFLAGS);
          return errno === 0 ? word.readInt32LE(0) >>> 0 : { errno };
        } finally {
          closeSync(fd);
        }
      },
      set(p, flags) {
        let fd: number;
        try {
          fd = open(p, true);
        } catch (err) {
          return errnoOf(err);
        }
        try {
          word.writeUInt32LE(flags >>> 0, 0);
          return call(fd, FS_IOC_SETFLAGS);
        } finally {
          closeSync(fd);
        }
      },
    };
  },
);

export function nativeFlags(): Promise<FlagCalls | null> {
  return binding.get();
}

export function nativeFlagsUnavailableReason(): string {
  return binding.why();
}
