import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Whether something is at `p`, links followed (as opening it would): for finding a default file, never for a decision about data. */
export function existsFollowed(p: string): boolean {
  return existsSync(p);
}

/**
 * `p` with every symlink in its folder resolved (the file itself need not
 * exist yet: a file about to be written). Falls back to `p` when the folder
 * cannot be resolved.
 */
export function realPathForWrite(p: string): string {
  try {
    return path.join(realpathSync(path.dirname(p)), path.basename(p));
  } catch {
    return p;
  }
}
