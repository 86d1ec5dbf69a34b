import path from 'node:path';
import type { OsName } from '../core/paths.js';

/**
 * relocate's state folder (runs, journal, lock), in DESIGN.md's order:
 * --state-dir, else RELOCATE_STATE_DIR, else %LOCALAPPDATA%\relocate on
 * Windows, $XDG_STATE_HOME/relocate or ~/.local/state/relocate elsewhere.
 * Paths follow `os`'s rules (the host's, except in tests that check how a
 * Windows account resolves it from Linux).
 *
 * As SYSTEM (Intune, a DSC or Ansible agent on Windows) %LOCALAPPDATA% is
 * the system profile's (C:\Windows\System32\config\systemprofile\AppData\Local);
 * as root, ~ is root's home: a fleet passes an absolute, machine-wide
 * --state-dir (e.g. C:\ProgramData\relocate) so every agent and every
 * account finds the same runs (README "Fleets").
 */
export function stateDirFor(flag: string | undefined, env: Record<string, string | undefined>, os: OsName, home: string, cwd: string): string {
  const p = os === 'win32' ? path.win32 : path.posix;
  if (flag) return p.resolve(cwd, flag);
  if (env.RELOCATE_STATE_DIR) return p.resolve(cwd, env.RELOCATE_STATE_DIR);
  if (os === 'win32') return p.join(env.LOCALAPPDATA ?? p.join(home, 'AppData', 'Local'), 'relocate');
  if (env.XDG_STATE_HOME && p.isAbsolute(env.XDG_STATE_HOME)) return p.join(env.XDG_STATE_HOME, 'relocate');
  return p.join(home, '.local', 'state', 'relocate');
}
