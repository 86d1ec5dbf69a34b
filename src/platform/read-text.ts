import { readFile } from 'node:fs/promises';

/** A file's text (UTF-8); every read error is thrown, for the caller to explain. */
export function readTextFile(file: string): Promise<string> {
  return readFile(file, 'utf8');
}

/** A file's text (UTF-8), or undefined when there is no file; any other read error is thrown. */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
