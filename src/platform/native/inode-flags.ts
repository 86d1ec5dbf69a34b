/**
 * The inode flags that make a file or folder impossible to delete or
 * rename, even for root: Linux `chattr +i` / `+a`, macOS `chflags
 * uchg/schg/uappnd/sappnd`. Read without opening the file (so no fifo or
 * device is ever opened, nothing's atime changes, and links are never
 * followed):
 *
 * - Linux: statx(2) with AT_SYMLINK_NOFOLLOW and an empty mask, whose
 *   stx_attributes carry STATX_ATTR_IMMUTABLE and STATX_ATTR_APPEND (ext4,
 *   xfs, btrfs, f2fs report them; file systems without such flags report
 *   none). One system call per node, made only for trees that would be
 *   deleted (MeasureOptions.inodeFlags) and for a tree's top: measured at
 *   about 3 µs a node through koffi where the walk's own lstat costs about
 *   4 µs (20,000 cached files), i.e. a measure walk some 70% longer, and
 *   only where the data is copied anyway (`node bench/inode-flags.mjs`).
 * - macOS: lstat's st_flags (UF_/SF_IMMUTABLE, UF_/SF_APPEND).
 *
 * Returns null when unavailable (another OS, no koffi binary,
 * RELOCATE_NATIVE=0, a libc without statx): flags are then not known, and a
 * delete that meets such a file fails with E_ACCESS, which rolls back
 * without loss. Windows has no such flags: its read-only attribute is
 * cleared by the delete itself (libuv's unlink does so).
 */
import type { InodeFlag } from '../../state/types.js';
import { loadKoffi } from './koffi.js';

/** Reads the flag of one path (never followed); undefined when it carries none, or cannot be read. */
export type InodeFlagReader = (p: string) => InodeFlag | undefined;

/** Linux statx(2) constants (include/uapi/linux/stat.h, fcntl.h). */
export const LINUX = {
  AT_FDCWD: -100,
  AT_SYMLINK_NOFOLLOW: 0x100,
  AT_NO_AUTOMOUNT: 0x800,
  /** Do not revalidate with a network server: the cached attributes are enough. */
  AT_STATX_DONT_SYNC: 0x4000,
  STATX_ATTR_IMMUTABLE: 0x10,
  STATX_ATTR_APPEND: 0x20,
  /** Byte offset of `__u64 stx_attributes` in struct statx (after stx_mask and stx_blksize). */
  ATTRIBUTES_OFFSET: 8,
  STATX_SIZE: 256,
} as const;

/** macOS <sys/stat.h> flags and the 64-bit-inode struct stat layout. */
export const DARWIN = {
  UF_IMMUTABLE: 0x2,
  UF_APPEND: 0x4,
  SF_IMMUTABLE: 0x20000,
  SF_APPEND: 0x40000,
  /** Byte offset of `uint32_t st_flags` in struct stat (after st_blksize), 144 bytes in all. */
  FLAGS_OFFSET: 116,
  STAT_SIZE: 144,
} as const;

/** The flag a Linux stx_attributes word carries; immutable wins (it forbids more). */
export function linuxFlagOf(attributes: bigint): InodeFlag | undefined {
  if ((attributes & BigInt(LINUX.STATX_ATTR_IMMUTABLE)) !== 0n) return 'immutable';
  if ((attributes & BigInt(LINUX.STATX_ATTR_APPEND)) !== 0n) return 'append-only';
  return undefined;
}

/** The flag a macOS st_flags word carries (user or system level); immutable wins. */
export function darwinFlagOf(stFlags: number): InodeFlag | undefined {
  if ((stFlags & (DARWIN.UF_IMMUTABLE | DARWIN.SF_IMMUTABLE)) !== 0) return 'immutable';
  if ((stFlags & (DARWIN.UF_APPEND | DARWIN.SF_APPEND)) !== 0) return 'append-only';
  return undefined;
}

let reader: InodeFlagReader | null | undefined;

export async function nativeInodeFlags(): Promise<InodeFlagReader | null> {
  if (reader !== undefined) return reader;
  reader = null;
  if (process.platform !== 'linux' && process.platform !== 'darwin') return null;
  const loaded = await loadKoffi();
  if ('reason' in loaded) return null;
  const { koffi } = loaded;
  try {
    if (process.platform === 'linux') {
      const libc = koffi.load('libc.so.6');
      const statx = libc.func('int statx(int dirfd, const char *path, int flags, unsigned int mask, uint8_t *buf)');
      // One buffer reused: the walk is synchronous, one call at a time.
      const buf = Buffer.alloc(LINUX.STATX_SIZE);
      const flags = LINUX.AT_SYMLINK_NOFOLLOW | LINUX.AT_NO_AUTOMOUNT | LINUX.AT_STATX_DONT_SYNC;
      reader = (p) => (statx(LINUX.AT_FDCWD, p, flags, 0, buf) === 0 ? linuxFlagOf(buf.readBigUInt64LE(LINUX.ATTRIBUTES_OFFSET)) : undefined);
    } else {
      const libc = koffi.load('libSystem.B.dylib');
      // x86_64 keeps the 32-bit-inode lstat under the plain name; arm64 has only the 64-bit one.
      const name = process.arch === 'x64' ? 'lstat$INODE64' : 'lstat';
      const fn = libc.func(name, 'int', ['const char *', 'uint8_t *']);
      const buf = Buffer.alloc(DARWIN.STAT_SIZE);
      reader = (p) => (fn(p, buf) === 0 ? darwinFlagOf(buf.readUInt32LE(DARWIN.FLAGS_OFFSET)) : undefined);
    }
  } catch {
    reader = null;
  }
  return reader;
}
