/**
 * An in-memory disk with POSIX or Windows rules, for running relocate's
 * executor in-process on any host (issue 17 §4): several volumes (by drive
 * letter on Windows, by mount point on POSIX, so a move across volumes
 * copies), folders, files with bytes, modes, times and streams, hard links,
 * symlinks and junctions, open handles, and identities (dev/ino).
 *
 * The primitives below are the system calls: each does one thing or throws
 * an Error with a Node errno `code` (ENOENT, EEXIST, EXDEV, EBUSY, …), as
 * node:fs would, so the port (port.ts) maps them with src's own `fsError`.
 * Paths through a link in a folder position are followed (as an OS does);
 * the last component never is.
 *
 * Windows rules: names compare without case and keep the case written;
 * a rename never replaces (MoveFileEx without REPLACE_EXISTING);
 * a file held open cannot be renamed or deleted (sharing violation, EBUSY)
 * and a folder holding one cannot be renamed (access denied, EACCES);
 * a read-only folder refuses rmdir (EACCES, as Node 20's _wrmdir) until its
 * attribute is cleared, while unlink clears a read-only file's itself (libuv);
 * symbolic links need SeCreateSymbolicLinkPrivilege
 * (`symlinkPrivilege`), junctions do not.
 */
import { canonicalPath, isAbsolutePath, pathApi, styleForOs, type PathStyle } from '../../../src/core/paths.js';
import type { DirNode, Entry, FileNode, Flavour, LinkNode, MemHandle, MemNode, NodeBase, Volume } from './types.js';

/** An Error as node:fs throws it: the errno name in `code`. */
export function errno(code: string, syscall: string, p: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${p}'`), { code, syscall, path: p });
}

/** Where a path leads, its last component not followed. `node` is null when nothing is there. */
export interface Located {
  path: string;
  vol: Volume;
  /** The folder holding the last name; null for a volume's root. */
  parent: DirNode | null;
  name: string;
  node: MemNode | null;
}

const MAX_HOPS = 40;
const START_NS = 1_700_000_000_000_000_000n;

export interface DiskOptions {
  flavour: Flavour;
  /** Volume roots: `C:`, `D:` on Windows; mount points (`/`, `/mnt/b`) on POSIX. */
  volumes: string[];
  freeBytes?: number;
}

export class MemDisk {
  readonly flavour: Flavour;
  readonly style: PathStyle;
  /** Windows: whether the caller holds SeCreateSymbolicLinkPrivilege (Developer Mode). Ignored on POSIX. */
  symlinkPrivilege = false;
  private readonly volumes: Volume[] = [];
  private nextIno = 100;
  private clockNs = START_NS;
  private readonly handles = new Set<MemHandle & { node: FileNode }>();
  private nextPid = 4000;

  constructor(opts: DiskOptions) {
    this.flavour = opts.flavour;
    this.style = styleForOs(opts.flavour === 'windows' ? 'win32' : 'linux');
    for (const [i, r] of opts.volumes.entries()) {
      const root = this.flavour === 'windows' ? `${r.slice(0, 1).toUpperCase()}:\\` : canonicalPath(r, this.style);
      const vol = { root, dev: String(0x1000 + i), freeBytes: opts.freeBytes ?? 1 << 30 } as Volume;
      vol.top = this.newNode(vol, { kind: 'dir', children: new Map() }, 0o755) as DirNode;
      this.volumes.push(vol);
    }
    // Longest mount point first: a path belongs to the deepest volume whose root holds it.
    this.volumes.sort((a, b) => b.root.length - a.root.length);
  }

  get api(): typeof import('node:path').posix {
    return pathApi(this.style);
  }

  /** A fresh, strictly increasing time (ns): every change gets its own. */
  now(): bigint {
    this.clockNs += 1_000_000n;
    return this.clockNs;
  }

  /** The comparison key of a name: Windows ignores case. */
  nameKey(name: string): string {
    return this.flavour === 'windows' ? name.toLowerCase() : name;
  }

  newNode<T extends MemNode>(vol: Volume, rest: Omit<T, keyof NodeBase>, mode: number): T {
    const t = this.now();
    return { ino: this.nextIno++, vol, mode, mtimeNs: t, atimeNs: t, birthtimeNs: t, streams: new Map(), ...rest } as T;
  }

  /** The volume a canonical path is on, and its names below the volume's root; undefined when no volume holds it. */
  private split(p: string): { vol: Volume; parts: string[]; canon: string } | undefined {
    if (!isAbsolutePath(p, this.style)) return undefined;
    const canon = canonicalPath(p, this.style);
    const sep = this.api.sep;
    for (const vol of this.volumes) {
      const rootKey = this.nameKey(vol.root);
      const key = this.nameKey(canon);
      const trimmed = rootKey.endsWith(sep) ? rootKey.slice(0, -1) : rootKey;
      if (key !== trimmed && key !== rootKey && !key.startsWith(trimmed + sep)) continue;
      const rest = canon.slice(Math.min(canon.length, trimmed.length + 1));
      return { vol, parts: rest.split(sep).filter((x) => x !== ''), canon };
    }
    return undefined;
  }

  /** Resolves `p` without following its last component; throws ENOENT / ENOTDIR / ELOOP for the folders on the way. */
  locate(p: string, syscall = 'lstat', hops = 0): Located {
    const at = this.split(p);
    if (!at) throw errno('ENOENT', syscall, p);
    const { vol, parts, canon } = at;
    if (parts.length === 0) return { path: canon, vol, parent: null, name: '', node: vol.top };
    let dir = vol.top;
    let here = vol.root;
    for (let i = 0; i < parts.length - 1; i++) {
      const e = dir.children.get(this.nameKey(parts[i]!));
      if (!e) throw errno('ENOENT', syscall, p);
      const n = e.node;
      const next = this.api.join(here, e.name);
      if (n.kind === 'dir') {
        dir = n;
        here = next;
        continue;
      }
      if (n.kind === 'file') throw errno('ENOTDIR', syscall, p);
      if (hops >= MAX_HOPS) throw errno('ELOOP', syscall, p);
      // A link in a folder position is followed, as the OS does; the rest of the path continues from where it leads.
      return this.locate(this.api.join(this.linkTargetPath(next, n), ...parts.slice(i + 1)), syscall, hops + 1);
    }
    const name = parts[parts.length - 1]!;
    return { path: canon, vol, parent: dir, name, node: dir.children.get(this.nameKey(name))?.node ?? null };
  }

  /** Where a link at `p` leads, absolute (relative texts against the link's folder). */
  linkTargetPath(p: string, link: LinkNode): string {
    return isAbsolutePath(link.text, this.style) ? link.text : this.api.resolve(this.api.dirname(p), link.text);
  }

  /** The node at `p` (not followed), or null when nothing is there (or a folder on the way is missing). */
  nodeAt(p: string): MemNode | null {
    try {
      return this.locate(p).node;
    } catch (err) {
      const c = (err as NodeJS.ErrnoException).code;
      if (c === 'ENOENT' || c === 'ENOTDIR') return null;
      throw err;
    }
  }

  /** The node at `p`, links followed (what stat says); null when absent or the link is broken. */
  followed(p: string, hops = 0): MemNode | null {
    const n = this.nodeAt(p);
    if (!n || (n.kind !== 'symlink' && n.kind !== 'junction')) return n;
    if (hops >= MAX_HOPS) return null;
    return this.followed(this.linkTargetPath(p, n), hops + 1);
  }

  /** The entry's name as written in its folder (Windows keeps the case of creation). */
  nameAt(l: Located): string {
    return l.parent ? (l.parent.children.get(this.nameKey(l.name))?.name ?? l.name) : '';
  }

  private touch(dir: DirNode): void {
    dir.mtimeNs = this.now();
  }

  private freshParent(p: string, syscall: string): Located & { parent: DirNode } {
    const l = this.locate(p, syscall);
    if (!l.parent) throw errno('EEXIST', syscall, p);
    if (l.node) throw errno('EEXIST', syscall, p);
    return l as Located & { parent: DirNode };
  }

  private add(l: Located & { parent: DirNode }, node: MemNode): void {
    l.parent.children.set(this.nameKey(l.name), { name: l.name, node });
    this.touch(l.parent);
  }

  mkdir(p: string, mode = 0o755): DirNode {
    const l = this.freshParent(p, 'mkdir');
    const d = this.newNode<DirNode>(l.vol, { kind: 'dir', children: new Map() }, mode);
    this.add(l, d);
    return d;
  }

  /** Creates a new file (never over an existing name) holding `data`. */
  createFile(p: string, data: Buffer, mode = 0o644): FileNode {
    const l = this.freshParent(p, 'open');
    this.spend(l.vol, data.length, p);
    const f = this.newNode<FileNode>(l.vol, { kind: 'file', data: Buffer.from(data), nlink: 1, handles: 0 }, mode);
    this.add(l, f);
    return f;
  }

  /** Replaces a file's bytes (a program writing it). */
  writeFile(p: string, data: Buffer): void {
    const n = this.nodeAt(p);
    if (n?.kind !== 'file') throw errno(n ? 'EISDIR' : 'ENOENT', 'open', p);
    if (this.flavour === 'windows' && (n.mode & 0o222) === 0) throw errno('EPERM', 'open', p);
    this.spend(n.vol, data.length - n.data.length, p);
    n.data = Buffer.from(data);
    n.mtimeNs = this.now();
  }

  private spend(vol: Volume, bytes: number, p: string): void {
    if (bytes > vol.freeBytes) throw errno('ENOSPC', 'write', p);
    vol.freeBytes -= bytes;
  }

  /**
   * Makes a symlink or junction holding `text` exactly. On Windows a
   * symlink needs the privilege (EPERM without it, as CreateSymbolicLinkW);
   * `seeding` bypasses that for a test putting its tree in place.
   */
  link(p: string, text: string, kind: 'symlink' | 'junction', dirLink: boolean, seeding = false): LinkNode {
    if (this.flavour === 'windows' && kind === 'symlink' && !this.symlinkPrivilege && !seeding) throw errno('EPERM', 'symlink', p);
    const l = this.freshParent(p, 'symlink');
    const n = this.newNode<LinkNode>(l.vol, { kind, text, dirLink }, 0o777);
    this.add(l, n);
    return n;
  }

  hardLink(existing: string, p: string): void {
    const n = this.nodeAt(existing);
    if (!n) throw errno('ENOENT', 'link', existing);
    if (n.kind !== 'file') throw errno('EPERM', 'link', existing);
    const l = this.freshParent(p, 'link');
    if (l.vol !== n.vol) throw errno('EXDEV', 'link', p);
    n.nlink++;
    this.add(l, n);
  }

  /** Paths of the open handles on the node, or inside the folder, at `p`. */
  private heldUnder(node: MemNode): number {
    let held = 0;
    for (const h of this.handles) if (h.node === node || (node.kind === 'dir' && this.contains(node, h.node))) held++;
    return held;
  }

  private contains(dir: DirNode, node: MemNode): boolean {
    for (const e of dir.children.values()) if (e.node === node || (e.node.kind === 'dir' && this.contains(e.node, node))) return true;
    return false;
  }

  /**
   * Removes a file's or link's name, as libuv's unlink does: on Windows an
   * open file refuses (sharing violation, EBUSY) and a read-only file's
   * attribute is cleared first (libuv opens it with FILE_WRITE_ATTRIBUTES).
   */
  unlink(p: string): void {
    const l = this.locate(p, 'unlink');
    const n = l.node;
    if (!n || !l.parent) throw errno('ENOENT', 'unlink', p);
    if (n.kind === 'dir') throw errno(this.flavour === 'windows' ? 'EPERM' : 'EISDIR', 'unlink', p);
    if (n.kind === 'file') {
      if (this.flavour === 'windows' && n.handles > 0) throw errno('EBUSY', 'unlink', p);
      n.nlink--;
      if (n.nlink === 0) n.vol.freeBytes += n.data.length;
    }
    l.parent.children.delete(this.nameKey(l.name));
    this.touch(l.parent);
  }

  /** Removes an empty folder. Windows: a read-only folder refuses (EACCES, as _wrmdir does). */
  rmdir(p: string): void {
    const l = this.locate(p, 'rmdir');
    const n = l.node;
    if (!n) throw errno('ENOENT', 'rmdir', p);
    if (n.kind !== 'dir') throw errno('ENOTDIR', 'rmdir', p);
    if (!l.parent) throw errno('EBUSY', 'rmdir', p);
    if (n.children.size > 0) throw errno('ENOTEMPTY', 'rmdir', p);
    if (this.flavour === 'windows' && (n.mode & 0o222) === 0) throw errno('EACCES', 'rmdir', p);
    l.parent.children.delete(this.nameKey(l.name));
    this.touch(l.parent);
  }

  /**
   * Renames without replacing (EEXIST if `to` is taken; on Windows a
   * change of case only is the same name and allowed). EXDEV across
   * volumes, EINVAL into itself; Windows: EBUSY for an open file, EACCES
   * for a folder holding one.
   */
  renameNoReplace(from: string, to: string): void {
    const a = this.locate(from, 'rename');
    if (!a.node || !a.parent) throw errno('ENOENT', 'rename', from);
    const b = this.locate(to, 'rename');
    if (!b.parent) throw errno('EEXIST', 'rename', to);
    const sameEntry = b.parent === a.parent && this.nameKey(b.name) === this.nameKey(a.name);
    if (b.node && !sameEntry) throw errno('EEXIST', 'rename', to);
    if (a.vol !== b.vol) throw errno('EXDEV', 'rename', from);
    if (a.node.kind === 'dir' && (a.node === b.parent || this.contains(a.node, b.parent))) throw errno('EINVAL', 'rename', from);
    if (this.flavour === 'windows' && this.heldUnder(a.node) > 0) throw errno(a.node.kind === 'file' ? 'EBUSY' : 'EACCES', 'rename', from);
    a.parent.children.delete(this.nameKey(a.name));
    b.parent.children.set(this.nameKey(b.name), { name: b.name, node: a.node });
    this.touch(a.parent);
    this.touch(b.parent);
  }

  /** A program opens the file at `p` and holds it until `close`. */
  open(p: string, process = 'notepad.exe'): MemHandle {
    const n = this.nodeAt(p);
    if (n?.kind !== 'file') throw errno(n ? 'EISDIR' : 'ENOENT', 'open', p);
    n.handles++;
    const h = {
      path: canonicalPath(p, this.style),
      process,
      pid: this.nextPid++,
      node: n,
      close: () => {
        if (this.handles.delete(h)) n.handles--;
      },
    };
    this.handles.add(h);
    return h;
  }

  /** The open handles on files inside (or at) the node at `p`. */
  handlesUnder(p: string): MemHandle[] {
    const n = this.nodeAt(p);
    if (!n) return [];
    return [...this.handles].filter((h) => h.node === n || (n.kind === 'dir' && this.contains(n, h.node)));
  }

  /** Sets or clears Windows' read-only attribute (the write bits of the mode). */
  setReadOnly(p: string, on: boolean): void {
    const n = this.nodeAt(p);
    if (!n) throw errno('ENOENT', 'chmod', p);
    n.mode = on ? n.mode & ~0o222 : n.mode | 0o200;
  }

  /** The entries of the folder at `p` (links in the way followed), names as written. */
  list(p: string): Entry[] {
    const n = this.followed(p);
    if (!n) throw errno('ENOENT', 'scandir', p);
    if (n.kind !== 'dir') throw errno('ENOTDIR', 'scandir', p);
    return [...n.children.values()];
  }

  /** Every volume's root, deepest first (POSIX mount points nest). */
  volumeRoots(): string[] {
    return this.volumes.map((v) => v.root);
  }

  /** The volume a path is on (its nearest existing part's), by its root. */
  volumeOf(p: string): Volume | undefined {
    return this.split(p)?.vol;
  }
}
