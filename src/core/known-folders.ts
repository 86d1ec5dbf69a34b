import type { OsName } from './paths.js';

/**
 * The known folders a manifest may name as `${known:Name}`: the Windows
 * known folders (SHGetKnownFolderPath) people relocate most, with the same
 * meaning on Linux and macOS where one exists. Names are matched without
 * case; a few aliases are accepted. Pure: the platform layer
 * (src/platform/known-folders.ts) supplies what it read from the machine.
 *
 * Mapping (decided here, documented in the README):
 *
 * | name | Windows | Linux | macOS |
 * |---|---|---|---|
 * | Profile | FOLDERID_Profile | $HOME | ~ |
 * | Desktop, Documents, Downloads, Music, Pictures, Videos, Templates, Public | FOLDERID_… | XDG user dirs (~/.config/user-dirs.dirs, else ~/Desktop …) | ~/Desktop …, Videos = ~/Movies, no Templates |
 * | LocalAppData | FOLDERID_LocalAppData | $XDG_DATA_HOME or ~/.local/share | ~/Library/Application Support |
 * | RoamingAppData | FOLDERID_RoamingAppData | $XDG_CONFIG_HOME or ~/.config | ~/Library/Application Support |
 * | SavedGames, LocalAppDataLow, ProgramData, ProgramFiles, ProgramFilesX86, Windows | FOLDERID_… | — | — |
 */
export const KNOWN_FOLDERS = [
  'Profile',
  'Desktop',
  'Documents',
  'Downloads',
  'Music',
  'Pictures',
  'Videos',
  'Templates',
  'Public',
  'SavedGames',
  'LocalAppData',
  'LocalAppDataLow',
  'RoamingAppData',
  'ProgramData',
  'ProgramFiles',
  'ProgramFilesX86',
  'Windows',
] as const;

export type KnownFolderName = (typeof KNOWN_FOLDERS)[number];

/** Other spellings people reach for: the environment variable names and the macOS folder name. */
const ALIASES: Record<string, KnownFolderName> = {
  home: 'Profile',
  userprofile: 'Profile',
  appdata: 'RoamingAppData',
  movies: 'Videos',
};

/** Folders that exist only on Windows: an entry naming one needs `when: { os: windows }` to be portable. */
export const WINDOWS_ONLY: ReadonlySet<KnownFolderName> = new Set([
  'SavedGames',
  'LocalAppDataLow',
  'ProgramData',
  'ProgramFiles',
  'ProgramFilesX86',
  'Windows',
]);

/** The canonical name for a name written in a manifest (any case, or an alias); undefined when unknown. */
export function knownFolderName(name: string): KnownFolderName | undefined {
  const lower = name.trim().toLowerCase();
  return KNOWN_FOLDERS.find((k) => k.toLowerCase() === lower) ?? ALIASES[lower];
}

/** Known folders resolved for one machine, and why the others are missing. */
export interface KnownFolders {
  folders: Partial<Record<KnownFolderName, string>>;
  /** Why a name has no folder here, for the error message. */
  notes: Partial<Record<KnownFolderName, string>>;
}

/** The XDG user-dirs keys and their defaults (xdg-user-dirs' user-dirs.defaults). */
export const XDG_USER_DIRS: Record<string, { name: KnownFolderName; fallback: string }> = {
  XDG_DESKTOP_DIR: { name: 'Desktop', fallback: 'Desktop' },
  XDG_DOCUMENTS_DIR: { name: 'Documents', fallback: 'Documents' },
  XDG_DOWNLOAD_DIR: { name: 'Downloads', fallback: 'Downloads' },
  XDG_MUSIC_DIR: { name: 'Music', fallback: 'Music' },
  XDG_PICTURES_DIR: { name: 'Pictures', fallback: 'Pictures' },
  XDG_VIDEOS_DIR: { name: 'Videos', fallback: 'Videos' },
  XDG_TEMPLATES_DIR: { name: 'Templates', fallback: 'Templates' },
  XDG_PUBLICSHARE_DIR: { name: 'Public', fallback: 'Public' },
};

/** A POSIX path joined without node:path, so this module stays usable for any OS's rules. */
function joinPosix(a: string, b: string): string {
  return a.endsWith('/') ? a + b : `${a}/${b}`;
}

function stripTrailingSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** An XDG base directory variable: used only when it is an absolute path (the spec says to ignore a relative one). */
function xdgBase(env: Record<string, string | undefined>, name: string, home: string, fallback: string): string {
  const v = env[name];
  return v && v.startsWith('/') ? stripTrailingSlash(v) : joinPosix(home, fallback);
}

/**
 * Parses `user-dirs.dirs` (shell assignments written by xdg-user-dirs-update):
 * `XDG_DOCUMENTS_DIR="$HOME/Documents"`. Per the spec a value is either
 * absolute or `$HOME/…`; `$HOME` alone means the folder is disabled. Lines
 * that are comments, unknown keys or other forms are ignored.
 * Returns the folder per key, or null for a disabled one.
 */
export function parseUserDirs(text: string, home: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Z_]+)=(.*)$/.exec(line);
    if (!m) continue;
    const [, key, rest] = m as unknown as [string, string, string];
    let value: string;
    const quoted = /^"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$/.exec(rest);
    if (quoted) value = quoted[1].replace(/\\(.)/g, '$1');
    else if (/^[^\s"'#]*$/.test(rest)) value = rest;
    else continue;
    let resolved: string;
    const homeRef = /^\$(?:HOME|\{HOME\})(?=\/|$)/.exec(value);
    if (homeRef) resolved = stripTrailingSlash(home + value.slice(homeRef[0].length));
    else if (value.startsWith('/')) resolved = stripTrailingSlash(value);
    else continue;
    out[key] = resolved === stripTrailingSlash(home) ? null : resolved;
  }
  return out;
}

/**
 * Linux: the XDG user dirs (from `user-dirs.dirs` when there is one, else
 * the xdg-user-dirs defaults under $HOME) and the XDG base dirs.
 * `userDirsText` is the file's content, or undefined when it does not exist.
 */
export function linuxKnownFolders(
  home: string,
  env: Record<string, string | undefined>,
  userDirsText: string | undefined,
  userDirsFile = '~/.config/user-dirs.dirs',
): KnownFolders {
  const folders: KnownFolders['folders'] = { Profile: home };
  const notes: KnownFolders['notes'] = {};
  const parsed = userDirsText === undefined ? {} : parseUserDirs(userDirsText, home);
  for (const [key, { name, fallback }] of Object.entries(XDG_USER_DIRS)) {
    const v = parsed[key];
    if (v === null) notes[name] = `${key} is disabled (set to $HOME) in ${userDirsFile}`;
    else folders[name] = v ?? joinPosix(home, fallback);
  }
  folders.LocalAppData = xdgBase(env, 'XDG_DATA_HOME', home, '.local/share');
  folders.RoamingAppData = xdgBase(env, 'XDG_CONFIG_HOME', home, '.config');
  return { folders, notes: { ...notes, ...windowsOnlyNotes('linux') } };
}

/** macOS: the standard folders of the home folder; both AppData folders are ~/Library/Application Support. */
export function darwinKnownFolders(home: string): KnownFolders {
  const h = (rel: string) => joinPosix(home, rel);
  return {
    folders: {
      Profile: home,
      Desktop: h('Desktop'),
      Documents: h('Documents'),
      Downloads: h('Downloads'),
      Music: h('Music'),
      Pictures: h('Pictures'),
      Videos: h('Movies'),
      Public: h('Public'),
      LocalAppData: h('Library/Application Support'),
      RoamingAppData: h('Library/Application Support'),
    },
    notes: { Templates: 'macOS has no Templates folder', ...windowsOnlyNotes('darwin') },
  };
}

function windowsOnlyNotes(os: OsName): KnownFolders['notes'] {
  const notes: KnownFolders['notes'] = {};
  for (const n of WINDOWS_ONLY) notes[n] = `${n} exists only on Windows, not on ${os}`;
  return notes;
}

/** Windows environment names are case-insensitive. */
function winEnv(env: Record<string, string | undefined>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(env)) if (k.toLowerCase() === lower && v) return v;
  return undefined;
}

/**
 * The Windows known folders that Windows itself publishes in the
 * environment (USERPROFILE, LOCALAPPDATA, APPDATA, ProgramData, …). These
 * are exact; the shell folders (Documents, Downloads, …) are not in the
 * environment and may have been moved, so they are never guessed here.
 */
export function windowsEnvKnownFolders(env: Record<string, string | undefined>): KnownFolders['folders'] {
  const out: KnownFolders['folders'] = {};
  const set = (name: KnownFolderName, v: string | undefined) => {
    if (v) out[name] = v;
  };
  set('Profile', winEnv(env, 'USERPROFILE'));
  set('LocalAppData', winEnv(env, 'LOCALAPPDATA'));
  set('RoamingAppData', winEnv(env, 'APPDATA'));
  set('ProgramData', winEnv(env, 'ProgramData'));
  set('ProgramFiles', winEnv(env, 'ProgramFiles'));
  set('ProgramFilesX86', winEnv(env, 'ProgramFiles(x86)'));
  set('Windows', winEnv(env, 'SystemRoot') ?? winEnv(env, 'windir'));
  set('Public', winEnv(env, 'PUBLIC'));
  return out;
}

/**
 * Windows' default locations, for checking a Windows manifest on another OS
 * (`validate --os windows`), where nothing of that machine can be asked.
 */
export function windowsDefaultKnownFolders(home: string, env: Record<string, string | undefined>): KnownFolders {
  const fromEnv = windowsEnvKnownFolders(env);
  const profile = fromEnv.Profile ?? home;
  const drive = /^[A-Za-z]:/.exec(profile)?.[0] ?? 'C:';
  const p = (rel: string) => `${profile.replace(/\\+$/, '')}\\${rel}`;
  const roaming = fromEnv.RoamingAppData ?? p('AppData\\Roaming');
  return {
    folders: {
      Profile: profile,
      Desktop: p('Desktop'),
      Documents: p('Documents'),
      Downloads: p('Downloads'),
      Music: p('Music'),
      Pictures: p('Pictures'),
      Videos: p('Videos'),
      Templates: `${roaming}\\Microsoft\\Windows\\Templates`,
      Public: fromEnv.Public ?? `${drive}\\Users\\Public`,
      SavedGames: p('Saved Games'),
      LocalAppData: fromEnv.LocalAppData ?? p('AppData\\Local'),
      LocalAppDataLow: p('AppData\\LocalLow'),
      RoamingAppData: roaming,
      ProgramData: fromEnv.ProgramData ?? `${drive}\\ProgramData`,
      ProgramFiles: fromEnv.ProgramFiles ?? `${drive}\\Program Files`,
      ProgramFilesX86: fromEnv.ProgramFilesX86 ?? `${drive}\\Program Files (x86)`,
      Windows: fromEnv.Windows ?? `${drive}\\Windows`,
    },
    notes: {},
  };
}

/**
 * Known folders of an OS this machine is not (validate --os): the default
 * locations under the given home, since nothing of that machine can be read.
 */
export function defaultKnownFolders(os: OsName, home: string, env: Record<string, string | undefined>): KnownFolders {
  if (os === 'win32') return windowsDefaultKnownFolders(home, env);
  if (os === 'darwin') return darwinKnownFolders(home);
  return linuxKnownFolders(home, {}, undefined);
}
