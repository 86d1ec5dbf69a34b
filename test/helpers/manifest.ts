import { loadManifest } from '../../src/manifest/load.js';
import type { GlobMatch, LoadContext, LoadedManifest, ManifestIO } from '../../src/manifest/types.js';
import type { PathStyle } from '../../src/core/paths.js';

/** Tests import the loader from here along with the contexts below. */
export { loadManifest };

/** A Windows machine, as a manifest loaded on Linux sees it. Env names use Windows' mixed case. */
export function winCtx(over: Partial<LoadContext> = {}): LoadContext {
  return {
    os: 'win32',
    hostname: 'GAMEBOX',
    home: 'C:\\Users\\me',
    env: {
      USERPROFILE: 'C:\\Users\\me',
      LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local',
      APPDATA: 'C:\\Users\\me\\AppData\\Roaming',
      'ProgramFiles(x86)': 'C:\\Program Files (x86)',
      SystemRoot: 'C:\\Windows',
      EMPTY: '',
    },
    ...over,
  };
}

export function linuxCtx(over: Partial<LoadContext> = {}): LoadContext {
  return {
    os: 'linux',
    hostname: 'devbox',
    home: '/home/me',
    env: { HOME: '/home/me', XDG_CACHE_HOME: '/home/me/.cache', EMPTY: '' },
    ...over,
  };
}

export function darwinCtx(over: Partial<LoadContext> = {}): LoadContext {
  return {
    os: 'darwin',
    hostname: 'MacBook',
    home: '/Users/me',
    env: { HOME: '/Users/me', EMPTY: '' },
    ...over,
  };
}

/** Where test manifests live for each flavour, so relative paths resolve to known folders. */
export const MANIFEST_FILE = { win32: 'C:\\dots\\relocate.yaml', posix: '/home/me/dots/relocate.yaml' } as const;

export function manifestFileFor(ctx: LoadContext): string {
  return ctx.os === 'win32' ? MANIFEST_FILE.win32 : MANIFEST_FILE.posix;
}

export interface FakeIO extends ManifestIO {
  /** Every glob the loader asked for, in order. */
  globCalls: { pattern: string; style: PathStyle }[];
}

/**
 * In-memory ManifestIO: `files` maps a path to its text or bytes (anything
 * else is ENOENT); `globs` maps a pattern, exactly as the loader passes it,
 * to its matches (null: cannot expand here). An unknown pattern matches nothing.
 */
export function fakeIO(files: Record<string, string | Uint8Array>, globs: Record<string, GlobMatch[] | null> = {}): FakeIO {
  const globCalls: FakeIO['globCalls'] = [];
  return {
    globCalls,
    async readFile(file: string): Promise<Uint8Array> {
      const content = files[file];
      if (content === undefined) {
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' });
      }
      return typeof content === 'string' ? new TextEncoder().encode(content) : content;
    },
    async glob(pattern: string, style: PathStyle): Promise<GlobMatch[] | null> {
      globCalls.push({ pattern, style });
      const m = globs[pattern];
      return m === undefined ? [] : m;
    },
  };
}

/** Loads `yaml` as the manifest of `ctx`'s flavour (see MANIFEST_FILE). */
export async function loadYaml(yaml: string, ctx: LoadContext, globs: Record<string, GlobMatch[] | null> = {}): Promise<LoadedManifest> {
  const file = manifestFileFor(ctx);
  return loadManifest(file, ctx, fakeIO({ [file]: yaml }, globs));
}

export interface Where {
  code: string;
  line: number | undefined;
  col: number | undefined;
}

/** The errors of a load as {code, line, col}, in the loader's order. */
export function errorsOf(m: LoadedManifest): Where[] {
  return m.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ code: d.code, line: d.line, col: d.col }));
}

/** The applying entries as `link -> target` lines, the shortest exact picture of an expansion. */
export function pairsOf(m: LoadedManifest): string[] {
  return m.entries.filter((e) => e.applies).map((e) => `${e.link} -> ${e.target}`);
}

/** A manifest with one entry; `extra` is added under the entry (already indented keys). */
export function oneEntry(link: string, target: string, extra = ''): string {
  return `version: 1\nlinks:\n  - link: '${link}'\n    target: '${target}'\n${extra}`;
}
