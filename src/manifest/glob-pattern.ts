import { createRequire } from 'node:module';
import type { PathStyle } from '../core/paths.js';

/**
 * Characters without which fast-glob never calls a pattern dynamic (its
 * escape, `*`, `?`, `[…]`, `(…|…)`, `{…}` and a leading `!`): a path with
 * none of them is answered without loading fast-glob, a tenth of the CLI's
 * start-up time.
 */
const MAYBE_GLOB = /[\\*?[\](){}!]/;

let isDynamicPattern: ((p: string) => boolean) | undefined;

/**
 * True when a link path is a glob. On Windows a backslash is a separator,
 * never an escape, so the test runs on the forward-slash spelling.
 */
export function isGlobPattern(p: string, style: PathStyle): boolean {
  // fast-glob throws on an empty pattern; an empty path is reported by the schema.
  if (p === '') return false;
  const s = style.flavour === 'win32' ? p.replace(/\\/g, '/') : p;
  if (!MAYBE_GLOB.test(s)) return false;
  isDynamicPattern ??= (createRequire(import.meta.url)('fast-glob') as { isDynamicPattern: (p: string) => boolean }).isDynamicPattern;
  return isDynamicPattern(s);
}
