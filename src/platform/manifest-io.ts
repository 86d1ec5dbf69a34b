import { readFile } from 'node:fs/promises';
import fg from 'fast-glob';
import { hostOs, styleForOs, type PathStyle } from '../core/paths.js';
import type { GlobMatch, ManifestIO } from '../manifest/types.js';

/** Names relocate itself leaves beside a link or target while it works; never glob matches. */
const OWN_ARTIFACT = /\.relocate-(partial|old|backup)-/;

/**
 * The manifest loader's window on the real disk: the manifest file, and glob
 * matches found without following any link (a link is a match of its own).
 */
export const nodeManifestIO: ManifestIO = {
  readFile: (file) => readFile(file),
  async glob(pattern: string, style: PathStyle): Promise<GlobMatch[] | null> {
    // A Windows glob cannot be matched on Linux, nor the reverse.
    if (style.flavour !== styleForOs(hostOs()).flavour) return null;
    const source = style.flavour === 'win32' ? pattern.replace(/\\/g, '/') : pattern;
    const found = await fg(source, {
      onlyFiles: false,
      markDirectories: true,
      followSymbolicLinks: false,
      absolute: true,
      unique: true,
      suppressErrors: true,
      caseSensitiveMatch: !style.caseInsensitive,
    });
    return found
      .filter((p) => !OWN_ARTIFACT.test(p))
      .map((p) => {
        const isDir = p.endsWith('/');
        const clean = isDir && p.length > 1 ? p.slice(0, -1) : p;
        return { path: style.flavour === 'win32' ? clean.replace(/\//g, '\\') : clean, isDir };
      })
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  },
};
