import type { MountFact, VolumeInfo } from './types.js';

/*
 * What one lstat (plus readlink for a link) says is at a path: one type per
 * kind, as chezmoi's actual state has. Built by the DiskReader
 * (src/platform/node-reader.ts), read by the planner.
 */

/**
 * What one `lstat` says is at a path. `symlink` and `junction` are links
 * (never followed); `other` is a device, socket, fifo or a reparse point
 * that is not a link.
 */
export type NodeKind = 'absent' | 'dir' | 'file' | 'symlink' | 'junction' | 'other';

/** What every observation of a path has, whatever is there. */
interface ObservedPath {
  path: string;
  /** The volume of the path itself; for an absent path, of its nearest existing parent folder (where it would be created). */
  volume?: VolumeInfo;
  /**
   * Set when the folder holding this path (for an absent path: its nearest
   * existing ancestor) is itself a symlink or junction: that folder. Acting
   * on the path would act through the link, somewhere the manifest does not
   * name. Found with one lstat of the parent (O(1) per path).
   */
  linkedParent?: string;
}

/** Nothing at the path. */
export interface AbsentObservation extends ObservedPath {
  kind: 'absent';
  /** The nearest existing ancestor folder (absent when none was found up to the root). */
  existingParent?: string;
}

/** What one lstat says of a node that exists: every kind but absent. */
interface ObservedNode extends ObservedPath {
  size?: number;
  mtimeMs?: number;
  mode?: number;
  ino?: string;
  nlink?: number;
  /**
   * The path itself is a mount point (another device than its folder's, or
   * a mount table entry there, bind mounts included). Observed only for the
   * paths whose data would move or be compared (see DiskReader.mounts).
   */
  mountPoint?: MountFact;
  /**
   * Mounts strictly inside this folder, from the mount table (Linux: bind
   * mounts included, found without a walk); observed like `mountPoint`.
   * Left out when there are none or no table can be read.
   */
  mountsBelow?: MountFact[];
}

/** A folder. */
export interface DirObservation extends ObservedNode {
  kind: 'dir';
  /**
   * Whether it holds nothing at all (not a file, folder, link or anything
   * else). Asked only where it decides the action (the old and new targets
   * of a retarget, see src/state/observe.ts); absent elsewhere and where
   * not asked.
   */
  empty?: boolean;
}

/** A regular file. */
export interface FileObservation extends ObservedNode {
  kind: 'file';
}

/**
 * A symlink or junction, never followed. `linkTarget` is absolute and
 * canonical in the entry's style; both texts are absent only when the link
 * could not be read.
 */
export interface LinkObservation extends ObservedNode {
  kind: 'symlink' | 'junction';
  /** The link's text exactly as stored (readlink). */
  linkText?: string;
  /** The link's destination made absolute against the link's folder. */
  linkTarget?: string;
  /** What the link's destination is (followed); `absent` means a broken link, `loop` one that leads back to itself (ELOOP). */
  linkTargetKind?: 'absent' | 'dir' | 'file' | 'other' | 'loop';
}

/** A device, socket, fifo, or a reparse point that is not a link. */
export interface OtherObservation extends ObservedNode {
  kind: 'other';
}

/**
 * What is at one path right now, observed without following links: one
 * variant per kind (chezmoi's one type per actual state). Invariants, said
 * by the types: the link fields only on symlink and junction;
 * `existingParent` only on absent; the lstat's facts (size, times, inode)
 * and the mounts only on a node that exists; `empty` only on a folder.
 */
export type PathObservation = AbsentObservation | DirObservation | FileObservation | LinkObservation | OtherObservation;

/**
 * Whether the observation is of a symlink or junction: only then may its
 * link fields be read. (The planner, which may not import this room at run
 * time, has its own in plan/link-type.ts.)
 */
export function isLink(o: PathObservation): o is LinkObservation {
  return o.kind === 'symlink' || o.kind === 'junction';
}

/** Every NodeKind has its variant (a compile error otherwise). */
type KindsMatch<T extends true> = T;
export type EveryKindObserved = KindsMatch<
  [NodeKind] extends [PathObservation['kind']] ? ([PathObservation['kind']] extends [NodeKind] ? true : false) : false
>;
