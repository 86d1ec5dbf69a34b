/**
 * The tree jobs of the in-memory port (port.ts): copy, verify, snapshot and
 * the metadata a copy keeps. Synchronous on the disk; errors are Node-like
 * errno errors (disk.ts) or RelocateErrors made as src/platform/fs makes them.
 */
import { RelocateError } from '../../../src/core/errors.js';
import type { NodeInfo, NodeMeta, OutsideName } from '../../../src/exec/fs-port.js';
import type { VerifyMode } from '../../../src/exec/steps.js';
import { fsError, HINTS } from '../../../src/platform/fs/errno-codes.js';
import type { MemDisk } from './disk.js';
import type { MemNode, NodeBase } from './types.js';
import { under, walkTree, type Walked } from './walk.js';

/** What an lstat tells the executor about a node (POSIX has no junctions: Node makes them as symlinks). */
export function infoOf(n: MemNode): NodeInfo {
  const info: NodeInfo = { kind: n.kind, dev: n.vol.dev, ino: String(n.ino) };
  if (n.kind === 'symlink' || n.kind === 'junction') info.linkText = n.text;
  return info;
}

/** Gives `to` the metadata a copy keeps: mode, times, streams (attributes or ADS), and on Windows the creation time. */
export function keepMeta(disk: MemDisk, from: NodeBase, to: NodeBase): void {
  to.mode = from.mode;
  to.mtimeNs = from.mtimeNs;
  to.atimeNs = from.atimeNs;
  if (disk.flavour === 'windows') to.birthtimeNs = from.birthtimeNs;
  to.streams = new Map([...from.streams].map(([k, v]) => [k, Buffer.from(v)]));
}

/** Whether an outside name still is the file it was when journaled, and the same as the file being copied. */
function stillSame(disk: MemDisk, outside: OutsideName, source: MemNode): boolean {
  const n = disk.nodeAt(outside.path);
  if (n?.kind !== 'file' || source.kind !== 'file') return false;
  return n.vol.dev === outside.dev && String(n.ino) === outside.ino && n.data.length === source.data.length && n.mtimeNs === source.mtimeNs && n.mode === source.mode;
}

/**
 * FsPort.copyTree on the disk: the root made first (folder, empty file or
 * link) and told to `onRoot`, then filled; hard links inside the tree kept;
 * `reuse` as FsPort says; folders' metadata set deepest first, last.
 */
export function copyTreeOn(disk: MemDisk, from: string, to: string, onRoot?: (root: NodeInfo) => void, reuse?: readonly OutsideName[], progress?: (bytes: number) => void): void {
  if (disk.nodeAt(to)) throw new RelocateError('E_EXISTS', `cannot copy to ${to}: something is already there`, { path: to, hint: HINTS.E_EXISTS! });
  const nodes = walkTree(disk, from);
  if (nodes.length === 0) throw fsError(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), from, 'reading');
  const outsideByRel = new Map((reuse ?? []).map((r) => [r.rel, r]));
  const firstCopyOf = new Map<MemNode, string>();
  const made = (w: Walked) => under(disk, to, w.rel);
  let done = 0;
  const rootMade = () => {
    const n = disk.nodeAt(to);
    if (n && onRoot) onRoot(infoOf(n));
  };
  for (const w of nodes) {
    const dest = made(w);
    const n = w.node;
    try {
      if (n.kind === 'dir') {
        disk.mkdir(dest, 0o700);
        if (w.rel === '') rootMade();
      } else if (n.kind === 'symlink' || n.kind === 'junction') {
        keepMeta(disk, n, disk.link(dest, n.text, n.kind, n.dirLink));
        if (w.rel === '') rootMade();
      } else if (n.kind === 'file') {
        const outside = outsideByRel.get(w.rel);
        const first = firstCopyOf.get(n);
        if (first !== undefined) disk.hardLink(first, dest);
        else if (outside && stillSame(disk, outside, n) && disk.volumeOf(outside.path) === disk.volumeOf(dest)) disk.hardLink(outside.path, dest);
        else {
          // A file root exists (empty) and is reported before its bytes are written: relocate's own from its first byte.
          const f = disk.createFile(dest, w.rel === '' ? Buffer.alloc(0) : n.data, 0o600);
          if (w.rel === '') {
            rootMade();
            disk.writeFile(dest, n.data);
          }
          keepMeta(disk, n, f);
          done += n.data.length;
          progress?.(done);
        }
        if (n.nlink > 1 && first === undefined) firstCopyOf.set(n, dest);
      }
    } catch (err) {
      throw fsError(err, dest, n.kind === 'dir' ? 'creating the folder' : 'copying to');
    }
  }
  for (const w of nodes.slice().reverse()) if (w.node.kind === 'dir') keepMeta(disk, w.node, disk.nodeAt(made(w))!);
}

function sameStreams(a: NodeBase, b: NodeBase): string | undefined {
  for (const [k, v] of a.streams) {
    const w = b.streams.get(k);
    if (!w) return `the ${k} stream (attribute) is missing`;
    if (!w.equals(v)) return `the ${k} stream (attribute) differs`;
  }
  for (const k of b.streams.keys()) if (!a.streams.has(k)) return `the copy has a ${k} stream (attribute) the original lacks`;
  return undefined;
}

/** FsPort.verify on the disk: names, kinds, sizes, link texts, modes, times and streams; with `content` or `subset`, bytes. */
export function verifyOn(disk: MemDisk, original: string, copy: string, mode: VerifyMode, subset: boolean): void {
  const a = walkTree(disk, original);
  if (a.length === 0) throw fsError(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), original, 'reading');
  const b = walkTree(disk, copy);
  if (b.length === 0) throw fsError(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), copy, 'reading');
  const key = (rel: string) => rel.split('/').map((x) => disk.nameKey(x)).join('/');
  const byRel = new Map(b.map((w) => [key(w.rel), w]));
  const fail = (what: string, rel: string): never => {
    throw new RelocateError('E_VERIFY', `the copy ${copy} does not match ${original}: ${rel === '' ? '(the top)' : rel}: ${what}`, {
      path: under(disk, copy, rel),
      hint: 'nothing was deleted; the original is intact. Check the destination disk, then run again',
    });
  };
  for (const x of a) {
    const y = byRel.get(key(x.rel));
    const n = x.node;
    if (subset && n.kind === 'dir') {
      if (y && y.node.kind !== 'dir') fail('a folder on one side, not on the other', x.rel);
      continue;
    }
    if (!y) return fail('missing in the copy', x.rel);
    const m = y.node;
    if (m.kind !== n.kind) fail(`a ${n.kind} became a ${m.kind}`, x.rel);
    if ((n.kind === 'symlink' || n.kind === 'junction') && m.kind === n.kind && n.text !== m.text) fail(`the link text differs (${n.text} vs ${m.text})`, x.rel);
    if (n.kind === 'file' && m.kind === 'file') {
      if (n.data.length !== m.data.length) fail(`size ${n.data.length} vs ${m.data.length}`, x.rel);
      if ((mode === 'content' || subset) && !n.data.equals(m.data)) fail('the content differs', x.rel);
    }
    if (subset) continue;
    if (n.kind === 'symlink' || n.kind === 'junction') continue;
    if (n.mode !== m.mode) fail(`mode ${n.mode.toString(8)} vs ${m.mode.toString(8)}`, x.rel);
    if (n.mtimeNs !== m.mtimeNs) fail(`mtime ${n.mtimeNs} vs ${m.mtimeNs} ns`, x.rel);
    if (disk.flavour === 'windows' && n.birthtimeNs !== m.birthtimeNs) fail(`creation time ${n.birthtimeNs} vs ${m.birthtimeNs} ns`, x.rel);
    const streams = sameStreams(n, m);
    if (streams) fail(streams, x.rel);
  }
  if (!subset && a.length !== b.length) {
    const names = new Set(a.map((w) => key(w.rel)));
    fail('extra in the copy', b.find((w) => !names.has(key(w.rel)))?.rel ?? '');
  }
}

/** One node as FsPort.snapshot records it (a junction inside a tree is recorded as a link; restoreSnapshot copies it as it is). */
export function metaOf(disk: MemDisk, w: Walked): NodeMeta {
  const n = w.node;
  const meta: NodeMeta = {
    rel: w.rel,
    kind: n.kind === 'junction' ? 'symlink' : n.kind,
    mode: n.mode,
    mtimeMs: Number(n.mtimeNs / 1_000_000n),
    atimeMs: Number(n.atimeNs / 1_000_000n),
    mtimeNs: String(n.mtimeNs),
    atimeNs: String(n.atimeNs),
    xattrs: [...n.streams].sort(([x], [y]) => (x < y ? -1 : 1)).map(([name, v]) => ({ name, value: v.toString('base64') })),
  };
  if (disk.flavour === 'windows') meta.birthtimeNs = String(n.birthtimeNs);
  return meta;
}

/** Gives the node at `p` what its snapshot recorded; a field an older journal lacks leaves the node's own. */
export function applySnapshotMeta(disk: MemDisk, p: string, m: NodeMeta): void {
  const n = disk.nodeAt(p);
  if (!n) throw fsError(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), p, 'setting the times of');
  if (n.kind !== 'symlink' && n.kind !== 'junction') n.mode = m.mode;
  n.mtimeNs = m.mtimeNs !== undefined ? BigInt(m.mtimeNs) : BigInt(Math.round(m.mtimeMs * 1e6));
  n.atimeNs = m.atimeNs !== undefined ? BigInt(m.atimeNs) : BigInt(Math.round(m.atimeMs * 1e6));
  if (m.birthtimeNs !== undefined && disk.flavour === 'windows') n.birthtimeNs = BigInt(m.birthtimeNs);
  if (m.xattrs) n.streams = new Map(m.xattrs.map((x) => [x.name, Buffer.from(x.value, 'base64')]));
}
