/**
 * Stable error codes. A code never changes meaning once released: scripts
 * match on it. Add new codes; never rename one.
 */
export type ErrorCode =
  // manifest input
  | 'E_READ'
  | 'E_NOT_FOUND'
  | 'E_EMPTY'
  | 'E_TOO_LARGE'
  | 'E_NOT_TEXT'
  | 'E_YAML'
  | 'E_YAML_ALIASES'
  | 'E_DUPLICATE_KEY'
  | 'E_SCHEMA'
  | 'E_UNKNOWN_KEY'
  | 'E_MISSING_KEY'
  | 'E_UNKNOWN_VAR'
  | 'E_VAR_CYCLE'
  | 'E_NAME_WITHOUT_GLOB'
  | 'E_PATH_NO_DRIVE'
  | 'E_DUPLICATE_LINK'
  | 'E_SELF_LINK'
  | 'E_NESTED_SELF'
  | 'E_PATH_CLAIMED'
  | 'E_HARDLINK_DIR'
  | 'E_INVALID_MANIFEST'
  /** A Windows path (drive letter, UNC share, %VAR%) in an entry read for Linux or macOS without a `when:` that skips it. */
  | 'E_WINDOWS_PATH'
  // CLI usage
  | 'E_USAGE'
  /** `relocate dsc`: the JSON DSC sent on stdin is not a Relocate/Link instance (not JSON, a property missing or unknown, a relative path). */
  | 'E_DSC_INPUT'
  | 'E_NO_MANIFEST'
  | 'E_WRITE'
  /** `plan --out` names a file inside a folder the plan moves. */
  | 'E_OUT_INSIDE_MOVE'
  // disk and runs (later issues add to these)
  | 'E_CONFLICT'
  | 'E_STALE_PLAN'
  | 'E_NO_SPACE'
  /** The destination volume's inode table cannot hold the files and folders a plan would create there. */
  | 'E_NO_INODES'
  | 'E_IN_USE'
  | 'E_CROSS_VOLUME'
  | 'E_SYMLINK_PRIVILEGE'
  | 'E_INTERRUPTED_RUN'
  /** A run stopped between two steps because the user or the system asked it to (SIGINT, SIGTERM, SIGHUP). */
  | 'E_INTERRUPTED'
  /** The state folder could not be written (full, read-only): the run stops where it is, unfinished, since nothing may act before it is journaled. */
  | 'E_STATE_WRITE'
  | 'E_LOCKED'
  | 'E_NO_RUN'
  | 'E_ACCESS'
  | 'E_READ_ONLY'
  | 'E_EXISTS'
  /** Two names of the data being copied are one name on the destination volume, which ignores case (README and Readme). */
  | 'E_CASE_COLLISION'
  /** A name of the data being copied that the destination cannot store: Windows' reserved names and characters, on Windows or a FAT/exFAT volume. */
  | 'E_NAME_UNFIT'
  /** A name of the data being copied is longer than the destination file system holds. */
  | 'E_NAME_TOO_LONG'
  /** A path of the copy would be longer than the OS takes. */
  | 'E_PATH_TOO_LONG'
  | 'E_MISSING'
  | 'E_IO'
  | 'E_VERIFY'
  | 'E_UNSUPPORTED_NODE'
  | 'E_NOT_A_LINK'
  | 'E_LINK_UNSUPPORTED'
  | 'E_LINK_CHECK'
  | 'E_INCONSISTENT'
  | 'E_DRIFT'
  | 'E_ALREADY_ROLLED_BACK'
  | 'E_NEEDS_YES'
  | 'E_BAD_PLAN'
  /** The Fs guard refused a removal, rename-away or write outside the paths the run's plan may touch (a bug stopped before it acted). */
  | 'E_GUARD'
  /** A link path inside a folder that is itself a link: relocate would act through it. */
  | 'E_LINK_PARENT'
  /** More than one entry of a plan would move data into (or out of) one target: a target is shared by links only. */
  | 'E_SHARED_TARGET'
  /** Data that would be deleted (or renamed) holds immutable or append-only files or folders (chattr +i/+a, chflags uchg/uappnd). */
  | 'E_IMMUTABLE'
  /** Another volume (or a bind mount) is mounted inside a tree that would move or be deleted: relocate never crosses a device boundary. */
  | 'E_MOUNT_INSIDE'
  /** The link path (or the path data would move out of) is itself a mount point: relocate moves folders, not mounts. */
  | 'E_MOUNT_POINT'
  /** A path on a kernel pseudo file system (proc, sysfs, cgroup, devtmpfs, …): nothing there is stored on a disk. */
  | 'E_PSEUDO_FS'
  /** A path of the run is locked by a run from another state folder (src/journal/path-lock.ts); the message names the holder. */
  | 'E_PATH_LOCKED'
  /** The machine-wide path-lock folder cannot be made or written. */
  | 'E_PATH_LOCK_DIR'
  /** The copy cannot keep something of the original (an extended attribute, an ACL, the owner) that the caller may otherwise keep: the destination refuses it. */
  | 'E_CANNOT_KEEP'
  /** A Windows cloud placeholder (OneDrive and other cloud-files providers) in data a move would copy to another volume: the copy would download it. */
  | 'E_CLOUD_PLACEHOLDER'
  /** An EFS-encrypted Windows file in data a move would copy to another volume: a copy would be decrypted. */
  | 'E_ENCRYPTED'
  | 'E_INTERNAL';

/**
 * A problem found in a manifest, tied to its source position.
 * Invariant: `line` and `col` are 1-based and point into `file` when both are set.
 */
export interface Diagnostic {
  severity: 'error' | 'warning';
  code: ErrorCode | `W_${string}`;
  message: string;
  file?: string;
  line?: number;
  col?: number;
  /** The filesystem path the problem is about, when there is one. */
  path?: string;
  /** What the user can do about it. */
  hint?: string;
}

/**
 * The one error class users see. `code` is stable; `message` is for people;
 * `hint` says what to do next. Never shown with a stack unless --verbose.
 */
export class RelocateError extends Error {
  readonly code: ErrorCode;
  readonly path?: string;
  readonly hint?: string;
  readonly diagnostics?: Diagnostic[];
  /** E_IN_USE: the programs holding the path, as `name (pid n)`, for progress reports (`--progress json`) and the GUI. */
  readonly programs?: string[];

  constructor(
    code: ErrorCode,
    message: string,
    opts: { path?: string; hint?: string; cause?: unknown; diagnostics?: Diagnostic[]; programs?: string[] } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'RelocateError';
    this.code = code;
    if (opts.path !== undefined) this.path = opts.path;
    if (opts.hint !== undefined) this.hint = opts.hint;
    if (opts.diagnostics !== undefined) this.diagnostics = opts.diagnostics;
    if (opts.programs !== undefined) this.programs = opts.programs;
  }
}
