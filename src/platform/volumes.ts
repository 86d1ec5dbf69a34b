import { isFatFamily } from '../core/name-rules.js';
import { readFileSync } from 'node:fs';
import { realpath, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { VolumeInfo } from '../state/types.js';
import { wayFor } from './durability.js';
import { nativeSyncfs } from './native/syncfs.js';
import { isPseudoFsName, pseudoFsOfMagic } from './pseudo-fs.js';
import { windowsVolume, windowsVolumeKey } from './windows/native.js';

/** One line of /proc/self/mounts, the facts relocate needs. */
interface MountLine {
  point: string;
  fsType: string;
  readOnly: boolean;
}

const REMOTE_FS = /^(nfs4?|cifs|smb3?|smbfs|afs|9p|fuse\.sshfs|sshfs|davfs|ncpfs|glusterfs|ceph)$/;

let mountsCache: MountLine[] | null | undefined;

/** Linux only: the mount table, read once per process (it is small and cheap). */
function mounts(): MountLine[] | null {
  if (mountsCache !== undefined) return mountsCache;
  try {
    const text = readFileSync('/proc/self/mounts', 'utf8');
    mountsCache = text
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [, point = '/', fsType = '', opts = ''] = l.split(' ');
        return { point: point.replace(/\\040/g, ' ').replace(/\\011/g, '\t').replace(/\\134/g, '\\'), fsType, readOnly: opts.split(',').includes('ro') };
      })
      // Longest mount point first; among mounts stacked on one point, the last mounted (the one
      // visible) first: the file lists mounts in mount order and the sort is stable.
      .reverse()
      .sort((a, b) => b.point.length - a.point.length);
  } catch {
    mountsCache = null;
  }
  return mountsCache;
}

/** Forget the cached mount table (tests mount tmpfs on the fly). */
export function resetVolumeCache(): void {
  mountsCache = undefined;
}

function mountOf(p: string): MountLine | undefined {
  const table = mounts();
  if (!table) return undefined;
  return table.find((m) => p === m.point || p.startsWith(m.point.endsWith('/') ? m.point : m.point + '/'));
}

/**
 * What volumes are cached and compared by: on Windows the volume path name
 * (`C:\`, a mount folder, `\\server\share\`) from the native layer;
 * undefined elsewhere, where lstat's `dev` is the identity.
 */
export async function volumeKey(existingPath: string): Promise<string | undefined> {
  return process.platform === 'win32' ? windowsVolumeKey(existingPath) : undefined;
}

/** The allocation unit and, where the volume has a fixed inode table, how many more files and folders it can hold. */
function blockFacts(s: { bsize: number | bigint; files: number | bigint; ffree: number | bigint }): Pick<VolumeInfo, 'blockSize' | 'freeInodes'> {
  const bsize = Number(s.bsize);
  return {
    ...(bsize > 0 ? { blockSize: bsize } : {}),
    ...(Number(s.files) > 0 ? { freeInodes: Number(s.ffree) } : {}),
  };
}

/**
 * Facts about the volume holding an existing path. `dev` (from lstat) is
 * the identity; free space from statfs; on Linux the mount table gives the
 * file system name, read-only and network mounts. On Windows the native
 * layer (src/platform/windows/volume.ts) answers everything, with the
 * volume path name as the id; without it only `dev` and statfs are known.
 * What cannot be known is left out.
 */
export async function volumeInfo(existingPath: string, dev: number | bigint): Promise<VolumeInfo> {
  if (process.platform === 'win32') {
    const w = await windowsVolume(existingPath);
    if (w) {
      const s = await statfs(existingPath).catch(() => undefined);
      if (s) {
        if (w.freeBytes === undefined) w.freeBytes = Number(s.bavail) * Number(s.bsize);
        if (w.totalBytes === undefined && Number(s.blocks) > 0) w.totalBytes = Number(s.blocks) * Number(s.bsize);
        // libuv gives the cluster size as bsize on Windows; NTFS has no fixed inode table (files 0).
        Object.assign(w, blockFacts(s));
      }
      w.durability = wayFor(undefined, false);
      return w;
    }
  }
  const v: VolumeInfo = { id: String(dev) };
  let magic: number | undefined;
  try {
    const s = await statfs(existingPath);
    v.freeBytes = Number(s.bavail) * Number(s.bsize);
    if (Number(s.blocks) > 0) v.totalBytes = Number(s.blocks) * Number(s.bsize);
    Object.assign(v, blockFacts(s));
    magic = Number(s.type);
  } catch {
    // statfs is missing on some platforms; free space then stays unknown.
  }
  v.durability = wayFor(magic, (await nativeSyncfs()) !== null);
  if (process.platform === 'linux') {
    // The mount table names real paths: a path reached through a symlinked folder is looked up
    // where it really is (statfs and the dev already follow the link).
    const real = await realpath(existingPath).catch(() => path.resolve(existingPath));
    const m = mountOf(real);
    if (m) {
      v.root = m.point;
      v.fsType = m.fsType;
      v.readOnly = m.readOnly;
      v.remote = REMOTE_FS.test(m.fsType);
      if (isFatFamily(m.fsType)) {
        v.supportsReparsePoints = false;
        v.supportsHardLinks = false;
      }
      if (isPseudoFsName(m.fsType)) v.pseudo = true;
    }
    // statfs's f_type names most pseudo file systems too: it answers without a mount table, and
    // for a mount made after the table was cached (its longest-prefix match is then the folder below).
    const byMagic = magic === undefined ? undefined : pseudoFsOfMagic(magic);
    if (byMagic) {
      v.pseudo = true;
      if (!v.fsType || !isPseudoFsName(v.fsType)) v.fsType = byMagic;
    }
  }
  return v;
}
