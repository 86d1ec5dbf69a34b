import type { FolderPlaces } from '../core/folder-places.js';
import { knownCaches } from '../core/known-caches.js';
import { isInside, pathApi, pathKey, samePath, type OsName, type PathStyle } from '../core/paths.js';
import { protectedReason } from './protected.js';

/**
 * How safe moving a folder is, the planner's answer (src/render/scan-json.ts
 * `Verdict`): `safe` to move with relocate; `owner-mover` — the program that
 * owns it has its own mover, use that; `caution` — one program's data,
 * fine once that program is closed; `never` — the plan refuses it
 * (E_PROTECTED).
 */
export type FolderVerdictKind = 'safe' | 'owner-mover' | 'caution' | 'never';

/**
 * A verdict with its reason in plain words. Invariant: `mover` is set
 * exactly when `verdict` is 'owner-mover', and names what to use instead.
 */
export type FolderVerdict = { verdict: 'safe' | 'caution' | 'never'; reason: string } | { verdict: 'owner-mover'; reason: string; mover: string };

/** What the verdict rules compare a path with; plain data, so the planner stays pure. */
export interface VerdictContext {
  os: OsName;
  home: string;
  /** relocate's own state folder. */
  stateDir?: string;
  places: FolderPlaces;
}

/** What the machine says about the folder right now, beyond its path. */
export interface VerdictFacts {
  /** Programs with files open in it (the in-use probe), by name. */
  inUseBy?: string[];
}

const STEAM_MOVER = 'Steam > Settings > Storage';
const STORE_MOVER = 'Settings > Apps > Installed apps > (the app) > Move';
const WSL_MOVER = 'wsl --manage <distro> --move <new folder> (wsl --list names the distro)';
const DOCKER_MOVER = 'Docker Desktop > Settings > Resources > Advanced > Disk image location';

/** Names of a path (below its root), compared without case: Steam, WSL and Docker spell their folders one way on every OS. */
function segments(p: string, style: PathStyle): string[] {
  const api = pathApi(style);
  const root = api.parse(p).root;
  return p
    .slice(root.length)
    .split(/[\\/]+/)
    .filter((s) => s !== '')
    .map((s) => s.toLowerCase());
}

/** `p` equal to or inside `folder`, as the OS compares paths. */
function within(p: string, folder: string | undefined, style: PathStyle): boolean {
  return folder !== undefined && folder !== '' && (samePath(p, folder, style) || isInside(p, folder, style));
}

/** The rule for programs that move their own data, or undefined. */
function ownerMover(p: string, style: PathStyle, ctx: VerdictContext): FolderVerdict | undefined {
  const names = segments(p, style);
  const steamapps = names.indexOf('steamapps');
  if (steamapps >= 0) {
    return {
      verdict: 'owner-mover',
      reason: `${steamapps === names.length - 1 ? 'a Steam library' : 'part of a Steam library'}: Steam moves games between its libraries itself and keeps its records right`,
      mover: STEAM_MOVER,
    };
  }
  if (names[names.length - 1] === 'ext4.vhdx') {
    return { verdict: 'owner-mover', reason: "a WSL distribution's disk image: WSL records where it is and moves it itself", mover: WSL_MOVER };
  }
  const api = pathApi(style);
  const local = ctx.places.localAppData;
  if (local && style.flavour === 'win32') {
    if (within(p, api.join(local, 'Docker', 'wsl'), style)) {
      return { verdict: 'owner-mover', reason: "Docker Desktop's WSL disk images: Docker records where they are and moves them itself", mover: DOCKER_MOVER };
    }
    const packages = api.join(local, 'Packages');
    if (isInside(p, packages, style)) {
      return { verdict: 'owner-mover', reason: "a Microsoft Store app's data: Windows moves Store apps and their data itself", mover: STORE_MOVER };
    }
  }
  if (ctx.os === 'darwin' && within(p, api.join(ctx.home, 'Library/Containers/com.docker.docker'), style)) {
    return { verdict: 'owner-mover', reason: "Docker Desktop's disk image: Docker records where it is and moves it itself", mover: DOCKER_MOVER };
  }
  return undefined;
}

const USER_FOLDER_WORDS: Record<string, string> = { SavedGames: 'Saved Games' };

/** The rules for folders relocate knows are fine to move. */
function knownSafe(p: string, style: PathStyle, ctx: VerdictContext): FolderVerdict | undefined {
  // The most specific cache first: a pip cache inside the cache folder is named as the pip cache.
  const caches = knownCaches(ctx.os, ctx.home, ctx.places).sort((a, b) => b.path.length - a.path.length);
  for (const c of caches) {
    if (within(p, c.path, style)) return { verdict: 'safe', reason: `${samePath(p, c.path, style) ? `the ${c.title}` : `inside the ${c.title}`}: ${c.why}` };
  }
  for (const g of ctx.places.games ?? []) {
    if (within(p, g.path, style)) {
      const store = g.store === 'epic' ? 'Epic Games' : 'GOG';
      return { verdict: 'safe', reason: `${g.name ? `${g.name}, a` : 'a'} ${store} game: the launcher finds it again through the link (close the game first)` };
    }
  }
  const names = segments(p, style);
  const gog = names.findIndex((n, i) => n === 'gog games' || (n === 'games' && names[i - 1] === 'gog galaxy'));
  if (gog >= 0) return { verdict: 'safe', reason: 'GOG games: they run from wherever they are (close the game first)' };
  const epic = names.indexOf('epic games');
  if (epic >= 0 && names[epic + 1] !== 'launcher' && names.length > epic + 1) {
    return { verdict: 'safe', reason: 'an Epic Games game: the launcher finds it again through the link (close the game first)' };
  }
  for (const [name, folder] of Object.entries(ctx.places.userFolders)) {
    if (!within(p, folder, style)) continue;
    const words = USER_FOLDER_WORDS[name] ?? name;
    const same = pathKey(p, style) === pathKey(folder, style);
    const windows = same && style.flavour === 'win32' ? ' (Windows can also move it itself: its Properties > Location)' : '';
    return {
      verdict: 'safe',
      reason: `${same ? `your ${words} folder` : `in your ${words} folder`}: your own files, which programs open only while you use them${windows}`,
    };
  }
  return undefined;
}

/** The rule for one program's data: fine to move once that program is closed. */
function oneProgram(p: string, style: PathStyle, ctx: VerdictContext, facts: VerdictFacts): FolderVerdict | undefined {
  const { places } = ctx;
  const api = pathApi(style);
  const appFolders: [string | undefined, string][] = [
    [places.localAppData, style.flavour === 'win32' ? 'AppData\\Local' : ctx.os === 'darwin' ? 'Application Support' : '~/.local/share'],
    [places.roamingAppData, style.flavour === 'win32' ? 'AppData\\Roaming' : ctx.os === 'darwin' ? 'Application Support' : '~/.config'],
    [places.localAppDataLow, 'AppData\\LocalLow'],
    [places.programData, 'ProgramData'],
    ...places.programFiles.map((f): [string, string] => [f, api.basename(f)]),
  ];
  const holders = [...new Set(facts.inUseBy ?? [])];
  const held =
    holders.length > 0
      ? `; ${holders.join(', ')} ${holders.length === 1 ? 'has' : 'have'} files open in it now: close ${holders.length === 1 ? 'it' : 'them'} first`
      : '; close that program before moving it';
  if (places.localAppData && style.flavour === 'win32' && within(p, api.join(places.localAppData, 'Temp'), style)) {
    return {
      verdict: 'caution',
      reason: `${pathKey(p, style) === pathKey(api.join(places.localAppData, 'Temp'), style) ? 'the' : 'in the'} temporary folder of every program: some always have files open there; point the TEMP and TMP variables elsewhere instead`,
    };
  }
  for (const [folder, words] of appFolders) {
    if (!folder || !within(p, folder, style)) continue;
    if (pathKey(p, style) === pathKey(folder, style)) {
      return { verdict: 'caution', reason: `the ${words} folder itself holds the data of many programs: move the folders of the large ones instead` };
    }
    const installed = places.programFiles.some((f) => f === folder);
    return {
      verdict: 'caution',
      reason: `${installed ? 'an installed program' : `one program's data (in ${words})`}: it finds it through the link, but must not run while it moves${held}`,
    };
  }
  return undefined;
}

/**
 * The verdict on moving `p` elsewhere and leaving a link, from the same
 * rules the planner applies: 'never' is exactly what `protectedReason`
 * refuses (E_PROTECTED); 'owner-mover' is what `plan` warns about
 * (W_OWNER_MOVER). Then known caches, games and the user's own folders are
 * safe; one program's data (AppData, ~/.config, ~/.local/share, Program
 * Files) is caution; anything else is safe, with a plain reason. Pure.
 */
export function folderVerdict(p: string, style: PathStyle, ctx: VerdictContext, facts: VerdictFacts = {}): FolderVerdict {
  const never = protectedReason(p, style, ctx.home, ctx.stateDir, ctx.places.oneDrive);
  if (never) return { verdict: 'never', reason: `${never}; relocate refuses it (E_PROTECTED)` };
  return (
    ownerMover(p, style, ctx) ??
    knownSafe(p, style, ctx) ??
    oneProgram(p, style, ctx, facts) ?? {
      verdict: 'safe',
      reason:
        facts.inUseBy && facts.inUseBy.length > 0
          ? `no rule of relocate's applies; ${[...new Set(facts.inUseBy)].join(', ')} has files open in it now: close it first`
          : "your own files as far as relocate knows: no rule of relocate's applies",
    }
  );
}

/**
 * The owner-mover verdict alone, for the plan's W_OWNER_MOVER warning:
 * what `folderVerdict` answers with 'owner-mover' (a protected path is
 * 'never' there, and E_PROTECTED in the plan), without the rules after it.
 */
export function ownerMoverOf(p: string, style: PathStyle, ctx: VerdictContext): { reason: string; mover: string } | undefined {
  if (protectedReason(p, style, ctx.home, ctx.stateDir, ctx.places.oneDrive)) return undefined;
  const v = ownerMover(p, style, ctx);
  return v?.verdict === 'owner-mover' ? { reason: v.reason, mover: v.mover } : undefined;
}
