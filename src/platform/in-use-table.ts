/**
 * The process table the POSIX files-in-use checks share: what every
 * running process holds (open files, memory maps, working and root
 * folders), gathered in one pass over the processes (Linux: /proc; macOS:
 * libproc or lsof), then asked about any number of trees. One pass per
 * observe answers every entry: listing the processes costs far more than
 * matching their paths (bench figure in the report: a scan of /proc with
 * ~100 processes takes a few ms).
 */
import { realpathSync } from 'node:fs';
import type { InUseFile, InUseHow, InUseReport, UnknownProcess } from '../state/types.js';

/** One process and the absolute paths it holds. Invariant: `holds` has no duplicate (path, how). */
export interface ProcessHoldings {
  pid: number;
  /** The command name (Linux: /proc/<pid>/comm; macOS: p_comm), '?' when unreadable. */
  command: string;
  holds: { path: string; how: InUseHow }[];
  /** Some of its holdings could not be read (its memory maps, say): a tree it is not seen holding counts it as unknown. */
  partial?: true;
}

/**
 * Every process seen by one pass, relocate's own excepted. Invariant: a
 * pid is in at most one of the lists; `unknown` holds the processes none of
 * whose holdings could be read (EACCES/EPERM: another user's).
 */
export interface ProcessTable {
  procs: ProcessHoldings[];
  unknown: UnknownProcess[];
}

/** Takes one pass over the running processes. */
export type ProcessLister = () => Promise<ProcessTable>;

/** At most this many holdings are named per tree (one process with 10,000 files open needs one line, not 10,000). */
export const NAMED_PER_TREE = 20;
/** And at most this many per process. */
const NAMED_PER_PROCESS = 3;

/** `p` is `root` or inside it (both absolute, canonical, '/'-separated). */
export function isInside(p: string, root: string): boolean {
  if (p === root) return true;
  return p.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/**
 * The canonical path of an existing tree root, as the kernel names the
 * paths processes hold (symlinked folders above it resolved). The root
 * itself is real data (a folder or file), never a link, so nothing inside
 * is followed.
 */
export function canonicalRoot(root: string): string {
  try {
    return realpathSync.native(root);
  } catch {
    return root;
  }
}

/**
 * Who holds something inside `realRoot` according to `table`, and who
 * could not be asked. A few holdings per process and per tree are named
 * (enough to say what to close); every holding process is named at least once.
 */
export function usersOf(table: ProcessTable, realRoot: string): InUseReport {
  const held: InUseFile[] = [];
  const extra: InUseFile[] = [];
  const unknown = [...table.unknown];
  for (const proc of table.procs) {
    let named = 0;
    for (const h of proc.holds) {
      if (!isInside(h.path, realRoot)) continue;
      const u: InUseFile = { file: h.path, process: proc.command, pid: proc.pid, how: h.how };
      if (named === 0) held.push(u);
      else if (named < NAMED_PER_PROCESS) extra.push(u);
      named++;
    }
    if (named === 0 && proc.partial) unknown.push({ pid: proc.pid, process: proc.command });
  }
  return { held: [...held, ...extra].slice(0, Math.max(NAMED_PER_TREE, held.length)), unknown };
}

/**
 * A probe for one observe: the first call takes the pass, every later call
 * (any tree, entries observed concurrently) is answered from it.
 */
export function oneScanProbe(lister: ProcessLister): (root: string, isDir: boolean) => Promise<InUseReport> {
  let table: Promise<ProcessTable> | undefined;
  return async (root) => usersOf(await (table ??= lister()), canonicalRoot(root));
}
