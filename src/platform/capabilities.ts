import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Capabilities } from '../state/types.js';

/**
 * What links this account may create. POSIX systems allow all three.
 * Windows needs Developer Mode or SeCreateSymbolicLinkPrivilege for
 * symlinks: until the native check lands, it is probed by creating one
 * symlink in a fresh temporary folder (removed at once).
 */
export async function detectCapabilities(): Promise<Capabilities> {
  if (process.platform !== 'win32') return { symlinks: true, junctions: false, hardlinks: true };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'relocate-probe-'));
  try {
    await writeFile(path.join(dir, 'f'), '');
    await symlink(path.join(dir, 'f'), path.join(dir, 'l'), 'file');
    return { symlinks: true, junctions: true, hardlinks: true };
  } catch {
    return { symlinks: false, junctions: true, hardlinks: true };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
