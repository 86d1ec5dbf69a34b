/**
 * Issue 14: relative symbolic links that lead out of data about to move
 * (W_RELATIVE_LINK_OUT). The text check the reader makes (relativeTextLeaves)
 * and the planner's decision for each kind of move, with POSIX and Windows
 * paths, without a disk.
 */
import { describe, expect, it } from 'vitest';
import { relativeTextLeaves } from '../../src/core/link-escape.js';
import type { EntryObservation, TreeMeasure } from '../../src/state/types.js';
import { POSIX_STYLE, WIN_STYLE, codes, comparison, context, entry, obs, pair, planOne, tree, vol } from '../helpers/plan-fixtures.js';

describe('relativeTextLeaves: does a link text climb above the tree it is in?', () => {
  it.each([
    [0, '../shared', true],
    [0, './b', false],
    [0, 'b', false],
    [1, '../b', false],
    [1, '../../x', true],
    [0, 'sub/../b', false],
    [0, 'sub/../../x', true],
    // Out through the tree's own name and back in: its name may change with the move.
    [1, '../../Games/b', true],
    [0, '/etc/hosts', false],
    [2, '', false],
  ] as const)('depth %i, %s: %s', (depth, text, leaves) => {
    expect(relativeTextLeaves(depth, text, POSIX_STYLE)).toBe(leaves);
  });

  it('on Windows: either separator climbs; a drive-absolute text stays put; a driveless one depends on the drive', () => {
    expect(relativeTextLeaves(0, '..\\shared', WIN_STYLE)).toBe(true);
    expect(relativeTextLeaves(1, '..\\b', WIN_STYLE)).toBe(false);
    expect(relativeTextLeaves(0, '../x', WIN_STYLE)).toBe(true);
    expect(relativeTextLeaves(0, 'D:\\x', WIN_STYLE)).toBe(false);
    expect(relativeTextLeaves(0, '\\x', WIN_STYLE)).toBe(true);
  });
});

const LINK = '/home/u/Games';
const out = (first: { path: string; text: string }[], count = first.length): Partial<TreeMeasure> => ({ linksOut: { count, first } });

function moving(t: TreeMeasure, target = '/mnt/big/Games', cross = true): EntryObservation {
  return pair(POSIX_STYLE, obs.dir(LINK, vol('home')), obs.absent(target, vol(cross ? 'big' : 'home')), { linkTree: t });
}

describe('W_RELATIVE_LINK_OUT in the planner', () => {
  it('a move warns, naming the link, where it points now and after the move, with a hint', () => {
    const p = planOne(entry(POSIX_STYLE, LINK, '/mnt/big/Games'), moving(tree(10, 1, out([{ path: `${LINK}/lib`, text: '../shared' }]))), context('linux'));
    expect(p.action).toBe('move');
    expect(codes(p)).toEqual(['W_RELATIVE_LINK_OUT']);
    const f = p.findings[0]!;
    expect(f.severity).toBe('warning');
    expect(f.path).toBe(`${LINK}/lib`);
    expect(f.message).toContain(`${LINK}/lib → ../shared (now /home/u/shared, after the move /mnt/big/shared)`);
    expect(f.hint).toContain('make them absolute');
    expect(f.hint).toContain(`ln -sfn "/home/u/shared" "${LINK}/lib"`);
  });

  it('a link that leaves and comes back through the same name at the same depth still works after the move: no warning', () => {
    // /home/u/Games/sub/back → ../../Games/b is /home/u/Games/b now, /mnt/big/Games/b after: the moved b.
    const p = planOne(
      entry(POSIX_STYLE, LINK, '/mnt/big/Games'),
      moving(tree(10, 1, out([{ path: `${LINK}/sub/back`, text: '../../Games/b' }]))),
      context('linux'),
    );
    expect(codes(p)).toEqual([]);
    // Under another name it would reach the old name, which is the link after the move: warned.
    const renamed = planOne(
      entry(POSIX_STYLE, LINK, '/mnt/big/Stuff'),
      moving(tree(10, 1, out([{ path: `${LINK}/sub/back`, text: '../../Games/b' }])), '/mnt/big/Stuff'),
      context('linux'),
    );
    expect(codes(renamed)).toEqual(['W_RELATIVE_LINK_OUT']);
    expect(renamed.findings[0]!.message).toContain('after the move /mnt/big/Games/b');
  });

  it('a move into a sibling folder of the same parent keeps `../shared` where it was: no warning', () => {
    const p = planOne(
      entry(POSIX_STYLE, LINK, '/home/u/Games2'),
      moving(tree(10, 1, out([{ path: `${LINK}/lib`, text: '../shared' }])), '/home/u/Games2', false),
      context('linux'),
    );
    expect(p.action).toBe('move');
    expect(codes(p)).toEqual([]);
  });

  it('a backup renames the data to a sibling: `../shared` still works, `../Games/x` (through the name that becomes the link) does not', () => {
    const sides = (t: TreeMeasure) =>
      pair(POSIX_STYLE, obs.dir(LINK, vol('home')), obs.dir('/mnt/big/Games', vol('big')), { linkTree: t, comparison: comparison({ onlyAtLink: ['a'] }) });
    const e = entry(POSIX_STYLE, LINK, '/mnt/big/Games', { conflict: 'backup' });
    const fine = planOne(e, sides(tree(10, 1, out([{ path: `${LINK}/lib`, text: '../shared' }]))), context('linux'));
    expect(fine.action).toBe('backup');
    expect(codes(fine)).toEqual([]);
    const broken = planOne(e, sides(tree(10, 1, out([{ path: `${LINK}/self`, text: '../Games/save.dat' }]))), context('linux'));
    expect(codes(broken)).toEqual(['W_RELATIVE_LINK_OUT']);
  });

  it('a restore checks the target tree, moving back to the link path', () => {
    const o = pair(POSIX_STYLE, obs.symlink(LINK, '/mnt/big/Games', 'dir', vol('home')), obs.dir('/mnt/big/Games', vol('big')), {
      targetTree: tree(10, 1, out([{ path: '/mnt/big/Games/lib', text: '../shared' }])),
    });
    const p = planOne(entry(POSIX_STYLE, LINK, '/mnt/big/Games', { state: 'absent' }), o, context('linux'));
    expect(p.action).toBe('restore');
    expect(codes(p)).toEqual(['W_RELATIVE_LINK_OUT']);
    expect(p.findings[0]!.message).toContain('after the move /home/u/shared');
  });

  it('counts the links beyond those listed', () => {
    const p = planOne(entry(POSIX_STYLE, LINK, '/mnt/big/Games'), moving(tree(10, 1, out([{ path: `${LINK}/lib`, text: '../shared' }], 25))), context('linux'));
    expect(p.findings[0]!.message).toMatch(/^25 relative symbolic link\(s\) in \/home\/u\/Games/);
    expect(p.findings[0]!.message).toContain('and 24 more that lead out of it');
  });

  it('Windows paths: a move to another drive', () => {
    const W = 'C:\\Games';
    const o = pair(WIN_STYLE, obs.dir(W, vol('C')), obs.absent('D:\\Games', vol('D')), {
      linkTree: tree(10, 1, out([{ path: `${W}\\mods`, text: '..\\shared\\mods' }])),
    });
    const p = planOne(entry(WIN_STYLE, W, 'D:\\Games'), o, context('win32'));
    expect(codes(p)).toEqual(['W_RELATIVE_LINK_OUT']);
    expect(p.findings[0]!.message).toContain('now C:\\shared\\mods, after the move D:\\shared\\mods');
  });

  it('an entry that moves nothing is not checked', () => {
    const o = pair(POSIX_STYLE, obs.absent(LINK, vol('home')), obs.dir('/mnt/big/Games', vol('big')), {
      targetTree: tree(10, 1, out([{ path: '/mnt/big/Games/lib', text: '../shared' }])),
    });
    expect(codes(planOne(entry(POSIX_STYLE, LINK, '/mnt/big/Games'), o, context('linux')))).toEqual([]);
  });
});
