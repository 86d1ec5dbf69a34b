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
      diagnostics: [
        {
          severity: 'error',
          code: 'E_TOO_LARGE',
          ...at,
          message: `the manifest is ${(bytes.byteLength / 1048576).toFixed(1)} MiB; the limit is ${MAX_MANIFEST_BYTES / 1048576} MiB`,
          hint: 'check that this is the right file; split very large manifests',
        },
      ],
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
    // Point at the first byte that is not text (a NUL, or not valid UTF-8), counting lines of the valid prefix.
    const invalid = firstInvalidUtf8(bytes);
    const nul = bytes.indexOf(0);
    const bad = nul >= 0 && nul < invalid ? nul : invalid;
    const prefix = new TextDecoder().decode(bytes.subarray(0, bad));
    line = prefix.split('\n').length;
    // Columns count UTF-16 units, as the YAML parser's positions do.
    col = prefix.length - prefix.lastIndexOf('\n');
  }
  return {
    severity: 'error',
    code: 'E_NOT_TEXT',
    file,
    line,
    col,
    message: 'the manifest is not UTF-8 text (binary data found)',
    hint: 'a manifest is a YAML text file; save it as UTF-8',
  };
}

/**
 * Byte offset where the first ill-formed UTF-8 sequence starts (the bytes.length
 * when all is well-formed). Follows the Unicode table of well-formed byte
 * sequences: no overlong forms, no surrogates, nothing above U+10FFFF, and a
 * sequence cut short counts as ill-formed at its first byte.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return i;
}
