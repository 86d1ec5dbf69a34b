import type { Diagnostic } from '../core/errors.js';
import { isInside, pathKey } from '../core/paths.js';
import type { DesiredEntry } from './types.js';

function at(e: DesiredEntry): Pick<Diagnostic, 'file' | 'line' | 'col'> {
  return { file: e.source.file, line: e.source.line, col: e.source.col };
}

function label(e: DesiredEntry): string {
  return e.glob ? `links[${e.index}] (match ${e.glob.name})` : `links[${e.index}]`;
}

/**
 * Checks that need all applying entries at once: a link equal to its target,
 * a target inside its own link (or the reverse), two entries with one link
 * path, a path one entry links and another stores data at, and hard links
 * known to be folders. Linear in the number of entries (hash maps), except
 * the per-entry nesting test which is constant work.
 */
export function crossChecks(entries: DesiredEntry[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byLink = new Map<string, DesiredEntry>();
  const byTarget = new Map<string, DesiredEntry>();
  for (const e of entries) {
    if (!e.applies) continue;
    const lk = pathKey(e.link, e.style);
    const tk = pathKey(e.target, e.style);
    if (lk === tk) {
      out.push({
        severity: 'error',
        code: 'E_SELF_LINK',
        ...at(e),
        path: e.link,
        message: `${label(e)}: link and target are the same path (${e.link})`,
        hint: 'the target is where the data should live: give it a different path',
      });
      continue;
    }
    if (isInside(e.target, e.link, e.style)) {
      out.push({
        severity: 'error',
        code: 'E_NESTED_SELF',
        ...at(e),
        path: e.target,
        message: `${label(e)}: the target ${e.target} is inside its own link ${e.link}`,
        hint: 'moving a folder into itself is impossible: choose a target outside the link folder',
      });
    } else if (isInside(e.link, e.target, e.style)) {
      out.push({
        severity: 'error',
        code: 'E_NESTED_SELF',
        ...at(e),
        path: e.link,
        message: `${label(e)}: the link ${e.link} is inside its own target ${e.target}`,
        hint: 'a link inside the folder it points to makes a loop: choose paths that do not contain each other',
      });
    }
    if (e.type === 'hardlink' && e.knownFolder !== undefined) {
      out.push({
        severity: 'error',
        code: 'E_HARDLINK_DIR',
        ...at(e),
        path: e.knownFolder,
        message: `${label(e)}: ${e.knownFolder} is a folder, and a hard link can only be made to a file (the mklink /H rule)`,
        hint: 'use `type: junction` or `type: symlink` for folders',
      });
    }
    const dup = byLink.get(lk);
    if (dup) {
      out.push({
        severity: 'error',
        code: 'E_DUPLICATE_LINK',
        ...at(e),
        path: e.link,
        message: `${label(e)}: the link ${e.link} is already claimed by ${label(dup)} at line ${dup.source.line}`,
        hint: 'each link path may appear once; remove one of the entries',
      });
    } else {
      byLink.set(lk, e);
    }
    if (!byTarget.has(tk)) byTarget.set(tk, e);
  }
  // A path cannot be both a link (for one entry) and where data lives (for another).
  for (const e of entries) {
    if (!e.applies) continue;
    const other = byTarget.get(pathKey(e.link, e.style));
    if (other && other !== e) {
      out.push({
        severity: 'error',
        code: 'E_PATH_CLAIMED',
        ...at(e),
        path: e.link,
        message: `${label(e)}: ${e.link} is this entry's link but the target of ${label(other)} at line ${other.source.line}`,
        hint: 'two entries fight over one path: one wants a link there, the other wants the data there',
      });
    }
  }
  return out;
}
