import { pathKey } from '../core/paths.js';
import type { ConflictStrategy, LinkType } from '../manifest/types.js';
import type { RunRecord } from '../journal/types.js';
import type { PlannedEntry } from '../plan/types.js';

/**
 * A Relocate/Link instance as DSC sends it (integrations/dsc). Invariant:
 * `link` (and `target` when present, and `stateDir`) is absolute or starts
 * with ~ or a variable; `_exist` false asks for relocate's link to be gone.
 */
export interface LinkInstance {
  link: string;
  target?: string;
  type: LinkType;
  conflict: ConflictStrategy;
  _exist: boolean;
  stateDir?: string;
}

/**
 * An instance's state as relocate reports it: the same keys, in this order,
 * for get, test, set and export (the JSON DSC reads). `target` and `type`
 * are the wanted ones when the link is in place as wanted, else what the
 * link path holds (absent when it holds no link).
 */
export interface LinkState {
  link: string;
  target?: string;
  type?: string;
  conflict: ConflictStrategy;
  _exist: boolean;
  /** What `relocate apply` would do for this entry now (`none`: in the desired state). */
  action: string;
  stateDir: string;
}

/** What the link path holds, as `plan --json` shows one side (render/observed-json.ts's ObservedSideJson, by shape). */
export interface ObservedLinkSide {
  kind: string;
  resolved?: string;
}

/** What get reports for one planned entry of an instance, given what its link path holds. */
export function linkState(i: LinkInstance, p: PlannedEntry, side: ObservedLinkSide | undefined, stateDir: string): LinkState {
  const inSync = p.action === 'none';
  const isLink = side?.kind === 'symlink' || side?.kind === 'junction' || side?.kind === 'hardlink';
  const target = inSync && i._exist ? i.target : side?.resolved;
  const type = inSync && i._exist ? i.type : isLink ? side.kind : undefined;
  return {
    link: i.link,
    ...(target !== undefined ? { target } : {}),
    ...(type !== undefined ? { type } : {}),
    conflict: i.conflict,
    // Present: the link is in place as wanted. Absent: relocate's link is gone (nothing left to undo).
    _exist: i._exist ? inSync : !inSync,
    action: p.action,
    stateDir,
  };
}

/** Property names whose desired value the state does not have (test's second line); never empty when the entry is not in sync. */
export function differingProperties(i: LinkInstance, s: LinkState): string[] {
  const out: string[] = [];
  if (s._exist !== i._exist) out.push('_exist');
  if (i._exist && s.target !== i.target) out.push('target');
  if (i._exist && s.type !== i.type) out.push('type');
  // Not in the desired state for a reason no property names (data at the target, a preflight check): it does not exist as wanted.
  if (s.action !== 'none' && out.length === 0) out.push('_exist');
  return out;
}

/**
 * The links relocate manages in a state folder, from its runs newest first:
 * the newest finished run naming a link decides (present: managed; absent:
 * undone), a link compared as its OS compares names. Sorted by link.
 */
export function managedLinks(runsNewestFirst: readonly RunRecord[], stateDir: string): LinkInstance[] {
  const seen = new Set<string>();
  const out: LinkInstance[] = [];
  for (const run of runsNewestFirst) {
    if (run.status !== 'done') continue;
    for (const p of run.plan.entries) {
      if (p.action === 'skip') continue;
      const key = pathKey(p.link, p.style);
      if (seen.has(key)) continue;
      seen.add(key);
      if (p.state === 'present') out.push({ link: p.link, target: p.target, type: p.declaredType, conflict: p.conflictStrategy, _exist: true, stateDir });
    }
  }
  return out.sort((a, b) => (a.link < b.link ? -1 : a.link > b.link ? 1 : 0));
}
