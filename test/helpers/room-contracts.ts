import { isBuiltin } from 'node:module';
import path from 'node:path';

/**
 * The rooms' contracts (src/<folder>/README.md) read as an import matrix,
 * and the checker test/architecture.test.ts runs over every source file.
 *
 * A contract file's first line is the one-line contract, `# src/<folder> — …`
 * (what the folder does, what it may import, what it must never do). The
 * machine-readable rules follow as list items, one key each, values separated
 * by commas, an optional reason after ` — `:
 *
 *   - may import: core, plan/entry-paths, node:path, yaml    (run time and types)
 *   - may import types: state                                 (`import type` only)
 *   - exception: platform/journal-fs — why it is allowed for now
 *   - never: node:fs, koffi, process.exit, console
 *
 * A name is a folder of src/ (`platform`), one module of it
 * (`platform/journal-fs`, which allows that file alone), a node built-in
 * (`node:fs`) or a package (`preact/hooks`); in `never`, `node:*` stands for
 * every built-in, and `console` and `process.<name>` are code the folder must
 * not contain. `nothing` is an empty list. A folder may always import itself;
 * a subfolder is a folder of its own, except that a `never` rule naming a
 * folder covers its subfolders too. An exception is an allowance that
 * breaks DESIGN.md's intended layering; it must say why, and it must still
 * be used (a refactor that removes the import must remove the exception too).
 */

export const RULE_KEYS = ['may import', 'may import types', 'exception', 'never'] as const;

export interface Contract {
  folder: string;
  /** The first line without its `# src/<folder> — ` head. */
  summary: string;
  /** Allowed at run time (and so as types too). */
  mayImport: Set<string>;
  /** Allowed only by `import type`, `import { type … }` or `typeof import(…)`. */
  mayImportTypes: Set<string>;
  /** Allowed at run time, against the intended layering, each with its reason. */
  exceptions: Map<string, string>;
  /** Never imported in any form (import names), or never written (code references). */
  never: string[];
}

/** `console` and `process.<name>`: what a `never` rule forbids in the text, not as an import. */
const CODE_REFERENCE = /^(?:console|process\.[A-Za-z]+)$/;
export const isCodeReference = (name: string): boolean => CODE_REFERENCE.test(name);

/** Parses one contract; a malformed one throws, naming the folder and the line. */
export function parseContract(folder: string, text: string): Contract {
  const lines = text.split(/\r?\n/);
  const head = `# src/${folder} — `;
  const first = lines[0] ?? '';
  if (!first.startsWith(head) || first.length === head.length)
    throw new Error(`src/${folder}/README.md: the first line must be "${head}<the one-line contract>"`);
  const contract: Contract = { folder, summary: first.slice(head.length), mayImport: new Set(), mayImportTypes: new Set(), exceptions: new Map(), never: [] };
  for (const line of lines.slice(1)) {
    const rule = /^- ([a-z ]+):\s*(.*)$/.exec(line);
    if (!rule) continue;
    const key = rule[1] as (typeof RULE_KEYS)[number];
    if (!RULE_KEYS.includes(key)) throw new Error(`src/${folder}/README.md: unknown rule "${rule[1]}:" (known: ${RULE_KEYS.join(', ')})`);
    const [list = '', reason = ''] = (rule[2] ?? '').split(' — ', 2);
    const names = list.trim() === 'nothing' ? [] : list.split(',').map((n) => n.trim());
    if (names.some((n) => n === '' || /\s/.test(n))) throw new Error(`src/${folder}/README.md: "${line}" is not a comma-separated list of names`);
    if (key === 'exception' && reason.trim() === '') throw new Error(`src/${folder}/README.md: an exception must say why after " — ": "${line}"`);
    for (const n of names) {
      if (key === 'may import') contract.mayImport.add(n);
      else if (key === 'may import types') contract.mayImportTypes.add(n);
      else if (key === 'exception') contract.exceptions.set(n, reason.trim());
      else contract.never.push(n);
    }
  }
  const allowed = [...contract.mayImport, ...contract.mayImportTypes, ...contract.exceptions.keys()];
  const clash = contract.never.filter((n) => allowed.some((a) => forbids(n, a)));
  if (clash.length > 0) throw new Error(`src/${folder}/README.md: ${clash.join(', ')} both allowed and never`);
  return contract;
}

/** One import of a source text; `typeOnly` when it is erased from the JavaScript. */
export interface ImportRef {
  module: string;
  typeOnly: boolean;
}

/**
 * Every module a source text names: static imports and re-exports (type-only
 * when `import type`/`export type`, or when every named binding is
 * `type …`), bare imports, dynamic `import()` (type-only as `typeof import()`)
 * and `require()`/`createRequire(…)(…)`, which load a package just as surely.
 */
export function importsOf(text: string): ImportRef[] {
  const found: ImportRef[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?([^'";]*?)\sfrom\s+['"]([^'"]+)['"]/gm)) {
    const named = /^\{([^}]*)\}$/.exec(m[2]!.trim());
    const bindings = named
      ? named[1]!
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean)
      : [];
    const allTypes = bindings.length > 0 && bindings.every((b) => b.startsWith('type '));
    found.push({ module: m[3]!, typeOnly: m[1] !== undefined || allTypes });
  }
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push({ module: m[1]!, typeOnly: false });
  for (const m of text.matchAll(/(\btypeof\s+)?\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ module: m[2]!, typeOnly: m[1] !== undefined });
  for (const m of text.matchAll(/(?:\brequire|\bcreateRequire\([^)]*\))\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ module: m[1]!, typeOnly: false });
  return found;
}

/** The names an import answers to: a relative one its folder and its module (both relative to src/, no extension), a bare one its specifier. */
export function importNames(file: string, spec: string): string[] {
  if (!spec.startsWith('.')) return [spec];
  const module = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/(\.d)?\.[cm]?[jt]s$/, '');
  return [path.posix.dirname(module), module];
}

/** Whether the rule name `rule` covers the import name `name` (`node:*` covers every `node:` module). */
function matches(rule: string, name: string): boolean {
  return rule.endsWith('*') ? name.startsWith(rule.slice(0, -1)) : rule === name;
}

/**
 * Whether a `never` rule covers the import name `name`: as `matches`, and a
 * folder of src/ also covers its subfolders and their modules (`never: cli`
 * forbids cli/commands too), so a room cannot reach what it must never
 * import through a subfolder.
 */
function forbids(rule: string, name: string): boolean {
  return matches(rule, name) || (!rule.includes(':') && !rule.endsWith('*') && name.startsWith(`${rule}/`));
}

/** The folder of a file relative to src/. */
export const folderOf = (file: string): string => path.posix.dirname(file);

/** What one source file (relative to src/) does against its folder's contract, one line per breach. */
export function contractBreaches(file: string, text: string, contract: Contract): string[] {
  const out: string[] = [];
  for (const ref of importsOf(text)) {
    const names = importNames(file, ref.module);
    if (ref.module.startsWith('.') && names[0] === contract.folder) continue;
    const forbidden = contract.never.find((rule) => !isCodeReference(rule) && names.some((n) => forbids(rule, n)));
    if (forbidden !== undefined) {
      out.push(`${file} imports ${ref.module}: src/${contract.folder} must never import ${forbidden}`);
      continue;
    }
    const allowed = names.some((n) => contract.mayImport.has(n) || contract.exceptions.has(n) || (ref.typeOnly && contract.mayImportTypes.has(n)));
    if (!allowed) {
      const typesOnly = names.some((n) => contract.mayImportTypes.has(n));
      out.push(
        `${file} imports ${ref.module}${ref.typeOnly ? ' (types)' : ''}: ${typesOnly ? 'only its types are' : 'it is not'} in src/${contract.folder}'s contract`,
      );
    }
  }
  for (const rule of contract.never.filter(isCodeReference)) {
    const pattern = rule === 'console' ? /\bconsole\.[a-z]+\(/ : new RegExp(`\\b${rule.replace('.', '\\.')}\\b`);
    if (pattern.test(text)) out.push(`${file} uses ${rule}: src/${contract.folder} must never`);
  }
  return out;
}

/** Whether a contract name exists: a folder or module of src/, a node built-in or a package the project depends on. */
export function nameExists(name: string, srcEntries: ReadonlySet<string>, packages: ReadonlySet<string>): boolean {
  if (name.endsWith('*') || isCodeReference(name)) return true;
  if (srcEntries.has(name)) return true;
  if (isBuiltin(name)) return true;
  const root = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]!;
  return packages.has(root);
}
