/**
 * What a Windows attribute word means for a copy across volumes, decoded
 * without touching a disk (so it is unit-tested on every OS): which bits the
 * copy keeps, and which files it must refuse at plan time. Also the decoding
 * of FindFirstStreamW/FindNextStreamW records and the robocopy-style choice
 * of how much of the security descriptor a copy keeps.
 */
import { Buffer } from 'node:buffer';

/** FILE_ATTRIBUTE_* (winnt.h) relocate acts on. */
export const FileAttribute = {
  READONLY: 0x1,
  HIDDEN: 0x2,
  SYSTEM: 0x4,
  DIRECTORY: 0x10,
  ARCHIVE: 0x20,
  NORMAL: 0x80,
  REPARSE_POINT: 0x400,
  COMPRESSED: 0x800,
  OFFLINE: 0x1000,
  NOT_CONTENT_INDEXED: 0x2000,
  ENCRYPTED: 0x4000,
  RECALL_ON_OPEN: 0x40000,
  RECALL_ON_DATA_ACCESS: 0x400000,
} as const;

/** GetFileAttributesW's failure value. */
export const INVALID_FILE_ATTRIBUTES = 0xffffffff;

/** The bits a copy gives back with SetFileAttributesW (robocopy's /COPY:A set). */
export const KEPT_ATTRIBUTES = FileAttribute.READONLY | FileAttribute.HIDDEN | FileAttribute.SYSTEM | FileAttribute.ARCHIVE | FileAttribute.NOT_CONTENT_INDEXED;

/** Bits that say the data is not on this disk: reading it makes the cloud provider download it. */
const PLACEHOLDER_BITS = FileAttribute.RECALL_ON_DATA_ACCESS | FileAttribute.RECALL_ON_OPEN | FileAttribute.OFFLINE;

/**
 * Why a node cannot be copied to another volume, or undefined.
 * - 'cloud-placeholder': a OneDrive (or other cloud-files) placeholder;
 *   reading it downloads it, so copying a synced folder would download all
 *   of it, and the copy would no longer be a placeholder.
 * - 'encrypted': EFS; a plain read gives the clear text, so a copy would be
 *   decrypted (relocate does not copy raw EFS data).
 * A placeholder is named before encryption: it is the cause users can act on first.
 */
export type WindowsRefusal = 'cloud-placeholder' | 'encrypted';

export function refusalOf(attributes: number): WindowsRefusal | undefined {
  if (attributes === INVALID_FILE_ATTRIBUTES) return undefined;
  if ((attributes & PLACEHOLDER_BITS) !== 0) return 'cloud-placeholder';
  if ((attributes & FileAttribute.ENCRYPTED) !== 0) return 'encrypted';
  return undefined;
}

/**
 * The kept bits of a node that a new node of its kind would not get by
 * itself (files are made with ARCHIVE, folders with nothing), or undefined
 * when there are none: only those are recorded, so most nodes carry no
 * attribute word and the verify reads the copy's only where it must.
 * COMPRESSED is recorded too: the copy is compressed like the original.
 */
export function attributesToKeep(attributes: number, isDir: boolean): number | undefined {
  if (attributes === INVALID_FILE_ATTRIBUTES || (attributes & FileAttribute.REPARSE_POINT) !== 0) return undefined;
  const word = attributes & (KEPT_ATTRIBUTES | FileAttribute.COMPRESSED);
  return word === (isDir ? 0 : FileAttribute.ARCHIVE) ? undefined : word;
}

/** The word SetFileAttributesW takes for kept bits: FILE_ATTRIBUTE_NORMAL alone stands for none. */
export function setAttributesWord(kept: number): number {
  const word = kept & KEPT_ATTRIBUTES;
  return word === 0 ? FileAttribute.NORMAL : word;
}

/** WIN32_FIND_STREAM_DATA: LARGE_INTEGER StreamSize, then WCHAR cStreamName[MAX_PATH + 36]. */
export const FIND_STREAM_DATA_SIZE = 8 + (260 + 36) * 2;

/**
 * The name of an alternate data stream from a FindFirstStreamW record's
 * `:name:$DATA`, or undefined for the file's own data (`::$DATA`) and for
 * stream types other than data (the API lists only $DATA ones today).
 */
export function streamNameOf(full: string): string | undefined {
  const m = /^:([^:]*):\$DATA$/i.exec(full);
  if (!m || m[1] === '') return undefined;
  return m[1];
}

/** Decodes one WIN32_FIND_STREAM_DATA record. */
export function decodeFindStreamData(buf: Buffer): { size: bigint; name: string } {
  let end = 8;
  while (end + 1 < buf.length && (buf[end] !== 0 || buf[end + 1] !== 0)) end += 2;
  return { size: buf.readBigInt64LE(0), name: buf.toString('utf16le', 8, end) };
}

/**
 * How much of the security descriptor a copy keeps, as robocopy decides:
 * owner, group and DACL (/COPY:DATSO) when the caller may read and set any
 * of them — SeBackupPrivilege and SeRestorePrivilege, which elevated
 * administrators and Backup Operators hold — else none (/COPY:DAT): the
 * copies get the permissions the destination folder passes on.
 */
export type SecurityCopy = 'owner-dacl' | 'none';

export function securityCopyFor(held: { backup: boolean; restore: boolean }): SecurityCopy {
  return held.backup && held.restore ? 'owner-dacl' : 'none';
}

/** The pseudo attribute names under which the Windows keeper carries what it keeps (see keep-meta-win.ts). */
export const WIN_ATTRIBUTES = 'win.attributes';
export const WIN_SECURITY = 'win.security';
export const WIN_STREAM_PREFIX = 'win.stream:';

/** Says which kept thing a pseudo attribute is, for people. */
export function windowsAttributeLabel(name: string): string {
  if (name === WIN_ATTRIBUTES) return 'the file attributes (hidden, system, read-only, archive, not-content-indexed, compressed)';
  if (name === WIN_SECURITY) return 'the owner and permissions (security descriptor)';
  if (name.startsWith(WIN_STREAM_PREFIX)) return `the alternate data stream ${name.slice(WIN_STREAM_PREFIX.length)}`;
  return name;
}

/** A pseudo attribute word as bytes (4, little-endian), and back. */
export function attributesValue(word: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(word >>> 0);
  return b;
}

export function attributesFromValue(b: Buffer): number {
  return b.length >= 4 ? b.readUInt32LE(0) : 0;
}
