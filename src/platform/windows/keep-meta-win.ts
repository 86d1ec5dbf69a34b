/**
 * What a copy keeps on Windows besides bytes and the mode's read-only bit,
 * given to the MetaKeeper (keep-meta.ts) as the same calls it makes for
 * Linux extended attributes, so the copy sets, the verify compares, the
 * snapshot records and the rollback restores them with no Windows branch
 * of their own. Each kept thing is one pseudo attribute (names in
 * file-attributes.ts):
 *
 *  - `win.stream:<name>`: an alternate data stream and its bytes
 *    (FindFirstStreamW/FindNextStreamW, read and written as `path:name`);
 *  - `win.security`: owner, group and DACL, self-relative, only when the
 *    caller holds SeBackupPrivilege and SeRestorePrivilege (robocopy's
 *    /COPY:DATSO, see `securityCopyFor`); without them nothing (/COPY:DAT)
 *    and `windowsKeepNotes` says so; never set on, nor compared with, a
 *    copy on a volume that keeps no ACLs (FAT, exFAT: no
 *    FILE_PERSISTENT_ACLS), where the copy has the volume's own;
 *  - `win.attributes`: hidden, system, read-only, archive,
 *    not-content-indexed and compressed, recorded only where they differ
 *    from what a new node gets.
 * A node lists its streams first, the descriptor next and the attribute
 * word last, and the keeper sets them in that order: writing a stream sets
 * ARCHIVE and a read-only file refuses new streams, so the word comes after
 * them. Times are set through SetFileTime to the 100 ns NTFS keeps: last
 * access, last write and, as robocopy keeps it, the creation time (of
 * folders too, after their content with their other times). The verify
 * compares the creation time only on volumes seen to hold a set one
 * (birth-time.ts: Wine 8 does not).
 *
 * Links (reparse points) carry none of it: they are never opened through.
 * Stream bytes are held in memory like attribute values; streams are small
 * in practice (Zone.Identifier, thumbnails), and a snapshot records them.
 */
import { Buffer } from 'node:buffer';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SetTimesNs } from '../native/utimens.js';
import type { Xattr, XattrCalls } from '../native/xattrs.js';
import {
  FIND_STREAM_DATA_SIZE,
  FileAttribute,
  INVALID_FILE_ATTRIBUTES,
  WIN_ATTRIBUTES,
  WIN_SECURITY,
  WIN_STREAM_PREFIX,
  attributesFromValue,
  attributesToKeep,
  attributesValue,
  decodeFindStreamData,
  securityCopyFor,
  setAttributesWord,
  streamNameOf,
  type SecurityCopy,
} from './file-attributes.js';
import { backupRestoreHeld, enablePrivileges } from './privilege.js';
import { rawVolumeFacts } from './volume.js';
import { WinError, loadWin32, win32Path, win32UnavailableReason, type Win32 } from './win32.js';

/** The Windows keeper's calls, and how much of the security descriptor it keeps. */
export interface WindowsKeep {
  xattrs: XattrCalls;
  /** Sets creation times too (see `windowsSetTimes`). */
  setTimes: SetTimesNs;
  security: SecurityCopy;
}

/** OWNER_, GROUP_ and DACL_SECURITY_INFORMATION. */
const OWNER_GROUP_DACL = 0x1 | 0x2 | 0x4;
const FILE_READ_DATA = 0x1;
const FILE_WRITE_DATA = 0x2;
const FILE_WRITE_ATTRIBUTES = 0x100;
const SHARE_ALL = 0x1 | 0x2 | 0x4;
const OPEN_EXISTING = 3;
const FLAG_BACKUP_SEMANTICS = 0x02000000;
const FLAG_OPEN_REPARSE_POINT = 0x00200000;
/** CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 16, METHOD_BUFFERED, FILE_READ_DATA | FILE_WRITE_DATA). */
const FSCTL_SET_COMPRESSION = 0x9c040;
const COMPRESSION_FORMAT_NONE = 0;
const COMPRESSION_FORMAT_DEFAULT = 1;
/** 100 ns intervals between 1601-01-01 (FILETIME) and 1970-01-01. */
const EPOCH_DIFF_100NS = 116444736000000000n;

/** Linux errnos the MetaKeeper acts on and names (keep-errors.ts ERRNO_NAMES): its portable vocabulary, so Linux's numbers on Windows too, not os.constants. */
const ERRNO = { EPERM: 1, ENOENT: 2, EIO: 5, EACCES: 13, ENOSPC: 28, ENODATA: 61, ENOTSUP: 95 } as const;

/** A Win32 error as the errno the MetaKeeper understands. */
export function errnoOfWin32(code: number): number {
  switch (code) {
    case WinError.ACCESS_DENIED:
    case WinError.SHARING_VIOLATION:
      return ERRNO.EACCES;
    case WinError.PRIVILEGE_NOT_HELD:
      return ERRNO.EPERM;
    case WinError.FILE_NOT_FOUND:
    case WinError.PATH_NOT_FOUND:
      return ERRNO.ENOENT;
    case WinError.DISK_FULL:
      return ERRNO.ENOSPC;
    case WinError.NOT_SUPPORTED:
    case WinError.INVALID_PARAMETER:
    case 1: // ERROR_INVALID_FUNCTION: the file system has no such feature (FAT has no streams or compression)
      return ERRNO.ENOTSUP;
    default:
      return ERRNO.EIO;
  }
}

/** Node's error (from reading or writing a stream) as an errno; the keeper retries EACCES after making the file writable. */
function errnoOfNode(err: unknown): number {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY') return ERRNO.EACCES;
  if (code === 'ENOENT') return ERRNO.ENOENT;
  if (code === 'ENOSPC') return ERRNO.ENOSPC;
  return ERRNO.EIO;
}

/** A time in nanoseconds since 1970 as a FILETIME (truncated to 100 ns, rounding down before 1970 too). */
export function fileTimeOf(ns: bigint): Buffer {
  const q = ns / 100n - (ns % 100n < 0n ? 1n : 0n);
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(q + EPOCH_DIFF_100NS);
  return b;
}

function pseudo(name: string, value: Buffer): Xattr {
  return { name, raw: Buffer.from(`${name}\0`), value };
}

function openForMeta(w: Win32, p: string, access: number): bigint | undefined {
  const h = w.raw.CreateFileW(win32Path(p), access, SHARE_ALL, null, OPEN_EXISTING, FLAG_BACKUP_SEMANTICS | FLAG_OPEN_REPARSE_POINT, null);
  return w.badHandle(h) ? undefined : h;
}

/** The alternate data streams of `p`: names, or an errno when they cannot be listed. */
function streamNames(w: Win32, p: string, buf: Buffer): string[] | { errno: number } {
  const h = w.raw.FindFirstStreamW(win32Path(p), 0, buf, 0);
  if (w.badHandle(h)) {
    const err = w.lastError();
    // No stream at all (a folder without any; Wine, which has none), or a file system without streams.
    if (err === WinError.HANDLE_EOF || errnoOfWin32(err) === ERRNO.ENOTSUP) return [];
    return { errno: errnoOfWin32(err) };
  }
  const out: string[] = [];
  try {
    do {
      const name = streamNameOf(decodeFindStreamData(buf).name);
      if (name !== undefined) out.push(name);
    } while (w.raw.FindNextStreamW(h, buf));
  } finally {
    w.raw.FindClose(h);
  }
  return out.sort();
}

function readSecurity(w: Win32, p: string): Buffer | { errno: number } {
  const needed = [0];
  w.raw.GetFileSecurityW(win32Path(p), OWNER_GROUP_DACL, null, 0, needed);
  const sd = Buffer.alloc(Math.max(needed[0], 20));
  if (!w.raw.GetFileSecurityW(win32Path(p), OWNER_GROUP_DACL, sd, sd.length, needed)) return { errno: errnoOfWin32(w.lastError()) };
  return sd.subarray(0, Math.min(sd.length, needed[0] || sd.length));
}

/** Compresses (or decompresses) a node's data, as FSCTL_SET_COMPRESSION does; 0 or an errno. */
function setCompression(w: Win32, p: string, on: boolean): number {
  const h = openForMeta(w, p, FILE_READ_DATA | FILE_WRITE_DATA);
  if (h === undefined) return errnoOfWin32(w.lastError());
  try {
    const format = Buffer.alloc(2);
    format.writeUInt16LE(on ? COMPRESSION_FORMAT_DEFAULT : COMPRESSION_FORMAT_NONE);
    const returned = [0];
    return w.raw.DeviceIoControl(h, FSCTL_SET_COMPRESSION, format, 2, Buffer.alloc(0), 0, returned, null) ? 0 : errnoOfWin32(w.lastError());
  } finally {
    w.raw.CloseHandle(h);
  }
}

/** GetVolumeInformationW's flag for a file system that keeps ACLs (NTFS, ReFS; not FAT or exFAT). */
export const FILE_PERSISTENT_ACLS = 0x00000008;

/**
 * Whether the volume holding folder `dir` keeps security descriptors
 * (FILE_PERSISTENT_ACLS), asked once per folder. When the volume cannot be
 * asked, true: the copy and the verify stay strict.
 */
function aclsHeldBy(w: Win32): (dir: string) => boolean {
  const known = new Map<string, boolean>();
  return (dir) => {
    let held = known.get(dir);
    if (held === undefined) {
      try {
        const facts = rawVolumeFacts(w, dir);
        held = facts.fsName === '' || (facts.flags & FILE_PERSISTENT_ACLS) !== 0;
      } catch {
        held = true;
      }
      known.set(dir, held);
    }
    return held;
  };
}

/** The keeper's calls over the Win32 bindings. */
export function windowsXattrCalls(w: Win32, security: SecurityCopy): XattrCalls {
  const streamBuf = Buffer.alloc(FIND_STREAM_DATA_SIZE);
  const aclsHeld = aclsHeldBy(w);
  return {
    permissions: { names: [WIN_SECURITY], heldIn: aclsHeld },
    read(p) {
      const attrs = w.raw.GetFileAttributesW(win32Path(p));
      if (attrs === INVALID_FILE_ATTRIBUTES) return { errno: errnoOfWin32(w.lastError()) };
      if ((attrs & FileAttribute.REPARSE_POINT) !== 0) return [];
      const out: Xattr[] = [];
      const names = streamNames(w, p, streamBuf);
      if (!Array.isArray(names)) return names;
      for (const name of names) {
        try {
          out.push(pseudo(`${WIN_STREAM_PREFIX}${name}`, readFileSync(`${p}:${name}`)));
        } catch (err) {
          // Deleted between the listing and the read: not there.
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
          return { errno: errnoOfNode(err) };
        }
      }
      if (security === 'owner-dacl') {
        const sd = readSecurity(w, p);
        if (!Buffer.isBuffer(sd)) return sd;
        out.push(pseudo(WIN_SECURITY, sd));
      }
      const word = attributesToKeep(attrs, (attrs & FileAttribute.DIRECTORY) !== 0);
      if (word !== undefined) out.push(pseudo(WIN_ATTRIBUTES, attributesValue(word)));
      return out;
    },
    set(p, x) {
      if (x.name.startsWith(WIN_STREAM_PREFIX)) {
        try {
          writeFileSync(`${p}:${x.name.slice(WIN_STREAM_PREFIX.length)}`, x.value);
          return 0;
        } catch (err) {
          return errnoOfNode(err);
        }
      }
      if (x.name === WIN_SECURITY) {
        // A FAT or exFAT volume keeps no descriptor: the copy has the volume's own there (and the verify knows).
        if (!aclsHeld(path.dirname(p))) return 0;
        return w.raw.SetFileSecurityW(win32Path(p), OWNER_GROUP_DACL, x.value) ? 0 : errnoOfWin32(w.lastError());
      }
      if (x.name !== WIN_ATTRIBUTES) return ERRNO.ENOTSUP;
      const want = attributesFromValue(x.value);
      const now = w.raw.GetFileAttributesW(win32Path(p));
      if (now === INVALID_FILE_ATTRIBUTES) return errnoOfWin32(w.lastError());
      // Compression first: it needs the data open for writing, which a read-only node refuses.
      const compress = (want & FileAttribute.COMPRESSED) !== 0;
      if (compress !== ((now & FileAttribute.COMPRESSED) !== 0)) {
        const errno = setCompression(w, p, compress);
        if (errno !== 0) return errno;
      }
      return w.raw.SetFileAttributesW(win32Path(p), setAttributesWord(want)) ? 0 : errnoOfWin32(w.lastError());
    },
    remove(p, raw) {
      const name = raw.toString('utf8').replace(/\0$/, '');
      if (name.startsWith(WIN_STREAM_PREFIX)) {
        if (w.raw.DeleteFileW(win32Path(`${p}:${name.slice(WIN_STREAM_PREFIX.length)}`))) return 0;
        const err = w.lastError();
        return err === WinError.FILE_NOT_FOUND ? ERRNO.ENODATA : errnoOfWin32(err);
      }
      if (name === WIN_ATTRIBUTES) {
        const now = w.raw.GetFileAttributesW(win32Path(p));
        if (now === INVALID_FILE_ATTRIBUTES) return errnoOfWin32(w.lastError());
        const plain = (now & FileAttribute.DIRECTORY) !== 0 ? 0 : FileAttribute.ARCHIVE;
        return w.raw.SetFileAttributesW(win32Path(p), setAttributesWord(plain)) ? 0 : errnoOfWin32(w.lastError());
      }
      // A descriptor cannot be taken away, only replaced: a node keeps the one it was made with.
      return 0;
    },
    has() {
      // Only asked for a POSIX default ACL, which Windows has not.
      return false;
    },
  };
}

/**
 * Sets last-access and last-write times, and the creation time when given
 * (robocopy /COPY:T, /DCOPY:T), to the 100 ns, in one SetFileTime (a link's
 * own: the reparse point is opened, not followed). A null creation time is
 * left as it is, as SetFileTime leaves any time it is given NULL for.
 */
export function windowsSetTimes(w: Win32): SetTimesNs {
  return (p, atimeNs, mtimeNs, birthtimeNs) => {
    const h = openForMeta(w, p, FILE_WRITE_ATTRIBUTES);
    if (h === undefined) return errnoOfWin32(w.lastError());
    try {
      const creation = birthtimeNs === undefined || birthtimeNs === null ? null : fileTimeOf(birthtimeNs);
      return w.raw.SetFileTime(h, creation, fileTimeOf(atimeNs), fileTimeOf(mtimeNs)) ? 0 : errnoOfWin32(w.lastError());
    } finally {
      w.raw.CloseHandle(h);
    }
  };
}

/** The sentence for a copy without SeBackupPrivilege and SeRestorePrivilege. */
export const PERMISSIONS_NOT_COPIED =
  'owners and permissions are not copied (robocopy /COPY:DAT): the copies get the permissions of the folder they are made in; run as administrator to keep them';

let loaded: Promise<WindowsKeep | null> | undefined;
let made: WindowsKeep | null = null;
let why = '';

/** The Windows keeper, loaded once on Windows; null elsewhere or when the Win32 layer cannot load. */
export function windowsKeep(): Promise<WindowsKeep | null> {
  loaded ??= (async () => {
    const w = await loadWin32();
    if (!w) {
      why = win32UnavailableReason();
      return null;
    }
    let security: SecurityCopy = 'none';
    try {
      security = securityCopyFor(backupRestoreHeld(w));
      if (security === 'owner-dacl' && !enablePrivileges(w, ['SeBackupPrivilege', 'SeRestorePrivilege'])) security = 'none';
    } catch {
      security = 'none';
    }
    made = { xattrs: windowsXattrCalls(w, security), setTimes: windowsSetTimes(w), security };
    return made;
  })();
  return loaded;
}

/** What the Windows keeper (once loaded) does not keep, for --verbose (the plan says it too, see preflight). */
export function windowsKeepNotes(): string[] {
  if (!made) return loaded ? [`file attributes, alternate data streams, permissions and 100 ns times are not kept (${why})`] : [];
  return made.security === 'none' ? [PERMISSIONS_NOT_COPIED] : [];
}
