import { linkSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { RelocateError } from '../../core/errors.js';
import { canonicalPath, hostOs, isAbsolutePath, styleForOs } from '../../core/paths.js';
import type { ResolvedLinkType } from '../../plan/types.js';
import { fsError } from './errno-codes.js';
import { HOST } from './host-primitives.js';
import { lstatOrNull, readlinkOf } from './node-stat.js';

/*
 * Link operations are single syscalls, made synchronously: through the thread pool each cost a
 * round trip several times the syscall (1,000 links of a dotfiles manifest: 0.57 s vs 0.19 s measured).
 * None of them makes anything durable: NodeFs syncs the folder after each.
 */

const STYLE = styleForOs(hostOs());

/**
 * A failed link creation: a platform without this link type (Wine has no
 * junctions: ENOTSUP) is E_LINK_UNSUPPORTED, a Windows account without the
 * symlink privilege E_SYMLINK_PRIVILEGE; anything else as fsError says.
 */
function linkError(err: unknown, p: string, kind: string, doing: string): RelocateError {
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  if (code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
    return new RelocateError('E_LINK_UNSUPPORTED', `${doing} ${p} failed: this platform or file system cannot make a ${kind} (${code})`, {
      path: p,
      hint: 'try another `type:` (or another volume); nothing was left half-made',
      cause: err,
    });
  }
  if (HOST.symlinkNeedsPrivilege && kind === 'symlink' && code === 'EPERM') {
    return new RelocateError(
      'E_SYMLINK_PRIVILEGE',
      `${doing} ${p} failed: creating symbolic links needs Developer Mode or the "Create symbolic links" privilege`,
      {
        path: p,
        hint: 'enable Developer Mode (Settings > For developers), or use `type: junction` for folders',
        cause: err,
      },
    );
  }
  return fsError(err, p, doing);
}

/** Creates a link of `kind` at `p` to `target` (a junction is a directory symlink outside Windows). */
export async function makeLink(p: string, target: string, kind: ResolvedLinkType): Promise<void> {
  const type = kind === 'hardlink' ? undefined : await HOST.newLinkType(kind, target);
  try {
    if (kind === 'hardlink') linkSync(target, p);
    else symlinkSync(target, p, type);
  } catch (err) {
    throw linkError(err, p, kind, `creating the ${kind} at`);
  }
}

/** Puts back a recorded link with its exact text; `dirHint`: a Windows symlink pointed to a folder. */
export function remakeLink(p: string, linkText: string, kind: 'symlink' | 'junction', dirHint: boolean): void {
  try {
    symlinkSync(linkText, p, HOST.restoredLinkType(kind, dirHint));
  } catch (err) {
    throw linkError(err, p, kind, 'recreating the link at');
  }
}

/** Where the link at `p` points, absolute and canonical; null when `p` is not a link. */
export async function linkDestinationOf(p: string): Promise<string | null> {
  const s = await lstatOrNull(p);
  if (!s?.isSymbolicLink()) return null;
  const text = readlinkOf(p);
  return canonicalPath(isAbsolutePath(text, STYLE) ? text : path.resolve(path.dirname(p), text), STYLE);
}

/** Removes the link at `p` as a link, never what it points to; false when nothing was there, E_NOT_A_LINK for anything else. */
export async function removeLinkAt(p: string): Promise<boolean> {
  const s = await lstatOrNull(p);
  if (!s) return false;
  if (!s.isSymbolicLink())
    throw new RelocateError('E_NOT_A_LINK', `${p} is not a link; relocate will not delete it`, {
      path: p,
      hint: 'the disk changed since the plan; run `relocate plan` again',
    });
  try {
    HOST.removeLinkEntry(p);
  } catch (err) {
    throw fsError(err, p, 'removing the link');
  }
  return true;
}

/** Removes one file's name. */
export function unlinkFileAt(p: string): void {
  try {
    unlinkSync(p);
  } catch (err) {
    throw fsError(err, p, 'removing');
  }
}

/** Gives the file `existing` a second name `p`. */
export function makeHardLink(existing: string, p: string): void {
  try {
    linkSync(existing, p);
  } catch (err) {
    throw fsError(err, p, 'creating the hard link');
  }
}
