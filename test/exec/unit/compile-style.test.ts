import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileSteps } from '../../../src/exec/compile.js';
import { runScope } from '../../../src/exec/guard.js';
import type { RunRecord } from '../../../src/journal/types.js';
import type { Plan, PlannedEntry } from '../../../src/plan/types.js';
import { WIN_STYLE } from '../../helpers/plan-fixtures.js';

/**
 * compileSteps is pure: a plan's steps depend on the plan, never on the
 * host compiling it (issue 17). Relocate's own names beside a Windows path
 * are cut at its backslashes on any host, so resume and the guard on
 * Windows compute the same names a plan compiled anywhere else made.
 */

const LONG = 'G'.repeat(250);

function windowsMove(link: string, target: string): PlannedEntry {
  return {
    order: 3,
    index: 0,
    link,
    target,
    type: 'junction',
    declaredType: 'auto',
    state: 'present',
    conflictStrategy: 'fail',
    retargetMode: 'move',
    action: 'move',
    reason: 'r',
    findings: [],
    style: WIN_STYLE,
    source: { file: 'C:\\m.yaml', line: 1, col: 1 },
    move: { from: link, to: target, crossVolume: true, bytes: 1, files: 1 },
  };
}

const OPTS = { runId: '20261207T060000Z-abcd', stamp: '20261207T060000123Z', verify: 'meta' as const };

describe('compiling a Windows plan', () => {
  it('gives relocate names beside each path, in its folder, whatever the host', () => {
    const steps = compileSteps({ os: 'win32', entries: [windowsMove('C:\\Games\\Old', 'D:\\Games\\Old')] } as unknown as Plan, OPTS).map((s) => s.step);
    expect(steps).toContainEqual({ op: 'copy', from: 'C:\\Games\\Old', to: 'D:\\Games\\Old.relocate-partial-20261207T060000Z-abcd-3' });
    expect(steps).toContainEqual({ op: 'rename', from: 'C:\\Games\\Old', to: 'C:\\Games\\Old.relocate-old-20261207T060000Z-abcd-3', role: 'aside' });
  });

  it('shortens a long name within its own folder: cut at the backslash, not at a slash the path lacks', () => {
    const link = `C:\\Games\\${LONG}`;
    const steps = compileSteps({ os: 'win32', entries: [windowsMove(link, `D:\\Games\\${LONG}`)] } as unknown as Plan, OPTS).map((s) => s.step);
    // The hash is of the name alone (the folder stays as it is): what a Windows host computes.
    const hash = createHash('sha256').update(LONG).digest('hex').slice(0, 12);
    const copy = steps.find((s) => s.op === 'copy');
    expect(copy?.op === 'copy' && copy.to).toMatch(new RegExp(`^D:\\\\Games\\\\G+~${hash}\\.relocate-partial-20261207T060000Z-abcd-3$`));
    const aside = steps.find((s) => s.op === 'rename' && s.role === 'aside');
    expect(aside?.op === 'rename' && aside.to).toMatch(new RegExp(`^C:\\\\Games\\\\G+~${hash}\\.relocate-old-20261207T060000Z-abcd-3$`));
  });

  it("is guarded in the plan's own spelling", () => {
    const plan = { os: 'win32', entries: [windowsMove('C:\\Games\\Old', 'D:\\Games\\Old')] } as unknown as Plan;
    const record = { id: OPTS.runId, startedAt: '2026-12-07T06:00:00.123Z', plan, steps: compileSteps(plan, OPTS) } as unknown as RunRecord;
    expect(runScope(record, []).style).toEqual(WIN_STYLE);
  });
});
