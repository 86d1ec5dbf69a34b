import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from './durability.js';

/**
 * Writes a whole file so that readers see the old content or the new, never
 * half: a sibling temporary file, fsync, then rename over the destination.
 * Used for saved plans, run records and manifests (`import --write`), never
 * for user data. `mode` is the new file's permission bits (before umask).
 * The folder is fsync'd after the rename: until then a power cut may bring
 * back the old file (or none), whatever the new one's own fsync did.
 */
export async function writeFileAtomic(file: string, data: string, mode = 0o644): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(path.dirname(file));
}
