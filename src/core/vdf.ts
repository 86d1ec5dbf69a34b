/**
 * Valve's KeyValues text format (VDF), as Steam writes `libraryfolders.vdf`
 * and `appmanifest_*.acf`: `"key" "value"` pairs and `"key" { … }` blocks,
 * quoted or bare tokens, backslash escapes in quoted ones, `//` comments,
 * and `[$WIN32]`-style conditions after a value (read and ignored). Pure.
 */

/**
 * A parsed block. Keys keep their spelling; KeyValues compares them without
 * case, so look them up with `vdfGet`. A key given twice keeps its first
 * value (what Steam's own reader does).
 */
export interface VdfObject {
  [key: string]: string | VdfObject;
}

/** The result of `parseVdf`: the top-level block, or the first problem with its 1-based position. */
export type VdfResult = { ok: true; value: VdfObject } | { ok: false; message: string; line: number; col: number };

type Token =
  { kind: 'string'; text: string; line: number; col: number } | { kind: 'open'; line: number; col: number } | { kind: 'close'; line: number; col: number };

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"' };

class VdfError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(message);
  }
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  // A byte order mark is not part of the text.
  if (text.charCodeAt(0) === 0xfeff) i = lineStart = 1;
  while (i < text.length) {
    const ch = text[i];
    const col = i - lineStart + 1;
    if (ch === '\n') {
      i++;
      line++;
      lineStart = i;
    } else if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '{' || ch === '}') {
      out.push(ch === '{' ? { kind: 'open', line, col } : { kind: 'close', line, col });
      i++;
    } else if (ch === '[') {
      // A condition such as [$WIN32] or [!$OSX]: it qualifies the pair before it; relocate reads every pair.
      const end = text.indexOf(']', i);
      if (end < 0 || text.slice(i, end).includes('\n')) throw new VdfError('a condition `[` is not closed on its line', line, col);
      i = end + 1;
    } else if (ch === '"') {
      let s = '';
      // A string may span lines: it is reported where it starts.
      const startLine = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new VdfError('a quoted string is not closed', startLine, col);
        const c = text[i];
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\' && i + 1 < text.length) {
          const next = text[i + 1];
          // Steam writes Windows paths with doubled backslashes; an unknown escape keeps its backslash.
          s += ESCAPES[next] ?? `\\${next}`;
          i += 2;
          continue;
        }
        if (c === '\n') {
          line++;
          lineStart = i + 1;
        }
        s += c;
        i++;
      }
      out.push({ kind: 'string', text: s, line: startLine, col });
    } else {
      const start = i;
      while (i < text.length && !/[\s{}"]/.test(text[i])) i++;
      out.push({ kind: 'string', text: text.slice(start, i), line, col });
    }
  }
  return out;
}

/** Parses KeyValues text. Malformed text is a problem with its position, never an exception. */
export function parseVdf(text: string): VdfResult {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (err) {
    if (err instanceof VdfError) return { ok: false, message: err.message, line: err.line, col: err.col };
    throw err;
  }
  let pos = 0;
  const block = (depth: number): VdfObject => {
    const obj: VdfObject = {};
    for (;;) {
      const key = tokens[pos];
      if (key === undefined) {
        if (depth === 0) return obj;
        const last = tokens[tokens.length - 1];
        throw new VdfError('a block `{` is not closed', last.line, last.col);
      }
      if (key.kind === 'close') {
        if (depth === 0) throw new VdfError('a `}` closes no block', key.line, key.col);
        pos++;
        return obj;
      }
      if (key.kind === 'open') throw new VdfError('a block `{` has no key before it', key.line, key.col);
      pos++;
      const value = tokens[pos];
      if (value === undefined) throw new VdfError(`the key "${key.text}" has no value`, key.line, key.col);
      if (value.kind === 'close') throw new VdfError(`the key "${key.text}" has no value before \`}\``, value.line, value.col);
      pos++;
      const v = value.kind === 'open' ? block(depth + 1) : value.text;
      if (vdfGet(obj, key.text) === undefined) obj[key.text] = v;
    }
  };
  try {
    return { ok: true, value: block(0) };
  } catch (err) {
    if (err instanceof VdfError) return { ok: false, message: err.message, line: err.line, col: err.col };
    throw err;
  }
}

/** The value of `key` in a block, compared without case as KeyValues does. */
export function vdfGet(obj: VdfObject, key: string): string | VdfObject | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

/**
 * The library folders a `libraryfolders.vdf` names, in its order, each
 * once: the current format (`"libraryfolders" { "0" { "path" "…" } }`) and
 * the old one (`"LibraryFolders" { "1" "D:\\SteamLibrary" }`, numbered
 * keys only; `TimeNextStatsReport` and such are not libraries).
 */
export function steamLibraryPaths(text: string): { ok: true; paths: string[] } | { ok: false; message: string } {
  const parsed = parseVdf(text);
  if (!parsed.ok) return { ok: false, message: `line ${parsed.line}, column ${parsed.col}: ${parsed.message}` };
  const root = vdfGet(parsed.value, 'libraryfolders');
  if (root === undefined || typeof root === 'string') return { ok: false, message: 'it has no "libraryfolders" block' };
  const paths: string[] = [];
  for (const [key, v] of Object.entries(root)) {
    if (!/^\d+$/.test(key)) continue;
    const p = typeof v === 'string' ? v : vdfGet(v, 'path');
    if (typeof p === 'string' && p !== '' && !paths.includes(p)) paths.push(p);
  }
  return { ok: true, paths };
}
