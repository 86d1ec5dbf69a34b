import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { styleForOs } from '../../src/core/paths.js';
import { mergeIntoManifest, newManifestText, selectImports, writtenPath, type ImportableLink, type ImportEntry } from '../../src/manifest/imported.js';
import { linuxCtx, loadYaml, winCtx } from '../helpers/manifest.js';

const posix = styleForOs('linux');
const win = styleForOs('win32');
const mac = styleForOs('darwin');

function found(path: string, target: string, over: Partial<ImportableLink> = {}): ImportableLink {
  return { path, kind: 'symlink', linkText: target, target, targetKind: 'dir', targetNodeKind: 'dir', ...over };
}

function entry(link: string, target: string, over: Partial<ImportEntry> = {}): ImportEntry {
  return { link, target, type: 'symlink', broken: false, linkStoredText: target, linkText: link, targetText: target, ...over };
}

describe('writtenPath', () => {
  const w = { style: posix, home: '/home/me', manifestDir: '/home/me/dots' };
  it('writes targets in the manifest folder relative, paths in home with ~, others absolute', () => {
    expect(writtenPath('/home/me/dots/nvim', 'target', w)).toBe('./nvim');
    expect(writtenPath('/home/me/dots/nvim', 'link', w)).toBe('~/dots/nvim');
    expect(writtenPath('/home/me/.config/nvim', 'target', w)).toBe('~/.config/nvim');
    expect(writtenPath('/home/me', 'link', w)).toBe('~');
    expect(writtenPath('/home/meadow/x', 'link', w)).toBe('/home/meadow/x');
    expect(writtenPath('/mnt/big/games', 'target', w)).toBe('/mnt/big/games');
  });
  it('uses the Windows separator and compares without case on Windows', () => {
    const ww = { style: win, home: 'C:\\Users\\Me', manifestDir: 'C:\\Users\\me\\dots' };
    expect(writtenPath('C:\\Users\\me\\AppData\\Local\\npm-cache', 'link', ww)).toBe('~\\AppData\\Local\\npm-cache');
    expect(writtenPath('C:\\users\\ME\\dots\\nvim', 'target', ww)).toBe('.\\nvim');
    expect(writtenPath('D:\\Games', 'target', ww)).toBe('D:\\Games');
  });
  it('never writes ~ for a home folder that is a filesystem root', () => {
    expect(writtenPath('/srv/x', 'link', { style: posix, home: '/' })).toBe('/srv/x');
  });
});

describe('selectImports', () => {
  const w = { style: posix, home: '/home/me' };

  it('keeps ordinary and broken links, marking broken ones', () => {
    const r = selectImports([found('/home/me/a', '/data/a'), found('/home/me/b', '/gone', { targetKind: 'absent', targetNodeKind: 'absent' })], [], w);
    expect(r.skipped).toEqual([]);
    expect(r.entries.map((e) => [e.linkText, e.targetText, e.broken])).toEqual([
      ['~/a', '/data/a', false],
      ['~/b', '/gone', true],
    ]);
  });

  it('leaves out loops, links into their own folder, chains and unwritable paths, each with a reason', () => {
    const r = selectImports(
      [
        found('/srv/loop', '/srv/loop'),
        found('/srv/up/x', '/srv/up'),
        found('/srv/a', '/srv/b'),
        found('/srv/b', '/data/b'),
        found('/srv/c', '/srv/elsewhere-link', { targetNodeKind: 'symlink' }),
        found('/srv/games[old]', '/data/g'),
        found('/srv/v', '/data/${x}'),
      ],
      [],
      w,
    );
    expect(r.entries.map((e) => e.link)).toEqual(['/srv/b']);
    expect(r.skipped.map((s) => [s.link, s.code])).toEqual([
      ['/srv/loop', 'self'],
      ['/srv/up/x', 'nested'],
      ['/srv/a', 'chain'],
      ['/srv/c', 'chain'],
      ['/srv/games[old]', 'unwritable'],
      ['/srv/v', 'unwritable'],
    ]);
    expect(r.skipped.find((s) => s.code === 'chain')!.reason).toContain('import the link at /srv/b instead');
  });

  it('skips links the manifest has, compared the way the OS does, and links where it keeps data', async () => {
    const m = await loadYaml("version: 1\nlinks:\n  - link: 'C:\\Games'\n    target: 'D:\\Games'\n", winCtx());
    const r = selectImports(
      [found('c:\\games', 'E:\\Other'), found('D:\\GAMES', 'E:\\Games'), found('C:\\Tools', 'E:\\Tools', { kind: 'junction' })],
      m.entries,
      { style: win, home: 'C:\\Users\\me' },
    );
    expect(r.skipped.map((s) => [s.link, s.code])).toEqual([
      ['c:\\games', 'present'],
      ['D:\\GAMES', 'claimed'],
    ]);
    expect(r.entries.map((e) => [e.link, e.type])).toEqual([['C:\\Tools', 'junction']]);
  });

  it('on Linux paths differing in case are different links', async () => {
    const m = await loadYaml('version: 1\nlinks:\n  - link: /srv/Games\n    target: /data/Games\n', linuxCtx());
    const r = selectImports([found('/srv/games', '/data/games')], m.entries, w);
    expect(r.entries).toHaveLength(1);
    expect(
      selectImports([found('/Users/me/games', '/data/x')], [{ ...m.entries[0]!, link: '/Users/me/Games', style: mac }], { style: mac, home: '/Users/me' })
        .skipped[0]!.code,
    ).toBe('present');
  });
});

describe('newManifestText', () => {
  it('is a complete manifest with a header, broken links commented', async () => {
    const text = newManifestText([entry('/srv/a', '/data/a'), entry('/srv/b #1', '/gone', { broken: true })], ['Found by import.']);
    expect(text).toBe(
      [
        '# Found by import.',
        'version: 1',
        'links:',
        '  - link: /srv/a',
        '    target: /data/a',
        '    type: symlink',
        '  # broken link: /gone does not exist',
        '  - link: "/srv/b #1"',
        '    target: /gone',
        '    type: symlink',
        '',
      ].join('\n'),
    );
    const m = await loadYaml(text, linuxCtx());
    expect(m.ok).toBe(true);
    expect(m.entries.map((e) => e.link)).toEqual(['/srv/a', '/srv/b #1']);
  });
  it('with nothing found is still a valid manifest', async () => {
    const text = newManifestText([], []);
    expect(text).toBe('version: 1\nlinks: []\n');
    expect((await loadYaml(text, linuxCtx())).ok).toBe(true);
  });
});

describe('mergeIntoManifest', () => {
  const add = [entry('~/x', '/data/x')];

  it('appends after the last entry, leaving every other byte alone', () => {
    const text = [
      '# top comment',
      'version: 1',
      'vars:',
      '  big: /mnt/big    # odd spacing is kept',
      'links:',
      '  - link: ~/a   # inline',
      "    target: '${big}/a'",
      '    when: { os: [linux,darwin] }',
      '    # an indented comment that belongs to the entry',
      '# a comment at the end',
      '',
    ].join('\n');
    const out = mergeIntoManifest(text, add);
    expect(out).toBe(text.replace('entry\n', 'entry\n  - link: ~/x\n    target: /data/x\n    type: symlink\n'));
  });

  it('keeps blank lines between entries when the file has them', () => {
    const text = 'version: 1\nlinks:\n  - link: /a\n    target: /b\n\n  - link: /c\n    target: /d\n\n# end\n';
    expect(mergeIntoManifest(text, add)).toBe(
      'version: 1\nlinks:\n  - link: /a\n    target: /b\n\n  - link: /c\n    target: /d\n\n  - link: ~/x\n    target: /data/x\n    type: symlink\n\n# end\n',
    );
  });

  it('follows the list indentation (none) and a file without a final newline', () => {
    const text = 'version: 1\nlinks:\n- link: /a\n  target: /b';
    expect(mergeIntoManifest(text, add)).toBe('version: 1\nlinks:\n- link: /a\n  target: /b\n- link: ~/x\n  target: /data/x\n  type: symlink\n');
  });

  it('keeps CRLF line ends', () => {
    const text = 'version: 1\r\nlinks:\r\n  - link: /a\r\n    target: /b\r\n';
    expect(mergeIntoManifest(text, add)).toBe(
      'version: 1\r\nlinks:\r\n  - link: /a\r\n    target: /b\r\n  - link: ~/x\r\n    target: /data/x\r\n    type: symlink\r\n',
    );
  });

  it('turns an empty flow list into a block list, keeping its comment and what follows', () => {
    const text = 'version: 1\nlinks: [] # none yet\ndefaults:\n  type: symlink\n';
    expect(mergeIntoManifest(text, [entry('/a', '/b', { broken: true })])).toBe(
      'version: 1\nlinks: # none yet\n  # broken link: /b does not exist\n  - link: /a\n    target: /b\n    type: symlink\ndefaults:\n  type: symlink\n',
    );
  });

  it('a flow list with items is rewritten by the Document API, keeping comments and data', () => {
    const text = '# keep me\nversion: 1\nlinks: [{ link: /a, target: /b }] # flow\n';
    const out = mergeIntoManifest(text, add);
    expect(out).toContain('# keep me');
    expect(parseDocument(out).toJS()).toEqual({
      version: 1,
      links: [
        { link: '/a', target: '/b' },
        { link: '~/x', target: '/data/x', type: 'symlink' },
      ],
    });
  });

  it('adds nothing when there is nothing to add', () => {
    expect(mergeIntoManifest('version: 1\nlinks: []\n', [])).toBe('version: 1\nlinks: []\n');
  });
});
