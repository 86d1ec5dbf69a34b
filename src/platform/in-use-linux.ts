/**
 * Files in use on Linux, from /proc: for every process, the targets of
 * /proc/<pid>/fd/* (open files), /proc/<pid>/cwd and /proc/<pid>/root, and
 * the file paths of /proc/<pid>/maps (memory maps, which outlive a closed
 * descriptor: a database's shared memory, a loaded library).
 *
 * - Kernel threads hold nothing and are skipped (PF_KTHREAD in
 *   /proc/<pid>/stat), so a non-root user does not get a hundred of them
 *   as "unknown".
 * - A process of another user whose fd/ cannot be read (EACCES, when not
 *   root) is unknown, named by its command from /proc/<pid>/stat
 *   (world-readable, the same name as comm); one whose
 *   maps alone are unreadable is partial (see ProcessTable).
 * - relocate's own pid is skipped: it holds the trees it walks.
 * - Paths are as the kernel prints them: a deleted file ends in
 *   " (deleted)" (stripped for matching: a program writing to a deleted
 *   file in the tree still writes into the folder), and maps escape a
 *   newline in a name as "\012" (unescaped). Both forms are kept.
 * - Threads share their process's descriptors and (almost always) working
 *   folder; /proc/<pid>/task/* is not walked. A /proc mounted with hidepid
 *   hides other users' processes entirely: they cannot even be counted as
 *   unknown.
 * - Paths are matched against the tree's canonical path (realpath), in the
 *   reading process's mount namespace: a process in another namespace (a
 *   container) that sees the tree under another path is not matched.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import type { InUseHow, UnknownProcess } from '../state/types.js';
import type { ProcessHoldings, ProcessTable } from './in-use-table.js';

const PF_KTHREAD = 0x00200000;
const DELETED = ' (deleted)';

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code;
}

/** Unreadable because of who we are (another user's process), not because it is gone. */
function denied(err: unknown): boolean {
  const c = errCode(err);
  return c === 'EACCES' || c === 'EPERM';
}

/** True for a kernel thread, from the text of /proc/<pid>/stat (the flags are the 9th field; comm may hold spaces and parentheses). */
export function isKernelThread(statText: string): boolean {
  const close = statText.lastIndexOf(')');
  if (close < 0) return false;
  const fields = statText.slice(close + 2).split(' ');
  const flags = Number(fields[6]);
  return Number.isFinite(flags) && (flags & PF_KTHREAD) !== 0;
}

/**
 * The absolute file paths in the text of /proc/<pid>/maps, each once, as
 * the kernel printed them. A line is `address perms offset dev inode
 * [pathname]`: no field before the pathname holds a '/', so the pathname
 * (padded with spaces, and holding spaces itself) starts at the first
 * " /". No regex: a node process has thousands of lines, and this runs
 * for every process on every observe.
 */
export function mapsPaths(text: string): string[] {
  const out = new Set<string>();
  let last = '';
  // The next " /" is searched for once and kept while the lines before it (anonymous memory) are skipped:
  // searching again from every line start would scan the rest of the text for each of them.
  let slash = -1;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (slash < start) slash = text.indexOf(' /', start);
    if (slash < 0) break;
    if (slash < end) {
      const p = text.slice(slash + 1, end);
      // Consecutive lines are mostly the segments of one file.
      if (p !== last) out.add((last = p));
    }
    start = end + 1;
  }
  return [...out];
}

/** The command name from the text of /proc/<pid>/stat (between the first '(' and the last ')'; it may hold both). */
export function statCommand(statText: string): string {
  const open = statText.indexOf('(');
  const close = statText.lastIndexOf(')');
  return open >= 0 && close > open ? statText.slice(open + 1, close) || '?' : '?';
}

/**
 * The paths a printed path may stand for: itself, without " (deleted)",
 * and with the maps escape "\012" turned back into a newline (a name
 * really holding those characters stays matched by the printed form).
 */
export function pathForms(printed: string): string[] {
  const forms = new Set([printed]);
  for (const f of [...forms]) if (f.endsWith(DELETED)) forms.add(f.slice(0, -DELETED.length));
  for (const f of [...forms]) if (f.includes('\\012')) forms.add(f.replace(/\\012/g, '\n'));
  return [...forms];
}

/** One process, or why it cannot be read; null when it is gone (exited mid-scan) or a kernel thread. */
function readProcess(procRoot: string, pid: number): ProcessHoldings | UnknownProcess | null {
  const dir = `${procRoot}/${pid}`;
  let command = '?';
  try {
    // stat is world-readable and names the command too (what /proc/<pid>/comm holds): one read, not two.
    const stat = readFileSync(`${dir}/stat`, 'utf8');
    if (isKernelThread(stat)) return null;
    command = statCommand(stat);
  } catch (err) {
    if (!denied(err)) return null;
  }
  const holds = new Map<string, InUseHow>();
  const hold = (printed: string, how: InUseHow) => {
    for (const p of pathForms(printed)) if (!holds.has(`${how}\0${p}`)) holds.set(`${how}\0${p}`, how);
  };
  // The issue's rule: processes of *other users* that cannot be inspected are unknown. One of our own user
  // the kernel still hides (a non-dumpable agent, or a container's init holding capabilities we lack: even
  // root gets EACCES there) is left out, or every plan in such a container would carry the warning.
  const otherUser = (): boolean => {
    try {
      return statSync(dir).uid !== process.geteuid?.();
    } catch {
      return false;
    }
  };
  let fds: string[];
  try {
    fds = readdirSync(`${dir}/fd`);
  } catch (err) {
    return denied(err) && otherUser() ? { pid, process: command } : null;
  }
  let partial = false;
  for (const fd of fds) {
    try {
      const t = readlinkSync(`${dir}/fd/${fd}`);
      // Pipes, sockets and anonymous inodes print as "pipe:[123]" and the like: no path.
      if (t.startsWith('/')) hold(t, 'open');
    } catch (err) {
      // ENOENT: closed between the listing and the readlink. EACCES: the listing was allowed, the
      // descriptors are not (a process protected from ptrace, even from root in some containers).
      if (denied(err)) partial = true;
    }
  }
  for (const [link, how] of [
    ['cwd', 'cwd'],
    ['root', 'root'],
  ] as const) {
    try {
      const t = readlinkSync(`${dir}/${link}`);
      // Every process's root is "/": it is inside no tree relocate moves.
      if (t.startsWith('/') && !(how === 'root' && t === '/')) hold(t, how);
    } catch (err) {
      if (denied(err)) partial = true;
    }
  }
  try {
    for (const p of mapsPaths(readFileSync(`${dir}/maps`, 'utf8'))) hold(p, 'map');
  } catch (err) {
    if (denied(err)) partial = true;
  }
  if (partial && !otherUser()) partial = false;
  if (partial && holds.size === 0) return { pid, process: command };
  return {
    pid,
    command,
    holds: [...holds.entries()].map(([key, how]) => ({ path: key.slice(key.indexOf('\0') + 1), how })),
    ...(partial ? { partial: true as const } : {}),
  };
}

/**
 * One synchronous pass over /proc (a few ms for a hundred processes; the
 * reads are of kernel memory, so the thread pool would only add latency).
 * `selfPid` is left out.
 */
export function scanProc(procRoot = '/proc', selfPid = process.pid): ProcessTable {
  const table: ProcessTable = { procs: [], unknown: [] };
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === selfPid) continue;
    const r = readProcess(procRoot, pid);
    if (r === null) continue;
    if ('holds' in r) table.procs.push(r);
    else table.unknown.push(r);
  }
  return table;
}
