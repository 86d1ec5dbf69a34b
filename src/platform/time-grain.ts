import { statfs } from 'node:fs/promises';

/**
 * File systems (by statfs f_type, linux/magic.h) known to store times to
 * the nanosecond (100 ns for NTFS): a copy there must keep the original's
 * time exactly (or truncated to 100 ns). Any other stores coarser times or
 * is not known here: exFAT keeps 10 ms, FAT 2 s, and FUSE and network
 * file systems what their backend keeps (sshfs: seconds; a Python FUSE
 * layer: a double, off by tens of ns), as `cp -a` and `mv` find too.
 */
const NS_TIMES = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0xf2f52010, // f2fs
  0x2fc12fc1, // zfs
  0x794c7630, // overlayfs
  0x7366746e, // ntfs3 (100 ns)
]);
const GRAIN_NS: Record<number, bigint> = {
  0x2011bab0: 10_000_000n, // exfat
  0x4d44: 2_000_000_000n, // vfat, msdos
};
/** Where the grain is not known: a second, the coarsest any common file system but FAT keeps. */
const UNKNOWN_GRAIN_NS = 1_000_000_000n;

/**
 * The finest time step the file system holding `p` keeps, in ns: 1 where
 * it keeps nanoseconds, else its known grain, else a second. Off Linux
 * (no f_type to go by) 1: the caller's own rules apply there.
 */
export async function timeGrainNs(p: string): Promise<bigint> {
  if (process.platform !== 'linux') return 1n;
  const s = await statfs(p).catch(() => undefined);
  if (!s) return UNKNOWN_GRAIN_NS;
  const magic = Number(s.type) >>> 0;
  if (NS_TIMES.has(magic)) return 1n;
  return GRAIN_NS[magic] ?? UNKNOWN_GRAIN_NS;
}
