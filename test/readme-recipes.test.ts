import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultKnownFolders } from '../src/core/known-folders.js';
import type { LoadContext } from '../src/manifest/types.js';
import { REPO_ROOT } from './helpers/cli.js';
import { darwinCtx, linuxCtx, loadYaml, pairsOf, winCtx } from './helpers/manifest.js';

/**
 * The README's recipes are manifests people copy: each must load without
 * a problem on Linux, macOS and Windows (entries for other machines are
 * skipped by `when:`), with known folders as each OS names them.
 */
const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('\n## Recipes\n'), readme.indexOf('\n## ', readme.indexOf('\n## Recipes\n') + 5));
const recipes = [...section.matchAll(/\n### (.+)\n[\s\S]*?```yaml\n([\s\S]*?)```/g)].map((m) => ({ title: m[1]!, yaml: m[2]! }));

function machine(ctx: LoadContext): LoadContext {
  return { ...ctx, knownFolders: defaultKnownFolders(ctx.os, ctx.home, ctx.env).folders };
}
const MACHINES = { linux: machine(linuxCtx()), darwin: machine(darwinCtx()), win32: machine(winCtx()) };

describe('README recipes', () => {
  it('has the recipes the issue asks for', () => {
    expect(recipes.map((r) => r.title)).toEqual([
      'Move games to another drive (Windows)',
      'Move developer caches to a fast (or big) disk',
      'Dotfiles across Linux, macOS and Windows',
    ]);
    for (const t of ['### Adopt links you made by hand', '### Undo everything']) expect(section).toContain(t);
  });

  it.each(recipes.flatMap((r) => Object.entries(MACHINES).map(([os, ctx]) => [r.title, os, r.yaml, ctx] as const)))(
    '%s: valid on %s',
    async (_title, _os, yaml, ctx) => {
      const m = await loadYaml(yaml, ctx);
      expect(m.diagnostics).toEqual([]);
      expect(m.ok).toBe(true);
    },
  );

  it('the dotfiles recipe puts VS Code settings where VS Code looks on each OS', async () => {
    const yaml = recipes.find((r) => r.title.startsWith('Dotfiles'))!.yaml;
    const vscode = async (ctx: LoadContext) => pairsOf(await loadYaml(yaml, ctx)).find((p) => p.includes('settings.json'));
    expect(await vscode(MACHINES.linux)).toBe('/home/me/.config/Code/User/settings.json -> /home/me/dots/vscode/settings.json');
    // (test manifests of every POSIX flavour live in /home/me/dots, see test/helpers/manifest.ts)
    expect(await vscode(MACHINES.darwin)).toBe('/Users/me/Library/Application Support/Code/User/settings.json -> /home/me/dots/vscode/settings.json');
    expect(await vscode(MACHINES.win32)).toBe('C:\\Users\\me\\AppData\\Roaming\\Code\\User\\settings.json -> C:\\dots\\vscode\\settings.json');
  });
});
