import { lstat } from 'node:fs/promises';
import { STOP_WALK, walkFolder } from './fs/tree-walker.js';

/** At most this many files of one tree are handed to an in-use check (a bigger tree is checked in part). */
const IN_USE_FILE_LIMIT = 20_000;

/**
 * The files of a tree (or the file itself), at most `limit`, for the
 * Windows Restart Manager's check (windows/restart-manager.ts): links are not
 * entered, nor volumes mounted inside (tree-walker.ts); an unreadable folder
 * is passed over.
 */
export async function listFiles(root: string, isDir: boolean, limit = IN_USE_FILE_LIMIT): Promise<string[]> {
  if (!isDir) return [root];
  const out: string[] = [];
  if (limit <= 0) return out;
  let top;
  try {
    top = await lstat(root);
  } catch {
    return out;
  }
  await walkFolder(root, top.dev, null, {
    order: 'depth',
    sorted: false,
    mounts: 'skip',
    onListError: () => undefined,
    visit: (e) => {
      if (e.kind === 'file') out.push(e.full);
      if (out.length >= limit) return STOP_WALK;
      return e.kind === 'dir' && !e.mount ? null : undefined;
    },
  });
  return out;
}
