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
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { ensureExe } from '../helpers/exe.js';
import type { JobEvent, MovePreview, Overview, PlanPreview, RunRow } from '../../src/gui/api-types.js';
import { collectEvents, get, http, post, type GuiSandbox } from '../helpers/gui.js';
import { contentOf } from '../helpers/snapshot.js';
import { lockWine, runWine, setupWine, wineProcessEnv, type WineEnv, type WineResult } from './wine-env.js';
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
const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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

  it("relocate gui on Windows: the Move sentence and the engine's refusal in Windows words, and a folder moved back from E: to C: and again to E: through the GUI alone (its HTTP API, as the page calls it)", async () => {
    // Wine can hold neither junctions nor directory symlinks (wine.test.ts), so no link is made here: a move to E:
    // is refused by the engine (E_JUNCTION_FS), as the page shows it; the data already on E: (its link lost) is
    // moved back with Move back (state: absent), then the run is rolled back from History. Real junctions: windows-latest.
    const s = sandbox('gui');
    const games = path.join(s.c, 'Games');
    mkdirSync(path.join(games, 'saves'), { recursive: true });
    writeFileSync(path.join(games, 'game.exe'), 'MZ fake game');
    writeFileSync(path.join(games, 'saves', 'slot1.sav'), Buffer.alloc(300 * 1024, 3));
    const gamesBefore = contentOf(games);
    const tool = path.join(s.e, 'Tool');
    mkdirSync(path.join(tool, 'sub'), { recursive: true });
    writeFileSync(path.join(tool, 'tool.exe'), 'MZ fake tool');
    writeFileSync(path.join(tool, 'sub', 'data.bin'), Buffer.alloc(200 * 1024, 5));
    const toolBefore = contentOf(tool);
    const manifestText = `# moved by hand long ago\nversion: 1\nlinks:\n  - link: ${s.C}\\Tool # the link was lost\n    target: ${s.E}\\Tool\n`;
    writeFileSync(path.join(s.c, 'relocate.yaml'), manifestText);
    // The exe serves from Wine; the test talks to it from Linux over 127.0.0.1, as the browser would. Its output goes
    // to files (Node under Wine cannot open a Linux pipe as stdout: EBADF), read until the URL is there.
    const outFile = path.join(s.c, 'gui.out');
    const errFile = path.join(s.c, 'gui.err');
    const [outFd, errFd] = [openSync(outFile, 'w'), openSync(errFile, 'w')];
    const child = spawn(w.wine, [exeFile, 'gui', '--no-open', '--port', '0', '--state-dir', s.state, `${s.C}\\relocate.yaml`], {
      cwd: s.c,
      env: wineProcessEnv(w),
      stdio: ['ignore', outFd, errFd],
    });
    closeSync(outFd);
    closeSync(errFd);
    let exited: number | null | undefined;
    child.on('exit', (code) => (exited = code));
    try {
      let url: URL | undefined;
      for (const started = Date.now(); !url; await new Promise((r) => setTimeout(r, 200))) {
        const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(readFileSync(outFile, 'utf8'));
        if (m) url = new URL(m[0]);
        else if (exited !== undefined) throw new Error(`relocate.exe gui exited ${exited}: ${readFileSync(errFile, 'utf8')}`);
        else if (Date.now() - started > 120_000) throw new Error(`no URL within 120 s; stderr: ${readFileSync(errFile, 'utf8')}`);
      }
      const port = Number(url.port);
      const first = await http(port, { path: url.pathname + url.search });
      expect(first.status).toBe(303);
      const g = { port, cookie: String(first.headers['set-cookie']?.[0] ?? '').split(';')[0] } as GuiSandbox;
      const o = (await get(g, '/api/overview')).json() as Overview;
      expect(o.os).toBe('win32');
      expect(o.drives.map((d) => d.label)).toEqual(expect.arrayContaining(['C:', 'E:']));
      // Move… of C:\\…\\Games to E:: the exact sentence in Windows words, and the engine's refusal; nothing written.
      const preview = (await post(g, '/api/preview-move', { source: `${s.C}\\Games`, destinationParent: s.E })).json() as MovePreview;
      expect(preview.target).toBe(`${s.E}\\Games`);
      expect(preview.sentence).toMatch(
        new RegExp(`^${escape(s.C)}\\\\Games becomes a link; its 300 KiB move to ${escape(s.E)}\\\\Games; E: keeps \\S+ \\S+ free$`),
      );
      expect(preview.possible).toBe(false);
      expect(preview.problems.map((p) => p.code)).toContain('E_JUNCTION_FS');
      expect(readFileSync(path.join(s.c, 'relocate.yaml'), 'utf8')).toBe(manifestText);
      // Moved folders: the entry whose link is gone; Move back writes state: absent (comments kept); nothing moves yet.
      expect(o.entries).toEqual([expect.objectContaining({ link: `${s.C}\\Tool`, target: `${s.E}\\Tool`, state: 'present' })]);
      const absent = await post(g, '/api/entries/absent', { link: `${s.C}\\Tool` });
      expect(absent.status, absent.text).toBe(200);
      expect(readFileSync(path.join(s.c, 'relocate.yaml'), 'utf8')).toMatch(/# moved by hand long ago[\s\S]*# the link was lost[\s\S]*state: absent/);
      expect(contentOf(tool)).toEqual(toolBefore);
      // Plan and apply: the data comes back to C: across drives, with progress events.
      const plan = (await post(g, '/api/plan', {})).json() as PlanPreview;
      expect(plan, JSON.stringify(plan).slice(0, 1500)).toMatchObject({ changes: 1, blocked: false });
      const events = collectEvents(g, 240_000);
      await events.ready;
      expect((await post(g, '/api/apply', { planId: plan.planId })).status).toBe(200);
      const got = await events.done;
      const done = got.at(-1) as Extract<JobEvent, { type: 'done' }>;
      expect(done, JSON.stringify(done)).toMatchObject({ type: 'done', ok: true });
      expect(got.map((e) => e.type)).toEqual(expect.arrayContaining(['start', 'entry', 'step']));
      expect(contentOf(path.join(s.c, 'Tool'))).toEqual(toolBefore);
      expect(existsSync(tool)).toBe(false);
      const runs = ((await get(g, '/api/history')).json() as { runs: RunRow[] }).runs;
      expect(runs[0]).toMatchObject({ id: done.runId, status: 'done', canRollBack: true });
      // History's Move back: the run rolled back, the data on E: again, nothing left on C:.
      const back = collectEvents(g, 240_000);
      await back.ready;
      expect((await post(g, '/api/rollback', { runId: done.runId })).status).toBe(200);
      expect((await back.done).at(-1)).toMatchObject({ type: 'done', ok: true });
      expect(contentOf(tool)).toEqual(toolBefore);
      expect(existsSync(path.join(s.c, 'Tool'))).toBe(false);
      expect(contentOf(games)).toEqual(gamesBefore);
    } finally {
      child.kill('SIGKILL');
    }
  }, 600_000);

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
