import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The package version, read once from relocate's package.json: the nearest
 * one above this module named `relocate`. Searched for, not at a fixed
 * `../../`, because this code runs from src/platform (tests), dist/platform
 * (tsc) and dist/cli/chunks (the bundle, see scripts/bundle.mjs).
 */
export function packageVersion(): string {
  if (cached) return cached;
  for (let dir = new URL('.', import.meta.url); ;) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'relocate' && pkg.version) return (cached = pkg.version);
    } catch {
      // No package.json here (or not readable): look one folder up.
    }
    const up = new URL('..', dir);
    if (up.href === dir.href) throw new Error('relocate: package.json not found above ' + import.meta.url);
    dir = up;
  }
}
