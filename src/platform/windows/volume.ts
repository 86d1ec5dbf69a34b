/**
 * Volume facts on Windows: which volume a path is on (GetVolumePathNameW:
 * `C:\`, a mounted folder such as `C:\mnt\data\`, or `\\server\share\`),
 * what its file system can hold (GetVolumeInformationW flags and name),
 * whether it is a network drive (GetDriveTypeW) and its free space
 * (GetDiskFreeSpaceExW).
 *
 * The volume id is the volume path name, upper-cased. Two names for one
 * volume (a `subst` drive, a second mount point) then count as two volumes:
 * relocate copies and verifies where a rename would have done, which is
 * slower but never wrong; the reverse mistake could not happen.
 */
import { Buffer } from 'node:buffer';
import type { VolumeInfo } from '../../state/types.js';
import { Win32Error } from './reparse.js';
import type { Win32 } from './win32.js';
import { stripLongPrefix, utf16z, win32Path } from './win32.js';

export const FILE_SUPPORTS_REPARSE_POINTS = 0x00000080;
export const FILE_READ_ONLY_VOLUME = 0x00080000;
export const FILE_SUPPORTS_HARD_LINKS = 0x00400000;

export const DRIVE_UNKNOWN = 0;
export const DRIVE_NO_ROOT_DIR = 1;
export const DRIVE_REMOVABLE = 2;
export const DRIVE_FIXED = 3;
export const DRIVE_REMOTE = 4;
export const DRIVE_CDROM = 5;
export const DRIVE_RAMDISK = 6;

const MAX_PATH_CHARS = 32768;

/** File systems that cannot hold junctions, whatever flags they report. */
const NO_JUNCTION_FS = /^(fat|fat12|fat16|fat32|vfat|exfat)$/i;

/** The root of the volume holding an existing path, e.g. `C:\` (with a trailing backslash). */
export function volumePathName(w: Win32, p: string): string {
  const buf = Buffer.alloc(MAX_PATH_CHARS * 2);
  if (!w.raw.GetVolumePathNameW(win32Path(p), buf, MAX_PATH_CHARS)) throw new Win32Error('GetVolumePathNameW', w.lastError(), p);
  return stripLongPrefix(utf16z(buf));
}

export interface RawVolumeFacts {
  root: string;
  label: string;
  serial: number;
  flags: number;
  fsName: string;
  driveType: number;
  freeBytes?: number;
  totalBytes?: number;
}

/** Everything the Win32 calls say about the volume of an existing path. */
export function rawVolumeFacts(w: Win32, existingPath: string): RawVolumeFacts {
  const root = volumePathName(w, existingPath);
  const label = Buffer.alloc(261 * 2);
  const fsName = Buffer.alloc(261 * 2);
  const serial = [0];
  const maxComponent = [0];
  const flags = [0];
  const facts: RawVolumeFacts = { root, label: '', serial: 0, flags: 0, fsName: '', driveType: w.raw.GetDriveTypeW(root) };
  if (w.raw.GetVolumeInformationW(win32Path(root), label, 261, serial, maxComponent, flags, fsName, 261)) {
    facts.label = utf16z(label);
    facts.serial = serial[0] >>> 0;
    facts.flags = flags[0] >>> 0;
    facts.fsName = utf16z(fsName);
  }
  const free: (number | bigint)[] = [0];
  const total: (number | bigint)[] = [0];
  const totalFree: (number | bigint)[] = [0];
  if (w.raw.GetDiskFreeSpaceExW(win32Path(existingPath), free as number[], total as number[], totalFree as number[])) {
    facts.freeBytes = Number(free[0]);
    facts.totalBytes = Number(total[0]);
  }
  return facts;
}

/** The id NodeDiskReader caches volumes by (see the module comment). */
export function volumeId(root: string): string {
  return root.toUpperCase();
}

/** VolumeInfo from the raw facts; what a call could not say is left out. */
export function toVolumeInfo(f: RawVolumeFacts): VolumeInfo {
  const v: VolumeInfo = { id: volumeId(f.root), root: f.root };
  if (f.freeBytes !== undefined) v.freeBytes = f.freeBytes;
  if (f.totalBytes !== undefined) v.totalBytes = f.totalBytes;
  if (f.driveType === DRIVE_REMOTE) v.remote = true;
  else if (f.driveType !== DRIVE_UNKNOWN && f.driveType !== DRIVE_NO_ROOT_DIR) v.remote = false;
  if (f.fsName) {
    v.fsType = f.fsName.toLowerCase();
    v.readOnly = (f.flags & FILE_READ_ONLY_VOLUME) !== 0 || f.driveType === DRIVE_CDROM;
    v.supportsReparsePoints = (f.flags & FILE_SUPPORTS_REPARSE_POINTS) !== 0 && !NO_JUNCTION_FS.test(f.fsName);
    v.supportsHardLinks = (f.flags & FILE_SUPPORTS_HARD_LINKS) !== 0;
  }
  return v;
}

export function windowsVolumeInfo(w: Win32, existingPath: string): VolumeInfo {
  return toVolumeInfo(rawVolumeFacts(w, existingPath));
}
