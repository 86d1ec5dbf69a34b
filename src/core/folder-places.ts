import type { KnownFolderName } from './known-folders.js';
import type { OsName } from './paths.js';

/** The user data folders scan lists and the verdict calls the user's own. */
export const USER_DATA_FOLDERS = [
  'Desktop',
  'Documents',
  'Downloads',
  'Music',
  'Pictures',
  'Videos',
  'SavedGames',
] as const satisfies readonly KnownFolderName[];
export type UserDataFolder = (typeof USER_DATA_FOLDERS)[number];

/** A game a launcher's own records name (Epic's manifests, GOG's folder). */
export interface KnownGame {
  path: string;
  store: 'epic' | 'gog';
  /** The launcher's name for it, when it says. */
  name?: string;
}

/**
 * Where this machine keeps the folders the protected-folder and verdict
 * rules name, as plain data the pure planner can compare paths with.
 * Invariants: every path is absolute in the machine's own style; a folder
 * this machine does not have is left out (never guessed as an empty string).
 * Built from the environment and the known folders by `folderPlaces`, so a
 * test points every one of them at a sandbox.
 */
export interface FolderPlaces {
  /** Windows %LOCALAPPDATA%; Linux $XDG_DATA_HOME or ~/.local/share; macOS ~/Library/Application Support. */
  localAppData?: string;
  /** Windows %APPDATA%; Linux $XDG_CONFIG_HOME or ~/.config; macOS ~/Library/Application Support. */
  roamingAppData?: string;
  /** Windows only: AppData\LocalLow. */
  localAppDataLow?: string;
  /** Linux: $XDG_CACHE_HOME or ~/.cache; macOS: ~/Library/Caches. Every program's cache, rebuilt when missing. */
  cacheHome?: string;
  /** Windows only: %ProgramData%. */
  programData?: string;
  /** Windows only: %ProgramFiles% and %ProgramFiles(x86)%. */
  programFiles: string[];
  /** Windows: the OneDrive folders the environment names (OneDrive, OneDriveConsumer, OneDriveCommercial). */
  oneDrive: string[];
  /** The user data folders (Downloads, Videos, …) by name. */
  userFolders: Partial<Record<UserDataFolder, string>>;
  /** Games the launchers' records name; optional facts, found by `relocate scan`. */
  games?: KnownGame[];
}

/** Windows environment names are case-insensitive. */
function envValue(env: Record<string, string | undefined>, name: string, os: OsName): string | undefined {
  if (os !== 'win32') return env[name] || undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(env)) if (k.toLowerCase() === lower && v) return v;
  return undefined;
}

function posixJoin(a: string, b: string): string {
  return a.endsWith('/') ? a + b : `${a}/${b}`;
}

/**
 * The places of one machine from its known folders (src/platform/known-folders.ts
 * resolves them) and environment. Pure.
 */
export function folderPlaces(os: OsName, home: string, known: Partial<Record<string, string>>, env: Record<string, string | undefined>): FolderPlaces {
  const userFolders: FolderPlaces['userFolders'] = {};
  for (const name of USER_DATA_FOLDERS) {
    const p = known[name];
    if (p) userFolders[name] = p;
  }
  const places: FolderPlaces = { programFiles: [], oneDrive: [], userFolders };
  if (known.LocalAppData) places.localAppData = known.LocalAppData;
  if (known.RoamingAppData) places.roamingAppData = known.RoamingAppData;
  if (os === 'win32') {
    const low = known.LocalAppDataLow ?? (known.LocalAppData ? known.LocalAppData.replace(/[\\/]Local$/i, '\\LocalLow') : undefined);
    if (low && low !== known.LocalAppData) places.localAppDataLow = low;
    if (known.ProgramData) places.programData = known.ProgramData;
    for (const p of [known.ProgramFiles, known.ProgramFilesX86]) if (p && !places.programFiles.includes(p)) places.programFiles.push(p);
    for (const name of ['OneDrive', 'OneDriveConsumer', 'OneDriveCommercial']) {
      const p = envValue(env, name, os);
      if (p && /^[A-Za-z]:[\\/]|^\\\\/.test(p) && !places.oneDrive.some((q) => q.toLowerCase() === p.toLowerCase())) places.oneDrive.push(p);
    }
  } else {
    const xdg = envValue(env, 'XDG_CACHE_HOME', os);
    places.cacheHome =
      os === 'darwin' ? posixJoin(home, 'Library/Caches') : xdg && xdg.startsWith('/') ? xdg.replace(/\/+$/, '') || '/' : posixJoin(home, '.cache');
  }
  return places;
}
