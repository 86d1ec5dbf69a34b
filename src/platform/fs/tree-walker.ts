import { readdirSync, type Dirent } from 'node:fs';
import { RelocateError } from '../../core/errors.js';
import type { MountFact } from '../../state/types.js';
import { DeviceFence } from '../device-fence.js';
import { readMountTable, type MountEntry } from '../mount-table.js';
import { fsError } from './errno-codes.js';
import { HOST } from './host-primitives.js';
import { Slicer } from './slicer.js';

/**
 * The one tree walker: every job that goes through a tree (listing for a
 * copy or a verify, delete, measure, conflict comparison, the search for
 * outside names, the link scan, the in-use file list) walks it here, so the
 * rules that keep a walk safe are written once:
 *
 * - **A link is never entered.** A folder is entered only when the folder
 *   itself says it is one: readdir's entry type (taken from the folder, never
 *   followed) or the job's lstat. A job that asks to enter anything else is
 *   relocate's own bug, refused with E_INTERNAL before anything under it is
 *   read. This holds as of the listing: a folder swapped for a link between
 *   its listing and its own readdir would be followed (Node has no readdir
 *   that refuses a link, as openat(O_NOFOLLOW) would); the window is one
 *   folder's worth of work, and was there before this walker too.
 * - **A mount is never entered.** Every folder's device is compared with the
 *   root's, and where the mount table can be read (Linux) its mount points
 *   are known too (bind mounts keep the device). Per job, a mount is refused
 *   (`mounts: 'refuse'`: E_MOUNT_INSIDE, the whole walk stops; with entry
 *   types, before any entry of the folder holding it is handed to the job)
 *   or passed over (`mounts: 'skip'`: handed to the job once, with `mount`
 *   set, and never entered).
 * - **The event loop keeps turning.** Synchronous calls in slices
 *   (slicer.ts): progress, signals and thread-pool copies go on.
 * - **A folder that cannot be listed** throws an E_ code naming it, unless
 *   the job says what else to do (`onListError`).
 *
 * What the jobs choose: breadth or depth order, sorted names, entry types
 * (one readdir per folder, an lstat per folder only) or the job's own
 * lstat of every name, a token carried per folder, a stop.
 */

/** What a node is, as its folder or an lstat says (never followed). */
export type EntryKind = 'dir' | 'file' | 'symlink' | 'other';

/** What the walker needs of a job's stat: an lstat's answers (a link is a link, never its target). */
export interface LstatLike {
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
  dev: number | bigint;
}

/**
 * One name met in a folder. `stat` is the job's own read of it (a walk
 * that stats each name; undefined in one by entry types); `mount` is set on
 * a folder on another device or named by the mount table, which the walker
 * never enters.
 */
export interface WalkEntry<S extends LstatLike | undefined> {
  dir: string;
  name: string;
  full: string;
  kind: EntryKind;
  stat: S;
  mount: MountFact | undefined;
}

/** Returned by `visit` to end the whole walk at once (nothing else is visited, no folder is finished). */
export const STOP_WALK: unique symbol = Symbol('stop walk');

/**
 * A job's walk: what it chooses. `S` is its stat of each name (undefined
 * for a walk by entry types), `F` the token it carries per folder (an index,
 * a relative path…). Invariants the walker keeps for every job: see the
 * file's opening comment.
 */
export interface WalkJob<S extends LstatLike | undefined, F> {
  /** 'breadth': folders in the order found (a queue); 'depth': the last found first, as rm -rf (a stack). */
  order: 'breadth' | 'depth';
  /** Names sorted (UTF-16 order) in each folder, else readdir's order. */
  sorted: boolean;
  /**
   * How each name is read: absent, by readdir's entry types (an lstat per
   * folder only); else the job's lstat, which MUST NOT follow a link
   * (undefined: the name is passed over, e.g. gone since the listing).
   */
  stat?: [S] extends [LstatLike] ? (full: string) => S | undefined : undefined;
  /** What a folder on another device (or a mount table's mount point) does to the walk. */
  mounts: 'refuse' | 'skip';
  /**
   * A mount table to use instead of reading one (a reader that already holds
   * one); `null` for none (a device change alone then tells a mount).
   */
  table?: MountEntry[] | null;
  /** A folder could not be listed: return to go on without it, or throw. By default it throws E_ACCESS/E_IO… naming the folder. */
  onListError?: (dir: string, err: unknown) => void;
  /** A folder was listed (its names, in the walk's order), before any of them is visited. */
  listed?: (dir: string, names: readonly string[], token: F) => void;
  /** One name: a token to enter it (only a folder, never a mount), undefined not to, or STOP_WALK. */
  visit(entry: WalkEntry<S>, token: F): F | undefined | typeof STOP_WALK;
  /** Depth order only: a folder and everything under it have been visited (deleting it is now its turn). */
  finished?: (dir: string, token: F) => void;
}

interface Pending<F> {
  dir: string;
  token: F;
  listed: boolean;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function kindOfDirent(d: Dirent): EntryKind {
  // Node lstat's an entry whose type the file system did not give (DT_UNKNOWN): these are never followed.
  if (d.isSymbolicLink()) return 'symlink';
  if (d.isDirectory()) return 'dir';
  if (d.isFile()) return 'file';
  return 'other';
}

function kindOfStat(s: LstatLike): EntryKind {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isDirectory()) return 'dir';
  if (s.isFile()) return 'file';
  return 'other';
}

/**
 * Walks the folder `root` (which the caller has lstat'ed: a real folder on
 * device `rootDev`) with `job`, the root's token being `token`. The root
 * itself is not visited: the job has read it already.
 */
export async function walkFolder<S extends LstatLike | undefined, F>(root: string, rootDev: number | bigint, token: F, job: WalkJob<S, F>): Promise<void> {
  const table = job.table === undefined ? readMountTable() : job.table;
  // Refusing: the fence throws at once for a mount the table names anywhere inside, and on each one met.
  const refuse = job.mounts === 'refuse';
  const fence = refuse ? DeviceFence.around(root, Number(rootDev), table) : DeviceFence.passingOver(root, Number(rootDev), table);
  const mountOfFolder = (full: string, dev: number | bigint | undefined): MountFact | undefined => {
    if (!refuse) return fence.mountAt(full, dev);
    fence.enter(full, dev);
    return undefined;
  };
  const slice = new Slicer();
  const under = HOST.under;
  const pending: Pending<F>[] = [{ dir: root, token, listed: false }];
  const depth = job.order === 'depth';
  // Breadth: a moving head, entries dropped once taken (their paths are not kept for the whole walk).
  let head = 0;
  while (depth ? pending.length > 0 : head < pending.length) {
    let cur: Pending<F>;
    if (depth) {
      cur = pending[pending.length - 1];
      if (cur.listed) {
        pending.pop();
        job.finished?.(cur.dir, cur.token);
        continue;
      }
      cur.listed = true;
    } else {
      cur = pending[head];
      pending[head++] = undefined as unknown as Pending<F>;
    }
    const { dir } = cur;
    let names: string[];
    let kinds: EntryKind[] | undefined;
    const statOf = job.stat as ((full: string) => S | undefined) | undefined;
    try {
      if (statOf) {
        names = readdirSync(dir);
        // The built-in order of strings is UTF-16 order, and faster than any comparator.
        if (job.sorted) names.sort();
      } else {
        const types = readdirSync(dir, { withFileTypes: true });
        if (job.sorted) types.sort((a, b) => byName(a.name, b.name));
        names = types.map((d) => d.name);
        kinds = types.map(kindOfDirent);
      }
    } catch (err) {
      if (!job.onListError) throw fsError(err, dir, 'listing');
      job.onListError(dir, err);
      continue;
    }
    job.listed?.(dir, names, cur.token);
    // With entry types, every sub-folder of this folder passes the mount check before any of its names is handed on:
    // a delete removes nothing from a folder that holds a mount (one made since the walk began).
    const mountOf: (MountFact | undefined)[] = [];
    if (kinds) for (let i = 0; i < names.length; i++) if (kinds[i] === 'dir') mountOf[i] = mountOfFolder(under(dir, names[i]), undefined);
    // The folders to enter, in the order found: a queue takes the first first, a stack the last (as rm -rf, and as
    // the depth walks before this one did, which keeps the outside-name search's budget spent as it was).
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const full = under(dir, name);
      let stat: S | undefined;
      let kind: EntryKind;
      let mount: MountFact | undefined;
      if (statOf) {
        stat = statOf(full);
        if (stat === undefined) continue; // gone or unreadable: the job chose to go on without it
        kind = kindOfStat(stat);
        if (kind === 'dir') mount = mountOfFolder(full, stat.dev);
      } else {
        kind = (kinds as EntryKind[])[i];
        mount = mountOf[i];
      }
      // In a walk by entry types `stat` is undefined, which is that walk's S.
      const next = job.visit({ dir, name, full, kind, stat: stat as S, mount }, cur.token);
      if (next === STOP_WALK) return;
      if (next !== undefined) {
        // A job that asks to enter anything but a real folder on the root's volume is relocate's own bug (skip mode
        // hands mounts on only to be noted): refused before anything under it is read.
        if (kind !== 'dir' || mount) {
          const what = kind !== 'dir' ? `a ${kind}` : `a volume mounted inside ${root}`;
          throw new RelocateError('E_INTERNAL', `relocate's walk was asked to enter ${full}, which is ${what}; a walk enters only folders on its own volume`, {
            path: full,
            hint: 'this is a bug in relocate: please report it; nothing under that path was read',
          });
        }
        pending.push({ dir: full, token: next, listed: false });
      }
      if (slice.due()) await slice.yield();
    }
  }
}
