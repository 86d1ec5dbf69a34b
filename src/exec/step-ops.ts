import { RelocateError } from '../core/errors.js';
import { inUseHint, inUseSentence } from '../core/in-use-text.js';
import { hostOs, samePath, styleForOs } from '../core/paths.js';
import type { FsPort, NodeMeta, ProgressFn } from './fs-port.js';
import { stagingName, type Step } from './steps.js';

const STYLE = styleForOs(hostOs());

/** What a step found when it began, journaled so it can be undone after a crash. */
export type StepInfo = Record<string, unknown>;

/**
 * Gathers, before a step touches the disk, what undoing it will need: the
 * folders mkdirs will create, the kind and text of a link being removed,
 * the file list of a subset delete.
 */
export async function beginInfo(fs: FsPort, s: Step): Promise<StepInfo | undefined> {
  switch (s.op) {
    case 'mkdirs':
      return { created: await fs.missingDirs(s.path) };
    case 'unlink': {
      const n = await fs.lstat(s.path);
      if (!n) return { gone: true };
      const dest = n.kind === 'symlink' || n.kind === 'junction' ? await fs.linkDestination(s.path) : null;
      const targetInfo = n.kind === 'file' ? await fs.lstat(s.target) : null;
      return { kind: n.kind === 'file' ? 'hardlink' : n.kind, linkText: n.linkText ?? null, dest, isDir: dest ? (await fs.lstat(dest))?.kind === 'dir' : false, sameFile: targetInfo ? targetInfo.dev === n.dev && targetInfo.ino === n.ino : false };
    }
    case 'delete': {
      if (!s.subset) return undefined;
      // A file that is another name of its twin (a hard link) is put back as a hard link, not a copy.
      const [n, t] = await Promise.all([fs.lstat(s.path), fs.lstat(s.twin)]);
      const linkOfTwin = n?.kind === 'file' && t !== null && n.dev === t.dev && n.ino === t.ino;
      return { nodes: await fs.snapshot(s.path), ...(linkOfTwin ? { linkOfTwin: true } : {}) };
    }
    default:
      return undefined;
  }
}

function refuse(code: 'E_NOT_A_LINK' | 'E_MISSING' | 'E_INCONSISTENT', message: string, path: string, hint: string): never {
  throw new RelocateError(code, message, { path, hint });
}

/** Carries out one step. Each refuses, before acting, anything the plan did not expect. */
export async function doStep(fs: FsPort, s: Step, info: StepInfo | undefined, progress?: ProgressFn): Promise<void> {
  switch (s.op) {
    case 'mkdirs':
      await fs.mkdirs(s.path);
      return;
    case 'rename':
      if (!(await fs.lstat(s.from))) refuse('E_MISSING', `${s.from} is gone; nothing to move`, s.from, 'the disk changed since the plan; run `relocate plan` again');
      await fs.renameNoReplace(s.from, s.to);
      return;
    case 'copy':
      await fs.copyTree(s.from, s.to, progress);
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
  }
}

/**
 * The executor's files-in-use check (DESIGN.md: again right before the
 * original is set aside): E_IN_USE naming the first program and how many
 * more hold something inside `p`. A port without the check passes.
 */
export async function refuseIfInUse(fs: FsPort, p: string): Promise<void> {
  const held = fs.processesUsing ? await fs.processesUsing(p) : [];
  if (held.length === 0) return;
  const first = held[0]!;
  const others = new Set(held.map((u) => u.pid));
  others.delete(first.pid);
  throw new RelocateError('E_IN_USE', `${inUseSentence(first)}${others.size > 0 ? ` (and ${others.size} more program(s): pid ${[...others].join(', ')})` : ''} (found right before the move)`, {
    path: first.file,
    hint: inUseHint(first),
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
      if (!from && to) return true;
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
    default:
      // copy, verify, check-link and delete are redone (a partial copy is discarded first).
      return false;
  }
}

/** Prepares an interrupted step to run again: a partial copy (relocate's own staging) is discarded. */
export async function clearPartial(fs: FsPort, s: Step): Promise<void> {
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
export async function undoStep(fs: FsPort, s: Step, info: StepInfo | undefined, completed: boolean, force: boolean): Promise<string | undefined> {
  const skip = (why: string, path: string): string => {
    if (force) return why;
    throw new RelocateError('E_DRIFT', why, { path, hint: 'the disk changed since the run; `relocate rollback --force` skips such steps (it never deletes the only copy of data)' });
  };
  switch (s.op) {
    case 'mkdirs': {
      const created = (info?.created as string[] | undefined) ?? [];
      for (const d of created.slice().reverse()) await fs.rmdirIfEmpty(d);
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
      if (existing && !s.subset) {
        // A crash right after the journal line may have deleted nothing: an intact copy needs no round trip.
        const intact = await fs.verify(s.twin, s.path, 'meta', false).then(() => true, () => false);
        if (intact) return undefined;
      }
      if (existing) await fs.deleteTree(s.path); // finish an interrupted delete: the twin is verified equal
      if (info?.linkOfTwin === true) {
        await fs.hardLink(s.twin, s.path);
        return undefined;
      }
      const staging = stagingName(s.path, 'undo');
      if (await fs.lstat(staging)) await fs.deleteTree(staging);
      if (s.subset) {
        // A file's snapshot is its own root node; a folder's root is made here (older journals lack the root node).
        if (!nodes.some((n) => n.rel === '' && n.kind !== 'dir')) await fs.mkdirs(staging);
        await fs.restoreSnapshot(s.twin, staging, nodes);
      } else {
        await fs.copyTree(s.twin, staging);
        await fs.verify(s.twin, staging, 'meta', false);
      }
      await fs.renameNoReplace(staging, s.path);
      return undefined;
    }
    default:
      return undefined;
  }
}
