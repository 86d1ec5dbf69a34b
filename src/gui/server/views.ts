import { formatBytes } from '../../core/units.js';
import type { DriveFacts } from '../../platform/drives.js';
import type { PlanEntryJson, PlanJson, VolumeJson } from '../../render/plan-json.js';
import type { EntryRow, FoundLinkRow, MovePreview, RunRow } from '../api-types.js';
import type { DriveInfo } from '../../render/scan-json.js';
import { assertNever } from '../../core/never.js';

/**
 * The API's answers built from the engine's JSON documents (`plan --json`,
 * `status --json`, `history --json`, `import --json`). Pure, and only
 * rearranging and wording: every decision (what moves, whether it fits,
 * what is refused) is a field the engine printed.
 */

/** A volume's name for people: `D:` for a Windows drive root, else its mount point. */
export function volumeLabel(v: VolumeJson | undefined, fallback: string): string {
  const root = v?.root ?? fallback;
  const drive = /^([A-Za-z]:)\\?$/.exec(root);
  return drive ? drive[1].toUpperCase() : root;
}

/** What a move takes on the target's volume, as the engine's free-space check counts it (0 within one volume). */
function bytesTaken(e: PlanEntryJson): number {
  if (!e.crossVolume) return 0;
  return e.onTarget ?? e.allocated ?? e.bytes ?? 0;
}

/**
 * The sentence shown before anything happens, from the one-entry plan:
 * "C:\Games becomes a link; its 212 GiB move to D:\Games; D: keeps 1.1 TiB free".
 * Sizes in relocate's units (core/units.ts); free space is the target
 * volume's as the plan observed it, less what the move takes there.
 */
export function moveSentence(e: PlanEntryJson): string {
  const label = volumeLabel(e.targetVolume, e.target);
  const free = e.targetVolume?.freeBytes;
  const keeps = free === undefined ? `free space on ${label} unknown` : `${label} keeps ${formatBytes(Math.max(0, free - bytesTaken(e)))} free`;
  switch (e.action) {
    case 'move':
      return `${e.link} becomes a link; its ${e.bytes !== undefined ? formatBytes(e.bytes) : 'data'} move to ${e.target}; ${keeps}`;
    case 'link':
      return `${e.link} becomes a link to ${e.target}, which already holds the data; nothing moves; ${keeps}`;
    case 'create':
      return `${e.target} is created and ${e.link} becomes a link to it; nothing moves; ${keeps}`;
    case 'none':
      return `${e.link} already is a link to ${e.target}; nothing changes`;
    case 'relink':
    case 'retarget':
    case 'backup':
    case 'merge':
    case 'restore':
    case 'remove':
    case 'conflict':
    case 'skip':
      // Not what a one-folder move plans unless something is already there: the planner's own sentence says what.
      return `${e.link}: ${e.reason}`;
    default:
      return assertNever(e.action, 'action');
  }
}

/** Every finding of severity error in a plan, the entries' and the plan's own. */
function errorFindings(doc: PlanJson): { code: string; message: string; hint: string | null }[] {
  return [...doc.entries.flatMap((e) => e.findings), ...doc.findings]
    .filter((f) => f.severity === 'error')
    .map((f) => ({ code: f.code, message: f.message, hint: f.hint ?? null }));
}

/** The preview of one move from the plan of its one-entry manifest. */
export function movePreview(doc: PlanJson, target: string): MovePreview {
  const e = doc.entries[0];
  const problems = errorFindings(doc);
  if (e && e.action === 'conflict') problems.unshift({ code: 'E_CONFLICT', message: `${e.link}: ${e.reason}`, hint: null });
  const warnings = [...(e?.findings ?? []), ...doc.findings].filter((f) => f.severity === 'warning').map((f) => ({ code: f.code, message: f.message }));
  return {
    target,
    sentence: e ? moveSentence(e) : 'the plan has no entry',
    possible: !doc.blocked && e !== undefined && e.action !== 'conflict' && e.action !== 'skip',
    problems,
    warnings,
  };
}

/** One line of plain words per change of a plan: "move C:\Games (212 GiB) to D:\Games, leave a junction". */
export function planLines(doc: PlanJson): string[] {
  return doc.entries
    .filter((e) => e.action !== 'none' && e.action !== 'skip')
    .map((e) => {
      const size = e.bytes !== undefined ? ` (${formatBytes(e.bytes)})` : '';
      switch (e.action) {
        case 'move':
          return `move ${e.from ?? e.link}${size} to ${e.to ?? e.target}, leave a ${e.type}`;
        case 'restore':
          return `move ${e.from ?? e.target}${size} back to ${e.to ?? e.link}, remove the ${e.type}`;
        case 'link':
          return `create a ${e.type} ${e.link} → ${e.target}`;
        case 'remove':
          return `remove the link ${e.link}`;
        case 'create':
        case 'relink':
        case 'retarget':
        case 'backup':
        case 'merge':
        case 'conflict':
        case 'none':
        case 'skip':
          return `${e.action} ${e.link}: ${e.reason}`;
        default:
          return assertNever(e.action, 'action');
      }
    });
}

/**
 * The drives with what the plan does to each: a cross-volume move takes
 * what the engine counted on the target's volume and frees what it
 * counted on the source's. Drives are matched to the plan's volumes by
 * their root (the mount point, or `C:\`).
 */
export function drivesAfterPlan(drives: DriveFacts[], doc: PlanJson | undefined): DriveInfo[] {
  const delta = new Map<string, number>();
  for (const e of doc?.entries ?? []) {
    if (!e.crossVolume || e.bytes === undefined) continue;
    const add = (v: VolumeJson | undefined, n: number) => v?.root !== undefined && delta.set(v.root.toUpperCase(), (delta.get(v.root.toUpperCase()) ?? 0) + n);
    const movesBack = e.action === 'restore';
    // A move takes space where the data goes and frees it where it leaves (what is shared with names outside stays).
    add(movesBack ? e.linkVolume : e.targetVolume, -bytesTaken(e));
    add(movesBack ? e.targetVolume : e.linkVolume, e.freesOnSource ?? e.allocated ?? e.bytes);
  }
  // A volume the plan uses but the drive list leaves out (a tmpfs, a mount under /run) is shown too: the page must see where data goes.
  const all = [...drives];
  for (const e of doc?.entries ?? []) {
    for (const v of [e.linkVolume, e.targetVolume]) {
      if (v?.root === undefined || v.freeBytes === undefined || v.totalBytes === undefined) continue;
      const root = v.root;
      if (all.some((d) => d.root.toUpperCase() === root.toUpperCase())) continue;
      all.push({ root: v.root, label: volumeLabel(v, v.root), totalBytes: v.totalBytes, freeBytes: v.freeBytes });
    }
  }
  return all.map((d) => {
    const change = delta.get(d.root.toUpperCase());
    return { root: d.root, label: d.label, totalBytes: d.totalBytes, freeBytes: d.freeBytes, ...(doc ? { freeAfterPlan: d.freeBytes + (change ?? 0) } : {}) };
  });
}

/** The manifest's entries with their state, from `status --json` (its plan document). */
export function entryRows(doc: PlanJson): EntryRow[] {
  return doc.entries.map((e) => ({
    link: e.link,
    target: e.target,
    type: e.type,
    state: e.state === 'absent' ? 'absent' : 'present',
    action: e.action,
    reason: e.reason,
    ...(e.bytes !== undefined ? { bytes: e.bytes } : {}),
  }));
}

/** One run of `history --json`. */
export interface HistoryRun {
  id: string;
  status: string;
  /** The engine's word: a crash, a kill or --no-rollback left it half-way (resume or rollback first). */
  unfinished: boolean;
  startedAt: string;
  changes: number;
  error: { code: string } | null;
}

/** The runs of `history --json`, each with whether rollback takes it: a finished run (`done`) or an unfinished one (rollback undoes what it did). */
export function runRows(doc: { runs?: HistoryRun[] }): RunRow[] {
  return (doc.runs ?? []).map((r) => ({
    id: r.id,
    status: r.status,
    startedAt: r.startedAt,
    summary: `${r.changes} change${r.changes === 1 ? '' : 's'}${r.error ? ` (${r.error.code})` : ''}`,
    canRollBack: r.status === 'done' || r.unfinished,
  }));
}

/** The links `import --json` found: those it would add, then those it leaves out with why. */
export function foundLinkRows(doc: {
  entries?: { link: string; target: string; type: string }[];
  skipped?: { link: string; target: string; reason: string }[];
}): FoundLinkRow[] {
  return [
    ...(doc.entries ?? []).map((e) => ({ link: e.link, target: e.target, type: e.type })),
    ...(doc.skipped ?? []).map((s) => ({ link: s.link, target: s.target, type: 'link', skipped: s.reason })),
  ];
}
