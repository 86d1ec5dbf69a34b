/**
 * Conflict strategies (DESIGN.md): fail, backup, merge — for each kind of
 * collision between real data at the link path and at the target, with
 * Windows and POSIX paths.
 */
import { describe, expect, it } from 'vitest';
import type { OsName, PathStyle } from '../../src/core/paths.js';
import type { ConflictStrategy } from '../../src/manifest/types.js';
import { BACKUP_INFIX } from '../../src/plan/decide.js';
import { makePlan } from '../../src/plan/planner.js';
import type { EntryObservation, TreeComparison, TreeMeasure } from '../../src/state/types.js';
import { POSIX_STYLE, WIN_STYLE, codes, comparison, context, entry, obs, pair, planOne, tree, vol } from '../helpers/plan-fixtures.js';
import { flat } from '../helpers/flat-entry.js';
import { moveOf } from '../../src/plan/actions.js';

interface Flavour {
  os: OsName;
  style: PathStyle;
  link: string;
  target: string;
}
const WIN: Flavour = { os: 'win32', style: WIN_STYLE, link: 'C:\\Games', target: 'D:\\Games' };
const POSIX: Flavour = { os: 'linux', style: POSIX_STYLE, link: '/home/u/games', target: '/mnt/big/games' };

type Shape = 'dir/dir' | 'dir/file' | 'file/dir' | 'file/file';

interface Collision {
  name: string;
  shape: Shape;
  cmp: TreeComparison;
  linkTree: TreeMeasure;
  /** Expected action per strategy: fail, backup, merge. */
  fail: string;
  backup: string;
  merge: string;
}

const COLLISIONS: Collision[] = [
  {
    name: 'two folders, no name collides',
    shape: 'dir/dir',
    cmp: comparison({ onlyAtLink: ['save1.dat', 'mods/a.pak'], onlyAtTarget: ['save2.dat'] }),
    linkTree: tree(4000, 2, { dirs: 1 }),
    fail: 'conflict',
    backup: 'backup',
    merge: 'merge',
  },
  {
    name: 'two folders sharing identical files (taken once)',
    shape: 'dir/dir',
    cmp: comparison({ onlyAtLink: ['new.dat'], identical: ['common.dat', 'readme.txt'] }),
    linkTree: tree(9000, 3),
    fail: 'conflict',
    backup: 'backup',
    merge: 'merge',
  },
  {
    name: 'two folders with a differing collision',
    shape: 'dir/dir',
    cmp: comparison({ onlyAtLink: ['new.dat'], differ: ['config.ini'], identical: ['common.dat'] }),
    linkTree: tree(9000, 3),
    fail: 'conflict',
    backup: 'backup',
    merge: 'conflict',
  },
  {
    name: 'two folders whose comparison was cut short',
    shape: 'dir/dir',
    cmp: comparison({ onlyAtLink: ['a', 'b'], truncated: true }),
    linkTree: tree(9000, 3),
    fail: 'conflict',
    backup: 'backup',
    merge: 'conflict',
  },
  {
    name: 'a folder at the link, a file at the target (a backup would leave a folder path linked to a file)',
    shape: 'dir/file',
    cmp: comparison({ onlyAtLink: ['a'] }),
    linkTree: tree(4000, 2),
    fail: 'conflict',
    backup: 'conflict',
    merge: 'conflict',
  },
  {
    name: 'a file at the link, a folder at the target (a backup would leave a file path linked to a folder)',
    shape: 'file/dir',
    cmp: comparison({ onlyAtTarget: ['a'] }),
    linkTree: tree(100, 1),
    fail: 'conflict',
    backup: 'conflict',
    merge: 'conflict',
  },
  {
    name: 'two differing files',
    shape: 'file/file',
    cmp: comparison({ differ: ['.'] }),
    linkTree: tree(100, 1),
    fail: 'conflict',
    backup: 'backup',
    merge: 'conflict',
  },
  {
    name: 'two identical files (replaced by the link whatever the strategy)',
    shape: 'file/file',
    cmp: comparison({ identical: ['.'] }),
    linkTree: tree(100, 1),
    fail: 'link',
    backup: 'link',
    merge: 'link',
  },
];

const STRATEGIES: ConflictStrategy[] = ['fail', 'backup', 'merge'];

function observe(fl: Flavour, c: Collision): EntryObservation {
  const [l, t] = c.shape.split('/') as ['dir' | 'file', 'dir' | 'file'];
  const L = l === 'dir' ? obs.dir(fl.link, vol('C')) : obs.file(fl.link, vol('C'), '10');
  const T = t === 'dir' ? obs.dir(fl.target, vol('D')) : obs.file(fl.target, vol('D'), '20');
  return pair(fl.style, L, T, { linkTree: c.linkTree, comparison: c.cmp });
}

const CASES = [WIN, POSIX].flatMap((fl) => COLLISIONS.flatMap((c) => STRATEGIES.map((s) => [fl.os, c.name, s, c[s], fl, c] as const)));

describe('conflict strategies over every collision', () => {
  it('has a case per flavour × collision × strategy', () => {
    expect(CASES).toHaveLength(2 * COLLISIONS.length * 3);
  });

  it.each(CASES)('%s: %s, conflict: %s → %s', (_os, _name, strategy, expected, fl, c) => {
    const o = observe(fl, c);
    const p = planOne(entry(fl.style, fl.link, fl.target, { conflict: strategy }), o, context(fl.os));
    expect(p.action).toBe(expected);
    expect(p.conflictStrategy).toBe(strategy);
    expect(flat(p).oldTarget).toBeUndefined();
    expect(flat(p).createsTarget).toBeUndefined();
    switch (expected) {
      case 'conflict':
        expect(moveOf(p)).toBeUndefined();
        expect(flat(p).comparison).toEqual(c.cmp);
        expect(codes(p)).toEqual([]);
        break;
      case 'backup':
        // Moved aside on the link's own volume: one rename, the UTC time chosen at apply.
        expect(moveOf(p)).toEqual({
          from: fl.link,
          to: `${fl.link}${BACKUP_INFIX}<UTC time>`,
          crossVolume: false,
          bytes: c.linkTree.bytes,
          files: c.linkTree.files,
        });
        expect(p.reason).toContain(BACKUP_INFIX);
        expect(codes(p)).toEqual([]);
        break;
      case 'merge':
        expect(moveOf(p)).toEqual({ from: fl.link, to: fl.target, crossVolume: true, bytes: c.linkTree.bytes, files: c.linkTree.files });
        expect(flat(p).comparison).toEqual(c.cmp);
        expect(p.reason).toContain(`${c.cmp.identical.length} identical file(s) are taken once`);
        expect(codes(p)).toEqual([]);
        break;
      case 'link':
        expect(flat(p).replacesIdentical).toBe(true);
        expect(moveOf(p)).toBeUndefined();
        expect(p.type).toBe('symlink');
        break;
    }
    if (expected !== 'link') expect(flat(p).replacesIdentical).toBeUndefined();
  });

  it('merge refusing a differing collision names how many files differ', () => {
    const c = COLLISIONS[2]!;
    const p = planOne(entry(WIN.style, WIN.link, WIN.target, { conflict: 'merge' }), observe(WIN, c), context('win32'));
    expect(p.reason).toContain('1 file(s) differ');
  });

  it('merge refusing a cut-short comparison says so rather than "0 files differ"', () => {
    const c = COLLISIONS[3]!;
    const p = planOne(entry(WIN.style, WIN.link, WIN.target, { conflict: 'merge' }), observe(WIN, c), context('win32'));
    expect(p.action).toBe('conflict');
    expect(p.reason).not.toContain('0 file(s) differ');
    expect(p.reason).toMatch(/cut short|too many/);
  });

  it('merge of two folders never compared is a conflict, not a blind merge', () => {
    const o = pair(WIN.style, obs.dir(WIN.link, vol('C')), obs.dir(WIN.target, vol('D')), { linkTree: tree(10, 1) });
    const p = planOne(entry(WIN.style, WIN.link, WIN.target, { conflict: 'merge' }), o, context('win32'));
    expect(p.action).toBe('conflict');
    expect(p.reason).not.toContain('0 file(s) differ');
  });

  it('merge on one volume is not a cross-volume move', () => {
    const c = COLLISIONS[0]!;
    const o = pair(WIN.style, obs.dir(WIN.link, vol('C')), obs.dir('C:\\Store\\Games', vol('C')), { linkTree: c.linkTree, comparison: c.cmp });
    const p = planOne(entry(WIN.style, WIN.link, 'C:\\Store\\Games', { conflict: 'merge' }), o, context('win32'));
    expect(p.action).toBe('merge');
    expect(moveOf(p)?.crossVolume).toBe(false);
  });

  it('identical single files on Windows without symlink permission on one volume become a hard link', () => {
    const o = pair(WIN.style, obs.file('C:\\a.cfg', vol('C'), '1'), obs.file('C:\\Store\\a.cfg', vol('C'), '2'), {
      comparison: comparison({ identical: ['.'] }),
    });
    const p = planOne(
      entry(WIN.style, 'C:\\a.cfg', 'C:\\Store\\a.cfg'),
      o,
      context('win32', { capabilities: { symlinks: false, junctions: true, hardlinks: true } }),
    );
    expect(p.action).toBe('link');
    expect(p.type).toBe('hardlink');
    expect(flat(p).replacesIdentical).toBe(true);
    expect(codes(p)).toEqual([]);
  });

  it('backups are not counted as bytes to move, merges and moves are', () => {
    const d = COLLISIONS[0]!;
    const es = [
      entry(WIN.style, 'C:\\A', 'D:\\A', { index: 0, conflict: 'backup' }),
      entry(WIN.style, 'C:\\B', 'D:\\B', { index: 1, conflict: 'merge' }),
      entry(WIN.style, 'C:\\C', 'D:\\C', { index: 2 }),
    ];
    const os = [
      pair(WIN.style, obs.dir('C:\\A', vol('C')), obs.dir('D:\\A', vol('D')), { linkTree: tree(1000, 1), comparison: d.cmp }),
      pair(WIN.style, obs.dir('C:\\B', vol('C')), obs.dir('D:\\B', vol('D')), { linkTree: tree(2000, 1), comparison: d.cmp }),
      pair(WIN.style, obs.dir('C:\\C', vol('C')), obs.absent('D:\\C', vol('D')), { linkTree: tree(30, 1) }),
    ];
    const plan = makePlan(es, os, context('win32'));
    expect(plan.entries.map((p) => p.action)).toEqual(['backup', 'merge', 'move']);
    expect(plan.summary.bytesToMove).toBe(2030);
    expect(plan.summary.bytesAcrossVolumes).toBe(2030);
    expect(plan.blocked).toBe(false);
  });
});

describe('refused whatever the strategy (no backup or merge hint)', () => {
  it.each([WIN, POSIX])('$os: a target that is a link back to the link path is "applied the other way round"', (fl) => {
    for (const conflict of STRATEGIES) {
      const o = pair(fl.style, obs.dir(fl.link, vol('C')), obs.symlink(fl.target, fl.link, 'dir', vol('D')), { linkTree: tree(10, 1) });
      const p = planOne(entry(fl.style, fl.link, fl.target, { conflict }), o, context(fl.os));
      expect(p.action).toBe('conflict');
      expect(p.reason).toContain('this was applied the other way round');
      expect(p.reason).toContain('`state: absent` on the old manifest');
      expect(p.reason).not.toMatch(/conflict: (backup|merge)/);
    }
  });

  it.each([WIN, POSIX])('$os: link and target that are one folder by identity (same volume and inode) are refused, even with merge', (fl) => {
    for (const conflict of STRATEGIES) {
      const o = pair(fl.style, obs.dir(fl.link, vol('C'), { ino: '42' }), obs.dir(fl.target, vol('C'), { ino: '42' }), {
        linkTree: tree(10, 1),
        comparison: comparison({ identical: ['a'] }),
      });
      const p = planOne(entry(fl.style, fl.link, fl.target, { conflict }), o, context(fl.os));
      expect(p.action).toBe('conflict');
      expect(p.reason).toContain('are the same folder (same volume and inode)');
    }
    // The same inode number on two volumes is two folders.
    const two = pair(fl.style, obs.dir(fl.link, vol('C'), { ino: '42' }), obs.dir(fl.target, vol('D'), { ino: '42' }), {
      linkTree: tree(10, 1),
      comparison: comparison({ onlyAtLink: ['a'] }),
    });
    expect(planOne(entry(fl.style, fl.link, fl.target, { conflict: 'merge' }), two, context(fl.os)).action).toBe('merge');
  });

  it.each([WIN, POSIX])('$os: a backup that would link a folder path to a file (through a link at the target too) is refused', (fl) => {
    const o = pair(fl.style, obs.dir(fl.link, vol('C')), obs.symlink(fl.target, '/elsewhere/file.txt', 'file', vol('D')), { linkTree: tree(10, 1) });
    const p = planOne(entry(fl.style, fl.link, fl.target, { conflict: 'backup' }), o, context(fl.os));
    expect(p.action).toBe('conflict');
    expect(p.reason).toContain('the folder path would be a link to a file');
  });
});
