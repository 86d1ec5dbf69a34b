/**
 * Steam's KeyValues text (src/core/vdf.ts) and Epic's manifests
 * (src/core/epic-manifest.ts): what `relocate scan` reads to find game
 * libraries. Malformed input is a problem with its position, never a throw.
 */
import { describe, expect, it } from 'vitest';
import { parseEpicManifest } from '../../src/core/epic-manifest.js';
import { parseVdf, steamLibraryPaths, vdfGet } from '../../src/core/vdf.js';

/** libraryfolders.vdf as a current Steam client on Windows writes it (tabs, doubled backslashes). */
const WINDOWS_VDF = `"libraryfolders"
{
	"0"
	{
		"path"		"C:\\\\Program Files (x86)\\\\Steam"
		"label"		""
		"contentid"		"4284394542394875000"
		"totalsize"		"0"
		"update_clean_bytes_tally"		"13486934802"
		"time_last_update_corruption"		"0"
		"apps"
		{
			"228980"		"1074138698"
			"250820"		"5471545014"
		}
	}
	"1"
	{
		"path"		"D:\\\\SteamLibrary"
		"label"		"Games \\"fast\\""
		"contentid"		"7345617003465928423"
		"totalsize"		"2000381014016"
		"apps"
		{
			"1091500"		"70330829184"
		}
	}
}
`;

describe('parseVdf', () => {
  it('reads nested blocks, escapes, and keys without case', () => {
    const r = parseVdf(WINDOWS_VDF);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const lib = vdfGet(r.value, 'LibraryFolders') as Record<string, Record<string, unknown>>;
    expect(lib['0']!.path).toBe('C:\\Program Files (x86)\\Steam');
    expect(lib['1']!.label).toBe('Games "fast"');
    expect((lib['1']!.apps as Record<string, string>)['1091500']).toBe('70330829184');
  });

  it('bare tokens, // comments, conditions and a byte order mark', () => {
    const r = parseVdf('\ufeff// a comment\nroot { key value [$WIN32] // trailing\n "other" "x" }\n');
    expect(r).toEqual({ ok: true, value: { root: { key: 'value', other: 'x' } } });
  });

  it('a key given twice keeps its first value, as Steam does', () => {
    const r = parseVdf('"a" { "k" "1" "K" "2" }');
    expect(r).toEqual({ ok: true, value: { a: { k: '1' } } });
  });

  it.each([
    ['an unclosed block', '"libraryfolders"\n{\n\t"0"\n\t{\n\t\t"path" "x"\n', /not closed/, 5],
    ['an unclosed string', '"libraryfolders"\n{\n\t"path" "C:\\\\Steam\n}', /quoted string is not closed/, 3],
    ['a key without a value', '"libraryfolders"\n{\n\t"path"\n}', /has no value/, 4],
    ['a stray }', '"a" "b"\n}', /closes no block/, 2],
    ['a block without a key', '{ "a" "b" }', /no key/, 1],
  ])('%s is a problem with its line, not a throw', (_what, text, message, line) => {
    const r = parseVdf(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(message);
    expect(r.line).toBe(line);
  });
});

describe('steamLibraryPaths', () => {
  it('the current format: every numbered block’s path, in order', () => {
    expect(steamLibraryPaths(WINDOWS_VDF)).toEqual({ ok: true, paths: ['C:\\Program Files (x86)\\Steam', 'D:\\SteamLibrary'] });
  });

  it('the old format: numbered keys with the path as value; other keys are not libraries', () => {
    const old = '"LibraryFolders"\n{\n\t"TimeNextStatsReport"\t\t"1563906424"\n\t"ContentStatsID"\t\t"-4138"\n\t"1"\t\t"/mnt/games/SteamLibrary"\n}\n';
    expect(steamLibraryPaths(old)).toEqual({ ok: true, paths: ['/mnt/games/SteamLibrary'] });
  });

  it('a malformed file or one without libraries is a problem that says where', () => {
    const bad = steamLibraryPaths('"libraryfolders"\n{\n\t"0"\n\t{\n');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/^line \d+, column \d+: /);
    expect(steamLibraryPaths('"config" { }')).toEqual({ ok: false, message: 'it has no "libraryfolders" block' });
    expect(steamLibraryPaths('')).toEqual({ ok: false, message: 'it has no "libraryfolders" block' });
  });
});

describe('parseEpicManifest', () => {
  it('reads InstallLocation and DisplayName', () => {
    const text = JSON.stringify({
      FormatVersion: 0,
      bIsIncompleteInstall: false,
      DisplayName: 'Fortnite',
      InstallLocation: 'C:\\Program Files\\Epic Games\\Fortnite',
      AppName: 'Fortnite',
    });
    expect(parseEpicManifest(text)).toEqual({ ok: true, installLocation: 'C:\\Program Files\\Epic Games\\Fortnite', displayName: 'Fortnite' });
  });

  it('an unfinished install is marked, so scan leaves it out', () => {
    expect(parseEpicManifest(JSON.stringify({ InstallLocation: 'D:\\Epic\\X', bIsIncompleteInstall: true }))).toEqual({
      ok: true,
      installLocation: 'D:\\Epic\\X',
      incomplete: true,
    });
  });

  it.each([
    ['not JSON', '{ "InstallLocation": ', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['no InstallLocation', '{"DisplayName":"X"}', /no InstallLocation/],
  ])('%s is a problem', (_what, text, message) => {
    const r = parseEpicManifest(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});
