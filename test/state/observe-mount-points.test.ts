/**
 * The observer asks for mounts before any walk, and a side that is itself a
 * mount point is never measured or compared (src/state/observe.ts): its
 * volume may be huge, and the planner refuses the move anyway (E_MOUNT_POINT).
 * On a disk held in a map, which counts the walks asked of it.
 */
import { describe, expect, it } from 'vitest';
import type { MountFact } from '../../src/state/types.js';
import { observeEntry } from '../../src/state/observe.js';
import { POSIX_STYLE, entry, obs, vol } from '../helpers/plan-fixtures.js';
import { fakeDisk } from '../usecase/fake-disk.js';

/** A map disk whose `mounts` names `points` as mount points, recording every measure and compare. */
function diskWithMounts(points: string[], ...paths: Parameters<typeof fakeDisk>[0]) {
  const d = fakeDisk(paths);
  const walked: string[] = [];
  const { measure, compare } = d.reader;
  d.reader.measure = async (p, o) => (walked.push(`measure ${p}`), measure(p, o));
  d.reader.compare = async (a, b) => (walked.push(`compare ${a} ${b}`), compare(a, b));
  d.reader.mounts = async (p: string): Promise<{ mountPoint?: MountFact; below: MountFact[] }> =>
    points.includes(p) ? { mountPoint: { path: p, fsType: 'ext4', source: '/dev/sdb1' }, below: [] } : { below: [] };
  return { reader: d.reader, walked };
}

describe('observeEntry and mount points', () => {
  it('a link path that is a mount point is neither measured nor compared; it is marked', async () => {
    const e = entry(POSIX_STYLE, '/home/u/Games', '/data/Games');
    const { reader, walked } = diskWithMounts(['/home/u/Games'], obs.dir('/home/u/Games', vol('home')), obs.dir('/data/Games', vol('data')));
    const o = await observeEntry(e, reader, {});
    expect(o?.link.kind !== 'absent' && o?.link.mountPoint?.path).toBe('/home/u/Games');
    expect(walked.filter((w) => w.includes('/home/u/Games'))).toEqual([]);
  });

  it('a target that is a mount point is not measured; a link path beside it still is', async () => {
    const e = entry(POSIX_STYLE, '/home/u/Games', '/data/Games', { state: 'absent' });
    const { reader, walked } = diskWithMounts(['/data/Games'], obs.absent('/home/u/Games', vol('home')), obs.dir('/data/Games', vol('data')));
    const o = await observeEntry(e, reader, {});
    expect(o?.target.kind !== 'absent' && o?.target.mountPoint?.path).toBe('/data/Games');
    expect(walked).toEqual([]);
  });

  it('without a mount point the same sides are walked (the tests above would pass for nothing otherwise)', async () => {
    const e = entry(POSIX_STYLE, '/home/u/Games', '/data/Games');
    const { reader, walked } = diskWithMounts([], obs.dir('/home/u/Games', vol('home')), obs.dir('/data/Games', vol('data')));
    await observeEntry(e, reader, {});
    expect(walked.some((w) => w.startsWith('measure /home/u/Games'))).toBe(true);
    const back = diskWithMounts([], obs.absent('/home/u/Games', vol('home')), obs.dir('/data/Games', vol('data')));
    await observeEntry(entry(POSIX_STYLE, '/home/u/Games', '/data/Games', { state: 'absent' }), back.reader, {});
    expect(back.walked).toContain('measure /data/Games');
  });
});
