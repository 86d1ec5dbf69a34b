import { readFileSync, realpathSync } from 'node:fs';
import type { MountFact } from '../state/types.js';

/**
 * One line of /proc/self/mountinfo, the facts relocate needs.
 * Invariant: `point` is an absolute real path (the kernel's escapes undone).
 */
export interface MountEntry {
  point: string;
  fsType: string;
  source: string;
}

/** The kernel escapes space, tab, newline and backslash in mountinfo as octal (`\040`). */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses mountinfo text (proc(5)): `id parent maj:min root point opts [optional…] - fstype source superopts`. */
export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const f = line.split(' ');
    const dash = f.indexOf('-', 6);
    if (dash < 0 || f[4] === undefined) continue;
    out.push({ point: unescape(f[4]), fsType: unescape(f[dash + 1] ?? ''), source: unescape(f[dash + 2] ?? '') });
  }
  return out;
}

/**
 * This process's mount table, read fresh (mounts come and go while a run
 * works); null where there is none to read (not Linux, /proc not mounted,
 * or `RELOCATE_MOUNT_TABLE=0`, which tests use to run the portable path on
 * Linux). Without it relocate tells mounts by a change of device alone,
 * which misses bind mounts of the same device.
 */
export function readMountTable(): MountEntry[] | null {
  if (process.platform !== 'linux' || process.env.RELOCATE_MOUNT_TABLE === '0') return null;
  try {
    return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    return null;
  }
}

/** The real path of an existing path (the mount table names real paths); the path itself when that fails. */
export function realPathOf(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return p;
  }
}

function fact(userPath: string, m: MountEntry): MountFact {
  return { path: userPath, fsType: m.fsType, source: m.source };
}

/**
 * The mount whose point is exactly `real` (the last listed: of mounts
 * stacked on one point, the one visible), as a fact about `userPath`.
 */
export function mountAt(table: MountEntry[], real: string, userPath: string): MountFact | undefined {
  let found: MountEntry | undefined;
  for (const m of table) if (m.point === real) found = m;
  return found ? fact(userPath, found) : undefined;
}

/**
 * Mounts strictly inside the folder `real`, named under `userRoot`, sorted
 * and each point once. A mount hidden under a later mount is still listed:
 * refusing over it is safe, walking into it is not.
 */
export function mountsBelow(table: MountEntry[], real: string, userRoot: string): MountFact[] {
  const prefix = real.endsWith('/') ? real : `${real}/`;
  const byPoint = new Map<string, MountEntry>();
  for (const m of table) if (m.point.startsWith(prefix)) byPoint.set(m.point, m);
  const base = userRoot.endsWith('/') ? userRoot.slice(0, -1) : userRoot;
  return [...byPoint.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([point, m]) => fact(`${base}/${point.slice(prefix.length)}`, m));
}
