import type { DirObservation, LinkObservation, NodeKind, PathObservation } from '../../src/state/types.js';

/**
 * An observation as one flat record: every kind's fields, each undefined
 * where the kind has none. For fixtures that add facts to any kind and for
 * assertions on them; src/ narrows on `kind` instead.
 */
export type FlatObservation = Omit<DirObservation, 'kind' | 'linkText' | 'linkTarget' | 'linkTargetKind'> &
  Pick<LinkObservation, 'linkText' | 'linkTarget' | 'linkTargetKind'> & { kind: NodeKind; existingParent?: string };

/** `o` as a FlatObservation (no cast: every kind is one). */
export function flatObs(o: PathObservation): FlatObservation {
  return o;
}
