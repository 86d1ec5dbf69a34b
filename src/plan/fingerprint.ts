import { createHash } from 'node:crypto';
import type { EntryObservation, PathObservation, TreeMeasure } from '../state/types.js';
import { isLink } from './link-type.js';
import type { Observations } from './types.js';

function pathFacts(p: PathObservation): unknown[] {
  // Free space moves all the time and is re-checked at apply; it is left out on purpose.
  // A folder above the path swapped for a link since the plan was made makes it stale too.
  // An absent path has no lstat facts; they hash as null, in the same places (the hash of a disk must not change).
  const node = p.kind === 'absent' ? undefined : p;
  const link = isLink(p) ? p : undefined;
  const facts: unknown[] = [
    p.path,
    p.kind,
    link?.linkText ?? null,
    link?.linkTargetKind ?? null,
    node?.size ?? null,
    node?.mtimeMs ?? null,
    node?.ino ?? null,
    p.volume?.id ?? null,
    p.linkedParent ?? null,
  ];
  // Told only where it decides an action (a retarget's sides): a folder emptied or filled since makes the plan stale.
  if (p.kind === 'dir' && p.empty !== undefined) facts.push(p.empty);
  return facts;
}

/** A volume mounted at or inside a path since the plan was made makes a saved plan stale (the plan would have refused it). */
function mountFacts(p: PathObservation): unknown[] {
  if (p.kind === 'absent') return [null, []];
  return [p.mountPoint?.path ?? null, (p.mountsBelow ?? []).map((m) => m.path)];
}

/** A measured tree without its block counts: a file's blocks change after it is written (delayed allocation), with nothing changed; like free space, they are re-checked at apply. */
function treeFacts(t: TreeMeasure | undefined): unknown {
  if (!t) return null;
  const { disk: _blocks, ...rest } = t;
  return rest;
}

function entryFacts(o: EntryObservation): unknown {
  const facts: unknown[] = [pathFacts(o.link), pathFacts(o.target), treeFacts(o.linkTree), treeFacts(o.targetTree), mountFacts(o.link), mountFacts(o.target)];
  // A retarget's source: what is there, its tree and its mounts, as for a move's source.
  if (o.oldTarget) facts.push(pathFacts(o.oldTarget), treeFacts(o.oldTargetTree), mountFacts(o.oldTarget));
  return facts;
}

/**
 * A hash of everything a plan was made from; equal fingerprints mean the
 * same observed disk. Independent of entry order, so a saved plan (whose
 * entries are in execution order) can be re-observed and compared.
 */
export function fingerprint(observations: Observations | (EntryObservation | undefined)[]): string {
  const facts = observations.filter((o): o is EntryObservation => o !== undefined).map((o) => JSON.stringify(entryFacts(o)));
  facts.sort();
  const h = createHash('sha256');
  for (const f of facts) h.update(f).update('\n');
  return h.digest('hex');
}
