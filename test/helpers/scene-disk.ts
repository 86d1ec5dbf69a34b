/**
 * A test's own hands on a disk the port under test sees: to set a scene and
 * to look at it, never through the port under test (so a port bug cannot
 * hide itself). One implementation per disk: the real one here (node:fs on a
 * temporary folder), the in-memory POSIX one in mem-fs/scene-disk.ts, so one
 * table of scenes (test/exec/unit/step-preconditions.test.ts) runs on both.
 */
import {
  closeSync,
  linkSync,
  lstatSync,
  openSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FsPort } from '../../src/exec/fs-port.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { snapshotTree } from './snapshot.js';

/** Whole-second mtimes: copies keep them exactly. Every file a scene writes has it. */
export const MTIME = 1_700_000_000;

/**
 * A disk a scene is set on. Invariants: every path is absolute and under
 * `root` (made fresh, empty, by the factory; `dispose` removes it); nothing
 * here goes through a port from `port()`; `snap` gives equal records for
 * trees a user cannot tell apart (kind, size, mode, mtime to the
 * millisecond, content hash, link text), keyed by absolute path, in the
 * same form on every disk.
 */
export interface SceneDisk {
  readonly root: string;
  /** A new port on this disk (a port of its own holds no listing of another's). */
  port(): FsPort;
  /** Files by relative path (their folders made as needed), all with MTIME; returns `base`. */
  tree(base: string, files: Record<string, string>): string;
  /** A file (its folders made as needed) with MTIME; returns `p`. */
  file(p: string, content: string): string;
  /** A folder and the folders above it. */
  dir(p: string): string;
  symlink(p: string, target: string): void;
  hardlink(existing: string, p: string): void;
  exists(p: string): boolean;
  isFile(p: string): boolean;
  read(p: string): string;
  /** Removes what is at `p`, a folder with all it holds. */
  remove(p: string): void;
  /** Renames to a free name. */
  rename(from: string, to: string): void;
  /** Takes what is at `p` away, keeping it at `<p>.kept` (a path no step names). */
  takeAway(p: string): void;
  /** Puts a new thing at `p`, made beside it first so it cannot reuse the inode of what was there (kept at `<p>.kept`). */
  replace(p: string, make: (at: string) => void): void;
  /** Changes one byte of a file, keeping its size and times: only a content check sees it. */
  damage(p: string): void;
  /** Sets a file's mtime (and atime), in whole seconds. */
  setTime(p: string, seconds: number): void;
  /** `dev:ino` of what is at `p` (not followed): what an identity check compares. */
  idOf(p: string): string;
  /**
   * Holds the file at `p` open until the returned function is called, so its
   * inode stays allocated even if it is deleted: a file made meanwhile cannot
   * reuse its number and pass an identity check by chance.
   */
  pin(p: string): () => void;
  snap(root: string): Record<string, string>;
  dispose(): void;
}

/** The parts every disk shares, built on its primitives. */
export function sharedScene(d: Pick<SceneDisk, 'file' | 'dir' | 'exists' | 'rename'>): Pick<SceneDisk, 'tree' | 'takeAway' | 'replace'> {
  const takeAway = (p: string) => d.rename(p, `${p}.kept`);
  return {
    tree(base, files) {
      d.dir(base);
      for (const [rel, content] of Object.entries(files)) d.file(path.join(base, rel), content);
      return base;
    },
    takeAway,
    replace(p, make) {
      const fresh = `${p}.fresh`;
      make(fresh);
      if (d.exists(p)) takeAway(p);
      d.rename(fresh, p);
    },
  };
}

/** The real disk: a fresh temporary folder, NodeFs as the port. */
export function realScene(): SceneDisk {
  const root = mkdtempSync(path.join(os.tmpdir(), 'relocate-precond-'));
  const prims = {
    file(p: string, content: string): string {
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, content);
      utimesSync(p, MTIME, MTIME);
      return p;
    },
    dir(p: string): string {
      mkdirSync(p, { recursive: true });
      return p;
    },
    exists(p: string): boolean {
      try {
        lstatSync(p);
        return true;
      } catch {
        return false;
      }
    },
    rename(from: string, to: string): void {
      renameSync(from, to);
    },
  };
  return {
    root,
    ...prims,
    ...sharedScene(prims),
    port: () => new NodeFs(),
    symlink(p, target) {
      mkdirSync(path.dirname(p), { recursive: true });
      symlinkSync(target, p);
    },
    hardlink: (existing, p) => linkSync(existing, p),
    isFile: (p) => lstatSync(p).isFile(),
    read: (p) => readFileSync(p, 'utf8'),
    remove: (p) => rmSync(p, { recursive: true }),
    damage(p) {
      const bytes = readFileSync(p);
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      writeFileSync(p, bytes);
      utimesSync(p, MTIME, MTIME);
    },
    setTime: (p, seconds) => utimesSync(p, seconds, seconds),
    idOf(p) {
      const s = lstatSync(p, { bigint: true });
      return `${s.dev}:${s.ino}`;
    },
    pin(p) {
      const fd = openSync(p, 'r');
      return () => closeSync(fd);
    },
    snap: (r) => snapshotTree(r),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
