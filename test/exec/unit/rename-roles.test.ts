import { describe, expect, it } from 'vitest';
import { backupsOf } from '../../../src/usecase/backups.js';
import { compileSteps } from '../../../src/exec/compile.js';
import type { RenameRole, RunStep } from '../../../src/exec/steps.js';
import { decodeRunRecord, legacyRenameRole } from '../../../src/journal/record-decode.js';
import type { Action, Plan, PlannedEntry } from '../../../src/plan/types.js';
import { context } from '../../helpers/plan-fixtures.js';
import { makePlan } from '../../../src/plan/planner.js';
import { POSIX_STYLE } from '../../helpers/plan-fixtures.js';

/**
 * Rename steps say what they are for (issue 17): the drift check and the
 * backup report ask `role`, never a path's spelling. Runs recorded before
 * roles existed get theirs from their names, once, in the record decoder,
 * which must agree with what compile.ts gives every rename it makes.
 */

const LONG = 'G'.repeat(240);

function entry(action: Action, cross: boolean, link = '/a/Games'): PlannedEntry {
  const move = { from: link, to: '/b/Games', crossVolume: cross, bytes: 10, files: 2 };
  return {
    order: 0,
    index: 0,
    link,
    target: '/b/Games',
    type: 'symlink',
    declaredType: 'auto',
    state: action === 'restore' ? 'absent' : 'present',
    conflictStrategy: action === 'merge' ? 'merge' : action === 'backup' ? 'backup' : 'fail',
    retargetMode: 'move',
    action,
    reason: 'r',
    findings: [],
    style: POSIX_STYLE,
    source: { file: '/m.yaml', line: 1, col: 1 },
    ...(action === 'move' || action === 'backup' ? { move } : {}),
    ...(action === 'link' ? { replacesIdentical: true } : {}),
    ...(action === 'merge' ? { move, comparison: { onlyAtLink: ['x', 'y/z'], onlyAtTarget: [], differ: [], identical: ['w'] } } : {}),
    ...(action === 'restore' ? { move: { ...move, from: '/b/Games', to: link }, removes: link } : {}),
    ...(action === 'retarget' ? { move: { ...move, from: '/c/Games' }, oldTarget: '/c/Games' } : {}),
  } as PlannedEntry;
}

function steps(action: Action, cross: boolean, link?: string): RunStep[] {
  return compileSteps({ entries: [entry(action, cross, link)] } as unknown as Plan, {
    runId: '20261207T060000Z-abcd',
    stamp: '20261207T060000123Z',
    verify: 'meta',
  });
}

const roles = (action: Action, cross: boolean): RenameRole[] => steps(action, cross).flatMap(({ step: s }) => (s.op === 'rename' ? [s.role] : []));

describe('the roles of rename steps', () => {
  it('are the move protocol, action by action', () => {
    expect(roles('move', false)).toEqual(['move']);
    expect(roles('move', true)).toEqual(['stage', 'aside']);
    expect(roles('restore', false)).toEqual(['move']);
    expect(roles('restore', true)).toEqual(['stage', 'aside']);
    expect(roles('retarget', true)).toEqual(['stage', 'aside']);
    expect(roles('merge', false)).toEqual(['move', 'move', 'aside']);
    expect(roles('merge', true)).toEqual(['stage', 'stage', 'aside']);
    expect(roles('backup', false)).toEqual(['backup']);
    expect(roles('link', false)).toEqual(['aside']);
  });

  it('of a run recorded before roles are read from the names, as compile gives them (long, shortened names too)', () => {
    let checked = 0;
    for (const action of ['move', 'restore', 'retarget', 'merge', 'backup', 'link'] as const) {
      for (const cross of [false, true]) {
        for (const link of ['/a/Games', `/a/${LONG}`]) {
          for (const { step: s } of steps(action, cross, link)) {
            if (s.op !== 'rename') continue;
            expect(legacyRenameRole(s.from, s.to), `${action} ${cross} ${s.from} → ${s.to}`).toBe(s.role);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('are filled in when an old record is decoded, and kept when present', () => {
    const plan = JSON.parse(JSON.stringify(makePlan([], [], context('linux')))) as Plan;
    plan.entries = [entry('backup', false)];
    const compiled = steps('backup', false);
    const old = JSON.parse(
      JSON.stringify({ id: 'r', status: 'done', startedAt: 's', toolVersion: 't', manifest: plan.manifest, verify: 'meta', plan, steps: compiled }),
    );
    for (const rs of old.steps) delete rs.step.role;
    const decoded = decodeRunRecord(old);
    expect(decoded.steps.flatMap(({ step: s }) => (s.op === 'rename' ? [s.role] : []))).toEqual(['backup']);
    const wrong = JSON.parse(JSON.stringify({ ...old, steps: compiled }));
    wrong.steps[1].step.role = 'shuffle';
    expect(() => decodeRunRecord(wrong)).toThrow(/steps\[1\]\.step\.role: expected one of "move", "stage", "aside", "backup"/);
  });

  it('decide what the run reports as backups', () => {
    expect(backupsOf(steps('backup', false))).toEqual([{ link: '/a/Games', path: expect.stringMatching(/^\/a\/Games\.relocate-backup-20261207T060000123Z$/) }]);
    // A move's set-aside original is deleted by the run: never reported as kept.
    expect(backupsOf(steps('move', true))).toEqual([]);
  });
});
