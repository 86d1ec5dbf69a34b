import { lstatSync, type Stats } from 'node:fs';
import path from 'node:path';
import { RelocateError } from '../../core/errors.js';
import type { ProgressFn } from '../../exec/fs-port.js';
import type { VerifyMode } from '../../exec/steps.js';
import type { MetaKeeper } from '../keep-meta.js';
import { nativeSeekExtent } from '../native/seek-data.js';
import { sameSparseContent } from '../sparse-copy.js';
import { timeGrainNs } from '../time-grain.js';
import type { TreeListing } from '../tree-listing.js';
import { COMPARE_CHUNK, CompareBuffers, sameContent, sameContentAsync } from './content-compare.js';
import { fsError } from './errno-codes.js';
import { HOST } from './host-primitives.js';
import type { ListingCache } from './listing-cache.js';
import { Slicer } from './slicer.js';
import { MTIME_TOLERANCE_MS, PROGRESS_EVERY_MS } from './tolerances.js';
import { walk } from './walk-tree.js';

const under = HOST.under;
/** Files at least this big are compared on the thread pool, this many at once. */
const BIG_COMPARE = 1024 * 1024;
const COMPARES_AT_ONCE = 4;

/** Volumes a verify found keeping less than the original holds, by the folder the copy is in (for --verbose). */
export interface VerifyNotes {
  /** Volumes that keep no modes or owners (permissionsHeldIn). */
  readonly modeless: Set<string>;
  /** Volumes that hold no creation times the keeper sets (birth-time.ts). */
  readonly birthless: Set<string>;
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

/**
 * NodeFs.verify (FsPort says what it promises): `copy` holds everything
 * `original` holds, by the listings of both (one of them possibly from
 * `cache`) and, with `mode` content or `subset`, byte for byte. Throws
 * E_VERIFY naming the side that changed. Changes no node of either tree
 * (the time-grain probe is a file of its own: time-grain.ts).
 */
export async function verifyTrees(
  keeperOf: () => Promise<MetaKeeper>,
  cache: ListingCache,
  notes: VerifyNotes,
  original: string,
  copy: string,
  mode: VerifyMode,
  subset: boolean,
  progress?: ProgressFn,
): Promise<void> {
  // One after the other: a walk on a second thread (worker_threads) took as long again per walk on
  // this busy 2-CPU machine, so the two walks at once saved nothing.
  // Subset checks (a merge) compare contents only: they walk both sides, as before.
  cache.dropSnapshotSources();
  const keeper = await keeperOf();
  // Times are compared as finely as the copy's file system keeps them (a FUSE or FAT target keeps less than ns).
  const grain = subset ? 1n : await timeGrainNs(copy, (probe, ns) => keeper.setTimes(probe, { kind: 'file', atimeNs: ns, mtimeNs: ns }));
  // Modes and owners (Windows: security descriptors) are compared where the copy's volume keeps them (FAT, exFAT and
  // ntfs-3g keep neither).
  const modes = subset || keeper.permissionsHeldIn(path.dirname(copy));
  if (!modes) notes.modeless.add(path.dirname(copy));
  // Creation times likewise, where the keeper sets them (Windows): compared where the copy's volume holds them.
  const births = !subset && keeper.birthTimesKeptIn(path.dirname(copy));
  if (!subset && keeper.keepsBirthtimes && !births) notes.birthless.add(path.dirname(copy));
  const cachedA = subset ? undefined : cache.takeVerifySide(original);
  const cachedB = subset || cachedA ? undefined : cache.takeVerifySide(copy);
  // The original's attributes are read with its listing (or taken from copyTree's reads where a node's stamp vouches
  // for them: listing-cache.ts); the copy's only where the original has some (see below).
  const a = cachedA ?? (await walk(original, subset ? undefined : keeper, undefined, subset ? undefined : { prior: cache.takeVouchedReads(original) }));
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
    if (modes && kind !== 'symlink' && HOST.modeBitsAndOwners && a.mode(i) !== b.mode(j))
      fail(`mode ${a.mode(i).toString(8)} vs ${b.mode(j).toString(8)}`, rel, i);
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
  const seek = toCompare.length > 0 ? await nativeSeekExtent() : null;
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
    const i = toCompare[k];
    const j = toCompare[k + 1];
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
  // What was walked fresh and verified is what the next step may reuse (listing-cache.ts).
  if (!subset) {
    if (!cachedB) cache.keepVerifySide(copy, b);
    if (!cachedA) cache.keepSnapshotSource(original, a);
  }
}
