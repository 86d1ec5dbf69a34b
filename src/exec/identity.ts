import { RelocateError } from '../core/errors.js';
import type { FsPort, NodeInfo } from './fs-port.js';
import type { CopyInfo, DeleteInfo, RenameInfo, StepInfoFor } from './step-info.js';
import type { StepFor, StepOfKind, StepOp } from './steps.js';

/**
 * What a path is, not where: `dev:ino`, which a rename keeps and a copy
 * does not, plus `:fsid` where the file system has a nonzero statfs
 * f_fsid. The journal records it for everything relocate creates, stages
 * or moves (DESIGN.md "Identity"), so no undo or resume renames or deletes
 * something that merely sits at one of relocate's paths. Two identities
 * are the same thing (sameIdentity) when their inodes are equal and their
 * fsids are, where both have one, or else their devices: a volume that
 * comes back from a power cut or reboot under another device number (every
 * btrfs mount, a USB disk, a loop device) keeps its fsid, so resume and
 * rollback recognise what relocate made there. Invariant: never made from
 * a file system without stable inode numbers (ino 0, as FAT can report on
 * Windows): there it is unknown instead.
 */
export type Identity = string;

export function identityOf(n: NodeInfo): Identity | undefined {
  if (n.ino === '0') return undefined;
  return n.fsid ? `${n.dev}:${n.ino}:${n.fsid}` : `${n.dev}:${n.ino}`;
}

/** Whether two identities name the same thing (see Identity): same inode, and same fsid where both know it, else same device. */
export function sameIdentity(a: Identity, b: Identity): boolean {
  if (a === b) return true;
  const [devA, inoA, fsidA] = a.split(':');
  const [devB, inoB, fsidB] = b.split(':');
  if (inoA !== inoB) return false;
  return fsidA && fsidB ? fsidA === fsidB : devA === devB;
}

/** The identity of what is at `p` now: null when nothing is there, undefined when it has none. */
export async function identityAt(fs: FsPort, p: string): Promise<Identity | null | undefined> {
  const n = await fs.lstat(p);
  return n ? identityOf(n) : null;
}

/** True when `n` is not the thing recorded (an unknown on either side proves nothing, so it is not a mismatch). */
export function differs(n: NodeInfo, recorded: Identity | null | undefined): boolean {
  if (recorded === undefined) return false;
  const now = identityOf(n);
  return now !== undefined && (recorded === null || !sameIdentity(now, recorded));
}

/** The hint of every identity mismatch: true, and never an invitation to delete anything. */
export const DRIFT_HINT =
  'relocate renamed and deleted nothing there: something other than what relocate made or moved now sits at that path. Move that thing elsewhere (keep it) and put back what relocate left, or use `relocate rollback --force`, which skips such steps and never deletes or renames the thing that differs';

export function driftError(message: string, path: string): RelocateError {
  return new RelocateError('E_DRIFT', message, { path, hint: DRIFT_HINT });
}

/** What an identity check before an undo found: go on, nothing of this step to undo, or a mismatch (why, and where). */
export type UndoVerdict = { go: true } | { go: false; nothingToUndo: true } | { go: false; nothingToUndo: false; why: string; path: string };

const GO: UndoVerdict = { go: true };
const NOTHING: UndoVerdict = { go: false, nothingToUndo: true };
const mismatch = (why: string, path: string): UndoVerdict => ({ go: false, nothingToUndo: false, why, path });

async function renameIdentity(fs: FsPort, s: StepFor['rename'], info: RenameInfo | undefined): Promise<UndoVerdict> {
  const moved = info?.movedId;
  if (moved === undefined) return GO;
  const to = await fs.lstat(s.to);
  if (!to || !differs(to, moved)) return GO;
  // Or relocate's own copy of it, put back there by the undo of a later delete (see runUndo).
  const restored = info?.restoredAt;
  if (restored !== undefined && !differs(to, restored)) return GO;
  const from = await fs.lstat(s.from);
  if (moved === null || (from !== null && !differs(from, moved))) return NOTHING;
  return mismatch(
    `${s.to} is not what relocate moved there from ${s.from} (it is another folder or file, by its identity), so relocate does not move it`,
    s.to,
  );
}

async function copyIdentity(fs: FsPort, s: StepFor['copy'], info: CopyInfo | undefined): Promise<UndoVerdict> {
  const to = await fs.lstat(s.to);
  if (!to) return GO;
  const made = info?.madeId;
  if (made === undefined) {
    if (info?.fromId === undefined) return GO;
    // No record of the root: made in the instant before the journal said so (then still empty), or not relocate's.
    if (to.kind === 'dir' && (await fs.rmdirIfEmpty(s.to))) return NOTHING;
    if (await holdsOnlyCopiesOf(fs, s.to, s.from)) return GO;
    return mismatch(`${s.to} is not a copy the journal says relocate made, so relocate does not delete it`, s.to);
  }
  if (differs(to, made))
    return mismatch(`${s.to} is not the copy relocate made (it is another folder or file, by its identity), so relocate does not delete it`, s.to);
  // The original's own identity is not required: a rollback has by then put back relocate's verified copy of it there.
  return GO;
}

async function deleteIdentity(fs: FsPort, s: StepFor['delete'], info: DeleteInfo | undefined): Promise<UndoVerdict> {
  const n = await fs.lstat(s.path);
  // Relocate's own copy, put back there by an earlier (interrupted) undo of this delete, is relocate's too.
  const restored = info?.restoredId;
  if (n && restored !== undefined && !differs(n, restored)) return GO;
  if (n && differs(n, info?.pathId))
    return mismatch(`${s.path} is not what relocate was deleting (it is another folder or file, by its identity), so relocate leaves it as it is`, s.path);
  return GO;
}

// mkdirs removes only empty folders it recorded (checked by identity where made); links are checked by what they point to.
const go = async (): Promise<UndoVerdict> => GO;

const CHECKS: { [K in StepOp]: (fs: FsPort, s: StepFor[K], info: StepInfoFor[K] | undefined) => Promise<UndoVerdict> } = {
  rename: renameIdentity,
  copy: copyIdentity,
  delete: deleteIdentity,
  mkdirs: go,
  verify: go,
  link: go,
  'check-link': go,
  'check-in-use': go,
  unlink: go,
};

/**
 * Checks, before an undo or a resume renames or deletes anything, that each
 * thing it would touch is what the journal says relocate made or moved:
 *
 * - rename: what is at `to` must be what was at `from` when the step began
 *   (`movedId`). A different thing there means the rename never happened
 *   (it failed on a taken name: nothing to undo) when `from` still holds the
 *   recorded thing, and a mismatch otherwise.
 * - copy: the copy at `to` must be the root relocate made (`madeId`, written
 *   the moment it existed); with no record (a crash in that instant) only an
 *   empty folder, or one holding only exact copies of the original's files,
 *   is relocate's to remove (this removes an empty one).
 * - delete: what is at `path` must be the thing the delete began on (`pathId`),
 *   or the copy an earlier undo of it put back there (`restoredId`).
 *
 * Fields a journal lacks (runs recorded before identities) check nothing.
 */
export function undoIdentity<K extends StepOp>(fs: FsPort, s: StepOfKind<K>, info: StepInfoFor[K] | undefined): Promise<UndoVerdict> {
  const check: (typeof CHECKS)[K] = CHECKS[s.op];
  return check(fs, s, info);
}

/**
 * True when every file under `p` equals, by content, the file at the same
 * place under `source`: deleting `p` then loses no byte that `source` does
 * not hold. For a leftover at one of relocate's names that the journal
 * cannot vouch for (a crash before its root was journaled).
 */
export async function holdsOnlyCopiesOf(fs: FsPort, p: string, source: string): Promise<boolean> {
  if (!(await fs.lstat(source))) return false;
  return fs.verify(p, source, 'content', true).then(
    () => true,
    (err: unknown) => {
      if (err instanceof RelocateError && err.code === 'E_VERIFY') return false;
      throw err;
    },
  );
}

/** undoIdentity for resume: a mismatch stops with E_DRIFT; "nothing to undo" means nothing to clear. */
export async function resumeIdentity<K extends StepOp>(fs: FsPort, s: StepOfKind<K>, info: StepInfoFor[K] | undefined): Promise<boolean> {
  const v = await undoIdentity(fs, s, info);
  if (v.go) return true;
  if (v.nothingToUndo) return false;
  throw driftError(v.why, v.path);
}
