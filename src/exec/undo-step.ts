import { RelocateError } from '../core/errors.js';
import { samePath } from '../core/paths.js';
import { differs, undoIdentity } from './identity.js';
import type { StepContext } from './step-context.js';
import type { MadeFn, MkdirsInfo, StepInfoFor, UnlinkInfo } from './step-info.js';
import type { StepFor, StepOfKind, StepOp } from './steps.js';
import { undoDelete } from './undo-delete.js';

/**
 * How one undo goes: whether the step completed (else only the part done of
 * an interrupted one is undone), `skip` (with --force a drifted path is
 * skipped and returned as the reason, else E_DRIFT), and `onMade` for what
 * the undo itself makes (journaled before anything is written into it).
 */
export interface UndoRun<K extends StepOp> {
  completed: boolean;
  skip: (why: string, path: string) => string;
  onMade: MadeFn<K> | undefined;
}

type UndoFn<K extends StepOp> = (cx: StepContext, s: StepFor[K], info: StepInfoFor[K] | undefined, run: UndoRun<K>) => Promise<string | undefined>;

async function undoMkdirs({ fs }: StepContext, _s: StepFor['mkdirs'], info: MkdirsInfo | undefined): Promise<undefined> {
  const madeIds = info?.madeIds ?? {};
  for (const d of (info?.created ?? []).slice().reverse()) {
    // A folder that is not the one the step made (by identity) is not relocate's to remove, even empty.
    const n = await fs.lstat(d);
    if (n && differs(n, madeIds[d])) continue;
    await fs.rmdirIfEmpty(d);
  }
  return undefined;
}

async function undoRename({ fs }: StepContext, s: StepFor['rename'], _info: unknown, { skip }: UndoRun<'rename'>): Promise<string | undefined> {
  const [from, to] = await Promise.all([fs.lstat(s.from), fs.lstat(s.to)]);
  if (from && !to) return undefined; // never happened, or already undone
  if (!to) return skip(`${s.to} is gone, so it cannot be moved back to ${s.from}`, s.to);
  if (from) return skip(`${s.from} exists again, so ${s.to} cannot be moved back`, s.from);
  await fs.renameNoReplace(s.to, s.from);
  return undefined;
}

async function undoCopy({ fs }: StepContext, s: StepFor['copy'], _info: unknown, { skip }: UndoRun<'copy'>): Promise<string | undefined> {
  if (!(await fs.lstat(s.to))) return undefined;
  // The copy goes only while its original is still there.
  if (!(await fs.lstat(s.from))) return skip(`${s.from} is gone, so its copy ${s.to} is kept`, s.from);
  await fs.deleteTree(s.to);
  return undefined;
}

async function undoLink({ fs, style }: StepContext, s: StepFor['link'], _info: unknown, { skip }: UndoRun<'link'>): Promise<string | undefined> {
  const n = await fs.lstat(s.path);
  if (!n) return undefined;
  if (s.kind === 'hardlink') {
    const t = await fs.lstat(s.target);
    if (!t || t.dev !== n.dev || t.ino !== n.ino) return skip(`${s.path} is no longer a hard link of ${s.target}`, s.path);
    await fs.unlinkFile(s.path);
    return undefined;
  }
  const dest = await fs.linkDestination(s.path);
  if (!dest || !samePath(dest, s.target, style)) return skip(`${s.path} is no longer the link to ${s.target} that relocate made`, s.path);
  await fs.removeLink(s.path);
  return undefined;
}

async function undoUnlink(
  { fs }: StepContext,
  s: StepFor['unlink'],
  info: UnlinkInfo | undefined,
  { completed, skip }: UndoRun<'unlink'>,
): Promise<string | undefined> {
  const gone = info !== undefined && 'gone' in info;
  if (gone || (!completed && (await fs.lstat(s.path)))) return undefined;
  const found = info !== undefined && !('gone' in info) ? info : undefined;
  const there = await fs.lstat(s.path);
  if (there) {
    // Put back already, by an earlier rollback cut short before it could journal so: nothing to do.
    if (found?.kind === 'hardlink') {
      const t = await fs.lstat(s.target);
      if (there.kind === 'file' && t !== null && t.dev === there.dev && t.ino === there.ino) return undefined;
    } else if ((there.kind === 'symlink' || there.kind === 'junction') && there.linkText === found?.linkText) return undefined;
    return skip(`${s.path} is occupied, so the old link cannot be put back`, s.path);
  }
  if (found?.kind === 'hardlink') await fs.hardLink(s.target, s.path);
  else await fs.restoreLink(s.path, found?.linkText ?? '', found?.kind === 'junction' ? 'junction' : 'symlink', found?.isDir === true);
  return undefined;
}

// They only read: nothing to undo.
const readOnly = async (): Promise<undefined> => undefined;

const UNDO: { [K in StepOp]: UndoFn<K> } = {
  mkdirs: undoMkdirs,
  rename: undoRename,
  copy: undoCopy,
  link: undoLink,
  unlink: undoUnlink,
  delete: undoDelete,
  verify: readOnly,
  'check-link': readOnly,
  'check-in-use': readOnly,
};

/**
 * Undoes a step that completed, or the part done of an interrupted one.
 * Idempotent: run twice (a crash during rollback), it does no harm.
 * Never deletes data that has no other copy. With `force`, a step whose
 * paths drifted is skipped (returned as a reason) instead of failing.
 */
export async function undoStep<K extends StepOp>(
  cx: StepContext,
  s: StepOfKind<K>,
  info: StepInfoFor[K] | undefined,
  completed: boolean,
  force: boolean,
  onMade?: MadeFn<K>,
): Promise<string | undefined> {
  const skip = (why: string, path: string): string => {
    if (force) return why;
    throw new RelocateError('E_DRIFT', why, {
      path,
      hint: 'the disk changed since the run; `relocate rollback --force` skips such steps (it never deletes the only copy of data)',
    });
  };
  const identity = await undoIdentity(cx.fs, s, info);
  if (!identity.go) return identity.nothingToUndo ? undefined : skip(identity.why, identity.path);
  const undo: (typeof UNDO)[K] = UNDO[s.op];
  return undo(cx, s, info, { completed, skip, onMade });
}
