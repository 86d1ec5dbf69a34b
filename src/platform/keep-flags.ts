import { errnoError } from './keep-errors.js';
import type { CopyReader, KeptMeta, WrapError } from './keep-meta.js';
import { FLAG_ERRNO, flagsToSet, type FlagCalls } from './native/fs-flags.js';

/**
 * The inode flags part of a copy (keep-meta.ts's module comment says what
 * is kept and when): reading an original's copyable flags, setting them on
 * its copy (those that act only on later bytes before the data), dropping
 * and counting what a destination refuses, and the verify's comparison.
 *
 * Invariant: `refused` holds every flag some destination refused during
 * this process's copies, and the verify never asks a copy for one of them
 * (mv keeps no inode flags at all: a refused flag is dropped, said by
 * --verbose, never a failure); any other error reading or setting flags
 * fails the copy.
 */
export class FlagKeeper {
  /** Nodes that lost an inode flag the destination refused. */
  notKept = 0;
  private refused = 0;

  constructor(
    private readonly calls: FlagCalls,
    private readonly anyOwner: boolean,
    private readonly wrap: WrapError,
  ) {}

  /** The flags refused so far, as chattr/chflags would name them. */
  describeRefused(): string {
    return this.calls.describe(this.refused);
  }

  /**
   * The copyable inode flags of a file or folder (never followed; the
   * caller has lstat'ed it), or null when it is another kind. A node whose
   * flags cannot be read has none to keep: a file system without flags
   * (ENOTTY), or one the copy could not read either.
   */
  read(p: string, kind: KeptMeta['kind'], uid: number): number | null {
    if (kind !== 'file' && kind !== 'dir') return null;
    const got = this.calls.get(p, this.anyOwner || uid === process.geteuid?.());
    return typeof got === 'number' ? (got & this.calls.copyable) >>> 0 : 0;
  }

  /** Whether copies made in `dir` inherit inode flags the originals may lack (Linux passes some on to new nodes). */
  inherits(dir: string): boolean {
    if (process.platform !== 'linux') return false;
    const flags = this.read(dir, 'dir', -1);
    return flags !== null && flags !== 0;
  }

  /** Whether a file's flags include ones to set on its empty copy, before its bytes (`setBeforeData`). */
  wantsBeforeData(n: KeptMeta): boolean {
    return n.kind === 'file' && ((n.flags ?? 0) & this.calls.beforeData) !== 0;
  }

  /**
   * Sets the flags that act only on data written after them (no-COW,
   * compression) on the empty copy `p`. One the destination refuses is
   * counted by the keeper's `apply`, which tries every flag again after the data.
   */
  setBeforeData(p: string, n: KeptMeta): void {
    this.set(p, (n.flags ?? 0) & this.calls.beforeData, false, false);
  }

  /**
   * Gives `p` the copyable flags `wanted` (and, with `exact`, takes away
   * copyable flags it has and `wanted` lacks); keeps its other flags. A
   * flag the destination refuses is dropped and, with `count`, counted;
   * any other failure fails the copy.
   */
  set(p: string, wanted: number, exact: boolean, count = true): void {
    const calls = this.calls;
    if (wanted === 0 && !exact) return;
    const got = calls.get(p, true);
    if (typeof got !== 'number') {
      if (wanted === 0 || isRefusal(got.errno)) return count ? this.drop(wanted) : undefined;
      throw this.wrap(errnoError(got.errno), p, 'reading the inode flags of');
    }
    const target = exact ? flagsToSet(got, wanted, calls.copyable) : (got | wanted) >>> 0;
    if (target === got) return;
    let errno = calls.set(p, target);
    if (errno === 0) return;
    if (!isRefusal(errno)) throw this.wrap(errnoError(errno), p, 'setting the inode flags of');
    // Refused as a whole: flag by flag, to keep what the destination holds and drop only what it refuses.
    let now = (got & ~(exact ? calls.copyable : 0)) >>> 0;
    let refused = 0;
    for (let bit = 1; bit !== 0 && bit <= wanted; bit = (bit << 1) >>> 0) {
      if ((wanted & bit) === 0) continue;
      errno = calls.set(p, (now | bit) >>> 0);
      if (errno === 0) now = (now | bit) >>> 0;
      else if (isRefusal(errno)) refused |= bit;
      else throw this.wrap(errnoError(errno), p, 'setting the inode flags of');
    }
    // Flags to take away that the set refused to clear are left; the verify compares only what the original has.
    if (refused !== 0 && count) this.drop(refused);
  }

  private drop(refused: number): void {
    if (refused === 0) return;
    this.notKept++;
    this.refused = (this.refused | refused) >>> 0;
  }

  /** The inode flags of the original the copy lacks, save those a destination was seen to refuse; undefined when none. */
  lost(orig: KeptMeta, copy: KeptMeta, readCopy: CopyReader): string | undefined {
    const want = ((orig.flags ?? 0) & ~this.refused) >>> 0;
    if (want === 0) return undefined;
    const have = copy.flags ?? readCopy.flags() ?? 0;
    if ((want & ~have) === 0) return undefined;
    return `the inode flags differ (${this.calls.describe(orig.flags ?? 0)} vs ${this.calls.describe(have) || 'none'})`;
  }
}

/** Errnos by which a destination says it cannot hold a flag (or this account may not set it): the flag is dropped, as mv drops them all. */
function isRefusal(errno: number): boolean {
  return errno === FLAG_ERRNO.ENOTTY || errno === FLAG_ERRNO.ENOTSUP || errno === FLAG_ERRNO.EINVAL || errno === FLAG_ERRNO.EPERM;
}
