/**
 * The name list listxattr(2) gives, on Linux and macOS alike: names one
 * after the other, each ended by a NUL. Kept as bytes (with the NUL) so
 * names that are not UTF-8 go back to the kernel as they came.
 */

/** The names of a listxattr list, each a fresh buffer ending in its NUL; a last name without one (never from the kernel) gets one. */
export function splitXattrNames(list: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let start = 0; start < list.length;) {
    const end = list.indexOf(0, start);
    const stop = end < 0 ? list.length : end;
    // An empty name (two NULs in a row) names nothing.
    if (stop > start) {
      const raw = Buffer.alloc(stop - start + 1);
      list.copy(raw, 0, start, stop);
      out.push(raw);
    }
    start = stop + 1;
  }
  return out;
}

/** A name for people: the raw name without its NUL, as UTF-8. */
export function xattrNameOf(raw: Buffer): string {
  return raw.toString('utf8', 0, raw.length - 1);
}
