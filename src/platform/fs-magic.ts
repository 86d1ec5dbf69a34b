/**
 * statfs(2) f_type numbers (linux/magic.h) of the local Linux file systems
 * whose behaviour relocate relies on by name: which honour syncfs
 * (durability.ts), whose change times vouch for attributes and flags
 * (ctime-vouch.ts). Pseudo file systems have their own table (pseudo-fs.ts).
 */
export const FS_MAGIC = {
  /** ext2, ext3 and ext4 share one number. */
  ext: 0xef53,
  xfs: 0x58465342,
  btrfs: 0x9123683e,
  f2fs: 0xf2f52010,
  tmpfs: 0x01021994,
} as const;

/** An f_type as the unsigned 32-bit number linux/magic.h gives (statfs may report one with the top bit set as negative, or as a bigint). */
export function fsMagic(fType: number | bigint): number {
  return Number(BigInt.asUintN(32, BigInt(fType)));
}
