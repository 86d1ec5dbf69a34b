import { describe, expect, it } from 'vitest';
import { darwinCtx, errorsOf, linuxCtx, loadYaml, oneEntry, pairsOf, winCtx } from '../helpers/manifest.js';

/** The one error of a load, checked to be the only diagnostic. */
async function onlyError(yaml: string, ctx = linuxCtx()) {
  const m = await loadYaml(yaml, ctx);
  expect(m.ok).toBe(false);
  expect(m.diagnostics).toHaveLength(1);
  return m.diagnostics[0]!;
}

describe('~ (home)', () => {
  it('expands ~ and ~/ on posix', async () => {
    const m = await loadYaml(oneEntry('~/.config/nvim', '~/dots/nvim'), linuxCtx());
    expect(m.diagnostics).toEqual([]);
    expect(pairsOf(m)).toEqual(['/home/me/.config/nvim -> /home/me/dots/nvim']);
  });
  it('expands a bare ~', async () => {
    const m = await loadYaml(oneEntry('~', '/mnt/big/me'), darwinCtx());
    expect(pairsOf(m)).toEqual(['/Users/me -> /mnt/big/me']);
  });
  it('expands ~\\ and ~/ on win32', async () => {
    const m = await loadYaml(oneEntry('~\\Games', '~/Saved Games'), winCtx());
    expect(m.diagnostics).toEqual([]);
    expect(pairsOf(m)).toEqual(['C:\\Users\\me\\Games -> C:\\Users\\me\\Saved Games']);
  });
  it('leaves ~ alone when it is not the first character or names a user', async () => {
    // Not expanded, so both are relative and resolve against the manifest's folder.
    const m = await loadYaml(oneEntry('/srv/a~/b', '~other/b'), linuxCtx());
    expect(pairsOf(m)).toEqual(['/srv/a~/b -> /home/me/dots/~other/b']);
  });
  it('does not treat ~\\ as home on posix (a backslash is part of the name)', async () => {
    const m = await loadYaml(oneEntry('/srv/x', '~\\x'), linuxCtx());
    expect(pairsOf(m)).toEqual(['/srv/x -> /home/me/dots/~\\x']);
  });
});

describe('${env:NAME}', () => {
  it('substitutes the environment variable', async () => {
    const m = await loadYaml(oneEntry('${env:XDG_CACHE_HOME}/npm', '/mnt/fast/npm'), linuxCtx());
    expect(pairsOf(m)).toEqual(['/home/me/.cache/npm -> /mnt/fast/npm']);
  });
  it('is case-sensitive on linux', async () => {
    const d = await onlyError(oneEntry('${env:xdg_cache_home}/npm', '/mnt/fast/npm'), linuxCtx());
    expect(d).toMatchObject({ code: 'E_UNKNOWN_VAR', line: 3, col: 11 });
    expect(d.message).toBe('links[0].link: unknown variable ${env:xdg_cache_home}: the environment variable xdg_cache_home is not set');
  });
  it('is case-insensitive on win32', async () => {
    const m = await loadYaml(oneEntry('${env:localappdata}\\npm-cache', 'D:\\Cache\\npm'), winCtx());
    expect(m.diagnostics).toEqual([]);
    expect(pairsOf(m)).toEqual(['C:\\Users\\me\\AppData\\Local\\npm-cache -> D:\\Cache\\npm']);
  });
  it('an unset variable is an error that names it, never an empty string', async () => {
    const m = await loadYaml(oneEntry('${env:NOT_SET_HERE}/x', '/mnt/x'), linuxCtx());
    expect(errorsOf(m)).toEqual([{ code: 'E_UNKNOWN_VAR', line: 3, col: 11 }]);
    expect(m.diagnostics[0]!.message).toContain('NOT_SET_HERE');
    expect(m.diagnostics[0]!.message).toContain('is not set');
    expect(m.entries).toEqual([]);
  });
  it('an empty variable is an error that says it is empty', async () => {
    const d = await onlyError(oneEntry('/srv/x', '${env:EMPTY}/x'), linuxCtx());
    expect(d).toMatchObject({ code: 'E_UNKNOWN_VAR', line: 4, col: 13 });
    expect(d.message).toBe('links[0].target: unknown variable ${env:EMPTY}: the environment variable EMPTY is empty');
  });
  it('${env:} names no variable', async () => {
    const d = await onlyError(oneEntry('/srv/x', '${env:}/x'));
    expect(d).toMatchObject({ code: 'E_UNKNOWN_VAR', line: 4, col: 13 });
    expect(d.message).toBe('links[0].target: ${env:} names no variable');
  });
  it('an unsupported namespace is named', async () => {
    const d = await onlyError(oneEntry('/srv/x', '${registry:Documents}/x'));
    expect(d).toMatchObject({ code: 'E_UNKNOWN_VAR', line: 4, col: 13 });
    expect(d.message).toBe("links[0].target: unknown variable ${registry:Documents}: the namespace 'registry' is not supported");
    expect(d.hint).toContain('${known:Name}');
  });
});

describe('%NAME% (Windows spelling)', () => {
  it('is expanded on win32, case-insensitively', async () => {
    const m = await loadYaml(oneEntry('%LocalAppData%\\Temp', '%USERPROFILE%\\..\\Public\\Temp'), winCtx());
    expect(m.diagnostics).toEqual([]);
    expect(pairsOf(m)).toEqual(['C:\\Users\\me\\AppData\\Local\\Temp -> C:\\Users\\Public\\Temp']);
  });
  it('allows parentheses, as in %ProgramFiles(x86)%', async () => {
    const m = await loadYaml(oneEntry('%PROGRAMFILES(X86)%\\Steam', 'D:\\Steam'), winCtx());
    expect(pairsOf(m)).toEqual(['C:\\Program Files (x86)\\Steam -> D:\\Steam']);
  });
  it('an unset %NAME% is an error naming it', async () => {
    const d = await onlyError(oneEntry('%NOPE%\\x', 'D:\\x'), winCtx());
    expect(d).toMatchObject({ code: 'E_UNKNOWN_VAR', line: 3, col: 11 });
    expect(d.message).toBe('links[0].link: unknown variable %NOPE%: the environment variable NOPE is not set');
  });
  it('an empty %NAME% is an error', async () => {
    const d = await onlyError(oneEntry('%EMPTY%\\x', 'D:\\x'), winCtx());
    expect(d.code).toBe('E_UNKNOWN_VAR');
    expect(d.message).toContain('is empty');
  });
  it('is plain text on linux and darwin', async () => {
    const env = { HOME: '/home/me', LOCALAPPDATA: '/should/not/be/used' };
    const m = await loadYaml(oneEntry('/srv/%LOCALAPPDATA%', '/mnt/%LOCALAPPDATA%'), linuxCtx({ env }));
    expect(m.diagnostics).toEqual([]);
    expect(pairsOf(m)).toEqual(['/srv/%LOCALAPPDATA% -> /mnt/%LOCALAPPDATA%']);
    const mac = await loadYaml(oneEntry('/srv/%X%', '/mnt/%X%'), darwinCtx({ env: { X: 'no' } }));
    expect(pairsOf(mac)).toEqual(['/srv/%X% -> /mnt/%X%']);
  });
  it('a lone % is plain text on win32', async () => {
    const m = await loadYaml(oneEntry('C:\\100%\\Games', 'D:\\100%\\Games'), winCtx());
    expect(pairsOf(m)).toEqual(['C:\\100%\\Games -> D:\\100%\\Games']);
  });
});

describe('${var} from vars', () => {
  it('substitutes vars, which may nest and use env and ~', async () => {
    const yaml = `version: 1
vars:
  root: ~/data
  fast: \${root}/fast
  cache: \${fast}/\${env:USERNAME_X}
links:
  - link: ~/.cache
    target: \${cache}
`;
    const m = await loadYaml(yaml, linuxCtx({ env: { USERNAME_X: 'me' } }));
    expect(m.diagnostics).toEqual([]);
    expect(pairsOf(m)).toEqual(['/home/me/.cache -> /home/me/data/fast/me']);
  });
  it('nests on win32 with %NAME% inside a var', async () => {
    const yaml = `version: 1
vars:
  local: '%LOCALAPPDATA%'
  fast: 'D:\\Fast'
links:
  - link: '\${local}\\npm-cache'
    target: '\${fast}\\npm-cache'
`;
    const m = await loadYaml(yaml, winCtx());
    expect(m.diagnostics).toEqual([]);
    expect(pairsOf(m)).toEqual(['C:\\Users\\me\\AppData\\Local\\npm-cache -> D:\\Fast\\npm-cache']);
  });
  it('tolerates spaces inside ${ }', async () => {
    const m = await loadYaml(`version: 1\nvars: { fast: /mnt/fast }\nlinks:\n  - link: /srv/x\n    target: \${ fast }/x\n`, linuxCtx());
    expect(pairsOf(m)).toEqual(['/srv/x -> /mnt/fast/x']);
  });
  it('a var name is case-sensitive everywhere', async () => {
    const m = await loadYaml(`version: 1\nvars: { Fast: 'D:\\Fast' }\nlinks:\n  - link: 'C:\\x'\n    target: '\${fast}\\x'\n`, winCtx());
    expect(errorsOf(m)).toEqual([{ code: 'E_UNKNOWN_VAR', line: 5, col: 13 }]);
    expect(m.diagnostics[0]!.message).toBe("links[0].target: unknown variable ${fast}: 'fast' is not defined in vars");
    expect(m.diagnostics[0]!.hint).toBe('defined vars: Fast');
  });
  it('an unknown var is named, with a hint when there are no vars', async () => {
    const d = await onlyError(oneEntry('/srv/x', '${nope}/x'));
    expect(d).toMatchObject({ code: 'E_UNKNOWN_VAR', line: 4, col: 13 });
    expect(d.message).toBe("links[0].target: unknown variable ${nope}: 'nope' is not defined in vars");
    expect(d.hint).toBe('define it under `vars:` at the top of the manifest');
  });
  it('an unknown var inside a var is reported where the outer var is used', async () => {
    const yaml = `version: 1\nvars:\n  a: \${b}/x\nlinks:\n  - link: /srv/x\n    target: \${a}\n`;
    const m = await loadYaml(yaml, linuxCtx());
    expect(errorsOf(m)).toEqual([{ code: 'E_UNKNOWN_VAR', line: 6, col: 13 }]);
    expect(m.diagnostics[0]!.message).toBe("links[0].target: unknown variable ${b}: 'b' is not defined in vars");
  });
  it('${} names no variable', async () => {
    const d = await onlyError(oneEntry('/srv/x', '${}/x'));
    expect(d.message).toBe('links[0].target: ${} names no variable');
  });
  it('every unknown variable of a path is reported', async () => {
    const m = await loadYaml(oneEntry('/srv/x', '${a}/${env:NOPE_1}/${b}'), linuxCtx());
    expect(errorsOf(m)).toEqual([
      { code: 'E_UNKNOWN_VAR', line: 4, col: 13 },
      { code: 'E_UNKNOWN_VAR', line: 4, col: 13 },
      { code: 'E_UNKNOWN_VAR', line: 4, col: 13 },
    ]);
    expect(m.diagnostics.map((d) => d.message)).toEqual([
      "links[0].target: unknown variable ${a}: 'a' is not defined in vars",
      'links[0].target: unknown variable ${env:NOPE_1}: the environment variable NOPE_1 is not set',
      "links[0].target: unknown variable ${b}: 'b' is not defined in vars",
    ]);
  });
  it('a problem in the link does not hide one in the target', async () => {
    const m = await loadYaml(oneEntry('${nope}/x', '${alsoNope}/x'), linuxCtx());
    expect(errorsOf(m)).toEqual([
      { code: 'E_UNKNOWN_VAR', line: 3, col: 11 },
      { code: 'E_UNKNOWN_VAR', line: 4, col: 13 },
    ]);
  });
});

describe('variable cycles', () => {
  it('a var that refers to itself', async () => {
    const d = await onlyError(`version: 1\nvars:\n  a: \${a}/x\nlinks:\n  - link: /srv/x\n    target: \${a}\n`);
    expect(d).toMatchObject({ code: 'E_VAR_CYCLE', line: 6, col: 13 });
    expect(d.message).toBe('links[0].target: variable cycle: a -> a');
  });
  it('a longer cycle is shown in full', async () => {
    const d = await onlyError(`version: 1\nvars:\n  a: \${b}\n  b: \${c}\n  c: /x/\${a}\nlinks:\n  - link: /srv/x\n    target: \${a}\n`);
    expect(d).toMatchObject({ code: 'E_VAR_CYCLE', line: 8, col: 13 });
    expect(d.message).toBe('links[0].target: variable cycle: a -> b -> c -> a');
  });
  it('a cycle is reported for every entry that uses it, and never hangs', async () => {
    const yaml = `version: 1\nvars:\n  a: \${b}\n  b: \${a}\nlinks:\n  - link: /srv/x\n    target: \${a}\n  - link: /srv/y\n    target: \${b}\n`;
    const m = await loadYaml(yaml, linuxCtx());
    expect(errorsOf(m)).toEqual([
      { code: 'E_VAR_CYCLE', line: 7, col: 13 },
      { code: 'E_VAR_CYCLE', line: 9, col: 13 },
    ]);
  });
  it('a var used twice in one path is not a cycle', async () => {
    const m = await loadYaml(`version: 1\nvars:\n  d: data\nlinks:\n  - link: /srv/x\n    target: /mnt/\${d}/\${d}\n`, linuxCtx());
    expect(m.diagnostics).toEqual([]);
    expect(pairsOf(m)).toEqual(['/srv/x -> /mnt/data/data']);
  });
});

describe('{name}', () => {
  it('outside a glob entry is E_NAME_WITHOUT_GLOB at the target', async () => {
    const d = await onlyError(oneEntry('/srv/games', '/data/{name}'));
    expect(d).toMatchObject({ code: 'E_NAME_WITHOUT_GLOB', line: 4, col: 13 });
    expect(d.message).toBe('links[0].target: {name} is only defined for a glob link (like ~/Games/*)');
  });
  it('in a link is E_NAME_WITHOUT_GLOB at the link', async () => {
    const d = await onlyError(oneEntry('/srv/{name}', '/data/x'), linuxCtx());
    expect(d).toMatchObject({ code: 'E_NAME_WITHOUT_GLOB', line: 3, col: 11 });
  });
});
