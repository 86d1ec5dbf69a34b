import type { NodeMeta, OutsideName } from './fs-port.js';
import type { Identity } from './identity.js';
import type { StepOp } from './steps.js';

/**
 * What a step journals about itself, one shape per step kind
 * (`StepInfoFor[op]`). A `begin` line carries what the step found before it
 * touched the disk (what undoing it needs); `made` lines and a `done` line's
 * info carry what it made once that is known, and join the begin's info
 * (JournalState). The journal line does not say its step's kind: its info is
 * read through `decodeStepInfo` (src/journal/step-info-decode.ts) with the
 * step it belongs to, so each field is read only where it means something.
 *
 * These are the journal's format (RUN_FORMAT_VERSION): a field added later
 * is optional, since runs recorded before it lack it (an identity missing
 * checks nothing: src/exec/identity.ts). Type aliases, not interfaces, so
 * each is a JSON object (`Record<string, unknown>`) as the line carries it.
 */

/**
 * mkdirs: `created`, the folders it will create (outermost first, found at
 * begin), and `madeIds`, the identity of each once made (its `done` line).
 * Undo removes only these, only while empty and still the one made.
 */
export type MkdirsInfo = { created?: string[]; madeIds?: Record<string, Identity> };

/**
 * rename: `movedId`, the identity of what was at `from` at begin (a rename
 * keeps it; null when nothing was there). `restoredAt` is never journaled:
 * the executor joins it, for the undo, from the `restoredId` of a later
 * delete of the same entry whose undo put a copy back at `to` (runUndo).
 */
export type RenameInfo = { movedId?: Identity | null; restoredAt?: Identity };

/** copy: `fromId`, what was at `from` at begin; `madeId`, the copy's root, journaled (a `made` line) the moment it exists. */
export type CopyInfo = { fromId?: Identity | null; madeId?: Identity };

/** unlink, when nothing was at its path at begin: nothing to remove, nothing to put back. */
export type UnlinkGone = { gone: true };

/**
 * unlink, when something was at its path at begin: what it was (a plain
 * file counts as `hardlink`, checked by `sameFile`: the same file as the
 * step's target), the link's stored text and where it points (null for
 * none), and whether that is a folder (for a Windows symlink's kind).
 * Only `hardlink`, `symlink` and `junction` are ever removed.
 */
export type UnlinkFound = {
  kind: 'hardlink' | 'symlink' | 'junction' | 'dir' | 'other';
  linkText: string | null;
  dest: string | null;
  isDir: boolean;
  sameFile: boolean;
};

export type UnlinkInfo = UnlinkGone | UnlinkFound;

/**
 * delete of a whole tree (a moved original): `pathId`, what it deleted
 * (null when nothing was there); `namesHash`, its names at begin ("nothing
 * deleted yet" is "every name still there": src/exec/twin-check.ts); the
 * files sharing data with names outside it (`outside`, and `outsideMissing`
 * those not found), linked again by a rollback; and `restoredId`, the copy
 * an undo put back (a `made` line, before anything is written into it).
 */
export type WholeDeleteInfo = {
  pathId?: Identity | null;
  namesHash?: string;
  outside?: OutsideName[];
  outsideMissing?: number;
  restoredId?: Identity;
  nodes?: never;
  linkOfTwin?: never;
};

/**
 * delete of a subset (`subset: true`, a merge's leftovers): `pathId` and
 * `restoredId` as for a whole delete; `nodes`, the snapshot of what it
 * deletes (parents first), put back from the twin by an undo; `linkOfTwin`
 * when the deleted file was another name of the twin (put back as a hard link).
 */
export type SubsetDeleteInfo = {
  pathId?: Identity | null;
  nodes?: NodeMeta[];
  linkOfTwin?: true;
  restoredId?: Identity;
  namesHash?: never;
  outside?: never;
  outsideMissing?: never;
};

/** A delete's info: the step's `subset` says which (the decoder reads it so). */
export type DeleteInfo = WholeDeleteInfo | SubsetDeleteInfo;

/** Each step kind's info; the kinds that only read or only create a link journal none (`never`). */
export interface StepInfoFor {
  mkdirs: MkdirsInfo;
  rename: RenameInfo;
  copy: CopyInfo;
  unlink: UnlinkInfo;
  delete: DeleteInfo;
  verify: never;
  link: never;
  'check-link': never;
  'check-in-use': never;
}

/** The info of a step of any kind. Read it only with its own step (the functions take both, typed by the step's kind). */
export type StepInfo = StepInfoFor[StepOp];

/** What a step tells its `onMade` the moment it made something, journaled (fsync'd) before anything is written into it. */
export type MadeFn<K extends StepOp> = (made: StepInfoFor[K]) => void;

/** Joins what a step made to what it began on (a later field wins, as the journal's lines do). */
export function joinMade<K extends StepOp>(info: StepInfoFor[K] | undefined, made: StepInfoFor[K]): StepInfoFor[K] {
  return { ...info, ...made };
}
