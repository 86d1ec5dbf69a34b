import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readlinkSync, type BigIntStats } from 'node:fs';
import path from 'node:path';
import { eachLimited } from '../core/each-limited.js';
import type { NodeKind, TreeComparison } from '../state/types.js';
import { walkFolder } from './fs/tree-walker.js';
import { readMountTable, type MountEntry } from './mount-table.js';

/** Names listed in a comparison are capped so a plan of two huge trees stays small. */
export const COMPARISON_LIMIT = 1000;

/** What an lstat (bigint) says a node is. */
export function kindOf(s: BigIntStats): NodeKind {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isDirectory()) return 'dir';
  if (s.isFile()) return 'file';
  return 'other';
}

/** Files hashed at once. */
const CONCURRENCY = 16;

/**
 * What differs between two trees (the link path's and the target's, for a
 * conflict): names on one side only, files of another size or content
 * (sha-256), links with another text; each list sorted and cut at
 * COMPARISON_LIMIT names. Reads only; never follows a link, never enters a
 * mount.
 */
export async function compareTrees(a: string, b: string, table: MountEntry[] | null = readMountTable()): Promise<TreeComparison> {
  const [la, lb] = await Promise.all([listTree(a, table), listTree(b, table)]);
  const out: TreeComparison = { onlyAtLink: [], onlyAtTarget: [], differ: [], identical: [] };
  const common: string[] = [];
  for (const [rel, s] of la) {
    const t = lb.get(rel);
    if (!t) out.onlyAtLink.push(rel);
    else if (s.kind !== t.kind) out.differ.push(rel);
    else if (s.kind === 'file') {
      if (s.size !== t.size) out.differ.push(rel);
      else common.push(rel);
    } else if (s.kind === 'symlink' && s.linkText !== t.linkText) out.differ.push(rel);
  }
  for (const rel of lb.keys()) if (!la.has(rel)) out.onlyAtTarget.push(rel);
  await eachLimited(common, CONCURRENCY, async (rel) => {
    const [ha, hb] = await Promise.all([hashFile(path.join(a, rel)), hashFile(path.join(b, rel))]);
    (ha === hb ? out.identical : out.differ).push(rel);
  });
  for (const k of ['onlyAtLink', 'onlyAtTarget', 'differ', 'identical'] as const) {
    out[k].sort();
    if (out[k].length > COMPARISON_LIMIT) {
      out[k] = out[k].slice(0, COMPARISON_LIMIT);
      out.truncated = true;
    }
  }
  return out;
}

interface ListedNode {
  kind: NodeKind;
  size: number;
  linkText?: string;
}

/**
 * Every node under a root by relative path ('.' for a root that is a file),
 * folders included (a folder is only "only on one side" when it is), links
 * listed and never entered.
 */
async function listTree(root: string, table: MountEntry[] | null): Promise<Map<string, ListedNode>> {
  const out = new Map<string, ListedNode>();
  const top = lstatSync(root, { bigint: true });
  if (!top.isDirectory()) {
    out.set('.', { kind: kindOf(top), size: Number(top.size) });
    return out;
  }
  // A folder on another device is a mount: listed, never entered (the planner refuses the move).
  await walkFolder(root, top.dev, '', {
    order: 'depth',
    sorted: false,
    mounts: 'skip',
    table,
    visit: (e, rel) => {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.kind === 'dir') {
        out.set(r, { kind: 'dir', size: 0 });
        return e.mount ? undefined : r;
      }
      if (e.kind === 'symlink') out.set(r, { kind: 'symlink', size: 0, linkText: readlinkSync(e.full) });
      else if (e.kind === 'file') out.set(r, { kind: 'file', size: lstatSync(e.full).size });
      else out.set(r, { kind: 'other', size: 0 });
      return undefined;
    },
  });
  return out;
}

export function hashFile(p: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(p)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
