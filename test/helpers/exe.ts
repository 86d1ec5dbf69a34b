/**
 * relocate's single executables for the tests (scripts/build-exe.mjs): the
 * path of a target's executable, built first when it is missing or older
 * than what it is made of, so a test never runs yesterday's executable
 * against today's expectations.
 *
 * The build fetches its inputs from the npm registry the first time (then it
 * is offline). Where that cannot work the tests skip, saying why — except in
 * CI, where a failed build is a failure. RELOCATE_SKIP_EXE=1 skips them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';
import { processAlive } from '../../src/platform/process-alive.js';

/** The targets the tests build and run here. */
export type ExeTarget = 'win-x64' | 'linux-x64';

const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** dist/exe/, where `npm run build:exe` writes. */
export const EXE_DIR = path.join(REPO_ROOT, 'dist', 'exe');

/** Where a target's executable is once built. */
export function exePath(target: ExeTarget): string {
  return path.join(EXE_DIR, `relocate-${VERSION}-${target}${target === 'win-x64' ? '.exe' : ''}`);
}

const GENERATED = new Set([path.join(REPO_ROOT, 'src', 'manifest', 'generated'), path.join(REPO_ROOT, 'src', 'gui', 'generated')]);

/** The newest modification time among the files an executable is made of. */
function newestInput(): { file: string; ms: number } {
  let newest = { file: '', ms: 0 };
  const visit = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      // Written again by every `npm run build` (from schema/ and src/gui/web, which are inputs themselves).
      if (GENERATED.has(p)) return;
      for (const name of readdirSync(p)) visit(path.join(p, name));
    } else if (st.mtimeMs > newest.ms) newest = { file: p, ms: st.mtimeMs };
  };
  for (const p of ['src', 'schema', 'integrations/dsc', 'scripts/exe', 'scripts/build-exe.mjs', 'package.json', 'package-lock.json'])
    visit(path.join(REPO_ROOT, p));
  return newest;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * One build at a time across vitest's workers: a folder made with mkdir
 * (atomic) holding the builder's pid; a dead builder's lock is taken over.
 */
function withBuildLock<T>(fn: () => T): T {
  mkdirSync(EXE_DIR, { recursive: true });
  const lock = path.join(EXE_DIR, '.test-build.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = 0;
      try {
        holder = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
      } catch {
        // Being made or being removed: look again.
      }
      if (holder > 0 && !processAlive(holder)) rmSync(lock, { recursive: true, force: true });
      sleep(250);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Why a built executable cannot be trusted, or undefined when it is current. */
export function staleness(target: ExeTarget): string | undefined {
  const file = exePath(target);
  if (!existsSync(file)) return `${path.relative(REPO_ROOT, file)} is not built`;
  const newest = newestInput();
  if (statSync(file).mtimeMs < newest.ms) return `${path.relative(REPO_ROOT, file)} is older than ${path.relative(REPO_ROOT, newest.file)}`;
  return undefined;
}

/**
 * The executable of `target`, built (`node scripts/build-exe.mjs --target
 * T`) when missing or stale; or the reason the tests of it cannot run here.
 */
export function ensureExe(target: ExeTarget): { path: string } | { reason: string } {
  if (process.env.RELOCATE_SKIP_EXE === '1') return { reason: 'RELOCATE_SKIP_EXE=1' };
  // The release workflow builds both on Linux too; other systems run what it built (RELOCATE_TEST_CLI).
  if (process.platform !== 'linux') return { reason: `the executables are built and tested on Linux (this is ${process.platform})` };
  if (target === 'linux-x64' && process.arch !== 'x64') return { reason: `the linux-x64 executable runs on Linux x64 (this is ${process.arch})` };
  return withBuildLock(() => {
    const why = staleness(target);
    if (why === undefined) return { path: exePath(target) };
    const started = Date.now();
    const res = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-exe.mjs'), '--target', target], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 15 * 60_000,
    });
    if (res.status !== 0) {
      const failure = `${why}, and building it failed (exit ${res.status}): ${(res.stderr || String(res.error)).trim().split('\n').slice(-3).join(' ')}`;
      if (process.env.CI) throw new Error(failure);
      return { reason: failure };
    }
    console.log(`exe: ${why}; built in ${Date.now() - started} ms`);
    return { path: exePath(target) };
  });
}
