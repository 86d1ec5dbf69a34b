import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { eachLimited } from '../core/each-limited.js';
import { RelocateError } from '../core/errors.js';
import { OWN_ARTIFACT } from '../core/own-names.js';
import { canonicalPath, hostOs, pathKey, styleForOs, type PathStyle } from '../core/paths.js';
import type { NodeKind } from '../state/types.js';
import { walkFolder } from './fs/tree-walker.js';
import { NodeDiskReader } from './node-reader.js';

/** One link found on disk, as `relocate import` reports it. */
export interface FoundLink {
  /** Where the link is (absolute, canonical). */
  path: string;
  kind: 'symlink' | 'junction';
  /** The link's text exactly as stored (may be relative). */
  linkText: string;
  /** The text made absolute against the link's folder. */
  target: string;
  /** What is at the target, followed once; `absent` means a broken link. */
  targetKind: 'absent' | 'dir' | 'file' | 'other';
  /** What the target path itself is, not followed (a link there makes a chain). */
  targetNodeKind: NodeKind;
}

/** A folder that could not be read while scanning; the scan goes on without it. */
export interface ScanProblem {
  path: string;
  message: string;
}

/** How many links are looked at (lstat, readlink, stat) at once. */
const CONCURRENCY = 16;

/**
 * Finds the links (symlinks, and junctions when the reader's link-kind probe
 * tells them apart) at and under the given paths, without following any:
 * a link to a folder is reported and never entered. With `recursive`, real
 * subfolders are walked too. A path given that is itself a link is reported.
 * Sorted by path; each link once.
 */
export async function findLinks(
  roots: string[],
  opts: { recursive: boolean; reader?: NodeDiskReader; style?: PathStyle },
): Promise<{ links: FoundLink[]; problems: ScanProblem[] }> {
  const style = opts.style ?? styleForOs(hostOs());
  const reader = opts.reader ?? new NodeDiskReader();
  const found = new Map<string, FoundLink>();
  const problems: ScanProblem[] = [];

  const report = async (p: string) => {
    const key = pathKey(p, style);
    if (found.has(key)) return;
    let o;
    try {
      o = await reader.observe(p, style);
    } catch (err) {
      problems.push({ path: p, message: `cannot read the link ${p}: ${(err as Error).message}` });
      return;
    }
    if (o.kind !== 'symlink' && o.kind !== 'junction') return;
    const target = o.linkTarget ?? canonicalPath(path.resolve(path.dirname(p), o.linkText ?? ''), style);
    let targetNodeKind: NodeKind = 'absent';
    try {
      targetNodeKind = (await reader.observe(target, style)).kind;
    } catch {
      targetNodeKind = 'other';
    }
    // A link that loops back to itself leads nowhere: for import it is as broken as one to a missing target.
    found.set(key, {
      path: canonicalPath(p, style),
      kind: o.kind,
      linkText: o.linkText ?? '',
      target,
      targetKind: o.linkTargetKind === undefined || o.linkTargetKind === 'loop' ? 'absent' : o.linkTargetKind,
      targetNodeKind,
    });
  };

  for (const given of roots) {
    let s;
    try {
      s = await lstat(given);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new RelocateError(
        code === 'ENOENT' || code === 'ENOTDIR' ? 'E_NOT_FOUND' : 'E_READ',
        code === 'ENOENT' || code === 'ENOTDIR' ? `nothing at ${given}` : `cannot read ${given}: ${(err as Error).message}`,
        {
          path: given,
          hint: 'give folders that exist (or links themselves); nothing was written',
        },
      );
    }
    if (s.isSymbolicLink()) {
      await report(given);
      continue;
    }
    if (!s.isDirectory()) {
      throw new RelocateError('E_USAGE', `${given} is a file, not a folder or a link`, {
        path: given,
        hint: 'give the folders to search for links, or the links themselves',
      });
    }
    // Breadth first, names sorted (tree-walker.ts): links are collected, never entered; a volume mounted inside
    // is not searched (relocate never crosses a device boundary) and is named, so the user can give it as a PATH.
    const links: string[] = [];
    await walkFolder(given, s.dev, null, {
      order: 'breadth',
      sorted: true,
      mounts: 'skip',
      onListError: (dir, err) => {
        problems.push({ path: dir, message: `cannot read the folder ${dir} (the links in it are not searched): ${(err as Error).message}` });
      },
      visit: (e) => {
        if (OWN_ARTIFACT.test(e.name)) return undefined;
        // Node reports junctions as symbolic links too; the reader's probe tells them apart.
        if (e.kind === 'symlink') links.push(e.full);
        else if (e.kind === 'dir' && opts.recursive) {
          if (!e.mount) return null;
          problems.push({
            path: e.full,
            message: `${e.full} is another volume mounted inside ${given}; it was not searched (give it as a path of its own to search it)`,
          });
        }
        return undefined;
      },
    });
    await eachLimited(links, CONCURRENCY, report);
  }
  const links = [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { links, problems };
}
