/**
 * Issue 19, part 1: the `observed` block of plan/status entries, mapped from
 * the observations the state layer already made (no disk here). Junctions
 * exist only on Windows, so their mapping is tested here, as the Windows
 * reader reports them.
 */
import { describe, expect, it } from 'vitest';
import type { PathStyle } from '../../src/core/paths.js';
import type { Action, Plan, PlannedEntry } from '../../src/plan/types.js';
import { planJson } from '../../src/render/plan-json.js';
import { observationsByEntry, observedJson, observedSide } from '../../src/render/observed-json.js';
import type { EntryObservation, PathObservation, TreeMeasure } from '../../src/state/types.js';
import type { FlatObservation } from '../helpers/flat-observation.js';

const WIN: PathStyle = { flavour: 'win32', caseInsensitive: true };
const tree = (bytes: number, files: number): TreeMeasure => ({ bytes, files, dirs: 1, links: 0 });
const at = (path: string, over: Partial<FlatObservation>): PathObservation => ({ path, kind: 'absent', ...over }) as PathObservation;

describe('observedSide', () => {
  it('an absent path is missing, with nothing else', () => {
    expect(observedSide(at('C:\\Games', {}), undefined)).toEqual({ kind: 'missing' });
  });

  it('a junction: its stored text and where it resolves (Windows)', () => {
    const j = at('C:\\Games', { kind: 'junction', linkText: '\\??\\D:\\Games', linkTarget: 'D:\\Games', linkTargetKind: 'dir' });
    expect(observedSide(j, undefined)).toEqual({ kind: 'junction', linkText: '\\??\\D:\\Games', resolved: 'D:\\Games' });
  });

  it('a symlink with a relative text: the text as stored, resolved absolute; a link never carries sizes', () => {
    const s = at('/home/u/Games', { kind: 'symlink', linkText: '../../store/Games', linkTarget: '/store/Games', linkTargetKind: 'absent' });
    expect(observedSide(s, tree(10, 1))).toEqual({ kind: 'symlink', linkText: '../../store/Games', resolved: '/store/Games' });
  });

  it('a folder carries bytes and files only when its tree was measured', () => {
    expect(observedSide(at('/d', { kind: 'dir' }), tree(4096, 12))).toEqual({ kind: 'dir', bytes: 4096, files: 12 });
    expect(observedSide(at('/d', { kind: 'dir', size: 4096 }), undefined)).toEqual({ kind: 'dir' });
  });

  it('a file has its own size (from its lstat); one with more names is a hardlink', () => {
    expect(observedSide(at('/f', { kind: 'file', size: 7, nlink: 1 }), undefined)).toEqual({ kind: 'file', bytes: 7 });
    expect(observedSide(at('/f', { kind: 'file', size: 7, nlink: 2 }), undefined)).toEqual({ kind: 'hardlink', bytes: 7 });
    expect(observedSide(at('/f', { kind: 'file', size: 7 }), tree(7, 1))).toEqual({ kind: 'file', bytes: 7, files: 1 });
  });

  it('anything else (a device, a socket, a reparse point that is no link) is other', () => {
    expect(observedSide(at('/dev/null', { kind: 'other' }), undefined)).toEqual({ kind: 'other' });
  });
});

function entry(order: number, link: string, target: string, action: Action): PlannedEntry {
  return {
    order,
    index: order,
    link,
    target,
    type: 'junction',
    declaredType: 'auto',
    state: 'present',
    conflictStrategy: 'fail',
    retargetMode: 'move',
    action,
    reason: action,
    findings: [],
    style: WIN,
    source: { file: 'C:\\m.yaml', line: 1, col: 1 },
  } as PlannedEntry;
}

describe('observed in plan --json', () => {
  // Manifest order: A, B, C (skipped: not observed). Execution order: B first.
  const obsA: EntryObservation = { style: WIN, link: at('C:\\A', { kind: 'dir' }), target: at('D:\\A', {}), linkTree: tree(100, 3) };
  const obsB: EntryObservation = {
    style: WIN,
    link: at('C:\\B', { kind: 'junction', linkText: 'D:\\B', linkTarget: 'D:\\B' }),
    target: at('D:\\B', { kind: 'dir' }),
  };
  const entries = [entry(1, 'C:\\A', 'D:\\A', 'move'), entry(0, 'C:\\B', 'D:\\B', 'none'), entry(2, 'C:\\C', 'D:\\C', 'skip')];
  const plan: Plan = {
    formatVersion: 1,
    manifest: { path: 'C:\\m.yaml', hash: 'h' },
    os: 'win32',
    toolVersion: '0',
    entries,
    findings: [],
    summary: { actions: {}, bytesToMove: 0, bytesAcrossVolumes: 0, conflicts: 0, errors: 0, warnings: 0 },
    blocked: false,
    fingerprint: 'f',
  };

  it('each entry gets the observation of its own link and target, whatever the order', () => {
    const j = planJson(plan, 'm.yaml', [], [obsA, obsB, undefined]);
    expect(j.entries.map((e) => e.link)).toEqual(['C:\\B', 'C:\\A', 'C:\\C']);
    expect(j.entries[0]!.observed).toEqual({ link: { kind: 'junction', linkText: 'D:\\B', resolved: 'D:\\B' }, target: { kind: 'dir' } });
    expect(j.entries[1]!.observed).toEqual({ link: { kind: 'dir', bytes: 100, files: 3 }, target: { kind: 'missing' } });
    expect(j.entries[2]!.observed).toBeNull();
    expect(j.changes).toBe(true);
  });

  it('changes is false when no entry would change the disk', () => {
    const inSync: Plan = { ...plan, entries: [entry(0, 'C:\\B', 'D:\\B', 'none'), entry(1, 'C:\\C', 'D:\\C', 'skip')] };
    expect(planJson(inSync, 'm.yaml', [], [obsB, undefined]).changes).toBe(false);
    // A conflict changes nothing (apply refuses): summary.changes does not count it either.
    const blocked: Plan = { ...plan, entries: [entry(0, 'C:\\B', 'D:\\B', 'conflict')], blocked: true };
    expect(planJson(blocked, 'm.yaml').changes).toBe(false);
  });

  it('a skipped entry is never matched to an observation of the same paths', () => {
    const of = observationsByEntry([obsA]);
    expect(of(entry(0, 'C:\\A', 'D:\\A', 'skip'))).toBeUndefined();
    expect(of(entry(0, 'C:\\A', 'D:\\A', 'move'))).toBe(obsA);
    expect(observedJson(obsA).target).toEqual({ kind: 'missing' });
  });
});
