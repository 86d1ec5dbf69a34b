import { randomBytes } from 'node:crypto';
import { link, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from './durability.js';
import { processAlive } from './process-alive.js';

/**
 * Lock files, created so that nobody ever reads one half-made.
 *
 * Why: a file made by O_EXCL and then written is visible empty between the
 * two calls. Another run that reads it in that moment cannot tell who holds
 * it: the path-lock registry then refused an unrelated run ("held by ?"),
 * and the state folder's lock took the empty file for a dead holder's and
 * replaced it, letting two runs into one state folder. A power cut in that
 * moment left an empty file for good. So the content goes into a private
 * temporary sibling first, is fsync'd, and only then gets its name by a
 * hard link, which (like O_EXCL) never replaces a name that exists.
 */

/** Temporary siblings are `.<name>.<pid>.<random>.tmp`: hidden, never a lock file's name, and telling whose they are. */
function tempFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

async function writeSynced(file: string, content: string, flags: string, mode: number): Promise<void> {
  const fh = await open(file, flags, mode);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Creates `file` holding `content`, only if no file of that name exists
 * (false then). A reader sees the file whole or not at all, and a power cut
 * leaves it whole or absent: the name appears by `link` from a fsync'd
 * temporary, and the folder is fsync'd before this returns. On a volume
 * without hard links it falls back to O_EXCL then write, where a reader may
 * see the file empty for a moment (the lock readers retry an empty file
 * once before judging it).
 */
export async function createWhole(file: string, content: string, mode: number): Promise<boolean> {
  const tmp = tempFor(file);
  await writeSynced(tmp, content, 'wx', mode);
  try {
    await link(tmp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    await unlink(tmp).catch(() => undefined);
    if (code === 'EEXIST') return false;
    // Any other refusal (no hard links here, or a Windows error libuv maps oddly): the plain way, which reports real errors itself.
    try {
      await writeSynced(file, content, 'wx', mode);
    } catch (err2) {
      if ((err2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err2;
    }
    await fsyncDir(path.dirname(file));
    return true;
  }
  await unlink(tmp).catch(() => undefined);
  await fsyncDir(path.dirname(file));
  return true;
}

/**
 * Removes `file` only if it still holds `seen`, the text its holder was
 * judged dead by; true when it did (or the file is gone). Without this, two
 * runs that both judged the same dead holder could each remove "its" file:
 * the second would remove the first's fresh lock and both would go on. The
 * file is first renamed to a private name (atomic: exactly one run gets
 * it), then read; a file that is not the one judged is put back by `link`,
 * which never replaces. (Should a third run have made a lock in the
 * microseconds between, the one put back cannot return; that run and the
 * displaced one would both go on. It takes a dead holder and three runs
 * starting within those microseconds.)
 */
export async function removeIfStill(file: string, seen: string): Promise<boolean> {
  const aside = tempFor(file);
  try {
    await rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  let now: string | undefined;
  try {
    now = await readFile(aside, 'utf8');
  } catch {
    now = undefined;
  }
  if (now === seen) {
    await unlink(aside).catch(() => undefined);
    return true;
  }
  await link(aside, file).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
  return false;
}

/**
 * Removes the temporaries of `createWhole` and `removeIfStill` that a
 * killed process left in `dir` (its pid no longer running, and older than a
 * minute, so a reused pid's fresh temporary is never taken). Best effort.
 */
export async function removeDeadTemps(dir: string, now = Date.now()): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    const file = path.join(dir, name);
    try {
      if (now - (await stat(file)).mtimeMs < 60_000) continue;
      await unlink(file);
    } catch {
      // Gone already, or another user's in a sticky folder: litter, never a lock.
    }
  }
}
