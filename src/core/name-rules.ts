import type { OsName } from './paths.js';

/**
 * Names a destination may be unable to hold, decided without the disk
 * (issue 15, "Names the target cannot hold"). The reader lists what a tree
 * holds (TreeNames); the planner decides here what the destination makes
 * of it.
 */

/**
 * The key under which a volume that ignores case and Unicode normalisation
 * takes two names for one: NFC, then lower case. An approximation of each
 * file system's own folding (NTFS's upcase table, ext4's casefold, APFS),
 * good for every name people write; the copy's E_CASE_COLLISION check
 * (src/platform/case-twin.ts) asks the volume itself and catches the rest.
 */
export function foldKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** Whether a name could fold to another name of its folder: it has an upper-case letter or a non-ASCII character. */
export function mayFold(name: string): boolean {
  return /[A-Z\u0080-\uffff]/.test(name);
}

/**
 * How a destination folder tells names apart, asked of the volume (a probe
 * in a throwaway folder, or names already there). Invariant: a field is
 * present only when the volume answered; absent means not known.
 */
export interface NameRules {
  /** `README` and `readme` are one name there (NTFS, APFS and HFS+ by default, FAT, exFAT, ext4/f2fs casefold folders). */
  ignoresCase?: boolean;
  /** Composed and decomposed spellings of one name (`é`, `e` + U+0301) are one name there (APFS, HFS+, ext4 casefold). */
  ignoresNormalisation?: boolean;
}

/** Whether two different names of one folder would be one name under `rules`. */
export function oneNameUnder(rules: NameRules, a: string, b: string): boolean {
  if (a === b) return false;
  const nfc = rules.ignoresNormalisation === true;
  if (rules.ignoresCase === true) {
    // NTFS folds case but keeps both spellings of an accent; ext4 casefold and APFS fold both.
    return nfc ? foldKey(a) === foldKey(b) : a.toLowerCase() === b.toLowerCase();
  }
  return nfc && a.normalize('NFC') === b.normalize('NFC');
}

const RESERVED = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(\.|$)/i;

const BAD_CHAR = /[<>:"\\|?*\x00-\x1f]/;

/**
 * Why Windows cannot hold a name, or undefined when it can. The rules of
 * Microsoft's "Naming Files, Paths, and Namespaces": the characters
 * `< > : " \ | ? *` and control characters; a name ending in a dot or a
 * space (Windows strips them, so `a.` becomes `a`); the device names CON,
 * PRN, AUX, NUL, COM0–9, LPT0–9, alone or before an extension (`nul.txt`),
 * in any case, also with trailing spaces before the dot.
 */
export function windowsNameProblem(name: string): string | undefined {
  const bad = BAD_CHAR.exec(name);
  if (bad) {
    const c = bad[0];
    const shown = c.charCodeAt(0) < 0x20 ? `a control character (U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()})` : `\`${c}\``;
    return `holds ${shown}, which Windows does not allow in a name`;
  }
  if (/[. ]$/.test(name)) return `ends in ${name.endsWith('.') ? 'a dot' : 'a space'}, which Windows strips`;
  const stem = name.replace(/ +(?=\.|$)/, '');
  if (RESERVED.test(stem)) return `is the device name ${stem.split('.')[0].toUpperCase()}, which Windows reserves`;
  return undefined;
}

/** How long a name or a path may be, in UTF-8 bytes or UTF-16 code units. */
export interface Length {
  n: number;
  unit: 'bytes' | 'units';
}

/**
 * What a destination can hold, from its file system and OS alone.
 * Invariant: every field is a limit the destination enforces; absent
 * means not known (then nothing is refused for it, and the copy's own
 * error, rolled back, is the answer).
 */
export interface NameLimits {
  /** Longest name. */
  name?: Length;
  /** Longest path a system call takes (the OS's PATH_MAX, or Windows' long-path limit). */
  path?: Length;
  /**
   * Names Windows cannot hold: 'refuse' where the destination cannot store
   * them (a Windows host; FAT and exFAT, whose Linux and macOS drivers
   * reject or strip them), 'warn' where it stores them but Windows could
   * not open them (an NTFS volume mounted on Linux or macOS), absent where
   * Windows' rules do not apply.
   */
  windowsNames?: 'refuse' | 'warn';
}

const BYTES_255 = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'tmpfs', 'f2fs', 'zfs', 'jfs', 'reiserfs', 'bcachefs', 'apfs', 'ufs']);
const UNITS_255 = new Set(['ntfs', 'ntfs3', 'vfat', 'msdos', 'fat', 'fat32', 'exfat', 'hfs', 'refs']);
const FAT_FAMILY = new Set(['vfat', 'msdos', 'fat', 'fat12', 'fat16', 'fat32', 'exfat']);

/**
 * Whether a file system type (as the mount table or Windows names it, any
 * case) is of the FAT family: no links of any kind, Windows' name rules.
 * The one list: names, link kinds, doctor and the plan's junction finding
 * all ask here.
 */
export function isFatFamily(fsType: string | undefined): boolean {
  return fsType !== undefined && FAT_FAMILY.has(fsType.toLowerCase());
}
const NTFS_FAMILY = new Set(['ntfs', 'ntfs3', 'fuseblk']);

/**
 * The limits of a destination volume. Name lengths by file system: 255
 * bytes on Linux's own file systems and APFS, 255 UTF-16 units on NTFS,
 * FAT, exFAT and HFS+, 143 bytes on eCryptfs (its encrypted names need the
 * rest). Path lengths by OS: Linux's PATH_MAX of 4096 bytes with its NUL,
 * macOS's 1024, and on Windows the 32,767 units of a `\\?\` path (Node
 * uses those, so MAX_PATH's 260 does not apply).
 */
export function nameLimitsOf(fsType: string | undefined, os: OsName): NameLimits {
  const out: NameLimits = {};
  const fs = fsType?.toLowerCase();
  if (fs === 'ecryptfs') out.name = { n: 143, unit: 'bytes' };
  else if (fs !== undefined && BYTES_255.has(fs)) out.name = { n: 255, unit: 'bytes' };
  else if (fs !== undefined && UNITS_255.has(fs)) out.name = { n: 255, unit: 'units' };
  out.path = os === 'win32' ? { n: 32_767, unit: 'units' } : { n: os === 'darwin' ? 1023 : 4095, unit: 'bytes' };
  if (os === 'win32' || isFatFamily(fs)) out.windowsNames = 'refuse';
  else if (fs !== undefined && NTFS_FAMILY.has(fs)) out.windowsNames = 'warn';
  return out;
}

const UTF8 = new TextEncoder();

/** A string's length in the unit a limit counts. */
export function lengthIn(s: string, unit: Length['unit']): number {
  return unit === 'units' ? s.length : UTF8.encode(s).length;
}
