import { samePath } from '../core/paths.js';
import type { DesiredEntry } from '../manifest/types.js';
import { isLink } from './path-observation.js';
import type { PathObservation } from './types.js';

const real = (p: PathObservation) => p.kind === 'dir' || p.kind === 'file';

/** What the observer looks at beyond one lstat of the link and one of the target. */
export interface ObservationNeeds {
  measureLink: boolean;
  measureTarget: boolean;
  compare: boolean;
  /** The link's destination, when it is a link to somewhere other than the target and the entry would move that data (`retarget: move`). */
  oldTarget: boolean;
}

const NOTHING: ObservationNeeds = { measureLink: false, measureTarget: false, compare: false, oldTarget: false };

/**
 * What the observer must measure beyond one lstat per path, decided from
 * those lstats alone: trees are walked only for data that would move, and
 * compared only where both sides hold real data (a conflict or merge); the
 * old target of a link that points elsewhere is looked at only where a
 * retarget could move its data.
 */
export function observationNeeds(e: DesiredEntry, link: PathObservation, target: PathObservation): ObservationNeeds {
  if (!e.applies) return { ...NOTHING };
  // Nothing on a kernel pseudo file system is walked (/proc changes under a walk; /sys has files that
  // block): the planner refuses the entry from the lstat's volume facts alone.
  if (link.volume?.pseudo || target.volume?.pseudo) return { ...NOTHING };
  if (e.state === 'absent') {
    const ours = link.kind === 'absent' || isLink(link);
    return { ...NOTHING, measureTarget: ours && real(target) };
  }
  return {
    measureLink: real(link),
    measureTarget: false,
    compare: real(link) && real(target),
    oldTarget: e.retarget === 'move' && isLink(link) && link.linkTarget !== undefined && !samePath(link.linkTarget, e.target, e.style),
  };
}
