import { isFatFamily } from '../core/name-rules.js';
import type { DesiredEntry } from '../manifest/types.js';
import { resolveLinkType } from '../plan/link-type.js';
import type { ResolvedLinkType } from '../plan/types.js';
import type { Capabilities, EntryObservation } from '../state/types.js';

/** A kind of link a volume can or cannot hold, as doctor names it (`holds`, `needs` in `doctor --json`). */
export type LinkKinds = 'symlinks' | 'hardlinks' | 'junctions';

const KINDS_OF: Record<ResolvedLinkType, LinkKinds> = { symlink: 'symlinks', hardlink: 'hardlinks', junction: 'junctions' };

/** Every kind permitted: doctor asks what the *volume* must hold; what the account may make is its own check. */
const ALL_PERMITTED: Capabilities = { symlinks: true, junctions: true, hardlinks: true };

/**
 * The link kinds an entry's link may be made as, by the planner's own rule
 * (plan/link-type.ts, resolveLinkType), whichever its data turns out to be
 * — a folder first, then a file — on a local volume with every kind
 * permitted. Doctor runs before the data may exist, so it asks for both.
 * Invariant: never empty, no kind twice; one of them is what apply makes.
 */
export function linkKindsNeeded(e: DesiredEntry): LinkKinds[] {
  const out: LinkKinds[] = [];
  for (const kind of ['dir', 'file'] as const) {
    const seen: EntryObservation = { style: e.style, link: { path: e.link, kind }, target: { path: e.target, kind: 'absent' } };
    const made = KINDS_OF[resolveLinkType(e, seen, ALL_PERMITTED).type];
    if (!out.includes(made)) out.push(made);
  }
  return out;
}

/**
 * What a link-kind probe of a volume found (platform/doctor-probes.ts's
 * LinkKindsProbe, by shape): each kind true (made), false (refused) or
 * absent (not tried), and the error code of each refusal.
 */
export interface ProbedKinds {
  symlinks?: boolean;
  hardlinks?: boolean;
  junctions?: boolean;
  failures: Partial<Record<LinkKinds, string>>;
}

/**
 * What a tested volume holds, from its probe. A kind refused for lack of
 * permission (EPERM, EACCES: Windows symlinks without Developer Mode) is
 * the account's limit, reported by its own check, not the volume's: it
 * stays unknown here.
 */
export function heldKinds(probe: ProbedKinds): Partial<Record<LinkKinds, boolean>> {
  const holds: Partial<Record<LinkKinds, boolean>> = {};
  for (const k of ['symlinks', 'hardlinks', 'junctions'] as const) {
    const made = probe[k];
    if (made === undefined) continue;
    const code = probe.failures[k];
    if (made === false && (code === 'EPERM' || code === 'EACCES')) continue;
    holds[k] = made;
  }
  return holds;
}

/** The needs (each a list of alternatives) a volume meets none of: every alternative is known not to be held. Unknown is never lacking. */
export function lackingKinds(needs: readonly LinkKinds[][], holds: Partial<Record<LinkKinds, boolean>>): LinkKinds[][] {
  return needs.filter((alternatives) => alternatives.every((k) => holds[k] === false));
}

/** What an untested volume holds, judged from its file system alone: nothing on the FAT family, else undefined (unknown; keep what is known). */
export function untestedHolds(fsType: string | undefined): Partial<Record<LinkKinds, boolean>> | undefined {
  // FAT-family file systems hold no link of any kind (doctor's judgement of a volume it could not test).
  return isFatFamily(fsType) ? { symlinks: false, hardlinks: false, junctions: false } : undefined;
}
