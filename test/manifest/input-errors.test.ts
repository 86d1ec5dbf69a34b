// The helpers first: they must be in place before anything imports the schema validator.
import { errorsOf, fakeIO, linuxCtx, loadManifest, loadYaml, winCtx } from '../helpers/manifest.js';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8, MAX_MANIFEST_BYTES } from '../../src/manifest/decode-source.js';
import { editDistance } from '../../src/core/edit-distance.js';

const FILE = '/home/me/dots/relocate.yaml';

async function loadBytes(bytes: Uint8Array) {
  return loadManifest(FILE, linuxCtx(), fakeIO({ [FILE]: bytes }));
}

/** [code, line, col, message] of every diagnostic. */
async function diags(yaml: string, ctx = linuxCtx()) {
  const m = await loadYaml(yaml, ctx);
  return m.diagnostics.map((d) => [d.code, d.line, d.col, d.message]);
}

const enc = (s: string) => new TextEncoder().encode(s);
const bytes = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...enc(p)] : p)));

describe('bytes that are not a manifest', () => {
  it('larger than the limit: E_TOO_LARGE at 1:1, before anything else is looked at', async () => {
    const big = new Uint8Array(MAX_MANIFEST_BYTES + 1).fill(0xff);
    const m = await loadBytes(big);
    expect(errorsOf(m)).toEqual([{ code: 'E_TOO_LARGE', line: 1, col: 1 }]);
    expect(m.diagnostics[0]!.message).toBe('the manifest is 4.0 MiB; the limit is 4 MiB');
  });
  it('exactly at the limit is read', async () => {
    const text = 'version: 1\nlinks: []\n';
    const atLimit = bytes(text, new Array(MAX_MANIFEST_BYTES - text.length).fill(0x23)); // '#' comment to the end
    expect(atLimit.byteLength).toBe(MAX_MANIFEST_BYTES);
    expect((await loadBytes(atLimit)).ok).toBe(true);
  });
  it.each([
    ['a lone continuation byte', bytes('version: 1\nlinks: ', [0x80]), 2, 8],
    ['a lead byte followed by ASCII', bytes('version: 1\nlinks: ', [0xe2, 0x28]), 2, 8],
    ['a sequence cut short at the end of a line', bytes('version: 1\nlinks: ab', [0xe2, 0x82], '\n'), 2, 10],
    ['a Latin-1 é (not UTF-8)', bytes('version: 1\nlinks: ', [0xe9], '\n'), 2, 8],
    ['0xFF after a real é', bytes('version: 1\nlinks: é', [0xff]), 2, 9],
    ['an encoded surrogate', bytes([0xed, 0xa0, 0x80]), 1, 1],
    ['an overlong slash', bytes('a: ', [0xc0, 0xaf]), 1, 4],
    ['a NUL in valid UTF-8', bytes('version: 1\nli', [0x00], 'nks: []\n'), 2, 3],
    ['a NUL before invalid UTF-8', bytes('x', [0x00, 0xff]), 1, 2],
  ])('%s: E_NOT_TEXT at the first bad byte', async (_what, b, line, col) => {
    const m = await loadBytes(b);
    expect(errorsOf(m)).toEqual([{ code: 'E_NOT_TEXT', line, col }]);
    expect(m.diagnostics[0]!.message).toBe('the manifest is not UTF-8 text (binary data found)');
  });
  it('a UTF-8 byte order mark is fine and does not shift columns', async () => {
    const m = await loadBytes(bytes([0xef, 0xbb, 0xbf], 'version: 1\nlinks:\n  - link: /srv/a\n    target: /srv/a\n'));
    expect(errorsOf(m)).toEqual([{ code: 'E_SELF_LINK', line: 3, col: 11 }]);
  });
  it('firstInvalidUtf8 accepts every well-formed length and rejects what is past U+10FFFF', () => {
    expect(firstInvalidUtf8(enc('aé€😀'))).toBe(10);
    expect(firstInvalidUtf8(bytes('ab', [0xf4, 0x90, 0x80, 0x80]))).toBe(2);
    expect(firstInvalidUtf8(bytes('ab', [0xf0, 0x8f, 0xbf, 0xbf]))).toBe(2);
    expect(firstInvalidUtf8(new Uint8Array())).toBe(0);
  });
});

describe('empty manifests', () => {
  it.each([
    ['nothing', ''],
    ['only blank lines', '\n\n  \n'],
    ['only comments', '# nothing yet\n# really\n'],
    ['a document marker', '---\n'],
    ['a null', '~\n'],
  ])('%s: E_EMPTY at 1:1', async (_what, text) => {
    const m = await loadYaml(text, linuxCtx());
    expect(m.diagnostics.map((d) => [d.code, d.line, d.col, d.message])).toEqual([['E_EMPTY', 1, 1, 'the manifest is empty']]);
  });
});

describe('YAML syntax errors point at the cause', () => {
  it('an over-indented key: at the over-indented line, once', async () => {
    expect(await diags('version: 1\nlinks:\n  - link: /srv/a\n      target: /data/a\n')).toEqual([
      ['E_YAML', 4, 7, 'line 4 is indented too far: YAML reads it as the continuation of the value on line 3, and a key cannot span lines'],
    ]);
  });
  it('an unclosed double quote: at the opening quote', async () => {
    expect(await diags('version: 1\nlinks:\n  - link: "/srv/a\n    target: /data/a\n')).toEqual([
      ['E_YAML', 3, 11, 'the quoted text starting here is never closed (missing closing ")'],
    ]);
  });
  it('an unclosed single quote: at the opening quote, and nothing after it is reported', async () => {
    expect(await diags("version: 1\nlinks:\n  - link: '/srv/a\n    target: /data/a\n  - link: /srv/b\n    target: [\n")).toEqual([
      ['E_YAML', 3, 11, "the quoted text starting here is never closed (missing closing ')"],
    ]);
  });
  it('an unclosed [ at the end of the file: at the [', async () => {
    expect(await diags('version: 1\nlinks: [\n  { link: /a, target: /b },\n')).toEqual([['E_YAML', 2, 8, 'the [ opened here is never closed (missing ])']]);
  });
  it('an unclosed { before the next entry: at the {', async () => {
    expect(await diags('version: 1\nlinks:\n  - { link: /a, target: /b\n  - { link: /c, target: /d }\n')).toEqual([
      ['E_YAML', 3, 5, 'the { opened here is never closed (missing })'],
    ]);
  });
  it('a tab used for indentation: at the tab', async () => {
    expect(await diags('version: 1\nlinks:\n  - link: /a\n\ttarget: /b\n')).toEqual([
      ['E_YAML', 4, 1, 'a tab is used for indentation; YAML allows only spaces'],
    ]);
  });
  it('a second document: at its ---', async () => {
    expect(await diags('version: 1\nlinks: []\n---\nversion: 1\n')).toEqual([
      ['E_YAML', 3, 1, 'a second YAML document starts here; a manifest is one document'],
    ]);
  });
  it('a double-quoted Windows path: at the backslash, with a hint about quoting', async () => {
    const m = await loadYaml('version: 1\nlinks:\n  - link: "C:\\Games"\n    target: D:\\Games\n', winCtx());
    expect(m.diagnostics.map((d) => [d.code, d.line, d.col, d.message, d.hint])).toEqual([
      [
        'E_YAML',
        3,
        14,
        'Invalid escape sequence \\G',
        "inside double quotes a backslash starts an escape: write Windows paths unquoted or in single quotes, like 'C:\\Games'",
      ],
    ]);
  });
  it('unquoted and single-quoted Windows paths are fine', async () => {
    const m = await loadYaml("version: 1\nlinks:\n  - link: C:\\Games\n    target: 'D:\\Games'\n", winCtx());
    expect(m.diagnostics).toEqual([]);
  });
});

describe('duplicate keys', () => {
  it('name the key and where it was first', async () => {
    expect(await diags('version: 1\nlinks:\n  - link: /a\n    target: /b\n    link: /c\n')).toEqual([
      ['E_DUPLICATE_KEY', 5, 5, "the key 'link' appears twice in one mapping (first on line 3)"],
    ]);
  });
  it('in a flow mapping too', async () => {
    expect(await diags('version: 1\nlinks:\n  - { link: /a, target: /b, link: /c }\n')).toEqual([
      ['E_DUPLICATE_KEY', 3, 29, "the key 'link' appears twice in one mapping (first on line 3)"],
    ]);
  });
});

describe('YAML aliases', () => {
  it('a few aliases are fine', async () => {
    const m = await loadYaml('version: 1\ndefaults: &d { type: symlink }\nlinks:\n  - { link: /a, target: /b }\n', linuxCtx());
    expect(m.ok).toBe(true);
    const m2 = await loadYaml('version: 1\nvars: { big: &big /mnt/big }\nlinks:\n  - { link: /srv/a, target: *big }\n', linuxCtx());
    expect(m2.diagnostics).toEqual([]);
    expect(m2.entries.map((e) => e.target)).toEqual(['/mnt/big']);
  });
  it('a billion laughs is refused quickly, at the first alias', async () => {
    let yaml = 'version: 1\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i <= 12; i++)
      yaml += `l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]\n`;
    yaml += 'links: []\n';
    const started = Date.now();
    const m = await loadYaml(yaml, linuxCtx());
    expect(Date.now() - started).toBeLessThan(2000);
    expect(errorsOf(m)).toEqual([{ code: 'E_YAML_ALIASES', line: 3, col: 10 }]);
  });
});

describe('schema messages', () => {
  it.each([
    ['root', 'version: 1\nlnks: []\n', 2, 1, "the manifest has an unknown key 'lnks' (did you mean 'links'?)"],
    ['entry', 'version: 1\nlinks:\n  - { link: /a, taget: /b }\n', 3, 17, "links[0] has an unknown key 'taget' (did you mean 'target'?)"],
    ['defaults', 'version: 1\ndefaults: { tpye: symlink }\nlinks: []\n', 2, 13, "defaults has an unknown key 'tpye' (did you mean 'type'?)"],
    ['defaults.when', 'version: 1\ndefaults: { when: { hots: a } }\nlinks: []\n', 2, 21, "defaults.when has an unknown key 'hots' (did you mean 'host'?)"],
    [
      'entry when',
      'version: 1\nlinks:\n  - { link: /a, target: /b, when: { OS: linux } }\n',
      3,
      37,
      "links[0].when has an unknown key 'OS' (did you mean 'os'?)",
    ],
    ['no near key', 'version: 1\nlinks:\n  - { link: /a, target: /b, priority: 1 }\n', 3, 29, "links[0] has an unknown key 'priority'"],
    [
      'entry retarget',
      'version: 1\nlinks:\n  - { link: /a, target: /b, retaget: relink }\n',
      3,
      29,
      "links[0] has an unknown key 'retaget' (did you mean 'retarget'?)",
    ],
  ])('unknown key in %s, with did-you-mean', async (_where, yaml, line, col, message) => {
    expect(await diags(yaml)).toEqual([['E_UNKNOWN_KEY', line, col, message]]);
  });
  it('a misspelt required key is reported once, as unknown, not also as missing', async () => {
    expect((await diags('version: 1\nlinks:\n  - { lnk: /a, target: /b }\n')).map((d) => d[0])).toEqual(['E_UNKNOWN_KEY']);
  });
  it('a missing key that nothing resembles is reported as missing', async () => {
    expect(await diags('version: 1\nlinks:\n  - { target: /b, type: symlink }\n')).toEqual([
      ['E_MISSING_KEY', 3, 5, "links[0] is missing the required key 'link'"],
    ]);
  });
  it('version as text says so', async () => {
    expect(await diags("version: '1'\nlinks: []\n")).toEqual([['E_SCHEMA', 1, 10, 'version must be the number 1, not the text "1"']]);
    expect(await diags('version: 2\nlinks: []\n')).toEqual([['E_SCHEMA', 1, 10, 'version must be 1, not 2']]);
  });
  it('enums list the allowed values', async () => {
    expect(await diags('version: 1\nlinks:\n  - { link: /a, target: /b, conflict: overwrite }\n')).toEqual([
      ['E_SCHEMA', 3, 39, 'links[0].conflict must be one of fail, backup, merge'],
    ]);
    expect(await diags('version: 1\nlinks:\n  - { link: /a, target: /b, when: { os: [linux, bsd] } }\n')).toEqual([
      ['E_SCHEMA', 3, 41, 'links[0].when.os must be one of win32, windows, linux, darwin, macos, or a list of them'],
    ]);
  });
  it('an empty list where one value is needed', async () => {
    expect(await diags('version: 1\nlinks:\n  - { link: /a, target: /b, when: { host: [] } }\n')).toEqual([
      ['E_SCHEMA', 3, 43, 'links[0].when.host must list at least one value'],
    ]);
  });
  it('an invalid variable name points at the name', async () => {
    expect(await diags('version: 1\nvars:\n  ok: /a\n  "bad name": /b\nlinks: []\n')).toEqual([
      ['E_SCHEMA', 4, 3, "vars: 'bad name' is not a valid variable name"],
    ]);
  });
  it('an empty link does not crash the glob check', async () => {
    expect(await diags("version: 1\nlinks:\n  - { link: '', target: /b }\n")).toEqual([['E_SCHEMA', 3, 13, 'links[0].link must not be empty']]);
  });
});

describe('editDistance', () => {
  it.each([
    ['host', 'host', 0],
    ['hots', 'host', 1],
    ['hots', 'os', 2],
    ['taget', 'target', 1],
    ['tpye', 'type', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('%s ~ %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});
