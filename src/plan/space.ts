import { BLOCK_SIZES } from '../core/block-sizes.js';
import type { DiskUse, TreeMeasure, VolumeInfo } from '../state/types.js';
import type { MoveSpec } from './types.js';

/**
 * What each file, folder and link costs a volume beyond its data, taken
 * from the same free space: nothing where inodes sit in a table made with
 * the file system (ext2/3/4; tmpfs counts only data pages), 512 B where
 * they are allocated as needed in chunks of 64 (xfs), and a kilobyte
 * elsewhere (NTFS's MFT records, btrfs's duplicated metadata, and any file
 * system not known here).
 */
export function inodeCost(fsType: string | undefined): number {
  if (fsType !== undefined && /^(ext[234]|tmpfs)$/.test(fsType)) return 0;
  if (fsType === 'xfs') return 512;
  return 1024;
}

/**
 * Whether a file system stores holes, so a sparse file copied there by data
 * extents takes only its data: Linux's own file systems and tmpfs. Not
 * FAT or exFAT (no holes), nor FUSE, network or unknown ones (what their
 * backend does is not known here): there the size counts.
 */
export function keepsHoles(fsType: string | undefined): boolean {
  return fsType !== undefined && /^(ext[234]|xfs|btrfs|tmpfs|f2fs|zfs)$/.test(fsType);
}

/**
 * What a tree copied to a volume takes there, the way that volume counts
 * it: each file's data and each folder's entries in whole blocks of the
 * volume's size (TreeMeasure.disk, at the smallest counted block size not
 * below the volume's; sparse files by their data where the copy keeps their
 * holes and the volume stores them, see keepsHoles), plus every node's inode where the volume takes it
 * from free space (inodeCost), plus a margin for the file system's own
 * bookkeeping. Meant as an upper bound: the space accounting tests check
 * it against what copies really take on ext4, xfs and btrfs.
 */
export function bytesOnVolume(tree: TreeMeasure & { disk: DiskUse }, volume: VolumeInfo & { blockSize: number }): number {
  const { blockSize } = volume;
  const i = BLOCK_SIZES.findIndex((b) => b >= blockSize);
  // Sparse files by their data where the copy keeps holes and the target stores them.
  const sums = tree.disk.byBlockHoles && keepsHoles(volume.fsType) ? tree.disk.byBlockHoles : tree.disk.byBlock;
  // A block larger than any counted: the largest counted, plus at most one more block per file and folder.
  const data = i >= 0 ? sums[i] : sums[BLOCK_SIZES.length - 1] + (tree.files + tree.dirs) * blockSize;
  const nodes = tree.files + tree.dirs + tree.links + (tree.others ?? 0);
  // What no walk sees: extent and free-space trees, the entry in the parent folder, xfs's inode chunks
  // (measured: 4 KiB over the rest on ext4 and 20 KiB on xfs for 1,500 files): 1% and 64 blocks.
  return Math.ceil((data + nodes * inodeCost(volume.fsType)) * 1.01) + 64 * blockSize;
}

/** A cross-volume move's block figures (MoveSpec.allocated and onTarget) from its measured tree and the destination volume; none for a rename. */
export function blockFigures(tree: TreeMeasure | undefined, cross: boolean, dest: VolumeInfo | undefined): Pick<MoveSpec, 'allocated' | 'onTarget'> {
  if (!cross || !tree?.disk) return {};
  const { disk } = tree;
  return {
    ...(disk.allocated !== undefined ? { allocated: disk.allocated } : {}),
    ...(dest?.blockSize ? { onTarget: bytesOnVolume({ ...tree, disk }, { ...dest, blockSize: dest.blockSize }) } : {}),
  };
}
