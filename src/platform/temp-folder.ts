import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A private folder in the system's temporary folder (mode 0700 on POSIX,
 * as mkdtemp makes it), for files a long-running command keeps to itself:
 * `relocate gui`'s one-entry manifests and saved plans. Never user data.
 */
export function makePrivateTempFolder(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/**
 * Removes a folder made by makePrivateTempFolder with `prefix`, with
 * everything in it. Anything else (a path outside the temporary folder, or
 * without the prefix) is refused: a recursive delete must never be pointed
 * at a user's folder by a bug.
 */
export async function removePrivateTempFolder(folder: string, prefix: string): Promise<void> {
  if (path.dirname(folder) !== path.resolve(os.tmpdir()) || !path.basename(folder).startsWith(prefix)) {
    throw new Error(`refusing to remove ${folder}: not a private temporary folder made with the prefix ${prefix}`);
  }
  await rm(folder, { recursive: true, force: true });
}
