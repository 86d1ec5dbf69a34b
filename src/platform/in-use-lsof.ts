/**
 * The macOS fallback when libproc cannot be used: `lsof -n -P -w -F pcfn`,
 * one pass over every process, read as lsof's field output (one field per
 * line: `p` pid, `c` command, `f` descriptor, `n` name). Descriptor `cwd`
 * is the working folder, `rtd` the root folder, `txt`/`mem`/`DEL` memory
 * maps, anything else an open file. A process lsof cannot inspect shows a
 * name ending in "Permission denied)" (Linux lsof) and is unknown; macOS
 * lsof may leave such processes out instead, which the lsof fallback
 * cannot tell apart from "holds nothing" (said in --verbose). The parser
 * runs on any OS (tested on Linux with the real lsof).
 */
import { execFile } from 'node:child_process';
import type { InUseHow, UnknownProcess } from '../state/types.js';
import type { ProcessHoldings, ProcessLister, ProcessTable } from './in-use-table.js';

/** What an lsof descriptor field means for a path. */
export function lsofHow(fd: string): InUseHow {
  switch (fd) {
    case 'cwd':
      return 'cwd';
    case 'rtd':
      return 'root';
    case 'txt':
    case 'mem':
    case 'DEL':
    case 'mmap':
      return 'map';
    default:
      return 'open';
  }
}

/** Reads `lsof -F pcfn` output into a process table, leaving out `selfPid`. */
export function parseLsof(out: string, selfPid = process.pid): ProcessTable {
  const procs = new Map<number, ProcessHoldings & { keys: Set<string>; denied: boolean }>();
  let cur: (ProcessHoldings & { keys: Set<string>; denied: boolean }) | undefined;
  let fd = '';
  for (const line of out.split('\n')) {
    const tag = line[0];
    const value = line.slice(1);
    if (tag === 'p') {
      const pid = Number(value);
      cur = procs.get(pid);
      if (!cur) procs.set(pid, (cur = { pid, command: '?', holds: [], keys: new Set(), denied: false }));
    } else if (!cur) {
      continue;
    } else if (tag === 'c') {
      cur.command = value || '?';
    } else if (tag === 'f') {
      fd = value;
    } else if (tag === 'n') {
      if (/\((?:readlink|opendir|open|stat|readdir)?:? ?Permission denied\)$/.test(value)) {
        cur.denied = true;
        continue;
      }
      if (!value.startsWith('/')) continue;
      const how = lsofHow(fd);
      // lsof may add " (deleted)", or a file system note in parentheses after a space: the path before it is kept too.
      for (const p of new Set([value, value.replace(/ \((?:deleted|[^()]*:[^()]*)\)$/, '')])) {
        const key = `${how}\0${p}`;
        if (!cur.keys.has(key) && !(how === 'root' && p === '/')) {
          cur.keys.add(key);
          cur.holds.push({ path: p, how });
        }
      }
    }
  }
  const table: ProcessTable = { procs: [], unknown: [] };
  for (const p of procs.values()) {
    if (p.pid === selfPid) continue;
    const { keys: _k, denied, ...proc } = p;
    if (denied && proc.holds.length === 0) table.unknown.push({ pid: proc.pid, process: proc.command } satisfies UnknownProcess);
    else table.procs.push(denied ? { ...proc, partial: true } : proc);
  }
  return table;
}

/** Runs lsof once per pass; a missing or failing lsof gives an empty table and a note (there is no check then). */
export function lsofLister(note: (why: string) => void): ProcessLister {
  return () =>
    new Promise((resolve) => {
      execFile('lsof', ['-n', '-P', '-w', '-F', 'pcfn'], { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout) => {
        // lsof exits 1 when some process could not be read, with everything else listed: the output is still used.
        if (err && !stdout) {
          note(`lsof could not be run (${err.message}): files in use are not checked`);
          resolve({ procs: [], unknown: [] });
          return;
        }
        resolve(parseLsof(stdout));
      });
    });
}
