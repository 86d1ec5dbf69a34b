import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { Durability } from '../state/types.js';
import { FS_MAGIC, fsMagic } from './fs-magic.js';
import { nativeSyncfs } from './native/syncfs.js';

/**
 * File systems whose syncfs(2) writes back every dirty file, inode and
 * folder entry, by statfs f_type (linux/magic.h). Everywhere else syncfs
 * may return 0 having written nothing: on FUSE (mergerfs, sshfs, rclone,
 * gocryptfs, ntfs-3g) the kernel has no sync_fs for it and current kernels
 * do not ask the daemon, so a power cut after relocate deleted the original
 * would lose the copy. tmpfs is listed because durability is moot there
 * (a reboot loses it anyway) and its syncfs costs nothing.
 */
const SYNCFS_HONOURED = new Map<number, string>([
  [FS_MAGIC.ext, 'ext2/3/4'],
  [FS_MAGIC.xfs, 'xfs'],
  [FS_MAGIC.btrfs, 'btrfs'],
  [FS_MAGIC.f2fs, 'f2fs'],
  [FS_MAGIC.tmpfs, 'tmpfs'],
]);

/** The way a copy into `dir`'s volume is made durable (see Durability in src/state/types.ts: 'syncfs' only where SYNCFS_HONOURED has the volume's type). */
export async function durabilityWay(dir: string): Promise<Durability> {
  if (process.platform === 'win32') return wayFor(undefined, false);
  const syncfs = await nativeSyncfs();
  let type: number | bigint | undefined;
  try {
    type = (await statfs(dir)).type;
  } catch {
    // Unknown type: not trusted.
  }
  return wayFor(type, syncfs !== null);
}

/** The way for a volume of statfs type `fType` (undefined: unknown), given whether syncfs can be called here at all. */
export function wayFor(fType: number | bigint | undefined, syncfsAvailable: boolean): Durability {
  if (process.platform === 'win32') return { way: 'fsync', why: 'a flush of every copied file (FlushFileBuffers; NTFS journals folder entries itself)' };
  if (!syncfsAvailable) return { way: 'fsync', why: 'an fsync of every copied file and folder (syncfs needs Linux 5.8 or later and the native layer)' };
  const t = fType === undefined ? undefined : fsMagic(fType);
  if (t !== undefined && SYNCFS_HONOURED.has(t)) return { way: 'syncfs', why: `one syncfs of the volume (${SYNCFS_HONOURED.get(t)} honours it)` };
  const which =
    t === undefined
      ? 'its file system is unknown'
      : `its file system (statfs type 0x${t.toString(16)}) is not known to honour syncfs: FUSE and network file systems may ignore it`;
  return { way: 'fsync', why: `an fsync of every copied file and folder (${which})` };
}

/**
 * The errnos an fsync of a folder may return on a file system that simply
 * cannot sync folders (some FUSE and network file systems, old kernels):
 * there the folder's names are as durable as that file system makes them,
 * and nothing relocate could do would change it. Any other error (EIO
 * above all: a failed write-back) means names may not be on disk, and the
 * step that needed them must fail.
 */
// EBADF: some systems refuse fsync through a read-only descriptor, the only kind a folder can be opened as.
const FOLDER_SYNC_UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EBADF']);

/** Whether a folder fsync's error means "this file system does not sync folders" (ignored) rather than a failure. */
export function folderSyncUnsupported(code: string | undefined): boolean {
  return code !== undefined && FOLDER_SYNC_UNSUPPORTED.has(code);
}

/**
 * Makes the names in a folder durable: fsync of the folder. Windows cannot
 * open a folder for fsync, and NTFS journals its metadata itself. An error
 * that means "not supported here" is ignored; any other is thrown.
 */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    if (!folderSyncUnsupported((err as NodeJS.ErrnoException).code)) throw err;
  } finally {
    await fh.close();
  }
}

/** fsyncDir, synchronously: for the tree walks that run as synchronous slices (src/platform/fs/). */
export function fsyncDirSync(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch (err) {
    if (!folderSyncUnsupported((err as NodeJS.ErrnoException).code)) throw err;
  } finally {
    closeSync(fd);
  }
}

/**
 * After `mkdir(dir, { recursive: true })` made `first` (what it returns) and
 * the levels below it down to `dir`: fsyncs each new level and the folder
 * holding it, deepest first, so every new name is durable. Nothing when
 * `first` is undefined (the folder was there).
 */
export async function fsyncMadeLevels(dir: string, first: string | undefined): Promise<void> {
  if (first === undefined) return;
  const stop = path.resolve(first);
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    await fsyncDir(d);
    await fsyncDir(path.dirname(d));
    if (d === stop || path.dirname(d) === d) break;
  }
}
