import { rmdirSync, unlinkSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { windowsLinkProbe } from '../windows/native.js';
import type { HostPrimitives } from './host-primitives.js';

async function symlinkType(target: string): Promise<'dir' | 'file'> {
  try {
    return (await stat(target)).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'dir';
  }
}

/** Windows (host-primitives.ts). */
export const WINDOWS_PRIMITIVES: HostPrimitives = {
  under: (root, rel) => (rel === '' ? root : path.join(root, rel)),
  symlinkType,
  newLinkType: async (kind, target) => (kind === 'junction' ? 'junction' : symlinkType(target)),
  restoredLinkType: (kind, dirHint) => (kind === 'junction' ? 'junction' : dirHint ? 'dir' : 'file'),
  removeLinkEntry(p) {
    try {
      unlinkSync(p);
    } catch (err) {
      // Gone is gone: no second call. Otherwise a directory symlink or junction is removed as a folder entry, never recursively.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
      rmdirSync(p);
    }
  },
  linkProbe: windowsLinkProbe,
  async flushFile(p) {
    // Windows flushes only through a handle open for writing (FlushFileBuffers); a copy whose
    // read-only attribute was already set cannot be opened so, and NTFS then relies on its journal.
    const wh = await open(p, 'r+').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EPERM' || err.code === 'EACCES') return undefined;
      throw err;
    });
    if (wh) await wh.sync().finally(() => wh.close());
  },
  modeBitsAndOwners: false,
  symlinkNeedsPrivilege: true,
};
