import { isAbsolutePath, isDriveless, type PathStyle } from './paths.js';

/**
 * Whether a symbolic link's text, read from a folder `folderDepth` levels
 * below a tree's top (0: the top itself), leads out of the tree. Decided on
 * the text alone, one name at a time: `..` climbs, any other name descends,
 * and the answer is yes as soon as a climb passes the top. So
 * `sub/../../Games/x` leaves the tree even though it may come back in
 * (through the tree's own name, which a move can change), while `./b` and
 * `sub/../b` stay. Absolute texts are position-independent: no. A Windows
 * text rooted without a drive (`\x`, `C:x`) depends on the drive or its
 * working folder: yes.
 */
export function relativeTextLeaves(folderDepth: number, text: string, style: PathStyle): boolean {
  if (isAbsolutePath(text, style)) return false;
  if (isDriveless(text, style)) return true;
  let depth = folderDepth;
  for (const name of text.split(style.flavour === 'win32' ? /[\\/]/ : '/')) {
    if (name === '' || name === '.') continue;
    if (name !== '..') depth++;
    else if (--depth < 0) return true;
  }
  return false;
}
