import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { lstat, mkdir, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { AppendFile, JournalDisk } from '../journal/disk-port.js';
import { fsyncDir, fsyncDirSync, fsyncMadeLevels } from './durability.js';
import { writeFileAtomic } from './write-file.js';
import { createWhole, removeDeadTemps, removeIfStill } from './create-whole.js';
import { processAlive } from './process-alive.js';
import { readTextIfExists } from './read-text.js';
import {
  canonicalLockPaths,
  currentUser,
  ensureRegistry,
  folderPresence,
  newLockFileName,
  readLockFiles,
  removeLockFile,
  writeLockFile,
} from './path-locks.js';

/**
 * The journal's disk operations. Appends are synchronous; an append with
 * `sync` (the default) is fsync'd before it returns, so a journal line is
 * on disk before the step it announces begins. An append without `sync`
 * reaches the disk with the next synced append, `sync()` or `close()`
 * (fsync covers every earlier write of the file).
 */
export class JournalFile implements AppendFile {
  private fd: number;
  private unsynced = false;

  constructor(readonly file: string) {
    const isNew = !existsSync(file);
    this.fd = openSync(file, 'a+', 0o600);
    // A new journal's name must be on disk before any line in it counts: fsync reaches the file's data, not its folder entry.
    if (isNew) fsyncDirSync(path.dirname(file));
    // A line torn by a full disk or a power cut must stay a line of its own: the next one starts on a new line,
    // or it would be glued to the fragment and lost with it.
    const size = fstatSync(this.fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(this.fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) writeSync(this.fd, '\n');
    }
  }

  append(line: string, sync = true): void {
    const buf = Buffer.from(line + '\n', 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    this.unsynced = true;
    if (sync) this.sync();
  }

  sync(): void {
    if (!this.unsynced) return;
    fsyncSync(this.fd);
    this.unsynced = false;
  }

  close(): void {
    this.sync();
    closeSync(this.fd);
  }
}

/**
 * Creates a folder and any missing parents, each new name durable before
 * it returns (the folder holding each new level is fsync'd, deepest
 * first), so a journal inside survives a power cut. Nothing is synced when
 * the folder already existed.
 */
async function ensureDir(dir: string): Promise<void> {
  await fsyncMadeLevels(dir, await mkdir(dir, { recursive: true, mode: 0o700 }));
}

/**
 * Makes folder `dir` (its parents as ensureDir does), durable; false when
 * `dir` was there already, which the caller must not take for its own.
 */
async function makeNewDir(dir: string): Promise<boolean> {
  await ensureDir(path.dirname(dir));
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  await fsyncDir(path.dirname(dir));
  return true;
}

/** Whether anything is at `p` (never followed). */
async function pathTaken(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
}

/** The names in `dir`, or none when it is missing. */
async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Creates `file` only if it does not exist (the lock), whole or not at all (createWhole); false when it exists. */
async function createExclusive(file: string, content: string): Promise<boolean> {
  return createWhole(file, content, 0o600);
}

async function removeFile(file: string): Promise<void> {
  await unlink(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

/**
 * The journal's disk (src/journal/disk-port.ts) on node's fs: the state
 * folder's operations above and in create-whole.ts and write-file.ts, the
 * path-lock registry's in path-locks.ts. The one instance the CLI passes in.
 */
export const nodeJournalDisk: JournalDisk = {
  openAppend: (file) => new JournalFile(file),
  ensureDir,
  makeNewDir,
  pathTaken,
  readText: readTextIfExists,
  listDir,
  writeFileAtomic: (file, data) => writeFileAtomic(file, data),
  createExclusive,
  removeFile,
  removeIfStill,
  removeDeadTemps: (dir) => removeDeadTemps(dir),
  processAlive,
  ensureRegistry,
  canonicalLockPaths,
  newLockFileName,
  writeLockFile,
  readLockFiles,
  removeLockFile,
  folderPresence,
  currentUser,
};
