import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, requireBuiltCli } from '../helpers/cli.js';
import { npmPack, type PackResult } from './npm.js';

/**
 * What `npm publish` would upload as `relocate`, read from `npm pack
 * --dry-run --json --ignore-scripts` (it lists the files without writing a
 * tarball, and without the `prepare` rebuild of dist/ that would pull
 * dist/ from under the other test files running at the same time).
 *
 * The package is the bundled CLI (dist/cli/bin.js and dist/cli/chunks/, see
 * scripts/bundle.mjs), schema/, examples/, links.example.yaml, README.md,
 * LICENSE and package.json; nothing else. links.example.yaml ships on
 * purpose: the CLI's help and its error hints tell users to start from it.
 * tsc's per-module output in dist/ does not ship: the bundle imports only
 * its chunks and the runtime dependencies, which a scan of its import
 * specifiers checks here, and the npx test (npx.test.ts) runs the packed
 * tarball. No source maps, .d.ts or tests ship: nothing reads them.
 *
 * The executables of `npm run build:exe` (dist/exe/, about 75 MB each) must
 * never ship. The repository's dist/exe/ may or may not exist when this
 * runs, so the rule is proven on a copy: a temporary folder holding the
 * package's files, all of dist/ (tsc output included) and decoys that a
 * checkout can hold (dist/exe/ executables, source maps, tests, sources,
 * CI files). Its pack must list exactly the repository's. The tests never
 * write into the repository itself.
 */

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  type?: string;
  private?: boolean;
  bin?: Record<string, string>;
  files?: string[];
  engines?: Record<string, string>;
  license?: string;
  homepage?: string;
  repository?: { type?: string; url?: string };
  bugs?: { url?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

/** The files a package may hold besides the bundled CLI; npm adds package.json, README.md and LICENSE itself. */
const TOP_FILES = new Set(['package.json', 'README.md', 'LICENSE', 'links.example.yaml']);

/** Why `p` may not ship, or undefined when it may. */
function notShippable(p: string): string | undefined {
  if (TOP_FILES.has(p)) return undefined;
  if (p === 'dist/cli/bin.js' || /^dist\/cli\/chunks\/[^/]+\.js$/.test(p)) return undefined;
  if (/^schema\/[^/]+\.json$/.test(p) || /^examples\/[^/]+\.yaml$/.test(p)) return undefined;
  if (p.startsWith('dist/exe/')) return 'an executable of build:exe';
  if (p.startsWith('dist/')) return 'not the bundled CLI';
  return 'not part of the package';
}

const paths = (r: PackResult): string[] => r.files.map((f) => f.path).sort();

/** Module specifiers a bundle file loads: static and side-effect imports, re-exports, import() and require() (createRequire's too). */
function bundleImports(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^;'"`]*?\bfrom\s*["']([^"'\s]+)["']/gm,
    /^\s*import\s*["']([^"'\s]+)["']/gm,
    /\bimport\(\s*["']([^"'\s]+)["']\s*\)/g,
    // Matches esbuild's __require("x") too; the bundled CommonJS packages load Node built-ins through it.
    /require\(\s*["']([^"'\s]+)["']\s*\)/g,
    /\bcreateRequire\w*\([^)]*\)\(\s*["']([^"'\s]+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) found.push(m[1]!);
  return found;
}

/** The package a bare specifier names: `ajv/dist/x` → ajv, `@scope/name/x` → @scope/name. */
const packageOf = (spec: string): string =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

let tmp: string;
let packed: PackResult;

beforeAll(async () => {
  requireBuiltCli();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'relocate-pack-'));
  packed = await npmPack(REPO_ROOT, { destination: tmp, dryRun: true });
  console.log(
    `npm pack: ${packed.filename}, ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked`,
  );
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds only package.json, README.md, LICENSE, links.example.yaml, the bundled CLI, schema/*.json and examples/*.yaml', () => {
    const bad = paths(packed).flatMap((p) => {
      const why = notShippable(p);
      return why ? [`${p}: ${why}`] : [];
    });
    expect(bad).toEqual([]);
    // Named again, so a loosened notShippable cannot let them through unnoticed.
    expect(
      paths(packed).filter((p) => /^(test|src|bench|scripts|node_modules|\.github|\.ci|dist\/exe)\//.test(p) || /\.(map|ts|tsbuildinfo)$/.test(p)),
    ).toEqual([]);
    expect(packed.entryCount).toBe(packed.files.length);
  });

  it('holds what the CLI and its users need: the entry point, every chunk, every schema and example, README and LICENSE', () => {
    const have = new Set(paths(packed));
    const onDisk = (dir: string, ext: string) =>
      readdirSync(path.join(REPO_ROOT, dir))
        .filter((f) => f.endsWith(ext))
        .map((f) => `${dir}/${f}`);
    const chunks = onDisk('dist/cli/chunks', '.js');
    const schemas = onDisk('schema', '.json');
    const examples = onDisk('examples', '.yaml');
    // Guards against an empty listing passing vacuously (a build without chunks, a moved folder).
    expect(chunks.length).toBeGreaterThan(0);
    expect(schemas).toContain('schema/relocate.schema.json');
    expect(examples.length).toBeGreaterThan(0);
    for (const p of ['package.json', 'README.md', 'LICENSE', 'links.example.yaml', 'dist/cli/bin.js', ...chunks, ...schemas, ...examples])
      expect(have, p).toContain(p);
  });

  it('the bin is the packed dist/cli/bin.js: a node shebang, executable', () => {
    expect(pkg.bin).toEqual({ relocate: 'dist/cli/bin.js' });
    const bin = packed.files.find((f) => f.path === pkg.bin!.relocate);
    expect(bin, 'the bin is not in the package').toBeDefined();
    expect(readFileSync(path.join(REPO_ROOT, bin!.path), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    // npm makes bins executable when it installs them, but a tarball unpacked by hand (or by another tool)
    // keeps the mode it was packed with. Windows has no execute bit to pack.
    if (process.platform !== 'win32') expect(bin!.mode & 0o111, `mode ${bin!.mode.toString(8)}`).toBe(0o111);
  });

  it('every module the bundle loads is packed or a dependency, never a devDependency', () => {
    const have = new Set(paths(packed));
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    const bundle = paths(packed).filter((p) => p.startsWith('dist/'));
    const external = new Set<string>();
    for (const file of bundle) {
      for (const spec of bundleImports(readFileSync(path.join(REPO_ROOT, file), 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = path.posix.join(path.posix.dirname(file), spec);
          if (!have.has(target)) problems.push(`${file} imports ${spec}: ${target} is not packed`);
        } else if (!spec.startsWith('node:') && !builtins.has(spec)) {
          external.add(packageOf(spec));
        }
      }
    }
    for (const name of external)
      if (!pkg.dependencies?.[name])
        problems.push(
          `the bundle loads ${name}, which is not in dependencies${pkg.devDependencies?.[name] ? ' (it is a devDependency: npx would not install it)' : ''}`,
        );
    expect(problems).toEqual([]);
    // The scan must see the bundle's known run-time packages, or it proves nothing.
    expect([...external].sort()).toEqual(expect.arrayContaining(['ajv', 'diff', 'fast-glob', 'koffi']));
  });

  it('package.json: name, type, engines, files, repository, homepage and bugs are right for publishing', () => {
    expect(pkg.name).toBe('relocate');
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+(?:-[\w.]+)?$/);
    expect(pkg.private).not.toBe(true);
    expect(pkg.license).toBe('MIT');
    // bin.js and its chunks are ES modules with a .js extension.
    expect(pkg.type).toBe('module');
    expect(pkg.engines).toEqual({ node: '>=20' });
    // The bundle is compiled for the oldest Node engines allows.
    expect(readFileSync(path.join(REPO_ROOT, 'scripts/bundle.mjs'), 'utf8')).toContain("target: 'node20'");
    // Every files entry matches something: a misspelt entry would silently ship nothing.
    for (const entry of pkg.files ?? []) {
      const re = new RegExp(
        '^' +
          entry
            .replace(/\/$/, '')
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*') +
          '(/|$)',
      );
      expect(
        paths(packed).some((p) => re.test(p)),
        `files entry ${entry}`,
      ).toBe(true);
    }
    // The forms `npm pkg fix` leaves alone, so publishing does not rewrite them; one owner for the three links.
    const url = /^git\+https:\/\/github\.com\/([\w.-]+)\/relocate\.git$/.exec(pkg.repository?.url ?? '');
    expect(pkg.repository?.type).toBe('git');
    expect(url, `repository.url ${pkg.repository?.url}`).not.toBeNull();
    expect(pkg.homepage).toBe(`https://github.com/${url![1]}/relocate#readme`);
    expect(pkg.bugs?.url).toBe(`https://github.com/${url![1]}/relocate/issues`);
  });

  it('keeps out what else lands in a checkout: dist/exe/ executables, tsc output, source maps, tests, sources, CI files', async () => {
    const copy = path.join(tmp, 'copy');
    mkdirSync(copy);
    for (const f of ['package.json', 'README.md', 'LICENSE', 'links.example.yaml', '.gitignore', '.npmignore'])
      if (existsSync(path.join(REPO_ROOT, f))) cpSync(path.join(REPO_ROOT, f), path.join(copy, f));
    for (const d of ['schema', 'examples']) cpSync(path.join(REPO_ROOT, d), path.join(copy, d), { recursive: true });
    // All of dist/ (tsc's output too), but not a real dist/exe/: its executables are large, and a fake one is added below.
    const realExe = path.join(REPO_ROOT, 'dist', 'exe');
    cpSync(path.join(REPO_ROOT, 'dist'), path.join(copy, 'dist'), { recursive: true, filter: (src) => src !== realExe });
    const decoys = [
      'dist/exe/relocate-linux-x64',
      'dist/exe/relocate-win-x64.exe',
      'dist/exe/relocate-darwin-arm64',
      'dist/exe/sea-prep.blob',
      'dist/cli/bin.js.map',
      'dist/cli/bin.d.ts',
      'dist/cli/chunks/chunk-DECOY.js.map',
      'dist/cli/chunks/notes.txt',
      'schema/draft.md',
      'examples/README.md',
      'test/decoy.test.ts',
      'src/decoy.ts',
      'bench/decoy.mjs',
      'scripts/decoy.mjs',
      '.github/workflows/decoy.yml',
      '.ci/run',
      'coverage/index.html',
      'relocate-0.0.1.tgz',
    ];
    for (const d of decoys) {
      mkdirSync(path.dirname(path.join(copy, d)), { recursive: true });
      writeFileSync(path.join(copy, d), 'decoy\n');
    }
    expect(existsSync(path.join(copy, 'dist/core')), 'tsc output was copied, so it is a decoy too').toBe(true);
    const fromCopy = await npmPack(copy, { destination: tmp, dryRun: true });
    expect(paths(fromCopy).filter((p) => p.startsWith('dist/exe'))).toEqual([]);
    expect(paths(fromCopy)).toEqual(paths(packed));
  }, 120_000);
});
