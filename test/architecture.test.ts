import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.js';
import { contractBreaches, folderOf, importNames, importsOf, nameExists, parseContract, type Contract } from './helpers/room-contracts.js';

/**
 * The layering the README's Development section promises, checked on the
 * source text: only src/platform touches the disk or koffi, only src/cli
 * prints or exits, and the planner is pure. A rule broken by a new import
 * fails here with the file and the import named. Beyond these rules, every
 * folder's own contract (src/<folder>/README.md, read by
 * helpers/room-contracts.ts) is enforced as an import matrix.
 */

const SRC = path.join(REPO_ROOT, 'src');

/** Every .ts file under src/, relative to src/ with forward slashes. */
function sources(): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) walk(path.join(dir, d.name), r);
      else if (d.name.endsWith('.ts')) out.push(r);
    }
  };
  walk(SRC, '');
  return out.sort();
}

/** The modules a source text loads at run time: `import … from`, `export … from`, `import '…'` and `import('…')`; `import type` excluded. */
function runtimeImports(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

const DISK_MODULES = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'koffi']);
const read = (rel: string) => readFileSync(path.join(SRC, rel), 'utf8');

/** Every folder under src/ (not src/ itself), relative to src/. */
function folders(): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (!d.isDirectory()) continue;
      const r = rel ? `${rel}/${d.name}` : d.name;
      out.push(r);
      walk(path.join(dir, d.name), r);
    }
  };
  walk(SRC, '');
  return out.sort();
}

/** Every folder's contract, by folder; a folder without one is missing from the map (and fails the first contract test). */
function contracts(): Map<string, Contract> {
  const out = new Map<string, Contract>();
  for (const f of folders()) {
    const file = path.join(SRC, f, 'README.md');
    if (existsSync(file)) out.set(f, parseContract(f, readFileSync(file, 'utf8')));
  }
  return out;
}

/** What a contract may name besides built-ins: src/'s folders and modules (no extension) and the project's packages. */
function knownNames(): { srcEntries: Set<string>; packages: Set<string> } {
  const srcEntries = new Set(folders());
  for (const f of sources()) srcEntries.add(f.replace(/(\.d)?\.ts$/, ''));
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies?: object; devDependencies?: object };
  return { srcEntries, packages: new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]) };
}

describe('architecture', () => {
  const files = sources();

  it('the import scanner sees static, re-exported, bare and dynamic imports, and skips type-only ones', () => {
    const text = [
      "import { a, type B } from 'node:fs';",
      "import type { C } from 'type-only';",
      'import {\n  d,\n  e,\n} from "multi-line";',
      "export { f } from './re-export.js';",
      "import './side-effect.js';",
      "const k = (await import('koffi')).default;",
    ].join('\n');
    expect(runtimeImports(text).sort()).toEqual(['./re-export.js', './side-effect.js', 'koffi', 'multi-line', 'node:fs']);
    // And on the real tree: the platform layer does import the disk modules.
    expect(runtimeImports(read('platform/node-fs.ts'))).toContain('node:fs');
  });

  it('only src/platform imports fs or koffi', () => {
    const bad = files
      .filter((f) => !f.startsWith('platform/'))
      .flatMap((f) =>
        runtimeImports(read(f))
          .filter((m) => DISK_MODULES.has(m))
          .map((m) => `${f} imports ${m}`),
      );
    expect(bad).toEqual([]);
  });

  it('only src/cli prints or exits', () => {
    const bad = files
      .filter((f) => !f.startsWith('cli/'))
      .flatMap((f) => [...read(f).matchAll(/\bprocess\.(?:exit|exitCode|stdout|stderr)\b|\bconsole\.[a-z]+\(/g)].map((m) => `${f}: ${m[0]}`));
    expect(bad).toEqual([]);
  });

  it('only src/platform starts processes (node:child_process): the GUI server drives the engine through src/platform/self-command.ts', () => {
    const bad = files
      .filter((f) => !f.startsWith('platform/'))
      .flatMap((f) =>
        runtimeImports(read(f))
          .filter((m) => m === 'child_process' || m === 'node:child_process')
          .map((m) => `${f} imports ${m}`),
      );
    expect(bad).toEqual([]);
  });

  it('the GUI server (src/gui/server) decides no rule: it imports no planner, executor, journal or state code', () => {
    const engine = /(^|\/)(plan|exec|journal|state)\//;
    const bad = files
      .filter((f) => f.startsWith('gui/server/'))
      .flatMap((f) =>
        runtimeImports(read(f))
          .filter((m) => engine.test(m.replace(/^(\.\.\/)+/, '')))
          .map((m) => `${f} imports ${m}`),
      );
    expect(bad).toEqual([]);
  });

  it('the planner (src/plan) imports only src/core, itself and node:crypto/node:path', () => {
    const allowed = (m: string) => m.startsWith('./') || m.startsWith('../core/') || m === 'node:crypto' || m === 'node:path';
    const bad = files
      .filter((f) => f.startsWith('plan/'))
      .flatMap((f) =>
        runtimeImports(read(f))
          .filter((m) => !allowed(m))
          .map((m) => `${f} imports ${m}`),
      );
    expect(bad).toEqual([]);
  });

  it('the use-case room (src/usecase) decides without I/O: never the CLI, the disk, printing or exiting; the CLI may call it', () => {
    const all = contracts();
    const usecase = all.get('usecase');
    expect(usecase, 'src/usecase/README.md').toBeDefined();
    expect(usecase!.never).toEqual(
      expect.arrayContaining([
        'cli',
        'platform',
        'render',
        'node:fs',
        'node:fs/promises',
        'koffi',
        'node:child_process',
        'console',
        'process.exit',
        'process.stdout',
      ]),
    );
    expect(all.get('cli')?.mayImport.has('usecase')).toBe(true);
    expect(all.get('cli/commands')?.mayImport.has('usecase')).toBe(true);
    // The contract, as read, refuses what the room must never do.
    expect(contractBreaches('usecase/x.ts', "import { applyCommand } from '../cli/commands/apply.js';", usecase!)).toEqual([
      'usecase/x.ts imports ../cli/commands/apply.js: src/usecase must never import cli',
    ]);
    expect(contractBreaches('usecase/x.ts', "import { diskReader } from '../platform/disk-reader.js';", usecase!)).toEqual([
      'usecase/x.ts imports ../platform/disk-reader.js: src/usecase must never import platform',
    ]);
    expect(contractBreaches('usecase/x.ts', "import { listRuns } from '../journal/runs.js';", usecase!)).toEqual([
      "usecase/x.ts imports ../journal/runs.js: only its types are in src/usecase's contract",
    ]);
    expect(contractBreaches('usecase/x.ts', 'process.exitCode = 1;', usecase!)).toEqual(['usecase/x.ts uses process.exitCode: src/usecase must never']);
  });

  it('every folder of src/ opens with a contract: README.md, "# src/<folder> — …" and its rules', () => {
    const found = contracts();
    expect(folders().filter((f) => !found.has(f))).toEqual([]);
    expect(sources().filter((f) => !f.includes('/'))).toEqual([]);
  });

  it('every name a contract uses exists: a folder or module of src/, a node built-in or a package of package.json', () => {
    const { srcEntries, packages } = knownNames();
    const bad = [...contracts().values()].flatMap((c) =>
      [...c.mayImport, ...c.mayImportTypes, ...c.exceptions.keys(), ...c.never]
        .filter((n) => !nameExists(n, srcEntries, packages))
        .map((n) => `src/${c.folder}/README.md names ${n}`),
    );
    expect(bad).toEqual([]);
  });

  it("every import of every file under src/ is allowed by its folder's contract", () => {
    const all = contracts();
    const bad = sources().flatMap((f) => {
      const c = all.get(folderOf(f));
      return c ? contractBreaches(f, read(f), c) : [`${f}: src/${folderOf(f)} has no contract`];
    });
    expect(bad).toEqual([]);
  });

  it('every exception is still used: the refactor that removes the import removes the exception', () => {
    const used = new Set(sources().flatMap((f) => importsOf(read(f)).flatMap((i) => importNames(f, i.module).map((n) => `${folderOf(f)} ${n}`))));
    const stale = [...contracts().values()].flatMap((c) =>
      [...c.exceptions.keys()].filter((n) => !used.has(`${c.folder} ${n}`)).map((n) => `src/${c.folder}: exception ${n}`),
    );
    expect(stale).toEqual([]);
  });

  it('the contract checker fails on a forbidden import, a runtime import of a types-only room, a never rule and a malformed contract', () => {
    const contract = parseContract(
      'plan',
      [
        '# src/plan — the pure planner.',
        '',
        '- may import: core, node:crypto',
        '- may import types: state — the observations',
        '- exception: journal/runs — a reason',
        '- never: platform, node:fs, console',
      ].join('\n'),
    );
    const allowed = [
      "import { pathKey } from '../core/paths.js';",
      "import type { Observation } from '../state/types.js';",
      "import { type EntryObservation } from '../state/types.js';",
      "import { createHash } from 'node:crypto';",
      "import { helper } from './decide.js';",
      "import { utcStamp } from '../journal/runs.js';",
    ].join('\n');
    expect(contractBreaches('plan/x.ts', allowed, contract)).toEqual([]);
    expect(contractBreaches('plan/x.ts', "import { diskReader } from '../platform/disk-reader.js';", contract)).toEqual([
      'plan/x.ts imports ../platform/disk-reader.js: src/plan must never import platform',
    ]);
    // A never rule naming a folder covers its subfolders: no way round it through platform/windows.
    expect(contractBreaches('plan/x.ts', "import { windowsNotes } from '../platform/windows/native.js';", contract)).toEqual([
      'plan/x.ts imports ../platform/windows/native.js: src/plan must never import platform',
    ]);
    expect(() => parseContract('plan', '# src/plan — x\n\n- may import: platform/windows\n- never: platform')).toThrow(/both allowed and never/);
    expect(contractBreaches('plan/x.ts', "import { observeEntries } from '../state/observe.js';", contract)).toEqual([
      "plan/x.ts imports ../state/observe.js: only its types are in src/plan's contract",
    ]);
    expect(contractBreaches('plan/x.ts', "import type { RunRecord } from '../journal/types.js';", contract)).toEqual([
      "plan/x.ts imports ../journal/types.js (types): it is not in src/plan's contract",
    ]);
    expect(contractBreaches('plan/x.ts', "const d = createRequire(import.meta.url)('diff');", contract)).toEqual([
      "plan/x.ts imports diff: it is not in src/plan's contract",
    ]);
    expect(contractBreaches('plan/x.ts', "import { readFileSync } from 'node:fs';\nconsole.log('x');", contract)).toEqual([
      'plan/x.ts imports node:fs: src/plan must never import node:fs',
      'plan/x.ts uses console: src/plan must never',
    ]);
    expect(() => parseContract('plan', '# src/exec — the wrong folder')).toThrow(/first line/);
    expect(() => parseContract('plan', '# src/plan — x\n\n- exception: platform')).toThrow(/must say why/);
    expect(() => parseContract('plan', '# src/plan — x\n\n- may imports: core')).toThrow(/unknown rule/);
    expect(() => parseContract('plan', '# src/plan — x\n\n- may import: platform\n- never: platform')).toThrow(/both allowed and never/);
  });

  it('the import reader sees type-only forms, typeof import() and createRequire', () => {
    const text = [
      "import type { A } from 'a';",
      "import { type B, type C } from 'b';",
      "import { d, type E } from 'd';",
      "export type { F } from './f.js';",
      "type K = typeof import('k');",
      "const g = createRequire(import.meta.url)('g');",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { module: 'a', typeOnly: true },
      { module: 'b', typeOnly: true },
      { module: 'd', typeOnly: false },
      { module: './f.js', typeOnly: true },
      { module: 'k', typeOnly: true },
      { module: 'g', typeOnly: false },
    ]);
    expect(importNames('gui/web/screens/scan.ts', '../../../render/scan-json.js')).toEqual(['render', 'render/scan-json']);
  });
});
