/**
 * Issue 19, part 1: running as SYSTEM on Windows (Intune, a DSC or Ansible
 * agent). The account's profile is C:\Windows\System32\config\systemprofile,
 * so `~`, `${known:…}` and the default state folder resolve there, not into
 * any user's profile; an absolute --state-dir (or RELOCATE_STATE_DIR) under
 * ProgramData is machine-wide. Checked on Linux through the injection the
 * code has: the load context (home, known folders) and stateDirFor's
 * environment and OS.
 */
import { describe, expect, it } from 'vitest';
import { windowsDefaultKnownFolders, windowsEnvKnownFolders } from '../../src/core/known-folders.js';
import { stateDirFor } from '../../src/cli/state-dir.js';
import { loadYaml, pairsOf, winCtx } from '../helpers/manifest.js';

const SYSTEM_PROFILE = 'C:\\Windows\\System32\\config\\systemprofile';
/** The environment Windows gives a process running as LocalSystem (as a service, a scheduled task, the Intune agent's scripts). */
const SYSTEM_ENV = {
  USERPROFILE: SYSTEM_PROFILE,
  LOCALAPPDATA: `${SYSTEM_PROFILE}\\AppData\\Local`,
  APPDATA: `${SYSTEM_PROFILE}\\AppData\\Roaming`,
  ProgramData: 'C:\\ProgramData',
  SystemRoot: 'C:\\Windows',
  PUBLIC: 'C:\\Users\\Public',
  USERNAME: 'GAMEBOX$',
};
const asSystem = () => winCtx({ home: SYSTEM_PROFILE, env: SYSTEM_ENV, knownFolders: windowsEnvKnownFolders(SYSTEM_ENV) });

describe('as SYSTEM on Windows', () => {
  it("~ is the system profile, not a user's", async () => {
    const m = await loadYaml('version: 1\nlinks:\n  - link: ~\\Games\n    target: D:\\Games\n', asSystem());
    expect(m.diagnostics).toEqual([]);
    expect(pairsOf(m)).toEqual([`${SYSTEM_PROFILE}\\Games -> D:\\Games`]);
  });

  it("${known:…} profile folders are the system profile's; machine folders stay machine-wide", async () => {
    const yaml =
      'version: 1\nlinks:\n  - link: ${known:LocalAppData}\\npm-cache\n    target: D:\\cache\\npm\n  - link: ${known:ProgramData}\\Tool\\cache\n    target: D:\\cache\\tool\n';
    const m = await loadYaml(yaml, asSystem());
    expect(m.diagnostics).toEqual([]);
    expect(pairsOf(m)).toEqual([`${SYSTEM_PROFILE}\\AppData\\Local\\npm-cache -> D:\\cache\\npm`, 'C:\\ProgramData\\Tool\\cache -> D:\\cache\\tool']);
    // Where Windows names no shell folder (Documents is not in the environment), the defaults are under the same profile.
    expect(windowsDefaultKnownFolders(SYSTEM_PROFILE, SYSTEM_ENV).folders.Documents).toBe(`${SYSTEM_PROFILE}\\Documents`);
  });

  it('the default state folder is in the system profile; --state-dir and RELOCATE_STATE_DIR under ProgramData are machine-wide', () => {
    expect(stateDirFor(undefined, SYSTEM_ENV, 'win32', SYSTEM_PROFILE, 'C:\\Windows\\System32')).toBe(`${SYSTEM_PROFILE}\\AppData\\Local\\relocate`);
    // Without LOCALAPPDATA (a stripped environment) it is still the profile's.
    expect(stateDirFor(undefined, { USERPROFILE: SYSTEM_PROFILE }, 'win32', SYSTEM_PROFILE, 'C:\\')).toBe(`${SYSTEM_PROFILE}\\AppData\\Local\\relocate`);
    expect(stateDirFor('C:\\ProgramData\\relocate', SYSTEM_ENV, 'win32', SYSTEM_PROFILE, 'C:\\Windows\\System32')).toBe('C:\\ProgramData\\relocate');
    expect(stateDirFor(undefined, { ...SYSTEM_ENV, RELOCATE_STATE_DIR: 'C:\\ProgramData\\relocate' }, 'win32', SYSTEM_PROFILE, 'C:\\Windows\\System32')).toBe(
      'C:\\ProgramData\\relocate',
    );
    // A relative one is relative to the working folder, which for an agent is often System32: the reason to pass an absolute one.
    expect(stateDirFor('state', SYSTEM_ENV, 'win32', SYSTEM_PROFILE, 'C:\\Windows\\System32')).toBe('C:\\Windows\\System32\\state');
  });
});

describe('as root on Linux (or any account an agent runs as)', () => {
  it("the default state folder follows that account's home and XDG_STATE_HOME; an absolute --state-dir wins", () => {
    expect(stateDirFor(undefined, {}, 'linux', '/root', '/')).toBe('/root/.local/state/relocate');
    expect(stateDirFor(undefined, { XDG_STATE_HOME: '/var/lib' }, 'linux', '/root', '/')).toBe('/var/lib/relocate');
    // A relative XDG_STATE_HOME is ignored, as the XDG spec says.
    expect(stateDirFor(undefined, { XDG_STATE_HOME: 'state' }, 'linux', '/root', '/')).toBe('/root/.local/state/relocate');
    expect(stateDirFor('/var/lib/relocate', { RELOCATE_STATE_DIR: '/elsewhere' }, 'linux', '/root', '/')).toBe('/var/lib/relocate');
  });
});
