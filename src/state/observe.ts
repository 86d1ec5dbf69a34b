import { eachLimited } from '../core/each-limited.js';
import type { DesiredEntry } from '../manifest/types.js';
import { observationNeeds } from './needs.js';
import { isLink } from './path-observation.js';
import type { DiskReader } from './reader.js';
import type { EntryObservation, PathObservation } from './types.js';

/** Entries observed at once; observation is I/O-bound, so a few dozen in flight keep disks busy. */
const CONCURRENCY = 32;

export interface ObserveOptions {
  /**
   * false: data that a same-volume move would only rename is not walked
   * (its move is marked `measured: false`). `apply` observes so: a rename
   * needs no sizes, and walking 100,000 files would make a constant-time
   * rename take time proportional to the tree. `plan` and `status` measure
   * (the default), to show the sizes.
   */
  measureRenames?: boolean;
}

/**
 * Observes every applying entry: one lstat per path (O(entries) syscalls),
 * and trees walked only where data would move or both sides must be
 * compared. Results are in entry order; skipped entries get undefined.
 */
export async function observeEntries(entries: DesiredEntry[], reader: DiskReader, opts: ObserveOptions = {}): Promise<(EntryObservation | undefined)[]> {
  const out: (EntryObservation | undefined)[] = new Array(entries.length).fill(undefined);
  await eachLimited(
    entries.map((e, i) => [e, i] as const),
    CONCURRENCY,
    async ([e, i]) => {
      out[i] = await observeEntry(e, reader, opts);
    },
  );
  return out;
}

export async function observeEntry(e: DesiredEntry, reader: DiskReader, opts: ObserveOptions = {}): Promise<EntryObservation | undefined> {
  if (!e.applies) return undefined;
  const [link, target] = await Promise.all([reader.observe(e.link, e.style), reader.observe(e.target, e.style)]);
  const need = observationNeeds(e, link, target);
  const o: EntryObservation = { style: e.style, link, target };
  // Mounts at and inside the sides whose data would move or be compared, asked before any walk:
  // a side that is itself a mount point is refused, so its (possibly huge) volume is not walked.
  if (reader.mounts) {
    for (const [side, wanted] of [
      [link, need.measureLink || need.compare],
      [target, need.measureTarget || need.compare],
    ] as const) {
      // Wanted only for a side that holds data (a folder or file), never an absent one.
      if (!wanted || side.kind === 'absent') continue;
      const m = await reader.mounts(side.path);
      if (m.mountPoint) side.mountPoint = m.mountPoint;
      if (m.below.length > 0) side.mountsBelow = m.below;
    }
    if (link.kind !== 'absent' && link.mountPoint) need.measureLink = need.compare = false;
    if (target.kind !== 'absent' && target.mountPoint) need.measureTarget = false;
  }
  // A move (present: nothing at the target; absent: a restore) between paths of one volume is a rename.
  const renameOnly = opts.measureRenames === false && link.volume?.id !== undefined && link.volume.id === target.volume?.id;
  const measureLink = need.measureLink && !(renameOnly && target.kind === 'absent');
  const measureTarget = need.measureTarget && !renameOnly;
  if (measureLink !== need.measureLink || measureTarget !== need.measureTarget) o.sizesSkipped = true;
  // Inode flags (immutable, append-only) matter where the measured side would be deleted: a copy across
  // volumes, a merge's leftovers, an identical file replaced by the link. A rename needs only the top's.
  const cross = link.volume?.id !== target.volume?.id;
  const inodeFlags = cross || need.compare;
  // Blocks are counted where a copy to another volume may follow: the free-space check needs them.
  const [linkTree, targetTree, comparison] = await Promise.all([
    measureLink ? reader.measure(e.link, { inodeFlags, disk: cross, names: cross }) : undefined,
    measureTarget ? reader.measure(e.target, { inodeFlags, disk: cross, names: cross }) : undefined,
    need.compare ? reader.compare(e.link, e.target) : undefined,
  ]);
  if (linkTree) o.linkTree = linkTree;
  if (targetTree) o.targetTree = targetTree;
  if (comparison) o.comparison = comparison;
  // The destination is asked how it tells names apart only when the moving tree holds names it might take for one.
  const twinsAt = linkTree?.names?.twins ? e.target : targetTree?.names?.twins ? e.link : undefined;
  if (twinsAt !== undefined && reader.nameRules) o.destNames = await reader.nameRules(twinsAt);
  // Data that would move (the trees measured above) is checked for files in use, where the platform can tell.
  const moving = need.measureLink ? link : need.measureTarget ? target : undefined;
  if (moving) await observeInUse(o, moving, reader);
  if (need.oldTarget) await observeOldTarget(e, o, reader, opts);
  return o;
}

async function observeInUse(o: EntryObservation, moving: PathObservation, reader: DiskReader): Promise<void> {
  if (!reader.inUse || (moving.kind !== 'dir' && moving.kind !== 'file')) return;
  const { held, unknown } = await reader.inUse(moving.path, moving.kind === 'dir');
  if (held.length > 0) o.inUse = held;
  if (unknown.length > 0) o.inUseUnknown = unknown;
}

/**
 * A retarget's source: where the link points now, when that is not the
 * target (src/plan/retarget.ts decides what becomes of it). Observed with
 * one lstat of its own, never through the link, and whether a folder there
 * is empty. Only when its data would move (it holds data and nothing is at
 * the target) does it get what a move's source gets: mounts at and inside
 * it (asked before any walk), its tree measured with the inode flags where
 * it would be deleted (skipped, like a move's, for a same-volume rename
 * when renames are not measured), and files in use. When it holds data and
 * the target is a folder, whether that folder is empty is told too (the
 * conflict's reason says how to clear it).
 */
async function observeOldTarget(e: DesiredEntry, o: EntryObservation, reader: DiskReader, opts: ObserveOptions): Promise<void> {
  // Asked only for a link whose destination was read (observationNeeds), so it is known here.
  const destination = isLink(o.link) ? o.link.linkTarget : undefined;
  if (destination === undefined) return;
  const old = await reader.observe(destination, e.style);
  o.oldTarget = old;
  if (old.volume?.pseudo) return;
  if (old.kind === 'dir') old.empty = await reader.isEmptyFolder(old.path);
  const holdsData = old.kind === 'file' || (old.kind === 'dir' && !old.empty);
  if (!holdsData) return;
  if (o.target.kind === 'dir') o.target.empty = await reader.isEmptyFolder(o.target.path);
  if (o.target.kind !== 'absent') return;
  if (reader.mounts) {
    const m = await reader.mounts(old.path);
    if (m.mountPoint) old.mountPoint = m.mountPoint;
    if (m.below.length > 0) old.mountsBelow = m.below;
    if (old.mountPoint) return;
  }
  const sameVolume = old.volume?.id !== undefined && old.volume.id === o.target.volume?.id;
  if (opts.measureRenames === false && sameVolume) o.sizesSkipped = true;
  else {
    const cross = old.volume?.id !== o.target.volume?.id;
    o.oldTargetTree = await reader.measure(old.path, { inodeFlags: cross, disk: cross, names: cross });
    if (o.oldTargetTree.names?.twins && reader.nameRules) o.destNames = await reader.nameRules(e.target);
  }
  await observeInUse(o, old, reader);
}
