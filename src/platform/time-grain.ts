import { lstatSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { probeFileOnce } from './probe-file.js';

/**
 * File systems (by statfs f_type, linux/magic.h) known to store times to
 * the nanosecond (100 ns for NTFS): a copy there must keep the original's
 * time exactly (or truncated to 100 ns). Any other stores coarser times or
 * is not known here: exFAT keeps 10 ms, FAT 2 s, and FUSE and network
 * file systems what their backend keeps (sshfs: seconds; a Python FUSE
 * layer: a double, off by tens of ns), as `cp -a` and `mv` find too.
 */
const NS_TIMES = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0xf2f52010, // f2fs
  0x2fc12fc1, // zfs
  0x794c7630, // overlayfs
  0x7366746e, // ntfs3 (100 ns)
]);
const GRAIN_NS: Record<number, bigint> = {
  0x2011bab0: 10_000_000n, // exfat
  0x4d44: 2_000_000_000n, // vfat, msdos
};
/** Where the grain is not known: a second, the coarsest any common file system but FAT keeps. */
const UNKNOWN_GRAIN_NS = 1_000_000_000n;

/**
 * Sets a probe file's mtime (and atime) to `ns` through the call the copy
 * uses, so the probe learns what the volume keeps of what relocate sets.
 */
export type SetProbeMtime = (probe: string, ns: bigint) => void;

/**
 * The mtime a probe is given: an odd second with nine digits of fraction,
 * so every grain below leaves a trace (100 ns truncation leaves 21 ns, a
 * microsecond 321 ns, exFAT's 10 ms 7.65 ms, HFS+'s second 0.99 s, FAT's
 * two seconds 1.99 s).
 */
export const PROBE_MTIME_NS = 1_234_567_891_987_654_321n;

/**
 * The grain a probe's mtime shows, from how far the time read back lies
 * from the time set: under 100 ns, 1 (nanoseconds; the 100 ns of NTFS are
 * the mtime rule's own, see MetaKeeper.sameMtime); then the first of a
 * microsecond, a millisecond and 10 ms (exFAT) that bounds it; anything
 * coarser (HFS+'s second, FAT's two, a network volume's) is given two
 * seconds. A volume that keeps no set time at all (off by more than that)
 * gets 1: its copies fail the verify, as a lost time should.
 */
export function grainOfProbe(setNs: bigint, gotNs: bigint): bigint {
  const d = setNs > gotNs ? setNs - gotNs : gotNs - setNs;
  if (d < 100n) return 1n;
  for (const g of [1_000n, 1_000_000n, 10_000_000n, 2_000_000_000n]) if (d < g) return g;
  return 1n;
}

/** Probed grains by device (off Linux): one probe per volume and process. */
const probed = new Map<string, bigint>();

/**
 * The grain of the volume holding folder `dir`, asked by a probe file
 * there (probe-file.ts) whose mtime `setMtime` sets to PROBE_MTIME_NS and
 * the volume reads back (`grainOfProbe`). When no probe can be made, 1:
 * the verify stays strict. `known`: the answers by device (a test's own).
 */
export function probedTimeGrainNs(dir: string, setMtime: SetProbeMtime, known: Map<string, bigint> = probed): bigint {
  return probeFileOnce(
    dir,
    known,
    (probe) => {
      setMtime(probe, PROBE_MTIME_NS);
      return grainOfProbe(PROBE_MTIME_NS, lstatSync(probe, { bigint: true }).mtimeNs);
    },
    1n,
  );
}

/**
 * The finest time step the file system holding `p` keeps, in ns: 1 where
 * it keeps nanoseconds, else its known grain, else a second. Off Linux,
 * where there is no f_type to go by (Windows, macOS: an exFAT or FAT
 * stick, an HFS+ disk), a probe in `p`'s folder with the copy's own time
 * setter (`probedTimeGrainNs`); without a setter, 1.
 */
export async function timeGrainNs(p: string, setMtime?: SetProbeMtime): Promise<bigint> {
  if (process.platform !== 'linux') return setMtime ? probedTimeGrainNs(path.dirname(p), setMtime) : 1n;
  const s = await statfs(p).catch(() => undefined);
  if (!s) return UNKNOWN_GRAIN_NS;
  const magic = Number(s.type) >>> 0;
  if (NS_TIMES.has(magic)) return 1n;
  return GRAIN_NS[magic] ?? UNKNOWN_GRAIN_NS;
}
