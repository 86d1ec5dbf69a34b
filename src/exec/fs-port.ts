import type { ResolvedLinkType } from '../plan/types.js';
import type { InUseFile } from '../state/types.js';
import type { VerifyMode } from './steps.js';

/** What lstat says, enough for the executor's checks. Never follows a link. */
export interface NodeInfo {
  kind: 'dir' | 'file' | 'symlink' | 'junction' | 'other';
  dev: string;
  ino: string;
  /** The link's stored text, for symlinks and junctions. */
  linkText?: string;
}

/** One node of a tree as a snapshot records it: relative path (with /), kind, mode and times. */
export interface NodeMeta {
  rel: string;
  kind: 'dir' | 'file' | 'symlink';
  mode: number;
  mtimeMs: number;
  atimeMs: number;
}

/** Progress of a long copy or verify, in bytes. */
export type ProgressFn = (bytesDone: number) => void;

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
  /** Copies a tree (or a file) to a path that must not exist, keeping modes, times and links as links. */
  copyTree(from: string, to: string, progress?: ProgressFn): Promise<void>;
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
