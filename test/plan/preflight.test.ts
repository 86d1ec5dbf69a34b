/**
 * DESIGN.md "Checks before the first change": each check is part of the
 * plan, so `plan` shows it and `apply` refuses while any error remains.
 */
import { describe, expect, it } from 'vitest';
import type { OsName } from '../../src/core/paths.js';
import { makePlan } from '../../src/plan/planner.js';
import type { EntryObservation } from '../../src/state/types.js';
import { POSIX_STYLE, WIN_STYLE, codes, comparison, context, entry, obs, pair, planOne, tree, vol } from '../helpers/plan-fixtures.js';
import { flat } from '../helpers/flat-entry.js';
import { moveOf } from '../../src/plan/actions.js';

const styleOf = (os: OsName) => (os === 'win32' ? WIN_STYLE : POSIX_STYLE);

describe('hard link rules (mklink /H)', () => {
  it('E_HARDLINK_DIR: a hard link to a folder', () => {
    const o = pair(WIN_STYLE, obs.dir('C:\\Games', vol('C')), obs.absent('C:\\Store\\Games', vol('C')), { linkTree: tree(10, 1) });
    const p = planOne(entry(WIN_STYLE, 'C:\\Games', 'C:\\Store\\Games', { type: 'hardlink' }), o, context('win32'));
    expect(p.action).toBe('move');
    expect(codes(p)).toEqual(['E_HARDLINK_DIR']);
    const f = p.findings[0]!;
    expect(f.severity).toBe('error');
    expect(f.message).toMatch(/mklink \/H/);
    expect(f.hint).toMatch(/junction|symlink/);
  });

  it('E_CROSS_VOLUME: a hard link across volumes', () => {
    const o = pair(WIN_STYLE, obs.file('C:\\a.iso', vol('C'), '1'), obs.absent('D:\\a.iso', vol('D')), { linkTree: tree(10, 1) });
    const p = planOne(entry(WIN_STYLE, 'C:\\a.iso', 'D:\\a.iso', { type: 'hardlink' }), o, context('win32'));
    expect(p.type).toBe('hardlink');
    expect(p.action).toBe('move');
    expect(moveOf(p)?.crossVolume).toBe(true);
    expect(codes(p)).toEqual(['E_CROSS_VOLUME']);
    expect(p.findings[0]!.message).toMatch(/different volumes/);
  });

  it('E_CROSS_VOLUME on linux too', () => {
    const o = pair(POSIX_STYLE, obs.absent('/home/u/a', vol('root')), obs.file('/mnt/big/a', vol('big'), '1'));
    const p = planOne(entry(POSIX_STYLE, '/home/u/a', '/mnt/big/a', { type: 'hardlink' }), o, context('linux'));
    expect(codes(p)).toEqual(['E_CROSS_VOLUME']);
  });

  it('a hard link re-pointed at a target that does not exist is refused (there is no file to link to)', () => {
    const o = pair(POSIX_STYLE, obs.symlink('/home/u/a.cfg', '/home/u/old/a.cfg', 'file', vol('root')), obs.absent('/home/u/store/a.cfg', vol('root')));
    const p = planOne(entry(POSIX_STYLE, '/home/u/a.cfg', '/home/u/store/a.cfg', { type: 'hardlink' }), o, context('linux'));
    expect(p.action).toBe('relink');
    expect(flat(p).createsTarget).toBeUndefined();
    expect(codes(p)).toEqual(['E_HARDLINK_DIR']);
    expect(p.findings[0]!.message).toMatch(/does not exist/);
  });

  it('a hard-linked file moved to a missing target on one volume is fine (the moved file is the target)', () => {
    const o = pair(POSIX_STYLE, obs.file('/home/u/a.cfg', vol('root'), '1'), obs.absent('/home/u/store/a.cfg', vol('root')), { linkTree: tree(10, 1) });
    const p = planOne(entry(POSIX_STYLE, '/home/u/a.cfg', '/home/u/store/a.cfg', { type: 'hardlink' }), o, context('linux'));
    expect(p.action).toBe('move');
    expect(codes(p)).toEqual([]);
  });
});

describe('junction rules (local volumes with reparse points)', () => {
  const move = (tv = vol('D'), lv = vol('C')): EntryObservation =>
    pair(WIN_STYLE, obs.dir('C:\\Games', lv), obs.absent('Z:\\Games', tv), { linkTree: tree(10, 1) });

  it('E_JUNCTION_REMOTE: a junction to a network share (and the slow copy is warned about)', () => {
    const p = planOne(entry(WIN_STYLE, 'C:\\Games', 'Z:\\Games', { type: 'junction' }), move(vol('Z', { remote: true, fsType: 'smb' })), context('win32'));
    expect(codes(p)).toEqual(['E_JUNCTION_REMOTE', 'W_NETWORK']);
    expect(p.findings.find((f) => f.code === 'E_JUNCTION_REMOTE')!.hint).toMatch(/symlink/);
  });

  it('a symlink to a network share is allowed, with the network warning only', () => {
    const p = planOne(entry(WIN_STYLE, 'C:\\Games', 'Z:\\Games', { type: 'symlink' }), move(vol('Z', { remote: true })), context('win32'));
    expect(codes(p)).toEqual(['W_NETWORK']);
  });

  it('E_JUNCTION_FS: a fat32 volume cannot hold junctions', () => {
    const p = planOne(entry(WIN_STYLE, 'C:\\Games', 'Z:\\Games'), move(vol('Z', { fsType: 'fat32', supportsReparsePoints: false })), context('win32'));
    expect(p.type).toBe('junction');
    expect(codes(p)).toEqual(['E_JUNCTION_FS']);
    expect(p.findings[0]!.path).toBe('Z:\\Games');
    expect(p.findings[0]!.message).toMatch(/fat32/);
  });

  it('E_JUNCTION_FS on the link side too', () => {
    const p = planOne(
      entry(WIN_STYLE, 'C:\\Games', 'Z:\\Games'),
      move(vol('D'), vol('C', { fsType: 'exfat', supportsReparsePoints: false })),
      context('win32'),
    );
    expect(codes(p)).toEqual(['E_JUNCTION_FS']);
    expect(p.findings[0]!.path).toBe('C:\\Games');
  });
});

describe('files in use (Windows: observed through the Restart Manager)', () => {
  const held = [
    { file: 'C:\\Games\\x.exe', process: 'Steam.exe', pid: 4242 },
    { file: 'C:\\Games\\data\\save.dat', process: 'Game.exe', pid: 77 },
  ];

  it('E_IN_USE names each file, the program and its pid', () => {
    const o = pair(WIN_STYLE, obs.dir('C:\\Games', vol('C')), obs.absent('D:\\Games', vol('D')), { linkTree: tree(10, 1), inUse: held });
    const p = planOne(entry(WIN_STYLE, 'C:\\Games', 'D:\\Games'), o, context('win32'));
    expect(p.action).toBe('move');
    expect(codes(p)).toEqual(['E_IN_USE', 'E_IN_USE']);
    expect(p.findings.map((f) => f.message)).toEqual([
      'C:\\Games\\x.exe is used by Steam.exe (pid 4242)',
      'C:\\Games\\data\\save.dat is used by Game.exe (pid 77)',
    ]);
    expect(p.findings[0]!.path).toBe('C:\\Games\\x.exe');
    expect(p.findings[0]!.hint).toMatch(/close Steam\.exe/);
  });

  it('a restore (state: absent) whose data is in use at the target is refused too', () => {
    const o = pair(WIN_STYLE, obs.absent('C:\\Games', vol('C')), obs.dir('D:\\Games', vol('D')), { targetTree: tree(10, 1), inUse: held.slice(0, 1) });
    const p = planOne(entry(WIN_STYLE, 'C:\\Games', 'D:\\Games', { state: 'absent' }), o, context('win32'));
    expect(p.action).toBe('restore');
    expect(codes(p)).toEqual(['E_IN_USE']);
  });

  it('files in use do not matter when nothing moves (a link is only created)', () => {
    const o = pair(WIN_STYLE, obs.absent('C:\\Games', vol('C')), obs.dir('D:\\Games', vol('D')), { inUse: held });
    const p = planOne(entry(WIN_STYLE, 'C:\\Games', 'D:\\Games'), o, context('win32'));
    expect(p.action).toBe('link');
    expect(codes(p)).toEqual([]);
  });
});

describe('files in use on Linux and macOS (issue 13 §4: /proc, libproc or lsof)', () => {
  const moving = () => pair(POSIX_STYLE, obs.dir('/home/u/logs', vol('root')), obs.absent('/mnt/big/logs', vol('big')), { linkTree: tree(10, 1) });

  it('E_IN_USE says how each program holds the path: an open file, a memory map, its working folder, its root', () => {
    const o = {
      ...moving(),
      inUse: [
        { file: '/home/u/logs/app.log', process: 'logger', pid: 10, how: 'open' as const },
        { file: '/home/u/logs/db-shm', process: 'sqlite3', pid: 11, how: 'map' as const },
        { file: '/home/u/logs/sub', process: 'bash', pid: 12, how: 'cwd' as const },
        { file: '/home/u/logs', process: 'jail', pid: 13, how: 'root' as const },
      ],
    };
    const p = planOne(entry(POSIX_STYLE, '/home/u/logs', '/mnt/big/logs'), o, context('linux'));
    expect(codes(p)).toEqual(['E_IN_USE', 'E_IN_USE', 'E_IN_USE', 'E_IN_USE']);
    expect(p.findings.map((f) => f.message)).toEqual([
      '/home/u/logs/app.log is used by logger (pid 10)',
      '/home/u/logs/db-shm is used by sqlite3 (pid 11) through a memory map',
      '/home/u/logs/sub is used by bash (pid 12) as its working folder',
      '/home/u/logs is used by jail (pid 13) as its root folder',
    ]);
    expect(p.findings[2]!.hint).toMatch(/cd/);
  });

  it('W_IN_USE_UNKNOWN: processes that could not be inspected are a warning with their count and pids, never silently dropped; the plan is not blocked', () => {
    const unknown = Array.from({ length: 11 }, (_, i) => ({ pid: 100 + i, process: i === 0 ? 'postgres' : '?' }));
    const o = { ...moving(), inUseUnknown: unknown };
    const plan = makePlan([entry(POSIX_STYLE, '/home/u/logs', '/mnt/big/logs')], [o], context('linux'));
    const p = plan.entries[0]!;
    expect(codes(p)).toEqual(['W_IN_USE_UNKNOWN']);
    const f = p.findings[0]!;
    expect(f.severity).toBe('warning');
    expect(f.message).toMatch(
      /^11 process\(es\) of other users could not be inspected \(pid 100 postgres, 101 \?, .*107 \?, and 3 more\): relocate cannot tell whether they use \/home\/u\/logs$/,
    );
    expect(f.hint).toMatch(/root/);
    expect(plan.blocked).toBe(false);
  });

  it('neither is reported when nothing moves', () => {
    const o = pair(POSIX_STYLE, obs.absent('/home/u/logs', vol('root')), obs.dir('/mnt/big/logs', vol('big')), {
      inUse: [{ file: '/mnt/big/logs/a', process: 'x', pid: 1, how: 'open' }],
      inUseUnknown: [{ pid: 2, process: 'y' }],
    });
    expect(codes(planOne(entry(POSIX_STYLE, '/home/u/logs', '/mnt/big/logs'), o, context('linux')))).toEqual([]);
  });
});

describe('read-only destinations', () => {
  it('E_READ_ONLY: moving data onto a read-only volume', () => {
    const o = pair(POSIX_STYLE, obs.dir('/home/u/games', vol('root')), obs.absent('/mnt/ro/games', vol('ro', { readOnly: true })), { linkTree: tree(10, 1) });
    const p = planOne(entry(POSIX_STYLE, '/home/u/games', '/mnt/ro/games'), o, context('linux'));
    expect(codes(p)).toEqual(['E_READ_ONLY']);
    expect(p.findings[0]!.path).toBe('/mnt/ro/games');
  });

  it('E_READ_ONLY: the link path itself on a read-only volume', () => {
    const o = pair(WIN_STYLE, obs.absent('C:\\Games', vol('C', { readOnly: true })), obs.dir('D:\\Games', vol('D')));
    expect(codes(planOne(entry(WIN_STYLE, 'C:\\Games', 'D:\\Games'), o, context('win32')))).toEqual(['E_READ_ONLY']);
  });

  it('linking to existing data on a read-only volume is fine (nothing is written there)', () => {
    const o = pair(POSIX_STYLE, obs.absent('/home/u/iso', vol('root')), obs.dir('/mnt/ro/iso', vol('ro', { readOnly: true })));
    const p = planOne(entry(POSIX_STYLE, '/home/u/iso', '/mnt/ro/iso'), o, context('linux'));
    expect(p.action).toBe('link');
    expect(codes(p)).toEqual([]);
  });

  it('a backup writes only beside the link: a read-only target is fine', () => {
    const o = pair(POSIX_STYLE, obs.dir('/home/u/iso', vol('root')), obs.dir('/mnt/ro/iso', vol('ro', { readOnly: true })), {
      linkTree: tree(10, 1),
      comparison: comparison({ differ: ['x'] }),
    });
    const p = planOne(entry(POSIX_STYLE, '/home/u/iso', '/mnt/ro/iso', { conflict: 'backup' }), o, context('linux'));
    expect(p.action).toBe('backup');
    expect(codes(p)).toEqual([]);
  });

  it('a relink that creates its missing target folder on a read-only volume is refused', () => {
    const o = pair(POSIX_STYLE, obs.symlink('/home/u/iso', '/mnt/old/iso', 'dir', vol('root')), obs.absent('/mnt/ro/iso', vol('ro', { readOnly: true })));
    const p = planOne(entry(POSIX_STYLE, '/home/u/iso', '/mnt/ro/iso'), o, context('linux'));
    expect(p.action).toBe('relink');
    expect(flat(p).createsTarget).toBe(true);
    expect(codes(p)).toEqual(['E_READ_ONLY']);
  });
});

describe('protected system folders (E_PROTECTED), lifted by force: true', () => {
  // The state folder lives elsewhere here, so only the named rule applies.
  const ctxFor = (os: OsName) => context(os, { stateDir: os === 'win32' ? 'E:\\relocate-state' : '/srv/relocate-state' });

  const CASES: [OsName, string, string, string, 'link' | 'target'][] = [
    ['win32', 'the Windows folder', 'C:\\Windows', 'D:\\Moved\\Windows', 'link'],
    ['win32', 'the Windows folder, spelled in capitals', 'C:\\WINDOWS', 'D:\\Moved\\Windows', 'link'],
    ['win32', 'inside the Windows folder', 'C:\\Windows\\Temp', 'D:\\Temp', 'link'],
    ['win32', 'the Program Files root', 'C:\\Program Files', 'D:\\Moved\\Program Files', 'link'],
    ['win32', 'the Program Files (x86) root', 'C:\\Program Files (x86)', 'D:\\Moved\\Program Files (x86)', 'link'],
    ['win32', 'the root of C:', 'C:\\', 'D:\\CDrive', 'link'],
    ['win32', 'the home folder', 'C:\\Users\\u', 'D:\\Moved\\u', 'link'],
    ['win32', 'the Windows folder as a target', 'D:\\Sys', 'C:\\Windows', 'target'],
    ['linux', 'the root /', '/', '/mnt/big/root', 'link'],
    ['linux', '/usr', '/usr', '/mnt/big/usr', 'link'],
    ['linux', '/etc', '/etc', '/mnt/big/etc', 'link'],
    ['linux', 'the home folder', '/home/u', '/mnt/big/u', 'link'],
    ['linux', 'the root as a target', '/home/u/x', '/', 'target'],
  ];

  function observe(os: OsName, link: string, target: string, side: 'link' | 'target'): EntryObservation {
    const style = styleOf(os);
    return side === 'link'
      ? pair(style, obs.dir(link, vol('A')), obs.absent(target, vol('B')), { linkTree: tree(10, 1) })
      : pair(style, obs.absent(link, vol('A')), obs.dir(target, vol('B')));
  }

  // On linux the root always holds the state folder, so force cannot lift it (tested below).
  const LIFTABLE = CASES.filter(([os, , link, target]) => !(os === 'linux' && (link === '/' || target === '/')));

  it.each(CASES)('%s: %s (%s → %s) is refused', (os, _what, link, target, side) => {
    const p = planOne(entry(styleOf(os), link, target), observe(os, link, target, side), ctxFor(os));
    expect(p.action).toBe(side === 'link' ? 'move' : 'link');
    expect(codes(p)).toEqual(['E_PROTECTED']);
    expect(p.findings[0]!.path).toBe(side === 'link' ? link : target);
    if (LIFTABLE.some((c) => c[2] === link && c[3] === target)) expect(p.findings[0]!.hint).toMatch(/force: true/);
  });

  it.each(LIFTABLE)('%s: %s (%s → %s) with force: true is allowed', (os, _what, link, target, side) => {
    const p = planOne(entry(styleOf(os), link, target, { force: true }), observe(os, link, target, side), ctxFor(os));
    expect(codes(p)).toEqual([]);
  });

  it('linux: the root / with force: true is allowed only when no state folder lies below it', () => {
    const e = entry(POSIX_STYLE, '/', '/mnt/big/root', { force: true });
    const o = observe('linux', '/', '/mnt/big/root', 'link');
    expect(codes(planOne(e, o, context('linux', { stateDir: undefined })))).toEqual([]);
    const held = planOne(e, o, ctxFor('linux'));
    expect(codes(held)).toEqual(['E_PROTECTED']);
    expect(held.findings[0]!.message).toMatch(/state folder/);
  });

  it.each([
    ['win32', 'C:\\Program Files\\Steam', 'D:\\Steam'],
    ['win32', 'C:\\Users\\u\\Documents', 'D:\\Documents'],
    ['linux', '/usr/local/games', '/mnt/big/games'],
    ['linux', '/home/u/.cache', '/mnt/big/cache'],
  ] as [OsName, string, string][])('%s: %s (below a protected folder, not it) is not protected', (os, link, target) => {
    const p = planOne(entry(styleOf(os), link, target), observe(os, link, target, 'link'), ctxFor(os));
    expect(codes(p)).toEqual([]);
  });

  const STATE: [OsName, string, string][] = [
    ['win32', 'C:\\Users\\u\\AppData\\Local\\relocate', 'D:\\relocate'],
    ['win32', 'C:\\Users\\u\\AppData\\Local\\relocate\\runs', 'D:\\runs'],
    ['win32', 'C:\\Users\\u\\AppData\\Local', 'D:\\Local'],
    ['linux', '/home/u/.local/state/relocate', '/mnt/big/relocate'],
    ['linux', '/home/u/.local/state', '/mnt/big/state'],
    // The home folder holds the state folder: force cannot lift that.
    ['linux', '/home/u', '/mnt/big/u'],
  ];

  it.each(STATE)("%s: relocate's own state folder (%s, exactly, inside or containing) is refused even with force: true", (os, link, target) => {
    for (const force of [false, true]) {
      const p = planOne(entry(styleOf(os), link, target, { force }), observe(os, link, target, 'link'), context(os));
      expect(codes(p)).toEqual(['E_PROTECTED']);
      expect(p.findings[0]!.message).toMatch(/state folder/);
      expect(p.findings[0]!.hint).not.toMatch(/force/);
    }
  });

  it.each([
    ['win32', 'C:\\Program Files', 'D:\\Program Files'],
    ['win32', 'C:\\Users\\u\\AppData\\Local\\relocate', 'D:\\relocate'],
    ['linux', '/usr', '/mnt/big/usr'],
  ] as [OsName, string, string][])('%s: an in-sync entry (%s) is never refused, even when protected', (os, link, target) => {
    const style = styleOf(os);
    const L = os === 'win32' ? obs.junction(link, target, 'dir', vol('A')) : obs.symlink(link, target, 'dir', vol('A'));
    const p = planOne(entry(style, link, target), pair(style, L, obs.dir(target, vol('B'))), context(os));
    expect(p.action).toBe('none');
    expect(p.findings).toEqual([]);
    expect(makePlan([entry(style, link, target)], [pair(style, L, obs.dir(target, vol('B')))], context(os)).blocked).toBe(false);
  });
});

describe('free space (E_NO_SPACE) adds up cross-volume moves per destination volume', () => {
  const D = vol('D', { freeBytes: 8000 });
  const es = [entry(WIN_STYLE, 'C:\\A', 'D:\\A', { index: 0 }), entry(WIN_STYLE, 'C:\\B', 'D:\\B', { index: 1 })];
  const os = [
    pair(WIN_STYLE, obs.dir('C:\\A', vol('C')), obs.absent('D:\\A', D), { linkTree: tree(5000, 10) }),
    pair(WIN_STYLE, obs.dir('C:\\B', vol('C')), obs.absent('D:\\B', D), { linkTree: tree(5000, 10) }),
  ];

  it('each move alone fits', () => {
    for (const i of [0, 1]) {
      const plan = makePlan([es[i]!], [os[i]!], context('win32'));
      expect(plan.findings).toEqual([]);
      expect(plan.blocked).toBe(false);
    }
  });

  it('together they do not: one plan-level E_NO_SPACE naming both, and the plan is blocked', () => {
    const plan = makePlan(es, os, context('win32'));
    expect(plan.findings.map((f) => f.code)).toEqual(['E_NO_SPACE']);
    expect(plan.findings[0]!.message).toContain('D:\\A');
    expect(plan.findings[0]!.message).toContain('D:\\B');
    expect(plan.entries.every((p) => p.action === 'move')).toBe(true);
    expect(plan.summary.errors).toBe(1);
    expect(plan.summary.bytesAcrossVolumes).toBe(10000);
    expect(plan.blocked).toBe(true);
  });

  it('same-volume moves are renames and need no space', () => {
    const C = vol('C', { freeBytes: 10 });
    const plan = makePlan(
      [entry(WIN_STYLE, 'C:\\A', 'C:\\Store\\A')],
      [pair(WIN_STYLE, obs.dir('C:\\A', C), obs.absent('C:\\Store\\A', C), { linkTree: tree(5000, 10) })],
      context('win32'),
    );
    expect(plan.findings).toEqual([]);
    expect(plan.summary.bytesAcrossVolumes).toBe(0);
    expect(plan.summary.bytesToMove).toBe(5000);
  });

  it('a restore counts against the link volume', () => {
    const C = vol('C', { freeBytes: 100 });
    const plan = makePlan(
      [entry(WIN_STYLE, 'C:\\OldTool', 'E:\\OldTool', { state: 'absent' })],
      [pair(WIN_STYLE, obs.junction('C:\\OldTool', 'E:\\OldTool', 'dir', C), obs.dir('E:\\OldTool', vol('E', { freeBytes: 0 })), { targetTree: tree(500, 2) })],
      context('win32'),
    );
    expect(plan.entries[0]!.action).toBe('restore');
    expect(plan.findings.map((f) => f.code)).toEqual(['E_NO_SPACE']);
    expect(plan.findings[0]!.path).toBe('C:\\OldTool');
  });
});
