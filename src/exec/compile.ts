import { asideName, backupName, stagingName } from '../core/own-names.js';
import { pathApi, type PathStyle } from '../core/paths.js';
import type { EntryOf, Plan, PlannedEntry } from '../plan/types.js';
import { entryTag, parentOf, type RunStep, type Step, type VerifyMode } from './steps.js';
import { assertNever } from '../core/never.js';

/** What compiling needs beyond the plan: the run's id and UTC stamp (backup names) and the verify depth. */
export interface CompileOptions {
  runId: string;
  stamp: string;
  verify: VerifyMode;
}

/**
 * Turns a plan into the run's list of atomic steps, in plan order. Pure.
 * Every path a step may remove or rename away is a link or target named by
 * the plan, or a relocate-named sibling of one (staging, aside, backup).
 */
export function compileSteps(plan: Plan, opts: CompileOptions): RunStep[] {
  const out: RunStep[] = [];
  for (const p of plan.entries) {
    for (const step of entrySteps(p, opts)) out.push({ n: out.length, entry: p.order, step });
  }
  return out;
}

function linkSteps(p: PlannedEntry): Step[] {
  return [
    { op: 'link', path: p.link, target: p.target, kind: p.type },
    { op: 'check-link', path: p.link, target: p.target, kind: p.type },
  ];
}

/**
 * DESIGN.md: files in use are refused before the copy and again right
 * before the original is set aside (a program that started after the plan,
 * or during the copy). Placed before every rename that takes real data away
 * from where programs find it: a same-volume rename too, where open files
 * would keep working, because a program that opens by path meanwhile would
 * recreate the folder under the link path and the link could not be made.
 * A program that starts in the instant between the check and the rename is
 * not seen; the verify before the delete still catches what it wrote then.
 */
function checkInUse(path: string): Step {
  return { op: 'check-in-use', path };
}

/** A move of real data from `from` to `to` by the safe protocol (DESIGN.md "Moving data safely"). */
function moveSteps(from: string, to: string, cross: boolean, style: PathStyle, tag: string, o: CompileOptions): Step[] {
  if (!cross) return [{ op: 'mkdirs', path: parentOf(to, style) }, checkInUse(from), { op: 'rename', from, to, role: 'move' }];
  const staging = stagingName(to, tag, style);
  const aside = asideName(from, tag, style);
  return [
    { op: 'mkdirs', path: parentOf(to, style) },
    checkInUse(from),
    { op: 'copy', from, to: staging },
    { op: 'verify', original: from, copy: staging, mode: o.verify },
    { op: 'rename', from: staging, to, role: 'stage' },
    checkInUse(from),
    { op: 'rename', from, to: aside, role: 'aside' },
  ];
}

/** The old copy goes last, after the link is checked and the new copy re-verified against it. */
function dropAside(from: string, to: string, tag: string, style: PathStyle): Step[] {
  const aside = asideName(from, tag, style);
  return [
    { op: 'verify', original: aside, copy: to, mode: 'meta' },
    { op: 'delete', path: aside, twin: to },
  ];
}

function entrySteps(p: PlannedEntry, o: CompileOptions): Step[] {
  const style = p.style;
  const tag = entryTag(o.runId, p.order);
  switch (p.action) {
    case 'none':
    case 'skip':
    case 'conflict':
      return [];
    case 'create':
      return [{ op: 'mkdirs', path: p.target }, { op: 'mkdirs', path: parentOf(p.link, style) }, ...linkSteps(p)];
    case 'link':
      if (p.replacesIdentical) {
        // "Identical" is by content (the plan hashed both): the file's own mode and times may differ from
        // the target's, so the check is content-only (subset) and the delete keeps a snapshot of that
        // metadata, which a rollback puts back on the copy it restores from the target.
        const aside = asideName(p.link, tag, style);
        return [
          { op: 'verify', original: p.link, copy: p.target, mode: 'content', subset: true },
          checkInUse(p.link),
          { op: 'rename', from: p.link, to: aside, role: 'aside' },
          ...linkSteps(p),
          { op: 'verify', original: aside, copy: p.target, mode: 'content', subset: true },
          { op: 'delete', path: aside, twin: p.target, subset: true },
        ];
      }
      return [{ op: 'mkdirs', path: parentOf(p.link, style) }, ...linkSteps(p)];
    case 'relink': {
      const unlink: Step = { op: 'unlink', path: p.link, target: p.oldTarget };
      return [unlink, ...(p.createsTarget === true ? [{ op: 'mkdirs', path: p.target } as Step] : []), ...linkSteps(p)];
    }
    case 'move': {
      const cross = p.move.crossVolume;
      return [...moveSteps(p.link, p.target, cross, style, tag, o), ...linkSteps(p), ...(cross ? dropAside(p.link, p.target, tag, style) : [])];
    }
    case 'retarget':
      return retargetSteps(p, tag, o);
    case 'backup':
      return [checkInUse(p.link), { op: 'rename', from: p.link, to: backupName(p.link, o.stamp, style), role: 'backup' }, ...linkSteps(p)];
    case 'merge':
      return mergeSteps(p, tag, o);
    case 'restore': {
      // The link at the link path (if any) goes first; the data then comes back by the move protocol.
      const steps: Step[] = p.removes ? [{ op: 'unlink', path: p.removes, target: p.target }] : [];
      const cross = p.move.crossVolume;
      steps.push(...moveSteps(p.target, p.link, cross, style, tag, o));
      if (cross) steps.push(...dropAside(p.target, p.link, tag, style));
      return steps;
    }
    case 'remove':
      // A hard link's "link" is a name of the same file: removing the target's name keeps the data at the link path.
      return p.removes === p.target ? [{ op: 'unlink', path: p.target, target: p.link }] : [{ op: 'unlink', path: p.link, target: p.target }];
    default:
      return assertNever(p, 'planned entry');
  }
}

/**
 * Retarget (issue 14): the data moves from the old target (where the link
 * points now) to the target by the move protocol, then the link is
 * replaced. The order, and why:
 *
 * 1. The copy (across volumes) is made, verified and renamed into place at
 *    the target while the old link still leads to the complete old data: a
 *    program meanwhile finds all its data, and what it writes there is
 *    caught by the verify (or the one before the delete), which fails the
 *    run and rolls it back. The new link is made only after the data is
 *    whole at the target: the link never points at a half-copied tree.
 * 2. The old link is removed right before the old data is renamed away (set
 *    aside, or renamed to the target on one volume), after the last
 *    files-in-use check: the link path is empty only between those two
 *    renames and the new link, as a move's link path is; and the old link
 *    is removed while its destination still exists, so the journal records
 *    whether it led to a folder (Windows recreates a directory symlink as
 *    one on undo).
 * 3. The old copy is deleted last, after the new link is checked and the
 *    target re-verified against it, as in a move.
 *
 * Undone in reverse, each step by its own undo: the new link goes, the old
 * data comes back to the old target, the old link is recreated with its
 * journaled text, and the copy at the target is removed.
 */
function retargetSteps(p: EntryOf<'retarget'>, tag: string, o: CompileOptions): Step[] {
  const from = p.move.from;
  const cross = p.move.crossVolume;
  const unlink: Step = { op: 'unlink', path: p.link, target: from };
  const moved = moveSteps(from, p.target, cross, p.style, tag, o);
  // The last step of a move takes the original away (the same-volume rename, or the set-aside rename).
  return [...moved.slice(0, -1), unlink, moved[moved.length - 1], ...linkSteps(p), ...(cross ? dropAside(from, p.target, tag, p.style) : [])];
}

/**
 * Merge: each name only at the link side moves into the target (the
 * shallowest ones; their insides come along); then the link folder, now
 * holding only files identical to the target's, is set aside, the link is
 * made, and the leftovers are deleted once verified identical by content.
 */
function mergeSteps(p: EntryOf<'merge'>, tag: string, o: CompileOptions): Step[] {
  const api = pathApi(p.style);
  const only = p.comparison.onlyAtLink.slice().sort();
  const tops: string[] = [];
  for (const rel of only) if (!tops.some((t) => rel === t || rel.startsWith(t + '/'))) tops.push(rel);
  const steps: Step[] = [checkInUse(p.link)];
  const cross = p.move.crossVolume;
  for (const rel of tops) {
    const from = api.join(p.link, ...rel.split('/'));
    const to = api.join(p.target, ...rel.split('/'));
    if (!cross) {
      steps.push({ op: 'rename', from, to, role: 'move' });
    } else {
      const staging = stagingName(to, tag, p.style);
      steps.push(
        { op: 'copy', from, to: staging },
        { op: 'verify', original: from, copy: staging, mode: o.verify },
        { op: 'rename', from: staging, to, role: 'stage' },
      );
      steps.push({ op: 'verify', original: from, copy: to, mode: 'meta' }, { op: 'delete', path: from, twin: to });
    }
  }
  const aside = asideName(p.link, tag, p.style);
  steps.push(
    { op: 'verify', original: p.link, copy: p.target, mode: 'content', subset: true },
    checkInUse(p.link),
    { op: 'rename', from: p.link, to: aside, role: 'aside' },
    ...linkSteps(p),
    { op: 'verify', original: aside, copy: p.target, mode: 'content', subset: true },
    { op: 'delete', path: aside, twin: p.target, subset: true },
  );
  return steps;
}
