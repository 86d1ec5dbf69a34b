import type { Diagnostic } from '../core/errors.js';

/** A manifest larger than this is refused: 10,000 entries take about 1 MiB. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * Turns manifest bytes into text, refusing what cannot be a manifest before
 * the YAML parser sees it: too large, not UTF-8, or binary. (Empty is
 * decided after parsing, where comments and `---` are understood.)
 */
export function decodeSource(file: string, bytes: Uint8Array): { text?: string; diagnostics: Diagnostic[] } {
  const at = { file, line: 1, col: 1 };
  if (bytes.byteLength > MAX_MANIFEST_BYTES) {
    return {
      diagnostics: [{
        severity: 'error', code: 'E_TOO_LARGE', ...at,
        message: `the manifest is ${(bytes.byteLength / 1048576).toFixed(1)} MiB; the limit is ${MAX_MANIFEST_BYTES / 1048576} MiB`,
        hint: 'check that this is the right file; split very large manifests',
      }],
    };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { diagnostics: [notText(file, bytes)] };
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return { diagnostics: [notText(file, bytes, text, nul)] };
  return { text, diagnostics: [] };
}

function notText(file: string, bytes: Uint8Array, text?: string, offset?: number): Diagnostic {
  let line = 1;
  let col = 1;
  if (text !== undefined && offset !== undefined) {
    const before = text.slice(0, offset);
    line = before.split('\n').length;
    col = offset - before.lastIndexOf('\n');
  } else {
    // Point at the first byte that is not valid UTF-8, counting lines of the valid prefix.
    const bad = firstInvalidUtf8(bytes);
    const prefix = new TextDecoder().decode(bytes.subarray(0, bad));
    line = prefix.split('\n').length;
    col = [...prefix.slice(prefix.lastIndexOf('\n') + 1)].length + 1;
  }
  return {
    severity: 'error', code: 'E_NOT_TEXT', file, line, col,
    message: 'the manifest is not UTF-8 text (binary data found)',
    hint: 'a manifest is a YAML text file; save it as UTF-8',
  };
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let lo = 0, hi = bytes.length; ;) {
    // Binary search for the longest prefix that decodes.
    if (hi - lo <= 1) return lo;
    const mid = (lo + hi) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid;
    }
  }
}
