// Imported first for its side effect: it works around the vitest interop
// problem of the generated schema validator (see the comment there).
import './helpers/manifest.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../src/core/errors.js';
import { defaultKnownFolders } from '../src/core/known-folders.js';
import { loadManifest } from '../src/manifest/load.js';
import type { DesiredEntry, LoadContext, LoadedManifest } from '../src/manifest/types.js';
import { nodeManifestIO } from '../src/platform/manifest-io.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';

/**
 * The shipped manifests (links.example.yaml and examples/*.yaml) are
 * documentation people copy, so each must stay valid as the format evolves.
 * They are evaluated for fake machines (injected OS, home, environment,
 * host name and manifest folder), never for the machine running the tests,
 * so the facts asserted here hold on every CI runner.
 */

const file = (rel: string): string => path.join(REPO_ROOT, rel);

const WIN_HOME = 'C:\\Users\\me';
const WIN_ENV = {
  USERPROFILE: WIN_HOME,
  LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local',
  APPDATA: 'C:\\Users\\me\\AppData\\Roaming',
  USERNAME: 'me',
};

type Os = 'win32' | 'linux' | 'darwin';

/** A fake machine. The manifest's folder is injected too, so relative targets do not depend on where the repo is cloned. */
function machine(os: Os, over: Partial<LoadContext> = {}): LoadContext {
  const base = baseMachine(os, over);
  return { knownFolders: defaultKnownFolders(os, base.home, base.env).folders, ...base };
}

function baseMachine(os: Os, over: Partial<LoadContext>): LoadContext {
  switch (os) {
    case 'win32':
      return { os, hostname: 'test-pc', home: WIN_HOME, env: { ...WIN_ENV }, baseDir: 'C:\\Users\\me\\dotfiles', ...over };
    case 'linux':
      return { os, hostname: 'test-pc', home: '/home/me', env: { HOME: '/home/me' }, baseDir: '/home/me/dotfiles', ...over };
    case 'darwin':
      return { os, hostname: 'test-pc', home: '/Users/me', env: { HOME: '/Users/me' }, baseDir: '/Users/me/dotfiles', ...over };
  }
}

/**
 * Glob links are expanded on the disk of the machine running the tests: a
 * foreign-OS glob cannot be expanded (W_GLOB_NOT_EXPANDED) and a native one
 * matches nothing under the fake home (W_GLOB_NO_MATCH). Either is fine;
 * any other diagnostic is not.
 */
const GLOB_WARNINGS = ['W_GLOB_NOT_EXPANDED', 'W_GLOB_NO_MATCH'];

function show(ds: Diagnostic[]): string {
  return ds.map((d) => `${d.line ?? '?'}:${d.col ?? '?'} ${d.severity} ${d.code} ${d.message}`).join('\n');
}

async function load(rel: string, os: Os, over: Partial<LoadContext> = {}): Promise<LoadedManifest> {
  const m = await loadManifest(file(rel), machine(os, over), nodeManifestIO);
  const unexpected = m.diagnostics.filter((d) => d.severity === 'error' || !GLOB_WARNINGS.includes(d.code));
  expect(unexpected, `${rel} as ${os}:\n${show(unexpected)}`).toEqual([]);
  expect(m.ok).toBe(true);
  expect(m.os).toBe(os);
  return m;
}

/** Applying entries written as plain paths (glob matches depend on the disk of the test machine). */
const applying = (m: LoadedManifest): DesiredEntry[] => m.entries.filter((e) => e.applies && !e.glob);
const skipped = (m: LoadedManifest): DesiredEntry[] => m.entries.filter((e) => !e.applies);

function entry(m: LoadedManifest, link: string): DesiredEntry {
  const found = m.entries.filter((e) => e.applies && e.link === link);
  expect(
    found.map((e) => e.link),
    `one applying entry with link ${link}; have:\n${m.entries.map((e) => e.link).join('\n')}`,
  ).toEqual([link]);
  return found[0]!;
}

describe('links.example.yaml', () => {
  const rel = 'links.example.yaml';

  it('starts with the schema modeline', () => {
    const first = readFileSync(file(rel), 'utf8').split(/\r?\n/)[0];
    expect(first).toBe('# yaml-language-server: $schema=./schema/relocate.schema.json');
  });

  it('is valid on Linux, with the Windows and macOS entries skipped', async () => {
    const m = await load(rel, 'linux');
    expect(applying(m)).toHaveLength(5);
    expect(skipped(m)).toHaveLength(9);
    expect(entry(m, '/home/me/.cache/pip')).toMatchObject({ target: '/mnt/bigdisk/cache/pip', type: 'auto', conflict: 'merge', state: 'present' });
    expect(entry(m, '/home/me/Videos')).toMatchObject({ target: '/mnt/bigdisk/media/videos', type: 'junction', knownFolder: '/home/me/Videos' });
    expect(entry(m, '/home/me/Music')).toMatchObject({ target: '/mnt/bigdisk/media/music', state: 'absent' });
    expect(entry(m, '/home/me/.config/starship.toml')).toMatchObject({ target: '/home/me/dotfiles/shell/starship.toml', description: expect.any(String) });
    expect(entry(m, '/home/me/.gitconfig')).toMatchObject({ target: '/home/me/dotfiles/git/gitconfig', type: 'hardlink' });
    // The glob entry either expanded to nothing or could not be expanded on this test machine: only a warning.
    expect(m.diagnostics.map((d) => d.code).filter((c) => GLOB_WARNINGS.includes(c))).toHaveLength(1);
  });

  it('applies the host-limited entry only on that host', async () => {
    const m = await load(rel, 'linux', { hostname: 'workstation' });
    expect(applying(m)).toHaveLength(6);
    expect(entry(m, '/home/me/VirtualBox VMs').target).toBe('/mnt/bigdisk/vms');
  });

  it('is valid on Windows, with %NAME%, ${env:NAME} and nested vars expanded', async () => {
    const m = await load(rel, 'win32');
    expect(applying(m)).toHaveLength(8);
    expect(skipped(m)).toHaveLength(7);
    expect(entry(m, 'C:\\Games')).toMatchObject({ target: 'D:\\Games', type: 'junction', conflict: 'fail', force: false });
    expect(entry(m, 'C:\\Users\\me\\AppData\\Local\\npm-cache')).toMatchObject({
      target: 'D:\\Fast\\dev-cache\\me\\npm-cache',
      conflict: 'merge',
      type: 'auto',
    });
    expect(entry(m, 'C:\\Users\\me\\AppData\\Roaming\\Code\\User\\snippets').target).toBe('D:\\Fast\\sync\\vscode-snippets');
    expect(entry(m, 'C:\\Users\\me\\.wslconfig')).toMatchObject({ target: 'D:\\Fast\\sync\\wslconfig', type: 'symlink' });
    expect(entry(m, 'C:\\OldTool')).toMatchObject({ target: 'E:\\OldTool', state: 'absent' });
    expect(entry(m, 'C:\\Program Files\\Epic Games')).toMatchObject({ target: 'D:\\Program Files\\Epic Games', force: true });
    expect(entry(m, 'C:\\Users\\me\\.config\\starship.toml').target).toBe('C:\\Users\\me\\dotfiles\\shell\\starship.toml');
    // Host names compare without case.
    const onGamingPc = await load(rel, 'win32', { hostname: 'gaming-pc' });
    expect(entry(onGamingPc, 'C:\\Users\\Public\\Videos\\Captures').target).toBe('E:\\Captures');
  });

  it('is valid on macOS (the macos alias)', async () => {
    const m = await load(rel, 'darwin');
    expect(applying(m)).toHaveLength(3);
    expect(skipped(m)).toHaveLength(12);
    expect(entry(m, '/Users/me/Movies').target).toBe('/Volumes/BigDisk/Movies');
    expect(entry(m, '/Users/me/.gitconfig').target).toBe('/Users/me/dotfiles/git/gitconfig');
  });

  it('shows every feature of the format', async () => {
    const text = readFileSync(file(rel), 'utf8');
    const all = [...(await load(rel, 'linux')).entries, ...(await load(rel, 'win32')).entries];
    expect(new Set(all.map((e) => e.type))).toEqual(new Set(['auto', 'junction', 'symlink', 'hardlink']));
    expect(new Set(all.map((e) => e.conflict))).toEqual(new Set(['fail', 'backup', 'merge']));
    expect(new Set(all.map((e) => e.state))).toEqual(new Set(['present', 'absent']));
    expect(all.some((e) => e.force)).toBe(true);
    expect(all.some((e) => e.description !== undefined)).toBe(true);
    for (const needle of [
      'vars:',
      'defaults:',
      '${env:',
      '${known:',
      "'%APPDATA%",
      '{name}',
      'host:',
      'os: windows',
      'os: win32',
      'os: macos',
      'os: [linux, darwin]',
      'target: ./',
    ]) {
      expect(text, needle).toContain(needle);
    }
  });
});

describe('examples/windows-games.yaml', () => {
  const rel = 'examples/windows-games.yaml';

  it('moves C:\\Games and the Steam library to D: with junctions', async () => {
    const m = await load(rel, 'win32');
    expect(applying(m)).toHaveLength(3);
    expect(entry(m, 'C:\\Games')).toMatchObject({ target: 'D:\\Games', type: 'junction', conflict: 'fail', state: 'present' });
    expect(entry(m, 'C:\\Program Files (x86)\\Steam\\steamapps')).toMatchObject({ target: 'D:\\Games\\Steam\\steamapps', type: 'junction' });
    expect(entry(m, 'C:\\Riot Games')).toMatchObject({ target: 'D:\\Games\\Riot Games', state: 'absent' });
    // The Epic Games glob: a warning here, or (on a Windows machine with games installed) one junction per game.
    for (const g of m.entries.filter((e) => e.glob)) expect(g.target).toBe(`D:\\Games\\Epic\\${g.glob!.name}`);
    expect(m.diagnostics.filter((d) => GLOB_WARNINGS.includes(d.code)).length).toBeLessThanOrEqual(1);
  });

  it.each(['linux', 'darwin'] as const)('is skipped entirely on %s', async (os) => {
    const m = await load(rel, os);
    expect(applying(m)).toHaveLength(0);
    expect(skipped(m)).toHaveLength(4);
    expect(m.diagnostics).toEqual([]);
  });
});

describe('examples/windows-dev-caches.yaml', () => {
  const rel = 'examples/windows-dev-caches.yaml';

  it('moves the npm, pip, Gradle, Cargo and NuGet caches to the fast disk', async () => {
    const m = await load(rel, 'win32');
    expect(m.diagnostics).toEqual([]);
    expect(applying(m)).toHaveLength(8);
    expect(m.entries.every((e) => e.type === 'junction' && e.conflict === 'merge')).toBe(true);
    expect(entry(m, 'C:\\Users\\me\\AppData\\Local\\npm-cache').target).toBe('E:\\DevCache\\npm-cache');
    expect(entry(m, 'C:\\Users\\me\\AppData\\Local\\pip\\Cache').target).toBe('E:\\DevCache\\pip');
    expect(entry(m, 'C:\\Users\\me\\.gradle\\caches').target).toBe('E:\\DevCache\\gradle\\caches');
    expect(entry(m, 'C:\\Users\\me\\.cargo\\registry').target).toBe('E:\\DevCache\\cargo\\registry');
    expect(entry(m, 'C:\\Users\\me\\.nuget\\packages').target).toBe('E:\\DevCache\\nuget\\packages');
  });

  it('names the missing environment variable instead of using an empty path', async () => {
    const { LOCALAPPDATA: _, ...env } = WIN_ENV;
    const m = await loadManifest(file(rel), machine('win32', { env }), nodeManifestIO);
    expect(m.ok).toBe(false);
    const errors = m.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((d) => d.code === 'E_UNKNOWN_VAR' && d.message.includes('LOCALAPPDATA'))).toBe(true);
  });

  it.each(['linux', 'darwin'] as const)('is skipped entirely on %s', async (os) => {
    const m = await load(rel, os);
    expect(applying(m)).toHaveLength(0);
    expect(skipped(m)).toHaveLength(8);
  });
});

describe('examples/dotfiles.yaml', () => {
  const rel = 'examples/dotfiles.yaml';

  it('links the Linux dotfiles to the repo next to the manifest', async () => {
    const m = await load(rel, 'linux');
    expect(m.diagnostics).toEqual([]);
    expect(applying(m)).toHaveLength(8);
    expect(entry(m, '/home/me/.config/nvim')).toMatchObject({
      target: '/home/me/dotfiles/nvim',
      type: 'symlink',
      conflict: 'backup',
      knownFolder: '/home/me/.config/nvim',
    });
    expect(entry(m, '/home/me/.bashrc').target).toBe('/home/me/dotfiles/bash/bashrc');
    expect(entry(m, '/home/me/.config/git').target).toBe('/home/me/dotfiles/git/config');
    expect(entry(m, '/home/me/.vimrc').state).toBe('absent');
    const laptop = await load(rel, 'linux', { hostname: 'ThinkPad' });
    expect(entry(laptop, '/home/me/.config/autorandr').target).toBe('/home/me/dotfiles/autorandr');
  });

  it('adds zsh on macOS', async () => {
    const m = await load(rel, 'darwin');
    expect(applying(m)).toHaveLength(9);
    expect(entry(m, '/Users/me/.zshrc').target).toBe('/Users/me/dotfiles/zsh/zshrc');
  });

  it('keeps only the git config on Windows', async () => {
    const m = await load(rel, 'win32');
    expect(applying(m)).toHaveLength(1);
    expect(entry(m, 'C:\\Users\\me\\.gitconfig')).toMatchObject({ target: 'C:\\Users\\me\\dotfiles\\git\\gitconfig', type: 'symlink' });
  });
});

describe('examples/cross-platform.yaml', () => {
  const rel = 'examples/cross-platform.yaml';
  const cases = [
    [
      'win32',
      'C:\\Users\\me\\AppData\\Roaming\\Code\\User\\settings.json',
      'C:\\Users\\me\\dotfiles\\vscode\\settings.json',
      'C:\\Users\\me\\AppData\\Roaming\\Code\\User\\snippets',
      'junction',
    ],
    ['linux', '/home/me/.config/Code/User/settings.json', '/home/me/dotfiles/vscode/settings.json', '/home/me/.config/Code/User/snippets', 'symlink'],
    [
      'darwin',
      '/Users/me/Library/Application Support/Code/User/settings.json',
      '/Users/me/dotfiles/vscode/settings.json',
      '/Users/me/Library/Application Support/Code/User/snippets',
      'symlink',
    ],
  ] as const;

  it.each(cases)('picks the VS Code folder of %s', async (os, link, target, snippets, snippetsType) => {
    const m = await load(rel, os);
    expect(m.diagnostics).toEqual([]);
    expect(applying(m)).toHaveLength(4);
    expect(skipped(m)).toHaveLength(6);
    expect(entry(m, link)).toMatchObject({ target, type: 'symlink', conflict: 'backup' });
    expect(entry(m, snippets).type).toBe(snippetsType);
  });

  it('gives macOS its own keybindings', async () => {
    const mac = await load(rel, 'darwin');
    expect(entry(mac, '/Users/me/Library/Application Support/Code/User/keybindings.json').target).toBe('/Users/me/dotfiles/vscode/keybindings-macos.json');
    const linux = await load(rel, 'linux');
    expect(entry(linux, '/home/me/.config/Code/User/keybindings.json').target).toBe('/home/me/dotfiles/vscode/keybindings-linux.json');
  });
});

describe('the built CLI', () => {
  it('validates links.example.yaml on this machine with exit 0', () => {
    // The real machine: its OS, home and environment (Windows-only entries apply only on Windows).
    const r = runCli(['validate', 'links.example.yaml'], { cwd: REPO_ROOT });
    expect(r.status, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^links\.example\.yaml: valid, \d+ entr(y|ies) for (win32|linux|darwin)/m);
  });
});
