/**
 * `relocate scan` through the built CLI, in a sandbox HOME that holds a
 * fake Steam install (its libraryfolders.vdf naming a second library), an
 * npm cache with a hard-linked file, a pip cache, Downloads with a symlink
 * to a big folder, and Videos that already is a link. Sizes are counted as
 * the plan counts them (links not followed, hard links once), verdicts come
 * from the planner, and scan leaves the sandbox as it found it.
 */
import { spawn } from 'node:child_process';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { snapshotTree } from '../helpers/snapshot.js';

interface Folder {
  path: string;
  kind: string;
  title: string;
  bytes: number;
  files: number;
  verdict: string;
  reason: string;
  mover?: string;
  linkTarget?: string;
  drive: string;
}
interface Doc {
  formatVersion: number;
  scanned: string[] | null;
  found: number;
  top: number;
  to: string | null;
  folders: Folder[];
  drives: { root: string; label: string; totalBytes: number; freeBytes: number; freeAfterPlan?: number }[];
  links: { link: string; target: string; type: string }[];
  problems: { path: string; message: string }[];
}

let root: string;
let home: string;
let env: Record<string, string>;
const p = (...parts: string[]) => path.join(root, ...parts);

function file(at: string, bytes: number): void {
  mkdirSync(path.dirname(at), { recursive: true });
  writeFileSync(at, Buffer.alloc(bytes, 7));
}

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-scan-'));
  home = p('home');
  const steam = path.join(home, '.local', 'share', 'Steam');
  const library = p('games', 'SteamLibrary');
  file(path.join(steam, 'steamapps', 'common', 'Portal', 'portal.bin'), 3000);
  file(path.join(library, 'steamapps', 'common', 'Doom', 'doom.wad'), 5000);
  writeFileSync(
    path.join(steam, 'steamapps', 'libraryfolders.vdf'),
    `"libraryfolders"\n{\n\t"0"\n\t{\n\t\t"path"\t\t"${steam}"\n\t\t"apps"\n\t\t{\n\t\t\t"400"\t\t"3000"\n\t\t}\n\t}\n\t"1"\n\t{\n\t\t"path"\t\t"${library}"\n\t}\n}\n`,
  );
  // ~/.steam/steam is a link to the real Steam folder, as the Linux client makes it: the library is listed once.
  mkdirSync(path.join(home, '.steam'), { recursive: true });
  symlinkSync(steam, path.join(home, '.steam', 'steam'));
  // The npm cache: one file of 2000 bytes with two names, counted once.
  file(path.join(home, '.npm', '_cacache', 'content', 'a'), 2000);
  linkSync(path.join(home, '.npm', '_cacache', 'content', 'a'), path.join(home, '.npm', '_cacache', 'content', 'b'));
  file(p('xdg-cache', 'pip', 'http', 'wheel'), 1000);
  // Downloads: 8000 bytes of its own and a symlink to the big library, which is not followed.
  file(path.join(home, 'Downloads', 'big.iso'), 8000);
  symlinkSync(library, path.join(home, 'Downloads', 'to-library'));
  // Videos already moved by hand: a link.
  file(p('media', 'Videos', 'film.mkv'), 4000);
  symlinkSync(p('media', 'Videos'), path.join(home, 'Videos'));
  file(path.join(home, '.config', 'nvim', 'init.lua'), 10);
  env = {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    // Also where the single executable keeps its native addon (vitest.config.ts): left out of the snapshot.
    XDG_CACHE_HOME: p('xdg-cache'),
    XDG_STATE_HOME: p('state'),
    RELOCATE_STATE_DIR: p('state', 'relocate'),
  };
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function scan(args: string[]): Promise<Doc> {
  const r = await runCliAsync(['scan', ...args, '--json'], { env, cwd: root });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Doc;
}

const byPath = (d: Doc, at: string) => d.folders.find((f) => f.path === at);

describe('relocate scan: the known large folders', () => {
  let doc: Doc;
  beforeAll(async () => {
    doc = await scan([]);
  });

  it('prints one ScanReport: folders, drives, links, problems', () => {
    expect(doc).toMatchObject({ formatVersion: 1, scanned: null, top: 20, to: null });
    expect(Object.keys(doc).sort()).toEqual(['drives', 'folders', 'formatVersion', 'found', 'links', 'problems', 'scanned', 'to', 'top']);
    for (const f of doc.folders) {
      expect(Object.keys(f).sort()).toEqual(expect.arrayContaining(['bytes', 'drive', 'files', 'kind', 'path', 'reason', 'title', 'verdict']));
      expect(['safe', 'owner-mover', 'caution', 'never']).toContain(f.verdict);
      expect(f.drive).not.toBe('');
    }
    expect(doc.problems).toEqual([]);
  });

  it("finds both Steam libraries from libraryfolders.vdf, each once, and sends them to Steam's own mover", () => {
    const steam = doc.folders.filter((f) => f.kind === 'steam');
    expect(steam.map((f) => f.path).sort()).toEqual(
      [p('games', 'SteamLibrary', 'steamapps', 'common'), path.join(home, '.local', 'share', 'Steam', 'steamapps', 'common')].sort(),
    );
    for (const f of steam) {
      expect(f.verdict).toBe('owner-mover');
      expect(f.mover).toBe('Steam > Settings > Storage');
    }
    expect(byPath(doc, p('games', 'SteamLibrary', 'steamapps', 'common'))).toMatchObject({ bytes: 5000, files: 1 });
  });

  it('the npm cache counts its hard-linked file once; caches and Downloads are safe', () => {
    expect(byPath(doc, path.join(home, '.npm'))).toMatchObject({ kind: 'cache', title: 'npm cache', bytes: 2000, files: 1, verdict: 'safe' });
    expect(byPath(doc, p('xdg-cache', 'pip'))).toMatchObject({ kind: 'cache', title: 'pip cache', bytes: 1000, verdict: 'safe' });
    // The symlink to the 5000-byte library inside Downloads is not followed.
    expect(byPath(doc, path.join(home, 'Downloads'))).toMatchObject({ kind: 'user-folder', bytes: 8000, files: 1, verdict: 'safe' });
  });

  it('a folder that already is a link says where it points, and is not measured through it', () => {
    expect(byPath(doc, path.join(home, 'Videos'))).toMatchObject({ kind: 'user-folder', bytes: 0, linkTarget: p('media', 'Videos') });
    expect(doc.links).toContainEqual({ link: path.join(home, 'Videos'), target: p('media', 'Videos'), type: 'symlink' });
  });

  it('largest first; drives with their free space', () => {
    const sizes = doc.folders.map((f) => f.bytes);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect(doc.folders[0]!.path).toBe(path.join(home, 'Downloads'));
    expect(doc.found).toBe(doc.folders.length);
    expect(doc.drives.length).toBeGreaterThan(0);
    for (const d of doc.drives) {
      expect(d.totalBytes).toBeGreaterThan(0);
      expect(d.freeBytes).toBeGreaterThanOrEqual(0);
      expect(d.freeAfterPlan).toBeUndefined();
    }
    expect(doc.drives.map((d) => d.root)).toEqual(expect.arrayContaining([...new Set(doc.folders.map((f) => f.drive))]));
  });

  it('--top N keeps the N largest and says how many were found', async () => {
    const two = await scan(['--top', '2']);
    expect(two.folders.map((f) => f.path)).toEqual(doc.folders.slice(0, 2).map((f) => f.path));
    expect(two.found).toBe(doc.found);
    expect(two.top).toBe(2);
  });

  it('text: a table of size, verdict, path and reason, then drives and links', async () => {
    const r = await runCliAsync(['scan'], { env, cwd: root });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SIZE\s+VERDICT\s+PATH\s+REASON/);
    expect(r.stdout).toMatch(
      new RegExp(`7\\.8 KiB\\s+safe\\s+${path.join(home, 'Downloads').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+your Downloads folder`),
    );
    expect(r.stdout).toMatch(/owner's mover .*use Steam > Settings > Storage/);
    expect(r.stdout).toMatch(/^Drives:$/m);
    expect(r.stdout).toContain(`${path.join(home, 'Videos')} -> ${p('media', 'Videos')} (symlink)`);
  });
});

describe('relocate scan PATH: every entry of a folder', () => {
  it("measures each entry of PATH, keeps the known ones' names, never follows links", async () => {
    const doc = await scan([home]);
    expect(doc.scanned).toEqual([home]);
    expect(doc.folders.map((f) => path.basename(f.path)).sort()).toEqual(['.config', '.local', '.npm', '.steam', 'Downloads', 'Videos']);
    expect(byPath(doc, path.join(home, '.npm'))).toMatchObject({ kind: 'cache', title: 'npm cache', bytes: 2000, verdict: 'safe' });
    expect(byPath(doc, path.join(home, '.steam'))).toMatchObject({ kind: 'walk', bytes: 0 });
    expect(byPath(doc, path.join(home, 'Downloads'))).toMatchObject({ bytes: 8000 });
    expect(byPath(doc, path.join(home, '.config'))).toMatchObject({ verdict: 'caution' });
    expect(doc.links.map((l) => l.link).sort()).toEqual([path.join(home, 'Videos')]);
  });

  it("the planner's verdicts on what a walk finds (one program's data is caution)", async () => {
    const doc = await scan([path.join(home, '.config'), path.join(home, '.local', 'share')]);
    expect(byPath(doc, path.join(home, '.config', 'nvim'))).toMatchObject({ verdict: 'caution', kind: 'walk', title: 'nvim' });
    expect(byPath(doc, path.join(home, '.local', 'share', 'Steam'))).toMatchObject({
      verdict: 'caution',
      bytes: 3000 + statSync(path.join(home, '.local', 'share', 'Steam', 'steamapps', 'libraryfolders.vdf')).size,
    });
  });

  it.skipIf(process.platform !== 'linux')(
    'caution names the program that has files open in the folder (the in-use probe: here a process working in it)',
    async () => {
      const app = path.join(home, '.config', 'nvim');
      const holder = spawn('sleep', ['30'], { cwd: app, stdio: 'ignore' });
      try {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const doc = await scan([path.join(home, '.config')]);
        expect(byPath(doc, app)!.reason).toMatch(/sleep has files open in it now: close it first/);
      } finally {
        holder.kill();
      }
    },
  );

  it("--to DIR: each drive's free space after the safe folders listed moved to DIR's drive", async () => {
    const doc = await scan([home, '--to', p('not-yet', 'there')]);
    expect(doc.to).toBe(p('not-yet', 'there'));
    const here = doc.drives.find((d) => d.root === byPath(doc, path.join(home, 'Downloads'))!.drive)!;
    // The destination is on the same drive: nothing leaves it.
    expect(here.freeAfterPlan).toBe(here.freeBytes);
  });

  const shm = '/dev/shm';
  const otherDrive = (() => {
    try {
      return lstatSync(shm).isDirectory() && statSync(shm).dev !== statSync(os.tmpdir()).dev;
    } catch {
      return false;
    }
  })();
  it.skipIf(!otherDrive)('--to on another drive: the safe folders leave theirs and arrive on it (needs /dev/shm on its own volume)', async () => {
    const doc = await scan([home, '--to', path.join(shm, 'relocate-scan-never-made')]);
    const moving = doc.folders.filter((f) => f.verdict === 'safe' && f.linkTarget === undefined).reduce((s, f) => s + f.bytes, 0);
    expect(moving).toBeGreaterThan(8000);
    const dest = doc.drives.find((d) => d.root === '/dev/shm')!;
    expect(dest.freeAfterPlan).toBe(dest.freeBytes - moving);
    const from = doc.drives.find((d) => d.root === byPath(doc, path.join(home, 'Downloads'))!.drive)!;
    expect(from.freeAfterPlan).toBe(from.freeBytes + moving);
  });
});

describe('plan and scan agree', () => {
  it('plan warns W_OWNER_MOVER on the Steam library scan sends to Steam, and refuses what scan calls never', async () => {
    const doc = await scan([]);
    const library = p('games', 'SteamLibrary', 'steamapps', 'common');
    expect(byPath(doc, library)!.verdict).toBe('owner-mover');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'relocate-scan-plan-'));
    try {
      writeFileSync(
        path.join(dir, 'relocate.yaml'),
        `version: 1\nlinks:\n  - link: ${library}\n    target: ${path.join(dir, 'common')}\n  - link: ${home}\n    target: ${path.join(dir, 'home')}\n`,
      );
      const r = await runCliAsync(['plan', '--json'], { env, cwd: dir });
      expect(r.status, r.stderr).toBe(1);
      const plan = JSON.parse(r.stdout) as { entries: { link: string; findings: { code: string; severity: string; hint?: string }[] }[] };
      const steam = plan.entries.find((e) => e.link === library)!;
      expect(steam.findings).toContainEqual(
        expect.objectContaining({ code: 'W_OWNER_MOVER', severity: 'warning', hint: expect.stringContaining(byPath(doc, library)!.mover!) }),
      );
      expect(plan.entries.find((e) => e.link === home)!.findings.map((f) => f.code)).toContain('E_PROTECTED');
      expect((await scan([p()])).folders.find((f) => f.path === home)!.verdict).toBe('never');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('relocate scan: a Steam library list Steam could not read', () => {
  it('is a problem in the report, not a failure: the Steam folder itself is still measured', async () => {
    const other = p('broken-home');
    const steam = path.join(other, '.local', 'share', 'Steam');
    file(path.join(steam, 'steamapps', 'common', 'Game', 'g.bin'), 100);
    writeFileSync(path.join(steam, 'steamapps', 'libraryfolders.vdf'), '"libraryfolders"\n{\n\t"0"\n\t{\n');
    try {
      const r = await runCliAsync(['scan', '--json'], {
        env: { ...env, HOME: other, XDG_CONFIG_HOME: path.join(other, '.config'), XDG_DATA_HOME: path.join(other, '.local', 'share') },
        cwd: root,
      });
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as Doc;
      expect(doc.problems).toContainEqual({
        path: path.join(steam, 'steamapps', 'libraryfolders.vdf'),
        message: expect.stringMatching(/not a Steam library list Steam could read \(line 4, column 2: a block `\{` is not closed\); only .* is scanned/),
      });
      expect(byPath(doc, path.join(steam, 'steamapps', 'common'))).toMatchObject({ bytes: 100, verdict: 'owner-mover' });
      const text = await runCliAsync(['scan'], {
        env: { ...env, HOME: other, XDG_CONFIG_HOME: path.join(other, '.config'), XDG_DATA_HOME: path.join(other, '.local', 'share') },
        cwd: root,
      });
      expect(text.stdout).toMatch(/^Not measured:$/m);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('relocate scan: errors, and nothing written', () => {
  it('a PATH that does not exist is E_NOT_FOUND with the path and a hint', async () => {
    const missing = p('no-such-folder');
    const r = await runCliAsync(['scan', missing], { env, cwd: root });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error E_NOT_FOUND: nothing at ${missing}`);
    expect(r.stderr).toMatch(/hint: .*nothing was changed/);
    const j = await runCliAsync(['scan', missing, '--json'], { env, cwd: root });
    expect(j.status).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ error: { code: 'E_NOT_FOUND', path: missing } });
  });

  it.each([
    [['--top', '0'], /--top needs a whole number/],
    [['--top', 'many'], /--top needs a whole number/],
    [['--frobnicate'], /has no --frobnicate option/],
  ])('bad options are E_USAGE (%s)', async (args, message) => {
    const r = await runCliAsync(['scan', ...args], { env, cwd: root });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/E_USAGE/);
    expect(r.stderr).toMatch(message);
  });

  it('a file given as PATH is E_USAGE', async () => {
    const r = await runCliAsync(['scan', path.join(home, 'Downloads', 'big.iso')], { env, cwd: root });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('E_USAGE');
    expect(r.stderr).toContain('is a file, not a folder');
  });

  it('scan leaves the sandbox as it was: every name, size, mode, time, content and link text', async () => {
    const look = () => {
      const snap = snapshotTree(root);
      // The single executable keeps its native addon in XDG_CACHE_HOME (vitest.config.ts): not scan's doing.
      for (const k of Object.keys(snap)) if (k.startsWith(p('xdg-cache', 'relocate'))) delete snap[k];
      // Folder times too: a file made and removed again would change its folder's.
      const dirTimes: Record<string, number> = {};
      for (const k of Object.keys(snap)) if (snap[k]!.startsWith('dir') && !k.startsWith(p('xdg-cache'))) dirTimes[k] = lstatSync(k).mtimeMs;
      return { snap, dirTimes, top: readdirSync(root).sort() };
    };
    const before = look();
    for (const args of [[], [home], [home, '--to', p('elsewhere')], [p('games'), '--top', '1']]) {
      const r = await runCliAsync(['scan', ...args], { env, cwd: root });
      expect(r.status, r.stderr).toBe(0);
    }
    expect(look()).toEqual(before);
  });
});
