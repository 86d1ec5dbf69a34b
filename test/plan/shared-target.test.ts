/** Issue 13 §1, the pure part: a target is shared by links, never filled by two moves (DESIGN.md). */
import { describe, expect, it } from 'vitest';
import { makePlan } from '../../src/plan/planner.js';
import { context, entry, obs, pair, POSIX_STYLE, tree, vol, WIN_STYLE } from '../helpers/plan-fixtures.js';

const C = vol('C');
const D = vol('D');

function sharedFindings(plan: ReturnType<typeof makePlan>) {
  return plan.findings.filter((f) => f.code === 'E_SHARED_TARGET');
}

describe('shared targets', () => {
  it('two moves into one target: one error naming both entries and their lines; the plan is blocked', () => {
    const s = POSIX_STYLE;
    const plan = makePlan(
      [entry(s, '/c/A', '/d/T', { index: 0 }), entry(s, '/c/B', '/d/T', { index: 1 })],
      [
        pair(s, obs.dir('/c/A', C), obs.absent('/d/T', D), { linkTree: tree(10, 1) }),
        pair(s, obs.dir('/c/B', C), obs.absent('/d/T', D), { linkTree: tree(10, 1) }),
      ],
      context('linux'),
    );
    expect(plan.entries.map((e) => e.action)).toEqual(['move', 'move']);
    const f = sharedFindings(plan);
    expect(f).toHaveLength(1);
    expect(f[0]!.path).toBe('/d/T');
    expect(f[0]!.message).toContain('links[0] at line 5');
    expect(f[0]!.message).toContain('links[1] at line 8');
    expect(f[0]!.severity).toBe('error');
    expect(plan.blocked).toBe(true);
  });

  it('a move and a create of one target (Windows paths, case-insensitive): refused', () => {
    const s = WIN_STYLE;
    const plan = makePlan(
      [entry(s, 'C:\\A', 'D:\\T', { index: 0 }), entry(s, 'C:\\B', 'd:\\t', { index: 1 })],
      [pair(s, obs.dir('C:\\A', C), obs.absent('D:\\T', D), { linkTree: tree(10, 1) }), pair(s, obs.absent('C:\\B', C), obs.absent('d:\\t', D))],
      context('win32'),
    );
    expect(plan.entries.map((e) => e.action).sort()).toEqual(['create', 'move']);
    expect(sharedFindings(plan)).toHaveLength(1);
    expect(plan.blocked).toBe(true);
  });

  it('a restore out of a target and a move into it: refused', () => {
    const s = POSIX_STYLE;
    const plan = makePlan(
      [entry(s, '/c/A', '/d/T', { index: 0, state: 'absent' }), entry(s, '/c/B', '/d/T', { index: 1 })],
      [
        pair(s, obs.symlink('/c/A', '/d/T', 'dir', C), obs.dir('/d/T', D), { targetTree: tree(10, 1) }),
        pair(s, obs.dir('/c/B', C), obs.absent('/d/T', D), { linkTree: tree(10, 1) }),
      ],
      context('linux'),
    );
    expect(plan.entries.map((e) => e.action).sort()).toEqual(['move', 'restore']);
    expect(sharedFindings(plan)).toHaveLength(1);
  });

  it('entries that only link to one existing target, or only create it, stay allowed', () => {
    const s = POSIX_STYLE;
    const links = makePlan(
      [entry(s, '/c/A', '/d/T', { index: 0 }), entry(s, '/c/B', '/d/T', { index: 1 }), entry(s, '/c/E', '/d/T', { index: 2 })],
      [
        pair(s, obs.absent('/c/A', C), obs.dir('/d/T', D)),
        pair(s, obs.absent('/c/B', C), obs.dir('/d/T', D)),
        pair(s, obs.symlink('/c/E', '/d/T', 'dir', C), obs.dir('/d/T', D)),
      ],
      context('linux'),
    );
    expect(links.entries.map((e) => e.action)).toEqual(['link', 'link', 'none']);
    expect(sharedFindings(links)).toEqual([]);
    expect(links.blocked).toBe(false);
    const creates = makePlan(
      [entry(s, '/c/A', '/d/T', { index: 0 }), entry(s, '/c/B', '/d/T', { index: 1 })],
      [pair(s, obs.absent('/c/A', C), obs.absent('/d/T', D)), pair(s, obs.absent('/c/B', C), obs.absent('/d/T', D))],
      context('linux'),
    );
    expect(creates.entries.map((e) => e.action)).toEqual(['create', 'create']);
    expect(sharedFindings(creates)).toEqual([]);
  });
});
