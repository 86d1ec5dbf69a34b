import { createHash } from 'node:crypto';
import { chmodSync, linkSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mountTmpfs, type TmpfsMount } from './tmpfs.js';
import { eachNode, fileHash, relocateNamed } from './walk-tree.js';

/**
 * The crash tests' sandbox: two tmpfs volumes (A holds the data and the
 * links, B is the other volume), a manifest with three entries (a
 * cross-volume move of a rich tree, a same-volume move, a create; with
 * `retarget`, a fourth: an entry applied before, its link to an old target
 * on A, whose manifest target is now on B) and a fresh state directory. Everything is deterministic (seeded bytes, fixed
 * modes and mtimes), so two sandboxes built alike snapshot alike.
 */

/** mulberry32: a small seeded PRNG, so a failing case can be rebuilt byte for byte. */
export function seededBytes(seed: number, n: number): Buffer {
  let a = seed >>> 0;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i += 4) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const v = (t ^ (t >>> 14)) >>> 0;
    out[i] = v & 0xff;
    if (i + 1 < n) out[i + 1] = (v >>> 8) & 0xff;
    if (i + 2 < n) out[i + 2] = (v >>> 16) & 0xff;
    if (i + 3 < n) out[i + 3] = (v >>> 24) & 0xff;
  }
  return out;
}

/** One node of a tree to build. Paths are relative with '/'; parents come before children. */
export type TreeSpec =
  | { rel: string; kind: 'dir'; mode: number; mtime: number }
  | { rel: string; kind: 'file'; data: Buffer; mode: number; mtime: number }
  | { rel: string; kind: 'hardlink'; of: string }
  /** `text` may contain `{outside}`, replaced by the sandbox's folder outside the tree. */
  | { rel: string; kind: 'symlink'; text: string };

/** Seconds since the epoch, with a fraction, fixed per node: copies must keep it to the millisecond. */
export function when(i: number): number {
  return 1_600_000_000 + i * 3_601 + 0.25;
}

/**
 * The moved tree: three levels of folders, 3 files of about 1 MiB of seeded
 * random bytes, 30 small files, a relative symlink, an absolute symlink to a
 * folder outside the tree, a hard-linked pair, an empty folder, and a few
 * unusual modes.
 */
export function gamesSpec(): TreeSpec[] {
  return (gamesMemo ??= makeGamesSpec());
}
let gamesMemo: TreeSpec[] | undefined;

function makeGamesSpec(): TreeSpec[] {
  const s: TreeSpec[] = [];
  let i = 0;
  const dir = (rel: string, mode = 0o755) => s.push({ rel, kind: 'dir', mode, mtime: when(i++) });
  const file = (rel: string, size: number, mode = 0o644) => s.push({ rel, kind: 'file', data: seededBytes(0x5eed + i * 7919, size), mode, mtime: when(i++) });
  dir('');
  dir('levels');
  dir('levels/world1', 0o750);
  dir('levels/world1/deep');
  dir('saves', 0o700);
  dir('empty');
  file('big-1.pak', 1024 * 1024);
  file('levels/big-2.pak', 1024 * 1024 + 4099);
  file('levels/world1/deep/big-3.pak', 1024 * 1024 - 17, 0o600);
  for (let k = 0; k < 30; k++) {
    const where = ['', 'levels/', 'levels/world1/', 'levels/world1/deep/', 'saves/'][k % 5]!;
    file(`${where}small-${String(k).padStart(2, '0')}.dat`, 1 + ((k * 977) % 6000), k % 7 === 0 ? 0o755 : 0o644);
  }
  file('shared.bin', 40_000);
  s.push({ rel: 'levels/world1/shared-hardlink.bin', kind: 'hardlink', of: 'shared.bin' });
  s.push({ rel: 'current-world', kind: 'symlink', text: 'levels/world1' });
  s.push({ rel: 'levels/up-link', kind: 'symlink', text: '../saves/small-04.dat' });
  s.push({ rel: 'outside-link', kind: 'symlink', text: '{outside}' });
  return s;
}

/** The retarget entry's tree: a few folders, a hard-linked pair, a relative link, a 300 KiB file. */
export function modsSpec(): TreeSpec[] {
  return [
    { rel: '', kind: 'dir', mode: 0o755, mtime: when(200) },
    { rel: 'packs', kind: 'dir', mode: 0o750, mtime: when(201) },
    { rel: 'packs/big.pak', kind: 'file', data: seededBytes(0x60d5, 300_000), mode: 0o644, mtime: when(202) },
    { rel: 'packs/list.txt', kind: 'file', data: Buffer.from('big.pak\n'), mode: 0o600, mtime: when(203) },
    { rel: 'packs/list-hardlink.txt', kind: 'hardlink', of: 'packs/list.txt' },
    { rel: 'current', kind: 'symlink', text: 'packs' },
    { rel: 'empty', kind: 'dir', mode: 0o700, mtime: when(204) },
  ];
}

/** The same-volume entry's small tree. */
export function cacheSpec(): TreeSpec[] {
  return [
    { rel: '', kind: 'dir', mode: 0o755, mtime: when(100) },
    { rel: 'sub', kind: 'dir', mode: 0o755, mtime: when(101) },
    { rel: 'index.json', kind: 'file', data: Buffer.from('{"cache":true}\n'), mode: 0o644, mtime: when(102) },
    { rel: 'sub/blob', kind: 'file', data: seededBytes(77, 20_000), mode: 0o640, mtime: when(103) },
  ];
}

/** Builds a tree under `root` (which must not exist); folder times are set last, deepest first. */
export function buildTree(root: string, spec: TreeSpec[], outside: string): void {
  const full = (rel: string) => (rel === '' ? root : path.join(root, ...rel.split('/')));
  for (const n of spec) {
    const p = full(n.rel);
    if (n.kind === 'dir') mkdirSync(p);
    else if (n.kind === 'file') {
      writeFileSync(p, n.data);
      chmodSync(p, n.mode);
      utimesSync(p, n.mtime, n.mtime);
    } else if (n.kind === 'hardlink') linkSync(full(n.of), p);
    else symlinkSync(n.text.replace('{outside}', outside), p);
  }
  for (const n of spec.slice().reverse()) {
    if (n.kind !== 'dir') continue;
    chmodSync(full(n.rel), n.mode);
    utimesSync(full(n.rel), n.mtime, n.mtime);
  }
}

/** Bytes of the files in a spec (a hard link's data once). */
export function specBytes(spec: TreeSpec[]): number {
  return spec.reduce((n, x) => n + (x.kind === 'file' ? x.data.length : 0), 0);
}

export interface Sandbox {
  volA: string;
  volB: string;
  /** Folder of the manifest and the state directory (not on either volume). */
  work: string;
  manifest: string;
  stateDir: string;
  outside: string;
  games: string;
  gamesTarget: string;
  cache: string;
  cacheTarget: string;
  fresh: string;
  freshTarget: string;
  /** With `retarget`: the link (already applied), its old target on A, and the manifest's new target on B. */
  mods?: { link: string; old: string; target: string };
  cleanup(): void;
}

/** Mounts two tmpfs volumes and builds the sandbox on them; `cleanup` unmounts and removes everything. */
export function buildSandbox(label: string, opts: { retarget?: boolean } = {}): Sandbox {
  const mounts: TmpfsMount[] = [];
  let work = '';
  try {
    mounts.push(mountTmpfs(24, `crash-${label}-a`));
    mounts.push(mountTmpfs(24, `crash-${label}-b`));
    work = mkdtempSync(path.join(os.tmpdir(), `relocate-crash-${label}-`));
    const volA = mounts[0]!.dir;
    const volB = mounts[1]!.dir;
    const home = path.join(volA, 'home');
    const outside = path.join(volA, 'outside');
    mkdirSync(home);
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'readme.txt'), 'outside the moved tree\n');
    utimesSync(path.join(outside, 'readme.txt'), when(200), when(200));
    const sb = sandboxAt(volA, volB, work, path.join(work, 'state'), () => cleanup(mounts, work));
    buildTree(sb.games, gamesSpec(), outside);
    buildTree(sb.cache, cacheSpec(), outside);
    if (opts.retarget) {
      sb.mods = { link: path.join(home, 'Mods'), old: path.join(volA, 'oldstore', 'Mods'), target: path.join(volB, 'Mods') };
      mkdirSync(path.dirname(sb.mods.old));
      buildTree(sb.mods.old, modsSpec(), outside);
      symlinkSync('../oldstore/Mods', sb.mods.link);
    }
    for (const d of [home, outside]) utimesSync(d, when(300), when(300));
    writeManifest(sb, sb.manifest, opts.retarget ? ['games', 'cache', 'fresh', 'mods'] : ['games', 'cache', 'fresh']);
    return sb;
  } catch (err) {
    cleanup(mounts, work);
    throw err;
  }
}

/** Writes a manifest with some of the sandbox's entries (in the order given; `mods` only in a sandbox built with `retarget`). */
export function writeManifest(sb: Sandbox, file: string, entries: ('games' | 'cache' | 'fresh' | 'mods')[]): void {
  const pairs = {
    games: [sb.games, sb.gamesTarget],
    cache: [sb.cache, sb.cacheTarget],
    fresh: [sb.fresh, sb.freshTarget],
    mods: [sb.mods?.link, sb.mods?.target],
  } as const;
  const lines = ['version: 1', 'links:'];
  for (const e of entries) lines.push(`  - link: ${pairs[e][0]}`, `    target: ${pairs[e][1]}`, '    type: symlink');
  writeFileSync(file, lines.join('\n') + '\n');
}

function cleanup(mounts: TmpfsMount[], work: string): void {
  for (const m of mounts) m.unmount();
  if (work) rmSync(work, { recursive: true, force: true });
}

/** Every relocate-named in-flight copy (staging, set-aside old copy, backup) under the roots, links not followed. */
export function findLeftovers(...roots: string[]): string[] {
  return relocateNamed(['partial', 'old', 'backup'], ...roots);
}

export { relativeSnapshot as relSnapshot } from '../helpers/snapshot.js';

/** Whether two names under `root` are one file (a hard-linked pair survived). */
export function sameInode(root: string, a: string, b: string): boolean {
  const sa = lstatSync(path.join(root, a));
  const sb = lstatSync(path.join(root, b));
  return sa.ino === sb.ino && sa.dev === sb.dev && sa.nlink >= 2;
}

/** Every regular file's sha256 under the roots (links not followed): what data exists anywhere right now. */
export function hashesPresent(...roots: string[]): Set<string> {
  const out = new Set<string>();
  eachNode(roots, (p, s) => {
    if (s.isFile()) out.add(fileHash(p));
  });
  return out;
}

/** sha256 of every file of a spec, with its size. */
export function specHashes(spec: TreeSpec[]): { hash: string; size: number; rel: string }[] {
  return spec.flatMap((x) => (x.kind === 'file' ? [{ rel: x.rel, size: x.data.length, hash: createHash('sha256').update(x.data).digest('hex') }] : []));
}

/** The sandbox's paths on two volumes (A holds home, the outside folder and the same-volume store; B the cross-volume targets). */
export function sandboxAt(volA: string, volB: string, work: string, stateDir: string, cleanup: () => void): Sandbox {
  const home = path.join(volA, 'home');
  return {
    volA,
    volB,
    work,
    manifest: path.join(work, 'relocate.yaml'),
    stateDir,
    outside: path.join(volA, 'outside'),
    games: path.join(home, 'Games'),
    gamesTarget: path.join(volB, 'Games'),
    cache: path.join(home, 'Cache'),
    cacheTarget: path.join(volA, 'store', 'Cache'),
    fresh: path.join(home, 'New'),
    freshTarget: path.join(volB, 'New'),
    cleanup,
  };
}

/** Runs `fn` for each item, `parallel` at once; returns the failures, each labelled (the crash and power-cut cases). */
export async function eachCase<T>(items: T[], parallel: number, label: (t: T) => string, fn: (t: T) => Promise<void>): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failures.push(`${label(item)}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return failures;
}
