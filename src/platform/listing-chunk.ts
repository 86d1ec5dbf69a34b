/**
 * The storage of a TreeListing (tree-listing.ts): columns of up to CHUNK
 * nodes, one typed array per field, and the bits that say which reads a
 * node's columns hold. Shared with VouchedReads (vouched-reads.ts), which
 * keeps some of a chunk's own arrays for a later walk.
 */
import type { Xattr } from './native/xattrs.js';

/** The attributes of a node read and found to have none. */
export const NONE: readonly Xattr[] = Object.freeze([]);
/** Bits of `known`: the attributes, the flags were read; the file has holes (fewer blocks than its size needs). */
export const XATTRS_READ = 1;
export const FLAGS_READ = 2;
export const HOLEY = 4;
export const BIRTH_READ = 8;
export const STAMPED = 16;
/** Nodes per chunk (a power of two). Columns grow a chunk at a time, so a big listing is never copied to grow. */
export const CHUNK_BITS = 14;
export const CHUNK = 1 << CHUNK_BITS;
export const MASK = CHUNK - 1;
/** The first chunk starts this small and doubles up to CHUNK: most walks list a few nodes. */
export const FIRST_CAPACITY = 64;

/** The columns of up to CHUNK nodes. */
export class Chunk {
  kinds: Uint8Array;
  known: Uint8Array;
  sizes: Float64Array;
  modes: Uint16Array;
  uids: Uint32Array;
  gids: Uint32Array;
  flags: Uint32Array;
  mtimes: BigInt64Array;
  atimes: BigInt64Array;
  /** Made on the first creation time stored: a listing without any (every OS but Windows) pays nothing for the column. */
  births: BigInt64Array | undefined;
  /** Inode numbers and change times, made on the first stamp stored: only a listing that vouches for its reads pays for them. */
  inos: BigUint64Array | undefined;
  ctimes: BigInt64Array | undefined;
  parents: Int32Array;
  /** Names as UTF-8, one after the other; node k's name is bytes nameAt[k] to nameAt[k + 1]. */
  nameBytes: Buffer;
  nameAt: Uint32Array;

  constructor(public cap: number) {
    this.kinds = new Uint8Array(cap);
    this.known = new Uint8Array(cap);
    this.sizes = new Float64Array(cap);
    this.modes = new Uint16Array(cap);
    this.uids = new Uint32Array(cap);
    this.gids = new Uint32Array(cap);
    this.flags = new Uint32Array(cap);
    this.mtimes = new BigInt64Array(cap);
    this.atimes = new BigInt64Array(cap);
    this.parents = new Int32Array(cap);
    this.nameBytes = Buffer.alloc(cap * 12);
    this.nameAt = new Uint32Array(cap + 1);
  }

  /** Twice the capacity (up to CHUNK), the columns copied: only the first chunk grows so. */
  grown(): Chunk {
    const c = new Chunk(Math.min(CHUNK, this.cap * 2));
    c.kinds.set(this.kinds);
    c.known.set(this.known);
    c.sizes.set(this.sizes);
    c.modes.set(this.modes);
    c.uids.set(this.uids);
    c.gids.set(this.gids);
    c.flags.set(this.flags);
    c.mtimes.set(this.mtimes);
    c.atimes.set(this.atimes);
    if (this.births) (c.births = new BigInt64Array(c.cap)).set(this.births);
    if (this.inos) (c.inos = new BigUint64Array(c.cap)).set(this.inos);
    if (this.ctimes) (c.ctimes = new BigInt64Array(c.cap)).set(this.ctimes);
    c.parents.set(this.parents);
    c.nameAt.set(this.nameAt);
    c.nameBytes = Buffer.alloc(Math.max(c.nameBytes.length, this.nameBytes.length));
    this.nameBytes.copy(c.nameBytes);
    return c;
  }

  /** Stores the name of node k (the names before it are stored). */
  putName(k: number, name: string): void {
    const start = this.nameAt[k];
    const need = start + Buffer.byteLength(name);
    if (need > this.nameBytes.length) {
      const more = Buffer.alloc(Math.max(need, this.nameBytes.length * 2));
      this.nameBytes.copy(more, 0, 0, start);
      this.nameBytes = more;
    }
    this.nameBytes.write(name, start, 'utf8');
    this.nameAt[k + 1] = need;
  }

  name(k: number): string {
    return this.nameBytes.toString('utf8', this.nameAt[k], this.nameAt[k + 1]);
  }

  /** Whether nodes 0..n-1 here and in `o` have the same parents and names. */
  sameShape(o: Chunk, n: number): boolean {
    const bytes = (a: Int32Array | Uint32Array, len: number) => Buffer.from(a.buffer, a.byteOffset, len * 4);
    if (!bytes(this.parents, n).equals(bytes(o.parents, n))) return false;
    if (!bytes(this.nameAt, n + 1).equals(bytes(o.nameAt, n + 1))) return false;
    const end = this.nameAt[n];
    return this.nameBytes.subarray(0, end).equals(o.nameBytes.subarray(0, end));
  }
}
