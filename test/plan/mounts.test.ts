/**
 * Issue 13 §3 in the pure planner: nothing crosses a device boundary. From
 * plain observation facts (a volume that is a pseudo file system, a path
 * that is a mount point, mounts below a path or met by the walk) the plan
 * refuses with E_PSEUDO_FS, E_MOUNT_POINT and E_MOUNT_INSIDE — and only
 * where data would move, so links to a mount point or entries already in
 * sync are left alone.
 */
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/plan/fingerprint.js';
import { makePlan } from '../../src/plan/planner.js';
import { observationNeeds } from '../../src/state/needs.js';
import { POSIX_STYLE, codes, comparison, context, entry, obs, pair, planOne, tree, vol } from '../helpers/plan-fixtures.js';
import { moveOf } from '../../src/plan/actions.js';

const ctx = context('linux');
const proc = vol('proc', { fsType: 'proc', pseudo: true });
const ssd = { path: '/home/u/Games/ssd', fsType: 'ext4', source: '/dev/sdb1' };

describe('E_PSEUDO_FS: kernel pseudo file systems', () => {
  it('a link path on proc is refused, and observation walks nothing there', () => {
    const e = entry(POSIX_STYLE, '/proc/sys/vm', '/mnt/big/vm');
    const link = obs.dir('/proc/sys/vm', proc);
    const target = obs.absent('/mnt/big/vm', vol('big'));
    expect(observationNeeds(e, link, target)).toEqual({ measureLink: false, measureTarget: false, compare: false, oldTarget: false });
    const p = planOne(e, pair(POSIX_STYLE, link, target), ctx);
    expect(codes(p)).toEqual(['E_PSEUDO_FS']);
    expect(p.findings[0]).toMatchObject({ severity: 'error', path: '/proc/sys/vm' });
    expect(p.findings[0]!.message).toMatch(/proc, a kernel pseudo file system/);
  });

  it('a target on sysfs is refused too, for a link to create', () => {
    const p = planOne(
      entry(POSIX_STYLE, '/home/u/k', '/sys/kernel'),
      pair(POSIX_STYLE, obs.absent('/home/u/k', vol('root')), obs.dir('/sys/kernel', vol('sys', { fsType: 'sysfs', pseudo: true }))),
      ctx,
    );
    expect(p.action).toBe('link');
    expect(codes(p)).toEqual(['E_PSEUDO_FS']);
  });

  it('an entry already in sync that points into /proc is not refused (nothing would change)', () => {
    const p = planOne(
      entry(POSIX_STYLE, '/home/u/self', '/proc/self'),
      pair(POSIX_STYLE, obs.symlink('/home/u/self', '/proc/self', 'dir', vol('root')), obs.symlink('/proc/self', '/proc/1', 'dir', proc)),
      ctx,
    );
    expect(p.action).toBe('none');
    expect(codes(p)).toEqual([]);
  });
});

describe('E_MOUNT_POINT: the path whose data would move is a mount point', () => {
  it('a link path that is a mount point: its own code, with the file system named and no "close the program"', () => {
    const link = obs.dir('/home/u/Games', vol('sdb'), { mountPoint: { path: '/home/u/Games', fsType: 'ext4', source: '/dev/loop0' } });
    const p = planOne(entry(POSIX_STYLE, '/home/u/Games', '/mnt/big/Games'), pair(POSIX_STYLE, link, obs.absent('/mnt/big/Games', vol('big'))), ctx);
    expect(p.action).toBe('move');
    expect(codes(p)).toEqual(['E_MOUNT_POINT']);
    expect(p.findings[0]!.message).toBe(
      '/home/u/Games is a mount point (ext4 on /dev/loop0); relocate moves folders, not mounts: it cannot be moved or replaced by a link while a volume is mounted there',
    );
    expect(p.findings[0]!.hint).not.toMatch(/close/);
  });

  it('a link path that is a mount point, with `conflict: backup`: refused (the backup is a rename of the mount)', () => {
    const link = obs.dir('/home/u/Games', vol('sdb'), { mountPoint: { path: '/home/u/Games' } });
    const p = planOne(
      entry(POSIX_STYLE, '/home/u/Games', '/mnt/big/Games', { conflict: 'backup' }),
      pair(POSIX_STYLE, link, obs.dir('/mnt/big/Games', vol('big')), { comparison: comparison({ onlyAtLink: ['a'] }) }),
      ctx,
    );
    expect(p.action).toBe('backup');
    expect(codes(p)).toEqual(['E_MOUNT_POINT']);
    expect(p.findings[0]!.message).toMatch(/^\/home\/u\/Games is a mount point; /);
  });

  it('state: absent, the target a mount point: refused (the data would move out of the mount)', () => {
    const target = obs.dir('/mnt/big/Games', vol('big'), { mountPoint: { path: '/mnt/big/Games', fsType: 'xfs', source: '/dev/sdc' } });
    const p = planOne(
      entry(POSIX_STYLE, '/home/u/Games', '/mnt/big/Games', { state: 'absent' }),
      pair(POSIX_STYLE, obs.symlink('/home/u/Games', '/mnt/big/Games', 'dir', vol('root')), target, { targetTree: tree(5, 1) }),
      ctx,
    );
    expect(p.action).toBe('restore');
    expect(codes(p)).toEqual(['E_MOUNT_POINT']);
  });

  it('a link to a target that is a mount point is fine: nothing moves', () => {
    const target = obs.dir('/mnt/data', vol('data'), { mountPoint: { path: '/mnt/data', fsType: 'ext4', source: '/dev/sdb1' } });
    const p = planOne(entry(POSIX_STYLE, '/home/u/data', '/mnt/data'), pair(POSIX_STYLE, obs.absent('/home/u/data', vol('root')), target), ctx);
    expect(p.action).toBe('link');
    expect(codes(p)).toEqual([]);
  });
});

describe('E_MOUNT_INSIDE: a mount inside a tree that would move', () => {
  const move = (extra: Parameters<typeof pair>[3], linkExtra = {}) =>
    planOne(
      entry(POSIX_STYLE, '/home/u/Games', '/mnt/big/Games'),
      pair(POSIX_STYLE, obs.dir('/home/u/Games', vol('root'), linkExtra), obs.absent('/mnt/big/Games', vol('big')), extra),
      ctx,
    );

  it('found by the walk (a device change): refused, naming the mount', () => {
    const p = move({ linkTree: tree(10, 2, { mounts: [{ path: '/home/u/Games/ssd' }] }) });
    expect(codes(p)).toEqual(['E_MOUNT_INSIDE']);
    expect(p.findings[0]).toMatchObject({ path: '/home/u/Games/ssd' });
    expect(p.findings[0]!.message).toBe(
      '/home/u/Games/ssd is a volume mounted inside /home/u/Games; relocate never moves across a device boundary, so it will not move a folder with a mount inside',
    );
    expect(p.findings[0]!.hint).toMatch(/umount \/home\/u\/Games\/ssd/);
  });

  it('found in the mount table (a bind mount, or a same-volume rename whose tree apply does not walk): refused, the file system named', () => {
    const p = move({ sizesSkipped: true }, { mountsBelow: [ssd] });
    expect(moveOf(p)?.crossVolume).toBe(true);
    expect(codes(p)).toEqual(['E_MOUNT_INSIDE']);
    expect(p.findings[0]!.message).toMatch(/^\/home\/u\/Games\/ssd \(ext4 on \/dev\/sdb1\) is a volume/);
  });

  it('the same mount from both sources is named once; two mounts are both named', () => {
    const p = move({ linkTree: tree(1, 1, { mounts: [{ path: ssd.path }, { path: '/home/u/Games/b' }] }) }, { mountsBelow: [ssd] });
    expect(codes(p)).toEqual(['E_MOUNT_INSIDE']);
    expect(p.findings[0]!.message).toMatch(/^\/home\/u\/Games\/b, \/home\/u\/Games\/ssd \(ext4 on \/dev\/sdb1\) are volumes mounted inside/);
  });

  it('a merge refuses a mount inside the target it moves into; a restore one inside the target it moves out of', () => {
    const merge = planOne(
      entry(POSIX_STYLE, '/home/u/Games', '/mnt/big/Games', { conflict: 'merge' }),
      pair(
        POSIX_STYLE,
        obs.dir('/home/u/Games', vol('root')),
        obs.dir('/mnt/big/Games', vol('big'), { mountsBelow: [{ path: '/mnt/big/Games/x', fsType: 'tmpfs', source: 'tmpfs' }] }),
        { linkTree: tree(1, 1), comparison: comparison({ onlyAtLink: ['a'] }) },
      ),
      ctx,
    );
    expect(merge.action).toBe('merge');
    expect(codes(merge)).toEqual(['E_MOUNT_INSIDE']);
    expect(merge.findings[0]!.message).toMatch(/mounted inside \/mnt\/big\/Games;/);
    const restore = planOne(
      entry(POSIX_STYLE, '/home/u/Games', '/mnt/big/Games', { state: 'absent' }),
      pair(POSIX_STYLE, obs.absent('/home/u/Games', vol('root')), obs.dir('/mnt/big/Games', vol('big')), {
        targetTree: tree(1, 1, { mounts: [{ path: '/mnt/big/Games/x' }] }),
      }),
      ctx,
    );
    expect(restore.action).toBe('restore');
    expect(codes(restore)).toEqual(['E_MOUNT_INSIDE']);
  });

  it('a volume mounted inside since the plan was made changes the fingerprint (a saved plan goes stale)', () => {
    const o = pair(POSIX_STYLE, obs.dir('/home/u/Games', vol('root')), obs.absent('/mnt/big/Games', vol('big')), { sizesSkipped: true });
    const mounted = pair(POSIX_STYLE, obs.dir('/home/u/Games', vol('root'), { mountsBelow: [ssd] }), obs.absent('/mnt/big/Games', vol('big')), {
      sizesSkipped: true,
    });
    const pointed = pair(
      POSIX_STYLE,
      obs.dir('/home/u/Games', vol('root'), { mountPoint: { path: '/home/u/Games' } }),
      obs.absent('/mnt/big/Games', vol('big')),
      { sizesSkipped: true },
    );
    expect(new Set([fingerprint([o]), fingerprint([mounted]), fingerprint([pointed])]).size).toBe(3);
    const plan = makePlan([entry(POSIX_STYLE, '/home/u/Games', '/mnt/big/Games')], [mounted], ctx);
    expect(plan.blocked).toBe(true);
  });
});
