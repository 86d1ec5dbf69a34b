import { chmodSync, lstatSync } from 'node:fs';
import { probeFileOnce } from './probe-file.js';

/** Answers by device: one probe per volume and process. */
const known = new Map<string, boolean>();

/**
 * Whether the volume holding folder `dir` keeps POSIX permission bits (and
 * with them owners): asked by making a probe file there (mode 0600),
 * changing its mode to 0640 and reading it back. FAT, exFAT and NTFS
 * through ntfs-3g (without its `permissions` option) accept the chmod and
 * keep nothing: every file reads back as 0777 or the mount's fixed mask,
 * owned by the mount's uid — as `cp -a` and `mv` find, which warn or say
 * nothing. On such a volume the verify compares what it does keep (names,
 * kinds, sizes, times, contents) and not modes or owners; on every other
 * volume a lost mode fails the verify. Removes exactly the file it made.
 * When no probe can be made there, true: the verify stays strict.
 * Windows modes are not POSIX modes and are never compared (true).
 */
export function keepsModes(dir: string): boolean {
  if (process.platform === 'win32') return true;
  return probeFileOnce(dir, known, (probe) => {
    chmodSync(probe, 0o640);
    return (lstatSync(probe).mode & 0o7777) === 0o640;
  });
}
