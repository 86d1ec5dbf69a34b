import { isAlias, isCollection, isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../core/errors.js';

/** Aliases beyond this many expansions are treated as a "billion laughs" attack. */
export const MAX_ALIAS_EXPANSIONS = 100;

/**
 * A parsed manifest that remembers where every node came from.
 * Invariant: `data` is set only when the YAML had no errors.
 */
export interface ParsedYaml {
  doc: Document.Parsed;
  lines: LineCounter;
  data?: unknown;
  diagnostics: Diagnostic[];
}

export function parseYaml(file: string, text: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, strict: true });
  const diagnostics: Diagnostic[] = [];
  for (const err of doc.errors) {
    const pos = err.linePos?.[0] ?? { line: 1, col: 1 };
    const code = err.code === 'DUPLICATE_KEY' ? 'E_DUPLICATE_KEY' : 'E_YAML';
    diagnostics.push({
      severity: 'error', code, file, line: pos.line, col: pos.col,
      message: cleanYamlMessage(err.message),
      hint: code === 'E_DUPLICATE_KEY' ? 'each key may appear once per mapping; remove or rename one' : 'fix the YAML syntax at this position',
    });
  }
  if (diagnostics.length > 0) return { doc, lines, diagnostics };
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
    diagnostics.push({
      severity: 'error', code: 'E_EMPTY', file, line: 1, col: 1,
      message: 'the manifest is empty',
      hint: 'start from links.example.yaml: it needs `version: 1` and a `links:` list',
    });
    return { doc, lines, diagnostics };
  }
  try {
    const data = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
    return { doc, lines, data, diagnostics };
  } catch (err) {
    const pos = firstAliasPos(doc, lines);
    diagnostics.push({
      severity: 'error', code: 'E_YAML_ALIASES', file, line: pos.line, col: pos.col,
      message: `YAML aliases expand too far (${(err as Error).message.replace(/\.$/, '')})`,
      hint: 'a manifest does not need nested aliases; write the entries out',
    });
    return { doc, lines, diagnostics };
  }
}

function cleanYamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '').trim();
}

function firstAliasPos(doc: Document.Parsed, lines: LineCounter): { line: number; col: number } {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset === undefined ? { line: 1, col: 1 } : lines.linePos(offset);
}

/**
 * Finds the node at a data path, and for a missing key its nearest existing
 * ancestor. With `key`, returns the key node of that map entry instead of
 * its value (to point at an unknown key itself).
 */
export function nodeAt(doc: Document.Parsed, segments: (string | number)[], key?: string): Node | undefined {
  let node: unknown = doc.contents;
  for (const seg of segments) {
    if (isAlias(node)) node = node.resolve(doc);
    if (!isCollection(node)) break;
    const next: unknown = node.get(seg, true);
    if (next === undefined) break;
    node = next;
  }
  if (isAlias(node)) node = node.resolve(doc);
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
    if (pair && isScalar(pair.key)) return pair.key;
  }
  return node as Node | undefined;
}

export function posOf(node: Node | undefined, lines: LineCounter): { line: number; col: number } {
  const offset = node?.range?.[0];
  return offset === undefined ? { line: 1, col: 1 } : lines.linePos(offset);
}
