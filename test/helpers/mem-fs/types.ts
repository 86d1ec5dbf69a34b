/**
 * The nodes of the in-memory disk (disk.ts). Plain mutable records: the
 * disk owns them, and every change goes through its primitives so folder
 * times, link counts and open handles stay true.
 */

/** Which operating system's rules the disk follows. */
export type Flavour = 'posix' | 'windows';

/**
 * One mounted file system. Invariant: every node reachable from `root`
 * has `vol === this` (a hard link never crosses a volume), and `dev` is
 * unique on its disk. `root` is spelt canonically: `C:\` on Windows, the
 * mount point (`/`, `/mnt/b`) on POSIX.
 */
export interface Volume {
  root: string;
  dev: string;
  top: DirNode;
  /** Bytes still free; a write past it fails with ENOSPC. */
  freeBytes: number;
}

/**
 * What every node carries besides its contents. Times are nanoseconds.
 * `streams`: extended attributes on POSIX, alternate data streams on
 * Windows (`name` → bytes); copied, verified and snapshotted alike.
 * On Windows the read-only attribute is `mode` without its write bits
 * (as Node reports it: 0o444 for a read-only file).
 */
export interface NodeBase {
  ino: number;
  vol: Volume;
  mode: number;
  mtimeNs: bigint;
  atimeNs: bigint;
  birthtimeNs: bigint;
  streams: Map<string, Buffer>;
}

/** A name in a folder: `name` as written (case kept), keyed in `children` by the flavour's comparison key. */
export interface Entry {
  name: string;
  node: MemNode;
}

export interface DirNode extends NodeBase {
  kind: 'dir';
  /** Keyed by nameKey(name): the name itself on POSIX, lower-cased on Windows. */
  children: Map<string, Entry>;
}

/** Invariant: `nlink` is the number of entries naming this node; `handles` the open handles on it. */
export interface FileNode extends NodeBase {
  kind: 'file';
  data: Buffer;
  nlink: number;
  handles: number;
}

/**
 * A symbolic link (its text exactly as stored, never followed by the port)
 * or a Windows junction (a reparse point whose text is absolute and which
 * leads only to a folder). `dirLink`: a Windows symlink made as a
 * directory symlink. On POSIX a junction is made as a symlink, as Node does.
 */
export interface LinkNode extends NodeBase {
  kind: 'symlink' | 'junction';
  text: string;
  dirLink: boolean;
}

export type MemNode = DirNode | FileNode | LinkNode;

/** An open handle (a program holding a file): `close` lets go. */
export interface MemHandle {
  path: string;
  process: string;
  pid: number;
  close(): void;
}
