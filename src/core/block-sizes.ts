/**
 * The allocation units a measure rounds file data up to: every common
 * block or cluster size, 512 B to 2 MiB (ext4, xfs, btrfs, tmpfs, APFS and
 * NTFS use 4 KiB; exFAT up to 128 KiB by default, more when formatted so).
 * Invariant: ascending powers of two; DiskUse.byBlock is parallel to it.
 */
export const BLOCK_SIZES: readonly number[] = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576, 2097152];
