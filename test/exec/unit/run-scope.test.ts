import { describe, expect, it } from 'vitest';
import { runScope } from '../../../src/exec/guard.js';
import type { JournalLine, RunRecord } from '../../../src/journal/types.js';
import type { PlannedEntry } from '../../../src/plan/types.js';
import { POSIX_STYLE } from '../../helpers/plan-fixtures.js';

/**
 * The guard's scope (runScope) reads fields only some entries carry:
 * `removes` on a remove or a restore, a mkdirs begin line's `created`.
 * Built by hand, so each field is somewhere the entry's own link and
 * target would not cover it.
 */
const entry = (fields: Partial<PlannedEntry> & Pick<PlannedEntry, 'action'>): PlannedEntry =>
  ({ order: 0, index: 0, link: '/home/u/Games', target: '/data/Games', style: POSIX_STYLE, ...fields }) as PlannedEntry;

const record = (entries: PlannedEntry[], steps: RunRecord['steps'] = []): RunRecord =>
  ({ id: 'r1', startedAt: '2026-12-07T06:00:00.123Z', plan: { os: 'linux', entries }, steps }) as unknown as RunRecord;

describe('the guard scope of a run', () => {
  it.each([
    ['remove', entry({ action: 'remove', removes: '/elsewhere/name' })],
    [
      'restore',
      entry({ action: 'restore', move: { from: '/data/Games', to: '/home/u/Games', crossVolume: false, bytes: 0, files: 0 }, removes: '/elsewhere/name' }),
    ],
  ])("covers a %s entry's removes", (_what, e) => {
    expect(runScope(record([e]), []).paths).toContain('/elsewhere/name');
  });

  it('covers no removes on an entry that carries none, nor on one that changes nothing', () => {
    const scope = runScope(record([entry({ action: 'link' }), entry({ action: 'none', order: 1 })]), []);
    expect(scope.paths).toEqual(['/home/u/Games', '/data/Games']);
  });

  it("covers the folders a mkdirs step's begin line says it created, and no other line's", () => {
    const steps = [{ n: 0, entry: 0, step: { op: 'mkdirs', path: '/data/a/b' } }] as RunRecord['steps'];
    const lines: JournalLine[] = [
      { t: 'begin', n: 0, at: 'x', info: { created: ['/data/a', '/data/a/b'] } },
      { t: 'done', n: 0, at: 'x', info: { created: ['/not/this'] } },
    ];
    expect(runScope(record([entry({ action: 'create', createsTarget: true })], steps), lines).created).toEqual(['/data/a', '/data/a/b']);
  });
});
