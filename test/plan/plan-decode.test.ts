import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/core/decode.js';
import { decodePlan } from '../../src/plan/plan-decode.js';
import type { Action } from '../../src/plan/types.js';
import { ACTIONS } from '../../src/plan/actions.js';

/**
 * The saved-plan decoder reads each entry by its action (plan/types.ts
 * ActionFields): an action's own fields must be there, and `move` and
 * `removes` must not be where the action has none. A plan that breaks this
 * was not written by relocate (the CLI then refuses it with E_BAD_PLAN).
 */

const MOVE = { from: '/a/Games', to: '/b/Games', crossVolume: false, bytes: 10, files: 2 };
const CMP = { onlyAtLink: ['x'], onlyAtTarget: [], differ: [], identical: ['y'] };

/** The fields each action's entries carry, as the planner writes them. */
const FIELDS: Record<Action, Record<string, unknown>> = {
  none: {},
  link: { replacesIdentical: true, comparison: { onlyAtLink: [], onlyAtTarget: [], differ: [], identical: ['f'] } },
  create: { createsTarget: true },
  move: { move: MOVE },
  relink: { oldTarget: '/c/Games', createsTarget: true },
  retarget: { move: { ...MOVE, from: '/c/Games' }, oldTarget: '/c/Games' },
  backup: { move: { ...MOVE, to: '/a/Games.relocate-backup-<UTC time>' } },
  merge: { move: MOVE, comparison: CMP },
  restore: { move: { ...MOVE, from: '/b/Games', to: '/a/Games' }, removes: '/a/Games' },
  remove: { removes: '/a/Games' },
  conflict: { comparison: CMP },
  skip: {},
};

function entryJson(action: Action, order: number, fields: Record<string, unknown> = FIELDS[action]): Record<string, unknown> {
  return {
    order,
    index: order,
    link: '/a/Games',
    target: '/b/Games',
    type: 'symlink',
    declaredType: 'auto',
    state: action === 'restore' || action === 'remove' ? 'absent' : 'present',
    conflictStrategy: 'fail',
    retargetMode: 'move',
    action,
    reason: 'r',
    ...fields,
    findings: [],
    style: { flavour: 'posix', caseInsensitive: false },
    source: { file: '/m.yaml', line: 1, col: 1 },
  };
}

function planJson(
  entries: Record<string, unknown>[],
  findings: Record<string, unknown>[] = [],
  blocked = entries.some((e) => e.action === 'conflict'),
): Record<string, unknown> {
  return {
    formatVersion: 1,
    manifest: { path: '/m.yaml', hash: 'h' },
    os: 'linux',
    toolVersion: '0.1.0',
    entries,
    findings,
    summary: { actions: {}, bytesToMove: 0, bytesAcrossVolumes: 0, conflicts: 0, errors: 0, warnings: 0 },
    blocked,
    fingerprint: 'f',
  };
}

/** The place the decoder names when it refuses `entries`, or undefined when it accepts them. */
function refusedAt(entries: Record<string, unknown>[]): string | undefined {
  try {
    decodePlan(JSON.parse(JSON.stringify(planJson(entries))), 'plan');
    return undefined;
  } catch (err) {
    if (err instanceof DecodeError) return err.at;
    throw err;
  }
}

const without = (action: Action, key: string) => Object.fromEntries(Object.entries(FIELDS[action]).filter(([k]) => k !== key));

describe('decodePlan: entries by action', () => {
  it('reads an entry of every action as the planner writes it, unchanged (key order included)', () => {
    const json = planJson(ACTIONS.map((a, i) => entryJson(a, i)));
    const text = JSON.stringify(json);
    const plan = decodePlan(JSON.parse(text), 'plan');
    expect(plan.entries.map((e) => e.action)).toEqual(ACTIONS);
    expect(JSON.stringify(plan)).toBe(text);
  });

  it.each([
    ['move', 'move'],
    ['backup', 'move'],
    ['merge', 'move'],
    ['restore', 'move'],
    ['retarget', 'move'],
    ['retarget', 'oldTarget'],
    ['relink', 'oldTarget'],
    ['merge', 'comparison'],
    ['remove', 'removes'],
    ['create', 'createsTarget'],
  ] as [Action, string][])('refuses a %s entry without its %s', (action, key) => {
    expect(refusedAt([entryJson('none', 0), entryJson(action, 1, without(action, key))])).toBe(`plan.entries[1].${key}`);
  });

  it.each(['none', 'link', 'create', 'relink', 'remove', 'conflict', 'skip'] as Action[])('refuses a %s entry that carries a move', (action) => {
    expect(refusedAt([entryJson(action, 0, { ...FIELDS[action], move: MOVE })])).toBe('plan.entries[0].move');
  });

  it.each(['none', 'link', 'create', 'move', 'relink', 'retarget', 'backup', 'merge', 'conflict', 'skip'] as Action[])(
    'refuses a %s entry that carries removes',
    (action) => {
      expect(refusedAt([entryJson(action, 0, { ...FIELDS[action], removes: '/a/Games' })])).toBe('plan.entries[0].removes');
    },
  );

  it('reads the optional fields as optional: a restore with nothing to unlink, a conflict never compared, a plain link or relink', () => {
    expect(refusedAt([entryJson('restore', 0, without('restore', 'removes'))])).toBeUndefined();
    expect(refusedAt([entryJson('conflict', 0, {})])).toBeUndefined();
    expect(refusedAt([entryJson('link', 0, {})])).toBeUndefined();
    expect(refusedAt([entryJson('relink', 0, { oldTarget: '' })])).toBeUndefined();
  });

  it('refuses an unknown action by its place, naming the known ones', () => {
    let err: unknown;
    try {
      decodePlan(planJson([entryJson('teleport' as Action, 0, {})]), 'plan');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).at).toBe('plan.entries[0].action');
    expect((err as DecodeError).message).toContain(
      '"none", "link", "create", "move", "relink", "retarget", "backup", "merge", "restore", "remove", "conflict", "skip"',
    );
  });

  it('fills in retargetMode for a plan saved before it existed', () => {
    const e = entryJson('move', 0);
    delete e.retargetMode;
    expect(decodePlan(planJson([e]), 'plan').entries[0]!.retargetMode).toBe('relink');
  });
});

describe('decodePlan: blocked is what the plan says', () => {
  const error = { severity: 'error', code: 'E_PROTECTED', message: 'm' };
  const warning = { severity: 'warning', code: 'W_TARGET_MISSING', message: 'm' };
  const decodeAt = (plan: Record<string, unknown>): string | undefined => {
    try {
      decodePlan(JSON.parse(JSON.stringify(plan)), 'plan');
      return undefined;
    } catch (err) {
      if (err instanceof DecodeError) return err.at;
      throw err;
    }
  };

  it('accepts blocked exactly when an entry is a conflict or a finding is an error', () => {
    expect(decodeAt(planJson([entryJson('conflict', 0)], [], true))).toBeUndefined();
    expect(decodeAt(planJson([{ ...entryJson('link', 0), findings: [error] }], [], true))).toBeUndefined();
    expect(decodeAt(planJson([entryJson('link', 0)], [error], true))).toBeUndefined();
    expect(decodeAt(planJson([{ ...entryJson('link', 0), findings: [warning] }], [warning], false))).toBeUndefined();
  });

  it('refuses a plan edited to say blocked: false over its own conflict or error (apply would run past them)', () => {
    expect(decodeAt(planJson([entryJson('conflict', 0)], [], false))).toBe('plan.blocked');
    expect(decodeAt(planJson([{ ...entryJson('link', 0), findings: [error] }], [], false))).toBe('plan.blocked');
    expect(decodeAt(planJson([entryJson('link', 0)], [error], false))).toBe('plan.blocked');
  });

  it('refuses blocked: true on a plan with no conflict and no error', () => {
    expect(decodeAt(planJson([{ ...entryJson('link', 0), findings: [warning] }], [], true))).toBe('plan.blocked');
  });
});
