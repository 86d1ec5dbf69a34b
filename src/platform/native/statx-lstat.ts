/**
 * The plan's measure walk reads each node with one statx(2) through koffi
 * instead of Node's lstat plus a second, mask-0 statx for the inode flags
 * (inode-flags.ts): statx gives lstat's fields and `stx_attributes`
 * (immutable, append-only) in one call. Measured on this machine's ext4
 * (20,000 cached files, `node bench/inode-flags.mjs`): lstatSync 2.5 µs a
 * node, a full-mask statx through koffi 2.0 µs, the flag statx 1.9 µs; so
 * the flag check that made a deleting walk some 70% longer costs nothing
 * now (issue 15: the fidelity work's cost).
 *
 * Read exactly as lstat reads: AT_SYMLINK_NOFOLLOW (a link is never
 * followed), AT_NO_AUTOMOUNT, the default sync behaviour. A node whose
 * reply lacks a field lstat would have (`stx_mask`), or any failure, gives
 * undefined and the caller reads it with lstat, which also makes the error
 * Node's own. Linux only (the struct is the same on every Linux
 * architecture); null elsewhere, with RELOCATE_NATIVE=0 or without koffi.
 */
import { constants as osConstants } from 'node:os';
import type { InodeFlag } from '../../state/types.js';
import { LINUX } from './inode-flags.js';
import { nativeBinding } from './koffi.js';

/** include/uapi/linux/stat.h: the fields the walk uses, and their offsets in struct statx. */
export const STATX = {
  TYPE: 0x1,
  MODE: 0x2,
  NLINK: 0x4,
  MTIME: 0x40,
  INO: 0x100,
  SIZE: 0x200,
  BLOCKS: 0x400,
  OFF_MASK: 0,
  OFF_ATTRIBUTES: 8,
  OFF_NLINK: 16,
  OFF_MODE: 28,
  OFF_INO: 32,
  OFF_SIZE: 40,
  OFF_BLOCKS: 48,
  OFF_MTIME: 112,
  OFF_DEV_MAJOR: 136,
  OFF_DEV_MINOR: 140,
  STRUCT_SIZE: 256,
} as const;

const WANTED = STATX.TYPE | STATX.MODE | STATX.NLINK | STATX.MTIME | STATX.INO | STATX.SIZE | STATX.BLOCKS;
/** statx is called on Linux only: the host's ENOSYS is Linux's. */
const { ENOSYS } = osConstants.errno;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/**
 * One node as the measure walk reads it: lstat's fields it uses, with the
 * same values Node's lstat gives (`dev` encoded as glibc's makedev, which
 * libuv uses), and the inode flag that forbids deleting it. Valid only
 * until the next read: the reader reuses one object.
 */
export interface StatxNode {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  dev: number;
  /** The inode number as a decimal string: exact past 2^53 (read when asked, before the next read). */
  readonly ino: string;
  nlink: number;
  size: number;
  blocks: number;
  mtimeMs: number;
  flag: InodeFlag | undefined;
}

/** glibc's makedev (sys/sysmacros.h), as a Number the way Node's lstat reports `dev`. */
export function makedev(major: number, minor: number): number {
  return (major & 0xfff) * 0x100 + Math.floor(major / 0x1000) * 2 ** 44 + (minor & 0xff) + Math.floor(minor / 0x100) * 0x100000;
}

/** An unsigned 64-bit field as a Number without making a BigInt (exact below 2^53: sizes, block counts). */
function u64(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 0x100000000;
}

/**
 * Decodes a statx reply into `out`; false when it lacks a field the walk
 * needs. No BigInt is made per node (they cost a third of a walk): `ino`
 * is read from `buf` only when asked, for a file with several names.
 */
export function decodeStatx(buf: Buffer, out: Omit<StatxNode, 'ino' | 'isFile' | 'isDirectory' | 'isSymbolicLink'> & { mode: number }): boolean {
  if ((buf.readUInt32LE(STATX.OFF_MASK) & WANTED) !== WANTED) return false;
  out.mode = buf.readUInt16LE(STATX.OFF_MODE);
  out.nlink = buf.readUInt32LE(STATX.OFF_NLINK);
  out.size = u64(buf, STATX.OFF_SIZE);
  out.blocks = u64(buf, STATX.OFF_BLOCKS);
  out.mtimeMs = (buf.readUInt32LE(STATX.OFF_MTIME) + buf.readInt32LE(STATX.OFF_MTIME + 4) * 0x100000000) * 1000 + buf.readUInt32LE(STATX.OFF_MTIME + 8) / 1e6;
  out.dev = makedev(buf.readUInt32LE(STATX.OFF_DEV_MAJOR), buf.readUInt32LE(STATX.OFF_DEV_MINOR));
  // STATX_ATTR_IMMUTABLE and _APPEND are in the low word of stx_attributes; linuxFlagOf's order (immutable wins).
  const attributes = buf.readUInt32LE(STATX.OFF_ATTRIBUTES);
  out.flag = (attributes & LINUX.STATX_ATTR_IMMUTABLE) !== 0 ? 'immutable' : (attributes & LINUX.STATX_ATTR_APPEND) !== 0 ? 'append-only' : undefined;
  return true;
}

/** Reads one path (never followed); undefined when statx failed or lacked a field (read it with lstat then). */
export type StatxReader = (p: string) => StatxNode | undefined;

const binding = nativeBinding<StatxReader>(
  'statx',
  () => (process.platform === 'linux' ? undefined : 'statx is Linux only'),
  (koffi) => {
    const statx = koffi.load('libc.so.6').func('int statx(int dirfd, const char *path, int flags, unsigned int mask, uint8_t *buf)');
    const buf = Buffer.alloc(STATX.STRUCT_SIZE);
    const flags = LINUX.AT_SYMLINK_NOFOLLOW | LINUX.AT_NO_AUTOMOUNT;
    const node = {
      mode: 0,
      dev: 0,
      nlink: 0,
      size: 0,
      blocks: 0,
      mtimeMs: 0,
      flag: undefined as InodeFlag | undefined,
      get ino() {
        return buf.readBigUInt64LE(STATX.OFF_INO).toString();
      },
      isFile() {
        return (this.mode & S_IFMT) === S_IFREG;
      },
      isDirectory() {
        return (this.mode & S_IFMT) === S_IFDIR;
      },
      isSymbolicLink() {
        return (this.mode & S_IFMT) === S_IFLNK;
      },
    };
    // A kernel older than statx (4.11) says ENOSYS: lstat alone from then on, not two calls a node.
    let kernelHasIt = true;
    // One buffer and one answer object: the walk is synchronous, one call at a time.
    return (p) => {
      if (!kernelHasIt) return undefined;
      if (statx(LINUX.AT_FDCWD, p, flags, WANTED, buf) === 0) return decodeStatx(buf, node) ? node : undefined;
      if (koffi.errno() === ENOSYS) kernelHasIt = false;
      return undefined;
    };
  },
);

export function nativeStatx(): Promise<StatxReader | null> {
  return binding.get();
}
