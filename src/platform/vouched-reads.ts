import type { CtimeVouch } from './ctime-vouch.js';
import { CHUNK_BITS, FLAGS_READ, MASK, NONE, STAMPED, XATTRS_READ } from './listing-chunk.js';
import type { Xattr } from './native/xattrs.js';

/** The columns of one chunk that a `VouchedReads` keeps (the chunk's own arrays, not copies). */
export interface ReadColumns {
  inos: BigUint64Array | undefined;
  ctimes: BigInt64Array | undefined;
  flags: Uint32Array;
  known: Uint8Array;
}

/**
 * What one walk read of each node's extended attributes and inode flags,
 * with the inode number and change time that vouch for those reads
 * (ctime-vouch.ts), kept for a later walk of the same tree: the walk of a
 * cross-volume move's original just before its delete reuses the reads of
 * the copy's walk for every node unchanged since (fs/verify-tree.ts). It holds
 * only those columns of the listing (the listing's own arrays: about 21
 * bytes a node), so the rest of the listing can go.
 *
 * Nodes are looked up by the index the later walk gives them: when the
 * tree kept its shape that is the same node (tree-listing order); when it
 * did not, the inode number and change time tell, and the verify fails on
 * the shape anyway. Attributes and flags are the inode's own, so a node
 * met under another name (a hard link) is vouched for the same.
 */
export class VouchedReads {
  constructor(
    private readonly columns: readonly ReadColumns[],
    private readonly attrs: ReadonlyMap<number, Xattr[]>,
    private readonly length: number,
    readonly vouch: CtimeVouch,
  ) {}

  /**
   * The attributes and flags node `i` had when read (each null when that
   * read did not make it), if the node lstat'ed now as (`dev`, `ino`,
   * `ctimeNs`) is vouched to be that node unchanged; undefined otherwise.
   */
  at(i: number, dev: bigint, ino: bigint, ctimeNs: bigint): { xattrs: Xattr[] | null; flags: number | null } | undefined {
    if (i < 0 || i >= this.length) return undefined;
    const c = this.columns[i >>> CHUNK_BITS];
    const k = i & MASK;
    const known = c.known[k];
    const { inos, ctimes } = c;
    // STAMPED is set only where both columns were written; a chunk without them vouches for nothing.
    if ((known & STAMPED) === 0 || !inos || !ctimes || !this.vouch.vouches(dev, ino, ctimeNs, inos[k], ctimes[k])) return undefined;
    return {
      xattrs: (known & XATTRS_READ) === 0 ? null : (this.attrs.get(i) ?? (NONE as Xattr[])),
      flags: (known & FLAGS_READ) === 0 ? null : c.flags[k],
    };
  }
}
