import { isInside, isRoot, pathApi, pathKey, samePath, type PathStyle } from '../core/paths.js';

const POSIX_SYSTEM = ['/home', '/Users', '/root', '/bin', '/boot', '/dev', '/etc', '/lib', '/lib64', '/proc', '/sbin', '/sys', '/usr', '/var', '/System', '/Library', '/Applications', '/private'];

/**
 * Why a path is protected (DESIGN.md preflight), or undefined. Protected:
 * a filesystem root, the home folder itself, the Windows folder, a Program
 * Files root, the system folders of Linux and macOS, and relocate's own
 * state folder (exactly, inside, or containing it). Pure: `home` and
 * `stateDir` come from the caller.
 */
export function protectedReason(p: string, style: PathStyle, home: string, stateDir?: string): string | undefined {
  // The path's key is made once and compared with the cached keys of the fixed folders: a plan
  // checks two paths per entry, and canonicalising some 40 paths for each made a 10,000-entry plan slow.
  const k = pathKey(p, style);
  // Checked first: `force` lifts every other rule but this one, so a root or home folder
  // that holds the state folder stays refused (moving it would move the journal mid-run).
  if (stateDir !== undefined) {
    const s = fixedKey(stateDir, style);
    if (k === s || insideKey(k, s, style) || insideKey(s, k, style)) return "it holds relocate's own state folder (the journal of runs)";
  }
  if (isRoot(p, style)) return 'it is the root of a filesystem';
  if (k === fixedKey(home, style)) return 'it is your home folder itself';
  if (style.flavour === 'win32') {
    const api = pathApi(style);
    const drive = api.parse(p).root;
    for (const name of ['Windows', 'Program Files', 'Program Files (x86)', 'ProgramData', 'Users']) {
      if (samePath(p, api.join(drive, name), style)) return `it is the ${name} folder of ${drive}`;
    }
    if (isInside(p, api.join(drive, 'Windows'), style)) return 'it is inside the Windows folder';
    return undefined;
  }
  const sys = systemKeys(style).get(k);
  return sys === undefined ? undefined : `it is the system folder ${sys}`;
}

/** The POSIX system folders by key, per path style (made once). */
const systemKeysByStyle = new Map<string, Map<string, string>>();
function systemKeys(style: PathStyle): Map<string, string> {
  const id = `${style.flavour}|${style.caseInsensitive ? 1 : 0}`;
  let m = systemKeysByStyle.get(id);
  if (!m) {
    m = new Map();
    for (const sys of POSIX_SYSTEM) {
      const k = pathKey(sys, style);
      if (!m.has(k)) m.set(k, sys);
    }
    systemKeysByStyle.set(id, m);
  }
  return m;
}

/** pathKey of the fixed paths protectedReason compares with (home, the state folder), cached. */
const fixedKeys = new Map<string, string>();
function fixedKey(p: string, style: PathStyle): string {
  const id = `${style.flavour}|${style.caseInsensitive ? 1 : 0}|${p}`;
  let k = fixedKeys.get(id);
  if (k === undefined) {
    k = pathKey(p, style);
    if (fixedKeys.size < 256) fixedKeys.set(id, k);
  }
  return k;
}

/** isInside on keys already made: `c` strictly inside `parent`. */
function insideKey(c: string, parent: string, style: PathStyle): boolean {
  if (c === parent) return false;
  const sep = pathApi(style).sep;
  return c.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}
