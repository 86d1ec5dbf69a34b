import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import path from 'node:path';

/**
 * Calls `visit` with every node under the roots (the roots included) and its
 * lstat, parents before children, never following a link. A node that is
 * gone (or unreadable) is skipped: tests call this on trees a killed run may
 * have left half-made.
 */
export function eachNode(roots: string[], visit: (p: string, s: Stats) => void): void {
  const walk = (p: string) => {
    let s: Stats;
    try {
      s = lstatSync(p);
    } catch {
      return;
    }
    visit(p, s);
    if (s.isDirectory()) for (const n of readdirSync(p)) walk(path.join(p, n));
  };
  for (const r of roots) walk(r);
}

/** sha256 of a file's bytes, hex. */
export function fileHash(p: string): string {
  return createHash('sha256').update(readFileSync(p)).digest('hex');
}

/** Paths under the roots whose names are relocate's own of these kinds (`<x>.relocate-partial-…` and so on). */
export function relocateNamed(kinds: ('partial' | 'old' | 'backup')[], ...roots: string[]): string[] {
  const re = new RegExp(`\\.relocate-(${kinds.join('|')})-`);
  const out: string[] = [];
  eachNode(roots, (p) => {
    if (re.test(path.basename(p))) out.push(p);
  });
  return out;
}

/**
 * Every name under `root`, sorted, as `rel` (folders followed by `/` for
 * what is inside them, links marked `@` and never followed); the top-level
 * names in `skip` (relocate's state folder) are left out. What "nothing on
 * disk changed" compares before and after a refused command.
 */
export function namesUnder(root: string, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      if (rel === '' && skip.includes(name)) continue;
      const p = path.join(d, name);
      const st = lstatSync(p);
      out.push(`${rel}${name}${st.isSymbolicLink() ? '@' : ''}`);
      if (st.isDirectory()) walk(p, `${rel}${name}/`);
    }
  };
  walk(root, '');
  return out;
}
