import { RelocateError } from '../core/errors.js';
import { stagingName } from '../core/own-names.js';
import { pathApi, type PathStyle } from '../core/paths.js';
import type { NodeMeta } from './fs-port.js';
import type { StepContext } from './step-context.js';

/** Where a snapshot's relative name (always with /) is under `root`, spelled the plan's way. */
function underIn(style: PathStyle, root: string, rel: string): string {
  return rel === '' ? root : pathApi(style).join(root, ...rel.split('/'));
}

/**
 * Before the undo of a delete that stopped partway looks at what is left:
 * the staging names an earlier undo, itself cut short, left inside the
 * folder (`<name>.relocate-partial-undo`, beside a node of the twin or of
 * the snapshot that is still missing) are removed, so they do not count as
 * something a program made there (a torn staging made a killed rollback's
 * next try refuse with E_DRIFT: the random-kill harness found it). Only a
 * staging of the missing node's own kind is removed, and only while that
 * node is missing (its data is in the twin); anything else with such a name
 * is left for the verdict to see. Folders count when `folders`: the restore
 * of a whole delete (FsPort.restoreMissing) stages a missing folder with its
 * contents, while a subset restore makes folders in place.
 */
export async function clearUndoStagings(cx: StepContext, root: string, nodes: readonly Pick<NodeMeta, 'rel' | 'kind'>[], folders: boolean): Promise<void> {
  for (const n of nodes) {
    if ((n.kind === 'dir' && !folders) || n.rel === '') continue;
    await clearStaging(cx, underIn(cx.style, root, n.rel), async () => n.kind);
  }
}

/**
 * `clearUndoStagings` for the undo of a whole delete, whose missing nodes
 * are the twin's: the twin's names are taken one at a time
 * (FsPort.snapshotNames) and a node's kind is read only where a staging
 * is there, so a million-node twin is never held as records (folders
 * count: FsPort.restoreMissing stages a missing folder whole).
 */
export async function clearUndoStagingsOfTwin(cx: StepContext, root: string, twin: string): Promise<void> {
  const { fs, style } = cx;
  for (const rel of await fs.snapshotNames(twin)) {
    if (rel === '') continue;
    await clearStaging(cx, underIn(style, root, rel), async () => (await fs.lstat(underIn(style, twin, rel)))?.kind);
  }
}

/** Removes the undo staging beside `dest` when `dest` is missing and the staging is of the kind `kindOf` says `dest` had. */
async function clearStaging({ fs, style }: StepContext, dest: string, kindOf: () => Promise<string | undefined>): Promise<void> {
  if (await fs.lstat(dest)) return;
  const staging = stagingName(dest, 'undo', style);
  const left = await fs.lstat(staging);
  if (left && left.kind === (await kindOf())) await fs.deleteTree(staging);
}

/**
 * The undo of a subset delete (a merge's leftovers: files the target
 * already held, identical) that stopped partway, once what is left has
 * verified equal to the twin by content: only the snapshot's nodes that
 * are missing come back, each copied from the same relative path in the
 * twin to a staging name beside its place, given the snapshot's mode and
 * times, then renamed in without replacing. Every original still there
 * keeps its identity (inode, hard links, times): it is never replaced by a
 * copy of itself. Folders are made in place (an empty folder is its own
 * staging). Then the folders' modes and times are set from the snapshot,
 * deepest first, on the folders that were made or that gained an entry.
 *
 * Crash-safe by repetition: a second undo sees fewer missing nodes, and
 * `clearUndoStagings` removes a torn staging first. Ends with the
 * check that every snapshot name is there; the caller verifies contents.
 * Returns the number of nodes put back.
 */
export async function restoreSubsetMissing(cx: StepContext, twin: string, root: string, nodes: readonly NodeMeta[]): Promise<number> {
  const { fs, style } = cx;
  const under = (base: string, rel: string) => underIn(style, base, rel);
  const touched = new Set<string>();
  let restored = 0;
  // Snapshots list parents before their contents.
  for (const n of nodes) {
    if (n.rel === '') continue;
    const dest = under(root, n.rel);
    if (await fs.lstat(dest)) continue;
    const cut = n.rel.lastIndexOf('/');
    touched.add(cut < 0 ? '' : n.rel.slice(0, cut));
    if (n.kind === 'dir') {
      await fs.mkdirs(dest);
      touched.add(n.rel);
    } else {
      const staging = stagingName(dest, 'undo', style);
      await fs.restoreSnapshot(under(twin, n.rel), staging, [{ ...n, rel: '' }]);
      await fs.renameNoReplace(staging, dest);
    }
    restored++;
  }
  // Deepest first (an ancestor's name is always shorter): a folder's times are set once nothing more is made in it.
  const dirs = nodes.filter((n) => n.kind === 'dir' && touched.has(n.rel)).sort((a, b) => b.rel.length - a.rel.length);
  for (const d of dirs) await fs.restoreSnapshot(twin, under(root, d.rel), [{ ...d, rel: '' }]);
  for (const n of nodes) {
    if (!(await fs.lstat(under(root, n.rel)))) {
      throw new RelocateError('E_INCONSISTENT', `${under(root, n.rel)} could not be put back from ${under(twin, n.rel)}`, {
        path: under(root, n.rel),
        hint: 'inspect both paths by hand; relocate deleted nothing more',
      });
    }
  }
  return restored;
}
