import { chmodSync, lstatSync } from 'node:fs';
import { RelocateError } from '../../core/errors.js';
import type { FsPort, OutsideName } from '../../exec/fs-port.js';
import { stagingName } from '../../core/own-names.js';
import { fsyncDirSync } from '../durability.js';
import type { MetaKeeper } from '../keep-meta.js';
import type { NodeKind, TreeListing } from '../tree-listing.js';
import { fsError } from './errno-codes.js';
import { HOST } from './host-primitives.js';
import { walk } from './walk-tree.js';

const under = HOST.under;

/** The NodeFs calls a restore makes, and its keeper. */
export type RestorePort = Pick<FsPort, 'deleteTree' | 'copyTree' | 'renameNoReplace' | 'syncDir'> & { keeper(): Promise<MetaKeeper> };

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
  for (let i = 0; i < list.length; i++)
    out.push({ rel: list.rel(i), kind: list.kind(i), id: list.id(i), mode: list.mode(i), mtimeNs: list.mtimeNs(i), atimeNs: list.atimeNs(i) });
  return out;
}

/**
 * NodeFs.restoreMissing (FsPort says what it promises): puts back into
 * `root` every node of `twin` that `root` lacks, each missing top copied
 * beside its place and renamed in (never over anything), hard links and
 * outside names (`reuse`) linked again; returns how many tops came back.
 * Every disk change goes through `port`, so a subclass or a fault harness
 * that replaces a NodeFs call sees it.
 */
export async function restoreMissing(port: RestorePort, twin: string, root: string, reuse?: readonly OutsideName[]): Promise<number> {
  // An undo path, over what a crash left: the listings as one object per node, which this logic reads best.
  const [want, have] = [nodesOf(await walk(twin)), nodesOf(await walk(root))];
  if (have[0]?.kind !== 'dir' || want[0]?.kind !== 'dir') {
    throw new RelocateError('E_INCONSISTENT', `${root} is not a folder like ${twin}, so its missing files cannot be put back`, {
      path: root,
      hint: 'inspect both paths by hand; relocate changed nothing more',
    });
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
    if (lstatSync(staging, { throwIfNoEntry: false })) await port.deleteTree(staging);
    // A name inside the tree wins over an outside one: it is the same data either way when both hold.
    const links: OutsideName[] = [...(outsideUnder.get(t.rel) ?? [])];
    for (const f of sharedUnder.get(t.rel) ?? []) {
      const at = nameOf.get(f.id);
      const s = at === undefined ? undefined : lstatSync(at, { bigint: true, throwIfNoEntry: false });
      if (at !== undefined && s) links.push({ rel: f.rel, path: at, dev: String(s.dev), ino: String(s.ino) });
    }
    const rebased = links.map((r) => ({ ...r, rel: r.rel === t.rel ? '' : r.rel.slice(t.rel.length + 1) }));
    await port.copyTree(under(twin, t.rel), staging, undefined, undefined, rebased);
    await port.renameNoReplace(staging, dest);
    for (const f of sharedUnder.get(t.rel) ?? []) if (!nameOf.has(f.id)) nameOf.set(f.id, under(root, f.rel));
    restored++;
  }
  // Folders that lost entries got new times; the twin kept the original's (the copy preserved them). Deepest
  // first, and only where they differ: a flagged folder (immutable, append-only) lost nothing and refuses changes.
  const keeper = await port.keeper();
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
  await port.syncDir(root);
  return restored;
}
