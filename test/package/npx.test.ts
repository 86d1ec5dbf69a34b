import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, requireBuiltCli } from '../helpers/cli.js';
import { npmPack, runNpm } from './npm.js';

/**
 * `npx relocate demo` works for a user who has nothing but Node and npm:
 * the repository's tarball (npm pack --ignore-scripts, so from the dist/
 * already built, without the `prepare` rebuild under the other test files)
 * runs as `npx relocate@file:<tarball> demo` from an empty folder (no
 * package.json, no node_modules), the way `npx relocate demo` runs the
 * published package: npm installs it with its dependencies and runs its
 * one bin. The demo's whole tour must pass, and `--version` and `validate`
 * of the packaged links.example.yaml must work too (validate loads yaml,
 * ajv's runtime and fast-glob, the example having a glob).
 *
 * npm gets a cache of its own in the test's temporary folder: the install
 * comes from the registry as a user's first `npx relocate` would (nothing
 * borrowed from the developer's cache or node_modules), the npx install
 * folder (<cache>/_npx/<hash>/) is the only one there, so the test can check
 * no devDependency was installed, and nothing is left in ~/.npm (a tarball
 * path in a fresh temporary folder is a new npx entry each run). The cost
 * is a download of about 5 MB from the registry per run (the machine must
 * reach it; npm's own configuration, such as a registry mirror, applies).
 *
 * The demo builds its sandbox in os.tmpdir(), pointed here at the test's
 * temporary folder (TMPDIR, and TEMP/TMP for Windows), and removes it; as
 * root on Linux it mounts a tmpfs there and unmounts it. The test checks
 * that both are gone.
 */

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

let tmp: string | undefined;

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Whether anything is mounted at or under `root` (Linux; elsewhere the demo mounts nothing). */
function mountedUnder(root: string): boolean {
  if (!existsSync('/proc/self/mountinfo')) return false;
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => (l.split(' ')[4] ?? '').startsWith(root));
}

/** Bytes under `dir`, links not followed. */
function sizeOf(dir: string): number {
  let total = 0;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    total += d.isDirectory() ? sizeOf(p) : statSync(p).size;
  }
  return total;
}

describe('npx relocate from the packed tarball', () => {
  it('runs the demo from an empty folder, with the dependencies installed and no devDependency', async () => {
    requireBuiltCli();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'relocate-npx-'));
    const dirs = { pack: path.join(tmp, 'pack'), clean: path.join(tmp, 'clean'), cache: path.join(tmp, 'npm-cache'), tmpdir: path.join(tmp, 'tmp') };
    for (const d of Object.values(dirs)) mkdirSync(d);

    const packed = await npmPack(REPO_ROOT, { destination: dirs.pack, dryRun: false });
    // npm reads `file:` specs as paths with forward slashes, on Windows too.
    const spec = `relocate@file:${path.join(dirs.pack, packed.filename).replace(/\\/g, '/')}`;
    const npx = (args: string[]) =>
      runNpm(['exec', '--yes', '--cache', dirs.cache, '--no-audit', '--no-fund', '--no-update-notifier', '--', spec, ...args], {
        cwd: dirs.clean,
        env: { TMPDIR: dirs.tmpdir, TEMP: dirs.tmpdir, TMP: dirs.tmpdir, NO_COLOR: '1' },
        timeoutMs: 150_000,
      });

    const started = Date.now();
    const demo = await npx(['demo']);
    const took = Date.now() - started;
    expect(demo.status, demo.stdout + demo.stderr).toBe(0);
    const order = [
      'relocate demo — a sandbox in',
      '$ relocate plan relocate.yaml',
      '$ relocate apply relocate.yaml --yes',
      'In sync',
      'Later you want the games in D/Archive/Games',
      '$ relocate history',
      '$ relocate rollback --yes',
      'Rolled back',
      'C/Games is a folder with 4 items again, and D/Games is nothing.',
      'That is the whole tool.',
      'was removed.',
    ];
    let at = 0;
    for (const s of order) {
      const i = demo.stdout.indexOf(s, at);
      expect(i, `expected "${s}" after position ${at} of:\n${demo.stdout}`).toBeGreaterThanOrEqual(0);
      at = i + s.length;
    }
    // The sandbox was in the test's temporary folder, and neither it nor a mount is left.
    const root = /a sandbox in (\S+)/.exec(demo.stdout)![1]!;
    expect(path.dirname(root)).toBe(dirs.tmpdir);
    expect(existsSync(root)).toBe(false);
    expect(mountedUnder(dirs.tmpdir)).toBe(false);
    expect(readdirSync(dirs.tmpdir).filter((n) => n.startsWith('relocate-demo-'))).toEqual([]);
    // npx installs into its cache, never into the folder it runs in.
    expect(readdirSync(dirs.clean)).toEqual([]);

    // The one npx install folder: relocate, its dependencies, and none of the devDependencies.
    const entries = readdirSync(path.join(dirs.cache, '_npx'));
    expect(entries).toHaveLength(1);
    const modules = path.join(dirs.cache, '_npx', entries[0]!, 'node_modules');
    const installed = JSON.parse(readFileSync(path.join(modules, 'relocate', 'package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe(pkg.version);
    for (const dep of Object.keys(pkg.dependencies)) expect(existsSync(path.join(modules, dep)), `dependency ${dep}`).toBe(true);
    const dev = Object.keys(pkg.devDependencies).filter((d) => existsSync(path.join(modules, d)));
    expect(dev, 'devDependencies installed by npx').toEqual([]);
    // Their platform packages and helpers too (esbuild's binaries, vitest's parts).
    expect(readdirSync(modules).filter((n) => n === '@esbuild' || n === '@vitest')).toEqual([]);
    const packages = readdirSync(modules).flatMap((n) =>
      n.startsWith('@') ? readdirSync(path.join(modules, n)).map((s) => `${n}/${s}`) : n.startsWith('.') ? [] : [n],
    );
    console.log(
      `npx relocate demo (install from the registry into an empty cache, then the tour): ${(took / 1000).toFixed(1)} s; ` +
        `${packages.length} packages installed, ${(sizeOf(modules) / 1024 / 1024).toFixed(1)} MiB in node_modules, ` +
        `${(sizeOf(path.join(dirs.cache, '_cacache')) / 1024 / 1024).toFixed(1)} MiB downloaded into the cache`,
    );

    // Again from the same install: the version, and the example manifest the CLI's hints point to.
    const version = await npx(['--version']);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
    const validate = await npx(['validate', path.join(modules, 'relocate', 'links.example.yaml')]);
    expect(validate.status, validate.stdout + validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(/links\.example\.yaml: valid, \d+ entries/);
    expect(readdirSync(path.join(dirs.cache, '_npx'))).toEqual(entries);
  }, 180_000);
});
