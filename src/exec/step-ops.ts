import { RelocateError } from '../core/errors.js';
import { inUseHint, inUseSentence } from '../core/in-use-text.js';
import { stagingName } from '../core/own-names.js';
import { hostOs, samePath, styleForOs } from '../core/paths.js';
import type { FsPort, NodeMeta, OutsideName, ProgressFn } from './fs-port.js';
import { differs, driftError, holdsOnlyCopiesOf, identityAt, identityOf, recordedIdentity, resumeIdentity, undoIdentity } from './identity.js';
import type { Step } from './steps.js';
import { clearUndoStagings, clearUndoStagingsOfTwin, restoreSubsetMissing } from './subset-restore.js';
import { namesHash, remainderVerdict, verifyRemainder } from './twin-check.js';
import { assertNever } from '../core/never.js';

const STYLE = styleForOs(hostOs());

/** What a step found when it began, journaled so it can be undone after a crash. */
export type StepInfo = Record<string, unknown>;

/**
 * Gathers, before a step touches the disk, what undoing it will need: the
 * folders mkdirs will create, the kind and text of a link being removed,
 * the file list of a subset delete, and the identities (src/exec/identity.ts)
 * of what a rename moves (`movedId`, which the rename keeps), what a copy
 * copies (`fromId`) and what a delete deletes (`pathId`).
 */
export async function beginInfo(fs: FsPort, s: Step): Promise<StepInfo | undefined> {
  switch (s.op) {
    case 'mkdirs':
      return { created: await fs.missingDirs(s.path) };
    case 'rename':
      return withIdentity({}, 'movedId', await identityAt(fs, s.from));
    case 'copy':
      return withIdentity({}, 'fromId', await identityAt(fs, s.from));
    case 'unlink': {
      const n = await fs.lstat(s.path);
      if (!n) return { gone: true };
      const dest = n.kind === 'symlink' || n.kind === 'junction' ? await fs.linkDestination(s.path) : null;
      const targetInfo = n.kind === 'file' ? await fs.lstat(s.target) : null;
      return { kind: n.kind === 'file' ? 'hardlink' : n.kind, linkText: n.linkText ?? null, dest, isDir: dest ? (await fs.lstat(dest))?.kind === 'dir' : false, sameFile: targetInfo ? targetInfo.dev === n.dev && targetInfo.ino === n.ino : false };
    }
    case 'delete': {
      // A volume mounted inside since the verify: refused here, before the delete is journaled as begun.
      await fs.assertOneDevice?.(s.path);
      const n = await fs.lstat(s.path);
      const ids = withIdentity({}, 'pathId', n ? identityOf(n) : null);
      // The listing the verify just before walked (NodeFs reuses it): what "nothing deleted yet" means for the undo.
      if (!s.subset) {
        if (!n) return ids;
        // Outside names first: they read the verify's listing without taking it, snapshotNames takes it (NodeFs).
        const outside = await outsideInfo(fs, s.path);
        return { ...ids, namesHash: namesHash(await fs.snapshotNames(s.path)), ...outside };
      }
      // A file that is another name of its twin (a hard link) is put back as a hard link, not a copy.
      const t = await fs.lstat(s.twin);
      const linkOfTwin = n?.kind === 'file' && t !== null && n.dev === t.dev && n.ino === t.ino;
      return { ...ids, nodes: await fs.snapshot(s.path), ...(linkOfTwin ? { linkOfTwin: true } : {}) };
    }
    case 'verify':
    case 'link':
    case 'check-link':
    case 'check-in-use':
      return undefined;
    default:
      return assertNever(s, 'step');
  }
}

/** Adds an identity to journal info; an identity the file system cannot give (undefined) is left out. */
function withIdentity(info: StepInfo, key: string, id: string | null | undefined): StepInfo {
  return id === undefined ? info : { ...info, [key]: id };
}

/**
 * What a step made, journaled once it is known, for undo and resume to
 * check by identity: the folders mkdirs created (`madeIds`). (A copy's root
 * is journaled by the executor the moment it exists, as `madeId`.)
 */
export async function madeInfo(fs: FsPort, s: Step, info: StepInfo | undefined): Promise<StepInfo | undefined> {
  if (s.op !== 'mkdirs') return undefined;
  const created = (info?.created as string[] | undefined) ?? [];
  if (created.length === 0) return undefined;
  const madeIds: Record<string, string> = {};
  for (const d of created) {
    const id = await identityAt(fs, d);
    if (typeof id === 'string') madeIds[d] = id;
  }
  return { madeIds };
}

/**
 * Before a tree is deleted (the old copy of a move across volumes): for its
 * files that share data with names outside it (hard links from a pnpm
 * store, a backup), one outside name each, journaled in the delete's begin
 * line as `outside` (and `outsideMissing`, those not found), so a rollback
 * links the restored files to the same outside files again rather than
 * copying them (which would hold the data twice on the source). Nothing is
 * journaled for a tree without such files.
 */
async function outsideInfo(fs: FsPort, p: string): Promise<StepInfo | undefined> {
  const { found, missing } = await fs.outsideNames(p);
  if (found.length === 0 && missing === 0) return undefined;
  return { outside: found, ...(missing > 0 ? { outsideMissing: missing } : {}) };
}

/** The outside names a delete's begin line journaled, read defensively (a journal is data from disk). */
function journaledOutsideNames(info: StepInfo | undefined): OutsideName[] | undefined {
  const raw = info?.outside;
  if (!Array.isArray(raw)) return undefined;
  return raw.filter((r): r is OutsideName => typeof r === 'object' && r !== null && ['rel', 'path', 'dev', 'ino'].every((k) => typeof (r as Record<string, unknown>)[k] === 'string'));
}

function refuse(code: 'E_NOT_A_LINK' | 'E_MISSING' | 'E_INCONSISTENT', message: string, path: string, hint: string): never {
  throw new RelocateError(code, message, { path, hint });
}

/**
 * Carries out one step. Each refuses, before acting, anything the plan did
 * not expect. `onMade` is told the identity of a copy's root the moment it
 * exists (`madeId`), to be journaled before anything is written into it.
 */
export async function doStep(fs: FsPort, s: Step, info: StepInfo | undefined, progress?: ProgressFn, onMade?: (made: StepInfo) => void): Promise<void> {
  switch (s.op) {
    case 'mkdirs':
      await fs.mkdirs(s.path);
      return;
    case 'rename':
      if (!(await fs.lstat(s.from))) refuse('E_MISSING', `${s.from} is gone; nothing to move`, s.from, 'the disk changed since the plan; run `relocate plan` again');
      await fs.renameNoReplace(s.from, s.to);
      return;
    case 'copy':
      await fs.copyTree(s.from, s.to, progress, onMade ? (root) => onMade(withIdentity({}, 'madeId', identityOf(root))) : undefined);
      return;
    case 'verify':
      await fs.verify(s.original, s.copy, s.mode, s.subset === true, progress);
      return;
    case 'link':
      await fs.createLink(s.path, s.target, s.kind);
      return;
    case 'check-link':
      await checkLink(fs, s.path, s.target, s.kind);
      return;
    case 'check-in-use':
      await refuseIfInUse(fs, s.path);
      return;
    case 'unlink': {
      if (info?.gone) refuse('E_MISSING', `${s.path} is gone; there is no link to remove`, s.path, 'the disk changed since the plan; run `relocate plan` again');
      if (info?.kind === 'hardlink') {
        if (!info.sameFile) refuse('E_NOT_A_LINK', `${s.path} is not a hard link of ${s.target}; relocate will not delete it`, s.path, 'the disk changed since the plan; run `relocate plan` again');
        await fs.unlinkFile(s.path);
        return;
      }
      if (info?.kind !== 'symlink' && info?.kind !== 'junction') refuse('E_NOT_A_LINK', `${s.path} is not a link; relocate will not delete it`, s.path, 'the disk changed since the plan; run `relocate plan` again');
      if (s.target !== '' && (typeof info.dest !== 'string' || !samePath(info.dest, s.target, STYLE))) {
        refuse('E_NOT_A_LINK', `${s.path} now points to ${String(info.dest)}, not ${s.target}; relocate will not remove it`, s.path, 'the disk changed since the plan; run `relocate plan` again');
      }
      await fs.removeLink(s.path);
      return;
    }
    case 'delete':
      // The twin must still be there: it is what makes this delete safe.
      if (!(await fs.lstat(s.twin))) refuse('E_MISSING', `${s.twin} is gone, so ${s.path} (the only copy left) is kept`, s.twin, 'nothing was deleted; check the target');
      await fs.deleteTree(s.path);
      return;
    default:
      return assertNever(s, 'step');
  }
}

/** The pauses before the files-in-use check looks again at a tree it found held (about 1 s in all, only when held). */
export const IN_USE_LOOKS_AGAIN_MS = [300, 700] as const;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The executor's files-in-use check (DESIGN.md: again right before the
 * original is set aside): E_IN_USE naming the first program and how many
 * more hold something inside `p`, when something still does at the last of
 * three looks (IN_USE_LOOKS_AGAIN_MS apart). A port without the check passes.
 */
export async function refuseIfInUse(fs: FsPort, p: string, pause: (ms: number) => Promise<void> = sleep): Promise<void> {
  if (!fs.processesUsing) return;
  let held = await fs.processesUsing(p);
  // A program that only glances at the tree (an indexer, `du`, a virus scan, another relocate's read-only
  // `status` walk) has let go a moment later; one that keeps a file open is still there at the last look.
  // Looking again weakens nothing: a pass is as true as a first look taken that much later.
  for (const ms of IN_USE_LOOKS_AGAIN_MS) {
    if (held.length === 0) return;
    await pause(ms);
    held = await fs.processesUsing(p);
  }
  if (held.length === 0) return;
  const first = held[0]!;
  const others = new Set(held.map((u) => u.pid));
  others.delete(first.pid);
  throw new RelocateError('E_IN_USE', `${inUseSentence(first)}${others.size > 0 ? ` (and ${others.size} more program(s): pid ${[...others].join(', ')})` : ''} (found right before the move)`, {
    path: first.file,
    hint: inUseHint(first),
    programs: [...new Map(held.map((u) => [u.pid, `${u.process} (pid ${u.pid})`])).values()],
  });
}

/**
 * A created link is checked with lstat/readlink (some platforms report
 * success and create nothing, or something else): E_LINK_UNSUPPORTED then.
 */
export async function checkLink(fs: FsPort, p: string, target: string, kind: string): Promise<void> {
  const n = await fs.lstat(p);
  const unsupported = (what: string): never => {
    throw new RelocateError('E_LINK_UNSUPPORTED', `the ${kind} at ${p} was reported created, but ${what}`, {
      path: p,
      hint: kind === 'hardlink' ? 'this file system may not support hard links; use `type: symlink`' : 'this file system or platform may not support this link type; try another `type:` or volume',
    });
  };
  if (!n) unsupported('nothing is there');
  if (kind === 'hardlink') {
    const t = await fs.lstat(target);
    if (!t || t.dev !== n!.dev || t.ino !== n!.ino) unsupported(`it is not the same file as ${target}`);
    return;
  }
  if (n!.kind !== 'symlink' && n!.kind !== 'junction') unsupported(`a ${n!.kind} is there instead of a link`);
  const dest = await fs.linkDestination(p);
  if (!dest || !samePath(dest, target, STYLE)) unsupported(`it points to ${dest ?? 'nothing'}, not ${target}`);
  if (!(await fs.lstat(target))) throw new RelocateError('E_LINK_CHECK', `the link ${p} points to ${target}, which does not exist`, { path: target, hint: 'the target vanished while relocate worked; check the target drive' });
}

/** Has a begun step already taken effect? Used for the one step a crash interrupted. */
export async function stepTookEffect(fs: FsPort, s: Step, info: StepInfo | undefined): Promise<boolean> {
  switch (s.op) {
    case 'rename': {
      const [from, to] = await Promise.all([fs.lstat(s.from), fs.lstat(s.to)]);
      if (!from && to) {
        if (differs(to, recordedIdentity(info, 'movedId'))) throw driftError(`${s.to} is not what relocate was moving there from ${s.from} (it is another folder or file, by its identity); relocate stops here`, s.to);
        return true;
      }
      if (from && !to) return false;
      return refuse('E_INCONSISTENT', `cannot tell whether ${s.from} was moved to ${s.to}: ${from ? 'both exist' : 'neither exists'}`, s.from, 'inspect both paths by hand; relocate changed nothing more');
    }
    case 'link': {
      const n = await fs.lstat(s.path);
      if (!n) return false;
      try {
        await checkLink(fs, s.path, s.target, s.kind);
        return true;
      } catch {
        return refuse('E_INCONSISTENT', `${s.path} exists but is not the link relocate was making`, s.path, 'inspect it by hand');
      }
    }
    case 'unlink':
      return info?.gone === true || !(await fs.lstat(s.path));
    case 'mkdirs': {
      const n = await fs.lstat(s.path);
      return n?.kind === 'dir';
    }
    case 'copy':
    case 'verify':
    case 'check-link':
    case 'check-in-use':
    case 'delete':
      // Redone (a partial copy is discarded first); the checks only read.
      return false;
    default:
      return assertNever(s, 'step');
  }
}

/**
 * Prepares an interrupted step to run again, after checking by identity
 * that what it touches is what relocate made or moved (E_DRIFT otherwise):
 * a partial copy (relocate's own staging) is discarded; what is left of
 * the original of an interrupted delete is verified against its twin, by
 * content, before any more of it is deleted (E_VERIFY, the rest kept).
 */
export async function clearPartial(fs: FsPort, s: Step, info?: StepInfo): Promise<void> {
  if (!(await resumeIdentity(fs, s, info))) return;
  if (s.op === 'rename') {
    const from = await fs.lstat(s.from);
    if (from && differs(from, recordedIdentity(info, 'movedId'))) throw driftError(`${s.from} is not what relocate was moving to ${s.to} (it is another folder or file, by its identity); relocate stops here`, s.from);
  }
  if (s.op === 'delete' && (await fs.lstat(s.path)) && (await fs.lstat(s.twin))) await verifyRemainder(fs, s);
  if (s.op === 'copy' && (await fs.lstat(s.to))) {
    if (!(await fs.lstat(s.from))) refuse('E_INCONSISTENT', `${s.from} is gone while its copy ${s.to} is incomplete`, s.to, 'do not delete anything; inspect both paths');
    await fs.deleteTree(s.to);
  }
}

/**
 * Undoes a step that completed, or the part done of an interrupted one.
 * Idempotent: run twice (a crash during rollback), it does no harm.
 * Never deletes data that has no other copy. With `force`, a step whose
 * paths drifted is skipped (returned as a reason) instead of failing.
 */
export async function undoStep(fs: FsPort, s: Step, info: StepInfo | undefined, completed: boolean, force: boolean, onMade?: (made: StepInfo) => void): Promise<string | undefined> {
  const skip = (why: string, path: string): string => {
    if (force) return why;
    throw new RelocateError('E_DRIFT', why, { path, hint: 'the disk changed since the run; `relocate rollback --force` skips such steps (it never deletes the only copy of data)' });
  };
  const identity = await undoIdentity(fs, s, info);
  if (!identity.go) return identity.nothingToUndo ? undefined : skip(identity.why, identity.path);
  switch (s.op) {
    case 'mkdirs': {
      const created = (info?.created as string[] | undefined) ?? [];
      const madeIds = (info?.madeIds as Record<string, string> | undefined) ?? {};
      for (const d of created.slice().reverse()) {
        // A folder that is not the one the step made (by identity) is not relocate's to remove, even empty.
        const n = await fs.lstat(d);
        if (n && differs(n, madeIds[d])) continue;
        await fs.rmdirIfEmpty(d);
      }
      return undefined;
    }
    case 'rename': {
      const [from, to] = await Promise.all([fs.lstat(s.from), fs.lstat(s.to)]);
      if (from && !to) return undefined; // never happened, or already undone
      if (!to) return skip(`${s.to} is gone, so it cannot be moved back to ${s.from}`, s.to);
      if (from) return skip(`${s.from} exists again, so ${s.to} cannot be moved back`, s.from);
      await fs.renameNoReplace(s.to, s.from);
      return undefined;
    }
    case 'copy': {
      if (!(await fs.lstat(s.to))) return undefined;
      // The copy goes only while its original is still there.
      if (!(await fs.lstat(s.from))) return skip(`${s.from} is gone, so its copy ${s.to} is kept`, s.from);
      await fs.deleteTree(s.to);
      return undefined;
    }
    case 'link': {
      const n = await fs.lstat(s.path);
      if (!n) return undefined;
      if (s.kind === 'hardlink') {
        const t = await fs.lstat(s.target);
        if (!t || t.dev !== n.dev || t.ino !== n.ino) return skip(`${s.path} is no longer a hard link of ${s.target}`, s.path);
        await fs.unlinkFile(s.path);
        return undefined;
      }
      const dest = await fs.linkDestination(s.path);
      if (!dest || !samePath(dest, s.target, STYLE)) return skip(`${s.path} is no longer the link to ${s.target} that relocate made`, s.path);
      await fs.removeLink(s.path);
      return undefined;
    }
    case 'unlink': {
      if (info?.gone || (!completed && (await fs.lstat(s.path)))) return undefined;
      const there = await fs.lstat(s.path);
      if (there) {
        // Put back already, by an earlier rollback cut short before it could journal so: nothing to do.
        if (info?.kind === 'hardlink') {
          const t = await fs.lstat(s.target);
          if (there.kind === 'file' && t !== null && t.dev === there.dev && t.ino === there.ino) return undefined;
        } else if ((there.kind === 'symlink' || there.kind === 'junction') && there.linkText === info?.linkText) return undefined;
        return skip(`${s.path} is occupied, so the old link cannot be put back`, s.path);
      }
      if (info?.kind === 'hardlink') await fs.hardLink(s.target, s.path);
      else await fs.restoreLink(s.path, String(info?.linkText ?? ''), info?.kind === 'junction' ? 'junction' : 'symlink', info?.isDir === true);
      return undefined;
    }
    case 'delete': {
      if (!(await fs.lstat(s.twin))) return skip(`${s.twin} is gone, so ${s.path} cannot be restored from it`, s.twin);
      const nodes = (info?.nodes as NodeMeta[] | undefined) ?? [];
      const existing = await fs.lstat(s.path);
      if (completed && existing) return undefined; // already restored by an earlier, interrupted rollback
      const reuse = journaledOutsideNames(info);
      if (existing && !s.subset) {
        // A crash right after the journal line may have deleted nothing: an intact copy needs no round trip.
        const intact = await fs.verify(s.twin, s.path, 'meta', false).then(() => true, () => false);
        if (intact) return undefined;
      }
      if (existing && s.subset) {
        // A subset delete (a merge's leftovers, or a file its identical link replaced) that stopped partway, or never
        // began: what is left is the original and stays; only the missing nodes come back (never a copy of an original
        // over itself), and only once what is left verifies equal to the twin by content.
        if (existing.kind === 'dir') await clearUndoStagings(fs, s.path, nodes, false);
        const left = await remainderVerdict(fs, s, info);
        if (left === 'differs') return skip(`part of ${s.path} was deleted and what is left differs from ${s.twin}; both are kept as they are`, s.path);
        if (existing.kind === 'dir') {
          await restoreSubsetMissing(fs, s.twin, s.path, nodes);
          await fs.verify(s.path, s.twin, 'content', true);
        }
        return undefined;
      }
      if (existing) {
        // What is left is trusted against the twin only once it verifies equal to it by content: a twin damaged
        // since (a power cut) never replaces it, nor fills it up. An earlier undo cut short may have left its torn stagings in it.
        if (existing.kind === 'dir') await clearUndoStagingsOfTwin(fs, s.path, s.twin);
        const left = await remainderVerdict(fs, s, info);
        if (left === 'whole') return undefined;
        if (left === 'differs') return skip(`part of ${s.path} was deleted and what is left differs from ${s.twin}; both are kept as they are`, s.path);
        if (existing.kind === 'dir' && !s.subset) {
          // Partly deleted: only what is missing comes back from the twin; every original still there keeps its identity,
          // and so does anything made there since (a folder a mount left behind): the check is that the twin is all there.
          await fs.restoreMissing(s.twin, s.path, reuse);
          await fs.verify(s.twin, s.path, 'content', true);
          return undefined;
        }
        await fs.deleteTree(s.path); // finish an interrupted delete: the twin is verified equal
      }
      // What the undo puts back at `path` is relocate's own: its identity is journaled (`restoredId`) for the undo of the rename that set the original aside there.
      const restored = async (p: string) => {
        const n = onMade ? await fs.lstat(p) : null;
        if (n) onMade!(withIdentity({}, 'restoredId', identityOf(n)));
      };
      if (info?.linkOfTwin === true) {
        await fs.hardLink(s.twin, s.path);
        await restored(s.path);
        return undefined;
      }
      const staging = stagingName(s.path, 'undo');
      const left = await fs.lstat(staging);
      if (left) {
        // An earlier, interrupted undo's copy: deleted only when the journal says relocate made it (or it is an empty folder).
        const own = recordedIdentity(info, 'restoredId');
        const legacy = recordedIdentity(info, 'pathId') === undefined;
        if (legacy || (own !== undefined && !differs(left, own)) || (await holdsOnlyCopiesOf(fs, staging, s.twin))) await fs.deleteTree(staging);
        else if (!(left.kind === 'dir' && (await fs.rmdirIfEmpty(staging)))) return skip(`${staging} is not a copy the journal says relocate made, so relocate does not delete it`, staging);
      }
      if (s.subset) {
        // A file's snapshot is its own root node; a folder's root is made here (older journals lack the root node).
        const folder = !nodes.some((n) => n.rel === '' && n.kind !== 'dir');
        if (folder) {
          await fs.mkdirs(staging);
          await restored(staging);
        }
        await fs.restoreSnapshot(s.twin, staging, nodes);
        if (!folder) await restored(staging);
      } else {
        await fs.copyTree(s.twin, staging, undefined, onMade ? (root) => onMade(withIdentity({}, 'restoredId', identityOf(root))) : undefined, reuse);
        await fs.verify(s.twin, staging, 'meta', false);
      }
      await fs.renameNoReplace(staging, s.path);
      return undefined;
    }
    case 'verify':
    case 'check-link':
    case 'check-in-use':
      // They only read: nothing to undo.
      return undefined;
    default:
      return assertNever(s, 'step');
  }
}
