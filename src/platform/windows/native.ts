/**
 * The Windows layer as the rest of src/platform uses it. Every function
 * resolves to undefined (or null) when not on Windows or when the Win32
 * bindings cannot load, so callers keep their portable path; the reason is
 * collected for --verbose (`windowsNotes()`).
 */
import type { VolumeInfo, InUseFile, NotCopyableReason } from '../../state/types.js';
import { refusalOf, type SecurityCopy } from './file-attributes.js';
import { windowsKeep } from './keep-meta-win.js';
import { moveNoReplaceWithRetry, type MoveOutcome } from './move.js';
import { symlinkPermission } from './privilege.js';
import { probeLink, type ReparseKind } from './reparse.js';
import { filesInUse } from './restart-manager.js';
import { volumeId, volumePathName, windowsVolumeInfo } from './volume.js';
import { loadWin32, win32Path, win32UnavailableReason } from './win32.js';

const notes = new Set<string>();

function note(what: string): void {
  if (process.platform === 'win32') notes.add(`${what}: ${win32UnavailableReason()}`);
}

/** Fallbacks taken so far (for --verbose). */
export function windowsNotes(): string[] {
  return [...notes];
}

export type LinkProbeResult = { kind: ReparseKind; target?: string };

/** Tells junctions, symlinks and other reparse points apart (paths Node's lstat calls symbolic links). */
export async function windowsLinkProbe(): Promise<((p: string) => Promise<LinkProbeResult>) | undefined> {
  const w = await loadWin32();
  if (!w) {
    note('junctions cannot be told from directory symlinks');
    return undefined;
  }
  return async (p) => probeLink(w, p);
}

/** The volume key (volume path name) of an existing path, or undefined when unknown. */
export async function windowsVolumeKey(existing: string): Promise<string | undefined> {
  const w = await loadWin32();
  if (!w) return undefined;
  try {
    return volumeId(volumePathName(w, existing));
  } catch {
    return undefined;
  }
}

/** Volume facts from the Win32 calls, or undefined when they are unavailable (the caller uses statfs). */
export async function windowsVolume(existing: string): Promise<VolumeInfo | undefined> {
  const w = await loadWin32();
  if (!w) {
    note('volume facts (file system, network drive, read-only) are unknown');
    return undefined;
  }
  try {
    return windowsVolumeInfo(w, existing);
  } catch {
    return undefined;
  }
}

/** How symlinks are permitted, null when they are not, undefined when it cannot be asked natively. */
export async function windowsSymlinkPermission(): Promise<'developer-mode' | 'privilege' | null | undefined> {
  const w = await loadWin32();
  if (!w) {
    note('symlink permission is probed by creating one');
    return undefined;
  }
  try {
    return symlinkPermission(w);
  } catch {
    return undefined;
  }
}

/**
 * The Restart Manager check for a tree (or file) about to move, of the files
 * `listFiles` names in it; undefined when unavailable.
 */
export async function windowsInUseProbe(
  listFiles: (root: string, isDir: boolean) => Promise<string[]>,
): Promise<((root: string, isDir: boolean) => Promise<InUseFile[]>) | undefined> {
  const w = await loadWin32();
  if (!w) {
    note('files in use are not checked before moving');
    return undefined;
  }
  return async (root, isDir) => {
    try {
      return filesInUse(w, await listFiles(root, isDir), root);
    } catch (err) {
      notes.add(`the Restart Manager could not check ${root}: ${(err as Error).message}`);
      return [];
    }
  };
}

/** MoveFileExW without replacing, with retries; undefined when the native call is unavailable. */
export async function windowsMoveNoReplace(): Promise<((from: string, to: string) => Promise<MoveOutcome>) | undefined> {
  const w = await loadWin32();
  if (!w) return undefined;
  return (from, to) => moveNoReplaceWithRetry(w, from, to);
}

/**
 * Why a node cannot be copied to another volume (a cloud placeholder, an
 * EFS file), from one GetFileAttributesW that never opens it (so nothing is
 * downloaded); undefined when the Win32 layer is unavailable.
 */
export async function windowsNotCopyableReader(): Promise<((p: string) => NotCopyableReason | undefined) | undefined> {
  const w = await loadWin32();
  if (!w) {
    note('cloud placeholders and encrypted files are not detected before a copy');
    return undefined;
  }
  return (p) => refusalOf(w.raw.GetFileAttributesW(win32Path(p)));
}

/** How much of the security descriptor copies made by this process keep (see keep-meta-win.ts); undefined off Windows. */
export async function windowsPermissionsCopy(): Promise<SecurityCopy | undefined> {
  if (process.platform !== 'win32') return undefined;
  return (await windowsKeep())?.security ?? 'none';
}
