import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { RelocateError } from '../core/errors.js';

/** `dev:ino` of a path, not followed; undefined when it cannot be read or the volume has no stable inode numbers. */
function identity(p: string): string | undefined {
  try {
    const s = lstatSync(p, { bigint: true });
    return s.ino === 0n ? undefined : `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/** The cheap guess at what a volume that ignores case takes for one name: equal after NFC and lower case. */
function folded(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** What the volume does that makes two names one, said only as far as the names show it. */
export function whyOneName(a: string, b: string): string {
  if (a.normalize('NFC') === b.normalize('NFC')) return 'does not tell apart two Unicode spellings of one name (composed and decomposed accents)';
  if (folded(a) === folded(b)) return 'ignores case';
  return 'takes them for one name';
}

/**
 * E_CASE_COLLISION: `err` came from creating `dest` (a file, folder or link
 * copied from `src`) inside a copy's fresh staging tree `stagingRoot`.
 * That tree held only what relocate had copied into it, so an EEXIST there
 * whose exact name is not in the folder means the volume took the new name
 * for an entry already copied — the volume ignores case (NTFS, APFS and
 * HFS+ by default, FAT, ext4 and f2fs casefold folders), and the original
 * holds two names it cannot tell apart (`README` and `Readme`). Returns the
 * error naming both, or undefined for any other failure.
 *
 * Which entry is the twin is the volume's own answer, not a guess at its
 * folding rules (ext4 folds Unicode case and normalisation, NTFS uses its
 * upcase table, APFS normalises too): the entry whose device and inode the
 * new name opens. Names equal after NFC and toLowerCase are asked first
 * only because they are the likely ones; a hard link of the twin in the
 * same folder could otherwise be named instead. Runs only on this failure
 * path (one readdir of the folder, an lstat per name at most).
 */
export function caseTwinError(err: unknown, src: string, dest: string, stagingRoot: string): RelocateError | undefined {
  if ((err as NodeJS.ErrnoException)?.code !== 'EEXIST') return undefined;
  const dir = path.dirname(dest);
  const name = path.basename(dest);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  // Something at this very name is not a case twin (E_EXISTS says so).
  if (names.includes(name)) return undefined;
  const opened = identity(dest);
  if (opened === undefined) return undefined;
  const likely = names.filter((n) => folded(n) === folded(name));
  const twin = [...likely, ...names.filter((n) => !likely.includes(n))].find((n) => identity(path.join(dir, n)) === opened);
  if (twin === undefined) return undefined;
  const from = path.dirname(src);
  return new RelocateError(
    'E_CASE_COLLISION',
    `${path.join(from, twin)} and ${path.join(from, name)} are one name on the volume of ${path.dirname(stagingRoot)}, which ${whyOneName(twin, name)}: rename one of them before the move`,
    {
      path: path.join(from, name),
      hint: `rename one of them in ${from} (or choose a target on a volume that tells case apart), then run again`,
      cause: err,
    },
  );
}
