import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  darwinKnownFolders,
  defaultKnownFolders,
  KNOWN_FOLDERS,
  knownFolderName,
  linuxKnownFolders,
  parseUserDirs,
  windowsDefaultKnownFolders,
} from '../../src/core/known-folders.js';
import { resolveKnownFolders, userDirsFile } from '../../src/platform/known-folders.js';
import { guidBytes, KNOWN_FOLDER_IDS, windowsKnownFolders } from '../../src/platform/windows/known-folders.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { darwinCtx, linuxCtx, loadYaml, oneEntry, pairsOf, winCtx } from '../helpers/manifest.js';

/** The one error of a load, checked to be the only diagnostic. */
async function onlyError(yaml: string, ctx = linuxCtx()) {
  const m = await loadYaml(yaml, ctx);
  expect(m.ok).toBe(false);
  expect(m.diagnostics).toHaveLength(1);
  return m.diagnostics[0]!;
}

const WIN_KNOWN = {
  Documents: 'D:\\Sync\\Documents',
  LocalAppData: 'C:\\Users\\me\\AppData\\Local',
  SavedGames: 'C:\\Users\\me\\Saved Games',
};

describe('${known:Name} in a manifest (injected context)', () => {
  it('expands a known folder from the context', async () => {
    const m = await loadYaml(oneEntry('${known:Documents}\\Games', 'E:\\Games'), winCtx({ knownFolders: WIN_KNOWN }));
    expect(m.diagnostics).toEqual([]);
    expect(pairsOf(m)).toEqual(['D:\\Sync\\Documents\\Games -> E:\\Games']);
  });

  it('matches names without case and accepts aliases', async () => {
    const m = await loadYaml(
      oneEntry('${known:localappdata}/npm', '${known:AppData}/npm'),
      linuxCtx({ knownFolders: { LocalAppData: '/home/me/.local/share', RoamingAppData: '/home/me/.config' } }),
    );
    expect(m.diagnostics).toEqual([]);
    expect(pairsOf(m)).toEqual(['/home/me/.local/share/npm -> /home/me/.config/npm']);
  });

  it('works inside vars', async () => {
    const yaml = 'version: 1\nvars:\n  docs: ${known:Documents}\nlinks:\n  - link: ${docs}/notes\n    target: /mnt/big/notes\n';
    const m = await loadYaml(yaml, darwinCtx({ knownFolders: darwinKnownFolders('/Users/me').folders }));
    expect(pairsOf(m)).toEqual(['/Users/me/Documents/notes -> /mnt/big/notes']);
  });

  it('an unknown name is E_UNKNOWN_VAR listing the known names', async () => {
    const d = await onlyError(oneEntry('/srv/x', '${known:Documnets}/x'), linuxCtx({ knownFolders: { Documents: '/home/me/Documents' } }));
    expect(d).toMatchObject({ code: 'E_UNKNOWN_VAR', line: 4, col: 13 });
    expect(d.message).toBe("links[0].target: unknown variable ${known:Documnets}: 'Documnets' is not a known folder");
    expect(d.hint).toBe(`known folders: ${KNOWN_FOLDERS.join(', ')}`);
    for (const n of ['Documents', 'Downloads', 'LocalAppData', 'RoamingAppData', 'Desktop', 'Pictures', 'Music', 'Videos', 'ProgramData', 'Profile'])
      expect(d.hint).toContain(n);
  });

  it('a Windows-only folder elsewhere says so and suggests when:', async () => {
    const d = await onlyError(oneEntry('${known:ProgramData}/x', '/srv/x'), linuxCtx({ knownFolders: linuxKnownFolders('/home/me', {}, undefined).folders }));
    expect(d.message).toBe('links[0].link: unknown variable ${known:ProgramData}: ProgramData exists only on Windows, not on linux');
    expect(d.hint).toContain('when: { os: windows }');
  });

  it('a Windows-only folder in an entry for Windows only is never expanded elsewhere', async () => {
    const m = await loadYaml(oneEntry('${known:SavedGames}\\x', 'E:\\x', '    when: { os: windows }\n'), linuxCtx({ knownFolders: {} }));
    expect(m.ok).toBe(true);
    expect(m.entries[0]!.applies).toBe(false);
  });

  it('a folder the machine could not name carries the reason', async () => {
    const d = await onlyError(
      oneEntry('${known:Music}/x', '/srv/x'),
      linuxCtx({ knownFolders: {}, knownFolderNotes: { Music: 'XDG_MUSIC_DIR is disabled (set to $HOME) in /home/me/.config/user-dirs.dirs' } }),
    );
    expect(d.message).toBe(
      'links[0].link: unknown variable ${known:Music}: the known folder Music is not available on this linux machine (XDG_MUSIC_DIR is disabled (set to $HOME) in /home/me/.config/user-dirs.dirs)',
    );
  });

  it('without any known folders in the context, a known name is still not an empty string', async () => {
    const d = await onlyError(oneEntry('${known:Documents}/x', '/srv/x'));
    expect(d.code).toBe('E_UNKNOWN_VAR');
    expect(d.message).toContain('not available');
  });

  it('${known:} names no folder and lists them', async () => {
    const d = await onlyError(oneEntry('/srv/x', '${known:}/x'));
    expect(d.message).toBe('links[0].target: ${known:} names no variable');
    expect(d.hint).toContain('Documents');
  });
});

describe('known folder names', () => {
  it('canonical names, any case, aliases', () => {
    expect(knownFolderName('documents')).toBe('Documents');
    expect(knownFolderName('PROGRAMFILESX86')).toBe('ProgramFilesX86');
    expect(knownFolderName('Home')).toBe('Profile');
    expect(knownFolderName('AppData')).toBe('RoamingAppData');
    expect(knownFolderName('Movies')).toBe('Videos');
    expect(knownFolderName('Nope')).toBeUndefined();
  });

  it('the schema (editor help) names every known folder', () => {
    const schema = readFileSync(path.join(REPO_ROOT, 'schema', 'relocate.schema.json'), 'utf8');
    const link = (JSON.parse(schema) as { $defs: { entry: { properties: { link: { description: string } } } } }).$defs.entry.properties.link.description;
    for (const n of KNOWN_FOLDERS) expect(link).toContain(n);
  });

  it('every name has a KNOWNFOLDERID', () => {
    expect(Object.keys(KNOWN_FOLDER_IDS).sort()).toEqual([...KNOWN_FOLDERS].sort());
  });

  it('a GUID becomes the bytes of its C struct (little-endian Data1..3)', () => {
    expect(guidBytes('{FDD39AD0-238F-46AF-ADB4-6C85480369C7}').toString('hex')).toBe('d09ad3fd8f23af46adb46c85480369c7');
    expect(guidBytes('374de290-123f-4565-9164-39c4925e467b').toString('hex')).toBe('90e24d373f126545916439c4925e467b');
    expect(() => guidBytes('not-a-guid')).toThrow(/not a GUID/);
  });

  it.skipIf(process.platform === 'win32')('off Windows the shell is not asked, and every folder says why', async () => {
    const r = await windowsKnownFolders();
    expect(r.folders).toEqual({});
    expect(r.failures.Documents).toMatch(/only on Windows/);
  });
});

describe('XDG user dirs (Linux)', () => {
  const home = '/home/me';

  it('parses $HOME-relative and absolute values, escapes, comments, and ignores the rest', () => {
    const text = [
      '# This file is written by xdg-user-dirs-update',
      'XDG_DESKTOP_DIR="$HOME/Desktop"',
      'XDG_DOCUMENTS_DIR="$HOME/Docs \\"2024\\""',
      'XDG_DOWNLOAD_DIR="/data/downloads/"',
      'XDG_MUSIC_DIR="$HOME"',
      'XDG_PICTURES_DIR="${HOME}/Pics"',
      'XDG_VIDEOS_DIR="relative/ignored"',
      'XDG_TEMPLATES_DIR=$HOME/Templates',
      'not a line at all',
    ].join('\n');
    expect(parseUserDirs(text, home)).toEqual({
      XDG_DESKTOP_DIR: '/home/me/Desktop',
      XDG_DOCUMENTS_DIR: '/home/me/Docs "2024"',
      XDG_DOWNLOAD_DIR: '/data/downloads',
      XDG_MUSIC_DIR: null,
      XDG_PICTURES_DIR: '/home/me/Pics',
      XDG_TEMPLATES_DIR: '/home/me/Templates',
    });
  });

  it('defaults to the xdg-user-dirs names under $HOME, and maps AppData to the XDG base dirs', () => {
    const k = linuxKnownFolders(home, {}, undefined);
    expect(k.folders).toEqual({
      Profile: '/home/me',
      Desktop: '/home/me/Desktop',
      Documents: '/home/me/Documents',
      Downloads: '/home/me/Downloads',
      Music: '/home/me/Music',
      Pictures: '/home/me/Pictures',
      Videos: '/home/me/Videos',
      Templates: '/home/me/Templates',
      Public: '/home/me/Public',
      LocalAppData: '/home/me/.local/share',
      RoamingAppData: '/home/me/.config',
    });
    expect(k.notes.ProgramData).toMatch(/only on Windows/);
  });

  it('honours absolute XDG_DATA_HOME and XDG_CONFIG_HOME and ignores relative ones', () => {
    expect(linuxKnownFolders(home, { XDG_DATA_HOME: '/fast/data/', XDG_CONFIG_HOME: '/fast/config' }, undefined).folders).toMatchObject({
      LocalAppData: '/fast/data',
      RoamingAppData: '/fast/config',
    });
    expect(linuxKnownFolders(home, { XDG_DATA_HOME: 'data', XDG_CONFIG_HOME: '' }, undefined).folders).toMatchObject({
      LocalAppData: '/home/me/.local/share',
      RoamingAppData: '/home/me/.config',
    });
  });

  describe.skipIf(process.platform !== 'linux')('read from a temporary HOME', () => {
    let tmp: string | undefined;
    afterEach(() => {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
      tmp = undefined;
    });

    it('reads ~/.config/user-dirs.dirs with $HOME expansion; a disabled folder is missing with the reason', async () => {
      tmp = mkdtempSync(path.join(os.tmpdir(), 'relocate-xdg-home-'));
      mkdirSync(path.join(tmp, '.config'));
      writeFileSync(path.join(tmp, '.config', 'user-dirs.dirs'), 'XDG_DOCUMENTS_DIR="$HOME/Dokumente"\nXDG_MUSIC_DIR="$HOME/"\nXDG_DOWNLOAD_DIR="/srv/dl"\n');
      const k = await resolveKnownFolders('linux', tmp, { HOME: tmp });
      expect(k.folders.Documents).toBe(path.join(tmp, 'Dokumente'));
      expect(k.folders.Downloads).toBe('/srv/dl');
      expect(k.folders.Pictures).toBe(path.join(tmp, 'Pictures'));
      expect(k.folders.Music).toBeUndefined();
      expect(k.notes.Music).toBe(`XDG_MUSIC_DIR is disabled (set to $HOME) in ${path.join(tmp, '.config', 'user-dirs.dirs')}`);
      expect(k.folders.RoamingAppData).toBe(path.join(tmp, '.config'));
    });

    it('looks in $XDG_CONFIG_HOME when it is set, and uses the defaults when the file is missing', async () => {
      tmp = mkdtempSync(path.join(os.tmpdir(), 'relocate-xdg-home-'));
      const config = path.join(tmp, 'cfg');
      mkdirSync(config);
      writeFileSync(path.join(config, 'user-dirs.dirs'), 'XDG_VIDEOS_DIR="$HOME/Filme"\n');
      expect(userDirsFile(tmp, { XDG_CONFIG_HOME: config })).toBe(path.join(config, 'user-dirs.dirs'));
      const k = await resolveKnownFolders('linux', tmp, { XDG_CONFIG_HOME: config });
      expect(k.folders.Videos).toBe(path.join(tmp, 'Filme'));
      expect(k.folders.RoamingAppData).toBe(config);
      const none = await resolveKnownFolders('linux', tmp, {});
      expect(none.folders.Videos).toBe(path.join(tmp, 'Videos'));
    });

    it('through the CLI: validate expands ${known:Documents} from the HOME it runs with', async () => {
      tmp = mkdtempSync(path.join(os.tmpdir(), 'relocate-xdg-home-'));
      mkdirSync(path.join(tmp, '.config'));
      writeFileSync(path.join(tmp, '.config', 'user-dirs.dirs'), 'XDG_DOCUMENTS_DIR="$HOME/Papiere"\n');
      const manifest = path.join(tmp, 'relocate.yaml');
      writeFileSync(manifest, 'version: 1\nlinks:\n  - link: ${known:Documents}/notes\n    target: /srv/notes\n');
      const { runCliAsync } = await import('../helpers/cli.js');
      const r = await runCliAsync(['validate', manifest, '--json'], { env: { HOME: tmp, XDG_CONFIG_HOME: '' } });
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { entries: { link: string }[] };
      expect(doc.entries[0]!.link).toBe(path.join(tmp, 'Papiere', 'notes'));
    });
  });
});

describe('other machines (validate --os)', () => {
  it('macOS: the standard folders, Videos is ~/Movies, no Templates', () => {
    const k = darwinKnownFolders('/Users/me');
    expect(k.folders).toMatchObject({ Documents: '/Users/me/Documents', Videos: '/Users/me/Movies', LocalAppData: '/Users/me/Library/Application Support' });
    expect(k.folders.Templates).toBeUndefined();
    expect(k.notes.Templates).toMatch(/no Templates/);
  });

  it('Windows defaults come from the environment Windows publishes, else the default locations', () => {
    const k = windowsDefaultKnownFolders('C:\\Users\\me', { LOCALAPPDATA: 'E:\\Local', programdata: 'D:\\PD' });
    expect(k.folders).toMatchObject({
      Profile: 'C:\\Users\\me',
      Documents: 'C:\\Users\\me\\Documents',
      LocalAppData: 'E:\\Local',
      RoamingAppData: 'C:\\Users\\me\\AppData\\Roaming',
      ProgramData: 'D:\\PD',
      ProgramFilesX86: 'C:\\Program Files (x86)',
      SavedGames: 'C:\\Users\\me\\Saved Games',
    });
    expect(Object.keys(k.folders).sort()).toEqual([...KNOWN_FOLDERS].sort());
  });

  it('defaultKnownFolders dispatches per OS', () => {
    expect(defaultKnownFolders('linux', '/home/x', {}).folders.Documents).toBe('/home/x/Documents');
    expect(defaultKnownFolders('darwin', '/Users/x', {}).folders.Videos).toBe('/Users/x/Movies');
    expect(defaultKnownFolders('win32', 'C:\\Users\\x', {}).folders.Windows).toBe('C:\\Windows');
  });
});
