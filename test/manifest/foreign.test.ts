import { describe, expect, it } from 'vitest';
import { fakeIO, linuxCtx, loadManifest, winCtx } from '../helpers/manifest.js';

// `validate --os windows` on Linux: the manifest's folder is a POSIX path, meaningless on Windows.
describe('a manifest checked as another OS reads it', () => {
  const yaml = "version: 1\nlinks:\n  - link: 'C:\\Users\\me\\.config\\starship.toml'\n    target: './shell/starship.toml'\n";

  it('resolves relative targets against a visible stand-in for the folder and says so', async () => {
    const m = await loadManifest('/work/repo/links.yaml', winCtx(), fakeIO({ '/work/repo/links.yaml': yaml }));
    expect(m.ok).toBe(true);
    expect(m.entries[0]!.target).toBe('X:\\(manifest folder)\\shell\\starship.toml');
    expect(m.diagnostics.map((d) => d.code)).toEqual(['W_FOREIGN_RELATIVE']);
  });

  it('uses the real folder when the OS matches', async () => {
    const posix = "version: 1\nlinks:\n  - link: '~/.config/starship.toml'\n    target: './shell/starship.toml'\n";
    const m = await loadManifest('/work/repo/links.yaml', linuxCtx(), fakeIO({ '/work/repo/links.yaml': posix }));
    expect(m.entries[0]!.target).toBe('/work/repo/shell/starship.toml');
    expect(m.diagnostics).toEqual([]);
  });
});
