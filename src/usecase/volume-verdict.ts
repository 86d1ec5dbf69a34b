import { lackingKinds, type LinkKinds } from './link-needs.js';

/**
 * What doctor concludes of one volume the manifest's paths are on, one
 * shape per conclusion: `read-only` and `lacking` are problems (doctor
 * exits 1); `untested` works with a caveat (what it holds was judged from
 * its file system only); `ok` was tested and holds what is needed.
 * Invariant: `lacking` is never empty, each item a need (its alternatives)
 * the volume is known to hold none of.
 */
export type VolumeVerdict = { kind: 'read-only' } | { kind: 'lacking'; lacking: LinkKinds[][] } | { kind: 'untested' } | { kind: 'ok' };

/** The facts of a volume the verdict reads (doctor's VolumeReport, by shape). */
export interface VolumeFacts {
  readOnly?: boolean;
  tested: boolean;
  holds: Partial<Record<LinkKinds, boolean>>;
  needs: LinkKinds[][];
}

/** Judges a volume: read-only first (nothing can change there), then links it cannot hold, then whether it was tested. */
export function volumeVerdict(v: VolumeFacts): VolumeVerdict {
  if (v.readOnly) return { kind: 'read-only' };
  const lacking = lackingKinds(v.needs, v.holds);
  if (lacking.length > 0) return { kind: 'lacking', lacking };
  return v.tested ? { kind: 'ok' } : { kind: 'untested' };
}
