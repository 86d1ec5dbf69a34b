/**
 * A walk's listing of a tree, stored by column: one typed array per field
 * (kind, size, blocks, mode, owner, times, link count, inode flags), a
 * parent index and a name per node instead of a full relative path, and
 * the rare fields (link texts, hard-link identities, extended attributes)
 * in sparse maps by index. A node is its index; `rel(i)` builds its
 * relative path on demand.
 *
 * Why: one object per node (with its `rel` string, bigint times and a
 * BigIntStats behind it) cost ~1.3 KB a file, so 200,000 files took
 * 280 MB of RSS and a million would take ~1.4 GB; this costs ~70 bytes a
 * node plus its name (bench/RESULTS.md, "Scale").
 *
 * Order: the walk (node-fs.ts) lists breadth first, names sorted, so two
 * listings of equal trees hold each node at the same index and the verify
 * pairs them by position (`sameShape`).
 */
import type { KeptMeta } from './keep-meta.js';
import type { Xattr } from './native/xattrs.js';

export type NodeKind = KeptMeta['kind'];
const KINDS: readonly NodeKind[] = ['dir', 'file', 'symlink', 'other'];
const KIND_CODE: Record<NodeKind, number> = { dir: 0, file: 1, symlink: 2, other: 3 };

/** What one lstat (and the keeper's reads) gave of a node, handed to `add`. */
export interface ListedNode {
  kind: NodeKind;
  size: number;
  blocks: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtimeNs: bigint;
  atimeNs: bigint;
  /** `dev:ino`, exact, for files with more than one name; '' otherwise. */
  id: string;
  linkText?: string;
  xattrs: Xattr[] | null;
  flags: number | null;
}

/** `to` with `from` copied into its start. */
function copyInto<T extends { set(from: T): void }>(to: T, from: T): T {
  to.set(from);
  return to;
}

const NONE: readonly Xattr[] = Object.freeze([]) as readonly Xattr[];
/** Bits of `known`: the attributes, the flags were read. */
const XATTRS_READ = 1;
const FLAGS_READ = 2;

export class TreeListing {
  length = 0;
  private cap: number;
  private kinds: Uint8Array;
  private known: Uint8Array;
  private sizes: Float64Array;
  private blockCounts: Float64Array;
  private modes: Uint16Array;
  private uids: Uint32Array;
  private gids: Uint32Array;
  private nlinks: Uint32Array;
  private flagWords: Uint32Array;
  private mtimes: BigInt64Array;
  private atimes: BigInt64Array;
  private parents: Int32Array;
  private readonly names: string[] = [];
  private readonly linkTexts = new Map<number, string>();
  private readonly ids = new Map<number, string>();
  /** Attributes of the nodes that have any (a node read and found without is only marked in `known`). */
  private readonly attrs = new Map<number, Xattr[]>();
  /** The last parent whose path `rel` built, and that path: children of one folder are listed together. */
  private lastParent = -1;
  private lastParentRel = '';

  constructor(capacity = 64) {
    this.cap = Math.max(1, capacity);
    this.kinds = new Uint8Array(this.cap);
    this.known = new Uint8Array(this.cap);
    this.sizes = new Float64Array(this.cap);
    this.blockCounts = new Float64Array(this.cap);
    this.modes = new Uint16Array(this.cap);
    this.uids = new Uint32Array(this.cap);
    this.gids = new Uint32Array(this.cap);
    this.nlinks = new Uint32Array(this.cap);
    this.flagWords = new Uint32Array(this.cap);
    this.mtimes = new BigInt64Array(this.cap);
    this.atimes = new BigInt64Array(this.cap);
    this.parents = new Int32Array(this.cap);
  }

  private grow(): void {
    const cap = this.cap * 2;
    this.kinds = copyInto(new Uint8Array(cap), this.kinds);
    this.known = copyInto(new Uint8Array(cap), this.known);
    this.sizes = copyInto(new Float64Array(cap), this.sizes);
    this.blockCounts = copyInto(new Float64Array(cap), this.blockCounts);
    this.modes = copyInto(new Uint16Array(cap), this.modes);
    this.uids = copyInto(new Uint32Array(cap), this.uids);
    this.gids = copyInto(new Uint32Array(cap), this.gids);
    this.nlinks = copyInto(new Uint32Array(cap), this.nlinks);
    this.flagWords = copyInto(new Uint32Array(cap), this.flagWords);
    this.mtimes = copyInto(new BigInt64Array(cap), this.mtimes);
    this.atimes = copyInto(new BigInt64Array(cap), this.atimes);
    this.parents = copyInto(new Int32Array(cap), this.parents);
    this.cap = cap;
  }

  /** Appends a node named `name` in the folder at index `parent` (-1 and '' for the root); returns its index. */
  add(parent: number, name: string, n: ListedNode): number {
    if (this.length === this.cap) this.grow();
    const i = this.length++;
    this.kinds[i] = KIND_CODE[n.kind];
    this.sizes[i] = n.size;
    this.blockCounts[i] = n.blocks;
    this.modes[i] = n.mode;
    this.uids[i] = n.uid;
    this.gids[i] = n.gid;
    this.nlinks[i] = n.nlink;
    this.mtimes[i] = n.mtimeNs;
    this.atimes[i] = n.atimeNs;
    this.parents[i] = parent;
    this.names.push(name);
    if (n.id !== '') this.ids.set(i, n.id);
    if (n.linkText !== undefined) this.linkTexts.set(i, n.linkText);
    this.setXattrs(i, n.xattrs);
    this.setFlags(i, n.flags);
    return i;
  }

  kind(i: number): NodeKind {
    return KINDS[this.kinds[i]!]!;
  }
  size(i: number): number {
    return this.sizes[i]!;
  }
  blocks(i: number): number {
    return this.blockCounts[i]!;
  }
  mode(i: number): number {
    return this.modes[i]!;
  }
  uid(i: number): number {
    return this.uids[i]!;
  }
  gid(i: number): number {
    return this.gids[i]!;
  }
  nlink(i: number): number {
    return this.nlinks[i]!;
  }
  mtimeNs(i: number): bigint {
    return this.mtimes[i]!;
  }
  atimeNs(i: number): bigint {
    return this.atimes[i]!;
  }
  /** The modification time in ms (whole, as a bigint lstat's mtimeMs), for tolerant checks. */
  mtimeMs(i: number): number {
    return Number(this.mtimes[i]! / 1_000_000n);
  }
  atimeMs(i: number): number {
    return Number(this.atimes[i]! / 1_000_000n);
  }
  /** `dev:ino` for a file with more than one name; '' otherwise. */
  id(i: number): string {
    return this.ids.get(i) ?? '';
  }
  linkText(i: number): string | undefined {
    return this.linkTexts.get(i);
  }
  parent(i: number): number {
    return this.parents[i]!;
  }
  name(i: number): string {
    return this.names[i]!;
  }

  /** The attributes as read (null when not read: see KeptMeta). */
  xattrs(i: number): Xattr[] | null {
    if ((this.known[i]! & XATTRS_READ) === 0) return null;
    return this.attrs.get(i) ?? (NONE as Xattr[]);
  }
  setXattrs(i: number, x: Xattr[] | null): void {
    if (x === null) {
      this.known[i]! &= ~XATTRS_READ;
      this.attrs.delete(i);
      return;
    }
    this.known[i]! |= XATTRS_READ;
    if (x.length > 0) this.attrs.set(i, x);
    else this.attrs.delete(i);
  }
  flags(i: number): number | null {
    return (this.known[i]! & FLAGS_READ) === 0 ? null : this.flagWords[i]!;
  }
  setFlags(i: number, f: number | null): void {
    if (f === null) {
      this.known[i]! &= ~FLAGS_READ;
      this.flagWords[i] = 0;
      return;
    }
    this.known[i]! |= FLAGS_READ;
    this.flagWords[i] = f;
  }

  /** The relative path of node `i` (names joined by `/`; '' for the root). */
  rel(i: number): string {
    const p = this.parents[i]!;
    if (p < 0) return '';
    if (p === 0) return this.names[i]!;
    if (p !== this.lastParent) {
      this.lastParentRel = this.relUncached(p);
      this.lastParent = p;
    }
    return `${this.lastParentRel}/${this.names[i]!}`;
  }

  private relUncached(i: number): string {
    const parts: string[] = [];
    for (let at = i; this.parents[at]! >= 0; at = this.parents[at]!) parts.push(this.names[at]!);
    return parts.reverse().join('/');
  }

  /** What the keeper keeps of node `i`, as one object (made on each call: the listing holds none). */
  meta(i: number): KeptMeta {
    return { kind: this.kind(i), mode: this.modes[i]!, uid: this.uids[i]!, gid: this.gids[i]!, atimeNs: this.atimes[i]!, mtimeNs: this.mtimes[i]!, xattrs: this.xattrs(i), flags: this.flags(i) };
  }

  /**
   * Whether `other` lists the same names in the same folders at every
   * index (so node i here is node i there): equal trees walked alike do.
   */
  sameShape(other: TreeListing): boolean {
    if (other.length !== this.length) return false;
    for (let i = 0; i < this.length; i++) {
      if (this.parents[i] !== other.parents[i] || this.names[i] !== other.names[i]) return false;
    }
    return true;
  }

  /** Index of each node by relative path, for listings that cannot be paired by position (a subset, a tree that differs). */
  byRel(): Map<string, number> {
    const m = new Map<string, number>();
    for (let i = 0; i < this.length; i++) m.set(this.rel(i), i);
    return m;
  }
}
