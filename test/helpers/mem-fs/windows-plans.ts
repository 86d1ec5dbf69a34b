/**
 * Windows plans on the in-memory disk (issue 17 §4): a few entries over
 * rich Windows trees on two drives, planned by the real observer and
 * planner (reader.ts) with Windows paths on any host, and what "no byte
 * lost", "the planned end state" and "the exact original" mean for them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { samePath, styleForOs } from '../../../src/core/paths.js';
import type { DesiredEntry } from '../../../src/manifest/types.js';
import { hasChanges, makePlan } from '../../../src/plan/planner.js';
import type { Plan } from '../../../src/plan/types.js';
import { observeEntries } from '../../../src/state/observe.js';
import { caps, context, entry } from '../plan-fixtures.js';
import { MemDisk } from './disk.js';
import { MemDiskReader } from './reader.js';
import { fileContents, hardLinkGroups, putTree, readTree, type Seed, type TreeRead } from './seed.js';

export const WIN = styleForOs('win32');
export const HOME = 'C:\\Users\\me';
const VOLUMES = ['C:\\', 'D:\\'];

/** A Windows game folder: read-only files and folders, an alternate data stream, a hard-linked pair, a junction out, an empty folder (and, put by buildScenario, a file hard-linked from outside it). */
export const GAMES: Seed = {
  'Game.exe': { $file: 'MZ\u0090\u0000 the game', mtimeMs: 1_650_000_000_123 },
  'ReadMe.txt': { $file: 'read me', readOnly: true, mtimeMs: 1_650_000_001_000 },
  'save.dat': { $file: 'slot 1', streams: { 'Zone.Identifier': '[ZoneTransfer]\r\nZoneId=3' } },
  Levels: { World1: { 'map.bin': 'map one', 'shared.bin': 'shared level data' }, 'shared-link.bin': { $hardlink: 'Levels/World1/shared.bin' } },
  Empty: {},
  Custom: { $dir: { 'desktop.ini': '[.ShellClassInfo]' }, readOnly: true },
  Mods: { $junction: 'C:\\Outside\\Mods' },
};

/** One planned entry of a scenario: where its data starts, and how to check the end state. */
export interface WinEntry {
  name: string;
  desired: DesiredEntry;
  /** The path whose tree is the entry's data before the run (what must never be lost). */
  data: string;
  /** The action the planner must choose. */
  action: string;
}

/** A disk with its entries: built afresh, identically, for every crash point or fault. */
export interface WinScenario {
  disk: MemDisk;
  entries: WinEntry[];
  /** The caller holds SeCreateSymbolicLinkPrivilege. */
  privileged: boolean;
}

const e = (i: number, link: string, target: string, extra: Partial<DesiredEntry> = {}) => entry(WIN, link, target, { index: i, type: 'junction', ...extra });

/**
 * The entries, across both drives: a move C:→D: (copy, verify, set
 * aside, delete), a move within C: (a rename, into folders mkdirs makes),
 * a link to data already on D:, a restore D:→C: (`state: absent`), a
 * backup of a conflicting folder, a merge across drives and, when
 * privileged, a move whose link is a symbolic link.
 */
export function buildScenario(privileged: boolean, only?: number): WinScenario {
  const disk = new MemDisk({ flavour: 'windows', volumes: ['C:', 'D:'] });
  disk.symlinkPrivilege = privileged;
  putTree(disk, 'C:\\Users', { me: {} });
  putTree(disk, 'C:\\Outside', { Mods: { 'mod.pak': 'a mod' } });
  putTree(disk, `${HOME}\\Games`, GAMES);
  // A file of the game that shares its data with a name outside the tree (a package store's hard link).
  putTree(disk, 'C:\\Outside\\store.bin', 'stored once');
  disk.hardLink('C:\\Outside\\store.bin', `${HOME}\\Games\\Levels\\store.bin`);
  putTree(disk, `${HOME}\\Documents`, { 'Letter.docx': 'dear', Taxes: { '2025.pdf': { $file: 'pdf', streams: { 'Zone.Identifier': 'ZoneId=3' } } } });
  putTree(disk, 'D:\\Cache', { 'blob.bin': 'cached' });
  putTree(disk, 'D:\\Music', { 'Song.mp3': 'la la', Album: { 'track.flac': 'flac' } });
  putTree(disk, `${HOME}\\Music`, { $junction: 'D:\\Music' });
  putTree(disk, `${HOME}\\Config`, { 'settings.ini': 'mine' });
  putTree(disk, 'D:\\Config', { 'settings.ini': 'theirs' });
  putTree(disk, `${HOME}\\Shared`, { 'same.txt': 'same', 'only-here.txt': 'only here', Sub: { 'deep.txt': 'deep' } });
  putTree(disk, 'D:\\Shared', { 'same.txt': 'same', 'only-there.txt': 'only there' });
  const entries: WinEntry[] = [
    { name: 'move C:→D:', desired: e(0, `${HOME}\\Games`, 'D:\\Games'), data: `${HOME}\\Games`, action: 'move' },
    { name: 'move within C:', desired: e(1, `${HOME}\\Documents`, 'C:\\Data\\Mine\\Documents'), data: `${HOME}\\Documents`, action: 'move' },
    { name: 'link to D:', desired: e(2, `${HOME}\\Cache`, 'D:\\Cache'), data: 'D:\\Cache', action: 'link' },
    { name: 'restore D:→C:', desired: e(3, `${HOME}\\Music`, 'D:\\Music', { state: 'absent' }), data: 'D:\\Music', action: 'restore' },
    { name: 'backup', desired: e(4, `${HOME}\\Config`, 'D:\\Config', { conflict: 'backup' }), data: `${HOME}\\Config`, action: 'backup' },
    { name: 'merge C:→D:', desired: e(5, `${HOME}\\Shared`, 'D:\\Shared', { conflict: 'merge' }), data: `${HOME}\\Shared`, action: 'merge' },
  ];
  if (privileged) {
    putTree(disk, `${HOME}\\Videos`, { 'clip.mp4': 'frames', 'latest.lnk': { $symlink: 'clip.mp4', dir: false } });
    entries.push({ name: 'move C:→D: as a symlink', desired: e(6, `${HOME}\\Videos`, 'D:\\Videos', { type: 'symlink' }), data: `${HOME}\\Videos`, action: 'move' });
  }
  // One entry alone keeps a crash-at-every-line suite quadratic in one entry's journal, not in all of them.
  return { disk, entries: only === undefined ? entries : entries.filter((x) => x.desired.index === only), privileged };
}

/** The scenario's entries by index and name, and whether each needs the symlink privilege. */
export const ENTRY_NAMES = buildScenario(true).entries.map((x) => ({ index: x.desired.index, name: x.name, privileged: x.desired.type === 'symlink' }));

/** Plans the scenario's entries from what is on its disk, as `relocate plan` would on Windows. */
export async function planScenario(s: WinScenario): Promise<Plan> {
  const desired = s.entries.map((x) => x.desired);
  const observations = await observeEntries(desired, new MemDiskReader(s.disk));
  return makePlan(desired, observations, context('win32', { home: HOME, capabilities: caps({ symlinks: s.privileged }) }));
}

export { hasChanges };

/** A state folder for relocate's own records (the journal stays on a real disk; tmpfs where there is one, for fast fsyncs). */
export function stateFolder(): { dir: string; remove(): void } {
  const base = process.platform === 'linux' ? '/dev/shm' : os.tmpdir();
  const dir = mkdtempSync(path.join(base, 'relocate-win-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Everything on the disk before a run: both drives (folder modes included), each entry's data, the hard-link groups. */
export interface Before {
  drives: (TreeRead | undefined)[];
  data: Map<string, TreeRead | undefined>;
  /** Each entry's hard-link groups inside its data, by paths relative to it. */
  dataLinks: Map<string, string[][]>;
  files: Map<string, string>;
  links: string[][];
}

export function capture(s: WinScenario): Before {
  return {
    drives: VOLUMES.map((v) => readTree(s.disk, v, { dirModes: true })),
    data: new Map(s.entries.map((x) => [x.data, readTree(s.disk, x.data, { dirModes: true })])),
    dataLinks: new Map(s.entries.map((x) => [x.data, relGroups(s, x.data)])),
    files: fileContents(s.disk, ...VOLUMES),
    links: hardLinkGroups(s.disk, ...VOLUMES),
  };
}

/** The hard-link groups inside a tree, by paths relative to it. */
function relGroups(s: WinScenario, root: string): string[][] {
  return hardLinkGroups(s.disk, root).map((g) => g.map((p) => p.slice(root.length)));
}

const under = (p: string, root: string) => samePath(p, root, WIN) || p.toLowerCase().startsWith(root.toLowerCase() + '\\');

/** A path and relocate's names beside it (`<p>.relocate-…`) that exist now. */
function withOwnNames(s: WinScenario, p: string): string[] {
  const dir = s.disk.api.dirname(p);
  const base = s.disk.api.basename(p).toLowerCase();
  const beside = s.disk.nodeAt(dir) ? s.disk.list(dir).filter((x) => x.name.toLowerCase().startsWith(`${base}.relocate-`)).map((x) => s.disk.api.join(dir, x.name)) : [];
  return [p, ...beside];
}

/**
 * No byte lost: every file that was on the disk is still somewhere it may
 * be, byte for byte (its place, or the same relative path under its
 * entry's link, target or relocate's names beside them); and each moving
 * entry's tree is whole at one of those places, equal to the original
 * (modes, times, streams, link texts). Returns what is wrong.
 */
export function lostData(s: WinScenario, before: Before): string[] {
  const out: string[] = [];
  const now = fileContents(s.disk, ...VOLUMES);
  const places = (x: WinEntry) => [x.desired.link, x.desired.target].flatMap((p) => withOwnNames(s, p));
  for (const [p, bytes] of before.files) {
    if (now.get(p) === bytes) continue;
    const owner = s.entries.find((x) => under(p, x.desired.link) || under(p, x.desired.target));
    const root = owner && [owner.desired.link, owner.desired.target].find((r) => under(p, r));
    const rel = root ? p.slice(root.length) : '';
    const found = owner && places(owner).some((c) => {
      const n = s.disk.nodeAt(c + rel);
      return n?.kind === 'file' && n.data.toString('base64') === bytes;
    });
    if (!found) out.push(`${p}: no copy of its bytes is left`);
  }
  for (const x of s.entries) {
    if (x.action !== 'move' && x.action !== 'restore') continue;
    const want = JSON.stringify(before.data.get(x.data));
    if (!places(x).some((c) => JSON.stringify(readTree(s.disk, c, { dirModes: true })) === want)) out.push(`${x.name}: no whole copy of ${x.data} is left`);
  }
  return out;
}

/** Relocate's in-flight copies (staging, set aside) anywhere on the disk. */
export function leftovers(s: WinScenario): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    const n = s.disk.nodeAt(p);
    if (n?.kind !== 'dir') return;
    for (const c of s.disk.list(p)) {
      const q = s.disk.api.join(p, c.name);
      if (/\.relocate-(partial|old)-/.test(c.name)) out.push(q);
      else visit(q);
    }
  };
  VOLUMES.forEach(visit);
  return out;
}

/** The planned end state: each entry's link leads to its target holding the data (a restore: the data back at the link), nothing of relocate's left, and a new plan has nothing to do. */
export async function endStateProblems(s: WinScenario, before: Before): Promise<string[]> {
  const out = leftovers(s).map((p) => `left behind: ${p}`);
  for (const x of s.entries) {
    const { link, target } = x.desired;
    const data = JSON.stringify(before.data.get(x.data));
    if (x.action === 'restore') {
      if (JSON.stringify(readTree(s.disk, link, { dirModes: true })) !== data) out.push(`${x.name}: ${link} does not hold the restored data`);
      if (s.disk.nodeAt(target)) out.push(`${x.name}: ${target} is still there`);
      continue;
    }
    const n = s.disk.nodeAt(link);
    const want = x.desired.type === 'symlink' ? 'symlink' : 'junction';
    if (n?.kind !== want) out.push(`${x.name}: ${link} is a ${n?.kind ?? 'nothing'}, not a ${want}`);
    else if (!samePath(s.disk.linkTargetPath(link, n), target, WIN)) out.push(`${x.name}: ${link} leads to ${n.text}, not ${target}`);
    if (x.action === 'move' && JSON.stringify(readTree(s.disk, target, { dirModes: true })) !== data) out.push(`${x.name}: ${target} is not the original tree`);
    if (x.action === 'move' && JSON.stringify(relGroups(s, target)) !== JSON.stringify(before.dataLinks.get(x.data))) out.push(`${x.name}: the hard links in ${target} are not the original's`);
  }
  if (hasChanges(await planScenario(s))) out.push('a second plan has changes');
  return out;
}

/** The exact original: both drives as they were (names, bytes, modes, file times, streams, link texts) and the same hard-link groups. */
export function originalProblems(s: WinScenario, before: Before): string[] {
  const out: string[] = [];
  VOLUMES.forEach((v, i) => {
    const now = readTree(s.disk, v, { dirModes: true });
    if (JSON.stringify(now) !== JSON.stringify(before.drives[i])) out.push(`${v} differs from the original: ${firstDiff(before.drives[i], now)}`);
  });
  if (JSON.stringify(hardLinkGroups(s.disk, ...VOLUMES)) !== JSON.stringify(before.links)) out.push('the hard-link groups changed');
  return out;
}

/** The first path where two read trees differ, for failure messages. */
function firstDiff(a: unknown, b: unknown, at = ''): string {
  if (JSON.stringify(a) === JSON.stringify(b)) return '';
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || '$file' in a) return `${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = firstDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}\\${k}`);
    if (d) return d;
  }
  return at;
}
