import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a whole file so that readers see the old content or the new, never
 * half: a sibling temporary file, fsync, then rename over the destination.
 * Used for saved plans and run records, never for user data.
 */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w', 0o644);
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
}
