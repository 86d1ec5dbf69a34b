/**
 * Putting trees on the in-memory disk and reading them back as plain
 * objects, for `toEqual` between "before" and "after".
 *
 * A seed is a folder (an object whose keys are names), a file (a string,
 * or `{ $file }` with metadata), a link (`{ $symlink }`, `{ $junction }`)
 * or a second name of a file put earlier (`{ $hardlink: 'rel/path' }`,
 * relative to the root being put). Keys beginning with `$` are never names.
 */
import type { MemDisk } from './disk.js';
import { under, walkTree } from './walk.js';

export interface FileSeed {
  $file: string | Buffer;
  mode?: number;
  mtimeMs?: number;
  /** Extended attributes (POSIX) or alternate data streams (Windows), as text. */
  streams?: Record<string, string>;
  /** Windows' read-only attribute. */
  readOnly?: boolean;
}
export type Seed = string | FileSeed | { $symlink: string; dir?: boolean } | { $junction: string } | { $hardlink: string } | { $dir: { [name: string]: Seed }; readOnly?: boolean } | { [name: string]: Seed };

const NS_PER_MS = 1_000_000n;

function special(s: object): boolean {
  return Object.keys(s).some((k) => k.startsWith('$'));
}

/** Puts `seed` at `p` (its parent must exist); folders and files get fixed times so a copy's times can be checked. */
export function putTree(disk: MemDisk, p: string, seed: Seed, root = p): void {
  if (typeof seed === 'string' || (typeof seed === 'object' && '$file' in seed)) {
    const f: FileSeed = typeof seed === 'string' ? { $file: seed } : (seed as FileSeed);
    const node = disk.createFile(p, Buffer.from(f.$file), f.mode ?? 0o644);
    if (f.mtimeMs !== undefined) node.mtimeNs = BigInt(f.mtimeMs) * NS_PER_MS;
    for (const [k, v] of Object.entries(f.streams ?? {})) node.streams.set(k, Buffer.from(v));
    if (f.readOnly) disk.setReadOnly(p, true);
    return;
  }
  if ('$symlink' in seed) {
    disk.link(p, seed.$symlink as string, 'symlink', disk.flavour === 'windows' && (seed as { dir?: boolean }).dir !== false, true);
    return;
  }
  if ('$junction' in seed) {
    disk.link(p, seed.$junction as string, disk.flavour === 'windows' ? 'junction' : 'symlink', true, true);
    return;
  }
  if ('$hardlink' in seed) {
    disk.hardLink(under(disk, root, seed.$hardlink as string), p);
    return;
  }
  const children = ('$dir' in seed ? seed.$dir : seed) as Record<string, Seed>;
  if (!special(seed) || '$dir' in seed) {
    disk.mkdir(p);
    for (const [name, child] of Object.entries(children)) putTree(disk, disk.api.join(p, name), child, root);
    if ('$dir' in seed && seed.readOnly) disk.setReadOnly(p, true);
    return;
  }
  throw new Error(`not a seed: ${JSON.stringify(seed)}`);
}

/** What `readTree` gives for a file. */
export interface FileRead {
  $file: string;
  mode: number;
  mtimeNs: string;
  streams?: Record<string, string>;
}

export type TreeRead = FileRead | { $symlink: string } | { $junction: string } | { [name: string]: TreeRead };

/**
 * The tree at `p` as a plain object (undefined when nothing is there):
 * names as written, file bytes as UTF-8, modes, file mtimes in ns, streams,
 * link texts. Folder times are left out (a folder's time changes whenever a
 * name in it does); `dirModes` adds each folder's mode as `$mode`.
 */
export function readTree(disk: MemDisk, p: string, opts: { dirModes?: boolean } = {}): TreeRead | undefined {
  const n = disk.nodeAt(p);
  if (!n) return undefined;
  switch (n.kind) {
    case 'file': {
      const f: FileRead = { $file: n.data.toString('utf8'), mode: n.mode, mtimeNs: String(n.mtimeNs) };
      if (n.streams.size > 0) f.streams = Object.fromEntries([...n.streams].map(([k, v]) => [k, v.toString('utf8')]));
      return f;
    }
    case 'symlink':
      return { $symlink: n.text };
    case 'junction':
      return { $junction: n.text };
    case 'dir': {
      const out: Record<string, TreeRead> = {};
      for (const e of [...n.children.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) out[e.name] = readTree(disk, disk.api.join(p, e.name), opts)!;
      if (opts.dirModes) (out as Record<string, unknown>).$mode = n.mode;
      return out;
    }
  }
}

/** Groups of paths under the roots that are one file (hard links), sorted: what a rollback must keep. */
export function hardLinkGroups(disk: MemDisk, ...roots: string[]): string[][] {
  const groups = new Map<object, string[]>();
  for (const r of roots) for (const w of walkTree(disk, r)) if (w.node.kind === 'file' && w.node.nlink > 1) groups.set(w.node, [...(groups.get(w.node) ?? []), w.path]);
  return [...groups.values()].filter((g) => g.length > 1).map((g) => g.sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** Every file's bytes under the roots, as `path → content` (links not followed): what "no byte lost" is checked against. */
export function fileContents(disk: MemDisk, ...roots: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of roots) for (const w of walkTree(disk, r)) if (w.node.kind === 'file') out.set(w.path, w.node.data.toString('base64'));
  return out;
}
