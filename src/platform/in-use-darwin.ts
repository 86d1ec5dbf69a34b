/**
 * Files in use on macOS, from libproc (libSystem) through koffi:
 * proc_listallpids, then per process proc_pidinfo(PROC_PIDLISTFDS) and
 * proc_pidfdinfo(PROC_PIDFDVNODEPATHINFO) for each vnode descriptor (open
 * files), proc_pidinfo(PROC_PIDVNODEPATHINFO) for the working and root
 * folders, and proc_pidinfo(PROC_PIDREGIONPATHINFO) region by region for
 * memory-mapped files. A process proc_pidinfo refuses (EPERM: another
 * user's, when not root) is unknown, named by proc_name.
 *
 * When koffi or libproc cannot be loaded (or RELOCATE_NATIVE=0), the
 * fallback is `lsof -n -P -w -F pcfn` (in-use-lsof.ts), which reports the
 * same four kinds (cwd, rtd, txt/mem maps, descriptors); when lsof is
 * missing too there is no check, and --verbose says so (inUseNotes in
 * in-use.ts).
 *
 * The structure offsets below are those of <sys/proc_info.h> (64-bit);
 * test/platform/in-use-darwin.test.ts checks them on Linux against the
 * same structures declared through koffi, and the parsing against
 * buffers laid out the same way.
 */
import type { Koffi } from './native/koffi.js';
import { loadKoffi } from './native/koffi.js';
import type { ProcessHoldings, ProcessLister, ProcessTable } from './in-use-table.js';
import type { InUseHow, UnknownProcess } from '../state/types.js';

export const PROC_PIDLISTFDS = 1;
export const PROC_PIDFDVNODEPATHINFO = 2;
export const PROC_PIDREGIONPATHINFO = 8;
export const PROC_PIDVNODEPATHINFO = 9;
export const PROX_FDTYPE_VNODE = 1;
const MAXPATHLEN = 1024;

/** sizeof(struct proc_fdinfo): int32 proc_fd, uint32 proc_fdtype. */
export const PROC_FDINFO_SIZE = 8;
/** sizeof(struct vnode_fdinfowithpath): proc_fileinfo (24) + vnode_info_path (vnode_info 152 + path 1024). */
export const VNODE_FDINFOWITHPATH_SIZE = 1200;
export const VNODE_FDINFOWITHPATH_PATH = 176;
/** sizeof(struct proc_vnodepathinfo): two vnode_info_path (cwd, root). */
export const PROC_VNODEPATHINFO_SIZE = 2352;
export const PROC_VNODEPATHINFO_CWD = 152;
export const PROC_VNODEPATHINFO_ROOT = 1328;
/** sizeof(struct proc_regionwithpathinfo): proc_regioninfo (96) + vnode_info_path (1176). */
export const PROC_REGIONWITHPATHINFO_SIZE = 1272;
export const REGION_ADDRESS = 80;
export const REGION_SIZE = 88;
export const REGION_PATH = 248;
/** A process with more mapped regions than this is read in part (it would take seconds); real ones have a few thousand. */
const REGION_LIMIT = 20_000;

const EPERM = 1;
const EACCES = 13;

/** The C string at `offset` (at most MAXPATHLEN bytes), '' when empty. */
export function cString(buf: Buffer, offset: number, max = MAXPATHLEN): string {
  const end = buf.indexOf(0, offset);
  return buf.toString('utf8', offset, end < 0 || end > offset + max ? offset + max : end);
}

/** The descriptors of a PROC_PIDLISTFDS answer (`bytes` long) that are vnodes (files and folders). */
export function vnodeFds(buf: Buffer, bytes: number): number[] {
  const out: number[] = [];
  for (let off = 0; off + PROC_FDINFO_SIZE <= bytes; off += PROC_FDINFO_SIZE) {
    if (buf.readUInt32LE(off + 4) === PROX_FDTYPE_VNODE) out.push(buf.readInt32LE(off));
  }
  return out;
}

/** A PROC_PIDREGIONPATHINFO answer: the region's path ('' for anonymous memory) and where the next region starts. */
export function regionOf(buf: Buffer): { path: string; next: bigint } {
  return { path: cString(buf, REGION_PATH), next: buf.readBigUInt64LE(REGION_ADDRESS) + buf.readBigUInt64LE(REGION_SIZE) };
}

interface LibProc {
  listAllPids(buf: Buffer | null, bytes: number): number;
  pidInfo(pid: number, flavor: number, arg: bigint, buf: Buffer | null, bytes: number): number;
  pidFdInfo(pid: number, fd: number, flavor: number, buf: Buffer, bytes: number): number;
  name(pid: number, buf: Buffer, bytes: number): number;
  /** errno after the last call; libproc sets it only on failure, so it is cleared before a call whose 0 is ambiguous. */
  errno(): number;
  clearErrno(): void;
}

/** The C declarations, as koffi reads them (test/platform/in-use-darwin.test.ts parses them on Linux). */
export const LIBPROC_DECLARATIONS = {
  listAllPids: 'int proc_listallpids(void *buffer, int buffersize)',
  pidInfo: 'int proc_pidinfo(int pid, int flavor, uint64_t arg, void *buffer, int buffersize)',
  pidFdInfo: 'int proc_pidfdinfo(int pid, int fd, int flavor, void *buffer, int buffersize)',
  name: 'int proc_name(int pid, void *buffer, uint32_t buffersize)',
} as const;

function bindLibProc(koffi: Koffi): LibProc {
  const lib = koffi.load('/usr/lib/libSystem.B.dylib');
  const f = {
    listAllPids: lib.func(LIBPROC_DECLARATIONS.listAllPids),
    pidInfo: lib.func(LIBPROC_DECLARATIONS.pidInfo),
    pidFdInfo: lib.func(LIBPROC_DECLARATIONS.pidFdInfo),
    name: lib.func(LIBPROC_DECLARATIONS.name),
  };
  return {
    listAllPids: (buf, bytes) => f.listAllPids(buf, bytes) as number,
    pidInfo: (pid, flavor, arg, buf, bytes) => f.pidInfo(pid, flavor, arg, buf, bytes) as number,
    pidFdInfo: (pid, fd, flavor, buf, bytes) => f.pidFdInfo(pid, fd, flavor, buf, bytes) as number,
    name: (pid, buf, bytes) => f.name(pid, buf, bytes) as number,
    errno: () => koffi.errno(),
    clearErrno: () => {
      koffi.errno(0);
    },
  };
}

/** Every pid, read with room for processes started meanwhile. */
function allPids(lp: LibProc): number[] {
  const count = lp.listAllPids(null, 0);
  const buf = Buffer.alloc((Math.max(count, 0) + 256) * 4);
  const n = lp.listAllPids(buf, buf.length);
  const out: number[] = [];
  for (let i = 0; i < n && (i + 1) * 4 <= buf.length; i++) out.push(buf.readInt32LE(i * 4));
  return out;
}

/** One process through libproc; null when it is gone. */
export function readDarwinProcess(lp: LibProc, pid: number): ProcessHoldings | UnknownProcess | null {
  const nameBuf = Buffer.alloc(256);
  const command = lp.name(pid, nameBuf, nameBuf.length) > 0 ? cString(nameBuf, 0, 256) : '?';
  const holds = new Map<string, InUseHow>();
  const hold = (p: string, how: InUseHow) => {
    if (p.startsWith('/') && !(how === 'root' && p === '/')) holds.set(`${how}\0${p}`, how);
  };
  // The descriptor list: ask for the size (a null buffer), then read with room to spare. A 0 is an
  // error only with errno set (a process may have no descriptors at all).
  const failed = (): ProcessHoldings | UnknownProcess | null | undefined => {
    const e = lp.errno();
    if (e === 0) return undefined;
    return e === EPERM || e === EACCES ? { pid, process: command } : null;
  };
  lp.clearErrno();
  const need = lp.pidInfo(pid, PROC_PIDLISTFDS, 0n, null, 0);
  let got = 0;
  const fdBuf = Buffer.alloc(Math.max(need, 0) + 32 * PROC_FDINFO_SIZE);
  if (need <= 0) {
    const f = failed();
    if (f !== undefined) return f;
  } else {
    lp.clearErrno();
    got = lp.pidInfo(pid, PROC_PIDLISTFDS, 0n, fdBuf, fdBuf.length);
    if (got <= 0) {
      const f = failed();
      if (f !== undefined) return f;
    }
  }
  const vbuf = Buffer.alloc(VNODE_FDINFOWITHPATH_SIZE);
  for (const fd of vnodeFds(fdBuf, got)) {
    if (lp.pidFdInfo(pid, fd, PROC_PIDFDVNODEPATHINFO, vbuf, vbuf.length) === VNODE_FDINFOWITHPATH_SIZE) hold(cString(vbuf, VNODE_FDINFOWITHPATH_PATH), 'open');
  }
  const dirs = Buffer.alloc(PROC_VNODEPATHINFO_SIZE);
  if (lp.pidInfo(pid, PROC_PIDVNODEPATHINFO, 0n, dirs, dirs.length) === PROC_VNODEPATHINFO_SIZE) {
    hold(cString(dirs, PROC_VNODEPATHINFO_CWD), 'cwd');
    hold(cString(dirs, PROC_VNODEPATHINFO_ROOT), 'root');
  }
  const rbuf = Buffer.alloc(PROC_REGIONWITHPATHINFO_SIZE);
  let address = 0n;
  for (let i = 0; i < REGION_LIMIT; i++) {
    if (lp.pidInfo(pid, PROC_PIDREGIONPATHINFO, address, rbuf, rbuf.length) !== PROC_REGIONWITHPATHINFO_SIZE) break;
    const r = regionOf(rbuf);
    if (r.path) hold(r.path, 'map');
    if (r.next <= address) break;
    address = r.next;
  }
  return { pid, command, holds: [...holds.entries()].map(([key, how]) => ({ path: key.slice(key.indexOf('\0') + 1), how })) };
}

/** One pass over every process through libproc, relocate's own left out. */
export function scanLibProc(lp: LibProc, selfPid = process.pid): ProcessTable {
  const table: ProcessTable = { procs: [], unknown: [] };
  for (const pid of allPids(lp)) {
    if (pid === selfPid || pid <= 0) continue;
    const r = readDarwinProcess(lp, pid);
    if (r === null) continue;
    if ('holds' in r) table.procs.push(r);
    else table.unknown.push(r);
  }
  return table;
}

/** libproc through koffi, else lsof; `note` says which fallback was taken (for --verbose). */
export async function darwinProcessLister(note: (why: string) => void): Promise<ProcessLister> {
  const loaded = await loadKoffi();
  if ('koffi' in loaded) {
    try {
      const lp = bindLibProc(loaded.koffi);
      return async () => scanLibProc(lp);
    } catch (err) {
      note(`libproc could not be loaded (${(err as Error).message}); files in use are checked with lsof`);
    }
  } else {
    note(`${loaded.reason}; files in use are checked with lsof`);
  }
  const { lsofLister } = await import('./in-use-lsof.js');
  return lsofLister(note);
}
