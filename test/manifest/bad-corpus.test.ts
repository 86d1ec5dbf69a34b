import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runCli, runCliAsync } from '../helpers/cli.js';
import { errorsOf, fakeIO, linuxCtx, loadManifest, type Where } from '../helpers/manifest.js';

/**
 * The corpus of bad manifests: every file in test/fixtures/bad must be
 * refused with exactly the diagnostics listed for it in expected.json, both
 * by the loader and through the built CLI. Two more fixtures (too large,
 * binary) are generated here, not committed.
 */
const BAD_DIR = fileURLToPath(new URL('../fixtures/bad/', import.meta.url));
const expected = JSON.parse(readFileSync(path.join(BAD_DIR, 'expected.json'), 'utf8')) as Record<string, Where[]>;
const fixtures = readdirSync(BAD_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** Generated fixtures: name -> bytes and the errors expected for them. */
function generated(): Record<string, { bytes: Uint8Array; errors: Where[] }> {
  // More than 10 MB of otherwise well-formed YAML.
  const line = '  - { link: /srv/games/some-rather-long-folder-name, target: /data/games/some-rather-long-folder-name }\n';
  const big = 'version: 1\nlinks:\n' + line.repeat(Math.ceil((10.5 * 1024 * 1024) / line.length));
  // Random bytes from a fixed seed (xorshift32), so a failure can be reproduced; NUL first.
  let x = 0x9e3779b9;
  const noise = new Uint8Array(64 * 1024).map(() => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
  noise[0] = 0x00;
  noise[1] = 0xff;
  // Text first, then a broken two-byte sequence (C3 followed by an ASCII byte) on line 4.
  const textThenGarbage = new Uint8Array([...new TextEncoder().encode('version: 1\nlinks:\n  - link: /srv/é\n'), 0xc3, 0x28, ...noise.subarray(2, 512)]);
  return {
    'gen-too-large.yaml': { bytes: new TextEncoder().encode(big), errors: [{ code: 'E_TOO_LARGE', line: 1, col: 1 }] },
    'gen-binary-garbage.yaml': { bytes: noise, errors: [{ code: 'E_NOT_TEXT', line: 1, col: 1 }] },
    'gen-text-then-garbage.yaml': { bytes: textThenGarbage, errors: [{ code: 'E_NOT_TEXT', line: 4, col: 1 }] },
  };
}

let tmp: string;
let cwd: string;
const gen = generated();

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'relocate-bad-corpus-'));
  cwd = mkdtempSync(path.join(tmpdir(), 'relocate-bad-cwd-'));
  for (const [name, g] of Object.entries(gen)) writeFileSync(path.join(tmp, name), g.bytes);
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

/** The environment of the CLI runs. The fixtures' one environment variable must not exist at all. */
const CLI_ENV = { NO_COLOR: '1' };
if (process.env.RELOCATE_TEST_SURELY_UNSET !== undefined) {
  throw new Error('RELOCATE_TEST_SURELY_UNSET is set in this environment; the bad-manifest corpus needs it unset');
}

/** The cases: committed fixtures with their expected errors, then the generated ones. */
const cases: { name: string; file: () => string; errors: () => Where[] }[] = [
  ...fixtures.map((f) => ({ name: f, file: () => path.join(BAD_DIR, f), errors: () => expected[f]! })),
  ...Object.keys(gen).map((f) => ({ name: f, file: () => path.join(tmp, f), errors: () => gen[f]!.errors })),
];

describe('the corpus itself', () => {
  it('has at least 32 committed bad manifests, each named NN-short-name.yaml', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(32);
    for (const f of fixtures) expect(f).toMatch(/^\d\d-[a-z0-9]+(-[a-z0-9]+)*\.yaml$/);
  });
  it('expected.json lists exactly the committed fixtures, each with at least one error', () => {
    expect(Object.keys(expected).sort()).toEqual(fixtures);
    for (const f of fixtures) expect(expected[f]!.length, f).toBeGreaterThan(0);
  });
  it('the generated fixtures are what they claim', () => {
    expect(gen['gen-too-large.yaml']!.bytes.byteLength).toBeGreaterThan(10 * 1024 * 1024);
    const noise = gen['gen-binary-garbage.yaml']!.bytes;
    expect(noise.filter((b) => b === 0).length).toBeGreaterThan(10);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(noise)).toThrow();
  });
});

// Concurrent: two CLI runs per fixture add up.
describe.concurrent('each bad manifest', () => {
  it.for(cases)('$name: the loader reports exactly the expected errors (linux)', async ({ file, errors }, { expect }) => {
    const f = file();
    const m = await loadManifest(f, linuxCtx({ env: {} }), fakeIO({ [f]: readFileSync(f) }));
    expect(m.ok).toBe(false);
    expect(errorsOf(m)).toEqual(errors());
    for (const d of m.diagnostics) {
      expect(d.file).toBe(f);
      expect(d.message.trim().length).toBeGreaterThan(0);
    }
  });

  it.for(cases)('$name: validate exits 1 and prints file:line:col CODE, without a stack trace', async ({ file, errors }, { expect }) => {
    const f = file();
    const first = errors()[0]!;
    const r = await runCliAsync(['validate', f, '--os', 'linux'], { cwd, env: CLI_ENV });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: '' });
    expect(r.stderr).toContain(`${f}:${first.line}:${first.col} ${first.code} `);
    expect(r.stderr).toContain(`${f}: invalid (`);
    expect(r.stderr).toContain('nothing was changed.');
    for (const out of [r.stdout, r.stderr]) {
      expect(out).not.toMatch(/^ {4}at /m);
      expect(out).not.toMatch(/\b(Type|Range|Reference|Syntax)?Error: /);
      expect(out).not.toContain('node:internal');
      expect(out).not.toContain('E_INTERNAL');
    }
  });

  it.for(cases)('$name: validate --json says valid: false with E_INVALID_MANIFEST', async ({ file, errors }, { expect }) => {
    const f = file();
    const r = await runCliAsync(['validate', f, '--os', 'linux', '--json'], { cwd, env: CLI_ENV });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as {
      valid: boolean;
      error: { code: string };
      diagnostics: { code: string; line: number; col: number; severity: string }[];
    };
    expect(doc.valid).toBe(false);
    expect(doc.error.code).toBe('E_INVALID_MANIFEST');
    expect(doc.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ code: d.code, line: d.line, col: d.col }))).toEqual(errors());
  });
});

describe('the CLI must be built', () => {
  it('dist/cli/bin.js exists (run `npm run build` first)', () => {
    expect(() => requireBuiltCli()).not.toThrow();
  });
  it('runCli (the synchronous helper) sees the same as runCliAsync', async () => {
    const f = path.join(BAD_DIR, '28-self-link.yaml');
    const args = ['validate', f, '--os', 'linux'];
    expect(runCli(args, { cwd, env: CLI_ENV })).toEqual(await runCliAsync(args, { cwd, env: CLI_ENV }));
  });
});
