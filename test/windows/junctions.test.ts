/**
 * Real junctions on real Windows (windows-latest in CI; Wine cannot make
 * junctions, see wine.test.ts): the native layer tells a junction from a
 * directory symlink by its reparse tag, and the built CLI creates, detects,
 * relinks, removes and rolls back junctions — and never follows a junction
 * inside a tree it moves, copies or deletes. Files held open are named by
 * the Restart Manager before anything moves.
 *
 * Skipped, with the reason printed, everywhere but Windows.
 */
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeFs } from '../../src/platform/node-fs.js';
import { diskReader } from '../../src/platform/disk-reader.js';
import { detectCapabilities } from '../../src/platform/capabilities.js';
import { IO_REPARSE_TAG_MOUNT_POINT, IO_REPARSE_TAG_SYMLINK, findDataTag, probeLink, readReparsePoint } from '../../src/platform/windows/reparse.js';
import { windowsVolumeInfo } from '../../src/platform/windows/volume.js';
import { loadWin32, type Win32 } from '../../src/platform/windows/win32.js';
import { WIN_STYLE } from '../helpers/plan-fixtures.js';
import { REPO_ROOT, runCli, type CliResult } from '../helpers/cli.js';
import { contentOf } from '../helpers/snapshot.js';

const reason =
  process.platform === 'win32' ? undefined : `junctions exist only on Windows (this is ${process.platform}); they run natively on windows-latest in CI`;
if (reason) console.warn(`test/windows/junctions: skipped: ${reason}`);

/** Can this account make directory symlinks (an elevated runner can)? Some cases need one to compare with. */
function canSymlink(dir: string): boolean {
  try {
    mkdirSync(path.join(dir, 'probe-target'), { recursive: true });
    symlinkSync(path.join(dir, 'probe-target'), path.join(dir, 'probe-link'), 'dir');
    const ok = lstatSync(path.join(dir, 'probe-link')).isSymbolicLink();
    rmSync(path.join(dir, 'probe-link'), { force: true, recursive: false });
    return ok;
  } catch {
    return false;
  }
}

function json(r: CliResult): any {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** A Windows path compared as Windows does (case-insensitive), without the trailing backslash libuv gives junction targets. */
const norm = (p: string | undefined) => (p ?? '').toLowerCase().replace(/\\+$/, '');

/** A single-quoted YAML scalar (backslashes stay as they are). */
const q = (p: string) => `'${p.replace(/'/g, "''")}'`;

function manifest(dir: string, entries: { link: string; target: string; type?: string; state?: string }[]): string {
  const file = path.join(dir, 'relocate.yaml');
  const body = entries
    .map((e) => `  - link: ${q(e.link)}\n    target: ${q(e.target)}\n` + (e.type ? `    type: ${e.type}\n` : '') + (e.state ? `    state: ${e.state}\n` : ''))
    .join('');
  writeFileSync(file, `version: 1\nlinks:\n${body}`);
  return file;
}

describe.skipIf(reason !== undefined)('junctions on Windows', () => {
  let root: string;
  let w: Win32;
  let symlinksToo = false;
  const cli = (args: string[]) => runCli([...args, '--state-dir', path.join(root, 'state')], { cwd: root });

  beforeAll(async () => {
    // The long-name path: a temp folder reached through an 8.3 name (RUNNER~1) would be spelt two ways.
    root = realpathSync.native(mkdtempSync(path.join(os.tmpdir(), 'relocate-junctions-')));
    const loaded = await loadWin32();
    if (!loaded) throw new Error('the Win32 layer did not load on Windows');
    w = loaded;
    symlinksToo = canSymlink(root);
    if (!symlinksToo) console.warn('test/windows/junctions: this account cannot make symlinks; the symlink comparisons are skipped');
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the native layer: reparse tags, a junction target, NTFS volume facts, capabilities', async () => {
    const target = path.join(root, 'native', 'target');
    mkdirSync(target, { recursive: true });
    const j = path.join(root, 'native', 'junction');
    symlinkSync(target, j, 'junction');
    expect(lstatSync(j).isSymbolicLink()).toBe(true); // what Node says for both kinds
    expect(findDataTag(w, j).reparseTag).toBe(IO_REPARSE_TAG_MOUNT_POINT);
    const info = readReparsePoint(w, j)!;
    expect(info.kind).toBe('junction');
    expect(norm(info.target)).toBe(norm(target));
    expect(probeLink(w, j)).toEqual({ kind: 'junction', target: info.target });
    expect(readReparsePoint(w, target)).toBeNull();
    expect((await new NodeFs().lstat(j))?.kind).toBe('junction');
    const observed = await (await diskReader()).observe(j, WIN_STYLE);
    expect(observed).toMatchObject({ kind: 'junction', linkTargetKind: 'dir' });
    expect(norm('linkTarget' in observed ? observed.linkTarget : undefined)).toBe(norm(target));
    if (symlinksToo) {
      const s = path.join(root, 'native', 'dirsymlink');
      symlinkSync(target, s, 'dir');
      expect(findDataTag(w, s).reparseTag).toBe(IO_REPARSE_TAG_SYMLINK);
      expect(probeLink(w, s).kind).toBe('symlink');
      expect((await new NodeFs().lstat(s))?.kind).toBe('symlink');
      expect((await (await diskReader()).observe(s, WIN_STYLE)).kind).toBe('symlink');
    }
    const v = windowsVolumeInfo(w, root);
    expect(v).toMatchObject({ fsType: 'ntfs', remote: false, readOnly: false, supportsReparsePoints: true, supportsHardLinks: true });
    expect(v.id).toMatch(/^[A-Z]:\\$/);
    expect(v.freeBytes).toBeGreaterThan(0);
    const caps = await detectCapabilities();
    expect(caps.junctions).toBe(true);
    expect(caps.symlinks).toBe(symlinksToo);
  });

  it('create, detect (in sync), relink, remove (state: absent) and roll back a junction through the CLI', () => {
    const dir = path.join(root, 'cycle');
    const games = path.join(dir, 'Games');
    const store = path.join(dir, 'Store', 'Games');
    const store2 = path.join(dir, 'Store2', 'Games');
    mkdirSync(path.join(games, 'sub'), { recursive: true });
    writeFileSync(path.join(games, 'game.exe'), 'MZ game');
    writeFileSync(path.join(games, 'sub', 'save.dat'), 'save');
    mkdirSync(store2, { recursive: true });
    writeFileSync(path.join(store2, 'other.txt'), 'other');
    const before = contentOf(games);

    // Create: the folder moves (same volume: one MoveFileExW), a junction is left at its place.
    let m = manifest(dir, [{ link: games, target: store, type: 'junction' }]);
    const plan = json(cli(['plan', m, '--json']));
    expect(plan.entries[0]).toMatchObject({ action: 'move', type: 'junction', crossVolume: false });
    let r = cli(['apply', m, '--yes']);
    expect(r.status, r.stderr).toBe(0);
    expect(readReparsePoint(w, games)?.kind).toBe('junction');
    expect(norm(readlinkSync(games))).toBe(norm(store));
    expect(contentOf(store)).toEqual(before);
    expect(readFileSync(path.join(games, 'sub', 'save.dat'), 'utf8')).toBe('save'); // read through the junction

    // Detect: observed as a junction to the target, so in sync.
    r = cli(['status', m]);
    expect(r.status, r.stdout + r.stderr).toBe(0);

    // Relink: the junction is pointed elsewhere; the old destination is untouched.
    m = manifest(dir, [{ link: games, target: store2, type: 'junction' }]);
    const relinkPlan = json(cli(['plan', m, '--json']));
    expect(relinkPlan.entries[0]).toMatchObject({ action: 'relink', type: 'junction' });
    expect(norm(relinkPlan.entries[0].oldTarget)).toBe(norm(store));
    r = cli(['apply', m, '--yes']);
    expect(r.status, r.stderr).toBe(0);
    expect(norm(readReparsePoint(w, games)?.target)).toBe(norm(store2));
    expect(contentOf(store)).toEqual(before);

    // Roll the relink back: the junction points to the first store again.
    r = cli(['rollback', '--yes']);
    expect(r.status, r.stderr).toBe(0);
    expect(norm(readReparsePoint(w, games)?.target)).toBe(norm(store));

    // Remove: state: absent takes the junction away and brings the data back.
    m = manifest(dir, [{ link: games, target: store, type: 'junction', state: 'absent' }]);
    r = cli(['apply', m, '--yes']);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(games).isSymbolicLink()).toBe(false);
    expect(contentOf(games)).toEqual(before);
    expect(existsSync(store)).toBe(false);

    // Roll the removal back: the junction is back, the data at the store again.
    r = cli(['rollback', '--yes']);
    expect(r.status, r.stderr).toBe(0);
    expect(readReparsePoint(w, games)?.kind).toBe('junction');
    expect(contentOf(store)).toEqual(before);

    // And the first run: rolled back, the folder is a plain folder again.
    const history = json(cli(['history', '--json']));
    const firstDone = history.runs.filter((x: { status: string }) => x.status === 'done').pop();
    r = cli(['rollback', firstDone.id, '--yes']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(lstatSync(games).isDirectory() && !lstatSync(games).isSymbolicLink()).toBe(true);
    expect(contentOf(games)).toEqual(before);
  }, 120_000);

  it('a directory symlink where a junction is wanted is replaced by a junction (wrong link kind)', () => {
    if (!symlinksToo) return;
    const dir = path.join(root, 'kind');
    const target = path.join(dir, 'Data');
    const link = path.join(dir, 'Link');
    mkdirSync(target, { recursive: true });
    writeFileSync(path.join(target, 'f.txt'), 'f');
    symlinkSync(target, link, 'dir');
    const m = manifest(dir, [{ link, target, type: 'junction' }]);
    const plan = json(cli(['plan', m, '--json']));
    expect(plan.entries[0]).toMatchObject({ action: 'relink', type: 'junction' });
    const r = cli(['apply', m, '--yes']);
    expect(r.status, r.stderr).toBe(0);
    expect(readReparsePoint(w, link)?.kind).toBe('junction');
    expect(readFileSync(path.join(target, 'f.txt'), 'utf8')).toBe('f');
    expect(cli(['rollback', '--yes']).status).toBe(0);
    expect(readReparsePoint(w, link)?.kind).toBe('symlink');
  }, 60_000);

  /** A folder holding a junction to a folder outside it: moving or deleting the folder must not touch the outside. */
  function treeWithJunction(dir: string) {
    const outside = path.join(dir, 'Outside');
    const games = path.join(dir, 'Games');
    mkdirSync(outside, { recursive: true });
    writeFileSync(path.join(outside, 'precious.txt'), 'do not follow me');
    mkdirSync(games, { recursive: true });
    writeFileSync(path.join(games, 'game.exe'), 'MZ');
    symlinkSync(outside, path.join(games, 'shared'), 'junction');
    return { outside, games, outsideBefore: contentOf(outside) };
  }

  it('a tree containing a junction moves on one volume without following it, and rolls back', () => {
    const dir = path.join(root, 'inner-same');
    const { outside, games, outsideBefore } = treeWithJunction(dir);
    const store = path.join(dir, 'Store', 'Games');
    const m = manifest(dir, [{ link: games, target: store, type: 'junction' }]);
    const plan = json(cli(['plan', m, '--json']));
    // The inner junction is counted as a link, not entered: one file moves.
    expect(plan.entries[0]).toMatchObject({ action: 'move', crossVolume: false, files: 1 });
    let r = cli(['apply', m, '--yes']);
    expect(r.status, r.stderr).toBe(0);
    expect(readReparsePoint(w, path.join(store, 'shared'))?.kind).toBe('junction');
    expect(norm(readReparsePoint(w, path.join(store, 'shared'))?.target)).toBe(norm(outside));
    expect(contentOf(outside)).toEqual(outsideBefore);
    r = cli(['rollback', '--yes']);
    expect(r.status, r.stderr).toBe(0);
    expect(readReparsePoint(w, path.join(games, 'shared'))?.kind).toBe('junction');
    expect(contentOf(outside)).toEqual(outsideBefore);
  }, 60_000);

  // A second volume: the checkout (D:\a\… on GitHub's runners) when the temp folder is on another drive.
  const otherVolume = path.join(REPO_ROOT, 'node_modules', '.cache', 'relocate-junction-tests');
  const crossReason =
    process.platform !== 'win32'
      ? reason
      : path.parse(path.resolve(REPO_ROOT)).root.toUpperCase() === path.parse(os.tmpdir()).root.toUpperCase()
        ? 'the checkout and the temp folder are on one drive'
        : undefined;

  it.skipIf(crossReason !== undefined)(
    'a tree containing a junction moves to another volume: copied as a link, never followed, and the old copy is deleted without entering it',
    () => {
      // The copy recreates the inner link as a directory symlink, which needs the symlink permission.
      if (!symlinksToo) return;
      const dir = path.join(root, 'inner-cross');
      const { outside, games, outsideBefore } = treeWithJunction(dir);
      mkdirSync(otherVolume, { recursive: true });
      const far = mkdtempSync(path.join(otherVolume, 'v-'));
      const store = path.join(far, 'Games');
      try {
        const m = manifest(dir, [{ link: games, target: store, type: 'junction' }]);
        const plan = json(cli(['plan', m, '--json']));
        expect(plan.entries[0]).toMatchObject({ action: 'move', crossVolume: true, files: 1 });
        let r = cli(['apply', m, '--yes']);
        expect(r.status, r.stdout + r.stderr).toBe(0);
        // The copy holds a link to the outside folder (not a copy of it), and the outside is intact after the old copy was deleted.
        const inner = path.join(store, 'shared');
        expect(lstatSync(inner).isSymbolicLink()).toBe(true);
        expect(['junction', 'symlink']).toContain(readReparsePoint(w, inner)?.kind);
        expect(norm(readlinkSync(inner))).toBe(norm(outside));
        expect(contentOf(outside)).toEqual(outsideBefore);
        expect(readReparsePoint(w, games)?.kind).toBe('junction');
        r = cli(['rollback', '--yes']);
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(lstatSync(path.join(games, 'shared')).isSymbolicLink()).toBe(true);
        expect(contentOf(outside)).toEqual(outsideBefore);
        expect(existsSync(store)).toBe(false);
      } finally {
        rmSync(far, { recursive: true, force: true });
      }
    },
    120_000,
  );

  it('deleting a tree that holds a junction removes the junction, not what it points to', async () => {
    const dir = path.join(root, 'delete');
    const { outside, games, outsideBefore } = treeWithJunction(dir);
    await new NodeFs().deleteTree(games);
    expect(existsSync(games)).toBe(false);
    expect(contentOf(outside)).toEqual(outsideBefore);
    // And removeLink on a junction removes the junction only.
    const j = path.join(dir, 'J');
    symlinkSync(outside, j, 'junction');
    await new NodeFs().removeLink(j);
    expect(existsSync(j)).toBe(false);
    expect(contentOf(outside)).toEqual(outsideBefore);
  });

  it('a file held open is named by the Restart Manager before anything moves (E_IN_USE), and nothing changes', () => {
    const dir = path.join(root, 'in-use');
    const games = path.join(dir, 'Games');
    mkdirSync(games, { recursive: true });
    const held = path.join(games, 'held.bin');
    writeFileSync(held, 'held');
    writeFileSync(path.join(games, 'free.bin'), 'free');
    const m = manifest(dir, [{ link: games, target: path.join(dir, 'Store', 'Games'), type: 'junction' }]);
    const fd = openSync(held, 'r');
    try {
      const plan = json(cli(['plan', m, '--json']));
      const f = plan.entries[0].findings.find((x: { code: string }) => x.code === 'E_IN_USE');
      expect(f, JSON.stringify(plan.entries[0].findings)).toBeDefined();
      expect(f.path.toLowerCase()).toBe(held.toLowerCase());
      expect(f.message).toMatch(new RegExp(`is used by node\\.exe \\(pid ${process.pid}\\)$`, 'i'));
      const r = json(cli(['apply', m, '--yes', '--json']));
      expect(r.error.code).toBe('E_IN_USE');
      expect(lstatSync(games).isSymbolicLink()).toBe(false);
    } finally {
      closeSync(fd);
    }
    const plan = json(cli(['plan', m, '--json']));
    expect(plan.entries[0].findings.filter((x: { code: string }) => x.code === 'E_IN_USE')).toEqual([]);
  }, 60_000);
});
