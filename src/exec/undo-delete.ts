import { stagingName } from '../core/own-names.js';
import type { NodeInfo } from './fs-port.js';
import { differs, holdsOnlyCopiesOf, identityOf } from './identity.js';
import type { StepContext } from './step-context.js';
import type { DeleteInfo } from './step-info.js';
import type { StepFor } from './steps.js';
import { clearUndoStagings, clearUndoStagingsOfTwin, restoreSubsetMissing } from './subset-restore.js';
import { remainderVerdict } from './twin-check.js';
import type { UndoRun } from './undo-step.js';

/**
 * The undo of a delete: what it deleted comes back from its twin (the
 * verified copy that allowed it), and only what is missing. A whole delete
 * that deleted nothing yet is left as it is; one cut short gets back its
 * missing names (the originals still there keep their identity), files
 * that shared data with names outside it (`outside`) linked to them again;
 * a finished one is copied back under an undo staging name, verified, and
 * renamed into place. A subset delete (a merge's leftovers) gets back the
 * nodes of its snapshot. What is left is trusted only once it verifies
 * equal to the twin by content; otherwise both are kept (skipped).
 */
export async function undoDelete(
  cx: StepContext,
  s: StepFor['delete'],
  info: DeleteInfo | undefined,
  { completed, skip, onMade }: UndoRun<'delete'>,
): Promise<string | undefined> {
  const { fs, style } = cx;
  if (!(await fs.lstat(s.twin))) return skip(`${s.twin} is gone, so ${s.path} cannot be restored from it`, s.twin);
  const nodes = info?.nodes ?? [];
  const existing = await fs.lstat(s.path);
  if (completed && existing) return undefined; // already restored by an earlier, interrupted rollback
  const reuse = info?.outside;
  if (existing && !s.subset) {
    // A crash right after the journal line may have deleted nothing: an intact copy needs no round trip.
    const intact = await fs.verify(s.twin, s.path, 'meta', false).then(
      () => true,
      () => false,
    );
    if (intact) return undefined;
  }
  if (existing && s.subset) {
    // A subset delete (a merge's leftovers, or a file its identical link replaced) that stopped partway, or never
    // began: what is left is the original and stays; only the missing nodes come back (never a copy of an original
    // over itself), and only once what is left verifies equal to the twin by content.
    if (existing.kind === 'dir') await clearUndoStagings(cx, s.path, nodes, false);
    const left = await remainderVerdict(fs, s, info);
    if (left === 'differs') return skip(`part of ${s.path} was deleted and what is left differs from ${s.twin}; both are kept as they are`, s.path);
    if (existing.kind === 'dir') {
      await restoreSubsetMissing(cx, s.twin, s.path, nodes);
      await fs.verify(s.path, s.twin, 'content', true);
    }
    return undefined;
  }
  if (existing) {
    // What is left is trusted against the twin only once it verifies equal to it by content: a twin damaged
    // since (a power cut) never replaces it, nor fills it up. An earlier undo cut short may have left its torn stagings in it.
    if (existing.kind === 'dir') await clearUndoStagingsOfTwin(cx, s.path, s.twin);
    const left = await remainderVerdict(fs, s, info);
    if (left === 'whole') return undefined;
    if (left === 'differs') return skip(`part of ${s.path} was deleted and what is left differs from ${s.twin}; both are kept as they are`, s.path);
    if (existing.kind === 'dir' && !s.subset) {
      // Partly deleted: only what is missing comes back from the twin; every original still there keeps its identity,
      // and so does anything made there since (a folder a mount left behind): the check is that the twin is all there.
      await fs.restoreMissing(s.twin, s.path, reuse);
      await fs.verify(s.twin, s.path, 'content', true);
      return undefined;
    }
    await fs.deleteTree(s.path); // finish an interrupted delete: the twin is verified equal
  }
  // What the undo puts back at `path` is relocate's own: its identity is journaled (`restoredId`) for the undo of the rename that set the original aside there.
  const journalRestored = (n: NodeInfo) => {
    // An identity the file system cannot give is left out; the line is still written.
    const restoredId = identityOf(n);
    onMade?.(restoredId === undefined ? {} : { restoredId });
  };
  const restored = async (p: string) => {
    const n = onMade ? await fs.lstat(p) : null;
    if (n) journalRestored(n);
  };
  if (info?.linkOfTwin === true) {
    await fs.hardLink(s.twin, s.path);
    await restored(s.path);
    return undefined;
  }
  const staging = stagingName(s.path, 'undo', style);
  const left = await fs.lstat(staging);
  if (left) {
    // An earlier, interrupted undo's copy: deleted only when the journal says relocate made it (or it is an empty folder).
    const own = info?.restoredId;
    const legacy = info?.pathId === undefined;
    if (legacy || (own !== undefined && !differs(left, own)) || (await holdsOnlyCopiesOf(fs, staging, s.twin))) await fs.deleteTree(staging);
    else if (!(left.kind === 'dir' && (await fs.rmdirIfEmpty(staging))))
      return skip(`${staging} is not a copy the journal says relocate made, so relocate does not delete it`, staging);
  }
  if (s.subset) {
    // A file's snapshot is its own root node; a folder's root is made here (older journals lack the root node).
    const folder = !nodes.some((n) => n.rel === '' && n.kind !== 'dir');
    if (folder) {
      await fs.mkdirs(staging);
      await restored(staging);
    }
    await fs.restoreSnapshot(s.twin, staging, nodes);
    if (!folder) await restored(staging);
  } else {
    await fs.copyTree(s.twin, staging, undefined, onMade ? journalRestored : undefined, reuse);
    await fs.verify(s.twin, staging, 'meta', false);
  }
  await fs.renameNoReplace(staging, s.path);
  return undefined;
}
