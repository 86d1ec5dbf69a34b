import { lstatSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { OutsideName, OutsideNames } from '../exec/fs-port.js';
import { STOP_WALK, walkFolder } from './fs/tree-walker.js';
import { readMountTable } from './mount-table.js';

/**
 * Finding, for the files of a tree that share their data with names
 * outside it (hard links: more links than names inside), one such outside
 * name each — so that a rollback can make the restored files hard links of
 * the same outside files again instead of copies (issue 13 §7).
 *
 * The search:
 * 1. starts in the folder holding the tree, the tree itself left out;
 * 2. widens one folder up at a time (each time leaving out the folder
 *    already searched), up to the root of the tree's volume: a folder on
 *    another device (a mount point) is never entered, and a link is never
 *    followed (lstat only);
 * 3. stops as soon as every wanted file has a name, or after
 *    SEARCH_BUDGET entries, whichever is first. What is not found is
 *    counted (`missing`): a rollback copies those files as before.
 *
 * Why nearest first: a pnpm store or a backup's previous snapshot usually
 * sits beside the folder or a few levels up, so most searches end after a
 * few folders.
 */

/** Entries looked at before the search gives up: about a second of lstat on a warm cache. */
export const SEARCH_BUDGET = 200_000;
/** Names journaled at most (one line of the journal holds them): the rest are copied on rollback. */
export const OUTSIDE_NAMES_LIMIT = 100_000;

/** A file of a listed tree, as the search needs it: `id` is `dev:ino` (exact) for a file with several names. */
export interface ListedFile {
  rel: string;
  kind: string;
  id: string;
  nlink: number;
}

/** A node's lstat, or undefined when it is gone or unreadable (the search goes on without it). */
function lstatOrGone(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

export async function findOutsideNames(root: string, nodes: readonly ListedFile[], searchBudget = SEARCH_BUDGET): Promise<OutsideNames> {
  const byId = new Map<string, { rels: string[]; nlink: number }>();
  for (const n of nodes) {
    if (n.kind !== 'file' || n.nlink < 2 || n.id === '') continue;
    const g = byId.get(n.id);
    if (g) g.rels.push(n.rel);
    else byId.set(n.id, { rels: [n.rel], nlink: n.nlink });
  }
  const wanted = new Map<string, string[]>();
  for (const [id, g] of byId) if (g.rels.length < g.nlink) wanted.set(id, g.rels);
  if (wanted.size === 0) return { found: [], missing: 0 };

  let top: Stats;
  try {
    top = lstatSync(root);
  } catch {
    return { found: [], missing: wanted.size };
  }
  const found: OutsideName[] = [];
  let budget = searchBudget;
  let excluded = root;
  // Read once for the whole search: each widening walks under the same table.
  const table = readMountTable();
  for (let start = path.dirname(root); budget > 0 && wanted.size > 0; start = path.dirname(start)) {
    let s: Stats;
    try {
      s = lstatSync(start);
    } catch {
      break;
    }
    if (s.dev !== top.dev || !s.isDirectory()) break;
    await walkFolder<Stats, null>(start, s.dev, null, {
      order: 'depth',
      sorted: false,
      // Another volume cannot hold a hard link of this one's files: its folders are passed over.
      mounts: 'skip',
      table,
      stat: (full) => (full === excluded ? undefined : lstatOrGone(full)),
      onListError: () => undefined, // unreadable: searched as far as allowed
      visit: (e) => {
        budget--;
        const st = e.stat;
        if (e.kind === 'file' && st.nlink > 1) {
          const b = lstatSync(e.full, { bigint: true });
          const id = `${b.dev}:${b.ino}`;
          const rels = wanted.get(id);
          if (rels) {
            wanted.delete(id);
            for (const rel of rels) if (found.length < OUTSIDE_NAMES_LIMIT) found.push({ rel, path: e.full, dev: String(b.dev), ino: String(b.ino) });
          }
        }
        if (wanted.size === 0 || budget <= 0) return STOP_WALK;
        return e.kind === 'dir' && !e.mount ? null : undefined;
      },
    });
    excluded = start;
    if (path.dirname(start) === start) break;
  }
  return { found, missing: wanted.size };
}
