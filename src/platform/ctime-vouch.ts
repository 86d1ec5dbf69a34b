/**
 * When a node's change time (ctime) vouches that its extended attributes
 * (POSIX ACLs among them) and inode flags are still what an earlier read
 * of the same node found, so that read stands in for a new one. Used by
 * the walk of an original just before it is deleted (fs/verify-tree.ts, fs/walk-tree.ts), which
 * otherwise reads every node's attributes and flags a second time: an
 * llistxattr and an open, ioctl(FS_IOC_GETFLAGS) and close per node, four
 * of the five system calls of that walk (bench/RESULTS.md, "Reads reused").
 *
 * Why it holds. On a local Linux file system the kernel sets a node's
 * ctime to the current time on every change to it: setxattr and
 * removexattr (ACLs are attributes), FS_IOC_SETFLAGS, chown, chmod, a
 * write, a link, unlink or rename of it. No call sets ctime to a chosen
 * value (utimensat sets it to now). So a node with the same device, inode
 * number and ctime (to the nanosecond) as when it was read has not changed
 * since — provided every change made after the read gets a ctime different
 * from the one the read saw. Two things could break that, and both are
 * closed by the margin:
 *
 * - Granularity. The kernel takes ctime from the coarse wall clock (up to
 *   a tick, at most 10 ms, behind), truncated to the file system's grain:
 *   1 ns on xfs, btrfs, tmpfs and ext4 with 256-byte inodes, but a whole
 *   second on ext4 with 128-byte inodes (older mkfs.ext4 made them for
 *   volumes under 512 MiB; `-I 128` still does). A file made and then given
 *   an attribute within one second keeps one ctime there. Linux 6.13's
 *   multigrain timestamps do not help the second-grained case and are not
 *   relied on.
 * - Order. A change writes its ctime and its new value in one system call
 *   under the inode's lock, but not always value first (a cached ACL may be
 *   replaced after the ctime is set), so a read racing a change could see
 *   the new ctime and the old value.
 *
 * Hence a read vouches only for nodes whose ctime, when read, was older
 * than the start of the walk that read it by CTIME_MARGIN_NS (10 s). A
 * change that sets its ctime after the walk began gets one after
 * start − 1 s − a tick, whatever the grain, so it differs from a ctime that
 * old; a change that set its ctime before the walk began and was still
 * writing its value when the walk read the node would have to have been
 * stopped inside that one system call for the whole margin. Nodes changed
 * within the margin before the walk are read again (a program was writing
 * there a moment ago: rare, and cheap).
 * A wall clock stepped back by more than the margin could give a later
 * change an old ctime: the walk that reuses compares the wall clock's
 * distance from the monotonic clock with the one at the first walk, and
 * reads everything again if it went back by more than CLOCK_STEP_SLACK_MS.
 * What is left — a clock stepped back and forward again between the two
 * walks, with a change landing exactly on a node's old ctime; a
 * change stopped inside its system call for the whole margin — is a
 * narrower gap than one the same verify already has: it finds changed
 * bytes by size and mtime, and any program may set an mtime.
 *
 * Where: Linux only, on file systems whose every metadata change updates
 * ctime (statfs f_type): ext2/3/4, xfs, btrfs always; tmpfs from Linux 6.2
 * (setting a security.* or trusted.* attribute on tmpfs left ctime alone
 * until kernel commit 36f05cab0a2c of September 2022, merged for 6.1 or
 * 6.2: which one could not be checked here, so the later is required). Not FUSE (the daemon reports
 * what it likes), network file systems (another client's change reaches
 * ctime when the server says), overlayfs, f2fs or anything unknown, and
 * not macOS or Windows: there every read is made again.
 * test/platform/ctime-vouch.test.ts checks the kernel's part on each
 * listed file system: every change the verify compares moves ctime.
 */
import { statfsSync } from 'node:fs';
import os from 'node:os';
import { FS_MAGIC, fsMagic } from './fs-magic.js';

/** How much older than the walk that read it a node's ctime must be to vouch for the read (see the module comment). */
export const CTIME_MARGIN_NS = 10_000_000_000n;
/** A step back of the wall clock (against the monotonic clock) up to this is slewing or noise, far inside the margin. */
const CLOCK_STEP_SLACK_MS = 1000;

/** The clocks a vouch reads: the wall clock in ns, and the wall clock's distance from the monotonic clock in ms. */
export interface VouchClock {
  wallNs(): bigint;
  wallMinusMonotonicMs(): number;
}

const SYSTEM_CLOCK: VouchClock = {
  wallNs: () => BigInt(Date.now()) * 1_000_000n,
  wallMinusMonotonicMs: () => Date.now() - performance.now(),
};

/** What a NodeFs may change for tests: a shorter margin (still over a second: see the module comment), a clock that steps. */
export interface VouchOptions {
  marginNs?: bigint;
  clock?: VouchClock;
}

/** Whether every metadata change on a volume of this statfs f_type moves ctime, on the running kernel. */
export function ctimeKeptBy(fType: number | bigint, kernelRelease = os.release()): boolean {
  const t = fsMagic(fType);
  if (t === FS_MAGIC.ext || t === FS_MAGIC.xfs || t === FS_MAGIC.btrfs) return true;
  if (t !== FS_MAGIC.tmpfs) return false;
  const m = /^(\d+)\.(\d+)/.exec(kernelRelease);
  return m !== null && (Number(m[1]) > 6 || (Number(m[1]) === 6 && Number(m[2]) >= 2));
}

/**
 * The terms under which one walk's reads vouch for nodes met again by a
 * later walk: made when the walk begins, before its first read.
 */
export class CtimeVouch {
  private constructor(
    /** The device of the walked tree (a walk never leaves it). */
    readonly dev: bigint,
    /** Reads vouch only for nodes whose ctime was before this (the walk's start less the margin). */
    readonly before: bigint,
    private readonly offsetMs: number,
    private readonly clock: VouchClock,
  ) {}

  /** For a walk of the tree at `root` on device `dev`, beginning now; undefined where ctimes cannot vouch (see the module comment). */
  static forWalk(root: string, dev: bigint, opts: VouchOptions = {}): CtimeVouch | undefined {
    if (process.platform !== 'linux') return undefined;
    let type: number | bigint;
    try {
      type = statfsSync(root).type;
    } catch {
      return undefined;
    }
    if (!ctimeKeptBy(type)) return undefined;
    const clock = opts.clock ?? SYSTEM_CLOCK;
    return new CtimeVouch(dev, clock.wallNs() - (opts.marginNs ?? CTIME_MARGIN_NS), clock.wallMinusMonotonicMs(), clock);
  }

  /**
   * Whether a node read by the walk with (`dev`, `listedIno`,
   * `listedCtimeNs`) and now lstat'ed as (`dev`, `ino`, `ctimeNs`) is the
   * same node, unchanged since that read. The inode number and device are
   * checked though an equal ctime alone would tell (a node renamed or
   * linked into place gets a new ctime): they cost nothing.
   */
  vouches(dev: bigint, ino: bigint, ctimeNs: bigint, listedIno: bigint, listedCtimeNs: bigint): boolean {
    return listedCtimeNs < this.before && ctimeNs === listedCtimeNs && ino === listedIno && dev === this.dev;
  }

  /** Whether the wall clock has not been stepped back (beyond slewing) since the walk began. */
  clockSteady(): boolean {
    return this.clock.wallMinusMonotonicMs() >= this.offsetMs - CLOCK_STEP_SLACK_MS;
  }
}
