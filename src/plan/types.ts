import type { ErrorCode, WarningCode } from '../core/codes.js';
import type { FolderPlaces } from '../core/folder-places.js';
import type { OsName, PathStyle } from '../core/paths.js';
import type { ConflictStrategy, EntryState, LinkType, RetargetMode } from '../manifest/types.js';
import type { Capabilities, EntryObservation, TreeComparison } from '../state/types.js';

/** What apply would do for one entry (DESIGN.md "Machine output"). */
export type Action =
  | 'none'
  | 'link'
  | 'create'
  | 'move'
  | 'relink'
  | 'retarget'
  | 'backup'
  | 'merge'
  | 'restore'
  | 'remove'
  | 'conflict'
  | 'skip';

/** The kind of link apply creates once `auto` and platform rules are resolved. */
export type ResolvedLinkType = 'junction' | 'symlink' | 'hardlink';

/**
 * A preflight check's result. `error` blocks apply; `warning` is shown.
 * Invariant: an error carries an E_ code and a warning a W_ code, both from
 * the registry (core/codes.ts); `hint` says what to do.
 */
export type Finding = ({ severity: 'error'; code: ErrorCode } | { severity: 'warning'; code: WarningCode }) & {
  message: string;
  path?: string;
  hint?: string;
};

/** A move of real data from one path to another (link → target, target → link for a restore, old target → target for a retarget). */
export interface MoveSpec {
  from: string;
  to: string;
  crossVolume: boolean;
  bytes: number;
  files: number;
  /** false: a same-volume rename whose tree apply did not walk (it needs no sizes); bytes and files are then 0 and unknown. */
  measured?: false;
  /**
   * Across volumes only, when some files of `from` are hard links of files
   * outside it: those files (once each) and their bytes. Deleting `from`
   * frees `bytes − sharedOutside.bytes` on its volume, not `bytes`.
   */
  sharedOutside?: { files: number; bytes: number };
  /**
   * Across volumes only: what the files take on their own volume
   * (st_blocks), when the OS tells. Differs from `bytes` for small files
   * (a whole block each) and sparse ones (only their data); the free-space
   * check counts blocks on the target (src/plan/preflight.ts).
   */
  allocated?: number;
  /**
   * Across volumes only, when the destination's block size is known: what
   * the files and folders will take there (bytesOnVolume), an upper bound
   * the free-space check uses.
   */
  onTarget?: number;
  /** Across volumes only, when known: how the copy is made durable on the destination before the original is deleted (Durability.why). */
  durableBy?: string;
}

/**
 * The plan for one entry. Invariants: `move` is set exactly for actions
 * move, backup (the data moved aside), merge (entries moved into target),
 * restore and retarget; `oldTarget` only for relink and retarget (for a
 * retarget it equals `move.from`: the data moves from where the link points
 * now); `comparison` only for action conflict (and for merge, the names it
 * moves and the identical ones).
 */
export interface PlannedEntry {
  /** Position in the plan's execution order (parents first). */
  order: number;
  index: number;
  link: string;
  target: string;
  /** The link kind apply makes (after auto and platform rules). */
  type: ResolvedLinkType;
  declaredType: LinkType;
  state: EntryState;
  conflictStrategy: ConflictStrategy;
  /** The manifest's `retarget:` for this entry: re-observing the disk for a saved plan needs it (it decides what is observed). */
  retargetMode: RetargetMode;
  action: Action;
  /** One sentence a Windows user understands: why this action. */
  reason: string;
  move?: MoveSpec;
  /** relink, retarget: where the link pointed before (a retarget moves the data from there). */
  oldTarget?: string;
  /** link/relink of a file whose identical copy already sits at the target: the link-path copy is replaced. */
  replacesIdentical?: boolean;
  /** remove, restore: the path whose link (for a hard link, the target's name) is removed. */
  removes?: string;
  /** create, relink: the target folder does not exist and is created first. */
  createsTarget?: boolean;
  comparison?: TreeComparison;
  findings: Finding[];
  style: PathStyle;
  source: { file: string; line: number; col: number };
  glob?: { pattern: string; name: string };
}

/** Counts per action, and the bytes that would move. */
export interface PlanSummary {
  actions: Partial<Record<Action, number>>;
  bytesToMove: number;
  bytesAcrossVolumes: number;
  conflicts: number;
  errors: number;
  warnings: number;
}

/**
 * A whole plan: pure data, JSON-serialisable, made by the pure planner.
 * Invariant: `blocked` is true exactly when some entry is a conflict or
 * some finding (entry or global) has severity error; apply refuses then.
 * `fingerprint` hashes every observation the plan was made from, so a saved
 * plan can be refused when the disk has changed since.
 */
export interface Plan {
  formatVersion: 1;
  manifest: { path: string; hash: string };
  os: OsName;
  toolVersion: string;
  entries: PlannedEntry[];
  findings: Finding[];
  summary: PlanSummary;
  blocked: boolean;
  fingerprint: string;
}

/** What the planner needs to know beyond entries and observations. Plain data: the planner stays pure. */
export interface PlanContext {
  os: OsName;
  home: string;
  capabilities: Capabilities;
  toolVersion: string;
  manifest: { path: string; hash: string };
  /** relocate's own state folder: never a link or target. */
  stateDir?: string;
  /**
   * Where this machine keeps AppData, OneDrive, the user's folders …
   * (src/core/folder-places.ts): the protected-folder and verdict rules
   * compare paths with them. Absent: only the rules that need none apply.
   */
  places?: FolderPlaces;
}

/** Observations keyed by the desired entry they belong to (same order as the entries). */
export type Observations = (EntryObservation | undefined)[];
