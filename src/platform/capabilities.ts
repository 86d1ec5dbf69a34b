import { lstat, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Capabilities } from '../state/types.js';
import { windowsSymlinkPermission } from './windows/native.js';

/**
 * What links this account may create. POSIX systems allow all three.
 * Windows: junctions and hard links need no privilege; symlinks need
 * Developer Mode or SeCreateSymbolicLinkPrivilege, which the native layer
 * reads from the registry and the process token
 * (src/platform/windows/privilege.ts). Without the native layer, one
 * symlink is created in a fresh temporary folder and checked with lstat (a
 * platform may report success and create nothing), then removed.
 */
export async function detectCapabilities(): Promise<Capabilities> {
  if (process.platform !== 'win32') return { symlinks: true, junctions: false, hardlinks: true };
  const native = await windowsSymlinkPermission();
  if (native !== undefined) return { symlinks: native !== null, junctions: true, hardlinks: true };
  return { symlinks: await probeSymlink(), junctions: true, hardlinks: true };
}

async function probeSymlink(): Promise<boolean> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'relocate-probe-'));
  try {
    await writeFile(path.join(dir, 'f'), '');
    await symlink(path.join(dir, 'f'), path.join(dir, 'l'), 'file');
    return (await lstat(path.join(dir, 'l'))).isSymbolicLink();
  } catch {
    return false;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
