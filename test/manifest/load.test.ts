import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { darwinCtx, errorsOf, fakeIO, linuxCtx, loadManifest, loadYaml, MANIFEST_FILE, oneEntry, pairsOf, winCtx } from '../helpers/manifest.js';

describe('a valid manifest', () => {
  const yaml = `version: 1
defaults:
  type: junction
  conflict: backup
links:
  - link: C:\\Games
    target: D:\\Games
    description: the big one
  - link: C:\\Tools
    target: E:\\Tools
    type: symlink
    conflict: merge
    state: absent
    force: true
`;
  it('becomes one DesiredEntry per item, with defaults filled in', async () => {
    const m = await loadYaml(yaml, winCtx());
    expect(m.ok).toBe(true);
    expect(m.diagnostics).toEqual([]);
    expect(m.os).toBe('win32');
    expect(m.file).toBe(MANIFEST_FILE.win32);
    expect(m.entries).toEqual([
      {
        index: 0,
        link: 'C:\\Games',
        target: 'D:\\Games',
        type: 'junction',
        conflict: 'backup',
        retarget: 'move',
        state: 'present',
        force: false,
        style: { flavour: 'win32', caseInsensitive: true },
        source: { file: MANIFEST_FILE.win32, line: 6, col: 11 },
        applies: true,
        description: 'the big one',
      },
      {
        index: 1,
        link: 'C:\\Tools',
        target: 'E:\\Tools',
        type: 'symlink',
        conflict: 'merge',
        retarget: 'move',
        state: 'absent',
        force: true,
        style: { flavour: 'win32', caseInsensitive: true },
        source: { file: MANIFEST_FILE.win32, line: 9, col: 11 },
        applies: true,
      },
    ]);
  });
  it('records the sha256 of the bytes read', async () => {
    const m = await loadYaml(yaml, winCtx());
    expect(m.hash).toBe(createHash('sha256').update(yaml, 'utf8').digest('hex'));
  });
  it('without defaults an entry is auto / fail / present / not forced', async () => {
    const m = await loadYaml(oneEntry('/srv/x', '/mnt/x'), linuxCtx());
    expect(m.entries).toHaveLength(1);
    expect(m.entries[0]).toMatchObject({ type: 'auto', conflict: 'fail', state: 'present', force: false, style: { flavour: 'posix', caseInsensitive: false } });
    expect(m.entries[0]!.description).toBeUndefined();
  });
  it('retarget is move unless the entry or defaults say relink', async () => {
    const m = await loadYaml(
      `version: 1\ndefaults: { retarget: relink }\nlinks:\n  - { link: /a, target: /b }\n  - { link: /c, target: /d, retarget: move }\n`,
      linuxCtx(),
    );
    expect(m.ok).toBe(true);
    expect(m.entries.map((e) => e.retarget)).toEqual(['relink', 'move']);
    expect((await loadYaml(oneEntry('/srv/x', '/mnt/x'), linuxCtx())).entries[0]!.retarget).toBe('move');
    const bad = await loadYaml(`version: 1\nlinks:\n  - { link: /a, target: /b, retarget: copy }\n`, linuxCtx());
    expect(bad.ok).toBe(false);
  });
  it('defaults.force is inherited and an entry can turn it off', async () => {
    const m = await loadYaml(
      `version: 1\ndefaults: { force: true }\nlinks:\n  - { link: /a, target: /b }\n  - { link: /c, target: /d, force: false }\n`,
      linuxCtx(),
    );
    expect(m.entries.map((e) => e.force)).toEqual([true, false]);
  });
  it('an empty links list is valid', async () => {
    const m = await loadYaml('version: 1\nlinks: []\n', linuxCtx());
    expect(m.ok).toBe(true);
    expect(m.entries).toEqual([]);
  });
});

describe('reading the file', () => {
  it('a missing file is E_NOT_FOUND', async () => {
    const m = await loadManifest('/nowhere/relocate.yaml', linuxCtx(), fakeIO({}));
    expect(m.ok).toBe(false);
    expect(m.hash).toBe('');
    expect(m.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'E_NOT_FOUND',
        file: '/nowhere/relocate.yaml',
        path: '/nowhere/relocate.yaml',
        message: 'no manifest at /nowhere/relocate.yaml',
        hint: 'give the manifest path, or create relocate.yaml (see links.example.yaml)',
      },
    ]);
  });
  it('another read failure is E_READ with the reason', async () => {
    const io = fakeIO({});
    io.readFile = async () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    const m = await loadManifest('/etc/relocate.yaml', linuxCtx(), io);
    expect(m.diagnostics.map((d) => [d.code, d.message])).toEqual([['E_READ', 'cannot read /etc/relocate.yaml: EACCES: permission denied']]);
  });
});

describe('relative paths resolve against the manifest folder', () => {
  it('posix', async () => {
    const m = await loadYaml(
      'version: 1\nlinks:\n  - { link: ~/.config/nvim, target: ./nvim }\n  - { link: ~/.vimrc, target: vim/vimrc }\n  - { link: ~/.zshrc, target: ../shared/zshrc }\n',
      linuxCtx(),
    );
    expect(pairsOf(m)).toEqual([
      '/home/me/.config/nvim -> /home/me/dots/nvim',
      '/home/me/.vimrc -> /home/me/dots/vim/vimrc',
      '/home/me/.zshrc -> /home/me/shared/zshrc',
    ]);
  });
  it('win32', async () => {
    const m = await loadYaml(oneEntry('%APPDATA%\\Code\\User', '.\\vscode\\user'), winCtx());
    expect(pairsOf(m)).toEqual(['C:\\Users\\me\\AppData\\Roaming\\Code\\User -> C:\\dots\\vscode\\user']);
    const m2 = await loadYaml(oneEntry('C:\\x', 'sub/dir/..\\y'), winCtx());
    expect(pairsOf(m2)).toEqual(['C:\\x -> C:\\dots\\sub\\y']);
  });
  it('a relative link resolves too', async () => {
    const m = await loadYaml(oneEntry('cache', '/mnt/cache'), linuxCtx());
    expect(pairsOf(m)).toEqual(['/home/me/dots/cache -> /mnt/cache']);
  });
  it('ctx.baseDir overrides the manifest folder', async () => {
    const m = await loadYaml(oneEntry('/srv/x', './x'), linuxCtx({ baseDir: '/opt/base' }));
    expect(pairsOf(m)).toEqual(['/srv/x -> /opt/base/x']);
  });
  it.each([
    ['C:\\Games', 'a drive letter'],
    ['D:/Games', 'a drive letter'],
    ['\\\\server\\share\\Games', 'a network share'],
    ['%LOCALAPPDATA%\\npm-cache', 'a %VARIABLE% that only Windows expands'],
  ])(
    'on Linux or macOS a Windows path (%s) without a when: is E_WINDOWS_PATH naming the entry, not a relative name that matches nothing',
    async (winPath, why) => {
      for (const ctx of [linuxCtx(), darwinCtx()]) {
        const m = await loadYaml(oneEntry(winPath, '/srv/x'), ctx);
        expect(m.ok).toBe(false);
        const d = m.diagnostics.find((x) => x.code === 'E_WINDOWS_PATH');
        expect(d).toMatchObject({ line: 3, message: `links[0].link: ${winPath} is a Windows path (${why}), and this manifest is being read for ${ctx.os}` });
        expect(d?.hint).toContain('when: { os: windows }');
      }
    },
  );
  it('a Windows path under `when: { os: windows }` is skipped on Linux, and a POSIX name with a colon is not mistaken for one', async () => {
    const m = await loadYaml(
      `version: 1\nlinks:\n  - link: C:\\Games\n    target: D:\\Games\n    when: { os: windows }\n  - link: /srv/a:b\n    target: ./x:y\n`,
      linuxCtx(),
    );
    expect(m.ok).toBe(true);
    expect(pairsOf(m)).toEqual(['/srv/a:b -> /home/me/dots/x:y']);
  });
});

describe('a manifest reached through a symlink', () => {
  it('resolves relative paths beside the file the link leads to (the stow habit), and says which folder', async () => {
    const file = '/home/me/relocate.yaml';
    const io = {
      ...fakeIO({ [file]: oneEntry('/home/me/.config/nvim', './nvim') }),
      realPath: async (f: string) => (f === file ? '/home/me/dotfiles/relocate.yaml' : f),
    };
    const m = await loadManifest(file, linuxCtx(), io);
    expect(pairsOf(m)).toEqual(['/home/me/.config/nvim -> /home/me/dotfiles/nvim']);
    expect(m.baseDir).toBe('/home/me/dotfiles');
  });
  it('without a way to resolve links, or when resolving fails, the manifest path as given is used', async () => {
    const file = '/home/me/relocate.yaml';
    const plain = await loadManifest(file, linuxCtx(), fakeIO({ [file]: oneEntry('/srv/l', './t') }));
    expect(pairsOf(plain)).toEqual(['/srv/l -> /home/me/t']);
    const failing = { ...fakeIO({ [file]: oneEntry('/srv/l', './t') }), realPath: async () => Promise.reject(new Error('EACCES')) };
    expect(pairsOf(await loadManifest(file, linuxCtx(), failing))).toEqual(['/srv/l -> /home/me/t']);
  });
});

describe('when:', () => {
  const yaml = `version: 1
links:
  - link: ~/.config/nvim
    target: ./nvim
    when: { os: [linux, darwin] }
  - link: '%LOCALAPPDATA%\\nvim'
    target: ./nvim
    when: { os: windows }
  - link: ~/Library/Fonts
    target: ./fonts
    when: { os: macos }
  - link: ~/big
    target: ./big
    when: { host: [DEVBOX, other] }
`;
  it('on linux: os list and host (case-insensitive) apply, the rest is skipped with a reason', async () => {
    const m = await loadYaml(yaml, linuxCtx());
    expect(m.ok).toBe(true);
    expect(m.entries.map((e) => [e.index, e.applies, e.skipReason])).toEqual([
      [0, true, undefined],
      [1, false, 'only for windows; this machine is linux'],
      [2, false, 'only for macos; this machine is linux'],
      [3, true, undefined],
    ]);
    expect(pairsOf(m)).toEqual(['/home/me/.config/nvim -> /home/me/dots/nvim', '/home/me/big -> /home/me/dots/big']);
  });
  it('a skipped entry keeps its raw text and is not expanded (no error for %LOCALAPPDATA% on linux)', async () => {
    const m = await loadYaml(yaml, linuxCtx());
    expect(m.entries[1]).toMatchObject({ link: '%LOCALAPPDATA%\\nvim', target: './nvim', applies: false });
  });
  it('on win32: the windows alias applies', async () => {
    const m = await loadYaml(yaml, winCtx({ hostname: 'other' }));
    expect(m.entries.map((e) => e.applies)).toEqual([false, true, false, true]);
    expect(m.entries[0]!.skipReason).toBe('only for linux, darwin; this machine is win32');
    expect(pairsOf(m)).toEqual(['C:\\Users\\me\\AppData\\Local\\nvim -> C:\\dots\\nvim', 'C:\\Users\\me\\big -> C:\\dots\\big']);
  });
  it('on darwin: the macos alias applies; an unknown host is skipped', async () => {
    const m = await loadYaml(yaml, darwinCtx());
    expect(m.entries.map((e) => e.applies)).toEqual([true, false, true, false]);
    expect(m.entries[3]!.skipReason).toBe('only for host DEVBOX, other; this machine is MacBook');
  });
  it('defaults.when applies to every entry; an entry os overrides it; an entry host keeps the default os', async () => {
    const d = `version: 1
defaults:
  when: { os: linux }
links:
  - { link: /a, target: /b }
  - { link: /c, target: /d, when: { os: darwin } }
  - { link: /e, target: /f, when: { host: devbox } }
  - { link: /g, target: /h, when: { host: elsewhere } }
`;
    const onLinux = await loadYaml(d, linuxCtx());
    expect(onLinux.entries.map((e) => e.applies)).toEqual([true, false, true, false]);
    expect(onLinux.entries[3]!.skipReason).toBe('only for host elsewhere; this machine is devbox');
    const onMac = await loadYaml(d, darwinCtx({ hostname: 'devbox' }));
    expect(onMac.entries.map((e) => e.applies)).toEqual([false, true, false, false]);
    expect(onMac.entries[0]!.skipReason).toBe('only for linux; this machine is darwin');
    expect(onMac.entries[2]!.skipReason).toBe('only for linux; this machine is darwin');
  });
  it('skipped entries take no part in duplicate checks and hide their variables', async () => {
    const m = await loadYaml(
      `version: 1
links:
  - { link: /srv/a, target: /data/a }
  - { link: /srv/a, target: '\${nope}', when: { os: win32 } }
`,
      linuxCtx(),
    );
    expect(m.diagnostics).toEqual([]);
    expect(m.entries.map((e) => e.applies)).toEqual([true, false]);
  });
});

describe('Windows paths', () => {
  it('drive letters are upper-cased and separators made backslashes', async () => {
    const m = await loadYaml(oneEntry('c:/games/Steam/', 'd:\\games\\Steam\\'), winCtx());
    expect(pairsOf(m)).toEqual(['C:\\games\\Steam -> D:\\games\\Steam']);
  });
  it('UNC paths are kept as UNC', async () => {
    const m = await loadYaml(oneEntry('C:\\Share', '\\\\nas\\media\\Share'), winCtx());
    expect(pairsOf(m)).toEqual(['C:\\Share -> \\\\nas\\media\\Share']);
    const m2 = await loadYaml(oneEntry('//nas/media/x', 'D:\\x'), winCtx());
    expect(pairsOf(m2)).toEqual(['\\\\nas\\media\\x -> D:\\x']);
  });
  it('the \\\\?\\ long-path prefix is dropped, for drives and UNC', async () => {
    const m = await loadYaml(oneEntry('\\\\?\\C:\\Very\\Deep', '\\\\?\\UNC\\nas\\media\\Deep'), winCtx());
    expect(m.diagnostics).toEqual([]);
    expect(pairsOf(m)).toEqual(['C:\\Very\\Deep -> \\\\nas\\media\\Deep']);
  });
  it.each([
    ['\\Games', 'link', 3, 11],
    ['/Games', 'link', 3, 11],
    ['C:Games', 'link', 3, 11],
  ])('%s has no drive: E_PATH_NO_DRIVE', async (p, key, line, col) => {
    const m = await loadYaml(oneEntry(p, 'D:\\Games'), winCtx());
    expect(errorsOf(m)).toEqual([{ code: 'E_PATH_NO_DRIVE', line, col }]);
    expect(m.diagnostics[0]!.message).toBe(`links[0].${key}: ${p} has no drive letter`);
    expect(m.diagnostics[0]!.hint).toBe('write the full path, like C:\\Games');
  });
  it('E_PATH_NO_DRIVE in a target points at the target; the link is still checked', async () => {
    const m = await loadYaml(oneEntry('\\x', '\\Games'), winCtx());
    expect(errorsOf(m)).toEqual([
      { code: 'E_PATH_NO_DRIVE', line: 3, col: 11 },
      { code: 'E_PATH_NO_DRIVE', line: 4, col: 13 },
    ]);
  });
  it('a rooted path is fine on posix', async () => {
    const m = await loadYaml(oneEntry('/Games', '/mnt/Games'), linuxCtx());
    expect(m.ok).toBe(true);
  });
});

describe('duplicate links', () => {
  it('win32 compares without case and after canonicalising', async () => {
    const m = await loadYaml('version: 1\nlinks:\n  - { link: C:\\Games, target: D:\\Games }\n  - { link: c:/GAMES/, target: E:\\Games }\n', winCtx());
    expect(errorsOf(m)).toEqual([{ code: 'E_DUPLICATE_LINK', line: 4, col: 13 }]);
    expect(m.diagnostics[0]!.message).toBe('links[1]: the link C:\\GAMES is already claimed by links[0] at line 3');
  });
  it('darwin compares without case', async () => {
    const m = await loadYaml(
      'version: 1\nlinks:\n  - { link: /Users/me/Games, target: /Volumes/big/Games }\n  - { link: /users/ME/games, target: /Volumes/big/g2 }\n',
      darwinCtx(),
    );
    expect(errorsOf(m)).toEqual([{ code: 'E_DUPLICATE_LINK', line: 4, col: 13 }]);
  });
  it('linux compares with case: two different links', async () => {
    const m = await loadYaml(
      'version: 1\nlinks:\n  - { link: /home/me/Games, target: /mnt/big/Games }\n  - { link: /home/me/games, target: /mnt/big/g2 }\n',
      linuxCtx(),
    );
    expect(m.diagnostics).toEqual([]);
    expect(m.entries.filter((e) => e.applies)).toHaveLength(2);
  });
  it('found after expansion, and each later copy names the first', async () => {
    const m = await loadYaml(
      `version: 1
vars: { g: ~/Games }
links:
  - { link: ~/Games, target: /mnt/a }
  - { link: '\${g}', target: /mnt/b }
  - { link: /home/me/Games/, target: /mnt/c }
`,
      linuxCtx(),
    );
    expect(errorsOf(m)).toEqual([
      { code: 'E_DUPLICATE_LINK', line: 5, col: 13 },
      { code: 'E_DUPLICATE_LINK', line: 6, col: 13 },
    ]);
    expect(m.diagnostics.map((d) => d.message)).toEqual([
      'links[1]: the link /home/me/Games is already claimed by links[0] at line 4',
      'links[2]: the link /home/me/Games is already claimed by links[0] at line 4',
    ]);
  });
});

describe('link and target of one entry', () => {
  it('E_SELF_LINK when they are one path (win32: any spelling)', async () => {
    const m = await loadYaml(oneEntry('C:\\Games', 'c:/GAMES/'), winCtx());
    expect(errorsOf(m)).toEqual([{ code: 'E_SELF_LINK', line: 3, col: 11 }]);
    expect(m.diagnostics[0]!.message).toBe('links[0]: link and target are the same path (C:\\Games)');
  });
  it('not E_SELF_LINK on linux when only case differs', async () => {
    const m = await loadYaml(oneEntry('/srv/Games', '/srv/games'), linuxCtx());
    expect(m.ok).toBe(true);
  });
  it('E_SELF_LINK on darwin when only case differs', async () => {
    const m = await loadYaml(oneEntry('/srv/Games', '/srv/games'), darwinCtx());
    expect(errorsOf(m)).toEqual([{ code: 'E_SELF_LINK', line: 3, col: 11 }]);
  });
  it('E_NESTED_SELF: the target inside the link', async () => {
    const m = await loadYaml(oneEntry('C:\\Games', 'C:\\games\\Moved'), winCtx());
    expect(errorsOf(m)).toEqual([{ code: 'E_NESTED_SELF', line: 3, col: 11 }]);
    expect(m.diagnostics[0]!.message).toBe('links[0]: the target C:\\games\\Moved is inside its own link C:\\Games');
    expect(m.diagnostics[0]!.path).toBe('C:\\games\\Moved');
  });
  it('E_NESTED_SELF: the link inside the target', async () => {
    const m = await loadYaml(oneEntry('/data/games/current', '/data/games'), linuxCtx());
    expect(errorsOf(m)).toEqual([{ code: 'E_NESTED_SELF', line: 3, col: 11 }]);
    expect(m.diagnostics[0]!.message).toBe('links[0]: the link /data/games/current is inside its own target /data/games');
    expect(m.diagnostics[0]!.path).toBe('/data/games/current');
  });
  it('a shared name prefix is not nesting', async () => {
    const m = await loadYaml(oneEntry('C:\\Games', 'C:\\Games2'), winCtx());
    expect(m.ok).toBe(true);
  });
  it('case decides nesting on linux only', async () => {
    expect((await loadYaml(oneEntry('/srv/games', '/srv/GAMES/x'), linuxCtx())).ok).toBe(true);
    expect(errorsOf(await loadYaml(oneEntry('/srv/games', '/srv/GAMES/x'), darwinCtx()))).toEqual([{ code: 'E_NESTED_SELF', line: 3, col: 11 }]);
  });
});

describe('E_PATH_CLAIMED', () => {
  it('a link that is another entry’s target', async () => {
    const m = await loadYaml('version: 1\nlinks:\n  - { link: C:\\Games, target: D:\\Games }\n  - { link: d:\\games, target: E:\\Games }\n', winCtx());
    expect(errorsOf(m)).toEqual([{ code: 'E_PATH_CLAIMED', line: 4, col: 13 }]);
    expect(m.diagnostics[0]!.message).toBe("links[1]: D:\\games is this entry's link but the target of links[0] at line 3");
  });
  it('is found whichever entry comes first', async () => {
    const m = await loadYaml('version: 1\nlinks:\n  - { link: /data/games, target: /mnt/games }\n  - { link: /srv/games, target: /data/games }\n', linuxCtx());
    expect(errorsOf(m)).toEqual([{ code: 'E_PATH_CLAIMED', line: 3, col: 13 }]);
    expect(m.diagnostics[0]!.message).toBe("links[0]: /data/games is this entry's link but the target of links[1] at line 4");
  });
  it('case-sensitive on linux', async () => {
    const m = await loadYaml('version: 1\nlinks:\n  - { link: /srv/games, target: /data/games }\n  - { link: /data/Games, target: /mnt/games }\n', linuxCtx());
    expect(m.ok).toBe(true);
  });
});

describe('trailing separator and hard links', () => {
  it('a trailing separator marks the path as a folder', async () => {
    const m = await loadYaml(
      'version: 1\nlinks:\n  - { link: /srv/a/, target: /data/a }\n  - { link: /srv/b, target: /data/b/ }\n  - { link: /srv/c, target: /data/c }\n',
      linuxCtx(),
    );
    expect(m.entries.map((e) => e.knownFolder)).toEqual(['/srv/a', '/data/b', undefined]);
  });
  it('win32 accepts both separators', async () => {
    const m = await loadYaml("version: 1\nlinks:\n  - { link: 'C:\\a\\', target: 'D:\\a' }\n  - { link: 'C:\\b', target: 'D:/b/' }\n", winCtx());
    expect(m.entries.map((e) => e.knownFolder)).toEqual(['C:\\a', 'D:\\b']);
  });
  it('a hard link to a known folder is E_HARDLINK_DIR', async () => {
    const m = await loadYaml(oneEntry('C:\\Games\\', 'D:\\Games', '    type: hardlink\n'), winCtx());
    expect(errorsOf(m)).toEqual([{ code: 'E_HARDLINK_DIR', line: 3, col: 11 }]);
    expect(m.diagnostics[0]!.message).toBe('links[0]: C:\\Games is a folder, and a hard link can only be made to a file (the mklink /H rule)');
  });
  it('also when hardlink comes from defaults and the target has the slash', async () => {
    const m = await loadYaml('version: 1\ndefaults: { type: hardlink }\nlinks:\n  - { link: /srv/a, target: /data/a/ }\n', linuxCtx());
    expect(errorsOf(m)).toEqual([{ code: 'E_HARDLINK_DIR', line: 4, col: 13 }]);
  });
  it('a hard link without a folder sign is fine here (the disk decides at plan time)', async () => {
    const m = await loadYaml(oneEntry('/srv/a.iso', '/data/a.iso', '    type: hardlink\n'), linuxCtx());
    expect(m.ok).toBe(true);
  });
});

describe('glob links', () => {
  const yaml = 'version: 1\nlinks:\n  - link: ~/Games/*\n    target: /mnt/big/games/{name}\n';
  it('ask io.glob for the canonical pattern and make one entry per match', async () => {
    const file = MANIFEST_FILE.posix;
    const io = fakeIO(
      { [file]: yaml },
      {
        '/home/me/Games/*': [
          { path: '/home/me/Games/Doom', isDir: true },
          { path: '/home/me/Games/notes.txt', isDir: false },
        ],
      },
    );
    const m = await loadManifest(file, linuxCtx(), io);
    expect(io.globCalls).toEqual([{ pattern: '/home/me/Games/*', style: { flavour: 'posix', caseInsensitive: false } }]);
    expect(m.diagnostics).toEqual([]);
    expect(m.entries.map((e) => ({ link: e.link, target: e.target, glob: e.glob, knownFolder: e.knownFolder, index: e.index, source: e.source }))).toEqual([
      {
        link: '/home/me/Games/Doom',
        target: '/mnt/big/games/Doom',
        glob: { pattern: '/home/me/Games/*', name: 'Doom' },
        knownFolder: '/home/me/Games/Doom',
        index: 0,
        source: { file, line: 3, col: 11 },
      },
      {
        link: '/home/me/Games/notes.txt',
        target: '/mnt/big/games/notes.txt',
        glob: { pattern: '/home/me/Games/*', name: 'notes.txt' },
        knownFolder: undefined,
        index: 0,
        source: { file, line: 3, col: 11 },
      },
    ]);
  });
  it('win32: backslash pattern, win32 base names, {name} in the target', async () => {
    const globs = { 'C:\\Users\\me\\Games\\*': [{ path: 'C:\\Users\\me\\Games\\Witcher 3', isDir: true }] };
    const m = await loadYaml("version: 1\nlinks:\n  - link: '~\\Games\\*'\n    target: 'D:\\Games\\{name}'\n", winCtx(), globs);
    expect(m.diagnostics).toEqual([]);
    expect(pairsOf(m)).toEqual(['C:\\Users\\me\\Games\\Witcher 3 -> D:\\Games\\Witcher 3']);
    expect(m.entries[0]!.glob).toEqual({ pattern: 'C:\\Users\\me\\Games\\*', name: 'Witcher 3' });
  });
  it('a glob that matches nothing is a warning, not an error', async () => {
    const m = await loadYaml(yaml, linuxCtx(), { '/home/me/Games/*': [] });
    expect(m.ok).toBe(true);
    expect(m.entries).toEqual([]);
    expect(m.diagnostics.map((d) => [d.severity, d.code, d.line, d.col, d.message])).toEqual([
      ['warning', 'W_GLOB_NO_MATCH', 3, 11, 'links[0]: the glob /home/me/Games/* matches nothing'],
    ]);
  });
  it('a glob that cannot be expanded here (io.glob null) is a warning', async () => {
    const m = await loadYaml(yaml, darwinCtx(), { '/Users/me/Games/*': null });
    expect(m.ok).toBe(true);
    expect(m.diagnostics.map((d) => [d.severity, d.code, d.message])).toEqual([
      ['warning', 'W_GLOB_NOT_EXPANDED', 'links[0]: the glob /Users/me/Games/* can only be expanded on a darwin machine'],
    ]);
  });
  it('hardlink + a folder match is E_HARDLINK_DIR for that match only', async () => {
    const m = await loadYaml(`${yaml}    type: hardlink\n`, linuxCtx(), {
      '/home/me/Games/*': [
        { path: '/home/me/Games/a.iso', isDir: false },
        { path: '/home/me/Games/Doom', isDir: true },
      ],
    });
    expect(errorsOf(m)).toEqual([{ code: 'E_HARDLINK_DIR', line: 3, col: 11 }]);
    expect(m.diagnostics[0]!.message).toBe(
      'links[0] (match Doom): /home/me/Games/Doom is a folder, and a hard link can only be made to a file (the mklink /H rule)',
    );
  });
  it('a match that another entry also links is E_DUPLICATE_LINK', async () => {
    const m = await loadYaml(`${yaml}  - link: ~/Games/Doom\n    target: /elsewhere/Doom\n`, linuxCtx(), {
      '/home/me/Games/*': [{ path: '/home/me/Games/Doom', isDir: true }],
    });
    expect(errorsOf(m)).toEqual([{ code: 'E_DUPLICATE_LINK', line: 5, col: 11 }]);
    expect(m.diagnostics[0]!.message).toBe('links[1]: the link /home/me/Games/Doom is already claimed by links[0] (match Doom) at line 3');
  });
  it('a bad target is reported once, not once per match', async () => {
    const m = await loadYaml('version: 1\nlinks:\n  - link: ~/Games/*\n    target: ${nope}/{name}\n', linuxCtx(), {
      '/home/me/Games/*': [
        { path: '/home/me/Games/a', isDir: true },
        { path: '/home/me/Games/b', isDir: true },
      ],
    });
    expect(errorsOf(m)).toEqual([{ code: 'E_UNKNOWN_VAR', line: 4, col: 13 }]);
  });
  it('{name} in a glob entry is allowed even when the link variable is broken', async () => {
    const m = await loadYaml('version: 1\nlinks:\n  - link: ${nope}/*\n    target: /mnt/{name}\n', linuxCtx());
    expect(errorsOf(m)).toEqual([{ code: 'E_UNKNOWN_VAR', line: 3, col: 11 }]);
  });
});

describe('one bad entry does not hide the others', () => {
  it('valid entries still load and are cross-checked', async () => {
    const m = await loadYaml(
      `version: 1
links:
  - { link: /srv/a, target: /data/a, type: softlink }
  - { link: /srv/b, target: /data/b }
  - { link: /srv/c, target: /srv/c }
`,
      linuxCtx(),
    );
    expect(errorsOf(m)).toEqual([
      { code: 'E_SCHEMA', line: 3, col: 44 },
      { code: 'E_SELF_LINK', line: 5, col: 13 },
    ]);
    expect(m.entries.map((e) => e.index)).toEqual([1, 2]);
    expect(m.ok).toBe(false);
  });
});
