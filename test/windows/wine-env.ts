/**
 * Windows under Wine for the tests: scripts/wine/setup.sh makes (or finds
 * in its cache) Wine, a prefix with drives C: and E:, Windows' node.exe and
 * a copy of the built app; these helpers run Windows node.exe there and
 * turn Linux paths into the drive-letter paths Windows programs see.
 *
 * Wine's console cannot write to a pipe (EBADF), so a Windows program's
 * output goes to temporary files that are read back.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import { processAlive } from '../../src/platform/process-alive.js';

export interface WineEnv {
  wine: string;
  wineserver: string;
  prefix: string;
  nodeExe: string;
  appDir: string;
  driveC: string;
  driveE: string;
  version: string;
}

export interface WineResult {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export const SETUP_SCRIPT = path.join(REPO_ROOT, 'scripts', 'wine', 'setup.sh');

/**
 * Runs the setup script (with the app copy unless `app: false`). Returns the environment, or the reason the Wine
 * tests cannot run here: not Linux, or Wine missing and not installable
 * (exit 3). Any other failure throws in CI (it is a real failure there)
 * and is a skip reason elsewhere (e.g. no network for the first download).
 */
export function setupWine(opts: { app?: boolean } = {}): { env: WineEnv; setupMs: number } | { reason: string } {
  if (process.platform !== 'linux') return { reason: `the Wine tests run on Linux (this is ${process.platform}; here the suite runs natively instead)` };
  if (process.env.RELOCATE_SKIP_WINE === '1') return { reason: 'RELOCATE_SKIP_WINE=1' };
  const started = Date.now();
  const appName = `app-${process.pid}-${started.toString(36)}`;
  // Without the app copy (relocate.exe's tests need none), APP_DIR names a folder that is not made.
  const res = spawnSync('bash', [SETUP_SCRIPT, ...(opts.app === false ? ['--no-app'] : [])], {
    encoding: 'utf8',
    timeout: 20 * 60_000,
    env: { ...process.env, RELOCATE_WINE_APP_NAME: appName },
  });
  if (res.error) throw res.error;
  if (res.status === 3) return { reason: `Wine cannot be installed here: ${res.stderr.trim().split('\n').pop()}` };
  if (res.status !== 0) {
    const why = `scripts/wine/setup.sh failed (exit ${res.status}): ${res.stderr.trim()}`;
    if (process.env.CI) throw new Error(why);
    return { reason: why };
  }
  const kv = Object.fromEntries(
    res.stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  // The tests pin what Wine 8 can and cannot do (no junctions, a CreateSymbolicLinkW that creates nothing).
  if (!/^wine-8\./.test(kv.WINE_VERSION ?? ''))
    return { reason: `these tests expect Wine 8 (Debian bookworm's wine64); found ${kv.WINE_VERSION ?? 'an unknown version'}` };
  return {
    setupMs: Date.now() - started,
    env: {
      wine: kv.WINE!,
      wineserver: kv.WINESERVER!,
      prefix: kv.WINEPREFIX!,
      nodeExe: kv.NODE_EXE!,
      appDir: kv.APP_DIR!,
      driveC: kv.DRIVE_C!,
      driveE: kv.DRIVE_E!,
      version: kv.WINE_VERSION ?? 'unknown',
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the Wine test lock of this cache: the tests change the prefix's
 * registry (Developer Mode), so two `npm test` runs of one checkout take
 * turns. A lock whose holder died is taken over. Returns the release.
 */
export async function lockWine(w: WineEnv, timeoutMs = 15 * 60_000): Promise<() => void> {
  const lock = path.join(path.dirname(w.prefix), 'tests.lock');
  const started = Date.now();
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(readFileSync(lock, 'utf8').trim());
    if (!Number.isInteger(holder) || holder <= 0 || !processAlive(holder)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`the Wine tests of another run (pid ${holder}) held ${lock} for ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

/** The environment Windows programs get: this one, plus the prefix and a quiet Wine. */
export function wineProcessEnv(w: WineEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, WINEPREFIX: w.prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=', NO_COLOR: '1', ...extra };
}

/** A Linux path as Windows programs under this prefix see it: C:\…, E:\… or Z:\…. */
export function winPath(w: WineEnv, unixPath: string): string {
  const abs = path.resolve(unixPath);
  for (const [root, letter] of [
    [w.driveC, 'C:'],
    [w.driveE, 'E:'],
  ] as const) {
    if (abs === root || abs.startsWith(root + '/')) return `${letter}\\${path.relative(root, abs).split('/').join('\\')}`;
  }
  return `Z:${abs.split('/').join('\\')}`;
}

/** Runs a Windows program (wine64 PROGRAM ARGS…) with its output captured through files. */
export function runWine(
  w: WineEnv,
  program: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): WineResult {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-wine-out-'));
  const outFile = path.join(dir, 'out');
  const errFile = path.join(dir, 'err');
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  const started = Date.now();
  try {
    const res = spawnSync(w.wine, [program, ...args], {
      cwd: opts.cwd ?? w.driveC,
      env: wineProcessEnv(w, opts.env),
      stdio: ['ignore', out, err],
      timeout: opts.timeoutMs ?? 120_000,
    });
    if (res.error) throw res.error;
    closeSync(out);
    closeSync(err);
    return { status: res.status, stdout: readFileSync(outFile, 'utf8'), stderr: readFileSync(errFile, 'utf8'), ms: Date.now() - started };
  } finally {
    try {
      closeSync(out);
    } catch {
      /* closed above */
    }
    try {
      closeSync(err);
    } catch {
      /* closed above */
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Windows node.exe running a script (a Linux path, passed as its Z:\ path). */
export function runWindowsNode(w: WineEnv, script: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): WineResult {
  return runWine(w, w.nodeExe, [winPath(w, script), ...args], opts);
}

/** The built CLI (the app copy's dist/cli/bin.js) under Windows node.exe. */
export function runWineCli(w: WineEnv, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): WineResult {
  return runWindowsNode(w, path.join(w.appDir, 'dist', 'cli', 'bin.js'), args, opts);
}

const DEV_MODE_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\AppModelUnlock';

/** Turns Windows' Developer Mode on or off in the prefix's registry (what relocate reads for symlink permission). */
export function setDeveloperMode(w: WineEnv, on: boolean): void {
  const args = on
    ? ['add', DEV_MODE_KEY, '/v', 'AllowDevelopmentWithoutDevLicense', '/t', 'REG_DWORD', '/d', '1', '/f']
    : ['delete', DEV_MODE_KEY, '/v', 'AllowDevelopmentWithoutDevLicense', '/f'];
  const r = runWine(w, 'reg', args);
  // Deleting a value that is not there fails, which is the state wanted.
  if (on && r.status !== 0) throw new Error(`reg ${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
}
