/**
 * A real Windows runtime on Linux: Windows' node.exe under Wine 8 runs the
 * FFI smoke suite (every Win32 binding of src/platform/windows) and the
 * built CLI end to end on drive-letter paths (C: and a second drive E:).
 *
 * What Wine 8 can and cannot do, and what these tests therefore expect:
 * hard links, MoveFileExW, volume and privilege queries and the registry
 * work; junctions do not (fs.symlink(..., 'junction') fails with ENOTSUP,
 * and Wine's volumes report no FILE_SUPPORTS_REPARSE_POINTS), and
 * CreateSymbolicLinkW reports success and creates nothing. So a junction
 * entry is refused by the preflight (E_JUNCTION_FS), and a symlink entry
 * with Developer Mode on fails at the link check with E_LINK_UNSUPPORTED
 * and is rolled back — never a false success. Real junctions are tested on
 * Windows itself (test/windows/junctions.test.ts, windows-latest in CI).
 *
 * Skipped, with the reason printed, when Wine is missing and cannot be
 * installed (not root, no apt-get) or not on Linux.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli } from '../helpers/cli.js';
import { contentOf, snapshotTree } from '../helpers/snapshot.js';
import { lockWine, runWindowsNode, runWineCli, setDeveloperMode, setupWine, winPath, type WineEnv, type WineResult } from './wine-env.js';
import { crossDriveRoundTrip, hardLinkRoundTrip, wineJson, wineSandbox } from './wine-scenarios.js';
import { exfatReason, mountExfat } from '../helpers/loop-volume.js';

requireBuiltCli();
const setup = setupWine();
const reason = 'reason' in setup ? setup.reason : undefined;
if (reason) console.warn(`test/windows/wine: Wine tests skipped: ${reason}`);
const w = 'env' in setup ? setup.env : (undefined as unknown as WineEnv);
const SMOKE = path.join(path.dirname(new URL(import.meta.url).pathname), 'ffi-smoke.mjs');
const ATTRS = path.join(path.dirname(new URL(import.meta.url).pathname), 'win-attrs.mjs');
/** FILE_ATTRIBUTE_READONLY, HIDDEN, SYSTEM, DIRECTORY, ARCHIVE. */
const RO = 0x1,
  HIDDEN = 0x2,
  SYSTEM = 0x4,
  DIR = 0x10,
  ARCHIVE = 0x20;
const stamp = `${process.pid}-${Date.now().toString(36)}`;

const sandbox = wineSandbox(w, stamp);
const json = wineJson;

const timings: Record<string, number> = {};
function timed(name: string, r: WineResult): WineResult {
  timings[name] = (timings[name] ?? 0) + r.ms;
  return r;
}

describe.skipIf(reason !== undefined)('Windows under Wine (node.exe, koffi, drive letters)', () => {
  let unlock: (() => void) | undefined;

  beforeAll(async () => {
    const waited = Date.now();
    unlock = await lockWine(w);
    console.log(
      `wine: ${w.version}, node.exe ${path.basename(path.dirname(path.dirname(w.nodeExe)))}, setup ${'setupMs' in setup ? setup.setupMs : 0} ms, waited ${Date.now() - waited} ms for the prefix`,
    );
    // Developer Mode off (the Wine default); one test turns it on and off again.
    setDeveloperMode(w, false);
  }, 20 * 60_000);

  afterAll(() => {
    try {
      setDeveloperMode(w, false);
    } finally {
      unlock?.();
    }
    rmSync(path.join(w.driveC, 'relocate-wine-tests', stamp), { recursive: true, force: true });
    rmSync(path.join(w.driveE, 'relocate-wine-tests', stamp), { recursive: true, force: true });
    rmSync(w.appDir, { recursive: true, force: true });
    console.log(`wine timings (ms): ${JSON.stringify(timings)}`);
  }, 60_000);

  it('the FFI smoke suite: every binding answers sanely under Windows node.exe', () => {
    const r = timed(
      'smoke',
      runWindowsNode(w, SMOKE, [winPath(w, w.appDir), `C:\\relocate-wine-tests\\${stamp}\\smoke`, `E:\\relocate-wine-tests\\${stamp}\\smoke`]),
    );
    expect(r.status, r.stderr).toBe(0);
    const { checks } = json(r) as { checks: { name: string; ok: boolean; detail: any }[] };
    const failed = checks.filter((c) => !c.ok);
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
    const by = (prefix: string) => checks.find((c) => c.name.startsWith(prefix))!.detail;
    expect(checks.length).toBeGreaterThanOrEqual(23);
    // Issue 15: what Wine 8 keeps and what it lacks (asserted so a Wine that changes is noticed).
    expect(by('GetFileAttributesW / SetFileAttributesW').got & 0x27).toBe(0x27);
    expect(by('FindFirstStreamW')).toMatchObject({ streamsSupported: false, error: 38, kept: [] });
    expect(by('GetFileSecurityW').bytes).toBeGreaterThan(20);
    expect(by('SetFileTime').mtimeNs).toBe('1700000000123456700');
    // Wine 8 stores no creation time SetFileTime is given (a Linux file system cannot hold one; Wine reports a time
    // of its own): the probe says so, and the verify does not compare creation times there (birth-time.ts).
    const created = by('SetFileTime with a creation time');
    expect(created.birthtimeNs).not.toBe('1500000000123456700');
    expect(created.heldOnC).toBe(false);
    // Volumes: two drives, two volume ids, an NTFS-named file system with free space.
    expect(by('GetVolumePathNameW')).toEqual({ c: 'C:\\', e: 'E:\\' });
    const vols = by('GetVolumeInformationW');
    expect(vols.infoC.id).toBe('C:\\');
    expect(vols.infoE.id).toBe('E:\\');
    expect(vols.c.fsName).toBe('NTFS');
    expect(vols.infoC.freeBytes).toBeGreaterThan(0);
    // Hard link count, the no-clobber rename's error, the Restart Manager round trip.
    expect(by('CreateHardLinkW').links).toBe(2);
    expect([80, 183]).toContain(by('MoveFileExW').clobberError);
    expect(by('NodeFs.renameNoReplace').code).toBe('E_EXISTS');
    expect(Array.isArray(by('Restart Manager').processes)).toBe(true);
    expect(by('QueryFullProcessImageNameW').name.toLowerCase()).toBe('node.exe');
    // Wine's CreateSymbolicLinkW: TRUE, and nothing on disk — what E_LINK_UNSUPPORTED guards against.
    const sym = by('CreateSymbolicLinkW');
    expect(sym.returned).toBe(1);
    expect(['nothing', 'symlink']).toContain(sym.made);
    expect(by('NodeFs.createLink').junction).toBe('E_LINK_UNSUPPORTED');
    expect(by('the platform layer').caps).toEqual({ symlinks: false, junctions: true, hardlinks: true });
  }, 120_000);

  it('a hard link manifest on C:: validate, plan, apply, status, rollback, with Windows paths in the output', () => {
    hardLinkRoundTrip((args, opts) => timed('cli', runWineCli(w, args, opts)), sandbox);
  }, 180_000);

  it('a folder moved between E: and C: (state: absent brings it back from E:): apply and rollback, across volumes', () => {
    crossDriveRoundTrip((args, opts) => timed('cli', runWineCli(w, args, opts)), sandbox);
  }, 240_000);

  // Issue 15 under Wine 8: hidden, system and read-only (files and folders) and 100 ns times survive a copy across
  // drives and the rollback's copy back. Wine 8 has no alternate data streams (FindFirstStreamW fails with
  // ERROR_HANDLE_EOF; `f:s` is a file of that name) and drops NOT_CONTENT_INDEXED, so those, compression and the
  // security descriptor are tested on windows-latest (test/windows/keep-win.test.ts).
  it('a folder copied E: → C: and back by the rollback keeps hidden, system and read-only attributes and 100 ns times', () => {
    const s = sandbox('attributes');
    const game = path.join(s.e, 'Game');
    mkdirSync(path.join(game, 'saves'), { recursive: true });
    writeFileSync(path.join(game, 'game.exe'), 'MZ');
    writeFileSync(path.join(game, 'desktop.ini'), '[.ShellClassInfo]\r\n');
    writeFileSync(path.join(game, 'saves', 'slot1.sav'), 'save');
    // A time with 100 ns digits (set on the Linux side, which keeps nanoseconds).
    execFileSync('touch', ['-h', '-d', '@1700000000.1234567', path.join(game, 'game.exe')]);
    const G = `${s.E}\\Game`;
    const word = (r: WineResult) => json(r) as Record<string, number>;
    const want = { [`${G}\\desktop.ini`]: HIDDEN | SYSTEM | ARCHIVE, [`${G}\\game.exe`]: RO | ARCHIVE, [`${G}\\saves`]: DIR | HIDDEN };
    const set = word(timed('attrs', runWindowsNode(w, ATTRS, [winPath(w, w.appDir), ...Object.entries(want).map(([p, v]) => `${p}=${v & ~DIR}`)])));
    expect(set).toEqual(want);
    const before = contentOf(game);
    writeFileSync(path.join(s.c, 'relocate.yaml'), `version: 1\nlinks:\n  - link: ${s.C}\\Game\n    target: ${G}\n    state: absent\n`);

    const apply = timed('cli', runWineCli(w, ['apply', '--yes', '--state-dir', s.state], { cwd: s.c }));
    expect(apply.status, apply.stdout + apply.stderr).toBe(0);
    expect(existsSync(game)).toBe(false);
    const at = (root: string) => Object.fromEntries(Object.entries(want).map(([p, v]) => [p.replace(G, root), v]));
    const onC = at(`${s.C}\\Game`);
    expect(word(timed('attrs', runWindowsNode(w, ATTRS, [winPath(w, w.appDir), ...Object.keys(onC)])))).toEqual(onC);
    expect(contentOf(path.join(s.c, 'Game'))).toEqual(before);
    expect(lstatSync(path.join(s.c, 'Game', 'game.exe'), { bigint: true }).mtimeNs).toBe(1_700_000_000_123_456_700n);

    const rb = timed('cli', runWineCli(w, ['rollback', '--yes', '--state-dir', s.state], { cwd: s.c }));
    expect(rb.status, rb.stdout + rb.stderr).toBe(0);
    expect(word(timed('attrs', runWindowsNode(w, ATTRS, [winPath(w, w.appDir), ...Object.keys(want)])))).toEqual(want);
    expect(contentOf(game)).toEqual(before);
    expect(lstatSync(path.join(game, 'game.exe'), { bigint: true }).mtimeNs).toBe(1_700_000_000_123_456_700n);
  }, 240_000);

  // Windows has no statfs type to go by, so the verify asks the copy's volume what it keeps of a time it sets
  // (time-grain.ts). Without that probe this move fails the verify (E_VERIFY: the modification time differs), since
  // exFAT keeps less than the 100 ns a Windows copy sets: here whole seconds, through exfat-fuse.
  const exfat = exfatReason();
  if (exfat) console.log(`[skip] Wine: a move onto exFAT: ${exfat}`);
  it.skipIf(exfat !== undefined)(
    'a folder moved from C: onto an exFAT volume and back: times compared to the second the volume keeps',
    () => {
      const s = sandbox('exfat');
      const vol = mountExfat(32, 'wine-exfat');
      try {
        const game = path.join(s.c, 'Game');
        mkdirSync(path.join(game, 'saves'), { recursive: true });
        writeFileSync(path.join(game, 'game.exe'), 'MZ');
        writeFileSync(path.join(game, 'saves', 'slot1.sav'), Buffer.alloc(40 * 1024, 3));
        execFileSync('touch', ['-h', '-d', '@1700000001.987654321', path.join(game, 'game.exe')]);
        // Wine makes a security descriptor up from a node's mode bits where none is stored, and exfat-fuse shows every
        // node as 0777 and stores none: the originals get that mode too, so their descriptors read the same on both.
        execFileSync('chmod', ['-R', '0777', game]);
        const before = contentOf(game);
        const X = winPath(w, vol.dir);
        // state: absent brings the folder from its target (C:) to the link's place (the exFAT volume).
        writeFileSync(path.join(s.c, 'relocate.yaml'), `version: 1\nlinks:\n  - link: ${X}\\Game\n    target: ${s.C}\\Game\n    state: absent\n`);
        const apply = timed('cli', runWineCli(w, ['apply', '--yes', '--verbose', '--state-dir', s.state], { cwd: s.c }));
        expect(apply.status, apply.stdout + apply.stderr).toBe(0);
        expect(existsSync(game)).toBe(false);
        const moved = path.join(vol.dir, 'Game');
        expect(contentOf(moved)).toEqual(before);
        expect(lstatSync(path.join(moved, 'game.exe'), { bigint: true }).mtimeNs).toBe(1_700_000_001_000_000_000n);

        const rb = timed('cli', runWineCli(w, ['rollback', '--yes', '--state-dir', s.state], { cwd: s.c }));
        expect(rb.status, rb.stdout + rb.stderr).toBe(0);
        expect(contentOf(game)).toEqual(before);
        expect(existsSync(moved)).toBe(false);
        expect(relocateLeftovers(s.c, vol.dir)).toEqual([]);
      } finally {
        vol.unmount();
      }
    },
    240_000,
  );

  it('a junction entry: Wine cannot hold junctions, so the preflight refuses it (E_JUNCTION_FS) and nothing changes', () => {
    const s = sandbox('junction');
    mkdirSync(path.join(s.c, 'Games', 'sub'), { recursive: true });
    writeFileSync(path.join(s.c, 'Games', 'game.exe'), 'MZ');
    writeFileSync(path.join(s.c, 'relocate.yaml'), `version: 1\nlinks:\n  - link: ${s.C}\\Games\n    target: ${s.E}\\Games\n    type: junction\n`);
    const before = snapshotTree(path.join(s.c, 'Games'), s.e);
    const r = timed('cli', runWineCli(w, ['apply', '--yes', '--json', '--state-dir', s.state], { cwd: s.c }));
    expect(r.status).toBe(1);
    const out = json(r);
    expect(out.result).toBe('refused');
    expect(out.error.code).toBe('E_JUNCTION_FS');
    expect(out.error.message).toContain(`${s.C}\\Games is on a ntfs volume that does not support reparse points`);
    expect(snapshotTree(path.join(s.c, 'Games'), s.e)).toEqual(before);
    expect(existsSync(path.join(s.c, 'state', 'runs'))).toBe(false);
  }, 120_000);

  it('a symlink entry without Developer Mode or the privilege: E_SYMLINK_PRIVILEGE at plan time, nothing changes', () => {
    const s = sandbox('symlink-no-permission');
    mkdirSync(path.join(s.c, 'Cache'));
    writeFileSync(path.join(s.c, 'Cache', 'x.bin'), 'x');
    writeFileSync(path.join(s.c, 'relocate.yaml'), `version: 1\nlinks:\n  - link: ${s.C}\\Cache\n    target: ${s.E}\\Cache\n    type: symlink\n`);
    const before = snapshotTree(path.join(s.c, 'Cache'), s.e);
    const plan = timed('cli', runWineCli(w, ['plan', '--state-dir', s.state], { cwd: s.c }));
    expect(plan.status).toBe(1);
    expect(plan.stdout).toContain(`error E_SYMLINK_PRIVILEGE: ${s.C}\\Cache: creating symbolic links needs Developer Mode`);
    expect(plan.stdout).toMatch(/use `type: junction` for folders/);
    const r = json(timed('cli', runWineCli(w, ['apply', '--yes', '--json', '--state-dir', s.state], { cwd: s.c })));
    expect(r.error.code).toBe('E_SYMLINK_PRIVILEGE');
    expect(snapshotTree(path.join(s.c, 'Cache'), s.e)).toEqual(before);
  }, 120_000);

  it('a symlink entry with Developer Mode on: Wine says "done" and creates nothing → E_LINK_UNSUPPORTED, rolled back, nothing changed', () => {
    const s = sandbox('symlink-dev-mode');
    mkdirSync(path.join(s.c, 'Game', 'maps'), { recursive: true });
    writeFileSync(path.join(s.c, 'Game', 'game.exe'), 'MZ');
    writeFileSync(path.join(s.c, 'Game', 'maps', 'm1.dat'), Buffer.alloc(64 * 1024, 1));
    writeFileSync(path.join(s.c, 'relocate.yaml'), `version: 1\nlinks:\n  - link: ${s.C}\\Game\n    target: ${s.E}\\Game\n    type: symlink\n`);
    const before = snapshotTree(path.join(s.c, 'Game'), s.e);
    setDeveloperMode(w, true);
    try {
      // Developer Mode is read from the registry: symlinks are now permitted, so the plan is clean.
      const plan = json(timed('cli', runWineCli(w, ['plan', '--json', '--state-dir', s.state], { cwd: s.c })));
      expect(plan.blocked, JSON.stringify(plan).slice(0, 2000)).toBe(false);
      expect(plan.entries[0]).toMatchObject({ type: 'symlink', action: 'move', crossVolume: true });

      const r = timed('cli', runWineCli(w, ['apply', '--yes', '--json', '--state-dir', s.state], { cwd: s.c }));
      expect(r.status, r.stdout + r.stderr).toBe(1);
      const out = json(r);
      expect(out.result, r.stdout).toBe('rolled-back');
      expect(out.error, r.stdout).toMatchObject({ code: 'E_LINK_UNSUPPORTED', path: `${s.C}\\Game` });
      expect(out.error.message).toBe(`the symlink at ${s.C}\\Game was reported created, but nothing is there`);
      expect(out.undoError).toBeUndefined();
    } finally {
      setDeveloperMode(w, false);
    }
    expect(snapshotTree(path.join(s.c, 'Game'), s.e)).toEqual(before);
    expect(relocateLeftovers(s.c, s.e)).toEqual([]);
    const history = json(timed('cli', runWineCli(w, ['history', '--json', '--state-dir', s.state], { cwd: s.c })));
    expect(history.runs[0]).toMatchObject({ status: 'rolled-back', error: { code: 'E_LINK_UNSUPPORTED' } });
  }, 180_000);
});

/** Staging and old copies a run may leave behind: none after a clean rollback. */
function relocateLeftovers(...roots: string[]): string[] {
  return Object.keys(snapshotTree(...roots)).filter((p) => /\.relocate-(partial|old|backup)-/.test(p));
}
