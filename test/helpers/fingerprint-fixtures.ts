import type { EntryObservation, PathObservation, VolumeInfo } from '../../src/state/types.js';

/**
 * Observations of every kind with every fact a real observation can carry
 * (link texts, sizes, inodes, volumes, linked parents, mounts, an empty
 * folder, a retarget's old target and trees), as literals: the fingerprint's
 * golden value is pinned on them (test/plan/fingerprint.test.ts), so a
 * change of the observation's types cannot change the hash of a disk.
 */
export function fixedObservations(): (EntryObservation | undefined)[] {
  const posix = { flavour: 'posix', caseInsensitive: false } as const;
  const win = { flavour: 'win32', caseInsensitive: true } as const;
  const volume = (id: string): VolumeInfo => ({ id, freeBytes: 123, fsType: 'ext4', blockSize: 4096 });
  const at = (o: Record<string, unknown>) => o as unknown as PathObservation;
  const mount = { path: '/m/Games', fsType: 'xfs', source: '/dev/sdb1' };
  return [
    {
      style: posix,
      link: at({
        path: '/a/Games',
        kind: 'dir',
        size: 4096,
        mtimeMs: 1_700_000_000_000,
        mode: 0o755,
        ino: '11',
        nlink: 3,
        volume: volume('A'),
        mountsBelow: [mount],
      }),
      target: at({ path: '/b/Games', kind: 'absent', existingParent: '/b', volume: volume('B'), linkedParent: '/b' }),
      linkTree: { bytes: 10, files: 2, dirs: 1, links: 0, newestMtimeMs: 1_700_000_000_001, disk: { allocated: 8192, byBlock: [8192] } },
    },
    undefined,
    {
      style: win,
      link: at({
        path: 'C:\\Old',
        kind: 'junction',
        size: 0,
        mtimeMs: 1_600_000_000_000,
        mode: 0,
        ino: '7',
        nlink: 1,
        volume: volume('C'),
        linkText: 'E:\\Data',
        linkTarget: 'E:\\Data',
        linkTargetKind: 'dir',
      }),
      target: at({ path: 'D:\\New', kind: 'dir', size: 0, mtimeMs: 1_600_000_000_002, mode: 0, ino: '8', nlink: 1, volume: volume('D'), empty: true }),
      oldTarget: at({
        path: 'E:\\Data',
        kind: 'dir',
        size: 0,
        mtimeMs: 1_600_000_000_003,
        ino: '9',
        volume: volume('E'),
        empty: false,
        mountPoint: { path: 'E:\\Data' },
      }),
      oldTargetTree: { bytes: 5, files: 1, dirs: 0, links: 0 },
    },
    {
      style: posix,
      link: at({ path: '/c/f', kind: 'file', size: 100, mtimeMs: 1_500_000_000_000, mode: 0o644, ino: '3', nlink: 2, volume: volume('A'), mountPoint: mount }),
      target: at({
        path: '/c/g',
        kind: 'symlink',
        size: 4,
        mtimeMs: 1_500_000_000_001,
        ino: '4',
        volume: volume('A'),
        linkText: '../f',
        linkTarget: '/c/f',
        linkTargetKind: 'loop',
        linkedParent: '/c',
      }),
      comparison: { onlyAtLink: ['x'], onlyAtTarget: [], differ: [], identical: [] },
    },
    {
      style: posix,
      link: at({ path: '/d/dev', kind: 'other', size: 0, mtimeMs: 1, mode: 0o600, ino: '5', nlink: 1 }),
      target: at({ path: '/d/t', kind: 'absent' }),
    },
  ];
}
