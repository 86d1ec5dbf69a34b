import type { DesiredEntry } from '../manifest/types.js';
import { isBlocked } from './blocked.js';
import type { EntryObservation } from '../state/types.js';
import { decideAbsent, decidePresent, type Decision } from './decide.js';
import { fingerprint } from './fingerprint.js';
import { resolveLinkType } from './link-type.js';
import { orderEntries } from './order.js';
import { entryPreflight, spaceFindings } from './preflight.js';
import { retargetSourceFindings, sharedTargetFindings } from './shared-target.js';
import type { Finding, Observations, Plan, PlanContext, PlannedEntry, PlanSummary } from './types.js';
import { hasMove, isWork } from './actions.js';

/**
 * The pure planner: desired entries and what was observed for each (same
 * order) become a Plan. No I/O, no clock, no environment: everything comes
 * in through the arguments, so every cell of DESIGN.md's table is tested
 * without a disk, for Windows and POSIX paths alike.
 */
export function makePlan(entries: DesiredEntry[], observations: Observations, ctx: PlanContext): Plan {
  const { order, cyclic } = orderEntries(entries);
  const planned: PlannedEntry[] = [];
  const withObs: { planned: PlannedEntry; obs: EntryObservation }[] = [];
  for (const i of order) {
    const e = entries[i];
    const o = observations[i];
    const base = {
      order: planned.length,
      index: e.index,
      link: e.link,
      target: e.target,
      declaredType: e.type,
      state: e.state,
      conflictStrategy: e.conflict,
      retargetMode: e.retarget,
      style: e.style,
      source: e.source,
      ...(e.glob ? { glob: e.glob } : {}),
    };
    if (!e.applies || !o) {
      planned.push({ ...base, type: e.type === 'auto' ? 'symlink' : e.type, action: 'skip', reason: e.skipReason ?? 'not observed', findings: [] });
      continue;
    }
    const t = resolveLinkType(e, o, ctx.capabilities);
    let d: Decision = e.state === 'absent' ? decideAbsent(e, o) : decidePresent(e, o, t.type);
    if (cyclic.has(i)) {
      d = { action: 'conflict', reason: `${e.link} and another entry each lie inside the other's paths (a cycle); relocate cannot order them`, findings: [] };
    }
    const findings = [...d.findings, ...(d.action === 'none' || e.state === 'absent' ? [] : t.findings), ...entryPreflight(e, o, t.type, d, ctx)];
    const { findings: _f, ...decision } = d;
    const p: PlannedEntry = {
      ...base,
      type: t.type,
      ...decision,
      reason: t.note && e.state === 'present' ? `${d.reason} (${t.note})` : d.reason,
      findings,
    };
    planned.push(p);
    withObs.push({ planned: p, obs: o });
  }
  const globalFindings: Finding[] = [...sharedTargetFindings(planned), ...retargetSourceFindings(planned), ...spaceFindings(withObs)];
  const summary = summarise(planned, globalFindings);
  return {
    formatVersion: 1,
    manifest: ctx.manifest,
    os: ctx.os,
    toolVersion: ctx.toolVersion,
    entries: planned,
    findings: globalFindings,
    summary,
    blocked: isBlocked(planned, globalFindings),
    fingerprint: fingerprint(observations),
  };
}

function summarise(entries: PlannedEntry[], global: Finding[]): PlanSummary {
  const s: PlanSummary = { actions: {}, bytesToMove: 0, bytesAcrossVolumes: 0, conflicts: 0, errors: 0, warnings: 0 };
  const count = (f: Finding) => (f.severity === 'error' ? s.errors++ : s.warnings++);
  for (const p of entries) {
    s.actions[p.action] = (s.actions[p.action] ?? 0) + 1;
    if (p.action === 'conflict') s.conflicts++;
    // A backup's data only moves aside, beside the link path.
    if (hasMove(p) && p.action !== 'backup') {
      s.bytesToMove += p.move.bytes;
      if (p.move.crossVolume) s.bytesAcrossVolumes += p.move.bytes;
    }
    p.findings.forEach(count);
  }
  global.forEach(count);
  return s;
}

/** True when applying the plan would change the disk. */
export function hasChanges(plan: Plan): boolean {
  return plan.entries.some((p) => isWork(p.action));
}
