/**
 * The files-in-use check for this machine, chosen once by OS:
 * Windows: the Restart Manager (src/platform/windows/restart-manager.ts);
 * Linux: one pass over /proc (in-use-linux.ts); macOS: libproc through
 * koffi (in-use-darwin.ts), else `lsof -F` (in-use-lsof.ts). Elsewhere
 * there is no check (the plan says nothing rather than guess).
 */
import type { InUseFile, InUseReport } from '../state/types.js';
import { canonicalRoot, oneScanProbe, usersOf, type ProcessLister } from './in-use-table.js';
import { listFiles } from './in-use-files.js';
import { windowsInUseProbe } from './windows/native.js';

/** Who holds something inside a tree (or file), and who could not be asked. */
export type InUseProbe = (root: string, isDir: boolean) => Promise<InUseReport>;

let lister: Promise<ProcessLister | undefined> | undefined;
const notes = new Set<string>();

/** Fallbacks the check took (macOS: lsof instead of libproc, or no check at all), for --verbose. */
export function inUseNotes(): string[] {
  return [...notes];
}

/** The process lister of this POSIX system, or undefined (Windows, other systems). */
function processLister(): Promise<ProcessLister | undefined> {
  return (lister ??= (async (): Promise<ProcessLister | undefined> => {
    switch (process.platform) {
      case 'linux': {
        const { scanProc } = await import('./in-use-linux.js');
        return async () => scanProc();
      }
      case 'darwin': {
        const { darwinProcessLister } = await import('./in-use-darwin.js');
        return darwinProcessLister((why) => notes.add(why));
      }
      default:
        return undefined;
    }
  })());
}

/**
 * The probe for one observe (one DiskReader): on POSIX the processes are
 * listed once, at the first tree asked about, and every tree of the
 * observe is answered from that one pass.
 */
export async function inUseProbe(): Promise<InUseProbe | undefined> {
  if (process.platform === 'win32') {
    const rm = await windowsInUseProbe(listFiles);
    return rm ? async (root, isDir) => ({ held: await rm(root, isDir), unknown: [] }) : undefined;
  }
  const list = await processLister();
  return list ? oneScanProbe(list) : undefined;
}

/**
 * Who holds something inside `root` right now: a fresh look at every
 * process (the executor's check right before it copies or sets an original
 * aside). Processes that cannot be inspected are not reported here: the
 * plan warned about them (W_IN_USE_UNKNOWN). [] where there is no check.
 */
export async function holdersNow(root: string, isDir: boolean): Promise<InUseFile[]> {
  if (process.platform === 'win32') {
    const rm = await windowsInUseProbe(listFiles);
    return rm ? rm(root, isDir) : [];
  }
  const list = await processLister();
  return list ? usersOf(await list(), canonicalRoot(root)).held : [];
}
