import { RelocateError } from '../core/errors.js';
import { inUseHint, inUseSentence } from '../core/in-use-text.js';
import { samePath } from '../core/paths.js';
import type { FsPort } from './fs-port.js';
import type { StepContext } from './step-context.js';

/*
 * The two steps that only read: the files-in-use check before an original
 * is set aside, and the check of a link just made (also the drift check of
 * a finished run's links, and the probe of a link step a crash interrupted).
 */

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
  const first = held[0];
  const others = new Set(held.map((u) => u.pid));
  others.delete(first.pid);
  throw new RelocateError(
    'E_IN_USE',
    `${inUseSentence(first)}${others.size > 0 ? ` (and ${others.size} more program(s): pid ${[...others].join(', ')})` : ''} (found right before the move)`,
    {
      path: first.file,
      hint: inUseHint(first),
      programs: [...new Map(held.map((u) => [u.pid, `${u.process} (pid ${u.pid})`])).values()],
    },
  );
}

/**
 * A created link is checked with lstat/readlink (some platforms report
 * success and create nothing, or something else): E_LINK_UNSUPPORTED then.
 */
export async function checkLink({ fs, style }: StepContext, p: string, target: string, kind: string): Promise<void> {
  const n = await fs.lstat(p);
  const unsupported = (what: string): never => {
    throw new RelocateError('E_LINK_UNSUPPORTED', `the ${kind} at ${p} was reported created, but ${what}`, {
      path: p,
      hint:
        kind === 'hardlink'
          ? 'this file system may not support hard links; use `type: symlink`'
          : 'this file system or platform may not support this link type; try another `type:` or volume',
    });
  };
  if (!n) return unsupported('nothing is there');
  if (kind === 'hardlink') {
    const t = await fs.lstat(target);
    if (!t || t.dev !== n.dev || t.ino !== n.ino) unsupported(`it is not the same file as ${target}`);
    return;
  }
  if (n.kind !== 'symlink' && n.kind !== 'junction') unsupported(`a ${n.kind} is there instead of a link`);
  const dest = await fs.linkDestination(p);
  if (!dest || !samePath(dest, target, style)) unsupported(`it points to ${dest ?? 'nothing'}, not ${target}`);
  if (!(await fs.lstat(target)))
    throw new RelocateError('E_LINK_CHECK', `the link ${p} points to ${target}, which does not exist`, {
      path: target,
      hint: 'the target vanished while relocate worked; check the target drive',
    });
}
