/**
 * What the run commands decide before they print (src/usecase): which
 * backups a run left and the sentence for each, how big a run is, which run
 * `rollback` undoes and which way `resume` goes.
 */
import { describe, expect, it } from 'vitest';
import type { RunStep } from '../../src/exec/steps.js';
import type { PlannedEntry } from '../../src/plan/types.js';
import { backupNotice, backupsLeft, backupsOf } from '../../src/usecase/backups.js';
import { resumeDirection, runToRollBack } from '../../src/usecase/run-choice.js';
import { runSize } from '../../src/usecase/run-size.js';
import { POSIX_STYLE, context, entry, obs, pair, planOne, vol } from '../helpers/plan-fixtures.js';
import { runRecord } from './run-fixtures.js';
import { thrownError } from '../helpers/relocate-error.js';

const STEPS: RunStep[] = [
  { n: 0, entry: 0, step: { op: 'rename', from: '/a/Games', to: '/a/Games.relocate-backup-20261207T120000Z', role: 'backup' } },
  { n: 1, entry: 0, step: { op: 'rename', from: '/a/Other', to: '/b/Other', role: 'move' } },
  { n: 2, entry: 1, step: { op: 'rename', from: '/a/x', to: '/a/x.relocate-backup-looks-like-one', role: 'aside' } },
  { n: 3, entry: 1, step: { op: 'mkdirs', path: '/a/y' } },
];

describe('backups', () => {
  it('are the renames whose role is backup, never a path that merely looks like one', () => {
    expect(backupsOf(STEPS)).toEqual([{ link: '/a/Games', path: '/a/Games.relocate-backup-20261207T120000Z' }]);
  });

  it('are reported only when the run ended done: a rolled-back run put the data back, a failed one is unfinished', () => {
    expect(backupsLeft('done', STEPS)).toHaveLength(1);
    expect(backupsLeft('rolled-back', STEPS)).toEqual([]);
    expect(backupsLeft('failed', STEPS)).toEqual([]);
  });

  it('are told in one sentence each: where the data that was at the link is kept', () => {
    expect(backupNotice({ link: '/a/Games', path: '/a/Games.relocate-backup-1' })).toBe(
      'Backup: the data that was at /a/Games is kept at /a/Games.relocate-backup-1.',
    );
  });
});

describe('runSize', () => {
  const move = (link: string, action: PlannedEntry['action'], bytes: number): PlannedEntry =>
    ({
      ...planOne(entry(POSIX_STYLE, link, `/b${link}`), pair(POSIX_STYLE, obs.dir(link, vol('a')), obs.absent(`/b${link}`, vol('b'))), context('linux')),
      action,
      move: { from: link, to: `/b${link}`, crossVolume: true, bytes, files: 1 },
    }) as PlannedEntry;

  it("counts the work entries (a conflict included, none and skip not) and the bytes moved, never a backup's", () => {
    const run = runRecord('r1', 'done');
    run.plan.entries = [
      move('/a/1', 'move', 1000),
      move('/a/2', 'backup', 5000),
      move('/a/3', 'conflict', 0),
      move('/a/4', 'none', 7),
      move('/a/5', 'skip', 9),
    ];
    expect(runSize(run)).toEqual({ changes: 3, bytes: 1000 });
  });

  it('an unmeasured plan moves 0 bytes', () => {
    expect(runSize(runRecord('r1', 'done'))).toEqual({ changes: 0, bytes: 0 });
  });
});

describe('runToRollBack', () => {
  const newestFirst = [runRecord('r3', 'rolled-back'), runRecord('r2', 'done'), runRecord('r1', 'done')];

  it('without a name: the newest finished run', () => {
    expect(runToRollBack(newestFirst, undefined, '/state').id).toBe('r2');
  });

  it('without a name: the unfinished run before any finished one', () => {
    expect(runToRollBack([runRecord('r4', 'done'), runRecord('r3', 'failed'), ...newestFirst], undefined, '/state').id).toBe('r3');
  });

  it('a name picks its run by id or prefix', () => {
    expect(runToRollBack(newestFirst, 'r1', '/state').id).toBe('r1');
    expect(runToRollBack([runRecord('20261207-abc', 'done')], '20261207', '/state').id).toBe('20261207-abc');
  });

  it('a start of an id that several runs share is E_USAGE naming them, never the newest of them; an exact id still wins', () => {
    const day = [runRecord('20261207-b', 'done'), runRecord('20261207-a', 'done'), runRecord('20261207', 'done')];
    const err = thrownError(() => runToRollBack(day.slice(0, 2), '20261207', '/state'));
    expect(err.code).toBe('E_USAGE');
    expect(err.message).toBe('2 runs start with 20261207: 20261207-b, 20261207-a; nothing was changed');
    expect(runToRollBack(day, '20261207', '/state').id).toBe('20261207');
    expect(runToRollBack(day, '20261207-a', '/state').id).toBe('20261207-a');
  });

  it('E_NO_RUN when there is none to undo, or none of that name', () => {
    const none = thrownError(() => runToRollBack([runRecord('r3', 'rolled-back')], undefined, '/state'));
    expect(none.code).toBe('E_NO_RUN');
    expect(none.message).toBe('no run to roll back in /state');
    expect(() => runToRollBack(newestFirst, 'zz', '/state')).toThrow('no run zz in /state');
  });

  it('E_INTERRUPTED_RUN when another run is unfinished: a finished run is never undone under a half-way one', () => {
    const runs = [runRecord('r4', 'running'), ...newestFirst];
    const err = thrownError(() => runToRollBack(runs, 'r2', '/state'));
    expect(err.code).toBe('E_INTERRUPTED_RUN');
    expect(err.message).toBe('run r4 did not finish; deal with it before rolling back r2');
    expect(err.hint).toBe('`relocate rollback r4` or `relocate resume`');
    expect(runToRollBack(runs, 'r4', '/state').id).toBe('r4');
  });
});

describe('resumeDirection', () => {
  it('back for a run that stopped rolling back, forward for one that stopped applying', () => {
    expect(resumeDirection({ status: 'rolling-back' })).toBe('back');
    expect(resumeDirection({ status: 'running' })).toBe('forward');
    expect(resumeDirection({ status: 'failed' })).toBe('forward');
  });
});
