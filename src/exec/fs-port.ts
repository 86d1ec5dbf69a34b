import type { ResolvedLinkType } from '../plan/types.js';
import type { InUseFile } from '../state/types.js';
import type { VerifyMode } from './steps.js';

/** What lstat says, enough for the executor's checks. Never follows a link. */
export interface NodeInfo {
  kind: 'dir' | 'file' | 'symlink' | 'junction' | 'other';
  dev: string;
  ino: string;
  /**
   * The file system's own id (statfs f_fsid), when the platform gives a
   * nonzero one: unlike `dev` it survives a reboot or remount that hands
   * the volume another device number (see src/exec/identity.ts).
   */
  fsid?: string;
  /** The link's stored text, for symlinks and junctions. */
  linkText?: string;
}

/**
 * One node of a tree as a snapshot records it: relative path (with /),
 * kind, mode and times, and what else a copy keeps. The optional fields
 * are absent in journals written before they existed (and where the OS
 * has no such thing); a restore then keeps what the twin has. The
 * nanosecond times are decimal strings (JSON has no 64-bit integers) and
 * agree with the ms ones; xattr values are base64.
 */
export interface NodeMeta {
  rel: string;
  kind: 'dir' | 'file' | 'symlink';
  mode: number;
  mtimeMs: number;
  atimeMs: number;
  uid?: number;
  gid?: number;
  mtimeNs?: string;
  atimeNs?: string;
  xattrs?: { name: string; value: string }[];
  /** The copyable inode flags of a file or folder (Linux chattr, macOS chflags), zero included; absent where not read. */
  flags?: number;
  /** The creation time in ns, a decimal string, where kept (Windows); absent elsewhere. */
  birthtimeNs?: string;
}

/**
 * A file of a tree about to be deleted that shares its data with a name
 * outside the tree (a hard link), journaled before the delete so a
 * rollback can link the restored file to it again. Invariant: `rel` is
 * relative to the deleted tree (with /), `path` is absolute and outside
 * it, and `dev`/`ino` are that file's exact identity when it was found; a
 * rollback links to `path` only while it still has that identity (and the
 * size, mtime and mode of the copy it would otherwise restore).
 */
export interface OutsideName {
  rel: string;
  path: string;
  dev: string;
  ino: string;
}

/** What `outsideNames` found: one name per shared file (every name inside the tree listed), and how many shared files had none found. */
export interface OutsideNames {
  found: OutsideName[];
  missing: number;
}

/** Progress of a long copy or verify, in bytes. */
export type ProgressFn = (bytesDone: number) => void;

/**
 * Told the identity of a copy's root the moment it exists, before anything
 * is written into it, so the journal can say "relocate made this" for every
 * partial copy a crash may leave. Called once, synchronously.
 */
export type RootMadeFn = (root: NodeInfo) => void;

/**
 * Every disk operation the executor performs; src/platform implements it.
 * Contract shared by all methods: no link is ever followed — a link inside a
 * tree is copied, compared and deleted as a link. Errors are RelocateErrors
 * with a code and the path.
 */
export interface FsPort {
  lstat(p: string): Promise<NodeInfo | null>;
  /** Creates a folder and its missing parents; returns the folders created, outermost first. */
  mkdirs(p: string): Promise<string[]>;
  /** The ancestors of p (and p) that do not exist, outermost first. */
  missingDirs(p: string): Promise<string[]>;
  /** Removes a folder only if it is empty; false when it is not (or is gone). */
  rmdirIfEmpty(p: string): Promise<boolean>;
  /** Renames without ever replacing what is at `to` (E_EXISTS if something is). */
  renameNoReplace(from: string, to: string): Promise<void>;
  /**
   * Copies a tree (or a file) to a path that must not exist, keeping modes,
   * times and links as links. With `onRoot`, an implementation MUST create
   * the root (empty folder, empty file or the link) first and call `onRoot`
   * with its lstat before it writes anything into it. A file listed in
   * `reuse` (by its path relative to `from`) whose outside name still has
   * the identity, size, mtime and mode of the file being copied is made a
   * hard link of that outside name instead of a copy; otherwise it is copied.
   */
  copyTree(from: string, to: string, progress?: ProgressFn, onRoot?: RootMadeFn, reuse?: readonly OutsideName[]): Promise<void>;
  /**
   * For the files of a tree with more links than names inside it, one name
   * of each outside the tree, searched from the tree's folder outwards on
   * its own volume (never crossing a mount, never following a link,
   * bounded). Reads only.
   */
  outsideNames(root: string): Promise<OutsideNames>;
  /**
   * Puts back into `root` (an existing folder, partly deleted) every node
   * of `twin` that `root` lacks, and nothing else: what is still in `root`
   * is never touched (its files keep their identity). Each missing node is
   * copied beside its place under relocate's undo staging name, then
   * renamed into place (no replace); a name whose file still has another
   * name in `root` becomes a hard link of it, and `reuse` applies as in
   * copyTree. Folder modes and times are then set from `twin`. Returns the
   * number of nodes put back. The caller verifies `root` against `twin`.
   */
  restoreMissing(twin: string, root: string, reuse?: readonly OutsideName[]): Promise<number>;
  /** Total bytes of a tree (for progress); hard links once, links not followed. */
  treeBytes(p: string): Promise<number>;
  /**
   * Checks that `copy` holds what `original` holds: the same names, kinds,
   * sizes, mtimes, modes and link texts (with `content`, equal hashes too).
   * With `subset`, every file of `original` must have an equal file in
   * `copy`, which may hold more. Throws E_VERIFY naming the first difference.
   */
  verify(original: string, copy: string, mode: VerifyMode, subset: boolean, progress?: ProgressFn): Promise<void>;
  /**
   * Every node of a tree, the root first (rel ''), with what it takes to
   * recreate it (for undoing a subset delete). The root may be a file.
   */
  snapshot(root: string): Promise<NodeMeta[]>;
  /**
   * The `rel` of every node `snapshot` would list, and nothing else, in
   * sorted order (JavaScript's string order): what "every name is still
   * there" needs (twin-check.ts). An implementation SHOULD make them one at
   * a time: a million-file tree must not become a million records at once.
   */
  snapshotNames(root: string): Promise<Iterable<string>>;
  /**
   * Recreates the nodes of a snapshot at `toRoot`: for a folder snapshot
   * `toRoot` must exist (its mode and times are set from the root node);
   * for a file snapshot it must not. Folders are made, files copied from the
   * same relative path under `fromRoot`, modes and times set as the
   * snapshot says.
   */
  restoreSnapshot(fromRoot: string, toRoot: string, nodes: NodeMeta[]): Promise<void>;
  createLink(path: string, target: string, kind: ResolvedLinkType): Promise<void>;
  /** Recreates a link exactly as it was (its stored text and kind), when undoing its removal. */
  restoreLink(path: string, linkText: string, kind: 'symlink' | 'junction', dirHint: boolean): Promise<void>;
  /** Where a link leads, absolute and canonical, or null when p is not a link. */
  linkDestination(p: string): Promise<string | null>;
  /** Removes a symlink or junction itself, never what it points to. */
  removeLink(p: string): Promise<void>;
  /** Removes one name of a file with other names (a hard link). */
  unlinkFile(p: string): Promise<void>;
  /** Creates a hard link `p` to the existing file `existing`. */
  hardLink(existing: string, p: string): Promise<void>;
  /** Deletes a tree without following any link inside it. */
  deleteTree(p: string): Promise<void>;
  /**
   * Reads only: throws E_MOUNT_INSIDE (or E_MOUNT_POINT) when a volume is
   * mounted inside (or at) the tree at `p`. Asked before a delete is
   * journaled, so a delete refused for a mount never began and the run
   * rolls back cleanly. Optional: without it deleteTree's own check (which
   * an implementation MUST make too) is the only one.
   */
  assertOneDevice?(p: string): Promise<void>;
  /** Makes the names in a folder durable (after renames and link creation). */
  syncDir(p: string): Promise<void>;
  /**
   * Runs `fn` with the folder syncs of the calls it makes deferred, then
   * syncs each folder once (also when `fn` throws) before returning. Only
   * for calls that cannot lose data (mkdirs, createLink); see runForward.
   * Optional: a port without it syncs as it goes.
   */
  syncBatch?<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Who holds something inside the tree (or file) at `p` right now: open
   * files, memory maps, working folders, from a fresh look at every process
   * (the `check-in-use` step). MUST only read. Processes it cannot inspect
   * are not listed. Optional: a port without it (a test fake) has no check.
   */
  processesUsing?(p: string): Promise<InUseFile[]>;
}
