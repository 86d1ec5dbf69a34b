import { isInside, isRoot, pathApi, samePath, type PathStyle } from '../core/paths.js';

const POSIX_SYSTEM = ['/home', '/Users', '/root', '/bin', '/boot', '/dev', '/etc', '/lib', '/lib64', '/proc', '/sbin', '/sys', '/usr', '/var', '/System', '/Library', '/Applications', '/private'];

/**
 * Why a path is protected (DESIGN.md preflight), or undefined. Protected:
 * a filesystem root, the home folder itself, the Windows folder, a Program
 * Files root, the system folders of Linux and macOS, and relocate's own
 * state folder (exactly, inside, or containing it). Pure: `home` and
 * `stateDir` come from the caller.
 */
export function protectedReason(p: string, style: PathStyle, home: string, stateDir?: string): string | undefined {
  // Checked first: `force` lifts every other rule but this one, so a root or home folder
  // that holds the state folder stays refused (moving it would move the journal mid-run).
  if (stateDir !== undefined && (samePath(p, stateDir, style) || isInside(p, stateDir, style) || isInside(stateDir, p, style))) {
    return "it holds relocate's own state folder (the journal of runs)";
  }
  if (isRoot(p, style)) return 'it is the root of a filesystem';
  if (samePath(p, home, style)) return 'it is your home folder itself';
  if (style.flavour === 'win32') {
    const api = pathApi(style);
    const drive = api.parse(p).root;
    for (const name of ['Windows', 'Program Files', 'Program Files (x86)', 'ProgramData', 'Users']) {
      if (samePath(p, api.join(drive, name), style)) return `it is the ${name} folder of ${drive}`;
    }
    if (isInside(p, api.join(drive, 'Windows'), style)) return 'it is inside the Windows folder';
    return undefined;
  }
  for (const sys of POSIX_SYSTEM) if (samePath(p, sys, style)) return `it is the system folder ${sys}`;
  return undefined;
}
