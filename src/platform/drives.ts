import { readdir, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { DriveFacts } from './drive-of.js';
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

async function sizes(root: string): Promise<{ totalBytes: number; freeBytes: number } | undefined> {
  try {
    const s = await statfs(root);
    const totalBytes = Number(s.blocks) * Number(s.bsize);
    return totalBytes > 0 ? { totalBytes, freeBytes: Number(s.bavail) * Number(s.bsize) } : undefined;
  } catch {
    return undefined;
  }
}

/** The drives of this machine: Windows drive letters, Linux's mount table without pseudo file systems, macOS's `/` and `/Volumes/*`. */
export async function listDrives(): Promise<DriveFacts[]> {
  if (process.platform === 'win32') {
    const rows = await Promise.all(
      [...'CDEFGHIJKLMNOPQRSTUVWXYZ'].map(async (letter) => {
        const root = `${letter}:\\`;
        const s = await sizes(root);
        return s ? { root, label: `${letter}:`, ...s } : undefined;
      }),
    );
    return rows.filter((r): r is DriveFacts => r !== undefined);
  }
  const candidates: { point: string; fsType?: string }[] = [];
  const table = readMountTable();
  if (table) {
    for (const m of table) {
      if (isPseudoFsName(m.fsType) || NOT_A_DRIVE.test(m.fsType) || m.fsType === 'tmpfs' && m.point !== '/tmp') continue;
      if (m.point.startsWith('/proc') || m.point.startsWith('/sys') || m.point.startsWith('/dev') || m.point.startsWith('/run') || m.point.startsWith('/snap/') || m.point.startsWith('/boot/efi')) continue;
      candidates.push({ point: m.point, fsType: m.fsType });
    }
  } else {
    candidates.push({ point: '/' });
    if (process.platform === 'darwin') {
      const names = await readdir('/Volumes').catch(() => [] as string[]);
      for (const n of names) candidates.push({ point: path.join('/Volumes', n) });
    }
  }
  const seen = new Set<string>();
  const out: DriveFacts[] = [];
  for (const c of candidates) {
    const dev = await stat(c.point).then((s) => String(s.dev)).catch(() => undefined);
    if (dev === undefined || seen.has(dev)) continue;
    const s = await sizes(c.point);
    if (!s) continue;
    seen.add(dev);
    out.push({ root: c.point, label: c.point, ...s });
  }
  return out;
}
