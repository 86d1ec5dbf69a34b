/**
 * A snapshot's record of one node (NodeMeta, journaled before a subset
 * delete: exec/fs-port.ts) made from a walk's listing, and what a restore
 * gives the node back from it.
 *
 * Invariant: every field added after the first journals is optional, and
 * its absence leaves the restored node's own (what the twin it was copied
 * from has, or what a made folder gets): old journals resume and roll back
 * as they did. A field is recorded only where the listing read it:
 *  - `flags`: the copyable inode flags (fs-flags.ts) of files and folders,
 *    where the keeper reads them (Linux, macOS), zero included, so a
 *    restore sets them exactly: a restored file is a copy of its twin and
 *    would otherwise carry the twin's flags, a made folder none (or its
 *    parent's, on ext4);
 *  - `birthtimeNs`: the creation time, where the walk records one (Windows, macOS:
 *    birth-time.ts).
 */
import { Buffer } from 'node:buffer';
import type { BigIntStats } from 'node:fs';
import type { NodeMeta } from '../exec/fs-port.js';
import type { KeptMeta } from './keep-meta.js';
import type { TreeListing } from './tree-listing.js';

/** Node `i` of a listing as a snapshot records it (a node of kind `other` is never recorded: the caller skips it). */
export function snapshotNodeOf(list: TreeListing, i: number, withOwner: boolean): NodeMeta {
  const kind = list.kind(i) as NodeMeta['kind'];
  const meta: NodeMeta = {
    rel: list.rel(i),
    kind,
    mode: list.mode(i),
    mtimeMs: list.mtimeMs(i),
    atimeMs: list.atimeMs(i),
    mtimeNs: String(list.mtimeNs(i)),
    atimeNs: String(list.atimeNs(i)),
  };
  if (withOwner) Object.assign(meta, { uid: list.uid(i), gid: list.gid(i) });
  // Listings kept for snapshots were walked with their attributes and flags (verify's fresh original side), as is a fresh walk.
  const xattrs = list.xattrs(i);
  if (xattrs && xattrs.length > 0) meta.xattrs = xattrs.map((x) => ({ name: x.name, value: x.value.toString('base64') }));
  const flags = list.flags(i);
  if (flags !== null && (kind === 'file' || kind === 'dir')) meta.flags = flags;
  const birth = list.birthtimeNs(i);
  if (birth !== undefined) meta.birthtimeNs = String(birth);
  return meta;
}

/**
 * What a restore gives the node `now` (its lstat) from its snapshot record
 * `n`; `keepsXattrs`: the keeper reads and sets extended attributes here.
 * A field the record lacks leaves the node's own (see the module comment).
 */
export function keptMetaOfSnapshot(n: NodeMeta, now: BigIntStats, keepsXattrs: boolean): KeptMeta {
  const fromMs = (ms: number) => BigInt(Math.round(ms * 1000)) * 1000n;
  const want: KeptMeta = {
    kind: n.kind,
    mode: n.mode,
    uid: n.uid ?? Number(now.uid),
    gid: n.gid ?? Number(now.gid),
    mtimeNs: n.mtimeNs !== undefined ? BigInt(n.mtimeNs) : fromMs(n.mtimeMs),
    atimeNs: n.atimeNs !== undefined ? BigInt(n.atimeNs) : fromMs(n.atimeMs),
    xattrs: n.xattrs ? n.xattrs.map((x) => ({ name: x.name, raw: Buffer.from(`${x.name}\0`), value: Buffer.from(x.value, 'base64') })) : null,
    flags: n.flags ?? null,
  };
  // A snapshot from a journal that recorded attributes but found none: the node must have none either.
  if (want.xattrs === null && n.mtimeNs !== undefined && keepsXattrs) want.xattrs = [];
  if (n.birthtimeNs !== undefined) want.birthtimeNs = BigInt(n.birthtimeNs);
  return want;
}
