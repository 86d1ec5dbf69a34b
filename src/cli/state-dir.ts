import path from 'node:path';
import type { OsName } from '../core/paths.js';

/**
 * relocate's state folder (runs, journal, lock), in DESIGN.md's order:
 * --state-dir, else RELOCATE_STATE_DIR, else %LOCALAPPDATA%\relocate on
 * Windows, $XDG_STATE_HOME/relocate or ~/.local/state/relocate elsewhere.
 */
export function stateDirFor(flag: string | undefined, env: Record<string, string | undefined>, os: OsName, home: string, cwd: string): string {
  if (flag) return path.resolve(cwd, flag);
  if (env.RELOCATE_STATE_DIR) return path.resolve(cwd, env.RELOCATE_STATE_DIR);
  if (os === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'relocate');
  if (env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME)) return path.join(env.XDG_STATE_HOME, 'relocate');
  return path.join(home, '.local', 'state', 'relocate');
}
