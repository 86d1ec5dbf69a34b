import { isInside } from '../core/paths.js';
import { durableBy } from './durable-by.js';
import { blockFigures } from './space.js';
import type { DesiredEntry } from '../manifest/types.js';
import type { EntryObservation } from '../state/types.js';
import type { Decision } from './decide.js';
import { KIND_WORDS as what } from './kind-words.js';
import { isLink } from './link-type.js';
import type { MoveSpec } from './types.js';

/**
 * What becomes of a link that points somewhere other than its target, for an
 * entry with `retarget: move`: `decided`, a retarget or a conflict; or a
 * bare `relink`, with the sentence that says why no data moves.
 */
export type RetargetVerdict = { kind: 'decided'; decision: Decision } | { kind: 'relink'; why: string };

const RELINK_ONLY = 'set `retarget: relink` on the entry to only replace the link and leave the data where it is';

/**
 * DESIGN.md row "link → elsewhere" (issue 14): an entry applied before whose
 * target changed. The data at the old target (where the link points now)
 * moves to the new target by the move protocol, then the link is replaced:
 * a `retarget`. Decided from the old target's own observation (never
 * through the link), in this order:
 *
 * - nothing there, an empty folder, or a link that leads nowhere: no data
 *   to move, a bare relink (an empty old folder is left where it is);
 * - a link that leads to data: a conflict — relocate never follows a link
 *   to move what it points to (the chain is the user's to straighten);
 * - neither folder, file nor link: a conflict, as at a link path;
 * - the new target is the old one by identity (same volume and inode,
 *   reached by another name): a bare relink, nothing moves;
 * - one inside the other, or the link inside the data it points to: a
 *   conflict (a folder cannot move into itself, nor carry its own link);
 * - anything at the new target: a conflict. Both holding data is never
 *   merged or set aside: `conflict: backup` and `merge` are about data at
 *   the link path, and here the link path holds only a link; refusing
 *   leaves both untouched and the user decides. An empty folder at the new
 *   target is a conflict too: the move protocol never renames onto an
 *   existing name (RENAME_NOREPLACE), so the reason says to remove it;
 * - nothing at the new target: a retarget.
 *
 * Undefined when the old target was not observed (`retarget: relink`, a
 * link whose destination cannot be read, a pseudo file system): the caller
 * relinks as before. Pure.
 */
export function decideRetarget(e: DesiredEntry, o: EntryObservation): RetargetVerdict | undefined {
  const old = o.oldTarget;
  if (!old) return undefined;
  const T = o.target;
  const from = old.path;
  const conflict = (reason: string): RetargetVerdict => ({ kind: 'decided', decision: { action: 'conflict', reason, findings: [] } });
  const relink = (why: string): RetargetVerdict => ({ kind: 'relink', why });

  if (old.kind === 'absent') return relink(`No data moves: ${from} does not exist`);
  if (isLink(old)) {
    const leadsTo = isLink(o.link) ? o.link.linkTargetKind : undefined;
    if (leadsTo === 'dir' || leadsTo === 'file') {
      return conflict(
        `${e.link} points to ${from}, which is itself ${what[old.kind]} to ${old.linkTarget ?? old.linkText ?? 'another place'}: relocate does not follow a link to move what it points to. Point ${e.link} at the real ${leadsTo === 'dir' ? 'folder' : 'file'} first (apply then moves the data from there), or ${RELINK_ONLY}`,
      );
    }
    return relink(`No data moves: ${from} is ${what[old.kind]} that leads nowhere`);
  }
  if (old.kind === 'other')
    return conflict(`${e.link} points to ${from}, which is ${what.other}; relocate will not move it. Move it yourself, or ${RELINK_ONLY}`);
  if (old.kind === 'dir' && old.empty === true) return relink(`No data moves: ${from} is an empty folder, left where it is`);

  // The old target holds data (a file, or a folder not known to be empty).
  const noun = old.kind === 'dir' ? 'folder' : 'file';
  if (T.kind === old.kind && T.ino !== undefined && T.ino === old.ino && T.volume?.id !== undefined && T.volume.id === old.volume?.id) {
    return relink(`No data moves: ${from} and ${e.target} are the same ${noun} (same volume and inode), reached by two names`);
  }
  if (isInside(e.target, from, e.style)) {
    return conflict(
      `${e.target} lies inside ${from}, where ${e.link} points now: relocate cannot move a folder into itself. Choose a target outside it, or ${RELINK_ONLY}`,
    );
  }
  if (isInside(from, e.target, e.style)) {
    return conflict(
      `${from}, where ${e.link} points now, lies inside the new target ${e.target}: moving it there would mix it into the target's own contents. Move it yourself, or ${RELINK_ONLY}`,
    );
  }
  if (isInside(e.link, from, e.style)) {
    return conflict(
      `${e.link} lies inside ${from}, the ${noun} it points to: moving that ${noun} would take the link with it. Move the data yourself, or ${RELINK_ONLY}`,
    );
  }
  if (T.kind === 'dir' && T.empty === true) {
    return conflict(
      `${e.link} points to ${from}, which holds the data, and ${e.target} is an empty folder: relocate never moves data onto an existing folder, not even an empty one. Remove the empty folder and run again to move the data there, or ${RELINK_ONLY}`,
    );
  }
  if (T.kind !== 'absent') {
    const strategy =
      e.conflict === 'fail'
        ? ''
        : ` (\`conflict: ${e.conflict}\` applies to data at the link path; here the link path holds only a link, so no strategy applies)`;
    return conflict(
      `both hold data: ${e.link} points to ${from}, which is ${what[old.kind]}, and ${e.target} is ${what[T.kind]} already; relocate will not mix them${strategy}. Move one of them away yourself, or ${RELINK_ONLY}`,
    );
  }

  const tree = o.oldTargetTree;
  const a = old.volume?.id;
  const b = T.volume?.id;
  const cross = a !== undefined && b !== undefined && a !== b;
  const move: MoveSpec = {
    from,
    to: e.target,
    crossVolume: cross,
    bytes: tree?.bytes ?? 0,
    files: tree?.files ?? 0,
    ...(!tree && o.sizesSkipped ? { measured: false as const } : {}),
    ...(cross && tree?.sharedOutside ? { sharedOutside: { ...tree.sharedOutside } } : {}),
    ...blockFigures(tree, cross, T.volume),
    ...durableBy(cross, T.volume),
  };
  return {
    kind: 'decided',
    decision: {
      action: 'retarget',
      reason: `${e.link} points to ${from}, which holds the data: it moves to ${e.target}${cross ? ' (across volumes: copied, verified, then the original removed)' : ' (same volume: one rename)'}, then the link is replaced to point there`,
      move,
      oldTarget: from,
      findings: [],
    },
  };
}
