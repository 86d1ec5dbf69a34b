import { BLOCK_SIZES } from '../core/block-sizes.js';
import type { DiskUse } from '../state/types.js';

/**
 * Adds up what files take in blocks (DiskUse), one file at a time, for a
 * measure walk: a few additions per file, no allocation.
 *
 * A sparse file (fewer allocated bytes than its size) is counted twice:
 * by its size in `byBlock`, and by its allocated bytes in `byBlockHoles`,
 * kept only when `keepsHoles` (this host's copy writes data extents only:
 * Linux with the native SEEK_DATA, src/platform/sparse-copy.ts) and some
 * file is sparse. The planner picks the second only for a target whose
 * file system stores holes (ext4, xfs, btrfs, tmpfs, f2fs, zfs); exFAT and
 * FAT fill them, so there the size is what counts.
 */
export class DiskUseCounter {
  private allocated = 0;
  private readonly byBlock = BLOCK_SIZES.map(() => 0);
  private readonly byBlockHoles = BLOCK_SIZES.map(() => 0);
  private sparseSeen = false;
  /** False once a file without a block count was seen (Windows): `allocated` is then unknown. */
  private allocatedKnown = true;

  constructor(private readonly keepsHoles = false) {}

  /** One file (each hard-link group once): its apparent size and st_blocks, when the OS gives it. */
  add(size: number, blocks: number | undefined): void {
    if (blocks === undefined || !Number.isFinite(blocks)) this.allocatedKnown = false;
    else this.allocated += blocks * 512;
    // The bytes a hole-keeping copy writes: its data, at most its allocated blocks (extent blocks included: an upper bound).
    const sparse = this.keepsHoles && blocks !== undefined && size > 0 && blocks * 512 < size;
    const data = sparse ? blocks * 512 : size;
    if (sparse) this.sparseSeen = true;
    // Each block size in turn; a file of size > 0 takes at least one (even one its own volume keeps in the inode, ext4 inline data).
    for (let i = 0; i < BLOCK_SIZES.length; i++) {
      const b = BLOCK_SIZES[i];
      this.byBlock[i] += Math.ceil(size / b) * b;
      this.byBlockHoles[i] += Math.max(size > 0 ? 1 : 0, Math.ceil(data / b)) * b;
    }
  }

  /**
   * One folder, by the names it holds: the blocks its entries take (ext4's
   * format, the largest of the common ones: 8 bytes and the name padded to
   * 4, plus `.` and `..`; hashed indexes add about half again), at least
   * one block.
   */
  addFolder(names: readonly string[]): void {
    let bytes = 24;
    for (const n of names) bytes += 8 + ((Buffer.byteLength(n) + 3) & ~3);
    bytes = Math.ceil(bytes * 1.5);
    for (let i = 0; i < BLOCK_SIZES.length; i++) {
      const b = BLOCK_SIZES[i];
      this.byBlock[i] += Math.max(1, Math.ceil(bytes / b)) * b;
      this.byBlockHoles[i] += Math.max(1, Math.ceil(bytes / b)) * b;
    }
  }

  result(): DiskUse {
    return {
      ...(this.allocatedKnown ? { allocated: this.allocated } : {}),
      byBlock: [...this.byBlock],
      ...(this.sparseSeen ? { byBlockHoles: [...this.byBlockHoles] } : {}),
    };
  }
}
