/**
 * Random sandboxes and manifests for the property tests (issue 6).
 *
 * A case is a few entries, each in its own folder `e<i>` on volume A (the
 * link side) and A or B (the target side, B being another tmpfs). Each
 * entry is one of the manifest's situations (a move within or across
 * volumes, create, link, relink, backup, merge, an identical file replaced
 * by its link, restore and remove under `state: absent`, hard links, an
 * entry already in sync, and an entry applied before whose target changed:
 * a retarget, its data on A moving to a target on A or B), over random trees: nested and empty folders,
 * files of random bytes, modes and mtimes (to the millisecond), symlinks
 * inside the tree, out of it and broken, hard-linked files, unicode and
 * long names (under 255 bytes), and names differing only in case.
 *
 * Everything is plain data from fast-check, so a failing case shrinks and
 * replays from its seed.
 */
import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { buildTree, seededBytes, type TreeSpec } from '../helpers/crash-tree.js';

export type Situation =
  | 'move'
  | 'create'
  | 'link'
  | 'relink'
  | 'backup'
  | 'merge'
  | 'identical'
  | 'restore'
  | 'remove'
  | 'hardlink-move'
  | 'hardlink-link'
  | 'hardlink-remove'
  | 'in-sync'
  | 'retarget';

/** One random node of a tree, interpreted against the tree built so far (see `treeOf`). */
export interface NodeOp {
  where: number;
  name: string;
  kind: 'dir' | 'file' | 'symlink-in' | 'symlink-out' | 'symlink-broken' | 'hardlink';
  size: number;
  mode: number;
  mtime: number;
  seed: number;
}

export interface TreeGen {
  /** A single file instead of a folder. */
  fileRoot: boolean;
  rootMode: number;
  rootMtime: number;
  ops: NodeOp[];
}

export interface EntryGen {
  situation: Situation;
  crossVolume: boolean;
  /** Names of the link and target (the target's may differ from the link's only in case). */
  linkName: string;
  targetName: string;
  /** The target sits in a folder that does not exist yet (mkdirs makes it). */
  targetDeeper: boolean;
  tree: TreeGen;
  /** A second, independent tree (what is at the target already, for link/backup/merge extras). */
  other: TreeGen;
  /** relink: the old link leads to an existing folder (else it is broken); retarget: the old link's text is relative. */
  oldExists: boolean;
  /** merge: which of the link side's files also sit (identical) at the target. */
  shareMask: number;
}

export interface CaseGen {
  entries: EntryGen[];
  verify: 'meta' | 'content';
}

// ---------- names ----------

const FIXED_NAMES = [
  'a',
  'b',
  'c',
  'Data',
  'data',
  'DATA',
  'readme.txt',
  'README.TXT',
  'x y',
  '.hidden',
  'ü',
  'ü',
  'été',
  '日本語',
  '🎮 saves',
  'Ωmega',
  'ﬁle',
  'tab\tname',
  "it's",
  'semi;colon',
  '-dash',
  'e\u0301',
];

function utf8Len(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** A long name: repeated pieces (some multi-byte) up to a byte budget under 255. */
const longName = fc.tuple(fc.integer({ min: 120, max: 254 }), fc.constantFrom('L', 'ä', '字', '🎮', 'Ab')).map(([bytes, piece]) => {
  let s = '';
  while (utf8Len(s + piece) <= bytes) s += piece;
  return s;
});

const plainName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._ -]{0,15}$/);

export const nameArb: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 4, arbitrary: fc.constantFrom(...FIXED_NAMES) },
    { weight: 4, arbitrary: plainName },
    { weight: 1, arbitrary: longName },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }) },
  )
  .filter((n) => n !== '.' && n !== '..' && !n.includes('/') && !n.includes('\0') && utf8Len(n) <= 254 && !n.includes('.relocate-'));

/** Entry-level names stay shorter: relocate appends `.relocate-partial-<run>` (and the like) to them. */
const rootName = fc
  .oneof(
    fc.constantFrom('Games', 'games', 'Cache', 'nvim', 'Spiele ü', '日本語', 'x y', 'data.bin'),
    plainName,
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }),
  )
  .filter(
    // No glob or variable syntax: the manifest would read the name as a pattern or a ${var}.
    (n) => n !== '.' && n !== '..' && !/[/\0\\*?[\]{}()!@+|$%~]/.test(n) && utf8Len(n) <= 150 && !n.includes('.relocate-') && n.trim() === n && n !== '',
  );

// ---------- trees ----------

const MODES_FILE = [0o644, 0o600, 0o755, 0o444, 0o640, 0o664];
const MODES_DIR = [0o755, 0o700, 0o750, 0o555, 0o775];

const nodeOp: fc.Arbitrary<NodeOp> = fc.record({
  where: fc.nat(50),
  name: nameArb,
  kind: fc.constantFrom('dir', 'dir', 'file', 'file', 'file', 'file', 'symlink-in', 'symlink-out', 'symlink-broken', 'hardlink'),
  size: fc.oneof(fc.constant(0), fc.nat(64), fc.nat(3000)),
  mode: fc.nat(MODES_FILE.length * MODES_DIR.length - 1),
  mtime: fc.nat(400_000_000),
  seed: fc.nat(),
});

export const treeArb = (maxOps: number): fc.Arbitrary<TreeGen> =>
  fc.record({
    fileRoot: fc.constant(false),
    rootMode: fc.nat(MODES_DIR.length - 1),
    rootMtime: fc.nat(400_000_000),
    ops: fc.array(nodeOp, { maxLength: maxOps }),
  });

/** A tree that is sometimes a single file. */
export const dataTreeArb = (maxOps: number): fc.Arbitrary<TreeGen> =>
  fc.tuple(treeArb(maxOps), fc.integer({ min: 0, max: 4 })).map(([t, r]) => ({ ...t, fileRoot: r === 0 }));

function mtimeOf(n: number): number {
  // Seconds since the epoch with a millisecond fraction: copies must keep it to the millisecond.
  return 1_500_000_000 + Math.floor(n / 1000) + (n % 1000) / 1000;
}

/**
 * Interprets a TreeGen: each op adds a node under an existing folder
 * (chosen by `where`), skipping names already taken there. `outside` texts
 * use `{outside}` (buildTree substitutes the case's outside folder).
 */
export function treeOf(g: TreeGen, seedBase = 0): TreeSpec[] {
  if (g.fileRoot) {
    const op = g.ops[0];
    return [
      {
        rel: '',
        kind: 'file',
        data: seededBytes(seedBase + (op?.seed ?? 7), op?.size ?? 100),
        mode: MODES_FILE[(op?.mode ?? 0) % MODES_FILE.length]!,
        mtime: mtimeOf(g.rootMtime),
      },
    ];
  }
  const spec: TreeSpec[] = [{ rel: '', kind: 'dir', mode: MODES_DIR[g.rootMode % MODES_DIR.length]!, mtime: mtimeOf(g.rootMtime) }];
  const dirs = [''];
  const files: string[] = [];
  const all: string[] = [];
  const taken = new Set<string>(['']);
  for (const op of g.ops) {
    const parent = dirs[op.where % dirs.length]!;
    const rel = parent === '' ? op.name : `${parent}/${op.name}`;
    if (taken.has(rel)) continue;
    // Keep whole paths well under PATH_MAX even with several long names.
    if (utf8Len(rel) > 900) continue;
    switch (op.kind) {
      case 'dir':
        spec.push({ rel, kind: 'dir', mode: MODES_DIR[op.mode % MODES_DIR.length]!, mtime: mtimeOf(op.mtime) });
        dirs.push(rel);
        break;
      case 'file':
        spec.push({
          rel,
          kind: 'file',
          data: seededBytes(seedBase + op.seed, op.size),
          mode: MODES_FILE[op.mode % MODES_FILE.length]!,
          mtime: mtimeOf(op.mtime),
        });
        files.push(rel);
        break;
      case 'symlink-in': {
        if (all.length === 0) continue;
        const to = all[op.seed % all.length]!;
        spec.push({ rel, kind: 'symlink', text: path.posix.relative(path.posix.dirname(rel) || '.', to) || '.' });
        break;
      }
      case 'symlink-out':
        spec.push({ rel, kind: 'symlink', text: op.seed % 2 ? '{outside}' : '{outside}/readme.txt' });
        break;
      case 'symlink-broken':
        spec.push({ rel, kind: 'symlink', text: op.seed % 2 ? `missing-${op.seed % 97}/x` : '/nonexistent/relocate-test/x' });
        break;
      case 'hardlink': {
        if (files.length === 0) continue;
        spec.push({ rel, kind: 'hardlink', of: files[op.seed % files.length]! });
        break;
      }
    }
    taken.add(rel);
    all.push(rel);
  }
  return spec;
}

/**
 * The target side of a merge: some of the link tree's files (the mask's
 * bits), identical, in the same folders (links with the same text too),
 * plus files only the target has (names prefixed so they never collide).
 */
export function mergeTargetOf(linkSpec: TreeSpec[], other: TreeGen, mask: number, seedBase: number): TreeSpec[] {
  const out: TreeSpec[] = [{ rel: '', kind: 'dir', mode: 0o755, mtime: mtimeOf(other.rootMtime) }];
  const dirsNeeded = new Set<string>();
  const chosen: TreeSpec[] = [];
  let bit = 0;
  for (const n of linkSpec) {
    if (n.rel === '' || n.kind === 'dir') continue;
    if (((mask >>> (bit++ % 31)) & 1) === 0) continue;
    if (n.kind === 'hardlink') {
      const of = linkSpec.find((x) => x.rel === n.of);
      if (of?.kind === 'file') chosen.push({ rel: n.rel, kind: 'file', data: of.data, mode: 0o644, mtime: of.mtime + 1 });
    } else if (n.kind === 'file') chosen.push({ ...n, mode: n.mode ^ 0o020, mtime: n.mtime + 5 });
    else chosen.push(n);
    for (let d = path.posix.dirname(n.rel); d !== '.' && d !== ''; d = path.posix.dirname(d)) dirsNeeded.add(d);
  }
  for (const d of [...dirsNeeded].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1)))
    out.push({ rel: d, kind: 'dir', mode: 0o755, mtime: mtimeOf(other.rootMtime + 7) });
  out.push(...chosen);
  // Target-only names, at the top and inside shared folders.
  const extraDirs = ['', ...dirsNeeded];
  other.ops.slice(0, 6).forEach((op, i) => {
    const parent = extraDirs[op.where % extraDirs.length]!;
    const rel = `${parent === '' ? '' : parent + '/'}t${i}-only-at-target`;
    out.push({ rel, kind: 'file', data: seededBytes(seedBase + 991 + op.seed, op.size), mode: 0o644, mtime: mtimeOf(op.mtime) });
  });
  return out;
}

// ---------- entries and cases ----------

const SITUATIONS: Situation[] = [
  'move',
  'move',
  'move',
  'create',
  'link',
  'relink',
  'backup',
  'merge',
  'merge',
  'identical',
  'restore',
  'restore',
  'remove',
  'hardlink-move',
  'hardlink-link',
  'hardlink-remove',
  'in-sync',
  'retarget',
  'retarget',
];

export const entryArb = (maxOps: number): fc.Arbitrary<EntryGen> =>
  fc
    .record({
      situation: fc.constantFrom(...SITUATIONS),
      crossVolume: fc.boolean(),
      linkName: rootName,
      caseVariant: fc.integer({ min: 0, max: 5 }),
      targetName: rootName,
      targetDeeper: fc.boolean(),
      tree: dataTreeArb(maxOps),
      other: treeArb(Math.min(maxOps, 6)),
      oldExists: fc.boolean(),
      shareMask: fc.nat(),
    })
    .map(({ caseVariant, ...e }) => {
      // Sometimes the target is the link's name in another case, beside it (same volume): distinct on a case-sensitive disk.
      const variant = e.linkName.toUpperCase() !== e.linkName ? e.linkName.toUpperCase() : e.linkName.toLowerCase();
      const sameFolderVariant = caseVariant === 0 && !e.crossVolume && !e.targetDeeper && variant !== e.linkName;
      return { ...e, targetName: sameFolderVariant ? variant : e.targetName };
    });

export const caseArb = (maxEntries: number, maxOps: number): fc.Arbitrary<CaseGen> =>
  fc.record({
    entries: fc.array(entryArb(maxOps), { minLength: 1, maxLength: maxEntries }),
    verify: fc.constantFrom('meta', 'meta', 'content'),
  });

// ---------- building on disk ----------

export interface CaseRoots {
  /** The case's folders on volume A and B, and the folder symlinks lead out to. */
  a: string;
  b: string;
  outside: string;
}

export interface BuiltEntry {
  gen: EntryGen;
  link: string;
  target: string;
  type: 'symlink' | 'hardlink' | 'auto';
  conflict: 'fail' | 'backup' | 'merge';
  state: 'present' | 'absent';
  /** The manifest's `retarget:` when not the default. */
  retarget?: 'relink';
  /** A retarget's old target (where the link points before apply): its data may be there or at the target. */
  oldTarget?: string;
  /** Actions the plan may give this entry. */
  expect: string[];
}

/** Builds one entry's situation on disk; returns its manifest entry and the plan actions it may get. */
export function buildEntry(roots: CaseRoots, i: number, g: EntryGen): BuiltEntry {
  const dirA = path.join(roots.a, `e${i}`);
  const targetVol = g.crossVolume ? roots.b : roots.a;
  const dirT = path.join(targetVol, `e${i}`);
  mkdirSync(dirA, { recursive: true });
  mkdirSync(dirT, { recursive: true });
  const link = path.join(dirA, g.linkName);
  let target = g.targetDeeper ? path.join(dirT, 'deeper', 'still', g.targetName) : path.join(dirT, g.targetName);
  if (target === link) target = path.join(dirT, `${g.targetName}-target`);
  const tree = treeOf(g.tree, i * 1000);
  const other = treeOf(g.other, i * 1000 + 500);
  const mk = (p: string) => mkdirSync(path.dirname(p), { recursive: true });
  const base = {
    gen: g,
    link,
    target,
    type: 'symlink' as BuiltEntry['type'],
    conflict: 'fail' as BuiltEntry['conflict'],
    state: 'present' as BuiltEntry['state'],
  };
  switch (g.situation) {
    case 'move':
      buildTree(link, tree, roots.outside);
      return { ...base, type: g.tree.fileRoot ? 'auto' : 'symlink', expect: ['move'] };
    case 'create':
      return { ...base, expect: ['create'] };
    case 'link':
      mk(target);
      buildTree(target, other, roots.outside);
      return { ...base, expect: ['link'] };
    case 'relink': {
      // The old destination lies outside every tree and holds data: only the link changes, as the entry asks.
      const old = path.join(roots.outside, `old-${i}`);
      if (g.oldExists) buildTree(old, other, roots.outside);
      symlinkSync(old, link);
      if (!g.tree.fileRoot) {
        mk(target);
        buildTree(target, tree, roots.outside);
      }
      return { ...base, retarget: 'relink', expect: ['relink'] };
    }
    case 'retarget': {
      // Applied before: the data at an old target on A, the link to it; the manifest now names a target on A or B.
      let old = path.join(dirA, `old-${g.targetName}`);
      if (old === link) old = path.join(dirA, `old2-${g.targetName}`);
      buildTree(old, tree, roots.outside);
      symlinkSync(g.oldExists ? path.relative(dirA, old) : old, link);
      // An empty folder holds nothing to move: a bare relink.
      const empty = tree.length === 1 && tree[0]!.kind === 'dir';
      return { ...base, oldTarget: old, expect: empty ? ['relink'] : ['retarget'] };
    }
    case 'backup':
      buildTree(link, tree, roots.outside);
      mk(target);
      // The target holds the same kind (a folder for a folder, a file for a file): a backup that would link a
      // folder path to a file is refused at plan time (see src/plan/decide.ts), which test/plan covers.
      buildTree(target, treeOf({ ...g.other, fileRoot: g.tree.fileRoot }, i * 1000 + 500), roots.outside);
      return { ...base, conflict: 'backup', expect: ['backup', 'link'] };
    case 'merge': {
      const linkTree = g.tree.fileRoot ? treeOf({ ...g.tree, fileRoot: false }, i * 1000) : tree;
      buildTree(link, linkTree, roots.outside);
      mk(target);
      buildTree(target, mergeTargetOf(linkTree, g.other, g.shareMask, i * 1000), roots.outside);
      return { ...base, conflict: 'merge', expect: ['merge'] };
    }
    case 'identical': {
      const data = seededBytes(i * 1000 + 3, 1 + (g.shareMask % 5000));
      writeFileSync(link, data);
      mk(target);
      writeFileSync(target, data, { mode: 0o600 });
      return { ...base, expect: ['link'] };
    }
    case 'restore':
      mk(target);
      buildTree(target, tree, roots.outside);
      if (g.oldExists) symlinkSync(target, link);
      return { ...base, state: 'absent', expect: ['restore'] };
    case 'remove':
      symlinkSync(target, link);
      return { ...base, state: 'absent', expect: ['remove'] };
    case 'hardlink-move': {
      // Same volume only (the mklink /H rule): a file moves by rename, then the hard link.
      const t = path.join(dirA, 'hl', g.targetName);
      writeFileSync(link, seededBytes(i * 1000 + 11, g.shareMask % 4000));
      return { ...base, target: t, type: 'hardlink', expect: ['move'] };
    }
    case 'hardlink-link': {
      const t = path.join(dirA, 'hl', g.targetName);
      mk(t);
      writeFileSync(t, seededBytes(i * 1000 + 13, g.shareMask % 4000));
      return { ...base, target: t, type: 'hardlink', expect: ['link'] };
    }
    case 'hardlink-remove': {
      const t = path.join(dirA, 'hl', g.targetName);
      mk(t);
      writeFileSync(t, seededBytes(i * 1000 + 17, g.shareMask % 4000));
      linkSync(t, link);
      return { ...base, target: t, type: 'hardlink', state: 'absent', expect: ['remove'] };
    }
    case 'in-sync':
      mk(target);
      buildTree(target, other, roots.outside);
      symlinkSync(target, link);
      return { ...base, expect: ['none'] };
  }
}

/** The manifest for built entries: JSON is YAML, one flow mapping. */
export function manifestText(entries: BuiltEntry[]): string {
  const links = entries.map((e) => ({
    link: e.link,
    target: e.target,
    type: e.type,
    conflict: e.conflict,
    state: e.state,
    ...(e.retarget ? { retarget: e.retarget } : {}),
  }));
  return `# generated by test/property\n${JSON.stringify({ version: 1, links }, null, 2)}\n`;
}

export function sha(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
