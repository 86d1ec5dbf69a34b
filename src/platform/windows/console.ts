import { Buffer } from 'node:buffer';
import { loadWin32 } from './win32.js';

/**
 * How many processes share this process's console (GetConsoleProcessList),
 * or undefined off Windows, without a console, or without the Win32 layer.
 * 1 means the console was made for this process alone: Explorer started it
 * (a double-click on relocate.exe, or a shortcut), not a command prompt,
 * where the shell shares the console too.
 */
export async function consoleProcessCount(): Promise<number | undefined> {
  const w = await loadWin32();
  if (!w) return undefined;
  const list = Buffer.alloc(4 * 8);
  const n = w.raw.GetConsoleProcessList(list, 8);
  return n === 0 ? undefined : n;
}
