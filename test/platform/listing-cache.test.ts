/**
 * The hand-out rules of NodeFs's listing cache (src/platform/fs/listing-cache.ts,
 * whose doc comment states the invariant): listings are kept by the root's
 * identity, which a rename keeps, each handed out once, never for another
 * tree, and all forgotten by `clear`. test/exec/listing-reuse.test.ts and
 * ctime-reuse.test.ts pin what the reuse must not weaken in a whole move.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ListingCache } from '../../src/platform/fs/listing-cache.js';
import { walk } from '../../src/platform/fs/walk-tree.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-listing-cache-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A folder holding one file, and its listing. */
async function tree(name: string) {
  const p = path.join(root, name);
  mkdirSync(p);
  writeFileSync(path.join(p, 'f'), name);
  return { p, listing: await walk(p) };
}

describe('ListingCache', () => {
  it('hands a kept listing out once, by the root it was kept for', async () => {
    const cache = new ListingCache();
    const a = await tree('a');
    cache.keepVerifySide(a.p, a.listing);
    expect(cache.takeVerifySide(a.p)).toBe(a.listing);
    expect(cache.takeVerifySide(a.p), 'handed out once').toBeUndefined();
  });

  it('follows a tree through a rename (the identity is the root inode), and never gives one tree for another', async () => {
    const cache = new ListingCache();
    const a = await tree('a');
    const b = await tree('b');
    cache.keepVerifySide(a.p, a.listing);
    expect(cache.takeVerifySide(b.p)).toBeUndefined();
    const moved = path.join(root, 'moved');
    renameSync(a.p, moved);
    expect(cache.takeVerifySide(moved)).toBe(a.listing);
  });

  it('keeps nothing for a root that cannot be read', async () => {
    const cache = new ListingCache();
    const a = await tree('a');
    const gone = path.join(root, 'gone');
    cache.keepSnapshotSource(gone, a.listing);
    expect(cache.takeSnapshotSource(gone)).toBeUndefined();
  });

  it("copyTree's listing is the next verify's side; unstamped, it brings no vouched reads", async () => {
    const cache = new ListingCache();
    const a = await tree('a');
    cache.keepCopied(a.p, a.listing);
    expect(cache.takeVouchedReads(a.p)).toBeUndefined();
    expect(cache.takeVerifySide(a.p)).toBe(a.listing);
  });

  it('peeking a snapshot source leaves it for the snapshot; a new verify drops only the snapshot sources', async () => {
    const cache = new ListingCache();
    const a = await tree('a');
    const b = await tree('b');
    cache.keepSnapshotSource(a.p, a.listing);
    expect(cache.peekSnapshotSource(a.p)).toBe(a.listing);
    expect(cache.takeSnapshotSource(a.p)).toBe(a.listing);
    cache.keepSnapshotSource(a.p, a.listing);
    cache.keepVerifySide(b.p, b.listing);
    cache.dropSnapshotSources();
    expect(cache.peekSnapshotSource(a.p)).toBeUndefined();
    expect(cache.takeVerifySide(b.p)).toBe(b.listing);
  });

  it('clear forgets every listing (a copy, a delete and a restore clear it)', async () => {
    const cache = new ListingCache();
    const a = await tree('a');
    const b = await tree('b');
    cache.keepCopied(a.p, a.listing);
    cache.keepVerifySide(b.p, b.listing);
    cache.keepSnapshotSource(b.p, b.listing);
    cache.clear();
    expect(cache.takeVerifySide(a.p)).toBeUndefined();
    expect(cache.takeVerifySide(b.p)).toBeUndefined();
    expect(cache.takeSnapshotSource(b.p)).toBeUndefined();
  });
});
