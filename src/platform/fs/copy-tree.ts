import { closeSync, constants as C, linkSync, lstatSync, mkdirSync, openSync, symlinkSync } from 'node:fs';
import { access, copyFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { eachLimited } from '../../core/each-limited.js';
import { RelocateError } from '../../core/errors.js';
import type { NodeInfo, OutsideName, ProgressFn, RootMadeFn } from '../../exec/fs-port.js';
import { caseTwinError } from '../case-twin.js';
import { CopyFlush } from '../copy-flush.js';
import type { VouchOptions } from '../ctime-vouch.js';
import { durabilityWay } from '../durability.js';
import type { MadeAs, MetaKeeper } from '../keep-meta.js';
import { nativeSeekExtent } from '../native/seek-data.js';
import { copySparse } from '../sparse-copy.js';
import type { TreeListing } from '../tree-listing.js';
import type { SyncCopyFn } from './durable-copy.js';
import { EXISTS_HINT, fsError } from './errno-codes.js';
import { HOST } from './host-primitives.js';
import type { ListingCache } from './listing-cache.js';
import { lstatOrNull } from './node-stat.js';
import { Slicer } from './slicer.js';
import { MTIME_TOLERANCE_MS, PROGRESS_EVERY_MS } from './tolerances.js';
import { walk } from './walk-tree.js';

const under = HOST.under;
/** How often the size of a file being copied is read for the progress line. */
const PROGRESS_POLL_MS = 500;
/**
 * Files copied at once on the thread pool. Copying is kernel work of tens
 * of microseconds to milliseconds a file, which spreads over the CPUs;
 * measured on 2 busy CPUs, 8 at once copied 20,000 files about 3× faster
 * than one at a time.
 */
const COPY_CONCURRENCY = 8;

/**
 * What a copy works with besides its paths: NodeFs's own parts. `lstat`
 * and `syncCopy` go through the NodeFs, so a subclass or a fault harness
 * that replaces them sees the copy's calls.
 */
export interface CopyWork {
  /** Loaded only once the copy begins (after `to` was found free). */
  keeper(): Promise<MetaKeeper>;
  cache: ListingCache;
  /** The terms for stamping the original's reads (ctime-vouch.ts). */
  vouch: VouchOptions;
  lstat(p: string): Promise<NodeInfo | null>;
  syncCopy: SyncCopyFn;
}

/** Whether an outside name is still the file it was when journaled, with the size, mtime and mode of node `i` (the copy it stands in for). */
function stillSameFile(o: OutsideName, list: TreeListing, i: number): boolean {
  const s = lstatSync(o.path, { bigint: true, throwIfNoEntry: false });
  if (!s?.isFile() || String(s.dev) !== o.dev || String(s.ino) !== o.ino) return false;
  return Number(s.size) === list.size(i) && Math.abs(Number(s.mtimeMs) - list.mtimeMs(i)) <= MTIME_TOLERANCE_MS && (Number(s.mode) & 0o7777) === list.mode(i);
}

/**
 * NodeFs.copyTree (FsPort says what it promises): `to` must not exist; the
 * tree at `from` is copied there without following a link, hard links
 * kept as hard links, with what `work.keeper` keeps, and made durable
 * (`work.syncCopy`) before this returns. Forgets `work.cache` first and
 * leaves in it the listing of `from` for the verify after.
 */
export async function copyTree(
  work: CopyWork,
  from: string,
  to: string,
  progress?: ProgressFn,
  onRoot?: RootMadeFn,
  reuse?: readonly OutsideName[],
): Promise<void> {
  if (await lstatOrNull(to)) throw new RelocateError('E_EXISTS', `cannot copy to ${to}: something is already there`, { path: to, hint: EXISTS_HINT });
  // The root's identity is reported the moment it exists, before anything is written into it (see RootMadeFn).
  const rootMade = async () => {
    if (!onRoot) return;
    const root = await work.lstat(to);
    if (root) onRoot(root);
  };
  work.cache.clear();
  const keeper = await work.keeper();
  const nodes = await walk(from, keeper, undefined, { stamp: work.vouch });
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
  const made: MadeAs = {
    owner: keeper.newOwnerUnder(holder),
    mustChmod: false,
    stripAcl: keeper.inheritsAcl(holder),
    stripFlags: keeper.inheritsFlags(holder),
  };
  const seek = await nativeSeekExtent();
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
    const linked: { f: number; first: string }[] = [];
    const plain: number[] = [];
    for (const f of files) {
      if (nodes.kind(f) === 'file' && nodes.nlink(f) > 1) {
        const id = nodes.id(f);
        const first = firstCopyOf.get(id);
        if (first !== undefined) {
          linked.push({ f, first });
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
          void Promise.all(
            [...inFlight].map((p) =>
              stat(p).then(
                (x) => x.size,
                () => 0,
              ),
            ),
          ).then((sizes) => progress(done + sizes.reduce((a, b) => a + b, 0)));
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
            const text = nodes.linkText(f);
            // The walk reads every link's text; a link without one is a bug here, not a link to copy as empty.
            if (text === undefined) throw new RelocateError('E_INTERNAL', `the listing of ${s} holds no link text`, { path: s });
            symlinkSync(text, d, await HOST.symlinkType(s));
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
            const sparse =
              seek !== null && nodes.holey(f) && (await copySparse(s, d, size, seek, overwrite, () => undefined).finally(() => inFlight.delete(d)));
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
            throw new RelocateError('E_UNSUPPORTED_NODE', `${s} is a device, socket or pipe, which relocate does not copy`, {
              path: s,
              hint: 'move it out of the folder first',
            });
          }
        } catch (err) {
          const twin = caseTwinError(err, s, d, to);
          if (twin) throw twin;
          if (kind === 'file' && !(err instanceof RelocateError)) {
            // Name the side that failed: an unreadable original is the file the user has to deal with.
            const unreadable = await access(s, C.R_OK).then(
              () => false,
              () => true,
            );
            throw fsError(err, unreadable ? s : d, unreadable ? 'reading' : `copying ${s} to`);
          }
          throw fsError(err, d, kind === 'symlink' ? 'creating the link' : 'copying to');
        }
      });
    } finally {
      if (poll) clearInterval(poll);
    }
    progress?.(done);
    for (const { f, first } of linked) {
      try {
        linkSync(first, dest(f));
      } catch (err) {
        throw caseTwinError(err, src(f), dest(f), to) ?? fsError(err, dest(f), 'creating the hard link');
      }
    }
    // Deepest first, each after its content: owner, attributes (a default ACL set earlier would have been
    // inherited by the copies inside), mode, times.
    const dirMade: MadeAs = { ...made, mustChmod: true };
    for (let k = dirs.length - 1; k >= 0; k--) keeper.apply(dest(dirs[k]), nodes.meta(dirs[k]), dirMade, src(dirs[k]));
    await work.syncCopy(to, () => ({ files: plain.filter((f) => nodes.kind(f) === 'file').map(dest), dirs: dirs.map(dest) }), { how, flush });
  } finally {
    flush?.close();
  }
  work.cache.keepCopied(from, nodes);
}
