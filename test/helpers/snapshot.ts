import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/**
 * Every node under the given roots, recorded without following links: path,
 * kind, size, mode, mtime (to the millisecond, which copies keep), content
 * hash for files and the text of links. Two equal snapshots mean the trees
 * are the same for every purpose a user can notice.
 */
export function snapshotTree(...roots: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (p: string) => {
    let s;
    try {
      s = lstatSync(p);
    } catch {
      return;
    }
    const mode = (s.mode & 0o7777).toString(8);
    if (s.isSymbolicLink()) out[p] = `link ${readlinkSync(p)}`;
    else if (s.isDirectory()) {
      out[p] = `dir ${mode}`;
      for (const n of readdirSync(p).sort()) visit(path.join(p, n));
    } else if (s.isFile()) {
      const hash = createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16);
      out[p] = `file ${s.size} ${mode} ${Math.floor(s.mtimeMs)} ${hash}`;
    } else out[p] = 'other';
  };
  for (const r of roots) visit(r);
  return out;
}

/** Only files' contents and sizes (the multiset a move must keep), keyed by path relative to `root`. */
export function contentOf(root: string): Record<string, string> {
  const snap = snapshotTree(root);
  const out: Record<string, string> = {};
  for (const [p, v] of Object.entries(snap)) {
    if (v.startsWith('file ')) {
      const [, size, , , hash] = v.split(' ');
      out[path.relative(root, p)] = `${size} ${hash}`;
    } else if (v.startsWith('link ')) out[path.relative(root, p)] = v;
  }
  return out;
}

/** snapshotTree keyed relative to `root` ('.' for the root itself), so a tree and its moved copy compare. */
export function relativeSnapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [p, v] of Object.entries(snapshotTree(root))) out[path.relative(root, p) || '.'] = v;
  return out;
}
