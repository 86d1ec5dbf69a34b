import { existsSync, lstatSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { runUnchanged, Sandbox } from '../state/cli-sandbox.js';

/**
 * `relocate import` on real sandboxes: links with relative and absolute
 * texts, a link to a folder (reported, never entered), a broken link,
 * nested folders with --recursive; the round trip import → status (exit 0,
 * disk unchanged); and `--write` into a commented manifest checked against
 * an exact expected file.
 */

const FIXTURES = fileURLToPath(new URL('../fixtures/import/', import.meta.url));

interface ImportJson {
  formatVersion: number;
  manifest: string | null;
  entries: { link: string; target: string; type: string; broken: boolean; linkText: string; written: { link: string; target: string } }[];
  skipped: { link: string; target: string; code: string; reason: string }[];
  yaml?: string;
  diff?: string | null;
  written?: boolean;
  created?: boolean;
  added?: number;
}

let sb: Sandbox | undefined;
afterEach(() => {
  sb?.cleanup();
  sb = undefined;
});

/**
 * home/             (HOME for the run)
 *   abs-dir     -> <root>/data/games           absolute text, a folder
 *   rel-file    -> ../data/readme.txt          relative text, a file
 *   broken      -> ../nowhere                  broken
 *   into        -> ../data/with-links          a folder holding links: never entered
 *   notes.txt                                   a file, not a link
 *   sub/nested  -> ../../data/games/save       found only with --recursive
 *   sub/deeper/x -> /<root>/data/readme.txt    two levels down
 */
function homeSandbox(): Sandbox {
  const s = new Sandbox('import');
  s.file('data/games/save/slot1', 'save');
  s.file('data/readme.txt', 'hello');
  s.dir('data/with-links');
  s.symlink('data/with-links/inner', '../games');
  s.symlink('home/abs-dir', s.p('data/games'));
  s.symlink('home/rel-file', '../data/readme.txt');
  s.symlink('home/broken', '../nowhere');
  s.symlink('home/into', '../data/with-links');
  s.file('home/notes.txt', 'not a link');
  s.symlink('home/sub/nested', '../../data/games/save');
  s.symlink('home/sub/deeper/x', s.p('data/readme.txt'));
  return s;
}

async function importJson(s: Sandbox, args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; doc: ImportJson; stderr: string }> {
  const r = await runUnchanged(s, ['import', ...args, '--json'], { env: { HOME: s.p('home'), ...env } });
  expect(r.stderr, 'no prose on stderr with --json').toBe('');
  return { status: r.status, doc: JSON.parse(r.stdout) as ImportJson, stderr: r.stderr };
}

/**
 * `relocate status --json` over an imported manifest: every entry in sync
 * except the imported broken link, which status reports as drift (a link
 * whose target is missing is never "in sync").
 */
async function expectOnlyBrokenDrift(args: string[], opts: { cwd: string; env: Record<string, string> }, broken: string): Promise<void> {
  const st = await runCliAsync([...args, '--json'], opts);
  expect(st.status, st.stdout + st.stderr).toBe(2);
  const doc = JSON.parse(st.stdout) as { problems: { kind: string; link?: string }[]; entries: { link: string; action: string }[] };
  expect(doc.problems.map((x) => [x.kind, x.link])).toEqual([['target-missing', broken]]);
  expect(doc.entries.filter((e) => e.action !== 'none' && e.action !== 'skip')).toEqual([]);
}

describe('relocate import (printing)', () => {
  it('finds the links of a folder without following them, relative and absolute texts resolved', async () => {
    sb = homeSandbox();
    const { status, doc } = await importJson(sb, ['home']);
    expect(status).toBe(0);
    expect(doc.manifest).toBeNull();
    const root = sb.root;
    expect(doc.entries.map((e) => [path.relative(root, e.link), path.relative(root, e.target), e.type, e.broken, e.linkText])).toEqual([
      ['home/abs-dir', 'data/games', 'symlink', false, sb.p('data/games')],
      ['home/broken', 'nowhere', 'symlink', true, '../nowhere'],
      ['home/into', 'data/with-links', 'symlink', false, '../data/with-links'],
      ['home/rel-file', 'data/readme.txt', 'symlink', false, '../data/readme.txt'],
    ]);
    // A link to a folder is reported, never entered: the link inside it is not found.
    expect(doc.entries.some((e) => e.link.includes('inner'))).toBe(false);
    expect(doc.skipped).toEqual([]);
  });

  it('--recursive walks real subfolders, still never entering a link', async () => {
    sb = homeSandbox();
    const { doc } = await importJson(sb, ['home', '--recursive']);
    expect(doc.entries.map((e) => path.relative(sb!.root, e.link))).toEqual([
      'home/abs-dir',
      'home/broken',
      'home/into',
      'home/rel-file',
      'home/sub/deeper/x',
      'home/sub/nested',
    ]);
  });

  it('prints a complete manifest (paths in HOME as ~) on stdout, and what it found on stderr', async () => {
    sb = homeSandbox();
    const r = await runUnchanged(sb, ['import', 'home'], { env: { HOME: sb.p('home') } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^# Links found by `relocate import`/);
    expect(r.stdout).toContain('version: 1\nlinks:\n');
    expect(r.stdout).toContain(`  - link: ~/abs-dir\n    target: ${sb.p('data/games')}\n    type: symlink\n`);
    expect(r.stdout).toContain(`  # broken link: ${sb.p('nowhere')} does not exist\n  - link: ~/broken\n`);
    expect(r.stderr).toContain('Found 4 links');
    expect(r.stderr).toMatch(/warning: .*broken is a broken link/);
    // What was printed is a manifest status accepts.
    const file = sb.manifest(r.stdout, 'printed.yaml');
    await expectOnlyBrokenDrift(['status', file, '--state-dir', sb.stateDir], { cwd: sb.root, env: { HOME: sb.p('home') } }, sb.p('home/broken'));
  });

  it('a path that is itself a link is reported, not entered', async () => {
    sb = homeSandbox();
    const { doc } = await importJson(sb, ['home/into', '--recursive']);
    expect(doc.entries.map((e) => path.relative(sb!.root, e.link))).toEqual(['home/into']);
  });

  it('leaves out chains and paths the manifest would read as a glob, saying why', async () => {
    sb = homeSandbox();
    sb.symlink('home/chain', 'abs-dir');
    sb.symlink('home/games[old]', '../data/games');
    const { doc } = await importJson(sb, ['home']);
    expect(doc.skipped.map((s) => [path.relative(sb!.root, s.link), s.code])).toEqual([
      ['home/chain', 'chain'],
      ['home/games[old]', 'unwritable'],
    ]);
    expect(doc.skipped[0]!.reason).toContain(`import the link at ${sb.p('home/abs-dir')} instead`);
  });

  it('a missing path is E_NOT_FOUND, nothing written', async () => {
    sb = homeSandbox();
    const r = await runUnchanged(sb, ['import', 'no-such-folder', '--json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('E_NOT_FOUND');
  });

  it('no PATH is a usage error that shows an example', async () => {
    const r = await runCliAsync(['import']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('E_USAGE');
    expect(r.stderr).toContain('relocate import ~');
  });
});

describe('relocate import --write', () => {
  it('round trip: import into a new manifest, then status finds every link in sync but the broken one (exit 2) and nothing else changed', async () => {
    sb = homeSandbox();
    const env = { HOME: sb.p('home') };
    const manifest = sb.p('relocate.yaml');
    const before = snapshotTree(sb.root);
    const imp = await runCliAsync(['import', 'home', '--recursive', '--write', 'relocate.yaml', '--yes', '--state-dir', sb.stateDir], { cwd: sb.root, env });
    expect(imp.status, imp.stderr).toBe(0);
    expect(imp.stdout).toContain('--- /dev/null');
    expect(imp.stdout).toContain('+++ b/relocate.yaml');
    expect(imp.stdout).toContain('Created relocate.yaml: 6 entries added.');
    const text = readFileSync(manifest, 'utf8');
    // Targets in the manifest's folder are written relative to it, links in HOME with ~.
    expect(text).toContain('  - link: ~/rel-file\n    target: ./data/readme.txt\n    type: symlink\n');

    const status = await runCliAsync(['status', 'relocate.yaml', '--state-dir', sb.stateDir], { cwd: sb.root, env });
    expect(status.status, status.stdout + status.stderr).toBe(2);
    expect(status.stdout).toContain('Drift: 1 of 6 entries of relocate.yaml differ from the disk.');
    expect(status.stdout).toContain(`! ${sb.p('home/broken')}: ${sb.p('home/broken')} points to ${sb.p('nowhere')}, which does not exist`);
    await expectOnlyBrokenDrift(['status', 'relocate.yaml', '--state-dir', sb.stateDir], { cwd: sb.root, env }, sb.p('home/broken'));

    const after = snapshotTree(sb.root);
    expect(after[manifest]).toMatch(/^file /);
    delete after[manifest];
    expect(after).toEqual(before);
    expect(existsSync(sb.stateDir)).toBe(false);
  });

  it('merges into a commented manifest: exactly the expected file (comments, order, spacing kept; present links skipped)', async () => {
    sb = new Sandbox('import-merge');
    sb.dir('dots/nvim');
    sb.dir('dots/git');
    sb.file('big/Games/game.pak', 'x');
    sb.symlink('home/.config/nvim', '../../dots/nvim');
    sb.symlink('home/.config/git', sb.p('dots/git'));
    sb.symlink('home/Games', sb.p('big/Games'));
    sb.symlink('home/broken', '../nowhere');
    sb.file('home/notes.txt', 'not a link');
    const manifest = sb.manifest(readFileSync(path.join(FIXTURES, 'existing.yaml'), 'utf8'));
    const env = { HOME: sb.p('home') };

    const r = await runCliAsync(['import', 'home', 'home/.config', '--write', 'relocate.yaml', '--yes', '--state-dir', sb.stateDir], { cwd: sb.root, env });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(manifest, 'utf8')).toBe(readFileSync(path.join(FIXTURES, 'expected.yaml'), 'utf8'));
    expect(r.stderr).toContain(`skip ${sb.p('home/.config/nvim')} -> ${sb.p('dots/nvim')}: already in the manifest as links[0] (line 12)`);
    expect(r.stderr).toContain('3 to import, 1 already in the manifest');
    // The diff shows only additions.
    expect(r.stdout).toContain('--- a/relocate.yaml');
    expect(r.stdout.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'))).toEqual([]);

    await expectOnlyBrokenDrift(['status', 'relocate.yaml', '--state-dir', sb.stateDir], { cwd: sb.root, env }, sb.p('home/broken'));

    // Importing again adds nothing and does not touch the file.
    const again = await runUnchanged(sb, ['import', 'home', 'home/.config', '--write', 'relocate.yaml', '--json'], { env });
    expect(again.status).toBe(0);
    const doc = JSON.parse(again.stdout) as ImportJson;
    expect(doc.written).toBe(false);
    expect(doc.entries).toEqual([]);
    expect(doc.skipped.map((s) => s.code)).toEqual(['present', 'present', 'present', 'present']);
  });

  it('without a terminal and without --yes: E_NEEDS_YES, the diff shown, nothing written', async () => {
    sb = homeSandbox();
    const r = await runUnchanged(sb, ['import', 'home', '--write', 'relocate.yaml'], { env: { HOME: sb.p('home') } });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('+  - link: ~/abs-dir');
    expect(r.stderr).toContain('error E_NEEDS_YES');
    expect(r.stderr).toContain('--yes');
    expect(existsSync(sb.p('relocate.yaml'))).toBe(false);
  });

  it('refuses to merge into an invalid manifest, which stays as it was', async () => {
    sb = homeSandbox();
    sb.manifest('version: 1\nlinks:\n  - link: /a\n    targt: /b\n');
    const r = await runUnchanged(sb, ['import', 'home', '--write', 'relocate.yaml', '--yes', '--json'], { env: { HOME: sb.p('home') } });
    expect(r.status).toBe(1);
    const err = JSON.parse(r.stdout).error;
    expect(err.code).toBe('E_INVALID_MANIFEST');
    expect(err.hint).toContain('relocate validate');
  });

  it('--json reports what was written, with the diff', async () => {
    sb = homeSandbox();
    const r = await runCliAsync(['import', 'home', '--write', 'relocate.yaml', '--yes', '--json', '--state-dir', sb.stateDir], {
      cwd: sb.root,
      env: { HOME: sb.p('home') },
    });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as ImportJson;
    expect(doc).toMatchObject({ formatVersion: 1, manifest: sb.p('relocate.yaml'), written: true, created: true, added: 4 });
    expect(doc.diff).toContain('+version: 1');
  });

  it('a manifest that is a symlink is written where it really is; the link stays', async () => {
    sb = homeSandbox();
    sb.file('dots/relocate.yaml', 'version: 1\nlinks: []\n');
    symlinkSync('dots/relocate.yaml', sb.p('relocate.yaml'));
    const r = await runCliAsync(['import', 'home', '--write', 'relocate.yaml', '--yes', '--state-dir', sb.stateDir], {
      cwd: sb.root,
      env: { HOME: sb.p('home') },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(sb.p('relocate.yaml')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(sb.p('relocate.yaml'))).toBe('dots/relocate.yaml');
    expect(readFileSync(sb.p('dots/relocate.yaml'), 'utf8')).toContain('- link: ~/abs-dir');
  });

  it('a manifest in another folder: targets inside that folder are written relative to it', async () => {
    sb = homeSandbox();
    const r = await runCliAsync(['import', 'home', '--write', 'data/links.yaml', '--yes', '--state-dir', sb.stateDir], {
      cwd: sb.root,
      env: { HOME: sb.p('home') },
    });
    expect(r.status, r.stderr).toBe(0);
    const text = readFileSync(sb.p('data/links.yaml'), 'utf8');
    expect(text).toContain('  - link: ~/abs-dir\n    target: ./games\n');
    expect(text).toContain('  - link: ~/rel-file\n    target: ./readme.txt\n');
    expect(text).toContain(`  - link: ~/broken\n    target: ${sb.p('nowhere')}\n`);
    await expectOnlyBrokenDrift(['status', 'data/links.yaml', '--state-dir', sb.stateDir], { cwd: sb.root, env: { HOME: sb.p('home') } }, sb.p('home/broken'));
  });
});
