/**
 * The scene disk (test/helpers/scene-disk.ts) on the in-memory POSIX disk:
 * the same scenes as on the real one, set through the disk's primitives
 * (never through the port under test), read back in snapshotTree's form so
 * "nothing changed" is checked alike on both.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { MTIME, sharedScene, type SceneDisk } from '../scene-disk.js';
import { MemDisk } from './disk.js';
import { memFsPort } from './port.js';
import { walkTree } from './walk.js';

const NS_PER_S = 1_000_000_000n;

/** snapshotTree's record of every node under the roots, read off the in-memory disk. */
export function memSnapshot(disk: MemDisk, ...roots: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of roots)
    for (const w of walkTree(disk, r)) {
      const n = w.node;
      const mode = (n.mode & 0o7777).toString(8);
      if (n.kind === 'file') {
        const hash = createHash('sha256').update(n.data).digest('hex').slice(0, 16);
        out[w.path] = `file ${n.data.length} ${mode} ${n.mtimeNs / 1_000_000n} ${hash}`;
      } else if (n.kind === 'dir') out[w.path] = `dir ${mode}`;
      else out[w.path] = `link ${n.text}`;
    }
  return out;
}

/**
 * A fresh in-memory POSIX disk (one volume at `/`) with the test's root
 * made on it. `disk` is exposed for what only memory can show (object
 * identity, handles).
 */
export function memScene(): SceneDisk & { disk: MemDisk } {
  const disk = new MemDisk({ flavour: 'posix', volumes: ['/'] });
  const node = (p: string) => {
    const n = disk.nodeAt(p);
    if (!n) throw new Error(`nothing at ${p}`);
    return n;
  };
  const prims = {
    dir(p: string): string {
      const missing: string[] = [];
      for (let q = p; !disk.nodeAt(q); q = path.dirname(q)) missing.unshift(q);
      for (const q of missing) disk.mkdir(q);
      return p;
    },
    file(p: string, content: string): string {
      prims.dir(path.dirname(p));
      const f = disk.createFile(p, Buffer.from(content));
      f.mtimeNs = f.atimeNs = BigInt(MTIME) * NS_PER_S;
      return p;
    },
    exists: (p: string) => disk.nodeAt(p) !== null,
    rename: (from: string, to: string) => disk.renameNoReplace(from, to),
  };
  const root = prims.dir('/tmp/relocate-precond');
  return {
    disk,
    root,
    ...prims,
    ...sharedScene(prims),
    port: () => memFsPort(disk),
    symlink(p, target) {
      prims.dir(path.dirname(p));
      disk.link(p, target, 'symlink', false, true);
    },
    hardlink: (existing, p) => disk.hardLink(existing, p),
    isFile: (p) => node(p).kind === 'file',
    read(p) {
      const n = disk.followed(p);
      if (n?.kind !== 'file') throw new Error(`no file at ${p}`);
      return n.data.toString('utf8');
    },
    remove(p) {
      for (const w of walkTree(disk, p).reverse()) w.node.kind === 'dir' ? disk.rmdir(w.path) : disk.unlink(w.path);
    },
    damage(p) {
      const n = node(p);
      if (n.kind !== 'file') throw new Error(`no file at ${p}`);
      const bytes = Buffer.from(n.data);
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      n.data = bytes; // in place, as a write of the same size would leave it: times kept
    },
    setTime(p, seconds) {
      const n = node(p);
      n.mtimeNs = n.atimeNs = BigInt(seconds) * NS_PER_S;
    },
    idOf(p) {
      const n = node(p);
      return `${n.vol.dev}:${n.ino}`;
    },
    // The in-memory disk never reuses an inode number: nothing to hold.
    pin: () => () => undefined,
    snap: (r) => memSnapshot(disk, r),
    dispose: () => undefined,
  };
}
