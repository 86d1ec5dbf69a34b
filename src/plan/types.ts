import type { ErrorCode, WarningCode } from '../core/codes.js';
import type { FolderPlaces } from '../core/folder-places.js';
import type { OsName, PathStyle } from '../core/paths.js';
import type { ConflictStrategy, EntryState, LinkType, RetargetMode } from '../manifest/types.js';
import type { Capabilities, EntryObservation, TreeComparison } from '../state/types.js';

/** What apply would do for one entry (DESIGN.md "Machine output"). */
export type Action = 'none' | 'link' | 'create' | 'move' | 'relink' | 'retarget' | 'backup' | 'merge' | 'restore' | 'remove' | 'conflict' | 'skip';

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

/** The fields every planned entry has, whatever its action. */
export interface EntryBase {
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
  /** One sentence a Windows user understands: why this action. */
  reason: string;
  findings: Finding[];
  style: PathStyle;
  source: { file: string; line: number; col: number };
  glob?: { pattern: string; name: string };
}

/** none: in sync, nothing to do. */
export interface NoneFields {
  action: 'none';
}

/** skip: not for this machine (or not observed); never resolved, so `type` is the declared one (auto shown as symlink). */
export interface SkipFields {
  action: 'skip';
}

/** link: the target exists and the link is made; `replacesIdentical` when a file identical to the target's sits at the link path and is replaced (then `comparison` shows the proof). */
export interface LinkFields {
  action: 'link';
  replacesIdentical?: boolean;
  comparison?: TreeComparison;
}

/** create: nothing on either side; the target folder is always created first. */
export interface CreateFields {
  action: 'create';
  createsTarget: true;
}

/** move: the link path's data moves to the target, then the link is made. */
export interface MoveFields {
  action: 'move';
  move: MoveSpec;
}

/**
 * relink: the link is replaced to point at the target. `oldTarget` is where
 * it pointed (its destination made absolute, else its text as stored, ''
 * when neither could be read); `createsTarget` when the target folder is
 * missing and made empty first.
 */
export interface RelinkFields {
  action: 'relink';
  oldTarget: string;
  createsTarget?: boolean;
}

/** retarget: the data at `oldTarget` (where the link points now; equal to `move.from`) moves to the target, then the link is replaced. */
export interface RetargetFields {
  action: 'retarget';
  move: MoveSpec;
  oldTarget: string;
}

/** backup: the link path's data is moved aside (`move.to` names the backup, its time chosen at apply), then the link is made. */
export interface BackupFields {
  action: 'backup';
  move: MoveSpec;
}

/** merge: the names only at the link side (`comparison.onlyAtLink`) move into the target, the identical ones are taken once. */
export interface MergeFields {
  action: 'merge';
  move: MoveSpec;
  comparison: TreeComparison;
}

/** restore: the data moves back from the target; `removes` is the link at the link path removed first, when there is one. */
export interface RestoreFields {
  action: 'restore';
  move: MoveSpec;
  removes?: string;
}

/** remove: `removes` is the name removed: the link path (a broken link), or for a hard link the target's name (the data stays at the link path). */
export interface RemoveFields {
  action: 'remove';
  removes: string;
}

/** conflict: refused; `comparison` when both sides held real data and were compared. */
export interface ConflictFields {
  action: 'conflict';
  comparison?: TreeComparison;
}

/**
 * What an entry carries because of its action, one variant per action.
 * The types state the invariants: `move` exists exactly on move, backup,
 * merge, restore and retarget; `oldTarget` exactly on relink and retarget;
 * `comparison` on merge, and optionally on conflict and on a link that
 * replaces an identical file; `removes` on remove and optionally restore;
 * `createsTarget` on create (always true) and optionally relink;
 * `replacesIdentical` on link only.
 */
export type ActionFields =
  | NoneFields
  | SkipFields
  | LinkFields
  | CreateFields
  | MoveFields
  | RelinkFields
  | RetargetFields
  | BackupFields
  | MergeFields
  | RestoreFields
  | RemoveFields
  | ConflictFields;

/** Every Action has its variant, and every variant is an Action: a compile error here otherwise. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** A compile-time check: `Holds<X>` fails to compile unless X is true. */
export type Holds<T extends true> = T;
export type EveryActionHasFields = Holds<Same<ActionFields['action'], Action>>;

/** The plan for one entry: the common fields and those of its action (narrow on `action`, or with the guards in actions.ts: hasMove, moveOf …). */
export type PlannedEntry = EntryBase & ActionFields;

/** The entries of one action, e.g. `EntryOf<'retarget'>` (with its `move` and `oldTarget`). */
export type EntryOf<A extends Action> = Extract<PlannedEntry, { action: A }>;

/** The actions whose entries carry a `move`: the data they take from one place to another. */
export type MovingAction = Extract<ActionFields, { move: MoveSpec }>['action'];

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
