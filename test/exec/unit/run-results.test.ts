/**
 * Issue 19, part 1: each entry's `result` and the run's `changed` in
 * apply/resume/rollback --json, worked out from the run's record and its
 * journal (pure; no disk). Two entries that change the disk (two steps
 * each) and one in sync.
 */
import { describe, expect, it } from 'vitest';
import { entryResults, runChanged, type RunDirection } from '../../../src/exec/run-results.js';
import type { RunStep } from '../../../src/exec/steps.js';
import type { JournalLine, RunRecord } from '../../../src/journal/types.js';
import type { Action, PlannedEntry } from '../../../src/plan/types.js';

const entry = (order: number, action: Action) => ({ order, action }) as PlannedEntry;
const steps: RunStep[] = [
  { n: 0, entry: 0, step: { op: 'mkdirs', path: '/t/a' } },
  { n: 1, entry: 0, step: { op: 'link', path: '/l/a', target: '/t/a', kind: 'symlink' } },
  { n: 2, entry: 2, step: { op: 'rename', from: '/l/b', to: '/t/b', role: 'move' } },
  { n: 3, entry: 2, step: { op: 'link', path: '/l/b', target: '/t/b', kind: 'symlink' } },
];
const record = { plan: { entries: [entry(0, 'create'), entry(1, 'none'), entry(2, 'move')] }, steps } as unknown as RunRecord;

const J = (...spec: [JournalLine['t'], number, Record<string, unknown>?][]): JournalLine[] =>
  spec.map(([t, n, info]) => ({ t, n, at: 'x', ...(info ? { info } : {}) }) as JournalLine); // built by hand: each tag's fields as the test gives them
const results = (lines: JournalLine[], d: RunDirection) => Object.fromEntries(entryResults(record, lines, d));

describe('entry results, forward (apply, resume)', () => {
  it('a run done: every changing entry changed, the one in sync unchanged; changed is true', () => {
    const lines = J(['begin', 0], ['done', 0], ['begin', 1], ['done', 1], ['begin', 2], ['done', 2], ['begin', 3], ['done', 3]);
    const r = entryResults(record, lines, 'forward');
    expect(Object.fromEntries(r)).toEqual({ 0: 'changed', 1: 'unchanged', 2: 'changed' });
    expect(runChanged('apply', { result: 'done' }, r, lines)).toBe(true);
  });

  it('a step failed and the automatic rollback undid the rest: that entry failed, the earlier one unchanged, changed is false', () => {
    const lines = J(
      ['begin', 0],
      ['done', 0],
      ['begin', 1],
      ['done', 1],
      ['begin', 2],
      ['undo-begin', 2],
      ['undo-done', 2],
      ['undo-begin', 1],
      ['undo-done', 1],
      ['undo-begin', 0],
      ['undo-done', 0],
    );
    const r = entryResults(record, lines, 'forward');
    expect(Object.fromEntries(r)).toEqual({ 0: 'unchanged', 1: 'unchanged', 2: 'failed' });
    expect(runChanged('apply', { result: 'rolled-back' }, r, lines)).toBe(false);
    // An undo skipped (the guard refused it) leaves that change in place: the disk did change.
    expect(runChanged('apply', { result: 'rolled-back', skipped: [{ n: 0, reason: 'x' }] }, r, lines)).toBe(true);
  });

  it('--no-rollback: the finished entry stays changed, the failing one failed; changed is true', () => {
    const lines = J(['begin', 0], ['done', 0], ['begin', 1], ['done', 1], ['begin', 2]);
    const r = entryResults(record, lines, 'forward');
    expect(Object.fromEntries(r)).toEqual({ 0: 'changed', 1: 'unchanged', 2: 'failed' });
    expect(runChanged('apply', { result: 'failed' }, r, lines)).toBe(true);
  });

  it('a run that failed at its first step before anything was done: the rest not-run', () => {
    const lines = J(['begin', 0]);
    const r = entryResults(record, lines, 'forward');
    expect(Object.fromEntries(r)).toEqual({ 0: 'failed', 1: 'unchanged', 2: 'not-run' });
    // Unfinished: the partial work of the step that began is on disk until resume or rollback.
    expect(runChanged('apply', { result: 'failed' }, r, lines)).toBe(true);
    expect(runChanged('apply', { result: 'failed' }, r, [])).toBe(false);
  });

  it('a batch journaled begun together: only the first step never done failed; the later begun ones did not run', () => {
    const lines = J(['begin', 1], ['begin', 3], ['begin', 0], ['done', 0]);
    expect(results(lines, 'forward')).toEqual({ 0: 'failed', 1: 'unchanged', 2: 'not-run' });
  });

  it('an interrupted run rolled back between two steps: nothing failed, the entry it undid unchanged, the rest not-run', () => {
    const lines = J(['begin', 0], ['done', 0], ['begin', 1], ['done', 1], ['undo-begin', 1], ['undo-done', 1], ['undo-begin', 0], ['undo-done', 0]);
    expect(results(lines, 'forward')).toEqual({ 0: 'unchanged', 1: 'unchanged', 2: 'not-run' });
  });
});

describe('entry results, back (rollback, resume of a rollback)', () => {
  const applied = J(['begin', 0], ['done', 0], ['begin', 1], ['done', 1], ['begin', 2], ['done', 2], ['begin', 3], ['done', 3]);

  it('a rollback that undid everything: every changing entry changed, changed is true', () => {
    const lines = [
      ...applied,
      ...J(['undo-begin', 3], ['undo-done', 3], ['undo-begin', 2], ['undo-done', 2], ['undo-begin', 1], ['undo-done', 1], ['undo-begin', 0], ['undo-done', 0]),
    ];
    const r = entryResults(record, lines, 'back');
    expect(Object.fromEntries(r)).toEqual({ 0: 'changed', 1: 'unchanged', 2: 'changed' });
    expect(runChanged('rollback', { result: 'rolled-back' }, r, lines)).toBe(true);
  });

  it('an undo that failed: its entry failed, the one not reached not-run', () => {
    const lines = [...applied, ...J(['undo-begin', 3], ['undo-done', 3], ['undo-begin', 2])];
    expect(results(lines, 'back')).toEqual({ 0: 'not-run', 1: 'unchanged', 2: 'failed' });
  });

  it('undos skipped under --force changed nothing there', () => {
    const lines = [
      ...applied,
      ...J(
        ['undo-begin', 3],
        ['undo-done', 3, { skipped: 'drifted' }],
        ['undo-begin', 2],
        ['undo-done', 2, { skipped: 'drifted' }],
        ['undo-begin', 1],
        ['undo-done', 1],
        ['undo-begin', 0],
        ['undo-done', 0],
      ),
    ];
    const r = entryResults(record, lines, 'back');
    expect(Object.fromEntries(r)).toEqual({ 0: 'changed', 1: 'unchanged', 2: 'unchanged' });
  });

  it('a rollback of a run whose later entries never ran: those are unchanged', () => {
    const lines = J(['begin', 0], ['done', 0], ['begin', 1], ['done', 1], ['undo-begin', 1], ['undo-done', 1], ['undo-begin', 0], ['undo-done', 0]);
    const r = entryResults(record, lines, 'back');
    expect(Object.fromEntries(r)).toEqual({ 0: 'changed', 1: 'unchanged', 2: 'unchanged' });
    expect(runChanged('rollback', { result: 'rolled-back' }, r, lines)).toBe(true);
  });
});
