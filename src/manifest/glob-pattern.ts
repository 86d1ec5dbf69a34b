import fg from 'fast-glob';
import type { PathStyle } from '../core/paths.js';

/**
 * True when a link path is a glob. On Windows a backslash is a separator,
 * never an escape, so the test runs on the forward-slash spelling.
 */
export function isGlobPattern(p: string, style: PathStyle): boolean {
  // fast-glob throws on an empty pattern; an empty path is reported by the schema.
  if (p === '') return false;
  const s = style.flavour === 'win32' ? p.replace(/\\/g, '/') : p;
  return fg.isDynamicPattern(s);
}
