import type { ConflictStrategy, EntryState, LinkType, RetargetMode } from '../manifest/types.js';
import type { Action, Finding, Observations, Plan, PlannedEntry, ResolvedLinkType } from '../plan/types.js';
import type { EntryObservation, TreeComparison, VolumeInfo } from '../state/types.js';
import { observationsByEntry, observedJson, type ObservedJson } from './observed-json.js';
import { ACTIONS, changesDisk, comparisonOf, createsTarget, moveOf } from '../plan/actions.js';

/** Every action, in the order of `summary.actions`, each always present there (the table in plan/actions.ts). */
export { ACTIONS };

/** One finding in machine output. */
export interface FindingJson {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  path?: string;
  hint?: string;
}

/**
 * The volume a path is on, as observed for the plan (for an absent path:
 * the volume it would be created on). Invariant: `id` is the volume's
 * identity (equal ids: one volume); the other facts appear when the OS
 * told them. `freeBytes` is what the free-space check counts with.
 */
export interface VolumeJson {
  id: string;
  /** Where it is mounted: `C:\` on Windows, the mount point on Linux. */
  root?: string;
  freeBytes?: number;
  totalBytes?: number;
  fsType?: string;
}

function volumeJson(v: VolumeInfo): VolumeJson {
  return {
    id: v.id,
    ...(v.root !== undefined ? { root: v.root } : {}),
    ...(v.freeBytes !== undefined ? { freeBytes: v.freeBytes } : {}),
    ...(v.totalBytes !== undefined ? { totalBytes: v.totalBytes } : {}),
    ...(v.fsType !== undefined ? { fsType: v.fsType } : {}),
  };
}

/** One entry of `relocate plan --json` (DESIGN.md "Machine output"). */
export interface PlanEntryJson {
  link: string;
  target: string;
  /** The link kind apply makes (auto and platform rules resolved). */
  type: ResolvedLinkType;
  action: Action;
  /** One sentence: why this action (for conflict and skip: what is in the way). */
  reason: string;
  /** move, retarget, restore, merge, backup: the data that moves (a retarget's `from` is the old target). */
  from?: string;
  to?: string;
  crossVolume?: boolean;
  bytes?: number;
  files?: number;
  /** Across volumes, where the OS tells: what the files take on their own volume in blocks (st_blocks × 512), hard links once. */
  allocated?: number;
  /** Across volumes, when the target's block size is known: what the files and folders will take there (each file's data in whole blocks, a block per folder), an upper bound the free-space check adds up. */
  onTarget?: number;
  /** Across volumes, when some files share their data with names outside the moved folder: the bytes deleting it frees on the source (less than `bytes`), and those files. */
  freesOnSource?: number;
  sharedOutside?: { files: number; bytes: number };
  /** relink, retarget: where the link pointed before. */
  oldTarget?: string;
  /** The target folder does not exist and is created first. */
  createsTarget?: boolean;
  /** The file at the link path is identical to the target's and is replaced by the link. */
  replacesIdentical?: boolean;
  /** conflict, merge (and an identical-file link): how the two sides differ. */
  comparison?: TreeComparison;
  declaredType: LinkType;
  state: EntryState;
  /** The manifest's `conflict:` strategy for this entry (the same key name as in the manifest and `validate --json`). */
  conflict: ConflictStrategy;
  /** The manifest's `retarget:` for this entry (`move` or `relink`). */
  retarget: RetargetMode;
  /** Execution order (parents first) and position in the manifest's `links:` list. */
  order: number;
  index: number;
  glob?: { pattern: string; name: string };
  findings: FindingJson[];
  /** Where the entry is written in the manifest (1-based). */
  source: { line: number; col: number };
  /**
   * What is at the link and the target now, as observed for this plan
   * (src/render/observed-json.ts). Present on every entry the plan observed;
   * null for a skipped entry (nothing was observed) and for a plan rendered
   * without its observations (a saved plan reloaded).
   */
  observed: ObservedJson | null;
  /** The volumes of the link and the target as observed (absent for an entry not observed), so a reader can say "D: keeps 1.1 TB free" from the engine's own numbers. */
  linkVolume?: VolumeJson;
  targetVolume?: VolumeJson;
}

export interface PlanSummaryJson {
  /** Entries per action; every action is present, zero included. */
  actions: Record<Action, number>;
  /** Entries that would change the disk (neither none, skip nor conflict). */
  changes: number;
  bytesToMove: number;
  bytesAcrossVolumes: number;
  conflicts: number;
  errors: number;
  warnings: number;
}

/** The document `relocate plan --json` prints and `relocate plan --out FILE` saves. */
export interface PlanJson {
  formatVersion: 1;
  manifest: string;
  fingerprint: string;
  blocked: boolean;
  /** True exactly when applying the plan would change the disk (`summary.changes` > 0): what a wrapper reports as "changed" in check mode. */
  changes: boolean;
  entries: PlanEntryJson[];
  /** Findings about the plan as a whole (free space on a volume, a path another run holds, …); entry findings sit in their entry. */
  findings: FindingJson[];
  summary: PlanSummaryJson;
  /** The plan exactly as the planner made it; see planJson. */
  plan: Plan;
}

function findingJson(f: Finding): FindingJson {
  return {
    severity: f.severity,
    code: f.code,
    message: f.message,
    ...(f.path !== undefined ? { path: f.path } : {}),
    ...(f.hint !== undefined ? { hint: f.hint } : {}),
  };
}

function entryJson(e: PlannedEntry, obs: EntryObservation | undefined): PlanEntryJson {
  const move = moveOf(e);
  const comparison = comparisonOf(e);
  return {
    link: e.link,
    target: e.target,
    type: e.type,
    action: e.action,
    reason: e.reason,
    ...(move
      ? {
          from: move.from,
          to: move.to,
          crossVolume: move.crossVolume,
          bytes: move.bytes,
          files: move.files,
          ...(move.allocated !== undefined ? { allocated: move.allocated } : {}),
          ...(move.onTarget !== undefined ? { onTarget: move.onTarget } : {}),
        }
      : {}),
    ...(move?.sharedOutside ? { freesOnSource: Math.max(0, move.bytes - move.sharedOutside.bytes), sharedOutside: { ...move.sharedOutside } } : {}),
    ...(e.action === 'relink' || e.action === 'retarget' ? { oldTarget: e.oldTarget } : {}),
    ...(createsTarget(e) ? { createsTarget: true } : {}),
    ...(e.action === 'link' && e.replacesIdentical === true ? { replacesIdentical: true } : {}),
    ...(comparison ? { comparison: structuredClone(comparison) } : {}),
    declaredType: e.declaredType,
    state: e.state,
    conflict: e.conflictStrategy,
    retarget: e.retargetMode,
    order: e.order,
    index: e.index,
    ...(e.glob ? { glob: { pattern: e.glob.pattern, name: e.glob.name } } : {}),
    findings: e.findings.map(findingJson),
    source: { line: e.source.line, col: e.source.col },
    observed: obs ? observedJson(obs) : null,
    ...(obs?.link.volume ? { linkVolume: volumeJson(obs.link.volume) } : {}),
    ...(obs?.target.volume ? { targetVolume: volumeJson(obs.target.volume) } : {}),
  };
}

function summaryJson(plan: Plan, surroundings: readonly Finding[]): PlanSummaryJson {
  const actions = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>;
  for (const e of plan.entries) actions[e.action]++;
  const s = plan.summary;
  return {
    actions,
    changes: plan.entries.filter((e) => changesDisk(e.action)).length,
    bytesToMove: s.bytesToMove,
    bytesAcrossVolumes: s.bytesAcrossVolumes,
    conflicts: s.conflicts,
    errors: s.errors + surroundings.filter((f) => f.severity === 'error').length,
    warnings: s.warnings + surroundings.filter((f) => f.severity === 'warning').length,
  };
}

/**
 * The stable machine shape of a plan (`relocate plan --json`, versioned by
 * `formatVersion`; DESIGN.md "Machine output").
 *
 * The top-level fields are the documented interface for scripts: `entries`
 * flattens each planned entry (a move's `from`, `to`, `crossVolume`,
 * `bytes` and `files` sit on the entry itself; a relink and a retarget
 * carry `oldTarget`; a conflict or skip its `reason`, a conflict its
 * `comparison`), and `summary.actions` counts entries per action with
 * every action present. Entries are in execution order (parents first).
 *
 * `plan` holds the raw Plan exactly as the planner made it (a deep copy),
 * with the manifest hash, OS, tool version and the observation
 * `fingerprint`. This is what `relocate apply PLAN.json` reloads: it
 * executes `plan`, never the flattened view, and refuses it when the disk's
 * fingerprint no longer matches (E_STALE_PLAN). Consumers other than apply
 * should read the top-level fields.
 *
 * `manifest` is the path as the command was given it (the plan itself
 * records the resolved path under `plan.manifest.path`).
 *
 * `changes` is `summary.changes > 0`; each entry's `observed` is what its
 * observation saw at the link and the target (`observations`, in manifest
 * order, as observeEntries returns them; without them every `observed` is
 * null).
 *
 * `surroundings` are findings about the machine around the plan that the
 * command found by I/O the pure planner does not do (W_PATH_LOCKED): they
 * join `findings` and the summary's counts, never `plan` (which apply
 * reloads) nor `blocked`.
 */
export function planJson(plan: Plan, manifestPath: string, surroundings: readonly Finding[] = [], observations: Observations = []): PlanJson {
  const observationOf = observationsByEntry(observations);
  const summary = summaryJson(plan, surroundings);
  return {
    formatVersion: 1,
    manifest: manifestPath,
    fingerprint: plan.fingerprint,
    blocked: plan.blocked,
    changes: summary.changes > 0,
    entries: [...plan.entries].sort((a, b) => a.order - b.order).map((e) => entryJson(e, observationOf(e))),
    findings: [...plan.findings, ...surroundings].map(findingJson),
    summary,
    plan: structuredClone(plan),
  };
}
