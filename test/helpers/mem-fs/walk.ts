import type { MemDisk } from './disk.js';
import type { MemNode } from './types.js';

/** One node of a walked tree: `rel` with `/` ('' for the root), its path on the disk. */
export interface Walked {
  rel: string;
  path: string;
  node: MemNode;
}

/** `root` joined with a `/`-separated relative path, in the disk's spelling. */
export function under(disk: MemDisk, root: string, rel: string): string {
  return rel === '' ? root : disk.api.join(root, ...rel.split('/'));
}

/**
 * Every node of the tree at `root`, the root first, each folder before its
 * contents, names in JavaScript string order; links are listed, never
 * entered. Empty when nothing is at `root`.
 */
export function walkTree(disk: MemDisk, root: string): Walked[] {
  const top = disk.nodeAt(root);
  if (!top) return [];
  const out: Walked[] = [{ rel: '', path: root, node: top }];
  const visit = (w: Walked) => {
    if (w.node.kind !== 'dir') return;
    const entries = [...w.node.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const child = { rel: w.rel === '' ? e.name : `${w.rel}/${e.name}`, path: disk.api.join(w.path, e.name), node: e.node };
      out.push(child);
      visit(child);
    }
  };
  visit(out[0]!);
  return out;
}
