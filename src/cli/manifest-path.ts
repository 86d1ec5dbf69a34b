import path from 'node:path';
import { RelocateError } from '../core/errors.js';
import { existsFollowed } from '../platform/exists.js';

/** The manifest a command reads: the one named, else ./relocate.yaml, else ./links.yaml (DESIGN.md). */
export function findManifest(given: string | undefined, cwd: string): string {
  if (given !== undefined) return path.resolve(cwd, given);
  for (const name of ['relocate.yaml', 'links.yaml']) {
    const p = path.join(cwd, name);
    if (existsFollowed(p)) return p;
  }
  throw new RelocateError('E_NO_MANIFEST', `no manifest given and none found in ${cwd}`, {
    path: cwd,
    hint: 'name one (`relocate validate my-links.yaml`) or create relocate.yaml; links.example.yaml shows every feature',
  });
}

/**
 * The manifest's name as the user would type it: relative to the working
 * folder when inside it, except when that folder is the file system's root
 * (`tmp/plan.json` read from `/` looks like a path with its `/` cut off).
 */
export function displayPath(file: string, cwd: string): string {
  if (path.parse(cwd).root === cwd) return file;
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
