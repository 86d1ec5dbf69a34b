/**
 * Where `relocate scan` looks without being asked (src/platform/scan-candidates.ts),
 * for each OS's layout, in a sandbox: every root comes from the home, the
 * environment and the places given, so nothing of the real user is read.
 * The Windows layout is checked here on this machine's own path rules (the
 * sandbox stands in for C:).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FolderPlaces } from '../../src/core/folder-places.js';
import { scanCandidates } from '../../src/platform/scan-candidates.js';

let root: string;
const p = (...parts: string[]) => path.join(root, ...parts);
function file(at: string, text = 'x'): void {
  mkdirSync(path.dirname(at), { recursive: true });
  writeFileSync(at, text);
}

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-candidates-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('the Windows layout', () => {
  let places: FolderPlaces;
  beforeAll(() => {
    const local = p('win', 'Users', 'u', 'AppData', 'Local');
    places = {
      localAppData: local,
      programData: p('win', 'ProgramData'),
      programFiles: [p('win', 'Program Files'), p('win', 'Program Files (x86)')],
      oneDrive: [],
      userFolders: { Downloads: p('win', 'Users', 'u', 'Downloads'), Videos: p('win', 'Users', 'u', 'Videos') },
    };
    // Steam in Program Files (x86), its list naming a second library (one listed twice, one gone).
    const steam = p('win', 'Program Files (x86)', 'Steam');
    mkdirSync(path.join(steam, 'steamapps', 'common'), { recursive: true });
    mkdirSync(p('win', 'SteamLibrary', 'steamapps', 'common', 'Doom'), { recursive: true });
    file(
      path.join(steam, 'steamapps', 'libraryfolders.vdf'),
      `"libraryfolders" { "0" { "path" "${steam}" } "1" { "path" "${p('win', 'SteamLibrary')}" } "2" { "path" "${p('win', 'Gone')}" } }`,
    );
    // Epic: a finished install, an unfinished one, one whose folder is gone, and a broken manifest.
    const manifests = p('win', 'ProgramData', 'Epic', 'EpicGamesLauncher', 'Data', 'Manifests');
    mkdirSync(p('win', 'Epic Games', 'Fortnite'), { recursive: true });
    mkdirSync(p('win', 'Epic Games', 'Half'), { recursive: true });
    file(path.join(manifests, 'A1.item'), JSON.stringify({ DisplayName: 'Fortnite', InstallLocation: p('win', 'Epic Games', 'Fortnite') }));
    file(path.join(manifests, 'B2.item'), JSON.stringify({ DisplayName: 'Half', InstallLocation: p('win', 'Epic Games', 'Half'), bIsIncompleteInstall: true }));
    file(path.join(manifests, 'C3.item'), JSON.stringify({ DisplayName: 'Gone', InstallLocation: p('win', 'Epic Games', 'Gone') }));
    file(path.join(manifests, 'D4.item'), '{ "DisplayName": ');
    file(path.join(manifests, 'notes.txt'), 'not a manifest');
    mkdirSync(p('win', 'Program Files (x86)', 'GOG Galaxy', 'Games', 'Witcher'), { recursive: true });
    mkdirSync(p('win', 'C', 'GOG Games'), { recursive: true });
    // Docker's and WSL's disk images, a Store app without a disk.
    mkdirSync(path.join(local, 'Docker', 'wsl', 'disk'), { recursive: true });
    file(path.join(local, 'Packages', 'CanonicalGroupLimited.Ubuntu22.04LTS_79rhkp1fndgsc', 'LocalState', 'ext4.vhdx'));
    mkdirSync(path.join(local, 'Packages', 'Microsoft.WindowsCalculator_8wekyb3d8bbwe', 'LocalState'), { recursive: true });
    mkdirSync(p('win', 'Users', 'u', 'Downloads'), { recursive: true });
  });

  // The caches are left out here: their table (src/core/known-caches.ts) joins Windows paths with
  // backslashes, which name no file on this machine; the Linux layout below and test/plan/folder-verdict check it.
  it('finds every kind, in order, each once, and says what it could not read', async () => {
    const r = await scanCandidates({ os: 'win32', home: p('win', 'Users', 'u'), env: { systemdrive: p('win', 'C') }, places });
    const local = places.localAppData!;
    expect(r.candidates.map((c) => [c.kind, c.path])).toEqual([
      ['steam', p('win', 'Program Files (x86)', 'Steam', 'steamapps', 'common')],
      ['steam', p('win', 'SteamLibrary', 'steamapps', 'common')],
      ['epic', p('win', 'Epic Games', 'Fortnite')],
      ['gog', p('win', 'Program Files (x86)', 'GOG Galaxy', 'Games')],
      ['gog', p('win', 'C', 'GOG Games')],
      ['docker', path.join(local, 'Docker', 'wsl')],
      ['wsl', path.join(local, 'Packages', 'CanonicalGroupLimited.Ubuntu22.04LTS_79rhkp1fndgsc', 'LocalState', 'ext4.vhdx')],
      ['user-folder', p('win', 'Users', 'u', 'Downloads')],
    ]);
    expect(r.candidates.find((c) => c.kind === 'epic')!.title).toBe('Fortnite (Epic Games)');
    expect(r.candidates.find((c) => c.kind === 'wsl')!.title).toBe('WSL disk (CanonicalGroupLimited.Ubuntu22.04LTS)');
    expect(r.games).toEqual([
      { path: p('win', 'Epic Games', 'Fortnite'), store: 'epic', name: 'Fortnite' },
      { path: p('win', 'Program Files (x86)', 'GOG Galaxy', 'Games'), store: 'gog' },
      { path: p('win', 'C', 'GOG Games'), store: 'gog' },
    ]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.path).toMatch(/D4\.item$/);
    expect(r.problems[0]!.message).toMatch(/not an Epic Games manifest.*not JSON/);
  });
});

describe('the Linux layout', () => {
  it('Steam under XDG_DATA_HOME and ~/.steam (a link to it) once; a broken libraryfolders.vdf is a problem, its own library still listed', async () => {
    const home = p('linux', 'home', 'u');
    const steam = path.join(home, '.local', 'share', 'Steam');
    mkdirSync(path.join(steam, 'steamapps', 'common'), { recursive: true });
    file(path.join(steam, 'steamapps', 'libraryfolders.vdf'), '"libraryfolders"\n{\n\t"0"\n\t{\n');
    mkdirSync(path.join(home, '.steam'), { recursive: true });
    (await import('node:fs')).symlinkSync(steam, path.join(home, '.steam', 'steam'));
    mkdirSync(path.join(home, 'GOG Games'), { recursive: true });
    mkdirSync(path.join(home, '.cache', 'pip'), { recursive: true });
    mkdirSync(path.join(home, '.cargo', 'registry'), { recursive: true });
    const places: FolderPlaces = {
      localAppData: path.join(home, '.local', 'share'),
      cacheHome: path.join(home, '.cache'),
      programFiles: [],
      oneDrive: [],
      userFolders: {},
    };
    const r = await scanCandidates({ os: 'linux', home, env: {}, places });
    expect(r.candidates.map((c) => [c.kind, c.path])).toEqual([
      ['steam', path.join(steam, 'steamapps', 'common')],
      ['gog', path.join(home, 'GOG Games')],
      ['cache', path.join(home, '.cache', 'pip')],
      ['cache', path.join(home, '.cargo', 'registry')],
    ]);
    // Read twice (through ~/.steam/steam too), reported for each name it was read by.
    expect(r.problems.length).toBeGreaterThan(0);
    for (const pr of r.problems) expect(pr.message).toMatch(/is not a Steam library list Steam could read \(line 4, column 2: a block `\{` is not closed\)/);
  });
});
