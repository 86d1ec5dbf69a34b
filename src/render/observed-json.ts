import type { Observations, PlannedEntry } from '../plan/types.js';
import type { EntryObservation, PathObservation, TreeMeasure } from '../state/types.js';
import { assertNever } from '../core/never.js';

/**
 * What is at a path now, in machine output (`observed.link`, `observed.target`).
 * Wrappers (Ansible, DSC) build their "before" from it instead of guessing
 * from `action`. Invariants: `linkText` and `resolved` only for symlink and
 * junction (`resolved` is absolute: the link's text made absolute against
 * its folder); `bytes` and `files` only where the observation already
 * measured them (a tree walked because data would move or be compared, or
 * a file's own size from its lstat) — nothing is walked to fill them.
 */
export interface ObservedSideJson {
  kind: 'missing' | 'symlink' | 'junction' | 'hardlink' | 'file' | 'dir' | 'other';
  linkText?: string;
  resolved?: string;
  bytes?: number;
  files?: number;
}

export interface ObservedJson {
  link: ObservedSideJson;
  target: ObservedSideJson;
}

/**
 * One path's observation as machine output. A file with more than one name
 * (nlink > 1) is a `hardlink`: the other names may be anywhere on its volume.
 */
export function observedSide(o: PathObservation, tree: TreeMeasure | undefined): ObservedSideJson {
  const sizes = tree ? { bytes: tree.bytes, files: tree.files } : {};
  switch (o.kind) {
    case 'absent':
      return { kind: 'missing' };
    case 'symlink':
    case 'junction':
      return { kind: o.kind, ...(o.linkText !== undefined ? { linkText: o.linkText } : {}), ...(o.linkTarget !== undefined ? { resolved: o.linkTarget } : {}) };
    case 'file':
      return { kind: (o.nlink ?? 1) > 1 ? 'hardlink' : 'file', ...(tree ? sizes : o.size !== undefined ? { bytes: o.size } : {}) };
    case 'dir':
      return { kind: 'dir', ...sizes };
    case 'other':
      return { kind: 'other' };
    default:
      return assertNever(o, 'observation');
  }
}

/** Both sides of one entry's observation. */
export function observedJson(o: EntryObservation): ObservedJson {
  return { link: observedSide(o.link, o.linkTree), target: observedSide(o.target, o.targetTree) };
}

/**
 * The observation of each planned entry, found by its link and target (the
 * observations are in manifest order, the plan in execution order). A
 * skipped entry was not observed: it has none.
 */
export function observationsByEntry(observations: Observations): (p: PlannedEntry) => EntryObservation | undefined {
  const byPaths = new Map<string, EntryObservation>();
  for (const o of observations) if (o) byPaths.set(`${o.link.path}\0${o.target.path}`, o);
  return (p) => (p.action === 'skip' ? undefined : byPaths.get(`${p.link}\0${p.target}`));
}
