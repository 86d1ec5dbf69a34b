import { statSync } from 'node:fs';
import path from 'node:path';
import { realPathOf } from './mount-table.js';
import { volumeInfo } from './volumes.js';

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

/** Without a volume root from volumeInfo (macOS): the highest folder above `real` on the same device. */
function deviceTop(real: string, dev: number): string {
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

/** The drive of `existing` from the volume facts the planner reads too (volumes.ts: its root and statfs sizes). */
async function factsOf(existing: string, dev: number): Promise<DriveFacts | undefined> {
  const v = await volumeInfo(existing, dev);
  if (v.totalBytes === undefined || v.freeBytes === undefined) return undefined;
  const root = v.root ?? deviceTop(realPathOf(existing), dev);
  return {
    root,
    label: process.platform === 'win32' && /^[A-Za-z]:\\$/.test(root) ? root.slice(0, 2) : root,
    totalBytes: v.totalBytes,
    freeBytes: v.freeBytes,
  };
}

/**
 * The drive of an existing path (followed: a link's drive is where its
 * target is), or undefined when it or its size cannot be read. `cache`
 * keeps one answer per volume (by device) for one scan.
 */
export async function driveOf(existing: string, cache: Map<string, Promise<DriveFacts | undefined>>): Promise<DriveFacts | undefined> {
  let dev: number;
  try {
    dev = statSync(existing).dev;
  } catch {
    return undefined;
  }
  let facts = cache.get(String(dev));
  if (!facts) {
    facts = factsOf(existing, dev).catch(() => undefined);
    cache.set(String(dev), facts);
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
