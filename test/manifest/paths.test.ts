import { describe, expect, it } from 'vitest';
import {
  canonicalPath,
  isAbsolutePath,
  isDriveless,
  isInside,
  isRoot,
  normaliseOsName,
  pathKey,
  samePath,
  styleForOs,
  type PathStyle,
} from '../../src/core/paths.js';

const WIN: PathStyle = styleForOs('win32');
const LINUX: PathStyle = styleForOs('linux');
const MAC: PathStyle = styleForOs('darwin');

describe('styleForOs', () => {
  it('gives each OS its flavour and case rule', () => {
    expect(WIN).toEqual({ flavour: 'win32', caseInsensitive: true });
    expect(LINUX).toEqual({ flavour: 'posix', caseInsensitive: false });
    expect(MAC).toEqual({ flavour: 'posix', caseInsensitive: true });
  });
});

describe('normaliseOsName', () => {
  it.each([
    ['win32', 'win32'],
    ['windows', 'win32'],
    ['Windows', 'win32'],
    ['darwin', 'darwin'],
    ['macos', 'darwin'],
    ['MacOS', 'darwin'],
    ['linux', 'linux'],
    ['LINUX', 'linux'],
  ] as const)('%s -> %s', (name, os) => {
    expect(normaliseOsName(name)).toBe(os);
  });
  it('is undefined for unknown names', () => {
    expect(normaliseOsName('freebsd')).toBeUndefined();
    expect(normaliseOsName('')).toBeUndefined();
    expect(normaliseOsName('win')).toBeUndefined();
  });
});

describe('canonicalPath (win32)', () => {
  it.each([
    ['C:\\Games', 'C:\\Games'],
    ['c:\\Games', 'C:\\Games'],
    ['C:/Games/Steam', 'C:\\Games\\Steam'],
    ['C:\\Games\\', 'C:\\Games'],
    ['C:\\Games\\\\Steam\\\\', 'C:\\Games\\Steam'],
    ['C:\\Games\\.\\Steam\\..\\GOG', 'C:\\Games\\GOG'],
    ['C:\\', 'C:\\'],
    ['c:/', 'C:\\'],
    ['D:\\Mixed\\CaSe', 'D:\\Mixed\\CaSe'],
    // long-path prefixes are dropped: node adds them itself when needed
    ['\\\\?\\C:\\Very\\Long', 'C:\\Very\\Long'],
    ['\\\\?\\c:\\Very\\Long\\', 'C:\\Very\\Long'],
    ['//?/C:/Very/Long', 'C:\\Very\\Long'],
    ['\\\\?\\UNC\\server\\share\\Games', '\\\\server\\share\\Games'],
    ['\\\\?\\unc\\server\\share\\Games', '\\\\server\\share\\Games'],
    ['//?/UNC/server/share/Games', '\\\\server\\share\\Games'],
    // UNC
    ['\\\\server\\share\\Games', '\\\\server\\share\\Games'],
    ['//server/share/Games/', '\\\\server\\share\\Games'],
    ['\\\\server\\share', '\\\\server\\share\\'],
    ['\\\\server\\share\\', '\\\\server\\share\\'],
  ])('%s -> %s', (input, canonical) => {
    expect(canonicalPath(input, WIN)).toBe(canonical);
  });
});

describe('canonicalPath (posix)', () => {
  it.each([
    ['/srv/games', '/srv/games'],
    ['/srv/games/', '/srv/games'],
    ['/srv//games///', '/srv/games'],
    ['/srv/./games/../music', '/srv/music'],
    ['/', '/'],
    ['/Mixed/CaSe', '/Mixed/CaSe'],
    // a backslash is an ordinary character in a POSIX name
    ['/srv/a\\b', '/srv/a\\b'],
  ])('%s -> %s', (input, canonical) => {
    expect(canonicalPath(input, LINUX)).toBe(canonical);
    expect(canonicalPath(input, MAC)).toBe(canonical);
  });
});

describe('pathKey', () => {
  it('folds case on win32 and darwin, keeps it on linux', () => {
    expect(pathKey('C:\\Games\\Steam', WIN)).toBe('c:\\games\\steam');
    expect(pathKey('/Users/Me/Games', MAC)).toBe('/users/me/games');
    expect(pathKey('/home/Me/Games', LINUX)).toBe('/home/Me/Games');
  });
  it('is the same for every spelling of one win32 path', () => {
    const spellings = ['C:\\Games\\Steam', 'c:/games/steam/', '\\\\?\\C:\\GAMES\\Steam', 'C:\\Games\\x\\..\\Steam'];
    expect(new Set(spellings.map((p) => pathKey(p, WIN)))).toEqual(new Set(['c:\\games\\steam']));
  });
  it('samePath follows the case rule of the style', () => {
    expect(samePath('/srv/Games', '/srv/games', LINUX)).toBe(false);
    expect(samePath('/srv/Games', '/srv/games', MAC)).toBe(true);
    expect(samePath('C:\\Games', 'c:\\GAMES\\', WIN)).toBe(true);
    expect(samePath('C:\\Games', 'D:\\Games', WIN)).toBe(false);
  });
});

describe('isInside', () => {
  it('is strict: a path is not inside itself', () => {
    expect(isInside('/srv/games', '/srv/games', LINUX)).toBe(false);
    expect(isInside('C:\\Games', 'c:\\games\\', WIN)).toBe(false);
  });
  it('finds children and deeper descendants', () => {
    expect(isInside('/srv/games/a', '/srv/games', LINUX)).toBe(true);
    expect(isInside('/srv/games/a/b/c', '/srv/games/', LINUX)).toBe(true);
    expect(isInside('C:\\Games\\Steam', 'C:\\Games', WIN)).toBe(true);
    expect(isInside('C:/Games/Steam/x', 'C:\\Games', WIN)).toBe(true);
  });
  it('does not mistake a shared name prefix for nesting', () => {
    expect(isInside('/srv/games2', '/srv/games', LINUX)).toBe(false);
    expect(isInside('C:\\Games2', 'C:\\Games', WIN)).toBe(false);
    expect(isInside('C:\\GamesX\\a', 'C:\\Games', WIN)).toBe(false);
  });
  it('is not the reverse relation', () => {
    expect(isInside('/srv', '/srv/games', LINUX)).toBe(false);
    expect(isInside('C:\\', 'C:\\Games', WIN)).toBe(false);
  });
  it('everything on a drive or filesystem is inside its root', () => {
    expect(isInside('/srv', '/', LINUX)).toBe(true);
    expect(isInside('C:\\Games', 'C:\\', WIN)).toBe(true);
    expect(isInside('D:\\Games', 'C:\\', WIN)).toBe(false);
    expect(isInside('\\\\server\\share\\x', '\\\\server\\share', WIN)).toBe(true);
  });
  it('ignores case where the style does', () => {
    expect(isInside('C:\\GAMES\\steam', 'c:\\games', WIN)).toBe(true);
    expect(isInside('/Users/me/GAMES/a', '/Users/me/games', MAC)).toBe(true);
    expect(isInside('/home/me/GAMES/a', '/home/me/games', LINUX)).toBe(false);
  });
});

describe('isRoot', () => {
  it.each([
    ['C:\\', true],
    ['c:/', true],
    ['C:\\Games', false],
    ['\\\\server\\share', true],
    ['\\\\server\\share\\', true],
    ['\\\\server\\share\\Games', false],
    ['\\\\?\\C:\\', true],
  ])('win32 %s -> %s', (p, root) => {
    expect(isRoot(p, WIN)).toBe(root);
  });
  it.each([
    ['/', true],
    ['//', true],
    ['/srv', false],
    ['/srv/..', true],
  ])('posix %s -> %s', (p, root) => {
    expect(isRoot(p, LINUX)).toBe(root);
  });
});

describe('isAbsolutePath and isDriveless', () => {
  it.each([
    ['C:\\Games', true, false],
    ['C:/Games', true, false],
    ['\\\\server\\share\\x', true, false],
    ['\\\\?\\C:\\Games', true, false],
    ['\\Games', false, true],
    ['/Games', false, true],
    ['C:Games', false, true],
    ['C:', false, true],
    ['Games', false, false],
    ['.\\Games', false, false],
  ])('win32 %s: absolute %s, driveless %s', (p, abs, driveless) => {
    expect(isAbsolutePath(p, WIN)).toBe(abs);
    expect(isDriveless(p, WIN)).toBe(driveless);
  });
  it('posix paths are absolute when they start with / and never driveless', () => {
    expect(isAbsolutePath('/srv', LINUX)).toBe(true);
    expect(isAbsolutePath('srv', LINUX)).toBe(false);
    expect(isAbsolutePath('C:\\Games', LINUX)).toBe(false);
    expect(isDriveless('/srv', LINUX)).toBe(false);
    expect(isDriveless('C:Games', LINUX)).toBe(false);
  });
});
