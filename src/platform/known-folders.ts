import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { darwinKnownFolders, defaultKnownFolders, KNOWN_FOLDERS, linuxKnownFolders, windowsEnvKnownFolders, type KnownFolders } from '../core/known-folders.js';
import { hostOs, type OsName } from '../core/paths.js';

/** Where xdg-user-dirs keeps the user dirs: $XDG_CONFIG_HOME/user-dirs.dirs, else ~/.config/user-dirs.dirs. */
export function userDirsFile(home: string, env: Record<string, string | undefined>): string {
  const config = env.XDG_CONFIG_HOME && path.posix.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.posix.join(home, '.config');
  return path.posix.join(config, 'user-dirs.dirs');
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    // Missing or unreadable: the XDG defaults apply, as xdg-user-dir does.
    return undefined;
  }
}

/**
 * The known folders (`${known:Name}`) of the machine a manifest is
 * evaluated for. On this machine's own OS they are asked of the system:
 * Windows through SHGetKnownFolderPath (src/platform/windows), Linux from
 * the XDG user dirs file and base dir variables, macOS the standard
 * folders. For another OS (validate --os) the default locations are used.
 */
export async function resolveKnownFolders(os: OsName, home: string, env: Record<string, string | undefined>): Promise<KnownFolders> {
  if (os !== hostOs()) return defaultKnownFolders(os, home, env);
  if (os === 'darwin') return darwinKnownFolders(home);
  if (os === 'linux') {
    const file = userDirsFile(home, env);
    return linuxKnownFolders(home, env, await readIfExists(file), file);
  }
  // Windows: the shell's answer; where it has none, only what Windows publishes in the environment.
  const { windowsKnownFolders } = await import('./windows/known-folders.js');
  const native = await windowsKnownFolders();
  const fromEnv = windowsEnvKnownFolders(env);
  const out: KnownFolders = { folders: {}, notes: {} };
  for (const name of KNOWN_FOLDERS) {
    const v = native.folders[name] ?? fromEnv[name];
    if (v) out.folders[name] = v;
    else out.notes[name] = native.failures[name] ?? 'Windows did not name this folder';
  }
  return out;
}
