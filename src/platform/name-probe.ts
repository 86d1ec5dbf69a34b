import { randomBytes } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sweepProbeLeftovers } from './probe-leftovers.js';
import type { NameRules } from '../core/name-rules.js';

/** Two spellings of one name, used by the probe: a mixed-case ASCII name, and `é` composed (NFC) and decomposed (NFD). */
const CASE_MADE = 'probe-Case';
const CASE_ASKED = 'PROBE-cASE';
const ACCENT_MADE = '\u00e9';
const ACCENT_ASKED = 'e\u0301';

/** The nearest folder at or above `p` that exists (not followed: a link is not a folder here). */
export function nearestFolder(p: string): string {
  let at = p;
  for (;;) {
    try {
      if (lstatSync(at).isDirectory()) return at;
    } catch {
      // absent: look higher
    }
    const up = path.dirname(at);
    if (up === at) return at;
    at = up;
  }
}

/** Whether `asked` opens the very node `made` names in `dir` (device and inode; not followed). */
function opensSame(dir: string, made: string, asked: string): boolean {
  const a = lstatSync(path.join(dir, made), { bigint: true });
  const b = lstatSync(path.join(dir, asked), { bigint: true, throwIfNoEntry: false });
  return b !== undefined && a.dev === b.dev && a.ino === b.ino;
}

/**
 * Asks the folder itself, in a throwaway folder made inside it (as
 * `doctor` probes links): a file made as `probe-Case` and `é` (NFC), then
 * looked up as `PROBE-cASE` and `e` + U+0301. A new folder inherits the
 * folder's casefold flag (ext4, f2fs), which is what the copy's new folders
 * will do. Removes exactly the names it made, then the folder; never a
 * recursive delete. Throws when the throwaway folder cannot be made.
 */
function probeByMaking(dir: string): NameRules {
  // A probe a killed relocate left here goes first (probe-leftovers.ts).
  sweepProbeLeftovers(dir);
  const tmp = mkdtempSync(path.join(dir, `.relocate-probe-${process.pid}-${randomBytes(3).toString('hex')}-`));
  const made: string[] = [];
  try {
    const out: NameRules = {};
    writeFileSync(path.join(tmp, CASE_MADE), '', { flag: 'wx' });
    made.push(CASE_MADE);
    out.ignoresCase = opensSame(tmp, CASE_MADE, CASE_ASKED);
    try {
      writeFileSync(path.join(tmp, ACCENT_MADE), '', { flag: 'wx' });
      made.push(ACCENT_MADE);
      out.ignoresNormalisation = opensSame(tmp, ACCENT_MADE, ACCENT_ASKED);
    } catch {
      // A volume that refuses the name (a strict-encoding one) leaves that question open.
    }
    return out;
  } finally {
    for (const name of made.reverse()) {
      try {
        unlinkSync(path.join(tmp, name));
      } catch {
        // Already gone (or stored under a spelling the volume chose): rmdir below says if anything is left.
      }
    }
    try {
      rmdirSync(tmp);
    } catch {
      // A leftover probe folder holds only the probe's empty files; never worth failing a plan for.
    }
  }
}

/** Swaps the case of every ASCII letter. */
function swapCase(name: string): string {
  return name.replace(/[a-zA-Z]/g, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
}

/**
 * Without writing: the names already in the folder, looked up in another
 * spelling (swapped case; the other Unicode normalisation) that the
 * listing does not hold. Answers only what some name there can tell.
 */
export function probeNamesByLooking(dir: string): NameRules {
  const out: NameRules = {};
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  const listed = new Set(names);
  const byCase = names.find((n) => /[a-zA-Z]/.test(n) && !listed.has(swapCase(n)));
  if (byCase !== undefined) out.ignoresCase = opensSame(dir, byCase, swapCase(byCase));
  const other = (n: string) => (n.normalize('NFC') === n ? n.normalize('NFD') : n.normalize('NFC'));
  const byForm = names.find((n) => other(n) !== n && !listed.has(other(n)));
  if (byForm !== undefined) out.ignoresNormalisation = opensSame(dir, byForm, other(byForm));
  return out;
}

/**
 * How `folder` (an existing folder: the nearest one at or above where a
 * copy would go; the folders the copy makes inherit its rules) tells names
 * apart. By making two names in a throwaway folder; where nothing can be
 * made there (read-only, no permission), by looking names already there up
 * in another spelling. Fields the volume did not answer are left out.
 */
export function probeNameRules(folder: string): NameRules {
  try {
    return probeByMaking(folder);
  } catch {
    try {
      return probeNamesByLooking(folder);
    } catch {
      return {};
    }
  }
}
