/**
 * A walk's listing of a tree, stored by column: one typed array per field
 * (kind, size, mode, owner, times, inode flags; creation times only in
 * listings that record them, i.e. on Windows: birth-time.ts; inode numbers
 * and change times only in listings whose reads a later walk may reuse:
 * `VouchedReads`), a
 * parent index and a name per node instead of a full relative path, and
 * the rare fields (link texts, hard-link identities and counts, extended
 * attributes)
 * in sparse maps by index. A node is its index; `rel(i)` builds its
 * relative path on demand.
 *
 * Why: one object per node (with its `rel` string, bigint times and a
 * BigIntStats behind it) cost ~1.3 KB a file, so 200,000 files took
 * 280 MB of RSS and a million would take ~1.4 GB; this costs ~70 bytes a
 * node plus its name (bench/RESULTS.md, "Scale").
 *
 * Order: the walk (fs/walk-tree.ts) lists breadth first, names sorted, so two
 * listings of equal trees hold each node at the same index and the verify
 * pairs them by position (`sameShape`).
 */
import type { CtimeVouch } from './ctime-vouch.js';
import type { KeptMeta } from './keep-meta.js';
import type { Xattr } from './native/xattrs.js';
import { BIRTH_READ, CHUNK, CHUNK_BITS, Chunk, FIRST_CAPACITY, FLAGS_READ, HOLEY, MASK, NONE, STAMPED, XATTRS_READ } from './listing-chunk.js';
import { looksSparse } from './sparse-copy.js';
import { VouchedReads } from './vouched-reads.js';

export { VouchedReads };

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
  /** The creation time, where the walk records it (birth-time.ts); absent otherwise. */
  birthtimeNs?: bigint;
  /** The exact inode number and change time, where the walk stamps its nodes for a later walk (`VouchedReads`); absent otherwise. */
  ino?: bigint;
  ctimeNs?: bigint;
}

export class TreeListing {
  length = 0;
  /** Set by a walk that stamped every node (inode number, change time) on a volume where change times vouch for reads (ctime-vouch.ts). */
  vouch?: CtimeVouch;
  private readonly chunks: Chunk[] = [new Chunk(FIRST_CAPACITY)];
  private readonly linkTexts = new Map<number, string>();
  private readonly ids = new Map<number, string>();
  private readonly nlinks = new Map<number, number>();
  /** Attributes of the nodes that have any (a node read and found without is only marked in `known`). */
  private readonly attrs = new Map<number, Xattr[]>();
  /** The last parent whose path `rel` built, and that path: children of one folder are listed together. */
  private lastParent = -1;
  private lastParentRel = '';

  private chunk(i: number): Chunk {
    return this.chunks[i >>> CHUNK_BITS];
  }

  /** Appends a node named `name` in the folder at index `parent` (-1 and '' for the root); returns its index. */
  add(parent: number, name: string, n: ListedNode): number {
    const i = this.length;
    const at = i >>> CHUNK_BITS;
    let c = this.chunks[at];
    if (!c) this.chunks.push((c = new Chunk(CHUNK)));
    else if ((i & MASK) >= c.cap) this.chunks[at] = c = c.grown();
    const k = i & MASK;
    this.length++;
    c.kinds[k] = KIND_CODE[n.kind];
    c.sizes[k] = n.size;
    c.modes[k] = n.mode;
    c.uids[k] = n.uid;
    c.gids[k] = n.gid;
    c.mtimes[k] = n.mtimeNs;
    c.atimes[k] = n.atimeNs;
    c.parents[k] = parent;
    c.putName(k, name);
    if (n.id !== '') this.ids.set(i, n.id);
    if (n.kind === 'file' && n.nlink > 1) this.nlinks.set(i, n.nlink);
    if (looksSparse(n.size, n.blocks)) c.known[k] = HOLEY;
    if (n.linkText !== undefined) this.linkTexts.set(i, n.linkText);
    this.setXattrs(i, n.xattrs);
    this.setFlags(i, n.flags);
    if (n.birthtimeNs !== undefined) {
      (c.births ??= new BigInt64Array(c.cap))[k] = n.birthtimeNs;
      c.known[k] |= BIRTH_READ;
    }
    if (n.ino !== undefined && n.ctimeNs !== undefined) {
      (c.inos ??= new BigUint64Array(c.cap))[k] = n.ino;
      (c.ctimes ??= new BigInt64Array(c.cap))[k] = n.ctimeNs;
      c.known[k] |= STAMPED;
    }
    return i;
  }

  kind(i: number): NodeKind {
    return KINDS[this.chunk(i).kinds[i & MASK]];
  }
  size(i: number): number {
    return this.chunk(i).sizes[i & MASK];
  }
  /** Whether the node had fewer blocks than its size needs when listed (holes: see sparse-copy.ts). */
  holey(i: number): boolean {
    return (this.chunk(i).known[i & MASK] & HOLEY) !== 0;
  }
  mode(i: number): number {
    return this.chunk(i).modes[i & MASK];
  }
  uid(i: number): number {
    return this.chunk(i).uids[i & MASK];
  }
  gid(i: number): number {
    return this.chunk(i).gids[i & MASK];
  }
  /** A file's number of names (1 for other kinds: only files' counts are kept). */
  nlink(i: number): number {
    return this.nlinks.get(i) ?? 1;
  }
  mtimeNs(i: number): bigint {
    return this.chunk(i).mtimes[i & MASK];
  }
  atimeNs(i: number): bigint {
    return this.chunk(i).atimes[i & MASK];
  }
  /** The creation time, where the walk recorded one (see ListedNode). */
  birthtimeNs(i: number): bigint | undefined {
    const c = this.chunk(i);
    return (c.known[i & MASK] & BIRTH_READ) === 0 ? undefined : c.births?.[i & MASK];
  }
  /** The modification time in ms (whole, as a bigint lstat's mtimeMs), for tolerant checks. */
  mtimeMs(i: number): number {
    return Number(this.mtimeNs(i) / 1_000_000n);
  }
  atimeMs(i: number): number {
    return Number(this.atimeNs(i) / 1_000_000n);
  }
  /** `dev:ino` for a file with more than one name; '' otherwise. */
  id(i: number): string {
    return this.ids.get(i) ?? '';
  }
  linkText(i: number): string | undefined {
    return this.linkTexts.get(i);
  }
  parent(i: number): number {
    return this.chunk(i).parents[i & MASK];
  }
  name(i: number): string {
    return this.chunk(i).name(i & MASK);
  }

  /** The attributes as read (null when not read: see KeptMeta). */
  xattrs(i: number): Xattr[] | null {
    if ((this.chunk(i).known[i & MASK] & XATTRS_READ) === 0) return null;
    return this.attrs.get(i) ?? (NONE as Xattr[]);
  }
  setXattrs(i: number, x: Xattr[] | null): void {
    const known = this.chunk(i).known;
    if (x === null) {
      known[i & MASK] &= ~XATTRS_READ;
      this.attrs.delete(i);
      return;
    }
    known[i & MASK] |= XATTRS_READ;
    if (x.length > 0) this.attrs.set(i, x);
    else this.attrs.delete(i);
  }
  flags(i: number): number | null {
    const c = this.chunk(i);
    return (c.known[i & MASK] & FLAGS_READ) === 0 ? null : c.flags[i & MASK];
  }
  setFlags(i: number, f: number | null): void {
    const c = this.chunk(i);
    if (f === null) {
      c.known[i & MASK] &= ~FLAGS_READ;
      c.flags[i & MASK] = 0;
      return;
    }
    c.known[i & MASK] |= FLAGS_READ;
    c.flags[i & MASK] = f;
  }

  /** The relative path of node `i` (names joined by `/`; '' for the root). */
  rel(i: number): string {
    const p = this.parent(i);
    if (p < 0) return '';
    if (p === 0) return this.name(i);
    if (p !== this.lastParent) {
      this.lastParentRel = this.relUncached(p);
      this.lastParent = p;
    }
    return `${this.lastParentRel}/${this.name(i)}`;
  }

  private relUncached(i: number): string {
    const parts: string[] = [];
    for (let at = i; this.parent(at) >= 0; at = this.parent(at)) parts.push(this.name(at));
    return parts.reverse().join('/');
  }

  /** What the keeper keeps of node `i`, as one object (made on each call: the listing holds none). */
  meta(i: number): KeptMeta {
    const c = this.chunk(i);
    const k = i & MASK;
    const meta: KeptMeta = {
      kind: KINDS[c.kinds[k]],
      mode: c.modes[k],
      uid: c.uids[k],
      gid: c.gids[k],
      atimeNs: c.atimes[k],
      mtimeNs: c.mtimes[k],
      xattrs: this.xattrs(i),
      flags: this.flags(i),
    };
    const birth = this.birthtimeNs(i);
    if (birth !== undefined) meta.birthtimeNs = birth;
    return meta;
  }

  /**
   * Whether `other` lists the same names in the same folders at every
   * index (so node i here is node i there): equal trees walked alike do.
   */
  sameShape(other: TreeListing): boolean {
    if (other.length !== this.length) return false;
    for (let at = 0; at * CHUNK < this.length; at++) {
      if (!this.chunks[at].sameShape(other.chunks[at], Math.min(CHUNK, this.length - at * CHUNK))) return false;
    }
    return true;
  }

  /**
   * The relative path of every node but those of kind `other`, in sorted
   * order (JavaScript's string order, as `Array.prototype.sort` gives),
   * made one at a time: a million-file tree is never a million strings at
   * once. Why folder by folder works: every path under a folder `name`
   * starts with `name/`, and no other entry of its parent can fall between
   * two of them (names hold no `/`), so a folder's entries sort as one
   * block keyed `name/`, beside its siblings' names (`a`, `a-b`, then the
   * block `a/`: '-' sorts before '/').
   */
  *sortedRels(): Generator<string> {
    if (this.length === 0) return;
    // Each folder's children are listed together (breadth first): where they start and end.
    const range = new Map<number, [number, number]>();
    for (let i = 1; i < this.length; i++) {
      const p = this.parent(i);
      const r = range.get(p);
      if (r) r[1] = i + 1;
      else range.set(p, [i, i + 1]);
    }
    if (this.kind(0) !== 'other') yield '';
    // A folder's entries as sort keys: each name, and `name/` for the block of a folder with entries.
    const tokensOf = (dir: number): { key: string; at: number; block: boolean }[] => {
      const r = range.get(dir);
      const tokens: { key: string; at: number; block: boolean }[] = [];
      if (!r) return tokens;
      for (let i = r[0]; i < r[1]; i++) {
        const name = this.name(i);
        const kind = this.kind(i);
        if (kind !== 'other') tokens.push({ key: name, at: i, block: false });
        if (kind === 'dir' && range.has(i)) tokens.push({ key: `${name}/`, at: i, block: true });
      }
      return tokens.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    };
    // Depth first with a stack of its own (no generator per level: a deep tree costs no more per path).
    const stack = [{ tokens: tokensOf(0), next: 0, prefix: '' }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next === top.tokens.length) {
        stack.pop();
        continue;
      }
      const t = top.tokens[top.next++];
      if (t.block) stack.push({ tokens: tokensOf(t.at), next: 0, prefix: top.prefix + t.key });
      else yield top.prefix + t.key;
    }
  }

  /** Index of each node by relative path, for listings that cannot be paired by position (a subset, a tree that differs). */
  byRel(): Map<string, number> {
    const m = new Map<string, number>();
    for (let i = 0; i < this.length; i++) m.set(this.rel(i), i);
    return m;
  }

  /** The attribute and flag reads of this listing, for a later walk of the same tree (`VouchedReads`); undefined unless the walk stamped its nodes. */
  vouchedReads(): VouchedReads | undefined {
    if (!this.vouch || this.length === 0) return undefined;
    const columns = this.chunks.map((c) => ({ inos: c.inos, ctimes: c.ctimes, flags: c.flags, known: c.known }));
    return new VouchedReads(columns, this.attrs, this.length, this.vouch);
  }
}
