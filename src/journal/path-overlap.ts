/**
 * Whether two runs' path locks meet: one path the same, or one a folder
 * above the other. Pure; the paths are canonical (JournalDisk.canonicalLockPaths:
 * `/` separators, case folded, a drive's root spelled 'c:/').
 */

/** `p` and each folder above it, nearest first ('/a/b' → '/a/b', '/a', '/'). Pure. */
function selfAndAncestors(p: string): string[] {
  const out = [p];
  for (let cut = p.lastIndexOf('/'); cut > 0; cut = p.lastIndexOf('/', cut - 1)) {
    const up = p.slice(0, cut);
    // A drive's root is spelled 'c:/' (foldPath), never 'c:'.
    out.push(/^[a-z]:$/.test(up) ? `${up}/` : up);
  }
  if (p.startsWith('/') && p !== '/') out.push('/');
  return out;
}

/**
 * The first pair (mine, theirs) that overlaps, if any. Pure. Each side's
 * paths go in a set and the other side's paths and their ancestors are
 * looked up in it: linear in the paths times their depth (two runs of
 * 2,000 paths each compare in about a millisecond, where every pair took
 * seconds).
 */
export function firstOverlap(mine: readonly string[], theirs: readonly string[]): [string, string] | undefined {
  const theirSet = new Set(theirs);
  for (const m of mine) {
    const hit = selfAndAncestors(m).find((a) => theirSet.has(a));
    if (hit !== undefined) return [m, hit];
  }
  const mineSet = new Set(mine);
  for (const t of theirs) {
    const hit = selfAndAncestors(t).find((a) => mineSet.has(a));
    if (hit !== undefined) return [hit, t];
  }
  return undefined;
}
