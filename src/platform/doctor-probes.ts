import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, mkdtemp, open, rm, rmdir, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { nativeRenameNoReplace, nativeRenameUnavailableReason } from './native/rename-noreplace.js';

/**
 * The disk probes of `relocate doctor`. Each one leaves nothing behind: a
 * probe file or folder has a name no one else uses, and is removed in a
 * `finally` whatever happens. Nothing is created where it would not be
 * removed again (a missing state folder is reported, not created).
 */

/** This machine, as people name it. */
export function systemFacts(): { platform: NodeJS.Platform; type: string; release: string; version: string; arch: string; node: string; hostname: string } {
  let version = '';
  try {
    version = os.version();
  } catch {
    // os.version() is missing on some platforms.
  }
  return { platform: process.platform, type: os.type(), release: os.release(), version, arch: process.arch, node: process.version, hostname: os.hostname() };
}

/** Is the folder there, and can relocate write in it? */
export interface DirProbe {
  path: string;
  exists: boolean;
  writable: boolean;
  /** For a missing folder: the nearest folder that exists (where it would be created). */
  existingAncestor?: string;
  /** Why it is not writable (the error relocate hit). */
  error?: string;
}

function probeName(): string {
  return `.relocate-doctor-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * An existing folder is tested by creating and removing one probe file in
 * it. A missing folder is not created: in its nearest existing ancestor a
 * probe folder is made and removed at once instead (apply would create
 * the rest the same way).
 */
export async function probeWritableDir(dir: string): Promise<DirProbe> {
  let s;
  try {
    s = await stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { path: dir, exists: false, writable: false, error: (err as Error).message };
  }
  if (s) {
    if (!s.isDirectory()) return { path: dir, exists: true, writable: false, error: 'it is not a folder' };
    const probe = path.join(dir, probeName());
    try {
      const fh = await open(probe, 'wx', 0o600);
      await fh.close();
      return { path: dir, exists: true, writable: true };
    } catch (err) {
      return { path: dir, exists: true, writable: false, error: (err as Error).message };
    } finally {
      await unlink(probe).catch(() => undefined);
    }
  }
  for (let up = path.dirname(dir); ; up = path.dirname(up)) {
    try {
      if ((await stat(up)).isDirectory()) {
        // Can a folder be made here? One probe folder, made and removed (permission bits alone do not say: root, read-only mounts, /proc).
        const probe = path.join(up, probeName());
        try {
          await mkdir(probe);
          return { path: dir, exists: false, writable: true, existingAncestor: up };
        } catch (err) {
          return { path: dir, exists: false, writable: false, existingAncestor: up, error: (err as Error).message };
        } finally {
          await rmdir(probe).catch(() => undefined);
        }
      }
      return { path: dir, exists: false, writable: false, existingAncestor: up, error: `${up} is not a folder` };
    } catch {
      // Keep going up.
    }
    if (path.dirname(up) === up) return { path: dir, exists: false, writable: false, error: 'no part of the path exists' };
  }
}

/** Which links a folder's volume holds, found by making one of each in a probe folder there. */
export interface LinkKindsProbe {
  dir: string;
  /** False when nothing could be created there (read-only, no permission): the kinds are then unknown. */
  tested: boolean;
  symlinks?: boolean;
  hardlinks?: boolean;
  /** Windows only. */
  junctions?: boolean;
  /** Why the probe folder could not be made, or why a kind failed (by kind). */
  error?: string;
  failures: Partial<Record<'symlinks' | 'hardlinks' | 'junctions', string>>;
}

/**
 * Creates a probe folder in `dir` and, inside it, a file, a symlink to it,
 * a hard link of it and (Windows) a junction to a subfolder; each counts
 * only if lstat then sees what was asked for (a platform may report success
 * and create nothing). The probe folder is removed without following links.
 */
export async function probeLinkKinds(dir: string): Promise<LinkKindsProbe> {
  const out: LinkKindsProbe = { dir, tested: false, failures: {} };
  let tmp: string;
  try {
    tmp = await mkdtemp(path.join(dir, `${probeName()}-`));
  } catch (err) {
    out.error = (err as Error).message;
    return out;
  }
  out.tested = true;
  try {
    const file = path.join(tmp, 'file');
    await writeFile(file, 'relocate doctor probe\n');
    try {
      await symlink('file', path.join(tmp, 'symlink'), 'file');
      out.symlinks = (await lstat(path.join(tmp, 'symlink'))).isSymbolicLink();
      if (!out.symlinks) out.failures.symlinks = 'the link was reported created but is not there';
    } catch (err) {
      out.symlinks = false;
      out.failures.symlinks = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    }
    try {
      await link(file, path.join(tmp, 'hardlink'));
      out.hardlinks = (await stat(file)).nlink >= 2;
      if (!out.hardlinks) out.failures.hardlinks = 'the hard link was reported created but the link count did not change';
    } catch (err) {
      out.hardlinks = false;
      out.failures.hardlinks = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    }
    if (process.platform === 'win32') {
      try {
        await mkdir(path.join(tmp, 'folder'));
        await symlink(path.join(tmp, 'folder'), path.join(tmp, 'junction'), 'junction');
        out.junctions = (await lstat(path.join(tmp, 'junction'))).isSymbolicLink();
        if (!out.junctions) out.failures.junctions = 'the junction was reported created but is not there';
      } catch (err) {
        out.junctions = false;
        out.failures.junctions = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      }
    }
  } finally {
    // rm removes links as links; nothing outside the probe folder is touched.
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
  return out;
}

/** The native layer relocate uses for moves that never overwrite: loaded, or the portable fallback and why. */
export async function nativeLayer(): Promise<{ loaded: boolean; what: string; reason?: string }> {
  if (process.platform === 'win32') {
    const { loadWin32, win32UnavailableReason } = await import('./windows/win32.js');
    const w = await loadWin32();
    return w
      ? { loaded: true, what: 'Win32 through koffi (MoveFileExW without replace, reparse tags, volume facts, Restart Manager)' }
      : { loaded: false, what: 'Win32 through koffi', reason: win32UnavailableReason() };
  }
  const fn = await nativeRenameNoReplace();
  const what = process.platform === 'darwin' ? 'renamex_np(RENAME_EXCL) through koffi' : 'renameat2(RENAME_NOREPLACE) through koffi';
  return fn ? { loaded: true, what } : { loaded: false, what, reason: nativeRenameUnavailableReason() };
}
