import { samePath } from '../core/paths.js';
import type { DesiredEntry } from '../manifest/types.js';
import type { EntryObservation, LinkObservation, TreeComparison } from '../state/types.js';
import { KIND_WORDS as what } from './kind-words.js';
import { dataKind, isLink, sameVolume, wrongLinkKind } from './link-type.js';
import { durableBy } from './durable-by.js';
import { blockFigures } from './space.js';
import { decideRetarget } from './retarget.js';
import type { ActionFields, Finding, MoveSpec, ResolvedLinkType } from './types.js';
import { assertNever } from '../core/never.js';

/** The action for one entry, with what its action carries (ActionFields) and everything needed to explain it. */
export type Decision = ActionFields & { reason: string; findings: Finding[] };

/** Suffix of the name data is moved aside to; the UTC time is chosen when apply runs. */
export const BACKUP_INFIX = '.relocate-backup-';

/** Whether `l` is a link whose destination is `target` (so its destination is known). */
function pointsTo(l: LinkObservation, target: string, e: DesiredEntry): l is LinkObservation & { linkTarget: string } {
  return l.linkTarget !== undefined && samePath(l.linkTarget, target, e.style);
}

/** Same file on the same volume: the link path is already a hard link of the target. */
function sameInode(o: EntryObservation): boolean {
  return o.link.kind === 'file' && o.target.kind === 'file' && o.link.ino !== undefined && o.link.ino === o.target.ino && sameVolume(o) !== false;
}

function moveOf(from: string, to: string, o: EntryObservation, tree: 'linkTree' | 'targetTree', cross: boolean): MoveSpec {
  const t = o[tree];
  return {
    from,
    to,
    crossVolume: cross,
    bytes: t?.bytes ?? 0,
    files: t?.files ?? 0,
    ...(!t && o.sizesSkipped ? { measured: false as const } : {}),
    ...(cross && t?.sharedOutside ? { sharedOutside: { ...t.sharedOutside } } : {}),
    ...blockFigures(t, cross, tree === 'linkTree' ? o.target.volume : o.link.volume),
    ...durableBy(cross, tree === 'linkTree' ? o.target.volume : o.link.volume),
  };
}

function identicalFiles(c: TreeComparison | undefined): boolean {
  return c !== undefined && c.differ.length === 0 && c.onlyAtLink.length === 0 && c.onlyAtTarget.length === 0 && c.identical.length > 0;
}

/** DESIGN.md's table for `state: present`, plus the conflict strategies. */
export function decidePresent(e: DesiredEntry, o: EntryObservation, type: ResolvedLinkType): Decision {
  const L = o.link;
  const T = o.target;
  const findings: Finding[] = [];
  if (L.kind === 'other') return { action: 'conflict', reason: `${e.link} is ${what.other}; relocate will not replace it`, findings };
  if (T.kind === 'other') return { action: 'conflict', reason: `${e.target} is ${what.other}; it cannot hold the data`, findings };

  if (isLink(L)) {
    if (pointsTo(L, e.target, e)) {
      if (wrongLinkKind(L.kind, type)) {
        if (T.kind === 'absent' && type !== 'hardlink') {
          findings.push({
            severity: 'warning',
            code: 'W_TARGET_MISSING',
            path: e.target,
            message: `${e.link} points to ${e.target}, which does not exist: the new ${type} will be broken too`,
            hint: 'restore the target folder, or remove the entry',
          });
        }
        return {
          action: 'relink',
          reason: `${e.link} is ${what[L.kind]} to the target; the manifest wants a ${type}, so the link is replaced`,
          oldTarget: L.linkTarget,
          findings,
        };
      }
      if (T.kind === 'absent') {
        findings.push({
          severity: 'warning',
          code: 'W_TARGET_MISSING',
          path: e.target,
          message: `${e.link} points to ${e.target}, which does not exist (a broken link)`,
          hint: 'restore the target folder, or remove the entry',
        });
      } else if (L.linkTargetKind === 'loop') {
        findings.push({
          severity: 'warning',
          code: 'W_LINK_LOOP',
          path: e.link,
          message: `${e.link} points to ${e.target}, which leads back through links to itself: programs get "too many levels of symbolic links"`,
          hint: `${e.target} should hold the data; see where it points (\`ls -l\`) and put the data back there`,
        });
      }
      return { action: 'none', reason: `${e.link} is already ${what[L.kind]} to ${e.target}`, findings };
    }
    // The data at the old destination moves with the link (a retarget), unless there is none or the entry says not to.
    const retarget = e.retarget === 'move' ? decideRetarget(e, o) : undefined;
    if (retarget?.kind === 'decided') return retarget.decision;
    // Only a folder can be created empty; a file link to a missing target stays broken until the file exists.
    const createsTarget = T.kind === 'absent' && type !== 'hardlink' && dataKind(o) === 'dir';
    if (T.kind === 'absent' && type !== 'hardlink' && !createsTarget) {
      findings.push({
        severity: 'warning',
        code: 'W_TARGET_MISSING',
        path: e.target,
        message: `${e.target} does not exist: the new link at ${e.link} will be broken until it does`,
      });
    }
    const untouched =
      retarget?.kind === 'relink'
        ? retarget.why
        : e.retarget === 'relink'
          ? 'The old destination is not touched (the entry says `retarget: relink`)'
          : 'The old destination is not touched';
    return {
      action: 'relink',
      reason: `${e.link} is ${what[L.kind]} to ${L.linkTarget ?? L.linkText ?? 'an unknown place'}; it will point to ${e.target}${createsTarget ? ' (created as an empty folder)' : ''}. ${untouched}`,
      oldTarget: L.linkTarget ?? L.linkText ?? '',
      ...(createsTarget ? { createsTarget } : {}),
      findings,
    };
  }

  if (L.kind === 'absent') {
    if (T.kind === 'absent') {
      return {
        action: 'create',
        reason: `nothing at ${e.link} or ${e.target}: an empty target folder is created, then the link`,
        createsTarget: true,
        findings,
      };
    }
    return { action: 'link', reason: `${e.target} exists and nothing is at ${e.link}: the link is created`, findings };
  }

  // Real data at the link path.
  if (type === 'hardlink' && sameInode(o)) {
    return { action: 'none', reason: `${e.link} is already a hard link of ${e.target}`, findings };
  }
  const refusal = refusedBeforeConflict(e, o);
  if (refusal) return { action: 'conflict', reason: refusal, ...(o.comparison ? { comparison: o.comparison } : {}), findings };
  const cross = sameVolume(o) === false;
  if (T.kind === 'absent') {
    return {
      action: 'move',
      reason: `${e.link} is ${what[L.kind]}: its data moves to ${e.target}${cross ? ' (across volumes: copied, verified, then the original removed)' : ' (same volume: one rename)'}, then the link is created`,
      move: moveOf(e.link, e.target, o, 'linkTree', cross),
      findings,
    };
  }
  const c = o.comparison;
  if (L.kind === 'file' && T.kind === 'file' && identicalFiles(c)) {
    return {
      action: 'link',
      reason: `${e.link} and ${e.target} hold identical content: the copy at the link path is replaced by the link`,
      replacesIdentical: true,
      ...(c ? { comparison: c } : {}),
      findings,
    };
  }
  const both = `${e.link} is ${what[L.kind]} and ${e.target} is ${what[T.kind]} already`;
  switch (e.conflict) {
    case 'backup':
      return {
        action: 'backup',
        reason: `${both}: the data at the link path is moved aside to ${e.link}${BACKUP_INFIX}<UTC time> and kept, then the link is created`,
        move: moveOf(e.link, `${e.link}${BACKUP_INFIX}<UTC time>`, o, 'linkTree', false),
        findings,
      };
    case 'merge':
      if (L.kind === 'dir' && T.kind === 'dir' && c !== undefined && c.differ.length === 0 && !c.truncated) {
        return {
          action: 'merge',
          reason: `${both}: ${c.onlyAtLink.length} item(s) move into the target, ${c.identical.length} identical file(s) are taken once, then the link is created`,
          move: moveOf(e.link, e.target, o, 'linkTree', cross),
          comparison: c,
          findings,
        };
      }
      return {
        action: 'conflict',
        reason:
          L.kind !== T.kind || L.kind !== 'dir'
            ? `${both}: only two folders can be merged`
            : c === undefined
              ? `${both}: the two folders were not compared, so relocate cannot prove a merge loses nothing`
              : c.differ.length > 0
                ? `${both}: ${c.differ.length} file(s) differ on the two sides, so they cannot be merged`
                : `${both}: the comparison was cut short (too many names), so relocate cannot prove a merge loses nothing`,
        ...(c ? { comparison: c } : {}),
        findings,
      };
    case 'fail':
      return {
        action: 'conflict',
        reason: `${both}: set \`conflict: backup\` to keep the link-path data aside, or \`conflict: merge\` to combine folders, or move one away yourself`,
        ...(c ? { comparison: c } : {}),
        findings,
      };
    default:
      return assertNever(e.conflict, 'conflict strategy');
  }
}

/**
 * Real data at the link path and something at the target that no conflict
 * strategy may touch; the reason, or undefined. Checked before the
 * strategies, so no backup or merge hint is ever offered for these:
 * - the target is a link back to the link path: the manifest was applied the
 *   other way round, and a backup would leave two links pointing at each
 *   other (a loop, with the data set aside);
 * - link and target are one folder by identity (device and inode), reached
 *   through a symlinked parent or another case on a case-insensitive volume:
 *   a move onto itself;
 * - a backup would leave a folder path linked to a file, or a file path
 *   linked to a folder: programs that open the path would break.
 */
function refusedBeforeConflict(e: DesiredEntry, o: EntryObservation): string | undefined {
  const L = o.link;
  const T = o.target;
  if (isLink(T) && T.linkTarget !== undefined && samePath(T.linkTarget, e.link, e.style)) {
    return `this was applied the other way round: ${e.target} is ${what[T.kind]} to ${e.link}, where the data is. To reverse it, use \`state: absent\` on the old manifest (link ${e.target}, target ${e.link}); relocate will not set the data aside here, which would leave two links pointing at each other`;
  }
  if (L.kind === 'dir' && T.kind === 'dir' && L.ino !== undefined && L.ino === T.ino && sameVolume(o) === true) {
    return `${e.link} and ${e.target} are the same folder (same volume and inode), reached by two names (through a linked folder, or another case on a case-insensitive volume): relocate cannot move a folder onto itself. Write the two paths so they name different folders`;
  }
  if (e.conflict === 'backup') {
    const atTarget =
      T.kind === 'dir' || T.kind === 'file' ? T.kind : isLink(T) && (T.linkTargetKind === 'dir' || T.linkTargetKind === 'file') ? T.linkTargetKind : undefined;
    if ((L.kind === 'dir' || L.kind === 'file') && atTarget !== undefined && atTarget !== L.kind) {
      return `${e.link} is ${what[L.kind]} and ${e.target} is ${what[atTarget]}: after \`conflict: backup\` the ${L.kind === 'dir' ? 'folder' : 'file'} path would be a link to ${what[atTarget]}, and programs that open it would fail. Point the entry at a target of the same kind`;
    }
  }
  return undefined;
}

/** `state: absent`: the link goes and the data comes back to the link path. */
export function decideAbsent(e: DesiredEntry, o: EntryObservation): Decision {
  const L = o.link;
  const T = o.target;
  const findings: Finding[] = [];
  const cross = sameVolume(o) === false;
  if (L.kind === 'other') return { action: 'conflict', reason: `${e.link} is ${what.other}; relocate will not replace it`, findings };
  if (isLink(L)) {
    if (!pointsTo(L, e.target, e)) {
      return {
        action: 'conflict',
        reason: `${e.link} is ${what[L.kind]} to ${L.linkTarget ?? L.linkText}, not to ${e.target}; relocate leaves links it was not told about alone`,
        findings,
      };
    }
    if (T.kind === 'absent') {
      findings.push({
        severity: 'warning',
        code: 'W_TARGET_MISSING',
        path: e.target,
        message: `${e.target} does not exist: there is no data to bring back; only the broken link is removed`,
      });
      return { action: 'remove', reason: `${e.link} is a broken link to ${e.target}: the link is removed`, removes: e.link, findings };
    }
    return {
      action: 'restore',
      removes: e.link,
      reason: `the link at ${e.link} is removed and the data moves back from ${e.target}${cross ? ' (across volumes: copied, verified, then removed at the target)' : ''}`,
      move: moveOf(e.target, e.link, o, 'targetTree', cross),
      findings,
    };
  }
  if (L.kind === 'absent') {
    if (T.kind === 'absent') return { action: 'none', reason: `nothing at ${e.link} or ${e.target}: nothing to bring back`, findings };
    if (T.kind === 'other') return { action: 'conflict', reason: `${e.target} is ${what.other}`, findings };
    return {
      action: 'restore',
      reason: `nothing is at ${e.link}: the data moves back from ${e.target}`,
      move: moveOf(e.target, e.link, o, 'targetTree', cross),
      findings,
    };
  }
  if (e.type === 'hardlink' && sameInode(o)) {
    return {
      action: 'remove',
      reason: `${e.link} is a hard link of ${e.target}: the data stays at the link path and the target's name is removed`,
      removes: e.target,
      findings,
    };
  }
  return { action: 'none', reason: `${e.link} is ${what[L.kind]} (no link): the data is already at the link path`, findings };
}
