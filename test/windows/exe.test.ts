/**
 * relocate.exe, the single Windows executable of `npm run build:exe`
 * (issue 18), under Wine 8: started by name with no Node.js installed
 * beside it, it answers --version, loads its native layer (koffi's addon,
 * written once to %LOCALAPPDATA%\relocate\native), and runs the same
 * scenarios as Windows node.exe with the bundle (wine-scenarios.ts): a hard
 * link on C: from validate to rollback, and a folder moved across drives
 * and back. Its completion script is the bundle's, byte for byte.
 *
 * The executable is built first when missing or stale (test/helpers/exe.ts).
 * Skipped, with the reason printed, where Wine cannot run (see wine.test.ts)
 * or the executable cannot be built (not in CI, where that fails).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { ensureExe } from '../helpers/exe.js';
import { lockWine, runWine, setupWine, type WineEnv, type WineResult } from './wine-env.js';
import { crossDriveRoundTrip, hardLinkRoundTrip, wineJson, wineSandbox } from './wine-scenarios.js';

const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const setup = setupWine({ app: false });
const exe = 'reason' in setup ? undefined : ensureExe('win-x64');
const reason = 'reason' in setup ? setup.reason : exe && 'reason' in exe ? exe.reason : undefined;
if (reason) console.warn(`test/windows/exe: relocate.exe tests skipped: ${reason}`);
const w = 'env' in setup ? setup.env : (undefined as unknown as WineEnv);
const exeFile = exe && 'path' in exe ? exe.path : '';
const stamp = `exe-${process.pid}-${Date.now().toString(36)}`;
const sandbox = wineSandbox(w, stamp);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const timings: Record<string, number> = {};
/** relocate.exe with `args`, started the way a fleet engine starts it: by its own path, no node.exe. */
function relocateExe(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): WineResult {
  const r = runWine(w, exeFile, args, opts);
  timings.exe = (timings.exe ?? 0) + r.ms;
  return r;
}

describe.skipIf(reason !== undefined)('relocate.exe under Wine (Node 22 single executable)', () => {
  let unlock: (() => void) | undefined;

  beforeAll(async () => {
    unlock = await lockWine(w);
  }, 20 * 60_000);

  afterAll(() => {
    unlock?.();
    rmSync(path.join(w.driveC, 'relocate-wine-tests', stamp), { recursive: true, force: true });
    rmSync(path.join(w.driveE, 'relocate-wine-tests', stamp), { recursive: true, force: true });
    console.log(`relocate.exe timings (ms): ${JSON.stringify(timings)}`);
  }, 60_000);

  it('--version prints the package version; the exe runs Node 22, not the node.exe of the bundle tests', () => {
    const r = relocateExe(['--version']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
    const s = sandbox('doctor-node');
    const d = wineJson(relocateExe(['doctor', '--json'], { cwd: s.c }));
    expect(d.system.node).toMatch(/^v22\./);
    expect(d.system.platform).toBe('win32');
  }, 120_000);

  it('with no arguments from a program (no console of its own) it prints the usage, as on a command prompt, and opens no window', () => {
    // Explorer's double-click gives relocate.exe a console of its own (GetConsoleProcessList = 1) and opens the GUI;
    // started with its output piped, it must not: a script or fleet engine calling it bare would hang on a server.
    const r = runWine(w, exeFile, [], { timeoutMs: 60_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain('Usage: relocate <command>');
  }, 120_000);

  it('doctor: the native layer is loaded from the addon the exe carries, written once under its content hash', () => {
    const s = sandbox('doctor');
    // %LOCALAPPDATA% of the prefix's user (Wine sets it from the profile, whatever the environment says); the
    // prefix is the tests' own (scripts/wine/setup.sh), and the Wine lock is held, so no other run starts the exe now.
    const dir = path.join(w.driveC, 'users', os.userInfo().username, 'AppData', 'Local', 'relocate', 'native');
    rmSync(dir, { recursive: true, force: true });
    const first = wineJson(relocateExe(['doctor', '--json'], { cwd: s.c }));
    expect(first.native, JSON.stringify(first.native)).toMatchObject({ loaded: true });
    expect(first.native.what).toMatch(/Win32 through koffi/);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const [name] = files as [string];
    expect(name).toMatch(/^koffi-[0-9a-f]{32}\.node$/);
    // Named by its own content: the name is the first half of its SHA-256.
    expect(sha256(readFileSync(path.join(dir, name))).slice(0, 32)).toBe(name.slice(6, 38));
    // The second start reuses it.
    const second = wineJson(relocateExe(['doctor', '--json'], { cwd: s.c }));
    expect(second.native).toMatchObject({ loaded: true });
    expect(readdirSync(dir)).toEqual([name]);
    // The text form says the same, with the check mark.
    const text = relocateExe(['doctor'], { cwd: s.c });
    expect(text.stdout).toMatch(/✓ native layer: loaded \(Win32 through koffi/);
  }, 180_000);

  it('a hard link manifest on C:: validate, plan, apply, status, rollback', () => {
    hardLinkRoundTrip(relocateExe, sandbox);
  }, 180_000);

  it('a folder moved between E: and C: and back: apply and rollback across volumes, with and without the native layer', () => {
    crossDriveRoundTrip(relocateExe, sandbox);
  }, 240_000);

  it('completion powershell: the script the bundle prints, byte for byte', () => {
    const r = relocateExe(['completion', 'powershell']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Register-ArgumentCompleter -Native -CommandName relocate/);
    const bundle = runCli(['completion', 'powershell']);
    expect(bundle.status).toBe(0);
    expect(r.stdout.replace(/\r\n/g, '\n')).toBe(bundle.stdout);
  }, 120_000);

  it('a bad manifest: exit 1, a coded error naming the file, nothing on disk changed', () => {
    const s = sandbox('bad');
    const before = readdirSync(s.c);
    const r = relocateExe(['validate', `${s.C}\\missing.yaml`], { cwd: s.c });
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain(`${s.C}\\missing.yaml`);
    expect(r.stdout + r.stderr).toMatch(/E_[A-Z_]+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(s.c)).toEqual(before);
    expect(existsSync(path.join(s.c, 'state'))).toBe(false);
  }, 120_000);
});
