/**
 * Junction, symlink or another reparse point: Node's lstat calls both
 * junctions and symlinks "symbolic links" (and some other reparse points
 * too), so the reparse tag is read from the file system. `readReparsePoint`
 * opens the entry itself (never what it points to) and asks for its
 * reparse data with FSCTL_GET_REPARSE_POINT, which also gives a junction's
 * real target; `findDataTag` reads the tag from the directory entry
 * (FindFirstFileW's dwReserved0) without opening the file.
 */
import { Buffer } from 'node:buffer';
import type { Win32 } from './win32.js';
import { WinError, stripLongPrefix, utf16z, win32Path } from './win32.js';

export const IO_REPARSE_TAG_MOUNT_POINT = 0xa0000003;
export const IO_REPARSE_TAG_SYMLINK = 0xa000000c;
export const FILE_ATTRIBUTE_DIRECTORY = 0x10;
export const FILE_ATTRIBUTE_REPARSE_POINT = 0x400;

const FILE_READ_ATTRIBUTES = 0x80;
const FILE_SHARE_ALL = 0x1 | 0x2 | 0x4;
const OPEN_EXISTING = 3;
const FILE_FLAG_BACKUP_SEMANTICS = 0x02000000;
const FILE_FLAG_OPEN_REPARSE_POINT = 0x00200000;
const FSCTL_GET_REPARSE_POINT = 0x000900a8;
const MAXIMUM_REPARSE_DATA_BUFFER_SIZE = 16 * 1024;
const SYMLINK_FLAG_RELATIVE = 1;
const WIN32_FIND_DATAW_SIZE = 592;
const BY_HANDLE_FILE_INFORMATION_SIZE = 52;

export type ReparseKind = 'junction' | 'symlink' | 'other';

export interface ReparseInfo {
  tag: number;
  kind: ReparseKind;
  /** Junctions and symlinks: the substitute name, without `\??\`; relative for a relative symlink. */
  target?: string;
  printName?: string;
  relative?: boolean;
}

/** A Win32 failure with its GetLastError code. */
export class Win32Error extends Error {
  constructor(
    readonly fn: string,
    readonly winError: number,
    readonly path?: string,
  ) {
    super(`${fn}${path ? ` ${path}` : ''} failed with Windows error ${winError}`);
  }
}

export function kindOfTag(tag: number): ReparseKind {
  if (tag === IO_REPARSE_TAG_MOUNT_POINT) return 'junction';
  if (tag === IO_REPARSE_TAG_SYMLINK) return 'symlink';
  return 'other';
}

/** Opens an entry itself (a link is not followed) for reading attributes. */
export function openEntry(w: Win32, p: string): bigint {
  const h = w.raw.CreateFileW(
    win32Path(p),
    FILE_READ_ATTRIBUTES,
    FILE_SHARE_ALL,
    null,
    OPEN_EXISTING,
    FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT,
    null,
  );
  if (w.badHandle(h)) throw new Win32Error('CreateFileW', w.lastError(), p);
  return h;
}

/**
 * The reparse data of an entry, or null when it is not a reparse point.
 * Throws Win32Error when the entry cannot be opened.
 */
export function readReparsePoint(w: Win32, p: string): ReparseInfo | null {
  const h = openEntry(w, p);
  try {
    const buf = Buffer.alloc(MAXIMUM_REPARSE_DATA_BUFFER_SIZE);
    const returned = [0];
    if (!w.raw.DeviceIoControl(h, FSCTL_GET_REPARSE_POINT, null, 0, buf, buf.length, returned, null)) {
      const e = w.lastError();
      if (e === WinError.NOT_A_REPARSE_POINT) return null;
      throw new Win32Error('DeviceIoControl(FSCTL_GET_REPARSE_POINT)', e, p);
    }
    return parseReparseData(buf.subarray(0, returned[0]));
  } finally {
    w.raw.CloseHandle(h);
  }
}

/**
 * Decodes a REPARSE_DATA_BUFFER: ReparseTag (4), ReparseDataLength (2),
 * Reserved (2), then for junctions and symlinks the substitute and print
 * name offsets and lengths in bytes (4 × 2), symlinks a Flags (4), and the
 * PathBuffer the offsets are relative to.
 */
export function parseReparseData(buf: Buffer): ReparseInfo {
  const tag = buf.readUInt32LE(0);
  const kind = kindOfTag(tag);
  if (kind === 'other' || buf.length < 16) return { tag, kind };
  const subOff = buf.readUInt16LE(8);
  const subLen = buf.readUInt16LE(10);
  const printOff = buf.readUInt16LE(12);
  const printLen = buf.readUInt16LE(14);
  const flags = kind === 'symlink' ? buf.readUInt32LE(16) : 0;
  const base = kind === 'symlink' ? 20 : 16;
  const text = (off: number, len: number) => buf.toString('utf16le', base + off, base + off + len);
  const substitute = text(subOff, subLen);
  const printName = text(printOff, printLen);
  const relative = kind === 'symlink' && (flags & SYMLINK_FLAG_RELATIVE) !== 0;
  return { tag, kind, target: relative ? substitute : stripLongPrefix(substitute), printName, relative };
}

/** The directory entry of a path as FindFirstFileW reports it: attributes, and the reparse tag (dwReserved0). */
export function findDataTag(w: Win32, p: string): { attributes: number; reparseTag: number; name: string } {
  const data = Buffer.alloc(WIN32_FIND_DATAW_SIZE);
  const h = w.raw.FindFirstFileW(win32Path(p), data);
  if (w.badHandle(h)) throw new Win32Error('FindFirstFileW', w.lastError(), p);
  w.raw.FindClose(h);
  const attributes = data.readUInt32LE(0);
  // dwReserved0 holds the reparse tag only when the entry is a reparse point.
  const reparseTag = attributes & FILE_ATTRIBUTE_REPARSE_POINT ? data.readUInt32LE(36) : 0;
  return { attributes, reparseTag, name: utf16z(data, 44, 520) };
}

/** Link count, volume serial and file index of an entry (not following a link). */
export function fileIdentity(w: Win32, p: string): { links: number; serial: number; index: bigint; attributes: number } {
  const h = openEntry(w, p);
  try {
    const info = Buffer.alloc(BY_HANDLE_FILE_INFORMATION_SIZE);
    if (!w.raw.GetFileInformationByHandle(h, info)) throw new Win32Error('GetFileInformationByHandle', w.lastError(), p);
    return {
      attributes: info.readUInt32LE(0),
      serial: info.readUInt32LE(28),
      links: info.readUInt32LE(40),
      index: (BigInt(info.readUInt32LE(44)) << 32n) | BigInt(info.readUInt32LE(48)),
    };
  } finally {
    w.raw.CloseHandle(h);
  }
}

/**
 * What a path Node calls a symbolic link really is, for NodeDiskReader and
 * NodeFs.lstat. A path that cannot be read natively stays a symlink (what
 * Node said) and its text comes from readlink.
 */
export function probeLink(w: Win32, p: string): { kind: ReparseKind; target?: string } {
  let info: ReparseInfo | null;
  try {
    info = readReparsePoint(w, p);
  } catch {
    try {
      const t = findDataTag(w, p).reparseTag;
      return { kind: t === 0 ? 'symlink' : kindOfTag(t) };
    } catch {
      return { kind: 'symlink' };
    }
  }
  if (!info) return { kind: 'symlink' };
  return info.target !== undefined && info.kind === 'junction' ? { kind: info.kind, target: info.target } : { kind: info.kind };
}
