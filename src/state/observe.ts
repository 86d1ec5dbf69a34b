import { eachLimited } from '../core/each-limited.js';
import type { DesiredEntry } from '../manifest/types.js';
import { observationNeeds } from './needs.js';
import type { DiskReader } from './reader.js';
import type { EntryObservation } from './types.js';

/** Entries observed at once; observation is I/O-bound, so a few dozen in flight keep disks busy. */
const CONCURRENCY = 32;

/**
 * Observes every applying entry: one lstat per path (O(entries) syscalls),
 * and trees walked only where data would move or both sides must be
 * compared. Results are in entry order; skipped entries get undefined.
 */
export async function observeEntries(entries: DesiredEntry[], reader: DiskReader): Promise<(EntryObservation | undefined)[]> {
  const out: (EntryObservation | undefined)[] = new Array(entries.length).fill(undefined);
  await eachLimited(entries.map((e, i) => [e, i] as const), CONCURRENCY, async ([e, i]) => {
    out[i] = await observeEntry(e, reader);
  });
  return out;
}

export async function observeEntry(e: DesiredEntry, reader: DiskReader): Promise<EntryObservation | undefined> {
  if (!e.applies) return undefined;
  const [link, target] = await Promise.all([reader.observe(e.link, e.style), reader.observe(e.target, e.style)]);
  const need = observationNeeds(e, link, target);
  const o: EntryObservation = { style: e.style, link, target };
  const [linkTree, targetTree, comparison] = await Promise.all([
    need.measureLink ? reader.measure(e.link) : undefined,
    need.measureTarget ? reader.measure(e.target) : undefined,
    need.compare ? reader.compare(e.link, e.target) : undefined,
  ]);
  if (linkTree) o.linkTree = linkTree;
  if (targetTree) o.targetTree = targetTree;
  if (comparison) o.comparison = comparison;
  return o;
}
