import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { parseEpicManifest } from '../core/epic-manifest.js';
import type { FolderPlaces, KnownGame } from '../core/folder-places.js';
import { knownCaches } from '../core/known-caches.js';
import type { OsName } from '../core/paths.js';
import { steamLibraryPaths } from '../core/vdf.js';

/**
 * One place `relocate scan` measures without being asked: a known large
 * folder (or a WSL disk image file) that exists on this machine.
 * Invariant: `path` exists (it may be a link) and is absolute.
 */
export interface ScanCandidate {
  path: string;
  /** 'steam', 'epic', 'gog', 'cache', 'user-folder', 'wsl', 'docker'. */
  kind: string;
  /** What people call it: "Steam library", "npm cache", "Videos". */
  title: string;
}

/** A record that could not be read (a Steam library list, an Epic manifest); the scan goes on without it. */
export interface CandidateProblem {
  path: string;
  message: string;
}

/** What the machine is, for finding candidates: everything comes from here, so a test points it all at a sandbox. */
export interface CandidateSource {
  os: OsName;
  home: string;
  env: Record<string, string | undefined>;
  places: FolderPlaces;
}

/** Windows environment names are case-insensitive. */
function envOf(src: CandidateSource, name: string): string | undefined {
  if (src.os !== 'win32') return src.env[name] || undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(src.env)) if (k.toLowerCase() === lower && v) return v;
  return undefined;
}

async function kindAt(p: string): Promise<'dir' | 'file' | 'link' | 'other' | undefined> {
  try {
    const s = await lstat(p);
    return s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  } catch {
    return undefined;
  }
}

/** A file's text, undefined when it does not exist; another failure is a problem. */
async function readIfThere(file: string, problems: CandidateProblem[]): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') problems.push({ path: file, message: `cannot read ${file}: ${(err as Error).message}` });
    return undefined;
  }
}

/** Folder names, [] when it does not exist or cannot be read. */
async function namesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

/** Steam's own folders on this OS: each is a library, and its steamapps/libraryfolders.vdf names the others. */
function steamRoots(src: CandidateSource): string[] {
  const { home, places } = src;
  if (src.os === 'win32') return places.programFiles.map((f) => path.join(f, 'Steam'));
  // The real folder before ~/.steam/steam (on Linux usually a link to it), so a library is listed by its real path.
  const roots = [path.join(home, '.steam', 'steam'), path.join(home, '.var', 'app', 'com.valvesoftware.Steam', '.local', 'share', 'Steam')];
  if (places.localAppData) roots.unshift(path.join(places.localAppData, 'Steam'));
  return roots;
}

async function steamCandidates(src: CandidateSource, problems: CandidateProblem[]): Promise<ScanCandidate[]> {
  const libraries: string[] = [];
  for (const root of steamRoots(src)) {
    if ((await kindAt(root)) === undefined) continue;
    libraries.push(root);
    const file = path.join(root, 'steamapps', 'libraryfolders.vdf');
    const text = await readIfThere(file, problems);
    if (text === undefined) continue;
    const parsed = steamLibraryPaths(text);
    if (!parsed.ok) {
      problems.push({ path: file, message: `${file} is not a Steam library list Steam could read (${parsed.message}); only ${root} is scanned` });
      continue;
    }
    for (const p of parsed.paths) if (path.isAbsolute(p)) libraries.push(p);
  }
  const out: ScanCandidate[] = [];
  for (const lib of libraries) {
    const common = path.join(lib, 'steamapps', 'common');
    if ((await kindAt(common)) !== undefined) out.push({ path: common, kind: 'steam', title: `Steam library (${lib})` });
  }
  return out;
}

async function epicCandidates(src: CandidateSource, problems: CandidateProblem[], games: KnownGame[]): Promise<ScanCandidate[]> {
  const programData = src.places.programData;
  if (src.os !== 'win32' || !programData) return [];
  const dir = path.join(programData, 'Epic', 'EpicGamesLauncher', 'Data', 'Manifests');
  const out: ScanCandidate[] = [];
  for (const name of await namesIn(dir)) {
    if (!name.toLowerCase().endsWith('.item')) continue;
    const file = path.join(dir, name);
    const text = await readIfThere(file, problems);
    if (text === undefined) continue;
    const m = parseEpicManifest(text);
    if (!m.ok) {
      problems.push({ path: file, message: `${file} is not an Epic Games manifest relocate can read (${m.message})` });
      continue;
    }
    if (m.incomplete || !path.isAbsolute(m.installLocation) || (await kindAt(m.installLocation)) === undefined) continue;
    games.push({ path: m.installLocation, store: 'epic', ...(m.displayName ? { name: m.displayName } : {}) });
    out.push({ path: m.installLocation, kind: 'epic', title: m.displayName ? `${m.displayName} (Epic Games)` : 'Epic Games game' });
  }
  return out;
}

async function gogCandidates(src: CandidateSource, games: KnownGame[]): Promise<ScanCandidate[]> {
  const places: string[] = [];
  if (src.os === 'win32') {
    for (const f of src.places.programFiles) places.push(path.join(f, 'GOG Galaxy', 'Games'));
    // GOG's own installers default to a folder at the system drive's root.
    places.push(path.join(`${envOf(src, 'SystemDrive') ?? 'C:'}${path.sep}`, 'GOG Games'));
  } else if (src.os === 'linux') {
    places.push(path.join(src.home, 'GOG Games'));
  }
  const out: ScanCandidate[] = [];
  for (const p of places) {
    if ((await kindAt(p)) === undefined) continue;
    games.push({ path: p, store: 'gog' });
    out.push({ path: p, kind: 'gog', title: 'GOG games' });
  }
  return out;
}

async function diskImageCandidates(src: CandidateSource): Promise<ScanCandidate[]> {
  const out: ScanCandidate[] = [];
  const local = src.places.localAppData;
  if (src.os === 'win32' && local) {
    const docker = path.join(local, 'Docker', 'wsl');
    if ((await kindAt(docker)) !== undefined) out.push({ path: docker, kind: 'docker', title: 'Docker Desktop disk images' });
    // Every Store app has a folder here; the WSL distributions keep their disk in LocalState.
    const packages = path.join(local, 'Packages');
    for (const name of await namesIn(packages)) {
      const vhdx = path.join(packages, name, 'LocalState', 'ext4.vhdx');
      if ((await kindAt(vhdx)) === 'file') out.push({ path: vhdx, kind: 'wsl', title: `WSL disk (${name.replace(/_[a-z0-9]+$/, '')})` });
    }
  }
  if (src.os === 'darwin') {
    const vms = path.join(src.home, 'Library', 'Containers', 'com.docker.docker', 'Data', 'vms');
    if ((await kindAt(vms)) !== undefined) out.push({ path: vms, kind: 'docker', title: 'Docker Desktop disk image' });
  }
  return out;
}

async function cacheCandidates(src: CandidateSource): Promise<ScanCandidate[]> {
  const out: ScanCandidate[] = [];
  for (const c of knownCaches(src.os, src.home, src.places)) {
    if (c.candidate && (await kindAt(c.path)) !== undefined) out.push({ path: c.path, kind: 'cache', title: c.title });
  }
  return out;
}

async function userFolderCandidates(src: CandidateSource): Promise<ScanCandidate[]> {
  const out: ScanCandidate[] = [];
  for (const name of ['Downloads', 'Videos'] as const) {
    const p = src.places.userFolders[name];
    if (p && (await kindAt(p)) !== undefined) out.push({ path: p, kind: 'user-folder', title: name });
  }
  return out;
}

/**
 * The known large folders of this machine that exist: Steam libraries
 * (from each Steam folder's libraryfolders.vdf), Epic games (its
 * manifests), GOG's games folders, the developer caches of
 * src/core/known-caches.ts, Docker's and WSL's disk images, Downloads and
 * Videos. Only records and folder names are read, nothing is measured:
 * this takes milliseconds. Each place once (by its real path), in that
 * order. `games` are the launchers' records, for the verdict's reasons.
 */
export async function scanCandidates(src: CandidateSource): Promise<{ candidates: ScanCandidate[]; games: KnownGame[]; problems: CandidateProblem[] }> {
  const problems: CandidateProblem[] = [];
  const games: KnownGame[] = [];
  const found = [
    ...(await steamCandidates(src, problems)),
    ...(await epicCandidates(src, problems, games)),
    ...(await gogCandidates(src, games)),
    ...(await cacheCandidates(src)),
    ...(await diskImageCandidates(src)),
    ...(await userFolderCandidates(src)),
  ];
  // One place reached two ways (~/.steam/steam is a link to ~/.local/share/Steam) is listed once, by its first name.
  const seen = new Set<string>();
  const candidates: ScanCandidate[] = [];
  for (const c of found) {
    const key = (await kindAt(c.path)) === 'link' ? c.path : await realpath(c.path).catch(() => c.path);
    if (seen.has(key)) continue;
    seen.add(key);
    candidates.push(c);
  }
  return { candidates, games, problems };
}
