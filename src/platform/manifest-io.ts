import { readFile, realpath, stat } from 'node:fs/promises';
import { hostOs, styleForOs, type PathStyle } from '../core/paths.js';
import type { GlobMatch, ManifestIO } from '../manifest/types.js';
import { OWN_ARTIFACT } from '../core/own-names.js';
import { writeFileAtomic } from './write-file.js';

/**
 * The manifest loader's window on the real disk: the manifest file, and glob
 * matches found without following any link (a link is a match of its own).
 */
export const nodeManifestIO: ManifestIO = {
  readFile: (file) => readFile(file),
  realPath: (file) => realpath(file),
  async glob(pattern: string, style: PathStyle): Promise<GlobMatch[] | null> {
    // A Windows glob cannot be matched on Linux, nor the reverse.
    if (style.flavour !== styleForOs(hostOs()).flavour) return null;
    const source = style.flavour === 'win32' ? pattern.replace(/\\/g, '/') : pattern;
    // Loaded on the first glob only: most manifests have none, and fast-glob is a tenth of the start-up time.
    const fg = (await import('fast-glob')).default;
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

/** A manifest's text, or undefined when there is no file (any other read error is thrown). */
export { readTextIfExists as readManifestText } from './read-text.js';

/**
 * Writes a manifest atomically (`import --write`). A manifest that is a
 * symlink (a dotfiles repo linked into place) is written where it really
 * is, so the link stays a link; an existing file keeps its permissions.
 */
export async function writeManifestText(file: string, text: string): Promise<void> {
  const real = await realpath(file).catch(() => file);
  const mode = await stat(real)
    .then((s) => s.mode & 0o7777)
    .catch(() => 0o644);
  await writeFileAtomic(real, text, mode);
}
