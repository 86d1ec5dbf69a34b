import { describe, expect, it } from 'vitest';
import type { PathStyle } from '../../src/core/paths.js';
import type { Action, Finding, Plan, PlannedEntry } from '../../src/plan/types.js';
import { ACTIONS, planJson } from '../../src/render/plan-json.js';
import type { FlatEntry } from '../helpers/flat-entry.js';

const WIN: PathStyle = { flavour: 'win32', caseInsensitive: true };

function entry(action: Action, over: Partial<FlatEntry> = {}): PlannedEntry {
  return {
    order: 0,
    index: 0,
    link: 'C:\\Games',
    target: 'D:\\Games',
    type: 'junction',
    declaredType: 'auto',
    state: 'present',
    conflictStrategy: 'fail',
    retargetMode: 'move',
    action,
    reason: `because ${action}`,
    findings: [],
    style: WIN,
    source: { file: 'C:\\cfg\\relocate.yaml', line: 7, col: 5 },
    ...over,
  } as PlannedEntry;
}

function plan(entries: PlannedEntry[], findings: Finding[] = []): Plan {
  const es = entries.map((e, i) => ({ ...e, order: i, index: i }));
  const actions: Partial<Record<Action, number>> = {};
  for (const e of es) actions[e.action] = (actions[e.action] ?? 0) + 1;
  const conflicts = es.filter((e) => e.action === 'conflict').length;
  return {
    formatVersion: 1,
    manifest: { path: 'C:\\cfg\\relocate.yaml', hash: 'h4sh' },
    os: 'win32',
    toolVersion: '0.1.0',
    entries: es,
    findings,
    summary: { actions, bytesToMove: 100, bytesAcrossVolumes: 60, conflicts, errors: findings.filter((f) => f.severity === 'error').length, warnings: 0 },
    blocked: conflicts > 0,
    fingerprint: 'f1ngerpr1nt',
  };
}

const space: Finding = { severity: 'error', code: 'E_NO_SPACE', path: 'D:\\Games', message: 'not enough free space', hint: 'free space' };
const p = plan(
  [
    entry('move', { move: { from: 'C:\\Games', to: 'D:\\Games', crossVolume: true, bytes: 60, files: 3 } }),
    entry('relink', { link: 'C:\\Cache', target: 'D:\\Cache', oldTarget: 'E:\\Cache', createsTarget: true }),
    entry('conflict', {
      link: 'C:\\Saves',
      comparison: { onlyAtLink: ['a'], onlyAtTarget: ['b'], differ: ['c'], identical: [], truncated: true },
      findings: [{ severity: 'warning', code: 'W_NETWORK', message: 'slow' }],
    }),
    entry('skip', { link: '~/.config/nvim', target: './nvim', type: 'symlink', reason: 'only on linux, darwin' }),
    entry('link', { type: 'hardlink', declaredType: 'hardlink', glob: { pattern: 'C:\\Tools\\*', name: 'x' } }),
  ],
  [space],
);
const j = planJson(p, 'relocate.yaml');

describe('planJson', () => {
  it('has the stable top-level shape', () => {
    expect(Object.keys(j)).toEqual(['formatVersion', 'manifest', 'fingerprint', 'blocked', 'changes', 'entries', 'findings', 'summary', 'plan']);
    expect(j.changes).toBe(true);
    expect(j.formatVersion).toBe(1);
    expect(j.manifest).toBe('relocate.yaml');
    expect(j.fingerprint).toBe('f1ngerpr1nt');
    expect(j.blocked).toBe(true);
    expect(j.findings).toEqual([space]);
  });

  it("puts a move's facts on the entry itself", () => {
    const m = j.entries[0]!;
    expect(m).toMatchObject({
      link: 'C:\\Games',
      target: 'D:\\Games',
      type: 'junction',
      action: 'move',
      reason: 'because move',
      from: 'C:\\Games',
      to: 'D:\\Games',
      crossVolume: true,
      bytes: 60,
      files: 3,
    });
    expect(m).not.toHaveProperty('move');
    expect(m).not.toHaveProperty('oldTarget');
  });

  it('a relink carries its old target and no move facts', () => {
    const r = j.entries[1]!;
    expect(r.oldTarget).toBe('E:\\Cache');
    expect(r.createsTarget).toBe(true);
    expect(r).not.toHaveProperty('bytes');
    expect(r).not.toHaveProperty('crossVolume');
  });

  it('a conflict carries its reason, comparison and findings', () => {
    const c = j.entries[2]!;
    expect(c.action).toBe('conflict');
    expect(c.reason).toBe('because conflict');
    expect(c.comparison).toEqual({ onlyAtLink: ['a'], onlyAtTarget: ['b'], differ: ['c'], identical: [], truncated: true });
    expect(c.findings).toEqual([{ severity: 'warning', code: 'W_NETWORK', message: 'slow' }]);
  });

  it('a skip carries its reason', () => {
    expect(j.entries[3]).toMatchObject({ action: 'skip', reason: 'only on linux, darwin', link: '~/.config/nvim' });
  });

  it('every entry has the declared type, state, strategy, order and source line/col without the file', () => {
    const l = j.entries[4]!;
    expect(l).toMatchObject({ type: 'hardlink', declaredType: 'hardlink', state: 'present', conflict: 'fail', order: 4, index: 4, findings: [] });
    expect(l.source).toEqual({ line: 7, col: 5 });
    expect(l.glob).toEqual({ pattern: 'C:\\Tools\\*', name: 'x' });
    expect(j.entries[0]).not.toHaveProperty('glob');
    expect(j.entries[0]).not.toHaveProperty('style');
  });

  it('lists entries in execution order', () => {
    const q = plan([entry('link', { link: 'C:\\A' }), entry('link', { link: 'C:\\B' })]);
    q.entries[0]!.order = 1;
    q.entries[1]!.order = 0;
    expect(planJson(q, 'm.yaml').entries.map((e) => e.link)).toEqual(['C:\\B', 'C:\\A']);
  });

  it('the summary counts every action, zero included', () => {
    expect(Object.keys(j.summary.actions)).toEqual([...ACTIONS]);
    expect(j.summary.actions).toMatchObject({ move: 1, relink: 1, conflict: 1, skip: 1, link: 1, none: 0, create: 0, restore: 0 });
    expect(j.summary).toMatchObject({ changes: 3, bytesToMove: 100, bytesAcrossVolumes: 60, conflicts: 1, errors: 1, warnings: 0 });
  });

  it('includes the raw plan, deep-copied, for apply PLAN.json to reload', () => {
    expect(j.plan).toEqual(p);
    expect(j.plan).not.toBe(p);
    expect(j.plan.entries[0]).not.toBe(p.entries[0]);
    expect(j.plan.manifest.hash).toBe('h4sh');
  });

  it('survives a JSON round trip unchanged', () => {
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });
});
