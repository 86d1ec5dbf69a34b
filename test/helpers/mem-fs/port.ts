/**
 * `memFsPort(disk)`: every FsPort method on the in-memory disk (disk.ts),
 * keeping the port's contract (src/exec/fs-port.ts): no link ever followed,
 * a rename never replaces, a copy's root made and told to `onRoot` before
 * anything is written into it, errors as RelocateErrors with the codes
 * src/platform/fs gives the same errnos (`fsError`).
 *
 * As NodeFs does, every call one job makes of another (a copy's or a
 * rename's folder sync, a restore's copy and rename) goes through `this`,
 * so a fault harness wrapping the port (test/fault/faulty-fs.ts rebinds
 * `syncDir`) sees them all.
 */
import { RelocateError } from '../../../src/core/errors.js';
import { stagingName } from '../../../src/core/own-names.js';
import { canonicalPath, isAbsolutePath, samePath } from '../../../src/core/paths.js';
import type { FsPort, NodeInfo, NodeMeta, OutsideName, OutsideNames, ProgressFn, RootMadeFn } from '../../../src/exec/fs-port.js';
import type { VerifyMode } from '../../../src/exec/steps.js';
import type { ResolvedLinkType } from '../../../src/plan/types.js';
import { fsError, HINTS } from '../../../src/platform/fs/errno-codes.js';
import { deleteClearingReadOnly } from '../../../src/platform/windows/read-only.js';
import type { InUseFile } from '../../../src/state/types.js';
import type { MemDisk } from './disk.js';
import { applySnapshotMeta, copyTreeOn, infoOf, keepMeta, metaOf, verifyOn } from './tree-ops.js';
import { under, walkTree } from './walk.js';

/** Runs a primitive, turning its errno into the RelocateError src would throw. */
function sys<T>(p: string, doing: string, call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw fsError(err, p, doing);
  }
}

/** A failed link creation, as src/platform/fs/links.ts reports it. */
function linkError(disk: MemDisk, err: unknown, p: string, kind: string, doing: string): RelocateError {
  if (disk.flavour === 'windows' && kind === 'symlink' && (err as NodeJS.ErrnoException)?.code === 'EPERM') {
    return new RelocateError('E_SYMLINK_PRIVILEGE', `${doing} ${p} failed: creating symbolic links needs Developer Mode or the "Create symbolic links" privilege`, {
      path: p, hint: 'enable Developer Mode (Settings > For developers), or use `type: junction` for folders', cause: err,
    });
  }
  return fsError(err, p, doing);
}

export class MemFsPort implements FsPort {
  /** Every syncDir asked, in order (a test may check what was made durable). */
  readonly synced: string[] = [];

  constructor(readonly disk: MemDisk) {}

  private get api() {
    return this.disk.api;
  }

  async lstat(p: string): Promise<NodeInfo | null> {
    const n = this.disk.nodeAt(p);
    return n ? infoOf(n) : null;
  }

  async missingDirs(p: string): Promise<string[]> {
    const missing: string[] = [];
    for (let cur = p; ; cur = this.api.dirname(cur)) {
      const n = this.disk.nodeAt(cur);
      if (n) {
        if (n.kind !== 'dir') throw new RelocateError('E_EXISTS', `${cur} is not a folder, so ${p} cannot be created`, { path: cur, hint: 'move it away, or choose another target' });
        break;
      }
      missing.unshift(cur);
      if (this.api.dirname(cur) === cur) break;
    }
    return missing;
  }

  async mkdirs(p: string): Promise<string[]> {
    const missing = await this.missingDirs(p);
    for (const d of missing) sys(d, 'creating the folder', () => this.disk.mkdir(d));
    for (const d of missing) await this.syncDir(this.api.dirname(d));
    return missing;
  }

  async rmdirIfEmpty(p: string): Promise<boolean> {
    try {
      this.disk.rmdir(p);
    } catch (err) {
      const c = (err as NodeJS.ErrnoException).code;
      if (c === 'ENOENT' || c === 'ENOTEMPTY' || c === 'EEXIST') return false;
      throw fsError(err, p, 'removing the folder');
    }
    await this.syncDir(this.api.dirname(p));
    return true;
  }

  async renameNoReplace(from: string, to: string): Promise<void> {
    try {
      this.disk.renameNoReplace(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new RelocateError('E_EXISTS', `cannot move ${from} to ${to}: something is already there`, { path: to, hint: HINTS.E_EXISTS! });
      throw fsError(err, from, `moving to ${to}:`);
    }
    await this.syncDir(this.api.dirname(to));
    if (this.api.dirname(from) !== this.api.dirname(to)) await this.syncDir(this.api.dirname(from));
  }

  async copyTree(from: string, to: string, progress?: ProgressFn, onRoot?: RootMadeFn, reuse?: readonly OutsideName[]): Promise<void> {
    copyTreeOn(this.disk, from, to, onRoot, reuse, progress);
    for (const w of walkTree(this.disk, to)) if (w.node.kind === 'dir') await this.syncDir(w.path);
    await this.syncDir(this.api.dirname(to));
  }

  async outsideNames(root: string): Promise<OutsideNames> {
    const inside = walkTree(this.disk, root);
    const namesInside = new Map<object, { rel: string; count: number }>();
    for (const w of inside) {
      if (w.node.kind !== 'file' || w.node.nlink < 2) continue;
      const had = namesInside.get(w.node);
      namesInside.set(w.node, { rel: had?.rel ?? w.rel, count: (had?.count ?? 0) + 1 });
    }
    const shared = [...namesInside].filter(([n, v]) => (n as { nlink: number }).nlink > v.count);
    if (shared.length === 0) return { found: [], missing: 0 };
    // The whole volume is searched (never through a link): a small disk needs no bound.
    const vol = this.disk.volumeOf(root)!;
    const rootKey = canonicalPath(root, this.disk.style);
    const found: OutsideName[] = [];
    const elsewhere = walkTree(this.disk, vol.root).filter((w) => !samePath(w.path, rootKey, this.disk.style) && !w.path.toLowerCase().startsWith(rootKey.toLowerCase() + this.api.sep));
    for (const [n, v] of shared) {
      const out = elsewhere.find((w) => w.node === n);
      if (out) found.push({ rel: v.rel, path: out.path, dev: out.node.vol.dev, ino: String(out.node.ino) });
    }
    return { found, missing: shared.length - found.length };
  }

  async restoreMissing(twin: string, root: string, reuse?: readonly OutsideName[]): Promise<number> {
    let restored = 0;
    const twinNodes = walkTree(this.disk, twin);
    for (const t of twinNodes) {
      if (t.rel === '') continue;
      const dest = under(this.disk, root, t.rel);
      if (this.disk.nodeAt(dest) || !this.disk.nodeAt(this.api.dirname(dest))) continue;
      // A file with another name still in `root` is linked to it, not copied (it is one file).
      const sibling = t.node.kind === 'file' && t.node.nlink > 1 ? twinNodes.find((o) => o.node === t.node && o.rel !== t.rel && this.disk.nodeAt(under(this.disk, root, o.rel))?.kind === 'file') : undefined;
      if (sibling) {
        await this.hardLink(under(this.disk, root, sibling.rel), dest);
      } else {
        const staging = stagingName(dest, 'undo', this.disk.style);
        if (this.disk.nodeAt(staging)) await this.deleteTree(staging);
        const mine = (reuse ?? []).filter((r) => r.rel === t.rel || r.rel.startsWith(t.rel + '/')).map((r) => ({ ...r, rel: r.rel.slice(t.rel.length + 1) }));
        await this.copyTree(t.path, staging, undefined, undefined, mine);
        await this.renameNoReplace(staging, dest);
      }
      restored++;
    }
    for (const t of twinNodes.slice().reverse()) {
      const there = this.disk.nodeAt(under(this.disk, root, t.rel));
      if (t.node.kind === 'dir' && there?.kind === 'dir') keepMeta(this.disk, t.node, there);
    }
    return restored;
  }

  async treeBytes(p: string): Promise<number> {
    const seen = new Set<object>();
    let bytes = 0;
    for (const w of walkTree(this.disk, p)) {
      if (w.node.kind !== 'file' || seen.has(w.node)) continue;
      seen.add(w.node);
      bytes += w.node.data.length;
    }
    return bytes;
  }

  async verify(original: string, copy: string, mode: VerifyMode, subset: boolean, progress?: ProgressFn): Promise<void> {
    verifyOn(this.disk, original, copy, mode, subset);
    progress?.(await this.treeBytes(original));
  }

  async snapshot(root: string): Promise<NodeMeta[]> {
    return walkTree(this.disk, root).map((w) => metaOf(this.disk, w));
  }

  async snapshotNames(root: string): Promise<Iterable<string>> {
    return walkTree(this.disk, root).map((w) => w.rel).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async restoreSnapshot(fromRoot: string, toRoot: string, nodes: NodeMeta[]): Promise<void> {
    const at = (n: NodeMeta) => under(this.disk, toRoot, n.rel);
    for (const n of nodes) {
      if (n.kind === 'dir') {
        if (n.rel !== '') sys(at(n), 'creating the folder', () => this.disk.mkdir(at(n)));
        continue;
      }
      await this.copyTree(under(this.disk, fromRoot, n.rel), at(n));
      applySnapshotMeta(this.disk, at(n), n);
    }
    // Folders last, deepest first: creating their contents changed their times.
    for (const n of nodes.filter((x) => x.kind === 'dir').reverse()) applySnapshotMeta(this.disk, at(n), n);
    for (const n of nodes) if (n.kind === 'dir') await this.syncDir(at(n));
  }

  /** Makes a link: on Windows a symlink needs the privilege, a junction's text is made absolute and it leads only to a folder. */
  private makeLink(p: string, text: string, kind: 'symlink' | 'junction', dirHint: boolean | undefined, doing: string): void {
    const disk = this.disk;
    try {
      if (disk.flavour === 'posix') {
        disk.link(p, text, 'symlink', false);
        return;
      }
      if (kind === 'symlink') {
        const to = disk.followed(isAbsolutePath(text, disk.style) ? text : this.api.resolve(this.api.dirname(p), text));
        disk.link(p, text, 'symlink', dirHint ?? (to === null || to.kind === 'dir'));
        return;
      }
      const abs = isAbsolutePath(text, disk.style) ? text : this.api.resolve(this.api.dirname(p), text);
      const to = disk.followed(abs);
      if (to && to.kind !== 'dir') {
        throw new RelocateError('E_LINK_UNSUPPORTED', `${doing} ${p} failed: a junction can lead only to a folder, and ${abs} is a file`, {
          path: p, hint: 'try another `type:` (or another volume); nothing was left half-made',
        });
      }
      disk.link(p, abs, 'junction', true);
    } catch (err) {
      if (err instanceof RelocateError) throw err;
      throw linkError(disk, err, p, kind, doing);
    }
  }

  async createLink(p: string, target: string, kind: ResolvedLinkType): Promise<void> {
    if (kind === 'hardlink') sys(p, 'creating the hardlink at', () => this.disk.hardLink(target, p));
    else this.makeLink(p, target, kind, undefined, `creating the ${kind} at`);
    await this.syncDir(this.api.dirname(p));
  }

  async restoreLink(p: string, linkText: string, kind: 'symlink' | 'junction', dirHint: boolean): Promise<void> {
    this.makeLink(p, linkText, kind, dirHint, 'recreating the link at');
    await this.syncDir(this.api.dirname(p));
  }

  async linkDestination(p: string): Promise<string | null> {
    const n = this.disk.nodeAt(p);
    if (n?.kind !== 'symlink' && n?.kind !== 'junction') return null;
    return canonicalPath(this.disk.linkTargetPath(p, n), this.disk.style);
  }

  async removeLink(p: string): Promise<void> {
    const n = this.disk.nodeAt(p);
    if (!n) return;
    if (n.kind !== 'symlink' && n.kind !== 'junction') throw new RelocateError('E_NOT_A_LINK', `${p} is not a link; relocate will not delete it`, { path: p, hint: 'the disk changed since the plan; run `relocate plan` again' });
    sys(p, 'removing the link', () => this.disk.unlink(p));
    await this.syncDir(this.api.dirname(p));
  }

  async unlinkFile(p: string): Promise<void> {
    sys(p, 'removing', () => this.disk.unlink(p));
    await this.syncDir(this.api.dirname(p));
  }

  async hardLink(existing: string, p: string): Promise<void> {
    sys(p, 'creating the hard link', () => this.disk.hardLink(existing, p));
    await this.syncDir(this.api.dirname(p));
  }

  async assertOneDevice(p: string): Promise<void> {
    const n = this.disk.nodeAt(p);
    if (n?.kind !== 'dir' && n?.kind !== 'file') return;
    const key = canonicalPath(p, this.disk.style);
    for (const r of this.disk.volumeRoots()) {
      const root = canonicalPath(r, this.disk.style);
      if (samePath(root, key, this.disk.style)) throw new RelocateError('E_MOUNT_POINT', `deleting ${p} failed: it is a mount point; relocate moves folders, not mounts`, { path: p, hint: 'nothing was changed' });
      if (n.kind === 'dir' && root.startsWith(key + this.api.sep)) {
        throw new RelocateError('E_MOUNT_INSIDE', `${root} is a volume mounted inside ${p}; relocate never crosses a device boundary, so it stopped before touching anything under it`, { path: root, hint: 'unmount it first' });
      }
    }
  }

  /** Depth first, links removed as links; on Windows a read-only file or folder is deleted all the same (windows/read-only.ts). */
  async deleteTree(p: string): Promise<void> {
    const top = this.disk.nodeAt(p);
    if (!top) return;
    const platform = this.disk.flavour === 'windows' ? 'win32' : 'linux';
    const del = (q: string, dir: boolean) => {
      try {
        deleteClearingReadOnly(() => (dir ? this.disk.rmdir(q) : this.disk.unlink(q)), () => this.disk.setReadOnly(q, false), platform);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw fsError(err, q, dir ? 'deleting the folder' : 'deleting');
      }
    };
    if (top.kind === 'dir') {
      await this.assertOneDevice(p);
      const nodes = walkTree(this.disk, p);
      // Each folder's files and links, then the folder: deepest first.
      for (const w of nodes.slice().reverse()) del(w.path, w.node.kind === 'dir');
    } else del(p, false);
    await this.syncDir(this.api.dirname(p));
  }

  /** Nothing to make durable in memory; counted, and a fault harness may fail it. */
  async syncDir(p: string): Promise<void> {
    this.synced.push(p);
  }

  /** Programs holding a file inside `p` open (MemDisk.open). */
  async processesUsing(p: string): Promise<InUseFile[]> {
    return this.disk.handlesUnder(p).map((h) => ({ file: h.path, process: h.process, pid: h.pid }));
  }
}

/** The FsPort of a disk. */
export function memFsPort(disk: MemDisk): MemFsPort {
  return new MemFsPort(disk);
}
