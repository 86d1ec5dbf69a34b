import { BLOCK_SIZES } from '../core/block-sizes.js';
import type { DiskUse } from '../state/types.js';

/**
 * Adds up what files take in blocks (DiskUse), one file at a time, for a
 * measure walk: a few additions per file, no allocation.
 *
 * A sparse file is counted by its size. The copy keeps holes where it can
 * (src/platform/sparse-copy.ts), but whether the target stores holes is
 * not known to the walk (exFAT and FAT fill them), and counting its size
 * never undercounts. (To count by data, keep both sums and let the
 * planner choose by the target's file system.)
 */
export class DiskUseCounter {
  private allocated = 0;
  private readonly byBlock = BLOCK_SIZES.map(() => 0);
  /** False once a file without a block count was seen (Windows): `allocated` is then unknown. */
  private allocatedKnown = true;

  /** One file (each hard-link group once): its apparent size and st_blocks, when the OS gives it. */
  add(size: number, blocks: number | undefined): void {
    if (blocks === undefined || !Number.isFinite(blocks)) this.allocatedKnown = false;
    else this.allocated += blocks * 512;
    // Each block size in turn; a file of size > 0 takes at least one (even one its own volume keeps in the inode, ext4 inline data).
    for (let i = 0; i < BLOCK_SIZES.length; i++) {
      const b = BLOCK_SIZES[i]!;
      this.byBlock[i]! += Math.ceil(size / b) * b;
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
      const b = BLOCK_SIZES[i]!;
      this.byBlock[i]! += Math.max(1, Math.ceil(bytes / b)) * b;
    }
  }

  result(): DiskUse {
    return { ...(this.allocatedKnown ? { allocated: this.allocated } : {}), byBlock: [...this.byBlock] };
  }
}
