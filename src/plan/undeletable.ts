import type { OsName } from '../core/paths.js';
import { formatBytes } from '../core/units.js';
import type { InodeFlag, TreeMeasure } from '../state/types.js';
import type { Decision } from './decide.js';
import type { Finding } from './types.js';
import { moveOf } from './actions.js';

/**
 * Files that cannot be deleted, and files whose data stays on the source
 * because names outside the moved folder share it (issue 13, sections 6
 * and 7). Pure: the reader measured both (TreeMeasure.undeletable,
 * .sharedOutside); this only decides what they mean for one entry.
 */

/** The command that clears a flag, shown in the hint. */
function clearCommand(os: OsName, flag: InodeFlag, file: string): string {
  const q = JSON.stringify(file);
  if (os === 'darwin') return flag === 'immutable' ? `chflags nouchg,noschg ${q}` : `chflags nouappnd,nosappnd ${q}`;
  return flag === 'immutable' ? `chattr -i ${q}` : `chattr -a ${q}`;
}

/** How to list every flagged file, for the hint when there are more than shown. */
function listCommand(os: OsName, dir: string): string {
  return os === 'darwin' ? `ls -lRO ${JSON.stringify(dir)}` : `lsattr -R ${JSON.stringify(dir)}`;
}

/**
 * E_IMMUTABLE when the entry would delete or rename what it cannot: an
 * action that deletes the original (a move or restore across volumes, a
 * merge's leftovers, a file replaced by an identical link) meets any
 * flagged file or folder in the tree; one that only renames the tree's top
 * (a same-volume move, a backup) meets a flag on that top alone — ext4
 * renames a folder holding an immutable file, but not an immutable node
 * itself. Found here, before any copy, instead of after both verifies when
 * the delete fails halfway.
 */
export function undeletableFindings(d: Decision, tree: TreeMeasure | undefined, os: OsName, linkPath: string): Finding[] {
  const u = tree?.undeletable;
  const move = moveOf(d);
  const replacesIdentical = d.action === 'link' && d.replacesIdentical === true;
  if (!u || (!move && !replacesIdentical)) return [];
  const from = move ? move.from : linkPath;
  const deletes = move?.crossVolume === true || d.action === 'merge' || replacesIdentical;
  if (!deletes) {
    if (!u.root) return [];
    return [
      {
        severity: 'error',
        code: 'E_IMMUTABLE',
        path: from,
        message: `${from} is ${u.root}: it cannot be renamed or moved`,
        hint: `clear the flag first (\`${clearCommand(os, u.root, from)}\`, as root), then run again`,
      },
    ];
  }
  const first = u.first[0];
  if (!first) return [];
  const named = u.first.map((f) => `${f.path} (${f.flag})`).join(', ');
  const more = u.count > u.first.length ? ` and ${u.count - u.first.length} more` : '';
  return [
    {
      severity: 'error',
      code: 'E_IMMUTABLE',
      path: first.path,
      message: `${u.count} file(s) or folder(s) in ${from} cannot be deleted (immutable or append-only), so the original could not be removed after the copy: ${named}${more}`,
      hint: `clear the flag first (\`${clearCommand(os, first.flag, first.path)}\`, as root${u.count > 1 ? `; \`${listCommand(os, from)}\` lists the others` : ''}), then run again`,
    },
  ];
}

/**
 * W_OUTSIDE_HARDLINKS: a move across volumes deletes the original, but the
 * data of files that names outside the folder share stays on the source
 * (a pnpm store, a deduplicated backup). The plan says how much the move
 * really frees there.
 */
export function sharedOutsideFindings(d: Decision): Finding[] {
  const m = moveOf(d);
  if (!m?.crossVolume || !m.sharedOutside) return [];
  const frees = Math.max(0, m.bytes - m.sharedOutside.bytes);
  const what = `${m.sharedOutside.files} file(s) in ${m.from} share their data with files outside the folder (hard links)`;
  return [
    {
      severity: 'warning',
      code: 'W_OUTSIDE_HARDLINKS',
      path: m.from,
      message:
        frees === 0
          ? `${what}: the source frees nothing (${formatBytes(m.bytes)} are copied, and the source keeps them too)`
          : `${what}: the source frees only ${formatBytes(frees)} of ${formatBytes(m.bytes)}`,
      hint: 'the copy at the target no longer shares their data; `relocate rollback` makes them hard links of the same outside files again',
    },
  ];
}
