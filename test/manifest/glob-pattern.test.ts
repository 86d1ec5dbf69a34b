/**
 * isGlobPattern answers paths without glob characters itself (so most
 * manifests never load fast-glob at start-up) and agrees with fast-glob's
 * isDynamicPattern on every string.
 */
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { styleForOs } from '../../src/core/paths.js';
import { isGlobPattern } from '../../src/manifest/glob-pattern.js';

const POSIX = styleForOs('linux');
const WIN = styleForOs('win32');

describe('isGlobPattern', () => {
  it('agrees with fast-glob on paths, globs and every mix of the special characters', () => {
    const cases = [
      '/a/b',
      '~/x/*',
      '/a/[ab]',
      '/a/{x,y}',
      '/a/b(c)',
      '!x',
      '/a/@(x|y)',
      '/a/b?c',
      '/a/+(x)',
      '/a\\*',
      'C:\\Games\\*',
      'C:\\Games',
      '/a/{x}',
      '/a/[',
      '/a/]',
    ];
    const chars = 'ab/.-_ ~:\\*?[](){}!@+|,$';
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      for (let k = 1 + Math.floor(next() * 8); k > 0; k--) s += chars[Math.floor(next() * chars.length)];
      cases.push(s);
    }
    for (const s of cases) {
      expect(isGlobPattern(s, POSIX), s).toBe(s !== '' && fg.isDynamicPattern(s));
      expect(isGlobPattern(s, WIN), s).toBe(s !== '' && fg.isDynamicPattern(s.replace(/\\/g, '/')));
    }
  });
});
