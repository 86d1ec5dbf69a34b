import { isRoot, pathApi, pathKey, type PathStyle } from '../core/paths.js';

const POSIX_SYSTEM = [
  '/home',
  '/Users',
  '/root',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib64',
  '/proc',
  '/sbin',
  '/sys',
  '/usr',
  '/var',
  '/System',
  '/Library',
  '/Applications',
  '/private',
  '/swapfile',
  '/swap.img',
];

/** Folders of every Windows drive's root that are protected together with everything inside them. */
const WIN_DRIVE_TREES: { rel: string; why: string }[] = [
  { rel: 'Windows', why: 'it is inside the Windows folder' },
  { rel: 'Program Files\\WindowsApps', why: 'it is inside WindowsApps, where Microsoft Store apps are installed (Settings > Apps moves them)' },
  // Where Settings > System > Storage puts Store apps on another drive.
  { rel: 'WindowsApps', why: 'it is inside WindowsApps, where Microsoft Store apps are installed (Settings > Apps moves them)' },
  { rel: 'System Volume Information', why: "it is inside System Volume Information, Windows' restore points and volume data" },
  { rel: '$Recycle.Bin', why: 'it is inside the Recycle Bin' },
];

/** Files at a Windows drive's root that Windows itself keeps open. */
const WIN_ROOT_FILES: Record<string, string> = {
  'pagefile.sys': 'the page file',
  'hiberfil.sys': 'the hibernation file',
  'swapfile.sys': 'the swap file of Store apps',
};

/**
 * Why a path is protected (DESIGN.md preflight), or undefined. Protected:
 * a filesystem root, the home folder itself, the Windows folder, a Program
 * Files root, ProgramData, Users, WindowsApps, System Volume Information
 * and the Recycle Bin (each with everything inside), the page, hibernation
 * and swap files at a drive's root, the user's OneDrive folders (and
 * everything inside: OneDrive does not sync through links), the system
 * folders of Linux and macOS and their swap files, and relocate's own state folder
 * (exactly, inside, or containing it). Pure: `home`, `stateDir` and the
 * OneDrive folders come from the caller.
 *
 * An entry's `force: true` lifts every reason but the state folder
 * (src/plan/preflight.ts); the README's `force` row lists them.
 */
export function protectedReason(p: string, style: PathStyle, home: string, stateDir?: string, oneDrive: readonly string[] = []): string | undefined {
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
  for (const d of oneDrive) {
    const o = fixedKey(d, style);
    if (k === o || insideKey(k, o, style))
      return `it is ${k === o ? 'your OneDrive folder' : `inside your OneDrive folder ${d}`}: OneDrive does not sync through a link (move it in OneDrive's settings)`;
  }
  if (style.flavour === 'win32') {
    const api = pathApi(style);
    const drive = api.parse(p).root;
    for (const name of ['Windows', 'Program Files', 'Program Files (x86)', 'ProgramData', 'Users']) {
      if (k === fixedKey(api.join(drive, name), style)) return `it is the ${name} folder of ${drive}`;
    }
    for (const t of WIN_DRIVE_TREES) {
      const tree = fixedKey(api.join(drive, t.rel), style);
      if (k === tree) return t.why.replace(/^it is inside /, 'it is ');
      if (insideKey(k, tree, style)) return t.why;
    }
    const file = WIN_ROOT_FILES[api.basename(k)];
    if (file && k === fixedKey(api.join(drive, api.basename(k)), style)) return `it is ${file} of ${drive}, which Windows keeps open`;
    return undefined;
  }
  const sys = systemKeys(style).get(k);
  return sys === undefined ? undefined : `it is the system ${sys.startsWith('/swap') ? 'swap file' : 'folder'} ${sys}`;
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
