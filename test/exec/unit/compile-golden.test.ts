import { describe, expect, it } from 'vitest';
import { compileSteps } from '../../../src/exec/compile.js';
import type { Step } from '../../../src/exec/steps.js';
import type { Action, Plan, PlannedEntry } from '../../../src/plan/types.js';
import { POSIX_STYLE, WIN_STYLE } from '../../helpers/plan-fixtures.js';

/**
 * DESIGN.md's "Moving data safely", written as test data: the steps each
 * action compiles to, on one volume and across two, for a Linux and a
 * Windows plan (compileSteps is pure, so both compile the same on any
 * host). The table is compile-steps.golden.txt beside this file; a change
 * to the protocol changes it, and must be read there before it is
 * accepted (`npx vitest run test/exec/unit/compile-golden.test.ts -u`).
 */

interface Case {
  name: string;
  action: Action;
  cross?: boolean;
  extra?: Partial<PlannedEntry>;
}

const CASES: Case[] = [
  { name: 'none', action: 'none' },
  { name: 'skip', action: 'skip' },
  { name: 'conflict', action: 'conflict' },
  { name: 'link', action: 'link' },
  { name: 'link over an identical file (replacesIdentical)', action: 'link', extra: { replacesIdentical: true } },
  { name: 'create', action: 'create' },
  { name: 'relink', action: 'relink', extra: { oldTarget: 'OLD' } },
  { name: 'relink, creating the target', action: 'relink', extra: { oldTarget: 'OLD', createsTarget: true } },
  { name: 'move, one volume', action: 'move', cross: false },
  { name: 'move, two volumes', action: 'move', cross: true },
  { name: 'retarget, one volume', action: 'retarget', cross: false, extra: { oldTarget: 'OLD' } },
  { name: 'retarget, two volumes', action: 'retarget', cross: true, extra: { oldTarget: 'OLD' } },
  { name: 'backup', action: 'backup' },
  { name: 'merge, one volume', action: 'merge', cross: false },
  { name: 'merge, two volumes', action: 'merge', cross: true },
  { name: 'restore, one volume', action: 'restore', cross: false, extra: { removes: 'LINK' } },
  { name: 'restore, two volumes', action: 'restore', cross: true, extra: { removes: 'LINK' } },
  { name: 'remove', action: 'remove', extra: { removes: 'LINK' } },
  { name: 'remove a hard link (the target name goes)', action: 'remove', extra: { removes: 'TARGET' } },
];

const OS = {
  linux: { style: POSIX_STYLE, link: '/home/u/Games', target: '/mnt/big/Games', old: '/mnt/old/Games' },
  win32: { style: WIN_STYLE, link: 'C:\\Users\\u\\Games', target: 'D:\\Games', old: 'E:\\Games' },
} as const;

function entryOf(c: Case, os: keyof typeof OS): PlannedEntry {
  const o = OS[os];
  const word = (v: unknown) => (v === 'LINK' ? o.link : v === 'TARGET' ? o.target : v === 'OLD' ? o.old : v);
  const extra = Object.fromEntries(Object.entries(c.extra ?? {}).map(([k, v]) => [k, word(v)]));
  const from = c.action === 'restore' ? o.target : c.action === 'retarget' ? o.old : o.link;
  const to = c.action === 'restore' ? o.link : o.target;
  const moves = c.action === 'move' || c.action === 'retarget' || c.action === 'merge' || c.action === 'restore' || c.action === 'backup';
  return {
    order: 7,
    index: 0,
    link: o.link,
    target: o.target,
    type: os === 'win32' ? 'junction' : 'symlink',
    declaredType: 'auto',
    state: c.action === 'restore' || c.action === 'remove' ? 'absent' : 'present',
    conflictStrategy: c.action === 'merge' ? 'merge' : c.action === 'backup' ? 'backup' : 'fail',
    retargetMode: 'move',
    action: c.action,
    reason: 'r',
    findings: [],
    style: o.style,
    source: { file: 'm.yaml', line: 1, col: 1 },
    ...(moves ? { move: { from, to, crossVolume: c.cross ?? false, bytes: 1, files: 1 } } : {}),
    ...(c.action === 'merge'
      ? { comparison: { onlyAtLink: ['saves', 'saves/slot1', 'mods/a'], onlyAtTarget: ['cache'], differ: [], identical: ['config.ini'] } }
      : {}),
    ...extra,
  } as PlannedEntry;
}

function line(s: Step): string {
  // Every step kind has its line: a new kind is a compile error here (the function must return a string).
  switch (s.op) {
    case 'mkdirs':
    case 'check-in-use':
      return `${s.op} ${s.path}`;
    case 'rename':
      return `rename (${s.role}) ${s.from} -> ${s.to}`;
    case 'copy':
      return `copy ${s.from} -> ${s.to}`;
    case 'verify':
      return `verify (${s.mode}${s.subset ? ', subset' : ''}) ${s.original} against ${s.copy}`;
    case 'link':
    case 'check-link':
      return `${s.op} (${s.kind}) ${s.path} -> ${s.target}`;
    case 'unlink':
      return `unlink ${s.path} (pointing to ${s.target})`;
    case 'delete':
      return `delete${s.subset ? ' (subset)' : ''} ${s.path} (twin ${s.twin})`;
  }
}

describe('the steps of each action (the move protocol as data)', () => {
  it('are the golden table', async () => {
    const out: string[] = [];
    for (const os of ['linux', 'win32'] as const) {
      for (const c of CASES) {
        const plan = { os, entries: [entryOf(c, os)] } as unknown as Plan;
        const steps = compileSteps(plan, { runId: 'RUN', stamp: '20261207T060000123Z', verify: 'meta' });
        out.push(`## ${os}: ${c.name}`, ...(steps.length ? steps.map((rs, i) => `${String(i).padStart(2)}  ${line(rs.step)}`) : ['    (no steps)']), '');
      }
    }
    await expect(out.join('\n')).toMatchFileSnapshot('./compile-steps.golden.txt');
  });
});
