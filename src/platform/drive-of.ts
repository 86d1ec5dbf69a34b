import { statSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { readMountTable, realPathOf } from './mount-table.js';
import { windowsVolumeKey } from './windows/native.js';

/**
 * The drive (volume) an existing path is on, as `relocate scan` shows it.
 * Invariants: `root` is the volume's root (`C:\` on Windows, the mount point
 * elsewhere), the same string for every path on that volume; the byte
 * counts are what statfs says now (free: what this user may still write).
 */
export interface DriveFacts {
  root: string;
  /** `C:` on Windows, the mount point elsewhere. */
  label: string;
  totalBytes: number;
  freeBytes: number;
}

/** The mount point of a real path on Linux (the longest point above it; of points stacked on one, the last mounted). */
function linuxMountPoint(real: string): string | undefined {
  const table = readMountTable();
  if (!table) return undefined;
  let best: string | undefined;
  for (const m of table) {
    const above = m.point === '/' || real === m.point || real.startsWith(`${m.point}/`);
    if (above && (best === undefined || m.point.length >= best.length)) best = m.point;
  }
  return best;
}

/** Without a mount table: the highest folder above `real` on the same device. */
function deviceTop(real: string): string {
  let dev: number;
  try {
    dev = statSync(real).dev;
  } catch {
    return path.parse(real).root;
  }
  let top = real;
  for (let up = path.dirname(real); up !== top; top = up, up = path.dirname(up)) {
    try {
      if (statSync(up).dev !== dev) break;
    } catch {
      break;
    }
  }
  return top;
}

/** Where the path's volume starts. */
async function volumeRoot(existing: string): Promise<string> {
  if (process.platform === 'win32') return (await windowsVolumeKey(existing)) ?? path.parse(path.resolve(existing)).root;
  const real = realPathOf(existing);
  return (process.platform === 'linux' ? linuxMountPoint(real) : undefined) ?? deviceTop(real);
}

/**
 * The drive of an existing path (followed: a link's drive is where its
 * target is), or undefined when its size cannot be read. `cache` keeps
 * one answer per volume root for one scan.
 */
export async function driveOf(existing: string, cache: Map<string, Promise<DriveFacts | undefined>>): Promise<DriveFacts | undefined> {
  const root = await volumeRoot(existing);
  let facts = cache.get(root);
  if (!facts) {
    facts = statfs(existing).then(
      (s) => ({
        root,
        label: process.platform === 'win32' && /^[A-Za-z]:\\$/.test(root) ? root.slice(0, 2) : root,
        totalBytes: Number(s.blocks) * Number(s.bsize),
        freeBytes: Number(s.bavail) * Number(s.bsize),
      }),
      () => undefined,
    );
    cache.set(root, facts);
  }
  return facts;
}

/** The drive a path would be on once created: that of its nearest existing folder. */
export async function driveOfFuture(p: string, cache: Map<string, Promise<DriveFacts | undefined>>): Promise<{ drive?: DriveFacts; existing?: string }> {
  for (let up = path.resolve(p); ; up = path.dirname(up)) {
    let exists = false;
    try {
      exists = statSync(up).isDirectory();
    } catch {
      // Not there yet: its parent decides.
    }
    if (exists) {
      const drive = await driveOf(up, cache);
      return { existing: up, ...(drive ? { drive } : {}) };
    }
    if (path.dirname(up) === up) return {};
  }
}
