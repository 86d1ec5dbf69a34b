import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODES, isCode } from '../../src/core/codes.js';
import { codesMarkdown } from '../../src/render/codes-table.js';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * The registry of codes (src/core/codes.ts) is the one place a code and its
 * meaning are written: every code in src/ is in it, every code in it is
 * raised somewhere, and the README's list is made from it.
 */

const SRC = path.join(REPO_ROOT, 'src');
const REGISTRY = 'core/codes.ts';

function sources(dir = SRC, rel = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const r = rel ? `${rel}/${d.name}` : d.name;
    return d.isDirectory() ? sources(path.join(dir, d.name), r) : d.name.endsWith('.ts') ? [r] : [];
  });
}

/** Code-shaped words of a text. `W_OK` is access(2)'s mode bit, not a code. */
export function codeWords(text: string): string[] {
  return [...text.matchAll(/\b[EW]_[A-Z][A-Z0-9_]*\b/g)].map((m) => m[0]).filter((w) => w !== 'W_OK');
}

describe('the registry of codes', () => {
  const files = sources();
  const used = new Map<string, string>();
  for (const f of files) if (f !== REGISTRY) for (const w of codeWords(readFileSync(path.join(SRC, f), 'utf8'))) used.set(w, used.get(w) ?? f);

  it('finds code-shaped words in source text, and skips W_OK', () => {
    expect(codeWords("refuse('E_STALE_PLAN'); code: 'W_NETWORK'; fs.constants.W_OK; E_x; XE_NO")).toEqual(['E_STALE_PLAN', 'W_NETWORK']);
    // And on the real tree: far more than a handful.
    expect(used.size).toBeGreaterThan(90);
  });

  it('holds every code written in src/', () => {
    const missing = [...used].filter(([code]) => !isCode(code)).map(([code, file]) => `${code} (in src/${file})`);
    expect(missing).toEqual([]);
  });

  it('holds no code that src/ never raises', () => {
    expect(Object.keys(CODES).filter((c) => !used.has(c))).toEqual([]);
  });

  it('gives each code one sentence for people, and E_/W_ only', () => {
    for (const [code, info] of Object.entries(CODES)) {
      expect(code, code).toMatch(/^[EW]_[A-Z][A-Z0-9_]*$/);
      expect(info.means, code).toMatch(/^[A-Z`'"a-z].*\.$/s);
      expect(info.means.length, code).toBeLessThan(240);
    }
  });

  it('is what the README lists (`npm run docs:codes` writes the list)', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const begin = readme.indexOf('<!-- codes:begin');
    const end = readme.indexOf('<!-- codes:end -->');
    expect(begin).toBeGreaterThan(0);
    const listed = readme.slice(readme.indexOf('-->', begin) + 3, end).trim();
    expect(listed).toBe(codesMarkdown().trim());
    // Every code is a row of it.
    for (const code of Object.keys(CODES)) expect(listed).toContain(`| \`${code}\` |`);
  });
});
