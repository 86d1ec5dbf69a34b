import type { NameRules } from '../core/name-rules.js';
import type { PathStyle } from '../core/paths.js';
import type { PathObservation } from './path-observation.js';

/** The observation of one path (one type per kind) lives in path-observation.ts; every reader of state's types finds it here too. */
export type { AbsentObservation, DirObservation, FileObservation, LinkObservation, NodeKind, OtherObservation, PathObservation } from './path-observation.js';

/** Facts about the volume (filesystem) a path is on. Unknown facts are left out, never guessed. */
/**
 * How relocate makes a copy on a volume durable before it deletes the
 * original. Invariant: `way` is 'syncfs' only when syncfs can be called
 * here (Linux 5.8 or later, the native layer) and the volume's file system
 * is known to honour it (ext4, xfs, btrfs, f2fs, tmpfs); otherwise 'fsync':
 * every copied file, then every folder deepest first, then the copy's
 * parent. `why` says which and why, for people.
 */
export interface Durability {
  way: 'syncfs' | 'fsync';
  why: string;
}

export interface VolumeInfo {
  /** Equal ids mean the same volume: a rename between them works. */
  id: string;
  /** How a copy onto this volume is made durable, where the platform layer knows. */
  durability?: Durability;
  freeBytes?: number;
  /** The volume's size in bytes (statfs f_blocks × f_bsize), when known. */
  totalBytes?: number;
  /** Where the volume is mounted: `C:\` (a volume path name) on Windows, the mount point on Linux; when known. For people (`relocate gui`'s drives), never an identity. */
  root?: string;
  readOnly?: boolean;
  /** File system name (ntfs, fat32, exfat, ext4, tmpfs, apfs, …) when known. */
  fsType?: string;
  /** A network share (junctions cannot point there). */
  remote?: boolean;
  /** Whether the volume can hold junctions / symlinks / hard links, when known. */
  supportsReparsePoints?: boolean;
  supportsHardLinks?: boolean;
  /**
   * The volume's allocation unit in bytes (statfs f_bsize: the block size
   * of ext4, xfs, btrfs and tmpfs; the cluster size of NTFS, FAT and
   * exFAT). Every file's data takes whole units of it.
   */
  blockSize?: number;
  /**
   * How many more files and folders the volume can hold (statfs f_ffree),
   * present only where the volume has a fixed inode table (f_files > 0:
   * ext4, tmpfs, xfs's current limit); btrfs and NTFS make inodes as needed
   * and report none.
   */
  freeInodes?: number;
  /**
   * Set when the volume is a kernel pseudo file system (proc, sysfs,
   * cgroup, devtmpfs, …; see src/platform/pseudo-fs.ts): its files are made
   * by the kernel, so nothing there is ever walked, moved or linked to.
   */
  pseudo?: true;
}

/**
 * A mount met at or inside a path. Invariant: `path` is spelt as the user
 * gave the tree's root (the root plus the mount's place below it), not
 * necessarily the real path; `fsType` and `source` come from the mount table
 * and are left out when it cannot be read (then only a device change told).
 */
export interface MountFact {
  path: string;
  fsType?: string;
  source?: string;
}

/** Size of a tree counted without following links; hard-linked files count once. */
export interface TreeMeasure {
  bytes: number;
  files: number;
  dirs: number;
  links: number;
  /** Devices, sockets and pipes: a rename moves them, a copy across volumes cannot. */
  others?: number;
  /** The newest modification time in the tree: part of a plan's fingerprint, so an edit inside a folder about to move makes a saved plan stale. */
  newestMtimeMs?: number;
  /** Nodes no one can delete or rename (inode flags); read only when asked (MeasureOptions.inodeFlags), absent when none. */
  undeletable?: UndeletableNodes;
  /** Windows files a copy to another volume must not read (cloud placeholders, EFS); read with the inode flags, absent when none. */
  notCopyable?: NotCopyableNodes;
  /**
   * Windows: how much of the security descriptor a copy of this tree keeps,
   * asked of this process where the tree may be copied (MeasureOptions.disk):
   * 'owner-dacl' with SeBackupPrivilege and SeRestorePrivilege, 'none'
   * without (robocopy /COPY:DAT). Absent elsewhere.
   */
  permissionsCopy?: 'owner-dacl' | 'none';
  /**
   * Files whose data other names outside the tree share (more links than
   * names inside it), counted once per file: deleting the tree frees none
   * of their bytes on its volume. Absent when none.
   */
  sharedOutside?: { files: number; bytes: number };
  /**
   * Folders inside the tree on another device (or in the mount table): the
   * walk stops there, so their contents are neither counted nor entered.
   */
  mounts?: MountFact[];
  /** What the files take in blocks (see DiskUse); absent for a measure that did not count them. */
  disk?: DiskUse;
  /** Relative symbolic links whose text leads out of the tree; absent when none. */
  linksOut?: EscapingLinks;
  /** What the names below the top are like, for the destination's rules; read only when asked (MeasureOptions.names). */
  names?: TreeNames;
}

/** One path and a length of it (a name's or a path's below the tree's top). */
export interface LongestName {
  path: string;
  n: number;
}

/**
 * The names of a measured tree, below its top (the top's own name is the
 * destination's, chosen in the manifest), as the checks of names a
 * destination cannot hold need them (src/core/name-rules.ts,
 * src/plan/names.ts). Invariants: each list holds at most NAMES_LISTED
 * items, in walk order, and its `count` counts them all (≥ 1; a list with
 * none is left out); paths are absolute.
 */
export interface TreeNames {
  /**
   * Two names of one folder that are one name under foldKey (NFC and lower
   * case): the candidates a volume that ignores case or normalisation
   * would take for one. `a` came first in the folder's listing.
   */
  twins?: { count: number; first: { dir: string; a: string; b: string }[] };
  /** Names Windows cannot hold (windowsNameProblem). */
  windowsUnfit?: { count: number; first: string[] };
  /** The longest name, in UTF-8 bytes and in UTF-16 units; the longest path below the top (`a/b/c`), the same two ways. Absent for a tree with nothing below its top. */
  longest?: { nameBytes: LongestName; nameUnits: LongestName; relBytes: LongestName; relUnits: LongestName };
}

/** How many twins and unfit names a measure names (the rest are counted). */
export const NAMES_LISTED = 20;

/**
 * What a tree's files take on a disk rather than their apparent size: small
 * files take a whole block each, sparse files take only their data.
 * Invariants: hard links are counted once; `byBlock[i]` is the sum over
 * files of their size rounded up to BLOCK_SIZES[i] (src/core/block-sizes.ts;
 * a sparse file by its size too, see DiskUseCounter), plus every folder walked (the root too) by the names it holds
 * (DiskUseCounter.addFolder). Links are not in it, nor the inodes
 * themselves (the planner adds those where the volume takes them from
 * its free space).
 */
export interface DiskUse {
  /** Bytes the files take on their own volume (st_blocks × 512), hard links once; absent where the OS gives no block count (Windows). */
  allocated?: number;
  byBlock: number[];
  /**
   * As `byBlock`, with sparse files counted by their allocated bytes
   * instead of their size: what a copy that keeps holes writes. Present
   * only when this host's copy keeps holes (Linux, native SEEK_DATA) and
   * the tree holds a sparse file; the planner uses it only for a target
   * whose file system stores holes (src/plan/space.ts).
   */
  byBlockHoles?: number[];
}

/**
 * Relative symbolic links inside a measured tree whose text leads out of
 * it: read from the link's own folder, a `..` climbs above the tree's top
 * (checked on the text, without following anything), or on Windows the
 * text names no drive (`\x`). Where such a link points depends on where
 * the tree is, so moving the tree can make it point elsewhere; the planner
 * decides that from the move. Absolute links and links that stay inside
 * are never listed. Invariant: `count` ≥ 1 counts every such link; `first`
 * lists the first ESCAPING_LINKS_LISTED (absolute path of the link, its
 * text exactly as stored), in walk order.
 */
export interface EscapingLinks {
  count: number;
  first: { path: string; text: string }[];
}

/** How many escaping links a measure names (the rest are counted): enough to act on, small in a plan. */
export const ESCAPING_LINKS_LISTED = 10;

/** A flag that forbids deleting (and renaming) a node: Linux chattr +i / +a, macOS uchg/schg / uappnd/sappnd. */
export type InodeFlag = 'immutable' | 'append-only';

/**
 * The flagged nodes of a measured tree. Invariant: `count` ≥ 1 and counts
 * every flagged node; `first` lists the first UNDELETABLE_LISTED of them
 * (absolute paths, walk order); `root` is the flag of the tree's top node
 * itself, the one a same-volume rename moves.
 */
export interface UndeletableNodes {
  count: number;
  first: { path: string; flag: InodeFlag }[];
  root?: InodeFlag;
}

/**
 * Why a Windows node cannot be copied to another volume: a cloud placeholder
 * (FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS, RECALL_ON_OPEN or OFFLINE: reading it
 * downloads it) or an EFS-encrypted file (a plain read decrypts it).
 */
export type NotCopyableReason = 'cloud-placeholder' | 'encrypted';

/**
 * The nodes of a measured tree a copy must not read. Invariant: `count` ≥ 1
 * counts them all; `first` lists the first UNDELETABLE_LISTED (absolute
 * paths, walk order).
 */
export interface NotCopyableNodes {
  count: number;
  first: { path: string; why: NotCopyableReason }[];
}

/** How many flagged nodes a measure names (the rest are counted): enough to act on, small in a plan. */
export const UNDELETABLE_LISTED = 10;

/** What a tree walk reads beyond sizes. */
export interface MeasureOptions {
  /** Read each node's inode flags (one statx per node on Linux; its attributes on Windows, for NotCopyableNodes): asked only where the data would be deleted. */
  inodeFlags?: boolean;
  /** Count what the files take in blocks (TreeMeasure.disk): asked where the tree may be copied to another volume. */
  disk?: boolean;
  /** Gather what the names are like (TreeMeasure.names): asked where the tree may be copied to another volume. */
  names?: boolean;
}

/**
 * How the trees at a link path and a target path differ (relative paths,
 * sorted). Files are compared by size first, then content. Invariant: the
 * three lists are disjoint; `identical` holds files equal on both sides.
 */
export interface TreeComparison {
  onlyAtLink: string[];
  onlyAtTarget: string[];
  differ: string[];
  identical: string[];
  /** A list was cut at this many names to keep the plan small. */
  truncated?: boolean;
}

/**
 * How a process holds a path: an open descriptor, a memory map (a
 * database's shared memory, a loaded library; the descriptor may be
 * closed), its working folder, or its root folder (chroot).
 */
export type InUseHow = 'open' | 'map' | 'cwd' | 'root';

/**
 * A path inside a tree about to move that a running process holds
 * (Windows: named by the Restart Manager; Linux: /proc; macOS: libproc or
 * lsof). `file` is inside the tree (or the tree itself).
 */
export interface InUseFile {
  file: string;
  /** The program's executable name (e.g. Steam.exe), else its display or service name; on Linux/macOS its command name (comm). */
  process: string;
  pid: number;
  /** How it holds `file`; left out where the platform does not say (the Restart Manager). */
  how?: InUseHow;
}

/**
 * A process whose open files could not be read (another user's, when
 * relocate is not root): it may or may not use the tree. `process` is its
 * command name when that much is readable, else '?'.
 */
export interface UnknownProcess {
  pid: number;
  process: string;
}

/**
 * What a files-in-use check found for one tree: who holds something in it,
 * and the processes it could not inspect. Invariant: a pid in `held` is
 * never in `unknown`.
 */
export interface InUseReport {
  held: InUseFile[];
  unknown: UnknownProcess[];
}

/** What this machine lets relocate create (Windows symlink permission, etc.). */
export interface Capabilities {
  symlinks: boolean;
  junctions: boolean;
  hardlinks: boolean;
}

/**
 * Everything observed for one desired entry. Invariant: `linkTree` is set
 * only when the planner will move the link path's data (`targetTree` only
 * for a restore, `oldTargetTree` only for a retarget); `comparison` only
 * when both sides hold real data; `oldTarget` only for an entry of state
 * present with `retarget: move` whose link is a link to somewhere other
 * than its target (observed at the link's destination, never through it).
 */
export interface EntryObservation {
  style: PathStyle;
  link: PathObservation;
  target: PathObservation;
  linkTree?: TreeMeasure;
  targetTree?: TreeMeasure;
  /**
   * Where the link points now, when that is not the target: the data a
   * retarget would move, observed like a move's source (one lstat, its
   * volume, mounts at and inside it, whether a folder is empty). Its path
   * is the link's destination made absolute (PathObservation.linkTarget).
   */
  oldTarget?: PathObservation;
  /** The old target's tree, measured (like a move's source) when a retarget would move it. */
  oldTargetTree?: TreeMeasure;
  comparison?: TreeComparison;
  /**
   * Paths of the data about to move that running programs hold (open
   * files, memory maps, working folders; observed only where data would
   * move). Left out of the plan's fingerprint: programs open and close
   * files all the time (the executor checks again before it acts).
   */
  inUse?: InUseFile[];
  /** Processes the same check could not inspect (other users' when not root); set only when non-empty. */
  inUseUnknown?: UnknownProcess[];
  /** The tree a same-volume move only renames was not walked (observed for apply; see ObserveOptions). */
  sizesSkipped?: true;
  /**
   * How the destination of a copy to another volume tells names apart,
   * asked of that volume (DiskReader.nameRules) only when the moving tree
   * holds names it might take for one (TreeNames.twins). Left out of the
   * plan's fingerprint, like the volume facts it describes.
   */
  destNames?: NameRules;
}
