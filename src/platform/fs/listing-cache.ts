import type { TreeListing, VouchedReads } from '../tree-listing.js';
import { rootIdentity } from './node-stat.js';

/**
 * Listings of trees this process has just walked, by the root's identity
 * (`dev:ino`, which a rename keeps), each handed out once, so a
 * cross-volume move walks each side once instead of six times.
 *
 * INVARIANT: nothing is deleted on the strength of a listing this cache
 * gave out; every verify before a delete walks the original fresh. In
 * detail:
 *
 * - copyTree's listing of the original is verify's original side (the
 *   copy is walked fresh). A change to the original during the copy is
 *   then not seen by this verify but by the one before the delete, which
 *   walks the original (set aside) fresh: nothing is deleted unverified.
 * - verify's fresh listing of the copy (the staging folder, renamed to the
 *   target, same identity) is the copy side of that second verify. The
 *   original is compared with the copy *as verified*; writes programs make
 *   through the new link meanwhile are theirs, not a failed copy.
 * - the latest verify's fresh listing of the original is the snapshot of
 *   it that the delete right after records (what an undo restores).
 *
 * At most one side of a verify comes from here, and never the original's
 * side from an earlier verify. A resumed run (a new process) has none and
 * walks everything, as any call without a listing does. A copy, a delete
 * and a restore forget everything (`clear`): freed inode numbers can be
 * reused by new folders, so no listing outlives a delete. A root whose
 * file system has no stable inode numbers (rootIdentity) is never kept.
 *
 * The vouched reads are not a listing: they are copyTree's reads of the
 * original's extended attributes and inode flags, each stamped with the
 * node's inode number and change time (tree-listing.ts `VouchedReads`).
 * The verify before the delete walks the original fresh, as above, but
 * takes those reads for every node whose stamp still matches instead of
 * reading again (ctime-vouch.ts says why a matching stamp proves nothing
 * changed, and where stamps are not made at all).
 *
 * test/platform/listing-cache.test.ts pins the hand-out rules;
 * test/exec/listing-reuse.test.ts and ctime-reuse.test.ts what they must
 * not weaken in a whole move.
 */
export class ListingCache {
  private readonly verifySides = new Map<string, TreeListing>();
  private readonly snapshotSources = new Map<string, TreeListing>();
  private readonly vouchedReads = new Map<string, VouchedReads>();

  /** Forgets every listing and read: before a copy, a delete, a restore. */
  clear(): void {
    this.verifySides.clear();
    this.snapshotSources.clear();
    this.vouchedReads.clear();
  }

  /** copyTree's listing of `original`: the original side of the next verify, and its stamped reads (if any) for the one after. */
  keepCopied(original: string, listing: TreeListing): void {
    keep(this.verifySides, original, listing);
    const reads = listing.vouchedReads();
    if (reads) keep(this.vouchedReads, original, reads);
  }

  /** A verify's fresh listing of the copy at `root`: one side of the next verify of that tree. */
  keepVerifySide(root: string, listing: TreeListing): void {
    keep(this.verifySides, root, listing);
  }

  /** A listing kept for a verify of the tree at `root`, handed out once. */
  takeVerifySide(root: string): TreeListing | undefined {
    return take(this.verifySides, root);
  }

  /** copyTree's stamped reads of the tree at `root`, handed out once. */
  takeVouchedReads(root: string): VouchedReads | undefined {
    return take(this.vouchedReads, root);
  }

  /** A verify's fresh listing of the original at `root`: what the delete right after records. */
  keepSnapshotSource(root: string, listing: TreeListing): void {
    keep(this.snapshotSources, root, listing);
  }

  /** The listing kept for a snapshot of `root`, handed out once. */
  takeSnapshotSource(root: string): TreeListing | undefined {
    return take(this.snapshotSources, root);
  }

  /** The listing kept for a snapshot of `root`, left in place (the snapshot after still takes it). */
  peekSnapshotSource(root: string): TreeListing | undefined {
    const id = rootIdentity(root);
    return id !== undefined ? this.snapshotSources.get(id) : undefined;
  }

  /** Forgets the snapshot sources: a new verify makes its own. */
  dropSnapshotSources(): void {
    this.snapshotSources.clear();
  }
}

function keep<T>(into: Map<string, T>, root: string, value: T): void {
  const id = rootIdentity(root);
  if (id) into.set(id, value);
}

function take<T>(from: Map<string, T>, root: string): T | undefined {
  const id = rootIdentity(root);
  const value = id === undefined ? undefined : from.get(id);
  if (value && id !== undefined) from.delete(id);
  return value;
}
