import { chmodSync, closeSync, constants as C, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, readSync, rmdirSync, symlinkSync, unlinkSync, type BigIntStats, type Dirent, type Stats } from 'node:fs';
import { timeGrainNs } from './time-grain.js';
import { access, copyFile, mkdir, open, rename, rmdir, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { RelocateError, type ErrorCode } from '../core/errors.js';
import { canonicalPath, hostOs, isAbsolutePath, styleForOs } from '../core/paths.js';
import { stagingName } from '../core/own-names.js';
import type { FsPort, NodeInfo, NodeMeta, OutsideName, OutsideNames, ProgressFn, RootMadeFn } from '../exec/fs-port.js';
import { findOutsideNames, type ListedFile } from './outside-names.js';
import type { VerifyMode } from '../exec/steps.js';
import type { ResolvedLinkType } from '../plan/types.js';
import { eachLimited } from '../core/each-limited.js';
import type { Durability, InUseFile } from '../state/types.js';
import { caseTwinError } from './case-twin.js';
import { DeviceFence, mountPointError } from './device-fence.js';
import { holdersNow } from './in-use.js';
import { durabilityWay, fsyncDir, fsyncDirSync } from './durability.js';
import { CopyFlush } from './copy-flush.js';
import { MetaKeeper, type MadeAs } from './keep-meta.js';
import { keptMetaOfSnapshot, snapshotNodeOf } from './snapshot-meta.js';
import { nativeSeekExtent } from './native/seek-data.js';
import { copySparse, sameSparseContent } from './sparse-copy.js';
import { TreeListing, type ListedNode, type NodeKind, type VouchedReads } from './tree-listing.js';
import { CtimeVouch, type VouchOptions } from './ctime-vouch.js';
import { isUnsupportedErrno, nativeRenameNoReplace, nativeRenameUnavailableReason } from './native/rename-noreplace.js';
import { nativeInodeFlags } from './native/inode-flags.js';
import { nativeFsid } from './native/fsid.js';
import { RETRY_DELAYS_MS, TRANSIENT_ERRNO, errnoOfWinError } from './windows/move.js';
import { windowsLinkProbe, windowsMoveNoReplace } from './windows/native.js';
import { deleteClearingReadOnly } from './windows/read-only.js';
import { win32UnavailableReason } from './windows/win32.js';

const STYLE = styleForOs(hostOs());
/** Files copied or hashed at once: enough to hide latency, few enough to keep memory flat. */
const CONCURRENCY = 8;
/** A listed mtime (a double of ms) and a fresh one this close mean "unchanged" (outside names, changes during a move). */
const MTIME_TOLERANCE_MS = 1;
/** How often the size of a file being copied is read for the progress line. */
const PROGRESS_POLL_MS = 500;
/**
 * Files copied at once on the thread pool. Copying is kernel work of tens
 * of microseconds to milliseconds a file, which spreads over the CPUs;
 * measured on 2 busy CPUs, 8 at once copied 20,000 files about 3× faster
 * than one at a time.
 */
const COPY_CONCURRENCY = 8;
/** The copy's progress is reported at most this often. */
const PROGRESS_EVERY_MS = 100;
/** Bytes read from each side at a time when comparing contents. */
const COMPARE_CHUNK = 1024 * 1024;
/** Files at least this big are compared on the thread pool, this many at once. */
const BIG_COMPARE = 1024 * 1024;
const COMPARES_AT_ONCE = 4;

const ERRNO_CODES: Record<string, ErrorCode> = {
  ENOSPC: 'E_NO_SPACE',
  EDQUOT: 'E_NO_SPACE',
  EACCES: 'E_ACCESS',
  EPERM: 'E_ACCESS',
  EBUSY: 'E_IN_USE',
  ETXTBSY: 'E_IN_USE',
  EROFS: 'E_READ_ONLY',
  EXDEV: 'E_CROSS_VOLUME',
  EEXIST: 'E_EXISTS',
  ENOENT: 'E_MISSING',
  EIO: 'E_IO',
};

const HINTS: Partial<Record<ErrorCode, string>> = {
  E_NO_SPACE: 'free space on the destination drive and run again',
  E_ACCESS: 'check the permissions of this path (or run from an account that may change it)',
  E_IN_USE: 'close the program that uses this file and run again',
  E_READ_ONLY: 'the volume is read-only; remount it read-write or choose another path',
  E_EXISTS: 'something appeared at this path; move it away and run `relocate plan` again',
  E_MISSING: 'the disk changed while relocate worked; run `relocate plan` again',
  E_IO: 'the disk reported an I/O error; check it before going on',
};

/** Wraps an fs error as a RelocateError with the path and a hint. */
export function fsError(err: unknown, p: string, doing: string): RelocateError {
  if (err instanceof RelocateError) return err;
  const errno = (err as NodeJS.ErrnoException)?.code ?? '';
  // EBUSY from a mount point is not a program holding a file: say what it is.
  const mounted = errno === 'EBUSY' ? mountPointError(p, doing) : undefined;
  if (mounted) return mounted;
  const code: ErrorCode = ERRNO_CODES[errno] ?? 'E_IO';
  return new RelocateError(code, `${doing} ${p} failed: ${errno || (err as Error)?.message}`, { path: p, ...(HINTS[code] ? { hint: HINTS[code] } : {}), cause: err });
}

/**
 * lstat, or null when nothing is there. Synchronous underneath, like the
 * other single-path reads the executor makes one at a time (lstat,
 * linkDestination, missingDirs): a thread-pool round trip costs more than
 * the call, and on a busy machine each one also waits for the scheduler
 * (a 1,000-link apply spent most of its time idle in them).
 */
async function lstatOrNull(p: string): Promise<BigIntStats | null> {
  try {
    // throwIfNoEntry: absent is a common answer here, and the ENOENT error object costs more than the call.
    return lstatSync(p, { bigint: true, throwIfNoEntry: false }) ?? null;
  } catch (err) {
    const c = (err as NodeJS.ErrnoException).code;
    // A name too long to exist is absent (an undo must not stall on a staging name that could never be made).
    if (c === 'ENOENT' || c === 'ENOTDIR' || c === 'ENAMETOOLONG') return null;
    throw fsError(err, p, 'reading');
  }
}

/**
 * `dev:ino` of a path (not followed), exact; undefined when it cannot be
 * read or the file system has no stable inode numbers (0, as FAT volumes
 * can report on Windows): then nothing is reused.
 */
function rootIdentity(p: string): string | undefined {
  try {
    const s = lstatSync(p, { bigint: true });
    if (s.ino === 0n) return undefined;
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/** One node of a listing as an object (see `nodesOf`). */
interface ListedObject {
  rel: string;
  kind: NodeKind;
  id: string;
  mode: number;
  mtimeNs: bigint;
  atimeNs: bigint;
}

/** A listing as one object per node: for the rare paths (an undo) that read it by name. */
function nodesOf(list: TreeListing): ListedObject[] {
  const out: ListedObject[] = [];
  for (let i = 0; i < list.length; i++) out.push({ rel: list.rel(i), kind: list.kind(i), id: list.id(i), mode: list.mode(i), mtimeNs: list.mtimeNs(i), atimeNs: list.atimeNs(i) });
  return out;
}

/** Whether an outside name is still the file it was when journaled, with the size, mtime and mode of node `i` (the copy it stands in for). */
function stillSameFile(o: OutsideName, list: TreeListing, i: number): boolean {
  const s = lstatSync(o.path, { bigint: true, throwIfNoEntry: false });
  if (!s?.isFile() || String(s.dev) !== o.dev || String(s.ino) !== o.ino) return false;
  return Number(s.size) === list.size(i) && Math.abs(Number(s.mtimeMs) - list.mtimeMs(i)) <= MTIME_TOLERANCE_MS && (Number(s.mode) & 0o7777) === list.mode(i);
}

function kindOf(s: Stats | BigIntStats): NodeKind {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isDirectory()) return 'dir';
  if (s.isFile()) return 'file';
  return 'other';
}

/**
 * Tree work (walk, copy of small files, verify, delete) runs as synchronous
 * system calls in slices of at most SLICE_MS, yielding to the event loop in
 * between so progress, signals and the thread-pool copies of big files keep
 * moving. Why not the promise API: the calls are a few microseconds each,
 * and a thread-pool round trip per call (futex wake-ups, epoll, an eventfd
 * write and read) costs several times the call itself. Measured on a
 * 20,000-file tree: 145,000 statx calls came with 555,000 futex and 145,000
 * epoll_pwait calls, and the move took 2.8× `cp -a && rm -rf` (bench/RESULTS.md).
 */
const SLICE_MS = 12;

class Slicer {
  private start = performance.now();
  due(): boolean {
    return performance.now() - this.start >= SLICE_MS;
  }
  yield(): Promise<void> {
    return new Promise((resolve) =>
      setImmediate(() => {
        this.start = performance.now();
        resolve();
      }),
    );
  }
}

/**
 * `root` joined with a walk's relative path (names separated by `/`). On
 * POSIX a plain concatenation: path.join's normalising was a third of the
 * time of walking two 20,000-file trees.
 */
const under =
  process.platform === 'win32'
    ? (root: string, rel: string): string => (rel === '' ? root : path.join(root, rel))
    : (root: string, rel: string): string => (rel === '' ? root : root.endsWith('/') ? root + rel : `${root}/${rel}`);

/**
 * What a walk does besides listing: `stamp` records each node's inode
 * number and change time (the walk's reads can then vouch for a later
 * walk: ctime-vouch.ts); `prior` is such an earlier walk's reads of the
 * same tree, taken instead of reading again for every node they vouch for.
 */
interface WalkReads {
  stamp: boolean;
  prior: VouchedReads | undefined;
}

const READ_ALL: WalkReads = { stamp: false, prior: undefined };

/**
 * One node, by one bigint lstat (never followed): nanosecond times and
 * exact inode numbers (which can exceed 2^53: a double would merge two
 * hard-link groups). With `keeper`, its extended attributes and inode flags
 * too, read unless `reads.prior` vouches for node `at` (the index the walk
 * gives it); with `birth`, its creation time (birth-time.ts).
 */
function lstatNode(full: string, keeper: MetaKeeper | undefined, birth: boolean, at: number, reads: WalkReads): ListedNode {
  let s: BigIntStats;
  try {
    s = lstatSync(full, { bigint: true });
  } catch (err) {
    throw fsError(err, full, 'reading');
  }
  const kind = kindOf(s);
  const nlink = Number(s.nlink);
  const uid = Number(s.uid);
  // The same inode, its ctime unchanged since an earlier walk read it: those reads stand (a null one is read now).
  const vouched = keeper && reads.prior ? reads.prior.at(at, s.dev, s.ino, s.ctimeNs) : undefined;
  const node: ListedNode = {
    kind, size: Number(s.size), blocks: Number(s.blocks), mtimeNs: s.mtimeNs, atimeNs: s.atimeNs, mode: Number(s.mode) & 0o7777, uid, gid: Number(s.gid), nlink,
    id: kind === 'file' && nlink > 1 ? `${s.dev}:${s.ino}` : '',
    linkText: kind === 'symlink' ? readlinkOf(full) : undefined,
    xattrs: keeper && kind !== 'other' ? (vouched?.xattrs ?? keeper.readXattrs(full)) : null,
    flags: keeper ? (vouched?.flags ?? keeper.readFlags(full, kind, uid)) : null,
  };
  if (birth && kind !== 'other') node.birthtimeNs = s.birthtimeNs;
  // The stamp is this lstat's, taken before the reads: a change racing them has a ctime too new to vouch (ctime-vouch.ts).
  if (reads.stamp) {
    node.ino = s.ino;
    node.ctimeNs = s.ctimeNs;
  }
  return node;
}

/**
 * What a walk with a keeper may do with its reads: `stamp` (with the terms
 * for the volume) its nodes so a later walk can reuse them, or reuse
 * `prior`'s. Neither where change times cannot vouch (ctime-vouch.ts).
 */
type ReadReuse = { stamp: VouchOptions } | { prior: VouchedReads | undefined };

/**
 * Lists a tree without entering links; folders before their contents
 * (breadth first, names sorted: see tree-listing.ts). With `keeper`, every
 * node's extended attributes and flags are read too: the walks whose
 * listing is the original side of a copy or a verify; `reuse` says whether
 * those reads are stamped for a later walk or taken from an earlier one.
 * With `birth` (by default where `keeper` keeps creation times), creation
 * times too.
 */
async function walk(root: string, keeper?: MetaKeeper, birth = keeper?.keepsBirthtimes ?? false, reuse?: ReadReuse): Promise<TreeListing> {
  const reads: WalkReads = { ...READ_ALL };
  let vouch: CtimeVouch | undefined;
  if (keeper && reuse && 'stamp' in reuse) {
    // Before the first read: the vouch's margin counts from the walk's start.
    const s = lstatSync(root, { bigint: true, throwIfNoEntry: false });
    vouch = s ? CtimeVouch.forWalk(root, s.dev, reuse.stamp) : undefined;
    reads.stamp = vouch !== undefined;
  } else if (keeper && reuse && 'prior' in reuse && reuse.prior?.vouch.clockSteady()) {
    reads.prior = reuse.prior;
  }
  const out = await walkWith(root, keeper, birth, reads);
  // A wall clock stepped back during this walk could have let an old ctime stand for a new change: every read is made again.
  if (reads.prior && !reads.prior.vouch.clockSteady()) return walkWith(root, keeper, birth, READ_ALL);
  if (vouch) out.vouch = vouch;
  return out;
}

async function walkWith(root: string, keeper: MetaKeeper | undefined, birth: boolean, reads: WalkReads): Promise<TreeListing> {
  const slice = new Slicer();
  const out = new TreeListing();
  const top = out.add(-1, '', lstatNode(root, keeper, birth, 0, reads));
  if (out.kind(top) !== 'dir') return out;
  const fence = DeviceFence.around(root, lstatSync(root).dev);
  // Folders are listed in the order they were found (breadth first): their indices, and their paths alongside.
  const queue: number[] = [top];
  const paths: string[] = [root];
  for (let q = 0; q < queue.length; q++) {
    const at = queue[q]!;
    const dir = paths[q]!;
    // The path of a folder is needed once: dropped as soon as it is listed.
    paths[q] = '';
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      throw fsError(err, dir, 'listing');
    }
    for (const name of names) {
      const full = under(dir, name);
      const i = out.add(at, name, lstatNode(full, keeper, birth, out.length, reads));
      if (out.kind(i) === 'dir') {
        fence.enter(full);
        queue.push(i);
        paths.push(full);
      }
      if (slice.due()) await slice.yield();
    }
  }
  return out;
}

/** readlink, synchronous (see lstatOrNull); errors carry the path. */
function readlinkOf(p: string): string {
  try {
    return readlinkSync(p);
  } catch (err) {
    throw fsError(err, p, 'reading');
  }
}

/** Reads until `buf` is full or the file ends; returns the bytes read. */
function readFull(fd: number, buf: Buffer, p: string): number {
  let n = 0;
  while (n < buf.length) {
    let got: number;
    try {
      got = readSync(fd, buf, n, buf.length - n, null);
    } catch (err) {
      throw fsError(err, p, 'reading');
    }
    if (got === 0) break;
    n += got;
  }
  return n;
}

/**
 * Whether two files hold the same bytes, read chunk by chunk from both and
 * compared (in slices, so the event loop breathes between chunks).
 * `onBytes` hears how many bytes of each side were compared.
 */
async function sameContent(pa: string, pb: string, bufA: Buffer, bufB: Buffer, slice: Slicer, onBytes: (n: number) => void): Promise<boolean> {
  const open1 = (p: string): number => {
    try {
      return openSync(p, 'r');
    } catch (err) {
      throw fsError(err, p, 'reading');
    }
  };
  const fa = open1(pa);
  try {
    const fb = open1(pb);
    try {
      for (;;) {
        const na = readFull(fa, bufA, pa);
        const nb = readFull(fb, bufB, pb);
        if (na !== nb) return false;
        if (na === 0) return true;
        if (bufA.compare(bufB, 0, nb, 0, na) !== 0) return false;
        onBytes(na);
        if (slice.due()) await slice.yield();
        // A short read means both reached their end (readFull stops only there).
        if (na < bufA.length) return true;
      }
    } finally {
      closeSync(fb);
    }
  } finally {
    closeSync(fa);
  }
}

/** Reads until `buf` is full or the file ends, on the thread pool; returns the bytes read. */
async function readFullAsync(fh: FileHandle, buf: Buffer, p: string): Promise<number> {
  let n = 0;
  while (n < buf.length) {
    let got: number;
    try {
      got = (await fh.read(buf, n, buf.length - n, null)).bytesRead;
    } catch (err) {
      throw fsError(err, p, 'reading');
    }
    if (got === 0) break;
    n += got;
  }
  return n;
}

/**
 * Buffers for the big-file compares of one verify: COMPARES_AT_ONCE sets at
 * most, each two pairs of COMPARE_CHUNK, reused from file to file (a set
 * made per file was garbage the collector took its time to find: 220 MiB
 * peak RSS on 1 GiB in 20,000 files, against 85 MiB).
 */
class CompareBuffers {
  private readonly free: (readonly [Buffer, Buffer])[][] = [];
  take(): (readonly [Buffer, Buffer])[] {
    return this.free.pop() ?? [0, 1].map(() => [Buffer.allocUnsafe(COMPARE_CHUNK), Buffer.allocUnsafe(COMPARE_CHUNK)] as const);
  }
  give(set: (readonly [Buffer, Buffer])[]): void {
    this.free.push(set);
  }
}

/**
 * `sameContent` on the thread pool, for a big file: both sides read at once,
 * chunk by chunk, and the next pair of chunks is already being read while
 * this pair is compared on the main thread (two pairs of buffers). A read
 * never outlives the call: an early "different" waits for the read in
 * flight before the files are closed and the buffers given back.
 */
async function sameContentAsync(pa: string, pb: string, pool: CompareBuffers, onBytes: (n: number) => void): Promise<boolean> {
  const [ra, rb] = await Promise.allSettled([open(pa, 'r'), open(pb, 'r')]);
  const bufs = pool.take();
  let pending: Promise<[number, number]> | undefined;
  try {
    if (ra.status === 'rejected') throw fsError(ra.reason, pa, 'reading');
    if (rb.status === 'rejected') throw fsError(rb.reason, pb, 'reading');
    const fa = ra.value;
    const fb = rb.value;
    const readPair = (k: number) => Promise.all([readFullAsync(fa, bufs[k]![0], pa), readFullAsync(fb, bufs[k]![1], pb)]);
    let k = 0;
    let next = readPair(k);
    pending = next;
    for (;;) {
      const [na, nb] = await next;
      pending = undefined;
      const [a, b] = bufs[k]!;
      if (na !== nb) return false;
      if (na === 0) return true;
      const more = na === a.length;
      k ^= 1;
      if (more) pending = next = readPair(k);
      if (a.compare(b, 0, nb, 0, na) !== 0) return false;
      onBytes(na);
      if (!more) return true;
    }
  } finally {
    // Settled, not awaited for its error: the answer (or the first error) is already decided.
    if (pending) await pending.catch(() => undefined);
    pool.give(bufs);
    if (ra.status === 'fulfilled') await ra.value.close();
    if (rb.status === 'fulfilled') await rb.value.close();
  }
}

/**
 * Whether the node at `rel` under `root` is no longer what its listing
 * said (gone, new, another kind, another size or modification time): the
 * original changing under relocate, rather than a bad copy.
 */
function changedSince(root: string, rel: string, listed: { list: TreeListing; at: number } | undefined): boolean {
  let now: Stats | undefined;
  try {
    now = lstatSync(rel === '' ? root : path.join(root, rel), { throwIfNoEntry: false });
  } catch {
    return false;
  }
  if (!listed || !now) return (listed === undefined) !== (now === undefined);
  const { list, at } = listed;
  const kind = now.isDirectory() ? 'dir' : now.isFile() ? 'file' : now.isSymbolicLink() ? 'symlink' : 'other';
  if (kind !== list.kind(at)) return true;
  if (kind === 'dir') return Math.abs(now.mtimeMs - list.mtimeMs(at)) > MTIME_TOLERANCE_MS;
  return kind === 'file' && (now.size !== list.size(at) || Math.abs(now.mtimeMs - list.mtimeMs(at)) > MTIME_TOLERANCE_MS);
}

function describeDiff(rel: string, what: string): string {
  return `${rel === '' ? '(the top)' : rel}: ${what}`;
}

export class NodeFs implements FsPort {
  /** Set when the native no-replace rename is not in use, for --verbose. */
  fallbackNote?: string;

  private keeperLoaded?: MetaKeeper;
  /** Folders whose copies went to a volume that keeps no modes or owners (permissionsHeldIn), for --verbose. */
  private readonly modelessVolumes = new Set<string>();
  /** Folders whose copies went to a volume that holds no creation times the keeper sets (birth-time.ts), for --verbose. */
  private readonly birthlessVolumes = new Set<string>();

  /**
   * `keeper`: what copies keep, by default this platform's (MetaKeeper.load); a test gives one over fake calls.
   * `vouch`: a test's terms for reusing reads (a shorter margin, a clock that steps: ctime-vouch.ts).
   */
  constructor(
    keeper?: MetaKeeper,
    private readonly vouch: VouchOptions = {},
  ) {
    this.keeperLoaded = keeper;
  }

  /** What copies keep besides bytes (src/platform/keep-meta.ts), loaded once. */
  private async keeper(): Promise<MetaKeeper> {
    this.keeperLoaded ??= await MetaKeeper.load(fsError);
    return this.keeperLoaded;
  }

  /** What the copies of this process could not keep (microsecond times, attributes, others' ownership), for --verbose; undefined when nothing. */
  get keepNote(): string | undefined {
    const notes = this.keeperLoaded?.notes() ?? [];
    for (const v of this.modelessVolumes) notes.push(`the volume of ${v} keeps no permission bits or owners (FAT, exFAT, NTFS through ntfs-3g; on Windows FAT and exFAT keep no ACLs): the copies there have the volume's own, and the verify compared everything else`);
    for (const v of this.birthlessVolumes) notes.push(`the volume of ${v} does not hold the creation times relocate sets (FAT keeps 10 ms, Wine none): the copies there have the volume's own, and the verify compared everything else`);
    return notes.length > 0 ? notes.join('; ') : undefined;
  }

  /**
   * Listings of trees this process has just walked, by the root's identity
   * (`dev:ino`, which a rename keeps), each handed out once, so a
   * cross-volume move walks each side once instead of six times:
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
   * walks everything, as any call without a listing does.
   *
   * `forReuse` is not a listing: it is copyTree's reads of the original's
   * extended attributes and inode flags, each stamped with the node's inode
   * number and change time (tree-listing.ts `VouchedReads`). The verify
   * before the delete walks the original fresh, as above, but takes those
   * reads for every node whose stamp still matches instead of reading
   * again (ctime-vouch.ts says why a matching stamp proves nothing
   * changed, and where stamps are not made at all).
   */
  private readonly forVerify = new Map<string, TreeListing>();
  private readonly forSnapshot = new Map<string, TreeListing>();
  private readonly forReuse = new Map<string, VouchedReads>();

  private static keep<T>(into: Map<string, T>, root: string, nodes: T): void {
    const id = rootIdentity(root);
    if (id) into.set(id, nodes);
  }

  private static take<T>(from: Map<string, T>, root: string): T | undefined {
    const id = rootIdentity(root);
    const nodes = id === undefined ? undefined : from.get(id);
    if (nodes) from.delete(id!);
    return nodes;
  }

  async lstat(p: string): Promise<NodeInfo | null> {
    const s = await lstatOrNull(p);
    if (!s) return null;
    const kind = kindOf(s);
    const info: NodeInfo = { kind, dev: String(s.dev), ino: String(s.ino) };
    // statfs follows links: a symlink's file system is its folder's.
    const fsid = await this.fsidOf(info.dev, kind === 'symlink' ? path.dirname(p) : p);
    if (fsid) info.fsid = fsid;
    if (kind === 'symlink') {
      // Windows: Node calls junctions (and other reparse points) symbolic links; the reparse tag tells.
      const probed = process.platform === 'win32' ? await (await windowsLinkProbe())?.(p) : undefined;
      if (probed) info.kind = probed.kind;
      if (info.kind !== 'other') info.linkText = probed?.target ?? readlinkOf(p);
    }
    return info;
  }

  /** f_fsid by device, asked once per device: a device names one mounted file system while it is mounted. */
  private readonly fsids = new Map<string, string | undefined>();

  private async fsidOf(dev: string, p: string): Promise<string | undefined> {
    if (this.fsids.has(dev)) return this.fsids.get(dev);
    const fsid = (await nativeFsid())?.(p);
    this.fsids.set(dev, fsid);
    return fsid;
  }

  async missingDirs(p: string): Promise<string[]> {
    const missing: string[] = [];
    for (let cur = p; ; cur = path.dirname(cur)) {
      const s = await lstatOrNull(cur);
      if (s) {
        if (!s.isDirectory()) throw new RelocateError('E_EXISTS', `${cur} is not a folder, so ${p} cannot be created`, { path: cur, hint: 'move it away, or choose another target' });
        break;
      }
      missing.unshift(cur);
      if (path.dirname(cur) === cur) break;
    }
    return missing;
  }

  async mkdirs(p: string): Promise<string[]> {
    const missing = await this.missingDirs(p);
    for (const d of missing) {
      try {
        mkdirSync(d);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(err, d, 'creating the folder');
      }
    }
    // Each new level's name lives in the folder above it: every one of those folders is synced, not only the first.
    for (const d of missing) await this.syncDir(path.dirname(d));
    return missing;
  }

  async rmdirIfEmpty(p: string): Promise<boolean> {
    try {
      await rmdir(p);
      // Durable before the journal says the undo is done, or a power cut brings the empty folder back.
      await this.syncDir(path.dirname(p));
      return true;
    } catch (err) {
      if (err instanceof RelocateError) throw err;
      const c = (err as NodeJS.ErrnoException).code;
      if (c === 'ENOENT' || c === 'ENOTEMPTY' || c === 'EEXIST') return false;
      throw fsError(err, p, 'removing the folder');
    }
  }

  async renameNoReplace(from: string, to: string): Promise<void> {
    if (process.platform === 'win32') {
      // MoveFileExW without MOVEFILE_REPLACE_EXISTING: no-clobber in one step, retried while antivirus holds a file.
      const move = await windowsMoveNoReplace();
      if (move) {
        const r = await move(from, to);
        if (r.ok) return this.syncRenamed(from, to);
        const errno = errnoOfWinError(r.winError);
        if (errno === 'EEXIST') throw new RelocateError('E_EXISTS', `cannot move ${from} to ${to}: something is already there`, { path: to, hint: HINTS.E_EXISTS! });
        throw windowsMoveError(Object.assign(new Error(`Windows error ${r.winError}`), { code: errno }), from, to, r.attempts);
      }
      this.fallbackNote = `no MoveFileExW (${win32UnavailableReason()}); using check-then-rename under the lock`;
    } else {
      const native = await nativeRenameNoReplace();
      if (native) {
        const r = native(from, to);
        if (r.ok) return this.syncRenamed(from, to);
        if (!isUnsupportedErrno(r.errno)) {
          if (r.errno === 17) throw new RelocateError('E_EXISTS', `cannot move ${from} to ${to}: something is already there`, { path: to, hint: HINTS.E_EXISTS! });
          throw fsError(Object.assign(new Error(`errno ${r.errno}`), { code: errnoName(r.errno) }), from, `moving to ${to}:`);
        }
        this.fallbackNote = `the filesystem refused renameat2(RENAME_NOREPLACE); using check-then-rename under the lock`;
      } else {
        this.fallbackNote = `${nativeRenameUnavailableReason()}; using check-then-rename under the lock`;
      }
    }
    // Portable path: relocate holds the state lock, so only another program could race this check.
    if (await lstatOrNull(to)) throw new RelocateError('E_EXISTS', `cannot move ${from} to ${to}: something is already there`, { path: to, hint: HINTS.E_EXISTS! });
    for (let attempt = 0; ; attempt++) {
      try {
        await rename(from, to);
        break;
      } catch (err) {
        if (process.platform !== 'win32') throw fsError(err, from, `moving to ${to}:`);
        if (TRANSIENT_ERRNO.has((err as NodeJS.ErrnoException).code ?? '') && attempt < RETRY_DELAYS_MS.length) {
          await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
          continue;
        }
        throw windowsMoveError(err, from, to, attempt + 1);
      }
    }
    await this.syncRenamed(from, to);
  }

  /**
   * A rename changes two folders: the name is added to one and taken from
   * the other. Both are fsync'd (the destination first), or after a power
   * cut the old name may come back beside the new one, or neither be there.
   */
  private async syncRenamed(from: string, to: string): Promise<void> {
    await this.syncDir(path.dirname(to));
    if (path.dirname(from) !== path.dirname(to)) await this.syncDir(path.dirname(from));
  }

  async treeBytes(p: string): Promise<number> {
    const seen = new Set<string>();
    let bytes = 0;
    const list = await walk(p);
    for (let i = 0; i < list.length; i++) {
      if (list.kind(i) !== 'file') continue;
      if (list.nlink(i) > 1) {
        if (seen.has(list.id(i))) continue;
        seen.add(list.id(i));
      }
      bytes += list.size(i);
    }
    return bytes;
  }

  async copyTree(from: string, to: string, progress?: ProgressFn, onRoot?: RootMadeFn, reuse?: readonly OutsideName[]): Promise<void> {
    if (await lstatOrNull(to)) throw new RelocateError('E_EXISTS', `cannot copy to ${to}: something is already there`, { path: to, hint: HINTS.E_EXISTS! });
    // The root's identity is reported the moment it exists, before anything is written into it (see RootMadeFn).
    const rootMade = async () => {
      const root = onRoot ? await this.lstat(to) : null;
      if (root) onRoot!(root);
    };
    this.forVerify.clear();
    this.forSnapshot.clear();
    this.forReuse.clear();
    const keeper = await this.keeper();
    const nodes = await walk(from, keeper, undefined, { stamp: this.vouch });
    const outsideByRel = reuse && reuse.length > 0 ? new Map(reuse.map((r) => [r.rel, r])) : undefined;
    let done = 0;
    const firstCopyOf = new Map<string, string>();
    // Nodes by index into the listing (see tree-listing.ts).
    const dirs: number[] = [];
    const files: number[] = [];
    for (let i = 0; i < nodes.length; i++) (nodes.kind(i) === 'dir' ? dirs : files).push(i);
    const dest = (i: number) => under(to, nodes.rel(i));
    const src = (i: number) => under(from, nodes.rel(i));
    const slice = new Slicer();
    // What the nodes made here get without being told (owner, inherited ACL entries): asked once for the whole copy.
    const holder = path.dirname(to);
    const made: MadeAs = { owner: keeper.newOwnerUnder(holder), mustChmod: false, stripAcl: keeper.inheritsAcl(holder), stripFlags: keeper.inheritsFlags(holder) };
    const seek = process.platform === 'linux' ? await nativeSeekExtent() : null;
    // The flush is opened before the first byte is written, so it hears of every write-back error of the copy (copy-flush.ts).
    const how = await durabilityWay(holder);
    const flush = how.way === 'syncfs' ? await CopyFlush.open(holder).catch(() => undefined) : undefined;
    try {
      // Folders first (parents before children), writable while filling; their modes and times are set last.
      for (const d of dirs) {
        try {
          mkdirSync(dest(d), { mode: 0o700 });
        } catch (err) {
          throw caseTwinError(err, src(d), dest(d), to) ?? fsError(err, dest(d), 'creating the folder');
        }
        if (d === 0) await rootMade();
        if (slice.due()) await slice.yield();
      }
      // A file root is created empty (and reported) first, then filled: it is relocate's own from its first byte.
      const fileRoot = nodes.length > 0 && nodes.kind(0) === 'file' && onRoot !== undefined;
      if (fileRoot) {
        try {
          closeSync(openSync(to, 'wx', 0o600));
        } catch (err) {
          throw fsError(err, to, 'creating the file');
        }
        await rootMade();
      }
      // Hard links inside the tree stay hard links: the first name is copied, the others linked to it.
      const linked: number[] = [];
      const plain: number[] = [];
      for (const f of files) {
        if (nodes.kind(f) === 'file' && nodes.nlink(f) > 1) {
          const id = nodes.id(f);
          if (firstCopyOf.has(id)) {
            linked.push(f);
            continue;
          }
          firstCopyOf.set(id, dest(f));
        }
        plain.push(f);
      }
      // One copyFile call per file on the thread pool, COPY_CONCURRENCY at once, so both CPUs and the
      // disks stay busy; the sizes of the copies in flight are polled so progress moves during a big file.
      const inFlight = new Set<string>();
      const poll = progress
        ? setInterval(() => {
            void Promise.all([...inFlight].map((p) => stat(p).then((x) => x.size, () => 0))).then((sizes) => progress(done + sizes.reduce((a, b) => a + b, 0)));
          }, PROGRESS_POLL_MS)
        : undefined;
      let reported = performance.now();
      try {
        await eachLimited(plain, COPY_CONCURRENCY, async (f) => {
          const s = src(f);
          const d = dest(f);
          const kind = nodes.kind(f);
          try {
            if (kind === 'symlink') {
              symlinkSync(nodes.linkText(f)!, d, process.platform === 'win32' ? await symlinkType(s) : undefined);
              if (f === 0) await rootMade();
              // The link's own owner, attributes and times (never its target's).
              keeper.apply(d, nodes.meta(f), made, s);
            } else if (kind === 'file') {
              const size = nodes.size(f);
              const outside = outsideByRel?.get(nodes.rel(f));
              if (outside && stillSameFile(outside, nodes, f)) {
                // The same outside file as before the move (identity, size, mtime, mode): linked, not copied.
                linkSync(outside.path, d);
                done += size;
                return;
              }
              const meta = nodes.meta(f);
              inFlight.add(d);
              // Only the file root, made empty just above, is written over; any other name must be new.
              let overwrite = fileRoot && f === 0;
              if (keeper.wantsFlagsBeforeData(meta)) {
                // No-COW and compression act only on bytes written after them: the copy is made empty, flagged, then filled.
                if (!overwrite) closeSync(openSync(d, 'wx', 0o600));
                overwrite = true;
                keeper.setFlagsBeforeData(d, meta);
              }
              // A file with holes is copied extent by extent so the copy keeps them (made 0600: its mode is set below).
              const sparse = seek !== null && nodes.holey(f) && (await copySparse(s, d, size, seek, overwrite, () => undefined).finally(() => inFlight.delete(d)));
              if (!sparse) await copyFile(s, d, overwrite ? 0 : C.COPYFILE_EXCL).finally(() => inFlight.delete(d));
              // copyFile creates the copy with the original's mode (libuv fchmods it before writing). Writing can clear
              // set-user-ID and set-group-ID bits, a chown clears them too, and Windows maps modes to attributes: the
              // keeper sets the mode again where it must, after the owner; verify compares every mode before anything is deleted.
              // Short synchronous calls: made here on the main thread rather than as more thread-pool round trips.
              keeper.apply(d, meta, sparse ? { ...made, mustChmod: true } : made, s);
              done += size;
              if (progress && performance.now() - reported >= PROGRESS_EVERY_MS) {
                reported = performance.now();
                progress(done);
              }
            } else {
              throw new RelocateError('E_UNSUPPORTED_NODE', `${s} is a device, socket or pipe, which relocate does not copy`, { path: s, hint: 'move it out of the folder first' });
            }
          } catch (err) {
            const twin = caseTwinError(err, s, d, to);
            if (twin) throw twin;
            if (kind === 'file' && !(err instanceof RelocateError)) {
              // Name the side that failed: an unreadable original is the file the user has to deal with.
              const unreadable = await access(s, C.R_OK).then(() => false, () => true);
              throw fsError(err, unreadable ? s : d, unreadable ? 'reading' : `copying ${s} to`);
            }
            throw fsError(err, d, kind === 'symlink' ? 'creating the link' : 'copying to');
          }
        });
      } finally {
        if (poll) clearInterval(poll);
      }
      progress?.(done);
      for (const f of linked) {
        try {
          linkSync(firstCopyOf.get(nodes.id(f))!, dest(f));
        } catch (err) {
          throw caseTwinError(err, src(f), dest(f), to) ?? fsError(err, dest(f), 'creating the hard link');
        }
      }
      // Deepest first, each after its content: owner, attributes (a default ACL set earlier would have been
      // inherited by the copies inside), mode, times.
      const dirMade: MadeAs = { ...made, mustChmod: true };
      for (let k = dirs.length - 1; k >= 0; k--) keeper.apply(dest(dirs[k]!), nodes.meta(dirs[k]!), dirMade, src(dirs[k]!));
      await this.syncCopy(to, () => ({ files: plain.filter((f) => nodes.kind(f) === 'file').map(dest), dirs: dirs.map(dest) }), { how, flush });
    } finally {
      flush?.close();
    }
    NodeFs.keep(this.forVerify, from, nodes);
    const reads = nodes.vouchedReads();
    if (reads) NodeFs.keep(this.forReuse, from, reads);
  }

  /**
   * Makes the whole copy durable — every file's data and metadata, every
   * folder's entries, the copy's own name in its parent — so a power cut
   * after "verified" cannot lose it. Where the volume is known to honour
   * syncfs (src/platform/durability.ts: ext4, xfs, btrfs, f2fs, tmpfs) one
   * syncfs(2) does it, in one journal commit instead of one fsync per file;
   * its error, a failed write-back, fails the copy. Everywhere else (FUSE,
   * network and unknown file systems, no koffi, a kernel before 5.8, macOS)
   * every file is fsync'd, then every folder deepest first, then the root's
   * parent: fsync of a file does not make its name durable. Windows flushes
   * each file; NTFS journals folder entries itself. `paths` gives the
   * copied regular files' paths and the copied folders' (parents first),
   * asked only where they are synced one by one: a million paths are some
   * 100 MB that one syncfs never reads (bench/RESULTS.md, "Reads reused").
   */
  private async syncCopy(root: string, paths: () => { files: readonly string[]; dirs: readonly string[] }, asked?: { how: Durability; flush: CopyFlush | undefined }): Promise<void> {
    const holder = path.dirname(root);
    // The caller's answer where it asked before copying (one statfs per copy, not two).
    const how = asked?.how ?? (await durabilityWay(holder));
    const early = asked?.flush;
    this.durabilityNotes.set(holder, how.why);
    if (how.way === 'syncfs') {
      // The folder holding the copy: same filesystem, and never a link (a copied root may be a broken symlink).
      // Opened before the copy began where the caller could (copy-flush.ts): then no write-back error of the copy escapes it.
      const flush = early ?? (await CopyFlush.open(holder));
      try {
        const r = flush.flush();
        if (!r.ok) throw fsError(Object.assign(new Error(`errno ${r.errno}`), { code: errnoName(r.errno) }), root, 'flushing the copy to disk:');
      } finally {
        if (!early) flush.close();
      }
      return;
    }
    const { files, dirs } = paths();
    await eachLimited([...files], CONCURRENCY, async (p) => {
      // Windows flushes only through a handle open for writing (FlushFileBuffers); a copy whose
      // read-only attribute was already set cannot be opened so, and NTFS then relies on its journal.
      if (process.platform === 'win32') {
        const wh = await open(p, 'r+').catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'EPERM' || err.code === 'EACCES') return undefined;
          throw err;
        });
        if (wh) await wh.sync().finally(() => wh.close());
        return;
      }
      const fh = await open(p, C.O_RDONLY | C.O_NOFOLLOW);
      try {
        await fh.sync();
      } catch (err) {
        throw fsError(err, p, 'flushing the copy to disk:');
      } finally {
        await fh.close();
      }
    });
    // Folders deepest first (children's names, links and hard links included), then the root's own name.
    const slice = new Slicer();
    for (const d of dirs.slice().reverse()) {
      try {
        fsyncDirSync(d);
      } catch (err) {
        throw fsError(err, d, 'flushing the copy to disk:');
      }
      if (slice.due()) await slice.yield();
    }
    await this.syncDir(holder);
  }

  /** How each volume copied to was made durable, by the folder the copies went into (for --verbose). */
  private readonly durabilityNotes = new Map<string, string>();

  /** One line per volume copied to: how the copy was made durable there. */
  get durabilityNote(): string | undefined {
    if (this.durabilityNotes.size === 0) return undefined;
    return [...this.durabilityNotes].map(([dir, why]) => `the copy into ${dir} was made durable by ${why}`).join('; ');
  }

  async verify(original: string, copy: string, mode: VerifyMode, subset: boolean, progress?: ProgressFn): Promise<void> {
    // One after the other: a walk on a second thread (worker_threads) took as long again per walk on
    // this busy 2-CPU machine, so the two walks at once saved nothing.
    // Subset checks (a merge) compare contents only: they walk both sides, as before.
    this.forSnapshot.clear();
    const keeper = await this.keeper();
    // Times are compared as finely as the copy's file system keeps them (a FUSE or FAT target keeps less than ns).
    const grain = subset ? 1n : await timeGrainNs(copy, (probe, ns) => keeper.setTimes(probe, { kind: 'file', atimeNs: ns, mtimeNs: ns }));
    // Modes and owners (Windows: security descriptors) are compared where the copy's volume keeps them (FAT, exFAT and
    // ntfs-3g keep neither).
    const modes = subset || keeper.permissionsHeldIn(path.dirname(copy));
    if (!modes) this.modelessVolumes.add(path.dirname(copy));
    // Creation times likewise, where the keeper sets them (Windows): compared where the copy's volume holds them.
    const births = !subset && keeper.birthTimesKeptIn(path.dirname(copy));
    if (!subset && keeper.keepsBirthtimes && !births) this.birthlessVolumes.add(path.dirname(copy));
    const cachedA = subset ? undefined : NodeFs.take(this.forVerify, original);
    const cachedB = subset || cachedA ? undefined : NodeFs.take(this.forVerify, copy);
    // The original's attributes are read with its listing (or taken from copyTree's reads where a node's stamp vouches
    // for them: forReuse); the copy's only where the original has some (see below).
    const a = cachedA ?? (await walk(original, subset ? undefined : keeper, undefined, subset ? undefined : { prior: NodeFs.take(this.forReuse, original) }));
    const b = cachedB ?? (await walk(copy, undefined, births));
    // `listed`: the original's node at `rel` in `a`, or undefined when `a` lacks it (an extra node in the copy).
    const fail = (what: string, rel: string, listed: number | undefined): never => {
      // Which side moved: a copy side taken from the first verify was equal to the original then, so a difference
      // now is the original changing; otherwise the original is looked at again against the listing compared.
      if (cachedB !== undefined || changedSince(original, rel, listed === undefined ? undefined : { list: a, at: listed })) {
        throw new RelocateError('E_VERIFY', `files in ${original} changed while relocate moved them (${describeDiff(rel, what)}): a program is writing there`, {
          path: rel === '' ? original : path.join(original, rel),
          hint: 'nothing was deleted: the original keeps every change. Close the programs that use this folder (`lsof +D` or Resource Monitor names them), then run again',
        });
      }
      throw new RelocateError('E_VERIFY', `the copy ${copy} does not match ${original}: ${describeDiff(rel, what)}`, {
        path: rel === '' ? copy : path.join(copy, rel),
        hint: 'nothing was deleted; the original is intact. Check the destination disk, then run again',
      });
    };
    // Node i of `a` is node i of `b` when both list the same names in the same folders (equal trees walked
    // alike: tree-listing.ts); otherwise (a subset, a copy that differs) nodes are paired by relative path.
    const byRel = subset || !a.sameShape(b) ? b.byRel() : undefined;
    // Files to compare by content: indices into `a`, and their partners in `b`.
    const toCompare: number[] = [];
    for (let i = 0; i < a.length; i++) {
      const kind = a.kind(i);
      const rel = a.rel(i);
      const j = byRel ? byRel.get(rel) : i;
      if (subset && kind === 'dir') {
        if (j !== undefined && b.kind(j) !== 'dir') fail('a folder on one side, not on the other', rel, i);
        continue;
      }
      if (j === undefined) return fail('missing in the copy', rel, i);
      const copyKind = b.kind(j);
      if (copyKind !== kind) fail(`a ${kind} became a ${copyKind}`, rel, i);
      if (kind === 'symlink') {
        if (a.linkText(i) !== b.linkText(j)) fail(`the link text differs (${a.linkText(i)} vs ${b.linkText(j)})`, rel, i);
      }
      if (kind === 'file') {
        if (a.size(i) !== b.size(j)) fail(`size ${a.size(i)} vs ${b.size(j)}`, rel, i);
        if (mode === 'content' || subset) toCompare.push(i, j);
      }
      if (subset) continue;
      if (modes && kind !== 'symlink' && process.platform !== 'win32' && a.mode(i) !== b.mode(j)) fail(`mode ${a.mode(i).toString(8)} vs ${b.mode(j).toString(8)}`, rel, i);
      // Owner, mtime and attributes (keep-meta.ts). The copy's attributes are read here, only for nodes whose original
      // has some, and kept in its listing for the verify that reuses it; an original listed without them is read too.
      if (a.xattrs(i) === null) a.setXattrs(i, keeper.readXattrs(under(original, rel)));
      if (a.flags(i) === null) a.setFlags(i, keeper.readFlags(under(original, rel), kind, a.uid(i)));
      const readCopy = {
        xattrs: () => {
          const x = keeper.readXattrs(under(copy, rel));
          b.setXattrs(j, x);
          return x;
        },
        flags: () => {
          const f = keeper.readFlags(under(copy, rel), copyKind, b.uid(j));
          b.setFlags(j, f);
          return f;
        },
      };
      const m = b.meta(j);
      const lost = keeper.lost(a.meta(i), modes ? m : { ...m, uid: a.uid(i), gid: a.gid(i) }, readCopy, grain, births, modes);
      if (lost) fail(lost, rel, i);
    }
    if (!subset && a.length !== b.length) {
      const names = a.byRel();
      let extra = '';
      for (let j = 0; j < b.length; j++) {
        if (!names.has(b.rel(j))) {
          extra = b.rel(j);
          break;
        }
      }
      fail('extra in the copy', extra, undefined);
    }
    // Content: both sides are read and compared byte for byte, which is stricter than comparing
    // hashes (no collision can hide a difference) and leaves the CPU to the reading. Small files are
    // compared here in slices; big ones (most of the bytes) on the thread pool meanwhile, so the CPUs share the reading.
    const slice = new Slicer();
    const bufA = Buffer.allocUnsafe(COMPARE_CHUNK);
    const bufB = Buffer.allocUnsafe(COMPARE_CHUNK);
    let done = 0;
    let reported = performance.now();
    const onBytes = (n: number) => {
      done += n;
      if (progress && performance.now() - reported >= PROGRESS_EVERY_MS) {
        reported = performance.now();
        progress(done);
      }
    };
    const big = new Set<Promise<void>>();
    const buffers = new CompareBuffers();
    let failed: { rel: string; at: number } | { err: unknown } | undefined;
    // Sparse files (either side) are compared where either has data (sparse-copy.ts): holes on both sides are equal zeros.
    const seek = toCompare.length > 0 && process.platform === 'linux' ? await nativeSeekExtent() : null;
    const bigCompare = async (pa: string, pb: string, i: number, j: number): Promise<boolean> => {
      if (seek && (a.holey(i) || b.holey(j))) {
        const same = await sameSparseContent(pa, pb, a.size(i), seek, onBytes).catch((err: unknown) => {
          throw fsError(err, (err as NodeJS.ErrnoException)?.path ?? pa, 'reading');
        });
        if (same !== null) return same;
      }
      return sameContentAsync(pa, pb, buffers, onBytes);
    };
    for (let k = 0; k < toCompare.length; k += 2) {
      if (failed) break;
      const i = toCompare[k]!;
      const j = toCompare[k + 1]!;
      const rel = a.rel(i);
      const size = a.size(i);
      const pa = under(original, rel);
      const pb = under(copy, rel);
      if (size >= BIG_COMPARE) {
        while (big.size >= COMPARES_AT_ONCE) await Promise.race(big);
        const p: Promise<void> = bigCompare(pa, pb, i, j)
          .then(
            (same) => {
              if (!same) failed ??= { rel, at: i };
            },
            (err: unknown) => {
              failed ??= { err };
            },
          )
          .finally(() => big.delete(p));
        big.add(p);
      } else {
        try {
          if (!(await sameContent(pa, pb, bufA, bufB, slice, onBytes))) failed ??= { rel, at: i };
        } catch (err) {
          failed ??= { err };
        }
      }
      if (slice.due()) await slice.yield();
    }
    await Promise.all(big);
    if (failed) {
      if ('err' in failed) throw failed.err;
      fail('the content differs', failed.rel, failed.at);
    }
    progress?.(done);
    // What was walked fresh and verified is what the next step may reuse (see `forVerify`).
    if (!subset) {
      if (!cachedB) NodeFs.keep(this.forVerify, copy, b);
      if (!cachedA) NodeFs.keep(this.forSnapshot, original, a);
    }
  }

  async snapshot(root: string): Promise<NodeMeta[]> {
    const keeper = await this.keeper();
    const list = NodeFs.take(this.forSnapshot, root) ?? (await walk(root, keeper));
    const out: NodeMeta[] = [];
    for (let i = 0; i < list.length; i++) if (list.kind(i) !== 'other') out.push(snapshotNodeOf(list, i, process.platform !== 'win32'));
    return out;
  }

  async snapshotNames(root: string): Promise<Iterable<string>> {
    // The names `snapshot` would list, sorted, made one at a time from the listing (tree-listing.ts).
    const list = NodeFs.take(this.forSnapshot, root) ?? (await walk(root));
    return list.sortedRels();
  }

  async restoreSnapshot(fromRoot: string, toRoot: string, nodes: NodeMeta[]): Promise<void> {
    for (const n of nodes) {
      const d = n.rel === '' ? toRoot : path.join(toRoot, ...n.rel.split('/'));
      if (n.kind === 'dir') {
        // The root folder is made by the caller.
        if (n.rel === '') continue;
        await mkdir(d).catch((err) => {
          throw fsError(err, d, 'creating the folder');
        });
      } else {
        await this.copyTree(n.rel === '' ? fromRoot : path.join(fromRoot, ...n.rel.split('/')), d);
        // The copy carries the twin's owner, attributes, mode and times; the snapshot's are the original's.
        await this.keepSnapshotMeta(d, n);
      }
    }
    // Folders last: creating their contents changed their times.
    const dirs = nodes.filter((x) => x.kind === 'dir');
    for (const n of dirs.slice().reverse()) await this.keepSnapshotMeta(n.rel === '' ? toRoot : path.join(toRoot, ...n.rel.split('/')), n);
    // The modes, owners and times just set are the inodes' own: durable (with the names) before the undo is called done.
    const at = (n: NodeMeta) => (n.rel === '' ? toRoot : path.join(toRoot, ...n.rel.split('/')));
    await this.syncCopy(toRoot, () => ({ files: nodes.filter((x) => x.kind === 'file').map(at), dirs: dirs.map(at) }));
  }

  /**
   * Gives a restored node what its snapshot recorded (keep-meta.ts order;
   * snapshot-meta.ts): attributes the node has and the snapshot lacks (the
   * twin's, or inherited from a default ACL) are removed first, and recorded
   * inode flags are set exactly (the twin's or the parent's are taken away).
   * A field an older journal lacks leaves the node's own.
   */
  private async keepSnapshotMeta(p: string, n: NodeMeta): Promise<void> {
    const keeper = await this.keeper();
    const now = lstatSync(p, { bigint: true });
    const want = keptMetaOfSnapshot(n, now, keeper.keepsXattrs);
    if (want.xattrs !== null) keeper.removeOthers(p, want.xattrs);
    keeper.apply(p, want, { owner: { uid: Number(now.uid), gid: Number(now.gid) }, mustChmod: n.kind !== 'symlink', stripAcl: false, stripFlags: want.flags !== null });
  }

  async outsideNames(root: string): Promise<OutsideNames> {
    // The verify just before a delete walked this tree fresh (see forVerify): its listing is reused, not taken.
    const id = rootIdentity(root);
    const list = (id !== undefined ? this.forSnapshot.get(id) : undefined) ?? (await walk(root));
    // Only files with more than one name can have one outside.
    const shared: ListedFile[] = [];
    for (let i = 0; i < list.length; i++) if (list.kind(i) === 'file' && list.nlink(i) > 1) shared.push({ rel: list.rel(i), kind: 'file', id: list.id(i), nlink: list.nlink(i) });
    const slice = new Slicer();
    return findOutsideNames(root, shared, () => (slice.due() ? slice.yield() : undefined));
  }

  async restoreMissing(twin: string, root: string, reuse?: readonly OutsideName[]): Promise<number> {
    this.forVerify.clear();
    this.forSnapshot.clear();
    this.forReuse.clear();
    // An undo path, over what a crash left: the listings as one object per node, which this logic reads best.
    const [want, have] = [nodesOf(await walk(twin)), nodesOf(await walk(root))];
    if (have[0]?.kind !== 'dir' || want[0]?.kind !== 'dir') {
      throw new RelocateError('E_INCONSISTENT', `${root} is not a folder like ${twin}, so its missing files cannot be put back`, { path: root, hint: 'inspect both paths by hand; relocate changed nothing more' });
    }
    const present = new Set(have.map((n) => n.rel));
    // Each missing node's top: the outermost missing node above it (itself when its folder is there). The walk
    // lists parents first. Only tops are copied (their insides come along), each beside its place, then renamed in.
    const topOf = new Map<string, string>();
    const tops: ListedObject[] = [];
    const sharedUnder = new Map<string, ListedObject[]>();
    for (const n of want) {
      if (present.has(n.rel)) continue;
      const cut = n.rel.lastIndexOf('/');
      const top = (cut < 0 ? undefined : topOf.get(n.rel.slice(0, cut))) ?? n.rel;
      topOf.set(n.rel, top);
      if (top === n.rel) tops.push(n);
      if (n.kind === 'file' && n.id !== '') sharedUnder.set(top, [...(sharedUnder.get(top) ?? []), n]);
    }
    // Files with several names (by the twin's identity): where one of their names is in `root` now, still
    // there or put back, so every other name comes back as a hard link of it, as before the delete.
    const nameOf = new Map<string, string>();
    for (const n of want) if (n.kind === 'file' && n.id !== '' && present.has(n.rel) && !nameOf.has(n.id)) nameOf.set(n.id, under(root, n.rel));
    const outsideUnder = new Map<string, OutsideName[]>();
    for (const r of reuse ?? []) {
      const top = topOf.get(r.rel);
      if (top !== undefined) outsideUnder.set(top, [...(outsideUnder.get(top) ?? []), r]);
    }
    let restored = 0;
    for (const t of tops) {
      const dest = under(root, t.rel);
      const staging = stagingName(dest, 'undo');
      if (lstatSync(staging, { throwIfNoEntry: false })) await this.deleteTree(staging);
      // A name inside the tree wins over an outside one: it is the same data either way when both hold.
      const links: OutsideName[] = [...(outsideUnder.get(t.rel) ?? [])];
      for (const f of sharedUnder.get(t.rel) ?? []) {
        const at = nameOf.get(f.id);
        const s = at === undefined ? undefined : lstatSync(at, { bigint: true, throwIfNoEntry: false });
        if (at !== undefined && s) links.push({ rel: f.rel, path: at, dev: String(s.dev), ino: String(s.ino) });
      }
      const rebased = links.map((r) => ({ ...r, rel: r.rel === t.rel ? '' : r.rel.slice(t.rel.length + 1) }));
      await this.copyTree(under(twin, t.rel), staging, undefined, undefined, rebased);
      await this.renameNoReplace(staging, dest);
      for (const f of sharedUnder.get(t.rel) ?? []) if (!nameOf.has(f.id)) nameOf.set(f.id, under(root, f.rel));
      restored++;
    }
    // Folders that lost entries got new times; the twin kept the original's (the copy preserved them). Deepest
    // first, and only where they differ: a flagged folder (immutable, append-only) lost nothing and refuses changes.
    const keeper = await this.keeper();
    for (const n of want.filter((x) => x.kind === 'dir' && present.has(x.rel)).reverse()) {
      const d = under(root, n.rel);
      const now = lstatSync(d, { bigint: true });
      try {
        if ((Number(now.mode) & 0o7777) !== n.mode) chmodSync(d, n.mode);
      } catch (err) {
        throw fsError(err, d, 'setting the mode of');
      }
      if (now.mtimeNs !== n.mtimeNs) keeper.setTimes(d, n);
      // A folder's mode and times are its own inode's: only an fsync of it (or syncfs) makes them durable.
      if ((Number(now.mode) & 0o7777) !== n.mode || now.mtimeNs !== n.mtimeNs) {
        try {
          fsyncDirSync(d);
        } catch (err) {
          throw fsError(err, d, 'making the folder durable:');
        }
      }
    }
    await this.syncDir(root);
    return restored;
  }

  // Link operations are single syscalls, made synchronously: through the thread pool each cost a
  // round trip several times the syscall (1,000 links of a dotfiles manifest: 0.57 s vs 0.19 s measured).
  async createLink(p: string, target: string, kind: ResolvedLinkType): Promise<void> {
    const type = kind === 'hardlink' ? undefined : kind === 'junction' && process.platform === 'win32' ? 'junction' : await symlinkType(target);
    try {
      if (kind === 'hardlink') linkSync(target, p);
      else symlinkSync(target, p, type);
    } catch (err) {
      throw linkError(err, p, kind, `creating the ${kind} at`);
    }
    await this.syncDir(path.dirname(p));
  }

  async restoreLink(p: string, linkText: string, kind: 'symlink' | 'junction', dirHint: boolean): Promise<void> {
    try {
      if (kind === 'junction' && process.platform === 'win32') symlinkSync(linkText, p, 'junction');
      else symlinkSync(linkText, p, process.platform === 'win32' ? (dirHint ? 'dir' : 'file') : undefined);
    } catch (err) {
      throw linkError(err, p, kind, 'recreating the link at');
    }
    await this.syncDir(path.dirname(p));
  }

  async linkDestination(p: string): Promise<string | null> {
    const s = await lstatOrNull(p);
    if (!s?.isSymbolicLink()) return null;
    const text = readlinkOf(p);
    return canonicalPath(isAbsolutePath(text, STYLE) ? text : path.resolve(path.dirname(p), text), STYLE);
  }

  async removeLink(p: string): Promise<void> {
    const s = await lstatOrNull(p);
    if (!s) return;
    if (!s.isSymbolicLink()) throw new RelocateError('E_NOT_A_LINK', `${p} is not a link; relocate will not delete it`, { path: p, hint: 'the disk changed since the plan; run `relocate plan` again' });
    try {
      unlinkSync(p);
    } catch (err) {
      // A Windows directory symlink or junction is removed as a folder entry, never recursively.
      if (process.platform !== 'win32') throw fsError(err, p, 'removing the link');
      try {
        rmdirSync(p);
      } catch (e2) {
        throw fsError(e2, p, 'removing the link');
      }
    }
    await this.syncDir(path.dirname(p));
  }

  async unlinkFile(p: string): Promise<void> {
    try {
      unlinkSync(p);
    } catch (err) {
      throw fsError(err, p, 'removing');
    }
    await this.syncDir(path.dirname(p));
  }

  async hardLink(existing: string, p: string): Promise<void> {
    try {
      linkSync(existing, p);
    } catch (err) {
      throw fsError(err, p, 'creating the hard link');
    }
    await this.syncDir(path.dirname(p));
  }

  async assertOneDevice(root: string): Promise<void> {
    let top: Stats;
    try {
      top = lstatSync(root);
    } catch {
      return;
    }
    if (!top.isDirectory() && !top.isFile()) return;
    const rootMount = mountPointError(root, 'deleting');
    if (rootMount) throw rootMount;
    if (!top.isDirectory()) return;
    const fence = DeviceFence.around(root, top.dev);
    if (fence.tableChecked) return;
    // No mount table (not Linux): every folder's device, before anything is deleted.
    const slice = new Slicer();
    const dirs = [root];
    while (dirs.length > 0) {
      const dir = dirs.pop()!;
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        if (!e.isDirectory()) continue;
        const p = under(dir, e.name);
        fence.enter(p);
        dirs.push(p);
        if (slice.due()) await slice.yield();
      }
    }
  }

  async deleteTree(root: string): Promise<void> {
    // Freed inode numbers can be reused by new folders: no listing outlives a delete.
    this.forVerify.clear();
    this.forSnapshot.clear();
    this.forReuse.clear();
    let top: Stats;
    try {
      top = lstatSync(root);
    } catch (err) {
      const c = (err as NodeJS.ErrnoException).code;
      if (c === 'ENOENT' || c === 'ENOTDIR') return;
      throw fsError(err, root, 'reading');
    }
    const slice = new Slicer();
    // A node no one may delete (chattr +i/+a, chflags uchg/uappnd) is named as such: the plan refuses those,
    // so one met here was flagged since (a program, an administrator), and the error says how to clear it.
    const flagOf = process.platform === 'win32' ? null : await nativeInodeFlags();
    const deleteError = (err: unknown, p: string, doing: string): RelocateError => {
      if ((err as NodeJS.ErrnoException)?.code !== 'EPERM' || !flagOf) return fsError(err, p, doing);
      // The node itself, or the folder holding it (no name can be removed from a flagged folder).
      const own = flagOf(p);
      const holder = own ? p : path.dirname(p);
      const flag = own ?? flagOf(holder);
      if (!flag) return fsError(err, p, doing);
      const clear = process.platform === 'darwin' ? (flag === 'immutable' ? 'chflags nouchg,noschg' : 'chflags nouappnd,nosappnd') : flag === 'immutable' ? 'chattr -i' : 'chattr -a';
      return new RelocateError('E_IMMUTABLE', `${doing} ${p} failed: ${own ? 'it' : `its folder ${holder}`} is ${flag}`, {
        path: holder, cause: err,
        hint: `clear the flag (\`${clear} ${JSON.stringify(holder)}\`, as root), then resume or roll back`,
      });
    };
    const unlinkOne = (p: string, isLink: boolean): void => {
      try {
        if (isLink) unlinkSync(p);
        // Windows: a read-only file is deleted all the same (see windows/read-only.ts).
        else deleteClearingReadOnly(() => unlinkSync(p), () => chmodSync(p, 0o666));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        // A Windows directory symlink or junction is removed as a folder entry, never recursively.
        if (process.platform === 'win32' && isLink) {
          try {
            rmdirSync(p);
            return;
          } catch (e2) {
            throw fsError(e2, p, 'deleting');
          }
        }
        throw deleteError(err, p, 'deleting');
      }
    };
    if (!top.isDirectory()) {
      unlinkOne(root, top.isSymbolicLink());
      await this.syncDir(path.dirname(root));
      return;
    }
    // Before the first unlink: the root not a mount point (deleting it would empty a whole volume) and no
    // mount inside (the table's, bind mounts included; without a table, every folder's device). Each
    // folder is checked again on entry, for a mount made since.
    await this.assertOneDevice(root);
    const fence = DeviceFence.around(root, top.dev);
    // Depth first, as rm -rf: a folder's files and links go first (a link is removed as a link, never
    // entered: readdir's entry types come from the folder itself, and an unknown type is lstat'ed),
    // then its sub-folders, then the folder. No lstat per file: the walk is one readdir per folder.
    // Synchronous calls in slices (see SLICE_MS): measured on 20,000 files, one unlink at a time here
    // took 440 ms where 16 at once on the thread pool took 510 ms, and rm -rf 310 ms.
    const stack: { dir: string; listed: boolean }[] = [{ dir: root, listed: false }];
    while (stack.length > 0) {
      const cur = stack[stack.length - 1]!;
      if (cur.listed) {
        stack.pop();
        try {
          deleteClearingReadOnly(() => rmdirSync(cur.dir), () => chmodSync(cur.dir, 0o777));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw deleteError(err, cur.dir, 'deleting the folder');
        }
        continue;
      }
      cur.listed = true;
      let entries: Dirent[];
      try {
        entries = readdirSync(cur.dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw fsError(err, cur.dir, 'listing');
      }
      // Sub-folders are checked for another device before any name of this folder goes.
      for (const e of entries) if (e.isDirectory()) fence.enter(under(cur.dir, e.name));
      for (const e of entries) {
        const p = under(cur.dir, e.name);
        if (e.isDirectory()) stack.push({ dir: p, listed: false });
        else unlinkOne(p, e.isSymbolicLink());
        if (slice.due()) await slice.yield();
      }
    }
    await this.syncDir(path.dirname(root));
  }

  /**
   * Makes the names in a folder durable (see fsyncDir: only a "not
   * supported" error is ignored; EIO and the rest fail the step, since the
   * journal must not say done for a change that may not be on disk).
   */
  async syncDir(p: string): Promise<void> {
    if (this.deferredSyncs) {
      this.deferredSyncs.add(p);
      return;
    }
    try {
      await fsyncDir(p);
    } catch (err) {
      throw fsError(err, p, 'making the folder entries durable in');
    }
  }

  /** Folders whose sync a `syncBatch` deferred; undefined outside one. */
  private deferredSyncs?: Set<string>;

  async syncBatch<T>(fn: () => Promise<T>): Promise<T> {
    if (this.deferredSyncs) return fn();
    this.deferredSyncs = new Set();
    try {
      return await fn();
    } finally {
      const dirs = this.deferredSyncs;
      this.deferredSyncs = undefined;
      for (const d of dirs) await this.syncDir(d);
    }
  }

  /** A fresh look at every process (src/platform/in-use.ts picks the OS's check); reads only. */
  async processesUsing(p: string): Promise<InUseFile[]> {
    const n = await this.lstat(p);
    if (!n || (n.kind !== 'dir' && n.kind !== 'file')) return [];
    return holdersNow(p, n.kind === 'dir');
  }
}

/** Windows needs to know whether a symlink points to a folder; elsewhere the type is ignored. */
async function symlinkType(target: string): Promise<'dir' | 'file' | undefined> {
  if (process.platform !== 'win32') return undefined;
  try {
    return (await stat(target)).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'dir';
  }
}

/**
 * A failed link creation: a platform without this link type (Wine has no
 * junctions: ENOTSUP) is E_LINK_UNSUPPORTED, a Windows account without the
 * symlink privilege E_SYMLINK_PRIVILEGE; anything else as fsError says.
 */
function linkError(err: unknown, p: string, kind: string, doing: string): RelocateError {
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  if (code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
    return new RelocateError('E_LINK_UNSUPPORTED', `${doing} ${p} failed: this platform or file system cannot make a ${kind} (${code})`, {
      path: p, hint: 'try another `type:` (or another volume); nothing was left half-made', cause: err,
    });
  }
  if (process.platform === 'win32' && kind === 'symlink' && code === 'EPERM') {
    return new RelocateError('E_SYMLINK_PRIVILEGE', `${doing} ${p} failed: creating symbolic links needs Developer Mode or the "Create symbolic links" privilege`, {
      path: p, hint: 'enable Developer Mode (Settings > For developers), or use `type: junction` for folders', cause: err,
    });
  }
  return fsError(err, p, doing);
}

/** A Windows rename that kept failing: a program (antivirus, indexer, Explorer) may hold a file in it. */
function windowsMoveError(err: unknown, from: string, to: string, attempts: number): RelocateError {
  const e = fsError(err, from, `moving to ${to}${attempts > 1 ? ` (${attempts} attempts)` : ''}:`);
  if (e.code !== 'E_ACCESS' && e.code !== 'E_IN_USE') return e;
  return new RelocateError(e.code, e.message, { path: from, hint: 'a program (antivirus, a search indexer, an open Explorer window or the program itself) may hold a file in it; close it and run again', cause: err });
}

function errnoName(errno: number): string {
  const names: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 5: 'EIO', 13: 'EACCES', 16: 'EBUSY', 17: 'EEXIST', 18: 'EXDEV', 20: 'ENOTDIR', 21: 'EISDIR', 28: 'ENOSPC', 30: 'EROFS', 39: 'ENOTEMPTY' };
  return names[errno] ?? `errno ${errno}`;
}
