import { lstatSync, type BigIntStats } from 'node:fs';
import { CtimeVouch, type VouchOptions } from '../ctime-vouch.js';
import type { MetaKeeper } from '../keep-meta.js';
import { TreeListing, type ListedNode, type VouchedReads } from '../tree-listing.js';
import { fsError } from './errno-codes.js';
import { kindOf, readlinkOf } from './node-stat.js';
import { walkFolder } from './tree-walker.js';

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

/** A node's bigint lstat (never followed), or an error naming it. */
function lstatBig(full: string): BigIntStats {
  try {
    return lstatSync(full, { bigint: true });
  } catch (err) {
    throw fsError(err, full, 'reading');
  }
}

/**
 * One node, from its bigint lstat `s` (never followed): nanosecond times and
 * exact inode numbers (which can exceed 2^53: a double would merge two
 * hard-link groups). With `keeper`, its extended attributes and inode flags
 * too, read unless `reads.prior` vouches for node `at` (the index the walk
 * gives it); with `birth`, its creation time (birth-time.ts).
 */
function lstatNode(full: string, s: BigIntStats, keeper: MetaKeeper | undefined, birth: boolean, at: number, reads: WalkReads): ListedNode {
  const kind = kindOf(s);
  const nlink = Number(s.nlink);
  const uid = Number(s.uid);
  // The same inode, its ctime unchanged since an earlier walk read it: those reads stand (a null one is read now).
  const vouched = keeper && reads.prior ? reads.prior.at(at, s.dev, s.ino, s.ctimeNs) : undefined;
  const node: ListedNode = {
    kind,
    size: Number(s.size),
    blocks: Number(s.blocks),
    mtimeNs: s.mtimeNs,
    atimeNs: s.atimeNs,
    mode: Number(s.mode) & 0o7777,
    uid,
    gid: Number(s.gid),
    nlink,
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
export type ReadReuse = { stamp: VouchOptions } | { prior: VouchedReads | undefined };

/**
 * Lists a tree without entering links; folders before their contents
 * (breadth first, names sorted: see tree-listing.ts). With `keeper`, every
 * node's extended attributes and flags are read too: the walks whose
 * listing is the original side of a copy or a verify; `reuse` says whether
 * those reads are stamped for a later walk or taken from an earlier one.
 * With `birth` (by default where `keeper` keeps creation times), creation
 * times too.
 */
export async function walk(root: string, keeper?: MetaKeeper, birth = keeper?.keepsBirthtimes ?? false, reuse?: ReadReuse): Promise<TreeListing> {
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
  const out = new TreeListing();
  const rootStat = lstatBig(root);
  const top = out.add(-1, '', lstatNode(root, rootStat, keeper, birth, 0, reads));
  if (out.kind(top) !== 'dir') return out;
  // Breadth first, names sorted, every node by its own bigint lstat; a mount inside is refused (tree-walker.ts).
  await walkFolder(root, rootStat.dev, top, {
    order: 'breadth',
    sorted: true,
    mounts: 'refuse',
    stat: lstatBig,
    visit: (e, at) => {
      const i = out.add(at, e.name, lstatNode(e.full, e.stat, keeper, birth, out.length, reads));
      return e.kind === 'dir' ? i : undefined;
    },
  });
  return out;
}
