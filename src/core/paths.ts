import path from 'node:path';

/** An operating system relocate plans for. Aliases from manifests are normalised to these. */
export type OsName = 'win32' | 'linux' | 'darwin';

/**
 * How paths of one machine are spelled and compared. Carried as data so a
 * Windows manifest is expanded, checked and planned on Linux exactly as on
 * Windows. Invariant: `flavour === 'win32'` implies `caseInsensitive`.
 */
export interface PathStyle {
  flavour: 'win32' | 'posix';
  /** Windows and macOS's default APFS compare names without case. */
  caseInsensitive: boolean;
}

export function styleForOs(os: OsName): PathStyle {
  if (os === 'win32') return { flavour: 'win32', caseInsensitive: true };
  return { flavour: 'posix', caseInsensitive: os === 'darwin' };
}

export function pathApi(style: PathStyle): path.PlatformPath {
  return style.flavour === 'win32' ? path.win32 : path.posix;
}

/** Node adds `\\?\` itself when a path needs it, so relocate keeps paths without it. */
function stripLongPrefix(p: string): string {
  if (/^[\\/]{2}\?[\\/]UNC[\\/]/i.test(p)) return '\\\\' + p.slice(8);
  if (/^[\\/]{2}\?[\\/]/.test(p)) return p.slice(4);
  return p;
}

export function isAbsolutePath(p: string, style: PathStyle): boolean {
  if (style.flavour === 'win32') {
    const s = stripLongPrefix(p);
    return /^[A-Za-z]:[\\/]/.test(s) || /^[\\/]{2}[^\\/]/.test(s);
  }
  return p.startsWith('/');
}

/** True for a Windows path that is rooted but names no drive (`\Games`) or is drive-relative (`C:Games`). */
export function isDriveless(p: string, style: PathStyle): boolean {
  if (style.flavour !== 'win32') return false;
  const s = stripLongPrefix(p);
  return /^[\\/](?![\\/])/.test(s) || /^[A-Za-z]:(?![\\/])/.test(s);
}

/**
 * Canonical spelling of an absolute path: separators of the flavour, `.`/`..`
 * resolved, no trailing separator (except a root), no `\\?\` prefix, drive
 * letter upper-case. Case of names is kept: only comparison ignores it.
 */
export function canonicalPath(p: string, style: PathStyle): string {
  const api = pathApi(style);
  let s = style.flavour === 'win32' ? stripLongPrefix(p).replace(/\//g, '\\') : p;
  s = api.normalize(s);
  const root = api.parse(s).root;
  while (s.length > root.length && s.endsWith(api.sep)) s = s.slice(0, -1);
  if (style.flavour === 'win32' && /^[a-z]:/.test(s)) s = s[0].toUpperCase() + s.slice(1);
  return s;
}

/** The key two paths are equal by on this style of machine. */
export function pathKey(p: string, style: PathStyle): string {
  const c = canonicalPath(p, style);
  return style.caseInsensitive ? c.toLowerCase() : c;
}

export function samePath(a: string, b: string, style: PathStyle): boolean {
  return pathKey(a, style) === pathKey(b, style);
}

/** True when `child` is strictly inside `parent` (not equal). */
export function isInside(child: string, parent: string, style: PathStyle): boolean {
  const c = pathKey(child, style);
  let p = pathKey(parent, style);
  if (c === p) return false;
  const sep = pathApi(style).sep;
  if (!p.endsWith(sep)) p += sep;
  return c.startsWith(p);
}

/** True when the path is a filesystem root (`/`, `C:\`, `\\server\share\`). */
export function isRoot(p: string, style: PathStyle): boolean {
  const api = pathApi(style);
  const c = canonicalPath(p, style);
  return api.parse(c).root === c || (style.flavour === 'win32' && /^\\\\[^\\]+\\[^\\]+\\?$/.test(c));
}

export function hostOs(): OsName {
  const p = process.platform;
  return p === 'win32' || p === 'darwin' ? p : 'linux';
}

/** Maps the manifest's OS names and aliases to an OsName; undefined when unknown. */
export function normaliseOsName(name: string): OsName | undefined {
  switch (name.toLowerCase()) {
    case 'win32':
    case 'windows':
      return 'win32';
    case 'darwin':
    case 'macos':
      return 'darwin';
    case 'linux':
      return 'linux';
    default:
      return undefined;
  }
}
