/**
 * Small constructors for the pure planner's inputs: desired entries,
 * observations and plan contexts, for Windows and POSIX paths alike.
 * Nothing here touches a disk.
 */
import { styleForOs, type OsName, type PathStyle } from '../../src/core/paths.js';
import type { DesiredEntry } from '../../src/manifest/types.js';
import { makePlan } from '../../src/plan/planner.js';
import type { PlanContext, PlannedEntry } from '../../src/plan/types.js';
import type { Capabilities, LinkObservation, EntryObservation, PathObservation, TreeComparison, TreeMeasure, VolumeInfo } from '../../src/state/types.js';
import type { FlatObservation } from './flat-observation.js';

export const WIN_STYLE: PathStyle = styleForOs('win32');
export const POSIX_STYLE: PathStyle = styleForOs('linux');

/** A fixed, plausible mtime: observations never read the clock. */
export const MTIME = 1_700_000_000_000;

/** A volume with plenty of free space unless told otherwise. */
export function vol(id: string, extra: Partial<VolumeInfo> = {}): VolumeInfo {
  return { id, freeBytes: 1_000_000_000_000, ...extra };
}

/** Facts added to an observation (any kind's: a fixture may build what no disk shows, e.g. to test a check). */
type Extra = Partial<FlatObservation>;

/** What one lstat would say at a path. */
export const obs = {
  absent(path: string, volume?: VolumeInfo, extra: Extra = {}): PathObservation {
    return { path, kind: 'absent', ...(volume ? { volume } : {}), ...extra } as PathObservation;
  },
  dir(path: string, volume?: VolumeInfo, extra: Extra = {}): PathObservation {
    return { path, kind: 'dir', mtimeMs: MTIME, mode: 0o755, ...(volume ? { volume } : {}), ...extra } as PathObservation;
  },
  file(path: string, volume?: VolumeInfo, ino = '1', extra: Extra = {}): PathObservation {
    return { path, kind: 'file', size: 100, mtimeMs: MTIME, mode: 0o644, ino, nlink: 1, ...(volume ? { volume } : {}), ...extra } as PathObservation;
  },
  symlink(path: string, to: string, targetKind: LinkObservation['linkTargetKind'], volume?: VolumeInfo, extra: Extra = {}): PathObservation {
    return {
      path,
      kind: 'symlink',
      linkText: to,
      linkTarget: to,
      linkTargetKind: targetKind,
      mtimeMs: MTIME,
      ...(volume ? { volume } : {}),
      ...extra,
    } as PathObservation;
  },
  junction(path: string, to: string, targetKind: LinkObservation['linkTargetKind'], volume?: VolumeInfo, extra: Extra = {}): PathObservation {
    return {
      path,
      kind: 'junction',
      linkText: to,
      linkTarget: to,
      linkTargetKind: targetKind,
      mtimeMs: MTIME,
      ...(volume ? { volume } : {}),
      ...extra,
    } as PathObservation;
  },
  other(path: string, volume?: VolumeInfo, extra: Extra = {}): PathObservation {
    return { path, kind: 'other', ...(volume ? { volume } : {}), ...extra } as PathObservation;
  },
};

export function tree(bytes: number, files: number, extra: Partial<TreeMeasure> = {}): TreeMeasure {
  return { bytes, files, dirs: 0, links: 0, ...extra };
}

export function comparison(c: Partial<TreeComparison> = {}): TreeComparison {
  return { onlyAtLink: [], onlyAtTarget: [], differ: [], identical: [], ...c };
}

/** One entry's observation: the link side, the target side, and optional trees. */
export function pair(
  style: PathStyle,
  link: PathObservation,
  target: PathObservation,
  extra: Partial<Omit<EntryObservation, 'style' | 'link' | 'target'>> = {},
): EntryObservation {
  return { style, link, target, ...extra };
}

/** A desired entry as the manifest loader would produce it (applying, canonical paths). */
export function entry(style: PathStyle, link: string, target: string, extra: Partial<DesiredEntry> = {}): DesiredEntry {
  const index = extra.index ?? 0;
  return {
    index,
    link,
    target,
    type: 'auto',
    conflict: 'fail',
    retarget: 'move',
    state: 'present',
    force: false,
    style,
    source: { file: '/repo/relocate.yaml', line: 5 + index * 3, col: 5 },
    applies: true,
    ...extra,
  };
}

export const HOME: Record<OsName, string> = { win32: 'C:\\Users\\u', linux: '/home/u', darwin: '/Users/u' };
export const STATE_DIR: Record<OsName, string> = {
  win32: 'C:\\Users\\u\\AppData\\Local\\relocate',
  linux: '/home/u/.local/state/relocate',
  darwin: '/Users/u/.local/state/relocate',
};

export function caps(extra: Partial<Capabilities> = {}): Capabilities {
  return { symlinks: true, junctions: true, hardlinks: true, ...extra };
}

/** A plan context for one OS; capabilities default to "everything permitted". */
export function context(os: OsName, extra: Partial<PlanContext> = {}): PlanContext {
  return {
    os,
    home: HOME[os],
    capabilities: caps(),
    toolVersion: '0.1.0-test',
    manifest: { path: '/repo/relocate.yaml', hash: 'a'.repeat(64) },
    stateDir: STATE_DIR[os],
    ...extra,
  };
}

/** Plans one entry and returns its planned entry. */
export function planOne(e: DesiredEntry, o: EntryObservation, ctx: PlanContext): PlannedEntry {
  const p = makePlan([e], [o], ctx);
  return p.entries[0]!;
}

/** Sorted finding codes of a planned entry. */
export function codes(p: PlannedEntry): string[] {
  return p.findings.map((f) => f.code).sort();
}
