import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { RelocateError } from '../core/errors.js';
import { OWN_ARTIFACT } from '../core/own-names.js';

/**
 * The entries of a folder `relocate scan PATH` measures one by one
 * (folders, files and links alike; relocate's own in-flight names left
 * out), sorted by name. A PATH that is missing is E_NOT_FOUND, a file
 * E_USAGE, an unreadable folder E_READ: each before anything is measured.
 */
export async function folderChildren(dir: string): Promise<string[]> {
  const hint = 'give folders that exist, e.g. `relocate scan ~` or `relocate scan D:\\`; nothing was changed';
  let s;
  try {
    s = await lstat(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new RelocateError('E_NOT_FOUND', `nothing at ${dir}`, { path: dir, hint });
    throw new RelocateError('E_READ', `cannot read ${dir}: ${(err as Error).message}`, { path: dir, hint });
  }
  if (!s.isDirectory() && !s.isSymbolicLink())
    throw new RelocateError('E_USAGE', `${dir} is a file, not a folder`, {
      path: dir,
      hint: 'scan measures the folders and files inside the folders given; give the folder that holds it',
    });
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new RelocateError('E_USAGE', `${dir} is a link to a file, not a folder`, { path: dir, hint });
    throw new RelocateError('E_READ', `cannot read the folder ${dir}: ${(err as Error).message}`, {
      path: dir,
      hint: 'check its permissions; nothing was changed',
    });
  }
  return names
    .filter((n) => !OWN_ARTIFACT.test(n))
    .sort()
    .map((n) => path.join(dir, n));
}
