import type { DesiredEntry } from '../manifest/types.js';
import type { Capabilities, EntryObservation, LinkObservation, NodeKind, PathObservation } from '../state/types.js';
import type { Finding, ResolvedLinkType } from './types.js';

export function isLinkKind(k: NodeKind): k is 'symlink' | 'junction' {
  return k === 'symlink' || k === 'junction';
}

/** Whether the observation is of a symlink or junction: only then may its link fields be read (state/path-observation.ts has the same for its room). */
export function isLink(o: PathObservation): o is LinkObservation {
  return isLinkKind(o.kind);
}

/**
 * Whether the data this entry is about is a folder or a file: the real data
 * at the link path, else at the target (through a link once), else a folder
 * (apply would create an empty target folder).
 */
export function dataKind(o: EntryObservation): 'dir' | 'file' {
  const { link, target } = o;
  if (link.kind === 'dir' || link.kind === 'file') return link.kind;
  if (target.kind === 'dir' || target.kind === 'file') return target.kind;
  if (isLink(target) && target.linkTargetKind === 'file') return 'file';
  if (target.kind === 'absent' && isLink(link) && link.linkTargetKind === 'file') return 'file';
  return 'dir';
}

export function sameVolume(o: EntryObservation): boolean | undefined {
  const a = o.link.volume?.id;
  const b = o.target.volume?.id;
  return a === undefined || b === undefined ? undefined : a === b;
}

/**
 * Resolves `auto` and the platform rules of DESIGN.md into the link kind
 * apply makes, with the findings that refuse impossible ones.
 * Windows: auto is a junction for folders (a directory symlink when either
 * side is on a network share and symlinks are permitted) and a symlink for
 * files (a hard link when symlinks are not permitted and both sides share a
 * volume).
 * Elsewhere every kind but hardlink is a symlink; a junction is made as a
 * directory symlink and the reason says so.
 */
export function resolveLinkType(e: DesiredEntry, o: EntryObservation, caps: Capabilities): { type: ResolvedLinkType; note?: string; findings: Finding[] } {
  const kind = dataKind(o);
  const findings: Finding[] = [];
  const win = e.style.flavour === 'win32';
  if (e.type === 'hardlink') return { type: 'hardlink', findings };
  if (!win) {
    return e.type === 'junction'
      ? { type: 'symlink', note: 'junctions exist only on Windows: a directory symlink is made instead', findings }
      : { type: 'symlink', findings };
  }
  // Per volume: a junction cannot point to (or live on) a network share, so `auto` makes a symlink there when permitted.
  const remote = o.target.volume?.remote === true || o.link.volume?.remote === true;
  if (e.type === 'auto' && kind === 'dir' && remote && caps.symlinks) {
    return { type: 'symlink', note: 'a junction cannot point to a network share, so a directory symlink is made', findings };
  }
  if (e.type === 'junction' || (e.type === 'auto' && kind === 'dir')) {
    if (kind === 'file') {
      findings.push({
        severity: 'error',
        code: 'E_JUNCTION_FILE',
        path: e.link,
        message: `${e.link}: a junction can only point to a folder, and this entry is a file`,
        hint: 'use `type: symlink` or `type: hardlink` for files',
      });
    }
    return { type: 'junction', findings };
  }
  // A file (auto) or an explicit symlink.
  if (caps.symlinks) return { type: 'symlink', findings };
  if (e.type === 'auto' && sameVolume(o) !== false) {
    return { type: 'hardlink', note: 'symlinks are not permitted here, so a hard link is made (same volume)', findings };
  }
  findings.push({
    severity: 'error',
    code: 'E_SYMLINK_PRIVILEGE',
    path: e.link,
    message: `${e.link}: creating symbolic links needs Developer Mode or the "Create symbolic links" privilege, which this account lacks`,
    hint:
      kind === 'dir'
        ? 'use `type: junction` for folders (no privilege needed), or enable Developer Mode'
        : 'enable Developer Mode (Settings > For developers), or use `type: hardlink` on the same volume',
  });
  return { type: 'symlink', findings };
}

/** True when an existing link's kind differs from the kind wanted (a replace is due). */
export function wrongLinkKind(have: NodeKind, want: ResolvedLinkType): boolean {
  if (want === 'hardlink') return isLinkKind(have);
  if (want === 'junction') return have === 'symlink';
  return have === 'junction';
}
