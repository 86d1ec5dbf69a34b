/**
 * What apply and status decide from a plan (src/usecase): why a blocked
 * plan is refused, and every reason the disk is not in sync.
 */
import { describe, expect, it } from 'vitest';
import { makePlan } from '../../src/plan/planner.js';
import type { WarningCode } from '../../src/core/codes.js';
import type { Finding, Plan } from '../../src/plan/types.js';
import { blockedPlanError } from '../../src/usecase/blocked-plan.js';
import { statusProblems } from '../../src/usecase/status-problems.js';
import { POSIX_STYLE, context, entry, obs, pair, vol } from '../helpers/plan-fixtures.js';
import { runRecord } from './run-fixtures.js';

const ROOT = vol('root');
const BIG = vol('big');

/** A plan of: an entry in sync, one to link, and a conflict (data on both sides, conflict: fail). */
function mixedPlan(): Plan {
  const entries = [
    entry(POSIX_STYLE, '/home/u/synced', '/mnt/big/synced', { index: 0 }),
    entry(POSIX_STYLE, '/home/u/new', '/mnt/big/new', { index: 1 }),
    entry(POSIX_STYLE, '/home/u/both', '/mnt/big/both', { index: 2 }),
  ];
  const observations = [
    pair(POSIX_STYLE, obs.symlink('/home/u/synced', '/mnt/big/synced', 'dir', ROOT), obs.dir('/mnt/big/synced', BIG)),
    pair(POSIX_STYLE, obs.absent('/home/u/new', ROOT), obs.dir('/mnt/big/new', BIG)),
    pair(POSIX_STYLE, obs.dir('/home/u/both', ROOT), obs.dir('/mnt/big/both', BIG)),
  ];
  return makePlan(entries, observations, context('linux'));
}

describe('blockedPlanError', () => {
  it('a conflict refuses with E_CONFLICT at the conflicting link, its reason in the message', () => {
    const plan = mixedPlan();
    const conflict = plan.entries.find((p) => p.action === 'conflict')!;
    expect(plan.blocked).toBe(true);
    expect(blockedPlanError(plan, '/repo/relocate.yaml')).toEqual({
      code: 'E_CONFLICT',
      message: `/home/u/both: ${conflict.reason}; nothing was changed`,
      path: '/home/u/both',
      hint: 'resolve it (see `relocate plan`)',
    });
  });

  const failed = (path?: string, hint?: string): Extract<Finding, { severity: 'error' }> => ({
    severity: 'error',
    code: 'E_NO_SPACE',
    message: 'not enough space',
    ...(path ? { path } : {}),
    ...(hint ? { hint } : {}),
  });
  const warned: Finding = { severity: 'warning', code: 'W_TARGET_MISSING', message: 'gone' };
  const noConflict = (p: Plan): Plan => ({ ...p, entries: p.entries.filter((e) => e.action !== 'conflict') });

  it("without a conflict: the first failed check's own code, plan-wide findings first, warnings never", () => {
    const base = noConflict(mixedPlan());
    const plan: Plan = {
      ...base,
      blocked: true,
      findings: [warned, failed('/mnt/big', 'free space')],
      entries: base.entries.map((e, i) => (i === 0 ? { ...e, findings: [{ ...failed(), code: 'E_HARDLINK_DIR' }] } : e)),
    };
    expect(blockedPlanError(plan, '/m.yaml')).toEqual({
      code: 'E_NO_SPACE',
      message: 'not enough space; nothing was changed',
      path: '/mnt/big',
      hint: 'free space',
    });
  });

  it('a finding without path or hint: the file apply was given, and "see `relocate plan`"', () => {
    const plan: Plan = { ...noConflict(mixedPlan()), blocked: true, findings: [failed()] };
    expect(blockedPlanError(plan, '/m.yaml')).toMatchObject({ path: '/m.yaml', hint: 'see `relocate plan`' });
  });

  it('blocked with no conflict nor failed check found: E_CONFLICT on the file', () => {
    const plan: Plan = { ...noConflict(mixedPlan()), blocked: true };
    expect(blockedPlanError(plan, '/m.yaml')).toEqual({
      code: 'E_CONFLICT',
      message: 'the plan has conflicts or failed checks; nothing was changed',
      path: '/m.yaml',
      hint: 'resolve them (see `relocate plan`)',
    });
  });
});

describe('statusProblems', () => {
  it('in sync: no problem', () => {
    const plan = mixedPlan();
    expect(statusProblems({ ...plan, entries: plan.entries.filter((e) => e.action === 'none') }, undefined)).toEqual([]);
  });

  it('the unfinished run first, then each entry that differs with the action apply would take (a conflict included)', () => {
    const plan = mixedPlan();
    const problems = statusProblems(plan, runRecord('r9', 'failed'));
    expect(problems.map((x) => [x.kind, 'link' in x ? x.link : x.run, 'action' in x ? x.action : undefined])).toEqual([
      ['unfinished-run', 'r9', undefined],
      ['differs', '/home/u/new', 'link'],
      ['differs', '/home/u/both', 'conflict'],
    ]);
    expect(problems[0]!.message).toBe('run r9 (started r9-start) did not finish (failed); `relocate resume` finishes it, `relocate rollback` undoes it');
  });

  it('a right link whose target is gone or that loops is drift; other findings of an entry in sync are not; skipped entries never', () => {
    const plan = mixedPlan();
    const synced = plan.entries.find((e) => e.action === 'none')!;
    const finding = (code: WarningCode, message: string): Finding => ({ severity: 'warning', code, message });
    const entries = [
      { ...synced, findings: [finding('W_TARGET_MISSING', 'target gone'), finding('W_LINK_LOOP', 'loops'), finding('W_NETWORK', 'cloud')] },
      { ...synced, link: '/home/u/skipped', action: 'skip' as const, findings: [finding('W_TARGET_MISSING', 'skipped')] },
    ];
    expect(statusProblems({ ...plan, entries }, undefined)).toEqual([
      { kind: 'target-missing', link: '/home/u/synced', message: 'target gone' },
      { kind: 'link-loop', link: '/home/u/synced', message: 'loops' },
    ]);
  });
});
