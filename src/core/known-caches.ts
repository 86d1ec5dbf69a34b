import type { FolderPlaces } from './folder-places.js';
import { pathApi, styleForOs, type OsName } from './paths.js';

/**
 * The developer caches relocate knows, once: `relocate scan` measures them
 * (src/platform/scan-candidates.ts) and the verdict calls them safe
 * (src/plan/folder-verdict.ts). Each is where the tool keeps it by default;
 * a tool configured elsewhere is found by a walk instead.
 */
interface CacheRule {
  id: string;
  /** What people call it. */
  title: string;
  /** What happens when it is gone or moved: the reason it is safe. */
  why: string;
  os: readonly OsName[];
  base: 'home' | 'localAppData' | 'cacheHome';
  rel: string;
  /** false: a folder holding other caches; a verdict rule only, not measured by scan (it would count them twice). */
  candidate?: false;
}

const ALL: readonly OsName[] = ['win32', 'linux', 'darwin'];
const POSIX: readonly OsName[] = ['linux', 'darwin'];

const CACHE_RULES: readonly CacheRule[] = [
  { id: 'npm', title: 'npm cache', why: 'npm downloads again whatever is missing', os: ['win32'], base: 'localAppData', rel: 'npm-cache' },
  { id: 'npm', title: 'npm cache', why: 'npm downloads again whatever is missing', os: POSIX, base: 'home', rel: '.npm' },
  { id: 'pip', title: 'pip cache', why: 'pip downloads again whatever is missing', os: ['win32'], base: 'localAppData', rel: 'pip/Cache' },
  { id: 'pip', title: 'pip cache', why: 'pip downloads again whatever is missing', os: POSIX, base: 'cacheHome', rel: 'pip' },
  { id: 'yarn', title: 'Yarn cache', why: 'Yarn downloads again whatever is missing', os: ['win32'], base: 'localAppData', rel: 'Yarn/Cache' },
  { id: 'yarn', title: 'Yarn cache', why: 'Yarn downloads again whatever is missing', os: ['linux'], base: 'cacheHome', rel: 'yarn' },
  { id: 'yarn', title: 'Yarn cache', why: 'Yarn downloads again whatever is missing', os: ['darwin'], base: 'cacheHome', rel: 'Yarn' },
  { id: 'pnpm', title: 'pnpm store', why: 'pnpm downloads again whatever is missing', os: ['win32', 'linux'], base: 'localAppData', rel: 'pnpm/store' },
  { id: 'pnpm', title: 'pnpm store', why: 'pnpm downloads again whatever is missing', os: ['darwin'], base: 'home', rel: 'Library/pnpm/store' },
  { id: 'cargo', title: 'Cargo registry', why: 'Cargo downloads again whatever is missing', os: ALL, base: 'home', rel: '.cargo/registry' },
  { id: 'gradle', title: 'Gradle caches', why: 'Gradle downloads and rebuilds whatever is missing', os: ALL, base: 'home', rel: '.gradle/caches' },
  { id: 'nuget', title: 'NuGet packages', why: 'NuGet restores whatever is missing', os: ALL, base: 'home', rel: '.nuget/packages' },
  { id: 'maven', title: 'Maven repository', why: 'Maven downloads again whatever is missing', os: ALL, base: 'home', rel: '.m2/repository' },
  { id: 'cache-home', title: 'cache folder', why: 'programs rebuild what is missing from it', os: POSIX, base: 'cacheHome', rel: '', candidate: false },
];

/** One known cache on this machine. Invariant: `path` is absolute in the OS's style. */
export interface KnownCache {
  id: string;
  title: string;
  why: string;
  path: string;
  /** Measured by scan (false: a folder of caches, a verdict rule only). */
  candidate: boolean;
}

/** The known caches of an OS, resolved against its home and places; a cache whose base folder is unknown is left out. */
export function knownCaches(os: OsName, home: string, places: FolderPlaces): KnownCache[] {
  const api = pathApi(styleForOs(os));
  const out: KnownCache[] = [];
  for (const r of CACHE_RULES) {
    if (!r.os.includes(os)) continue;
    const base = r.base === 'home' ? home : r.base === 'localAppData' ? places.localAppData : places.cacheHome;
    if (!base) continue;
    const rel = os === 'win32' ? r.rel.replace(/\//g, '\\') : r.rel;
    out.push({ id: r.id, title: r.title, why: r.why, path: rel === '' ? base : api.join(base, rel), candidate: r.candidate !== false });
  }
  return out;
}
