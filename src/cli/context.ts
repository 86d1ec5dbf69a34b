import os from 'node:os';
import { RelocateError } from '../core/errors.js';
import { hostOs, normaliseOsName, type OsName } from '../core/paths.js';
import type { LoadContext } from '../manifest/types.js';
import { resolveKnownFolders } from '../platform/known-folders.js';

/**
 * The machine a manifest is evaluated for: this one, unless `--os` asks to
 * check a manifest as another OS would read it (paths, `when:`), which only
 * `validate` offers since nothing of another OS's disk can be observed here.
 */
export function loadContext(env: Record<string, string | undefined>, osOverride?: string): LoadContext {
  let target: OsName = hostOs();
  if (osOverride !== undefined) {
    const o = normaliseOsName(osOverride);
    if (!o) throw new RelocateError('E_USAGE', `unknown --os '${osOverride}'`, { hint: 'use win32 (windows), linux or darwin (macos)' });
    target = o;
  }
  const home = target === hostOs() ? os.homedir() : target === 'win32' ? (env.USERPROFILE ?? 'C:\\Users\\user') : (env.HOME ?? '/home/user');
  return { os: target, hostname: os.hostname(), home, env };
}

/**
 * loadContext plus what only the machine can say: the known folders
 * (`${known:Documents}` …), resolved by the platform layer so the manifest
 * loader itself stays pure. Used wherever a manifest is loaded.
 */
export async function manifestContext(env: Record<string, string | undefined>, osOverride?: string): Promise<LoadContext> {
  const ctx = loadContext(env, osOverride);
  const known = await resolveKnownFolders(ctx.os, ctx.home, env);
  return { ...ctx, knownFolders: known.folders, knownFolderNotes: known.notes };
}
