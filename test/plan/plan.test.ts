/**
 * The whole plan: blocked, summary, skip, parent-first order and cycles,
 * the fingerprint, and purity (no disk, environment or clock).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hasChanges, makePlan } from '../../src/plan/planner.js';
import { fingerprint } from '../../src/plan/fingerprint.js';
import type { DesiredEntry } from '../../src/manifest/types.js';
import type { EntryObservation, PathObservation } from '../../src/state/types.js';
import type { Observations } from '../../src/plan/types.js';
import { POSIX_STYLE, WIN_STYLE, comparison, context, entry, obs, pair, tree, vol } from '../helpers/plan-fixtures.js';
import { flat } from '../helpers/flat-entry.js';
import type { FlatObservation } from '../helpers/flat-observation.js';

const C = vol('C');
const D = vol('D');

/** A small manifest touching most actions, Windows paths. */
function mixed(): { entries: DesiredEntry[]; observations: Observations } {
  const entries = [
    entry(WIN_STYLE, 'C:\\Games', 'D:\\Games', { index: 0 }),
    entry(WIN_STYLE, 'C:\\Users\\u\\AppData\\Local\\npm-cache', 'D:\\Fast\\npm-cache', { index: 1 }),
    entry(WIN_STYLE, 'C:\\Tools', 'D:\\Tools', { index: 2 }),
    entry(WIN_STYLE, 'C:\\Old', 'D:\\Old', { index: 3 }),
    entry(WIN_STYLE, '~/.config/nvim', './nvim', { index: 4, applies: false, skipReason: 'when.os does not include win32' }),
    entry(WIN_STYLE, 'C:\\OldTool', 'E:\\OldTool', { index: 5, state: 'absent' }),
  ];
  const observations: Observations = [
    pair(WIN_STYLE, obs.dir('C:\\Games', C), obs.absent('D:\\Games', D), { linkTree: tree(3000, 12, { dirs: 2 }) }),
    pair(WIN_STYLE, obs.absent('C:\\Users\\u\\AppData\\Local\\npm-cache', C), obs.absent('D:\\Fast\\npm-cache', D)),
    pair(WIN_STYLE, obs.junction('C:\\Tools', 'D:\\Tools', 'dir', C), obs.dir('D:\\Tools', D)),
    pair(WIN_STYLE, obs.junction('C:\\Old', 'E:\\Old', 'dir', C), obs.dir('D:\\Old', D)),
    undefined,
    pair(WIN_STYLE, obs.junction('C:\\OldTool', 'E:\\OldTool', 'dir', C), obs.dir('E:\\OldTool', vol('E')), { targetTree: tree(700, 3) }),
  ];
  return { entries, observations };
}

describe('plan.blocked and summary', () => {
  it('a plan with changes but no conflict or error is not blocked; summary counts each action', () => {
    const { entries, observations } = mixed();
    const plan = makePlan(entries, observations, context('win32'));
    expect(plan.entries.map((p) => [p.index, p.action])).toEqual([
      [0, 'move'],
      [1, 'create'],
      [2, 'none'],
      [3, 'relink'],
      [4, 'skip'],
      [5, 'restore'],
    ]);
    expect(plan.summary.actions).toEqual({ move: 1, create: 1, none: 1, relink: 1, skip: 1, restore: 1 });
    expect(plan.summary).toMatchObject({ bytesToMove: 3700, bytesAcrossVolumes: 3700, conflicts: 0, errors: 0, warnings: 0 });
    expect(plan.blocked).toBe(false);
    expect(hasChanges(plan)).toBe(true);
    expect(plan.formatVersion).toBe(1);
    expect(plan.os).toBe('win32');
    expect(plan.manifest).toEqual(context('win32').manifest);
    expect(flat(plan.entries[3]!).oldTarget).toBe('E:\\Old');
  });

  it("skip keeps the entry's reason and the raw paths", () => {
    const { entries, observations } = mixed();
    const skip = makePlan(entries, observations, context('win32')).entries.find((p) => p.action === 'skip')!;
    expect(skip.reason).toBe('when.os does not include win32');
    expect(skip.link).toBe('~/.config/nvim');
    expect(skip.findings).toEqual([]);
  });

  it('one conflict blocks the plan', () => {
    const { entries, observations } = mixed();
    observations[0] = pair(WIN_STYLE, obs.dir('C:\\Games', C), obs.dir('D:\\Games', D), { linkTree: tree(1, 1), comparison: comparison({ differ: ['a'] }) });
    const plan = makePlan(entries, observations, context('win32'));
    expect(plan.summary.conflicts).toBe(1);
    expect(plan.summary.actions.conflict).toBe(1);
    expect(plan.blocked).toBe(true);
  });

  it('one error finding blocks the plan', () => {
    const plan = makePlan(
      [entry(WIN_STYLE, 'C:\\a.cfg', 'D:\\a.cfg', { type: 'junction' })],
      [pair(WIN_STYLE, obs.absent('C:\\a.cfg', C), obs.file('D:\\a.cfg', D, '1'))],
      context('win32'),
    );
    expect(plan.entries[0]!.action).toBe('link');
    expect(plan.summary.errors).toBe(1);
    expect(plan.blocked).toBe(true);
  });

  it('warnings alone do not block', () => {
    const plan = makePlan(
      [entry(POSIX_STYLE, '/home/u/games', '/mnt/big/games')],
      [pair(POSIX_STYLE, obs.symlink('/home/u/games', '/mnt/big/games', 'absent', vol('root')), obs.absent('/mnt/big/games', vol('big')))],
      context('linux'),
    );
    expect(plan.summary.warnings).toBe(1);
    expect(plan.summary.errors).toBe(0);
    expect(plan.blocked).toBe(false);
    expect(hasChanges(plan)).toBe(false);
  });

  it('an empty manifest is an empty, unblocked plan', () => {
    const plan = makePlan([], [], context('linux'));
    expect(plan.entries).toEqual([]);
    expect(plan.summary.actions).toEqual({});
    expect(plan.blocked).toBe(false);
  });
});

describe('order: nested entries parent-first, cycles refused', () => {
  const dirMove = (link: string, target: string, lv = C, tv = vol('E')) => pair(WIN_STYLE, obs.dir(link, lv), obs.absent(target, tv), { linkTree: tree(1, 1) });

  it("an entry whose link is inside another entry's link comes after it, whatever the manifest order", () => {
    const entries = [entry(WIN_STYLE, 'C:\\Games\\Steam', 'E:\\Steam', { index: 0 }), entry(WIN_STYLE, 'C:\\Games', 'D:\\Games', { index: 1 })];
    const plan = makePlan(entries, [dirMove('C:\\Games\\Steam', 'E:\\Steam'), dirMove('C:\\Games', 'D:\\Games', C, D)], context('win32'));
    expect(plan.entries.map((p) => [p.order, p.index, p.link])).toEqual([
      [0, 1, 'C:\\Games'],
      [1, 0, 'C:\\Games\\Steam'],
    ]);
  });

  it("an entry whose link is inside another entry's target comes after it", () => {
    const entries = [
      entry(WIN_STYLE, 'D:\\Games\\Saves', 'E:\\Saves', { index: 0 }),
      entry(WIN_STYLE, 'C:\\Games', 'D:\\Games', { index: 1 }),
      entry(WIN_STYLE, 'C:\\Music', 'D:\\Music', { index: 2 }),
    ];
    const observations = [dirMove('D:\\Games\\Saves', 'E:\\Saves', D), dirMove('C:\\Games', 'D:\\Games', C, D), dirMove('C:\\Music', 'D:\\Music', C, D)];
    const plan = makePlan(entries, observations, context('win32'));
    expect(plan.entries.map((p) => p.index)).toEqual([1, 0, 2]);
    expect(plan.entries.map((p) => p.order)).toEqual([0, 1, 2]);
  });

  it('Windows paths nest without regard to case', () => {
    const entries = [entry(WIN_STYLE, 'C:\\GAMES\\Steam', 'E:\\Steam', { index: 0 }), entry(WIN_STYLE, 'C:\\Games', 'D:\\Games', { index: 1 })];
    const plan = makePlan(entries, [dirMove('C:\\GAMES\\Steam', 'E:\\Steam'), dirMove('C:\\Games', 'D:\\Games', C, D)], context('win32'));
    expect(plan.entries.map((p) => p.index)).toEqual([1, 0]);
  });

  it('POSIX paths nest too (deeper chains included)', () => {
    const P = (l: string, t: string) => pair(POSIX_STYLE, obs.dir(l, vol('root')), obs.absent(t, vol('big')), { linkTree: tree(1, 1) });
    const entries = [
      entry(POSIX_STYLE, '/home/u/games/steam/common', '/mnt/ssd/common', { index: 0 }),
      entry(POSIX_STYLE, '/home/u/games/steam', '/mnt/ssd/steam', { index: 1 }),
      entry(POSIX_STYLE, '/home/u/games', '/mnt/big/games', { index: 2 }),
    ];
    const plan = makePlan(
      entries,
      [P('/home/u/games/steam/common', '/mnt/ssd/common'), P('/home/u/games/steam', '/mnt/ssd/steam'), P('/home/u/games', '/mnt/big/games')],
      context('linux'),
    );
    expect(plan.entries.map((p) => p.index)).toEqual([2, 1, 0]);
  });

  it('a sibling whose name merely starts the same is not nested', () => {
    const entries = [entry(WIN_STYLE, 'C:\\Games2', 'E:\\Games2', { index: 0 }), entry(WIN_STYLE, 'C:\\Games', 'D:\\Games', { index: 1 })];
    const plan = makePlan(entries, [dirMove('C:\\Games2', 'E:\\Games2'), dirMove('C:\\Games', 'D:\\Games', C, D)], context('win32'));
    expect(plan.entries.map((p) => p.index)).toEqual([0, 1]);
  });

  it("a cycle (each inside the other's paths) makes both entries conflicts and blocks the plan", () => {
    const entries = [
      entry(WIN_STYLE, 'C:\\A\\x', 'D:\\B', { index: 0 }),
      entry(WIN_STYLE, 'D:\\B\\y', 'C:\\A', { index: 1 }),
      entry(WIN_STYLE, 'C:\\Music', 'D:\\Music', { index: 2 }),
    ];
    const observations = [dirMove('C:\\A\\x', 'D:\\B', C, D), dirMove('D:\\B\\y', 'C:\\A', D, C), dirMove('C:\\Music', 'D:\\Music', C, D)];
    const plan = makePlan(entries, observations, context('win32'));
    const byIndex = new Map(plan.entries.map((p) => [p.index, p]));
    expect(byIndex.get(0)!.action).toBe('conflict');
    expect(byIndex.get(1)!.action).toBe('conflict');
    expect(byIndex.get(0)!.reason).toMatch(/cycle/);
    expect(byIndex.get(2)!.action).toBe('move');
    expect(plan.entries[0]!.index).toBe(2);
    expect(plan.summary.conflicts).toBe(2);
    expect(plan.blocked).toBe(true);
    expect(plan.entries.map((p) => p.order)).toEqual([0, 1, 2]);
  });
});

describe('fingerprint', () => {
  const base = (): EntryObservation =>
    pair(WIN_STYLE, obs.symlink('C:\\Games', 'D:\\Games', 'dir', vol('C', { freeBytes: 100 })), obs.dir('D:\\Games', vol('D', { freeBytes: 5000 })));
  const fp = (o: EntryObservation) => makePlan([entry(WIN_STYLE, 'C:\\Games', 'D:\\Games')], [o], context('win32')).fingerprint;
  const withLink = (extra: Partial<FlatObservation>) => {
    const o = base();
    o.link = { ...o.link, ...extra } as PathObservation;
    return o;
  };
  const withTarget = (extra: Partial<FlatObservation>) => {
    const o = base();
    o.target = { ...o.target, ...extra } as PathObservation;
    return o;
  };

  it('same observations → same fingerprint (and it is the fingerprint of the observations)', () => {
    expect(fp(base())).toBe(fp(base()));
    expect(fp(base())).toMatch(/^[0-9a-f]{64}$/);
    expect(fp(base())).toBe(fingerprint([base()]));
  });

  it.each([
    ['target mtime', () => withTarget({ mtimeMs: 1_700_000_000_001 })],
    ['target kind', () => withTarget({ kind: 'file' })],
    ['link kind', () => withLink({ kind: 'junction' })],
    ['link text', () => withLink({ linkText: 'E:\\Games' })],
    ['link target kind', () => withLink({ linkTargetKind: 'absent' })],
    ['target size', () => withTarget({ size: 1 })],
    ['target inode', () => withTarget({ ino: '99' })],
    ['target volume', () => withTarget({ volume: vol('E') })],
    ['measured tree', () => ({ ...base(), targetTree: tree(1, 1) })],
  ] as [string, () => EntryObservation][])('a changed %s → a different fingerprint', (_what, changed) => {
    expect(fp(changed())).not.toBe(fp(base()));
  });

  it('changed free space → the same fingerprint (it moves all the time and is re-checked at apply)', () => {
    expect(fp(withTarget({ volume: vol('D', { freeBytes: 1 }) }))).toBe(fp(base()));
    expect(fp(withLink({ volume: vol('C', { freeBytes: 123456 }) }))).toBe(fp(base()));
  });
});

describe('purity', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it('same inputs → deep-equal plans, whatever the clock and the environment say', () => {
    const { entries, observations } = mixed();
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2020-01-01T00:00:00Z'));
    vi.stubEnv('HOME', '/nowhere');
    vi.stubEnv('LOCALAPPDATA', 'Z:\\elsewhere');
    vi.stubEnv('RELOCATE_STATE_DIR', '/tmp/x');
    const first = makePlan(entries, observations, context('win32'));
    vi.setSystemTime(new Date('2031-06-15T12:34:56Z'));
    vi.stubEnv('HOME', '/other');
    vi.stubEnv('LOCALAPPDATA', 'Y:\\other');
    vi.stubEnv('RELOCATE_STATE_DIR', '/tmp/y');
    const second = makePlan(entries, observations, context('win32'));
    expect(second).toStrictEqual(first);
  });

  it('the plan is JSON-serialisable: a round trip gives the same plan', () => {
    const { entries, observations } = mixed();
    observations[1] = pair(WIN_STYLE, obs.dir('C:\\Users\\u\\AppData\\Local\\npm-cache', C), obs.dir('D:\\Fast\\npm-cache', D), {
      linkTree: tree(10, 1),
      comparison: comparison({ onlyAtLink: ['x'], identical: ['y'] }),
    });
    entries[1] = { ...entries[1]!, conflict: 'merge' };
    const plan = makePlan(entries, observations, context('win32'));
    expect(plan.entries[1]!.action).toBe('merge');
    // Strict: no `undefined` properties that a JSON round trip would drop.
    expect(JSON.parse(JSON.stringify(plan))).toStrictEqual(plan);
  });

  it('the inputs are not modified', () => {
    const { entries, observations } = mixed();
    const before = JSON.stringify({ entries, observations });
    makePlan(entries, observations, context('win32'));
    expect(JSON.stringify({ entries, observations })).toBe(before);
  });
});
