/**
 * The columnar listing of a walk (src/platform/tree-listing.ts): what goes
 * in comes out, across chunk boundaries; paths are built from parents and
 * names; equal shapes pair by position and any renamed or moved node breaks
 * the pairing; "not read" stays distinct from "read, none" for attributes
 * and flags.
 */
import { describe, expect, it } from 'vitest';
import type { CtimeVouch } from '../../src/platform/ctime-vouch.js';
import { TreeListing, type ListedNode } from '../../src/platform/tree-listing.js';

const node = (over: Partial<ListedNode> = {}): ListedNode => ({
  kind: 'file',
  size: 1,
  blocks: 8,
  mode: 0o644,
  uid: 1000,
  gid: 1000,
  nlink: 1,
  mtimeNs: 1_700_000_000_123_456_789n,
  atimeNs: 1_700_000_001_000_000_001n,
  id: '',
  xattrs: [],
  flags: 0,
  ...over,
});

/** A root, `dirs` folders under it and `files` files in each (names sorted as a walk lists them). */
function tree(dirs: number, files: number, rename?: (rel: string) => string): TreeListing {
  const l = new TreeListing();
  l.add(-1, '', node({ kind: 'dir', size: 4096 }));
  const at: number[] = [];
  for (let d = 0; d < dirs; d++) at.push(l.add(0, `dir é${d}`, node({ kind: 'dir' })));
  for (let d = 0; d < dirs; d++)
    for (let f = 0; f < files; f++)
      l.add(at[d]!, (rename ?? ((x) => x))(`f${f}`), node({ size: d * files + f, mtimeNs: BigInt(d * files + f) * 1_000_000_007n }));
  return l;
}

describe('TreeListing', () => {
  it('keeps every field of every node across chunks (40,000 nodes), and builds paths from parents and names', () => {
    const l = tree(40, 1000);
    expect(l.length).toBe(1 + 40 + 40_000);
    expect(l.rel(0)).toBe('');
    expect(l.rel(1)).toBe('dir é0');
    const last = l.length - 1;
    expect(l.rel(last)).toBe('dir é39/f999');
    expect(l.size(last)).toBe(39_999);
    expect(l.mtimeNs(last)).toBe(39_999n * 1_000_000_007n);
    expect(l.mtimeMs(last)).toBe(Number((39_999n * 1_000_000_007n) / 1_000_000n));
    expect(l.kind(5)).toBe('dir');
    expect(l.kind(last)).toBe('file');
    expect(l.meta(last)).toMatchObject({ kind: 'file', mode: 0o644, uid: 1000, gid: 1000, atimeNs: 1_700_000_001_000_000_001n, xattrs: [], flags: 0 });
    // Out of order (the cache of the last folder's path must not leak between folders).
    expect(l.rel(41 + 1000 * 7 + 3)).toBe('dir é7/f3');
    expect(l.rel(41 + 2)).toBe('dir é0/f2');
    expect([...l.byRel().entries()].length).toBe(l.length);
  });

  it('pairs equal shapes by position; a renamed node, or one fewer, does not pair', () => {
    expect(tree(3, 30_000).sameShape(tree(3, 30_000))).toBe(true);
    expect(tree(3, 30_000).sameShape(tree(3, 29_999))).toBe(false);
    expect(tree(3, 30_000).sameShape(tree(3, 30_000, (n) => (n === 'f29000' ? 'f29000x' : n)))).toBe(false);
    expect(tree(3, 30_000).sameShape(tree(3, 30_000, (n) => (n === 'f5' ? 'F5' : n)))).toBe(false);
  });

  it('keeps "not read" (null) apart from "none" for attributes and flags, and link texts and identities where given', () => {
    const l = new TreeListing();
    l.add(-1, '', node({ kind: 'dir', xattrs: null, flags: null }));
    const x = [{ name: 'user.a', raw: Buffer.from('user.a\0'), value: Buffer.from('v') }];
    const f = l.add(0, 'a', node({ xattrs: x, flags: 0x4000, id: '1:2', nlink: 2 }));
    const s = l.add(0, 'b', node({ kind: 'symlink', linkText: '../t' }));
    expect(l.xattrs(0)).toBeNull();
    expect(l.flags(0)).toBeNull();
    expect(l.xattrs(f)).toEqual(x);
    expect(l.flags(f)).toBe(0x4000);
    expect(l.xattrs(s)).toEqual([]);
    expect(l.id(f)).toBe('1:2');
    expect(l.id(s)).toBe('');
    expect(l.linkText(s)).toBe('../t');
    l.setXattrs(0, []);
    l.setFlags(0, 0);
    expect(l.xattrs(0)).toEqual([]);
    expect(l.flags(0)).toBe(0);
  });

  it("keeps creation times where the walk gives them (Windows), through the first chunk's growth and past it; none where it does not", () => {
    const l = new TreeListing();
    l.add(-1, '', node({ kind: 'dir', birthtimeNs: 5n }));
    // Past the first chunk's 64 slots (it grows, copying the column) and past CHUNK (a new chunk makes its own).
    for (let k = 1; k < 20_000; k++) l.add(0, `f${k}`, node(k % 3 === 0 ? {} : { birthtimeNs: 1_600_000_000_000_000_000n + BigInt(k) }));
    expect(l.birthtimeNs(0)).toBe(5n);
    expect(l.birthtimeNs(1)).toBe(1_600_000_000_000_000_001n);
    expect(l.birthtimeNs(3)).toBeUndefined();
    expect(l.birthtimeNs(19_999)).toBe(1_600_000_000_000_000_000n + 19_999n);
    expect(l.meta(19_999).birthtimeNs).toBe(1_600_000_000_000_000_000n + 19_999n);
    expect('birthtimeNs' in l.meta(3)).toBe(false);
    const plain = tree(2, 3);
    expect(plain.birthtimeNs(4)).toBeUndefined();
    expect('birthtimeNs' in plain.meta(4)).toBe(false);
  });

  it('yields the paths in the order a sort of all of them gives, folder by folder (names with - . and other characters before /, non-ASCII)', () => {
    const names = ['a', 'a-b', 'a.c', 'a0', 'A', 'b', 'é', '\u{1F600}', '\uE000', 'a b', 'a!'];
    const l = new TreeListing();
    l.add(-1, '', node({ kind: 'dir' }));
    // Breadth first as the walk lists: every name at the top is a folder (with the same names inside, then
    // files inside those), except a file 'b' and a socket 'a!' (kind other: never listed by snapshots).
    const top = names.map((n) => l.add(0, n, node({ kind: n === 'b' ? 'file' : n === 'a!' ? 'other' : 'dir' })));
    const second: number[] = [];
    for (const [k, d] of top.entries())
      if (l.kind(d) === 'dir' && k % 2 === 0) for (const n of names) second.push(l.add(d, n, node({ kind: n === 'a' ? 'dir' : 'file' })));
    for (const d of second) if (l.kind(d) === 'dir') for (const n of ['x', 'x-y']) l.add(d, n, node());
    const want: string[] = [];
    for (let i = 0; i < l.length; i++) if (l.kind(i) !== 'other') want.push(l.rel(i));
    want.sort();
    expect([...l.sortedRels()]).toEqual(want);
    expect(want.length).toBeGreaterThan(60);
  });

  it("stamped reads survive the first chunk's growth and a second chunk, and are handed out only for the stamp they were read with", () => {
    const l = new TreeListing();
    expect(l.vouchedReads(), 'no vouch: nothing to reuse').toBeUndefined();
    // A vouch that checks only the stamp (ctime-vouch.ts has the real terms, tested there).
    l.vouch = {
      vouches: (_dev: bigint, ino: bigint, ctime: bigint, lIno: bigint, lCtime: bigint) => ino === lIno && ctime === lCtime,
    } as unknown as CtimeVouch;
    const x = [{ name: 'user.a', raw: Buffer.from('user.a\0'), value: Buffer.from('v') }];
    l.add(-1, '', node({ kind: 'dir', ino: 2n, ctimeNs: 20n, xattrs: [], flags: 0 }));
    for (let k = 1; k < 20_000; k++)
      l.add(
        0,
        `f${k}`,
        node(
          k === 3
            ? { xattrs: x, flags: 0x40, ino: 2n ** 63n + 3n, ctimeNs: 30n }
            : k === 5
              ? { xattrs: null, flags: null, ino: 5n, ctimeNs: 50n }
              : k === 7
                ? {}
                : { ino: BigInt(k), ctimeNs: BigInt(k) * 10n },
        ),
      );
    const reads = l.vouchedReads()!;
    expect(reads.at(3, 1n, 2n ** 63n + 3n, 30n)).toEqual({ xattrs: x, flags: 0x40 });
    expect(reads.at(3, 1n, 2n ** 63n + 3n, 31n), 'ctime moved').toBeUndefined();
    expect(reads.at(3, 1n, 3n, 30n), 'another inode').toBeUndefined();
    expect(reads.at(5, 1n, 5n, 50n), 'not read then: read now').toEqual({ xattrs: null, flags: null });
    expect(reads.at(7, 1n, 0n, 0n), 'a node the walk did not stamp').toBeUndefined();
    expect(reads.at(19_999, 1n, 19_999n, 199_990n), 'in the second chunk').toEqual({ xattrs: [], flags: 0 });
    expect(reads.at(20_000, 1n, 0n, 0n), 'past the end').toBeUndefined();
    expect(reads.at(-1, 1n, 0n, 0n)).toBeUndefined();
  });
});
