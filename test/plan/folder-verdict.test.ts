/**
 * The planner's verdict on moving a folder (src/plan/folder-verdict.ts),
 * what `relocate scan` shows, cell by cell with Windows, Linux and macOS
 * paths; and that `plan` refuses (E_PROTECTED) exactly the paths the
 * verdict calls never and warns (W_OWNER_MOVER) on exactly those it calls
 * owner-mover, so the two can never disagree.
 */
import { describe, expect, it } from 'vitest';
import { folderPlaces } from '../../src/core/folder-places.js';
import { darwinKnownFolders, linuxKnownFolders, windowsDefaultKnownFolders } from '../../src/core/known-folders.js';
import type { OsName } from '../../src/core/paths.js';
import { folderVerdict, type FolderVerdictKind, type VerdictContext } from '../../src/plan/folder-verdict.js';
import { HOME, POSIX_STYLE, STATE_DIR, WIN_STYLE, codes, context, entry, obs, pair, planOne, tree, vol } from '../helpers/plan-fixtures.js';

const WIN_ENV = {
  USERPROFILE: 'C:\\Users\\u',
  LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local',
  APPDATA: 'C:\\Users\\u\\AppData\\Roaming',
  ProgramData: 'C:\\ProgramData',
  ProgramFiles: 'C:\\Program Files',
  'ProgramFiles(x86)': 'C:\\Program Files (x86)',
  OneDrive: 'C:\\Users\\u\\OneDrive',
  OneDriveCommercial: 'C:\\Users\\u\\OneDrive - Contoso',
};

function verdictContext(os: OsName): VerdictContext {
  const home = HOME[os];
  const known =
    os === 'win32' ? windowsDefaultKnownFolders(home, WIN_ENV) : os === 'darwin' ? darwinKnownFolders(home) : linuxKnownFolders(home, {}, undefined);
  const places = folderPlaces(os, home, known.folders, os === 'win32' ? WIN_ENV : {});
  places.games = os === 'win32' ? [{ path: 'E:\\Games\\Hades', store: 'epic', name: 'Hades' }] : [];
  return { os, home, stateDir: STATE_DIR[os], places };
}

/** [os, path, verdict, what the reason (or mover) must say]. */
const CASES: [OsName, string, FolderVerdictKind, RegExp][] = [
  // never: the protected folders, exactly the plan's E_PROTECTED
  ['win32', 'C:\\', 'never', /state folder/],
  ['win32', 'C:\\Windows', 'never', /Windows folder/],
  ['win32', 'C:\\Windows\\System32', 'never', /inside the Windows folder/],
  ['win32', 'C:\\Program Files', 'never', /Program Files folder/],
  ['win32', 'C:\\Program Files (x86)', 'never', /Program Files \(x86\) folder/],
  ['win32', 'C:\\ProgramData', 'never', /ProgramData folder/],
  ['win32', 'C:\\Users', 'never', /state folder/],
  ['win32', 'C:\\Users\\u', 'never', /state folder/],
  ['win32', 'C:\\Program Files\\WindowsApps', 'never', /WindowsApps/],
  ['win32', 'c:\\program files\\windowsapps\\Microsoft.Foo_1.0_x64', 'never', /inside WindowsApps/],
  ['win32', 'D:\\WindowsApps\\Microsoft.Foo_1.0_x64', 'never', /inside WindowsApps/],
  ['win32', 'C:\\pagefile.sys', 'never', /page file/],
  ['win32', 'D:\\hiberfil.sys', 'never', /hibernation file/],
  ['win32', 'C:\\swapfile.sys', 'never', /swap file/],
  ['win32', 'C:\\System Volume Information', 'never', /System Volume Information/],
  ['win32', 'D:\\$Recycle.Bin\\S-1-5-21', 'never', /Recycle Bin/],
  ['win32', 'C:\\Users\\u\\OneDrive', 'never', /OneDrive/],
  ['win32', 'C:\\Users\\u\\OneDrive\\Pictures', 'never', /inside your OneDrive/],
  ['win32', 'C:\\Users\\u\\OneDrive - Contoso', 'never', /OneDrive/],
  ['win32', 'C:\\Users\\u\\AppData\\Local\\relocate', 'never', /state folder/],
  ['win32', 'C:\\Users\\u\\AppData\\Local', 'never', /state folder/],
  // owner-mover: programs that move their own data
  ['win32', 'C:\\Program Files (x86)\\Steam\\steamapps', 'owner-mover', /Steam > Settings > Storage/],
  ['win32', 'D:\\SteamLibrary\\steamapps\\common\\Cyberpunk 2077', 'owner-mover', /Steam > Settings > Storage/],
  ['win32', 'C:\\Users\\u\\AppData\\Local\\Packages\\CanonicalGroupLimited.Ubuntu_79rhkp1fndgsc\\LocalState\\ext4.vhdx', 'owner-mover', /wsl --manage/],
  ['win32', 'C:\\Users\\u\\AppData\\Local\\Docker\\wsl', 'owner-mover', /Docker Desktop > Settings/],
  ['win32', 'C:\\Users\\u\\AppData\\Local\\Docker\\wsl\\disk', 'owner-mover', /Docker Desktop > Settings/],
  ['win32', 'C:\\Users\\u\\AppData\\Local\\Packages\\Microsoft.MinecraftUWP_8wekyb3d8bbwe', 'owner-mover', /Settings > Apps/],
  // safe: caches, games, the user's own folders, and anything no rule knows
  ['win32', 'C:\\Users\\u\\AppData\\Local\\npm-cache', 'safe', /the npm cache/],
  ['win32', 'C:\\Users\\u\\AppData\\Local\\pip\\Cache', 'safe', /the pip cache/],
  ['win32', 'C:\\Users\\u\\AppData\\Local\\Yarn\\Cache\\v6', 'safe', /inside the Yarn cache/],
  ['win32', 'C:\\Users\\u\\.gradle\\caches', 'safe', /Gradle/],
  ['win32', 'C:\\Users\\u\\.nuget\\packages', 'safe', /NuGet/],
  ['win32', 'C:\\Users\\u\\.m2\\repository', 'safe', /Maven/],
  ['win32', 'C:\\Users\\u\\.cargo\\registry', 'safe', /Cargo/],
  ['win32', 'C:\\Program Files\\Epic Games\\Fortnite', 'safe', /Epic Games game/],
  ['win32', 'E:\\Games\\Hades', 'safe', /Hades, a Epic Games game|Hades/],
  ['win32', 'C:\\Program Files (x86)\\GOG Galaxy\\Games\\The Witcher 3', 'safe', /GOG/],
  ['win32', 'C:\\GOG Games', 'safe', /GOG/],
  ['win32', 'C:\\Users\\u\\Downloads', 'safe', /your Downloads folder.*Properties > Location/],
  ['win32', 'C:\\Users\\u\\Videos', 'safe', /your Videos folder/],
  ['win32', 'C:\\Users\\u\\Downloads\\isos', 'safe', /in your Downloads folder/],
  ['win32', 'D:\\Stuff', 'safe', /no rule/],
  ['win32', 'C:\\Games\\pagefile.sys', 'safe', /no rule/],
  ['win32', 'C:\\Users\\u\\OneDriveTemp', 'safe', /no rule/],
  // caution: one program's data
  ['win32', 'C:\\Users\\u\\AppData\\Roaming\\discord', 'caution', /one program's data \(in AppData\\Roaming\).*close that program/],
  ['win32', 'C:\\Users\\u\\AppData\\Local\\Google\\Chrome', 'caution', /AppData\\Local/],
  ['win32', 'C:\\Users\\u\\AppData\\LocalLow\\Unity', 'caution', /AppData\\LocalLow/],
  ['win32', 'C:\\ProgramData\\Docker', 'caution', /ProgramData/],
  ['win32', 'C:\\Program Files\\Adobe', 'caution', /an installed program/],
  ['win32', 'C:\\Program Files (x86)\\Steam', 'caution', /an installed program/],
  ['win32', 'C:\\Users\\u\\AppData\\Roaming', 'caution', /data of many programs/],
  ['win32', 'C:\\Users\\u\\AppData\\Local\\Temp', 'caution', /temporary folder of every program.*TEMP and TMP/],

  ['linux', '/', 'never', /state folder/],
  ['linux', '/usr', 'never', /system folder/],
  ['linux', '/home', 'never', /state folder/],
  ['linux', '/swapfile', 'never', /swap file/],
  ['linux', '/home/u', 'never', /state folder/],
  ['linux', '/home/u/.local', 'never', /state folder/],
  ['linux', '/home/u/.local/state/relocate', 'never', /state folder/],
  ['linux', '/home/u/.local/share/Steam/steamapps/common', 'owner-mover', /Steam > Settings > Storage/],
  ['linux', '/mnt/games/SteamLibrary/steamapps', 'owner-mover', /a Steam library/],
  ['linux', '/home/u/.npm', 'safe', /the npm cache/],
  ['linux', '/home/u/.cache', 'safe', /the cache folder/],
  ['linux', '/home/u/.cache/pip', 'safe', /the pip cache/],
  ['linux', '/home/u/.cache/thumbnails', 'safe', /inside the cache folder/],
  ['linux', '/home/u/.cargo/registry', 'safe', /Cargo/],
  ['linux', '/home/u/.local/share/pnpm/store', 'safe', /pnpm/],
  ['linux', '/home/u/GOG Games/Celeste', 'safe', /GOG/],
  ['linux', '/home/u/Downloads', 'safe', /your Downloads folder: your own files/],
  ['linux', '/home/u/Videos', 'safe', /your Videos folder/],
  ['linux', '/home/u/projects', 'safe', /no rule/],
  ['linux', '/home/u/.config/Code', 'caution', /one program's data \(in ~\/.config\)/],
  ['linux', '/home/u/.local/share/Steam', 'caution', /~\/.local\/share/],
  ['linux', '/home/u/.config', 'caution', /data of many programs/],

  ['darwin', '/Applications', 'never', /system folder/],
  ['darwin', '/users/U', 'never', /state folder/],
  ['darwin', '/Users/u/Library/Caches/pip', 'safe', /the pip cache/],
  ['darwin', '/Users/u/Library/Caches/com.apple.Safari', 'safe', /inside the cache folder/],
  ['darwin', '/Users/u/Library/Application Support/Steam/steamapps/common', 'owner-mover', /Steam/],
  ['darwin', '/Users/u/Library/Containers/com.docker.docker/Data/vms', 'owner-mover', /Docker Desktop/],
  ['darwin', '/Users/u/Library/Application Support/Slack', 'caution', /Application Support/],
  ['darwin', '/Users/u/Movies', 'safe', /your Videos folder/],
];

describe('folderVerdict', () => {
  it.each(CASES)('%s: %s is %s', (os, p, verdict, says) => {
    const v = folderVerdict(p, os === 'win32' ? WIN_STYLE : POSIX_STYLE_FOR[os], verdictContext(os));
    expect(v.verdict).toBe(verdict);
    expect(v.verdict === 'owner-mover' ? `${v.reason} ${v.mover}` : v.reason).toMatch(says);
    // mover is set exactly for owner-mover
    expect('mover' in v).toBe(verdict === 'owner-mover');
  });

  it('caution names the programs the in-use probe found holding files', () => {
    const v = folderVerdict('C:\\Users\\u\\AppData\\Roaming\\discord', WIN_STYLE, verdictContext('win32'), { inUseBy: ['Discord.exe', 'Discord.exe'] });
    expect(v.verdict).toBe('caution');
    expect(v.reason).toMatch(/Discord\.exe has files open in it now: close it first/);
    expect(v.reason).not.toMatch(/Discord\.exe, Discord\.exe/);
  });

  it('without places only the rules that need none apply: the protected roots and names still do', () => {
    const bare: VerdictContext = { os: 'win32', home: 'C:\\Users\\u', places: { programFiles: [], oneDrive: [], userFolders: {} } };
    expect(folderVerdict('C:\\Windows', WIN_STYLE, bare).verdict).toBe('never');
    // The state folder's rule comes first where it applies; without one, the named rules speak.
    expect(folderVerdict('C:\\', WIN_STYLE, bare).reason).toMatch(/root of a filesystem/);
    expect(folderVerdict('C:\\Users', WIN_STYLE, bare).reason).toMatch(/Users folder/);
    expect(folderVerdict('C:\\Users\\u', WIN_STYLE, bare).reason).toMatch(/your home folder/);
    expect(folderVerdict('/home', POSIX_STYLE, { ...bare, os: 'linux', home: '/home/u' }).reason).toMatch(/system folder \/home/);
    expect(folderVerdict('D:\\SteamLibrary\\steamapps', WIN_STYLE, bare).verdict).toBe('owner-mover');
    expect(folderVerdict('C:\\Users\\u\\OneDrive', WIN_STYLE, bare).verdict).toBe('safe');
  });
});

const POSIX_STYLE_FOR: Record<OsName, typeof POSIX_STYLE> = { win32: WIN_STYLE, linux: POSIX_STYLE, darwin: { flavour: 'posix', caseInsensitive: true } };

describe('plan agrees with the verdict', () => {
  it.each(CASES.map((c, i) => [...c, i] as const))('%s: %s (%s) — plan refuses never, warns on owner-mover, else neither', (os, p, verdict, _says, i) => {
    const style = POSIX_STYLE_FOR[os];
    const target = os === 'win32' ? `Z:\\moved\\${i}` : `/mnt/big/moved/${i}`;
    const isFile = /\.(sys|vhdx)$/.test(p) || p === '/swapfile';
    const link = isFile ? obs.file(p, vol('A')) : obs.dir(p, vol('A'));
    const v = verdictContext(os);
    const planned = planOne(
      entry(style, p, target),
      pair(style, link, obs.absent(target, vol('B')), { linkTree: tree(10, 1) }),
      context(os, { home: v.home, stateDir: v.stateDir!, places: v.places }),
    );
    expect(planned.action).toBe('move');
    const found = codes(planned);
    expect(found.includes('E_PROTECTED'), `E_PROTECTED for ${p}: ${found.join(', ')}`).toBe(verdict === 'never');
    expect(found.includes('W_OWNER_MOVER'), `W_OWNER_MOVER for ${p}: ${found.join(', ')}`).toBe(verdict === 'owner-mover');
    const w = planned.findings.find((f) => f.code === 'W_OWNER_MOVER');
    if (w) {
      expect(w.severity).toBe('warning');
      expect(w.hint).toContain(folderVerdict(p, style, v).verdict === 'owner-mover' ? (folderVerdict(p, style, v) as { mover: string }).mover : '');
    }
  });

  it.each([
    ['C:\\Program Files\\WindowsApps\\Microsoft.Foo_1.0_x64'],
    ['C:\\Users\\u\\OneDrive\\Pictures'],
    ['C:\\pagefile.sys'],
    ['C:\\System Volume Information'],
  ])('force: true lifts the new protections as it lifts the others (%s)', (p) => {
    const v = verdictContext('win32');
    const ctx = context('win32', { stateDir: v.stateDir!, places: v.places });
    const o = pair(WIN_STYLE, p.endsWith('.sys') ? obs.file(p, vol('A')) : obs.dir(p, vol('A')), obs.absent('Z:\\moved', vol('B')), { linkTree: tree(10, 1) });
    expect(codes(planOne(entry(WIN_STYLE, p, 'Z:\\moved'), o, ctx))).toEqual(['E_PROTECTED']);
    expect(codes(planOne(entry(WIN_STYLE, p, 'Z:\\moved', { force: true }), o, ctx))).toEqual([]);
  });

  it('an entry whose Steam library is already linked (in sync) gets no warning: only changes are checked', () => {
    const p = 'D:\\SteamLibrary\\steamapps\\common';
    const v = verdictContext('win32');
    const o = pair(WIN_STYLE, obs.junction(p, 'E:\\common', 'dir', vol('A')), obs.dir('E:\\common', vol('B')));
    const planned = planOne(entry(WIN_STYLE, p, 'E:\\common'), o, context('win32', { places: v.places }));
    expect(planned.action).toBe('none');
    expect(planned.findings).toEqual([]);
  });
});
