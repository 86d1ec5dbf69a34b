import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { consoleProcessCount } from './windows/console.js';

/**
 * Where `relocate.exe` started with no arguments from Explorer (a
 * double-click, or a Start-menu shortcut) keeps the manifest its window
 * edits: the per-user roaming folder, `%APPDATA%\relocate\relocate.yaml`,
 * so every start finds the same one whatever folder the executable sits in.
 */
export function doubleClickManifest(env: Record<string, string | undefined>, home: string): string {
  const base = env.APPDATA && path.win32.isAbsolute(env.APPDATA) ? env.APPDATA : path.win32.join(home, 'AppData', 'Roaming');
  return path.win32.join(base, 'relocate', 'relocate.yaml');
}

/**
 * Whether to open the window instead of printing the usage: only on Windows,
 * only with no arguments, and only when the console was made for this
 * process alone (Explorer started it: a command prompt shares its console,
 * and there the usage is what the user asked for). Pure.
 */
export function opensWindow(platform: string, argv: readonly string[], consoleProcesses: number | undefined): boolean {
  return platform === 'win32' && argv.length === 0 && consoleProcesses === 1;
}

/**
 * The manifest to open when Explorer started relocate with no arguments,
 * its folder made (the server refuses a manifest in a missing folder), or
 * undefined when the usage should be printed as usual.
 */
export async function doubleClickStart(argv: readonly string[], env: Record<string, string | undefined>, home: string): Promise<string | undefined> {
  if (!opensWindow(process.platform, argv, process.platform === 'win32' && argv.length === 0 ? await consoleProcessCount() : undefined)) return undefined;
  const manifest = doubleClickManifest(env, home);
  mkdirSync(path.win32.dirname(manifest), { recursive: true });
  return manifest;
}
