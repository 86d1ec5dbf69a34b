import { leadingBlanks } from './leading-blanks.js';
import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  Scalar,
  visit,
  type Document,
  type Node,
  type YAMLError,
} from 'yaml';
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

/**
 * Flow collections (`[…]`, `{…}`) nested deeper than this are refused before
 * parsing: no manifest needs them, and on thousands of levels the parser's
 * error recovery takes seconds and reports tens of thousands of errors.
 */
export const MAX_FLOW_DEPTH = 64;

/** Where flow nesting first passes MAX_FLOW_DEPTH (an offset), skipping comments and quoted text; O(length). */
function tooDeepAt(text: string): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = undefined;
      } else if (c === '\n' && quote === "'" && depth === 0) quote = undefined;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const nl = text.indexOf('\n', i);
      if (nl < 0) return undefined;
      i = nl;
      continue;
    }
    // A quote only opens a quoted scalar where a value starts (not the apostrophe in a plain `it's`).
    if ((c === '"' || c === "'") && (i === 0 || /[\s:,[{-]/.test(text[i - 1]))) quote = c;
    else if (c === '[' || c === '{') {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return undefined;
}

export function parseYaml(file: string, text: string): ParsedYaml {
  const lines = new LineCounter();
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    const doc = parseDocument('', { lineCounter: new LineCounter() });
    lines.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
    const pos = lines.linePos(deep);
    return {
      doc,
      lines,
      diagnostics: [
        {
          severity: 'error',
          code: 'E_YAML',
          file,
          line: pos.line,
          col: pos.col,
          message: `brackets nest more than ${MAX_FLOW_DEPTH} levels deep here`,
          hint: 'a manifest is a short list of entries; remove the deeply nested part',
        },
      ],
    };
  }
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, strict: true });
  // Every YAML diagnostic has a position: they are sorted by it.
  const diagnostics: (Diagnostic & { line: number; col: number })[] = [];
  for (const err of doc.errors) {
    const code = err.code === 'DUPLICATE_KEY' ? 'E_DUPLICATE_KEY' : 'E_YAML';
    // The parser reports a multi-line implicit key twice, at one position; the second report says more.
    if (err.code === 'BLOCK_AS_IMPLICIT_KEY' && doc.errors.some((o) => o.code === 'MULTILINE_IMPLICIT_KEY' && o.pos[0] === err.pos[0])) continue;
    const better = explainYamlError(err, doc, text, lines);
    const pos = better?.pos ?? err.linePos?.[0] ?? { line: 1, col: 1 };
    diagnostics.push({
      severity: 'error',
      code,
      file,
      line: pos.line,
      col: pos.col,
      message: better?.message ?? cleanYamlMessage(err.message),
      hint:
        better?.hint ?? (code === 'E_DUPLICATE_KEY' ? 'each key may appear once per mapping; remove or rename one' : 'fix the YAML syntax at this position'),
    });
    // After an unclosed bracket or quote the parser is lost: what it reports later is noise.
    if (better?.unclosed) break;
  }
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  if (diagnostics.length > 0) return { doc, lines, diagnostics };
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
    diagnostics.push({
      severity: 'error',
      code: 'E_EMPTY',
      file,
      line: 1,
      col: 1,
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
      severity: 'error',
      code: 'E_YAML_ALIASES',
      file,
      line: pos.line,
      col: pos.col,
      message: `YAML aliases expand too far (${(err as Error).message.replace(/\.$/, '')})`,
      hint: 'a manifest does not need nested aliases; write the entries out',
    });
    return { doc, lines, diagnostics };
  }
}

interface Explained {
  pos: { line: number; col: number };
  message: string;
  hint: string;
  /** An unclosed quote or bracket: later parser errors are consequences of it. */
  unclosed?: boolean;
}

/**
 * Rewords the parser's errors where it points somewhere unhelpful: an
 * unclosed quote or bracket is reported where the parser gave up (often the
 * end of the file), so it is moved to the opening quote or bracket; an
 * over-indented line is reported at the line before it, so it is moved to
 * the over-indented line; an invalid escape in a double-quoted Windows path
 * gets a hint about quoting.
 */
function explainYamlError(err: YAMLError, doc: Document.Parsed, text: string, lines: LineCounter): Explained | undefined {
  const at = err.pos[0];
  if (err.code === 'MISSING_CHAR' && /closing ["']?quote/.test(err.message)) {
    let open: Scalar | undefined;
    visit(doc, {
      Scalar(_k, n) {
        if ((n.type === Scalar.QUOTE_DOUBLE || n.type === Scalar.QUOTE_SINGLE) && n.range && n.range[1] <= at && (n.range[1] === at || n.range[2] === at))
          open = n;
      },
    });
    if (open?.range) {
      const q = open.type === Scalar.QUOTE_DOUBLE ? '"' : "'";
      return {
        pos: lines.linePos(open.range[0]),
        unclosed: true,
        message: `the quoted text starting here is never closed (missing closing ${q})`,
        hint: `add the closing ${q} at the end of the value`,
      };
    }
  }
  const flow = err.code === 'BAD_INDENT' ? /^Flow (sequence|map)\b/.exec(err.message) : null;
  if (flow) {
    const wantSeq = flow[1] === 'sequence';
    let open: Node | undefined;
    visit(doc, {
      Seq(_k, n) {
        if (wantSeq && n.flow && n.range && n.range[0] < at && n.range[1] === at) open = n;
      },
      Map(_k, n) {
        if (!wantSeq && n.flow && n.range && n.range[0] < at && n.range[1] === at) open = n;
      },
    });
    if (open?.range) {
      const [o, c] = isSeq(open) ? ['[', ']'] : ['{', '}'];
      return {
        pos: lines.linePos(open.range[0]),
        unclosed: true,
        message: `the ${o} opened here is never closed (missing ${c})`,
        hint: `close it with ${c} (a ${o}…${c} list may span lines only inside its brackets)`,
      };
    }
  }
  if (err.code === 'MULTILINE_IMPLICIT_KEY' && /^[^"'[{]/.test(text.slice(at, at + 1))) {
    const keyLine = lines.linePos(at).line;
    const next = lines.lineStarts[keyLine];
    if (next !== undefined) {
      const indent = leadingBlanks(text.slice(next));
      return {
        pos: { line: keyLine + 1, col: indent + 1 },
        message: `line ${keyLine + 1} is indented too far: YAML reads it as the continuation of the value on line ${keyLine}, and a key cannot span lines`,
        hint: `indent line ${keyLine + 1} exactly like the keys above it`,
      };
    }
  }
  if (err.code === 'DUPLICATE_KEY') {
    let found: { key: string; first?: number } | undefined;
    visit(doc, {
      Map(_k, map) {
        const dup = map.items.find((p) => isScalar(p.key) && p.key.range?.[0] === at);
        if (!dup || !isScalar(dup.key)) return;
        const key = String(dup.key.value);
        const first = map.items.find((p) => p !== dup && isScalar(p.key) && String(p.key.value) === key);
        found = { key, first: isScalar(first?.key) ? first.key.range?.[0] : undefined };
        return visit.BREAK;
      },
    });
    if (found) {
      return {
        pos: lines.linePos(at),
        message: `the key '${found.key}' appears twice in one mapping${found.first !== undefined ? ` (first on line ${lines.linePos(found.first).line})` : ''}`,
        hint: 'each key may appear once per mapping; remove or rename one (a second entry of `links` starts with its own `- `)',
      };
    }
  }
  if (err.code === 'TAB_AS_INDENT') {
    return {
      pos: lines.linePos(at),
      message: 'a tab is used for indentation; YAML allows only spaces',
      hint: 'indent with spaces (set your editor to insert spaces for .yaml files)',
    };
  }
  if (err.code === 'MULTIPLE_DOCS') {
    return {
      pos: lines.linePos(at),
      message: 'a second YAML document starts here; a manifest is one document',
      hint: 'remove this `---` line, or split the documents into separate manifests',
    };
  }
  if (err.code === 'BAD_DQ_ESCAPE') {
    return {
      pos: err.linePos?.[0] ?? { line: 1, col: 1 },
      message: cleanYamlMessage(err.message),
      hint: "inside double quotes a backslash starts an escape: write Windows paths unquoted or in single quotes, like 'C:\\Games'",
    };
  }
  return undefined;
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
