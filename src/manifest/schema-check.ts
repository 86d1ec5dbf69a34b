import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../core/errors.js';
import validateSchema from './generated/schema-validator.js';
import { nodeAt, posOf, type ParsedYaml } from './parse-yaml.js';
import { editDistance } from '../core/edit-distance.js';

const KNOWN_KEYS: Record<string, string[]> = {
  root: ['$schema', 'version', 'vars', 'defaults', 'links'],
  defaults: ['type', 'conflict', 'retarget', 'when', 'force'],
  entry: ['link', 'target', 'type', 'conflict', 'retarget', 'state', 'when', 'force', 'description'],
  when: ['os', 'host'],
};

/**
 * The schema verdict. `badEntries` are indexes of `links` items with an
 * error inside them; `rootBroken` is set when an error lies outside any
 * entry (then no entry can be trusted).
 */
export interface SchemaResult {
  diagnostics: Diagnostic[];
  badEntries: Set<number>;
  rootBroken: boolean;
}

/**
 * Validates parsed data against the JSON Schema (precompiled at build time)
 * and maps every ajv error back to the YAML node it is about.
 */
export function checkSchema(file: string, parsed: ParsedYaml): SchemaResult {
  const res: SchemaResult = { diagnostics: [], badEntries: new Set(), rootBroken: false };
  if (validateSchema(parsed.data)) return res;
  const errors = collapseAnyOf(validateSchema.errors ?? []);
  const out = res.diagnostics;
  const seen = new Set<string>();
  // A misspelt key shows up twice, as unknown and as missing; the unknown one (with its did-you-mean) says it all.
  const misspelt = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const near = closest(String((e.params as { additionalProperty?: unknown }).additionalProperty), knownKeysFor(toSegments(e.instancePath)));
    if (near !== undefined) misspelt.add(`${e.instancePath}\0${near}`);
  }
  for (const e of errors) {
    const segments = toSegments(e.instancePath);
    if (segments[0] === 'links' && typeof segments[1] === 'number') res.badEntries.add(segments[1]);
    else if (breaksEntries(e, segments)) res.rootBroken = true;
    if (e.keyword === 'required' && misspelt.has(`${e.instancePath}\0${String((e.params as { missingProperty?: unknown }).missingProperty)}`)) continue;
    const d = describe(e, segments, valueAt(parsed.data, segments));
    const node = nodeAt(parsed.doc, segments, d.keyNode);
    const { line, col } = posOf(node, parsed.lines);
    const key = `${line}:${col}:${d.code}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ severity: 'error', code: d.code, file, line, col, message: d.message, ...(d.hint ? { hint: d.hint } : {}) });
  }
  return res;
}

/**
 * A wrong `version` or an unknown top-level key leaves the entries readable,
 * so their own problems are still reported; a broken `vars`, `defaults` or
 * `links` does not.
 */
function breaksEntries(e: ErrorObject, segments: (string | number)[]): boolean {
  if (segments.length === 0) {
    if (e.keyword === 'additionalProperties') return false;
    if (e.keyword === 'required') return (e.params as { missingProperty?: string }).missingProperty === 'links';
    return true;
  }
  return segments[0] !== 'version' && segments[0] !== '$schema';
}

function toSegments(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** `links[2].type`, the way a person reads a path into the manifest. */
export function humanPath(segments: (string | number)[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out === '' ? 'the manifest' : out;
}

interface Described {
  code: 'E_SCHEMA' | 'E_UNKNOWN_KEY' | 'E_MISSING_KEY';
  message: string;
  hint?: string;
  keyNode?: string;
}

function valueAt(data: unknown, segments: (string | number)[]): unknown {
  let v = data;
  for (const s of segments) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[s] : undefined;
  return v;
}

function describe(e: ErrorObject & { propertyName?: string }, segments: (string | number)[], value: unknown): Described {
  const where = humanPath(segments);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = knownKeysFor(segments);
      const near = closest(key, known);
      return {
        code: 'E_UNKNOWN_KEY',
        message: `${where === 'the manifest' ? 'the manifest has' : `${where} has`} an unknown key '${key}'${near ? ` (did you mean '${near}'?)` : ''}`,
        hint: `allowed keys here: ${known.join(', ')}`,
        keyNode: key,
      };
    }
    case 'required':
      return {
        code: 'E_MISSING_KEY',
        message: `${where} is missing the required key '${String(p.missingProperty)}'`,
        hint: segments.length === 0 ? 'a manifest needs `version: 1` and a `links:` list' : 'each entry needs a `link` and a `target`',
      };
    case 'enum':
      return { code: 'E_SCHEMA', message: `${where} must be one of ${(p.allowedValues as unknown[]).join(', ')}` };
    case 'const': {
      const quoted = typeof value === 'string' && value === String(p.allowedValue);
      return {
        code: 'E_SCHEMA',
        message: quoted
          ? `${where} must be the number ${JSON.stringify(p.allowedValue)}, not the text ${JSON.stringify(value)}`
          : `${where} must be ${JSON.stringify(p.allowedValue)}${value !== undefined ? `, not ${JSON.stringify(value)}` : ''}`,
        hint: quoted ? `write \`${where}: ${JSON.stringify(p.allowedValue)}\` without quotes` : 'this version of relocate reads manifests of `version: 1`',
      };
    }
    case 'type':
      return {
        code: 'E_SCHEMA',
        message: segments.length === 0 ? 'the manifest must be a YAML mapping with `version` and `links`' : `${where} must be ${typeWords(String(p.type))}`,
      };
    case 'minLength':
      return { code: 'E_SCHEMA', message: `${where} must not be empty` };
    case 'minItems':
      return { code: 'E_SCHEMA', message: `${where} must list at least one value` };
    case 'propertyNames':
    case 'pattern':
      return {
        code: 'E_SCHEMA',
        message: `${where}: '${String(p.propertyName ?? e.propertyName)}' is not a valid variable name`,
        hint: 'variable names start with a letter or _ and use letters, digits, _ . -',
        keyNode: String(p.propertyName ?? e.propertyName),
      };
    case 'anyOf':
      if (Array.isArray(value) && value.length === 0) return { code: 'E_SCHEMA', message: `${where} must list at least one value` };
      return { code: 'E_SCHEMA', message: `${where} ${String(e.message)}` };
    default:
      return { code: 'E_SCHEMA', message: `${where} ${e.message ?? 'is not valid'}` };
  }
}

function typeWords(type: string): string {
  switch (type) {
    case 'string':
      return 'text';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping of keys to values';
    case 'boolean':
      return 'true or false';
    default:
      return `a ${type}`;
  }
}

/**
 * ajv reports every failed branch of an anyOf plus the anyOf itself; a
 * person needs one line. Keeps the anyOf error, phrased from its branches.
 */
function collapseAnyOf(errors: ErrorObject[]): ErrorObject[] {
  const anyOfPaths = new Map<string, ErrorObject>();
  for (const e of errors) if (e.keyword === 'anyOf') anyOfPaths.set(e.instancePath, e);
  if (anyOfPaths.size === 0) return errors;
  const out: ErrorObject[] = [];
  const branches = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const owner = [...anyOfPaths.keys()].find((p) => e.instancePath === p || e.instancePath.startsWith(p + '/'));
    if (owner !== undefined && e.keyword !== 'anyOf') {
      branches.set(owner, [...(branches.get(owner) ?? []), e]);
      continue;
    }
    out.push(e);
  }
  return out.map((e) => {
    if (e.keyword !== 'anyOf') return e;
    const sub = branches.get(e.instancePath) ?? [];
    const allowed = sub.find((s) => s.keyword === 'enum')?.params as { allowedValues?: unknown[] } | undefined;
    const message = allowed?.allowedValues
      ? `must be one of ${allowed.allowedValues.join(', ')}, or a list of them`
      : 'must be a non-empty text or a list of them';
    return { ...e, message };
  });
}

function knownKeysFor(segments: (string | number)[]): string[] {
  const last = segments[segments.length - 1];
  if (segments.length === 0) return KNOWN_KEYS.root;
  if (last === 'defaults') return KNOWN_KEYS.defaults;
  if (last === 'when') return KNOWN_KEYS.when;
  return KNOWN_KEYS.entry;
}

/** The known key nearest to a misspelt one, if it is close enough to be a typo. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= (word.length <= 3 ? 1 : 2) ? best : undefined;
}
