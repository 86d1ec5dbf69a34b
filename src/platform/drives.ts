import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { driveOf, type DriveFacts } from './drive-of.js';
import { readMountTable } from './mount-table.js';
import { isPseudoFsName } from './pseudo-fs.js';

/**
 * The volumes a person would call drives, for `relocate gui`'s "drives and
 * free space" screen: facts only, never a rule (what may move where is the
 * planner's answer). The rows are scan's DriveFacts (drive-of.ts: the drive
 * of one path); this lists them all. Invariant: one row per volume
 * (device), each with the path it is mounted at, sizes from statfs (bytes
 * available to this user, as the free-space check counts them).
 */
export type { DriveFacts };

/** File systems that hold no user data worth a row (images, overlays of containers, snaps). */
const NOT_A_DRIVE = /^(squashfs|overlay|iso9660|nsfs|fuse\.snapfuse|fuse\.portal|fuse\.gvfsd-fuse|ramfs)$/;

/** The drives of this machine: Windows drive letters, Linux's mount table without pseudo file systems, macOS's `/` and `/Volumes/*`. */
export async function listDrives(): Promise<DriveFacts[]> {
  // Each candidate's facts as scan reads them (drive-of.ts), one row per volume.
  const cache = new Map<string, Promise<DriveFacts | undefined>>();
  if (process.platform === 'win32') {
    const rows = await Promise.all([...'CDEFGHIJKLMNOPQRSTUVWXYZ'].map((letter) => driveOf(`${letter}:\\`, cache)));
    return unique(rows);
  }
  const candidates: string[] = [];
  const table = readMountTable();
  if (table) {
    for (const m of table) {
      if (isPseudoFsName(m.fsType) || NOT_A_DRIVE.test(m.fsType) || (m.fsType === 'tmpfs' && m.point !== '/tmp')) continue;
      if (
        m.point.startsWith('/proc') ||
        m.point.startsWith('/sys') ||
        m.point.startsWith('/dev') ||
        m.point.startsWith('/run') ||
        m.point.startsWith('/snap/') ||
        m.point.startsWith('/boot/efi')
      )
        continue;
      candidates.push(m.point);
    }
  } else {
    candidates.push('/');
    if (process.platform === 'darwin') {
      const names = await readdir('/Volumes').catch(() => [] as string[]);
      for (const n of names) candidates.push(path.join('/Volumes', n));
    }
  }
  const rows: (DriveFacts | undefined)[] = [];
  for (const c of candidates) rows.push(await driveOf(c, cache));
  return unique(rows);
}

/** The rows of distinct volumes, in order (a volume mounted at two points is answered once, by the cache, with one root). */
function unique(rows: (DriveFacts | undefined)[]): DriveFacts[] {
  const out: DriveFacts[] = [];
  for (const r of rows) if (r && r.totalBytes > 0 && !out.includes(r)) out.push(r);
  return out;
}
