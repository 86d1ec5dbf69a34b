import { lstatSync, readlinkSync, type BigIntStats, type Stats } from 'node:fs';
import type { NodeKind } from '../tree-listing.js';
import { fsError } from './errno-codes.js';

/**
 * lstat, or null when nothing is there. Synchronous underneath, like the
 * other single-path reads the executor makes one at a time (lstat,
 * linkDestination, missingDirs): a thread-pool round trip costs more than
 * the call, and on a busy machine each one also waits for the scheduler
 * (a 1,000-link apply spent most of its time idle in them).
 */
export async function lstatOrNull(p: string): Promise<BigIntStats | null> {
  try {
    // throwIfNoEntry: absent is a common answer here, and the ENOENT error object costs more than the call.
    return lstatSync(p, { bigint: true, throwIfNoEntry: false }) ?? null;
  } catch (err) {
    const c = (err as NodeJS.ErrnoException).code;
    // A name too long to exist is absent (an undo must not stall on a staging name that could never be made).
    if (c === 'ENOENT' || c === 'ENOTDIR' || c === 'ENAMETOOLONG') return null;
    throw fsError(err, p, 'reading');
  }
}

/**
 * `dev:ino` of a path (not followed), exact; undefined when it cannot be
 * read or the file system has no stable inode numbers (0, as FAT volumes
 * can report on Windows): then nothing is reused.
 */
export function rootIdentity(p: string): string | undefined {
  try {
    const s = lstatSync(p, { bigint: true });
    if (s.ino === 0n) return undefined;
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/** What an lstat (never followed) found. */
export function kindOf(s: Stats | BigIntStats): NodeKind {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isDirectory()) return 'dir';
  if (s.isFile()) return 'file';
  return 'other';
}

/** readlink, synchronous (see lstatOrNull); errors carry the path. */
export function readlinkOf(p: string): string {
  try {
    return readlinkSync(p);
  } catch (err) {
    throw fsError(err, p, 'reading');
  }
}
