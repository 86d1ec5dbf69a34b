/**
 * Issue 6, hostile and careless input: a manifest fuzzer. The real
 * manifests (examples/*.yaml, links.example.yaml) are mutated at random —
 * byte flips, line deletions and duplications, key renames, deep nesting,
 * huge numbers, random unicode and control characters, YAML's stranger
 * corners (anchors, tags, documents, directives), truncation — and loaded
 * for Linux and for Windows. `loadManifest` must never throw and must
 * always answer with coded diagnostics (an invalid manifest has at least
 * one error, each with a stable code and a position inside the file).
 * Some mutants go through the built CLI's `validate`, which must never
 * print a stack trace and must exit 0 or 1 (with --json: one JSON document).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/core/errors.js';
import { REPO_ROOT, requireBuiltCli, runCliAsync } from '../helpers/cli.js';
import { fakeIO, linuxCtx, loadManifest, MANIFEST_FILE, winCtx } from '../helpers/manifest.js';
import { newFigures, printFigures, STRESS } from './harness.js';

const LOADS = Number(process.env.FUZZ_CASES ?? 1500) * STRESS;
const CLI_SPOT_CHECKS = Number(process.env.FUZZ_CLI_CASES ?? 24) * STRESS;

const SEEDS: { name: string; bytes: Buffer }[] = [
  ...readdirSync(path.join(REPO_ROOT, 'examples'))
    .filter((n) => n.endsWith('.yaml'))
    .map((n) => ({ name: `examples/${n}`, bytes: readFileSync(path.join(REPO_ROOT, 'examples', n)) })),
  { name: 'links.example.yaml', bytes: readFileSync(path.join(REPO_ROOT, 'links.example.yaml')) },
];

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'delete-line'; at: number }
  | { op: 'dup-line'; at: number; times: number }
  | { op: 'swap-lines'; a: number; b: number }
  | { op: 'rename-key'; at: number; to: string }
  | { op: 'nest'; at: number; depth: number; style: 'flow-seq' | 'flow-map' | 'block' }
  | { op: 'number'; at: number; text: string }
  | { op: 'insert'; at: number; text: string }
  | { op: 'truncate'; at: number }
  | { op: 'indent'; at: number; by: number };

const HUGE = [
  '1e400',
  '-1e400',
  '99999999999999999999999999999999',
  '0x7fffffffffffffff',
  '-0',
  '.nan',
  '.inf',
  '1_000',
  '0o777',
  '1.0',
  '2',
  '0',
  '""',
  '~',
  'null',
  '[1]',
  '{}',
];
const SPECIAL = [
  '&a ',
  '*a',
  '*missing',
  '<<: *a\n',
  '!!binary aGVsbG8=',
  '!!python/object:os.system ls',
  '!!str',
  '!custom ',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '%TAG ! tag:x,2000:\n',
  '? complex key\n: value\n',
  '|\n  block\n',
  '>-\n  folded\n',
  "'unterminated",
  '"unterminated',
  '"\\u0000"',
  '\t',
  '\r',
  '\r\n',
  '\u2028',
  '\u00a0',
  '\ufeff',
  '\u202e',
  '\0',
  '${env:NOPE}',
  '${unknown}',
  '%NOPE%',
  '${',
  '}',
  '{name}',
  '~',
  '~root/x',
  '\\\\?\\C:\\x',
  'C:',
  '\\\\server\\share',
  '../../../../..',
  '/',
  '*',
  '[',
  '{a,b}',
  'link: /\n',
  'target: /\n',
  'state: absent\n',
  'force: true\n',
  'when: {os: []}\n',
  'conflict: merge\n',
  'type: hardlink\n',
];
const KEYS = ['link', 'target', 'type', 'conflict', 'state', 'when', 'force', 'description', 'version', 'vars', 'defaults', 'links', 'os', 'host'];

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ op: fc.constant('delete-line' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('dup-line' as const), at: fc.nat(), times: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ op: fc.constant('swap-lines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({
    op: fc.constant('rename-key' as const),
    at: fc.nat(),
    to: fc.oneof(
      fc.constantFrom(...KEYS, 'Link', 'lnk', 'targte', 'links ', '__proto__', 'constructor', 'toString', ''),
      fc.string({ unit: 'grapheme', maxLength: 8 }),
    ),
  }),
  fc.record({
    op: fc.constant('nest' as const),
    at: fc.nat(),
    depth: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 500, max: 20_000 })),
    style: fc.constantFrom('flow-seq' as const, 'flow-map' as const, 'block' as const),
  }),
  fc.record({ op: fc.constant('number' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...HUGE), fc.bigInt().map(String), fc.double().map(String)) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 })),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 7 }) }),
);

function nested(depth: number, style: 'flow-seq' | 'flow-map' | 'block'): string {
  if (style === 'flow-seq') return '['.repeat(depth) + ']'.repeat(depth);
  if (style === 'flow-map') return '{a: '.repeat(depth) + '1' + '}'.repeat(depth);
  // Block nesting grows quadratically in bytes: kept to a few hundred levels here (test/exec/regressions.test.ts has 2000).
  return Array.from({ length: Math.min(depth, 300) }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1';
}

/** Applies one mutation to a manifest's bytes. Line operations work on the text as decoded (lossily). */
export function mutate(bytes: Buffer, m: Mutation): Buffer {
  if (m.op === 'flip') {
    if (bytes.length === 0) return bytes;
    const out = Buffer.from(bytes);
    const i = m.at % out.length;
    out[i] = out[i]! ^ (1 << m.bit);
    return out;
  }
  if (m.op === 'truncate') return bytes.subarray(0, bytes.length === 0 ? 0 : m.at % bytes.length);
  const text = bytes.toString('utf8');
  const lines = text.split('\n');
  const li = (n: number) => (lines.length === 0 ? 0 : n % lines.length);
  switch (m.op) {
    case 'delete-line':
      lines.splice(li(m.at), 1);
      break;
    case 'dup-line':
      lines.splice(li(m.at), 0, ...Array.from({ length: m.times }, () => lines[li(m.at)] ?? ''));
      break;
    case 'swap-lines': {
      const a = li(m.a);
      const b = li(m.b);
      [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
      break;
    }
    case 'rename-key': {
      const keyed = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*-?\s*[A-Za-z_$]+\s*:/.test(l));
      if (keyed.length === 0) break;
      const [l, i] = keyed[m.at % keyed.length]!;
      lines[i] = l.replace(/^(\s*-?\s*)[A-Za-z_$]+(\s*:)/, `$1${m.to}$2`);
      break;
    }
    case 'nest': {
      const i = li(m.at);
      const indent = /^\s*/.exec(lines[i] ?? '')![0];
      lines.splice(i, 0, `${indent}nest: ${nested(m.depth, m.style)}`);
      break;
    }
    case 'number': {
      const i = li(m.at);
      lines[i] = (lines[i] ?? '').replace(/:\s*\S.*$/, `: ${m.text}`);
      if (!/:/.test(lines[i]!)) lines[i] = `version: ${m.text}`;
      break;
    }
    case 'insert': {
      const at = text.length === 0 ? 0 : m.at % (text.length + 1);
      return Buffer.from(text.slice(0, at) + m.text + text.slice(at), 'utf8');
    }
    case 'indent': {
      const i = li(m.at);
      lines[i] = m.by >= 0 ? ' '.repeat(m.by) + (lines[i] ?? '') : (lines[i] ?? '').replace(new RegExp(`^ {0,${-m.by}}`), '');
      break;
    }
  }
  return Buffer.from(lines.join('\n'), 'utf8');
}

const caseArb = fc.record({
  seed: fc.nat(SEEDS.length - 1),
  mutations: fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
  windows: fc.boolean(),
});

const CODE = /^[EW]_[A-Z0-9_]+$/;
const SLOW_MS = Number(process.env.FUZZ_SLOW_MS ?? 4000);

/** What every answer of the loader must look like. Returns the problems (empty: fine). */
function answerProblems(m: { ok: boolean; diagnostics: Diagnostic[] }, lineCount: number): string[] {
  const out: string[] = [];
  if (!m.ok && !m.diagnostics.some((d) => d.severity === 'error')) out.push('invalid without an error diagnostic');
  if (m.ok && m.diagnostics.some((d) => d.severity === 'error')) out.push('ok with an error diagnostic');
  for (const d of m.diagnostics) {
    if (typeof d.code !== 'string' || !CODE.test(d.code)) out.push(`a diagnostic without a stable code: ${JSON.stringify(d).slice(0, 200)}`);
    if (typeof d.message !== 'string' || d.message.length === 0) out.push(`a diagnostic without a message: ${d.code}`);
    if (d.code === 'E_INTERNAL') out.push(`an internal error: ${d.message}`);
    if (d.line !== undefined && (!Number.isInteger(d.line) || d.line < 1 || d.line > lineCount + 1)) out.push(`${d.code} at line ${d.line} of ${lineCount}`);
    if (d.col !== undefined && (!Number.isInteger(d.col) || d.col < 1)) out.push(`${d.code} at column ${d.col}`);
  }
  return out;
}

const figures = newFigures();
figures.valid = 0;
figures.invalid = 0;
figures.cliChecks = 0;
figures.slowestLoadCpuMs = 0;
const codesSeen = new Set<string>();

describe('manifest fuzzer: mutated real manifests', () => {
  afterAll(() => {
    printFigures('manifest fuzzer (loadManifest in-process, validate through the CLI)', figures);
    console.log(`[harness] manifest fuzzer: diagnostic codes seen: ${[...codesSeen].sort().join(' ')}`);
  });

  it(
    `${LOADS} mutants: loadManifest never throws and answers with coded diagnostics`,
    async () => {
      await fc.assert(
        fc.asyncProperty(caseArb, async ({ seed, mutations, windows }) => {
          let bytes = SEEDS[seed]!.bytes;
          for (const m of mutations) bytes = mutate(bytes, m);
          const ctx = windows ? winCtx() : linuxCtx();
          const file = windows ? MANIFEST_FILE.win32 : MANIFEST_FILE.posix;
          // CPU time, not wall time: the suite shares the machine with other test files.
          const t0 = process.cpuUsage();
          const m = await loadManifest(file, ctx, fakeIO({ [file]: bytes }));
          const used = process.cpuUsage(t0);
          const ms = Math.round((used.user + used.system) / 1000);
          figures.slowestLoadCpuMs = Math.max(figures.slowestLoadCpuMs, ms);
          figures.cases++;
          figures.bytesVerified += bytes.length;
          m.ok ? figures.valid++ : figures.invalid++;
          for (const d of m.diagnostics) codesSeen.add(d.code);
          const problems = answerProblems(m, bytes.toString('utf8').split('\n').length);
          expect(problems, `${SEEDS[seed]!.name} after ${JSON.stringify(mutations).slice(0, 600)}`).toEqual([]);
          // Hostile input is answered promptly too (the biggest mutants are a few MiB).
          expect(ms, `${SEEDS[seed]!.name} after ${JSON.stringify(mutations).slice(0, 600)}: load took ${ms} ms of CPU`).toBeLessThan(SLOW_MS);
        }),
        { numRuns: LOADS, endOnFailure: process.env.FUZZ_SHRINK !== '1', ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) },
      );
      expect(figures.invalid).toBeGreaterThan(0);
    },
    120_000 * STRESS,
  );

  it(
    `${CLI_SPOT_CHECKS} mutants through the built CLI: validate exits 0 or 1, never prints a stack trace`,
    async () => {
      requireBuiltCli();
      const dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-fuzz-'));
      try {
        const samples = fc.sample(caseArb, { numRuns: CLI_SPOT_CHECKS, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 100_000) });
        const failures: string[] = [];
        let next = 0;
        const worker = async () => {
          while (next < samples.length) {
            const i = next++;
            const { seed, mutations } = samples[i]!;
            let bytes = SEEDS[seed]!.bytes;
            for (const m of mutations) bytes = mutate(bytes, m);
            const file = path.join(dir, `m${i}.yaml`);
            writeFileSync(file, bytes);
            for (const args of [
              ['validate', file],
              ['validate', file, '--json'],
              ['validate', file, '--os', 'windows'],
            ]) {
              // `~` and globs stay inside the sandbox.
              const r = await runCliAsync(args, { cwd: dir, env: { HOME: dir, USERPROFILE: dir } });
              const label = `${args.join(' ')} (${SEEDS[seed]!.name} after ${JSON.stringify(mutations).slice(0, 300)})`;
              if (r.status === null || ![0, 1].includes(r.status)) failures.push(`${label}: exit ${r.status}\n${r.stderr.slice(0, 800)}`);
              if (/\n\s+at .+:\d+:\d+\)?/.test(r.stderr) || /\b(TypeError|RangeError|ReferenceError|SyntaxError: Unexpected)\b/.test(r.stderr))
                failures.push(`${label}: a stack trace or raw JS error\n${r.stderr.slice(0, 1500)}`);
              if (args.includes('--json')) {
                try {
                  JSON.parse(r.stdout);
                } catch {
                  failures.push(`${label}: --json stdout is not one JSON document:\n${r.stdout.slice(0, 500)}`);
                }
              }
            }
            figures.cliChecks++;
          }
        };
        await Promise.all(Array.from({ length: 4 }, worker));
        expect(failures).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    300_000 * STRESS,
  );
});
