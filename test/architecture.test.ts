import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.js';

/**
 * The layering the README's Development section promises, checked on the
 * source text: only src/platform touches the disk or koffi, only src/cli
 * prints or exits, and the planner is pure. A rule broken by a new import
 * fails here with the file and the import named.
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
    const bad = files.filter((f) => !f.startsWith('platform/')).flatMap((f) => runtimeImports(read(f)).filter((m) => DISK_MODULES.has(m)).map((m) => `${f} imports ${m}`));
    expect(bad).toEqual([]);
  });

  it('only src/cli prints or exits', () => {
    const bad = files
      .filter((f) => !f.startsWith('cli/'))
      .flatMap((f) => [...read(f).matchAll(/\bprocess\.(?:exit|exitCode|stdout|stderr)\b|\bconsole\.[a-z]+\(/g)].map((m) => `${f}: ${m[0]}`));
    expect(bad).toEqual([]);
  });

  it('only src/platform starts processes (node:child_process): the GUI server drives the engine through src/platform/self-command.ts', () => {
    const bad = files.filter((f) => !f.startsWith('platform/')).flatMap((f) => runtimeImports(read(f)).filter((m) => m === 'child_process' || m === 'node:child_process').map((m) => `${f} imports ${m}`));
    expect(bad).toEqual([]);
  });

  it('the GUI server (src/gui/server) decides no rule: it imports no planner, executor, journal or state code', () => {
    const engine = /(^|\/)(plan|exec|journal|state)\//;
    const bad = files.filter((f) => f.startsWith('gui/server/')).flatMap((f) => runtimeImports(read(f)).filter((m) => engine.test(m.replace(/^(\.\.\/)+/, ''))).map((m) => `${f} imports ${m}`));
    expect(bad).toEqual([]);
  });

  it('the planner (src/plan) imports only src/core, itself and node:crypto/node:path', () => {
    const allowed = (m: string) => m.startsWith('./') || m.startsWith('../core/') || m === 'node:crypto' || m === 'node:path';
    const bad = files.filter((f) => f.startsWith('plan/')).flatMap((f) => runtimeImports(read(f)).filter((m) => !allowed(m)).map((m) => `${f} imports ${m}`));
    expect(bad).toEqual([]);
  });
});
