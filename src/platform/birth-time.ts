/**
 * Creation ("birth") times: which copies keep them, and where the verify
 * compares them.
 *
 * Windows: the copy sets every file's and folder's creation time to the
 * original's, to the 100 ns, with its other times (SetFileTime, see
 * windows/keep-meta-win.ts), as robocopy /COPY:T and /DCOPY:T do. The
 * verify compares it on every volume seen to hold a set creation time to
 * the 100 ns (`birthTimesHeld`): NTFS and ReFS do; FAT keeps 10 ms, and
 * Wine 8 on a Linux file system keeps none (it reports a time of its own
 * making), so there the copies keep what the volume gives them and the
 * verify compares everything else, as on volumes without modes.
 *
 * macOS: the same, through setattrlist(2) with ATTR_CMN_CRTIME in the call
 * that sets the other times (native/attr-times-darwin.ts), to the
 * nanosecond; APFS and HFS+ hold it, FAT and exFAT volumes do not to the
 * nanosecond and are not compared. copyfile(3) does not keep it (it sets
 * only the modification and access times), nor does mv across volumes;
 * Finder does.
 *
 * Linux: not kept, not compared. statx reports a birth time, but no system
 * call sets one, so a copy is born when it is made (as with cp -a, rsync
 * and mv across volumes); listings do not even record it.
 */
import { lstatSync } from 'node:fs';
import { probeFileOnce } from './probe-file.js';
import type { SetTimesNs } from './native/utimens.js';

/** A creation time with 100 ns digits, distinct from the probe's other times: a volume that keeps it reads it back exactly. */
const PROBE_BIRTH_NS = 1_000_000_000_123_456_700n;
const PROBE_OTHER_NS = 1_100_000_000_000_000_000n;

/** Answers by device: one probe per volume and process. */
const known = new Map<string, boolean>();

/**
 * Whether the volume holding folder `dir` keeps a creation time set through
 * `setTimes`, to the 100 ns: asked by making a probe file there, setting
 * its creation time to one value and its other times to another, and
 * reading it back (distinct values, so a volume that reports its mtime or
 * access time as the creation time, as Wine does, is not taken for one that
 * keeps it). Removes exactly the file it made. When no probe can be made
 * there, true: the verify stays strict.
 */
export function birthTimesHeld(dir: string, setTimes: SetTimesNs): boolean {
  return probeFileOnce(
    dir,
    known,
    (probe) => setTimes(probe, PROBE_OTHER_NS, PROBE_OTHER_NS, PROBE_BIRTH_NS) !== 0 || lstatSync(probe, { bigint: true }).birthtimeNs === PROBE_BIRTH_NS,
  );
}
