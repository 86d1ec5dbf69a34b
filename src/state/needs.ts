import type { DesiredEntry } from '../manifest/types.js';
import type { PathObservation } from './types.js';

const isLink = (p: PathObservation) => p.kind === 'symlink' || p.kind === 'junction';
const real = (p: PathObservation) => p.kind === 'dir' || p.kind === 'file';

/**
 * What the observer must measure beyond one lstat per path, decided from
 * those lstats alone: trees are walked only for data that would move, and
 * compared only where both sides hold real data (a conflict or merge).
 */
export function observationNeeds(e: DesiredEntry, link: PathObservation, target: PathObservation): { measureLink: boolean; measureTarget: boolean; compare: boolean } {
  if (!e.applies) return { measureLink: false, measureTarget: false, compare: false };
  // Nothing on a kernel pseudo file system is walked (/proc changes under a walk; /sys has files that
  // block): the planner refuses the entry from the lstat's volume facts alone.
  if (link.volume?.pseudo || target.volume?.pseudo) return { measureLink: false, measureTarget: false, compare: false };
  if (e.state === 'absent') {
    const ours = link.kind === 'absent' || isLink(link);
    return { measureLink: false, measureTarget: ours && real(target), compare: false };
  }
  return {
    measureLink: real(link),
    measureTarget: false,
    compare: real(link) && real(target),
  };
}

