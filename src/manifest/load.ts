import { createHash } from 'node:crypto';
import type { Diagnostic } from '../core/errors.js';
import { canonicalPath, isAbsolutePath, isDriveless, pathApi, styleForOs } from '../core/paths.js';
import { crossChecks } from './cross-checks.js';
import { decodeSource } from './decode-source.js';
import { Expander } from './expand.js';
import { isGlobPattern } from './glob-pattern.js';
import { nodeAt, parseYaml, posOf } from './parse-yaml.js';
import { checkSchema } from './schema-check.js';
import type { ConflictStrategy, DesiredEntry, EntryState, LinkType, LoadContext, LoadedManifest, ManifestIO, RetargetMode, SourcePos } from './types.js';
import { whenSkipReason, type WhenSpec } from './when.js';

interface RawEntry {
  link: string;
  target: string;
  type?: LinkType;
  conflict?: ConflictStrategy;
  retarget?: RetargetMode;
  state?: EntryState;
  when?: WhenSpec;
  force?: boolean;
  description?: string;
}

interface RawManifest {
  version: 1;
  vars?: Record<string, string>;
  defaults?: { type?: LinkType; conflict?: ConflictStrategy; retarget?: RetargetMode; when?: WhenSpec; force?: boolean };
  links: RawEntry[];
}

/**
 * Loads a manifest: decode, parse with positions, schema-check, expand
 * variables, filter by `when`, resolve relative paths, expand globs, and run
 * the cross-entry checks. Every problem is collected; nothing throws for bad
 * input. Reads only through `io` (the file and glob matches).
 */
export async function loadManifest(file: string, ctx: LoadContext, io: ManifestIO): Promise<LoadedManifest> {
  try {
    return await loadUnguarded(file, ctx, io);
  } catch (err) {
    // Nesting thousands of levels deep exhausts the stack of the YAML parser (or of what walks its
    // tree): bad input like any other, answered with a diagnostic, never a crash.
    if (!(err instanceof RangeError)) throw err;
    return {
      file,
      hash: '',
      os: ctx.os,
      entries: [],
      ok: false,
      baseDir: ctx.baseDir ?? pathApi(styleForOs(ctx.os)).dirname(file),
      diagnostics: [
        {
          severity: 'error',
          code: 'E_YAML',
          file,
          path: file,
          line: 1,
          col: 1,
          message: 'the manifest nests too deeply to be read',
          hint: 'a manifest is a short list of entries; remove the deeply nested part',
        },
      ],
    };
  }
}

async function loadUnguarded(file: string, ctx: LoadContext, io: ManifestIO): Promise<LoadedManifest> {
  const style = styleForOs(ctx.os);
  const api = pathApi(style);
  // Relative paths resolve beside the file the manifest path leads to, not beside a symlink to it.
  const realFile = io.realPath && ctx.baseDir === undefined ? await io.realPath(file).catch(() => file) : file;
  const baseDir = foreignSafeBase(ctx.baseDir ?? api.dirname(realFile), style);
  const result = (diagnostics: Diagnostic[], entries: DesiredEntry[] = [], hash = ''): LoadedManifest => ({
    file,
    hash,
    os: ctx.os,
    entries,
    diagnostics,
    baseDir,
    ok: !diagnostics.some((d) => d.severity === 'error'),
  });
  let bytes: Uint8Array;
  try {
    bytes = await io.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return result([
      {
        severity: 'error',
        code: code === 'ENOENT' ? 'E_NOT_FOUND' : 'E_READ',
        file,
        path: file,
        message: code === 'ENOENT' ? `no manifest at ${file}` : `cannot read ${file}: ${(err as Error).message}`,
        hint: code === 'ENOENT' ? 'give the manifest path, or create relocate.yaml (see links.example.yaml)' : 'check the file permissions',
      },
    ]);
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  const decoded = decodeSource(file, bytes);
  if (decoded.text === undefined) return result(decoded.diagnostics, [], hash);
  const parsed = parseYaml(file, decoded.text);
  if (parsed.data === undefined) return result(parsed.diagnostics, [], hash);
  const schema = checkSchema(file, parsed);
  const schemaDiags = schema.diagnostics;
  const badEntries = schema.badEntries;
  if (schema.rootBroken) return result(schemaDiags, [], hash);

  const raw = parsed.data as RawManifest;
  const diagnostics: Diagnostic[] = [...schemaDiags];
  const expander = new Expander(ctx, raw.vars ?? {});
  let warnedForeign = false;
  const entries: DesiredEntry[] = [];

  for (let i = 0; i < raw.links.length; i++) {
    const r = raw.links[i];
    if (badEntries.has(i)) {
      // The entry is reported already, but its paths may hide more problems worth reporting now.
      if (typeof r?.link === 'string' && typeof r?.target === 'string' && appliesIfSound(r.when, raw.defaults?.when, ctx)) {
        const probe = new Expander(ctx, raw.vars ?? {});
        for (const [key, text] of [
          ['link', r.link],
          ['target', r.target],
        ] as const) {
          const x = probe.expand(text, isGlobPattern(text, style) || key === 'target' ? '' : undefined);
          if (!x.ok)
            for (const p of x.problems)
              diagnostics.push({
                severity: 'error',
                file,
                ...posOf(nodeAt(parsed.doc, ['links', i, key]), parsed.lines),
                path: text,
                code: p.code,
                message: `links[${i}].${key}: ${p.message}`,
                hint: p.hint,
              });
        }
      }
      continue;
    }
    const src = (key: string): SourcePos => ({ file, ...posOf(nodeAt(parsed.doc, ['links', i, key]), parsed.lines) });
    const base = {
      index: i,
      type: r.type ?? raw.defaults?.type ?? 'auto',
      conflict: r.conflict ?? raw.defaults?.conflict ?? 'fail',
      retarget: r.retarget ?? raw.defaults?.retarget ?? 'move',
      state: r.state ?? 'present',
      force: r.force ?? raw.defaults?.force ?? false,
      style,
      source: src('link'),
      ...(r.description !== undefined ? { description: r.description } : {}),
    } satisfies Partial<DesiredEntry>;
    const skip = whenSkipReason(r.when, raw.defaults?.when, ctx.os, ctx.hostname);
    if (skip) {
      entries.push({ ...base, link: r.link, target: r.target, applies: false, skipReason: skip });
      continue;
    }
    const link = resolvePath(r.link, 'link', undefined);
    if (link === undefined) {
      // Still report the target's own problems, so every problem is shown at once.
      resolvePath(r.target, 'target', isGlobPattern(r.link, style) ? '' : undefined);
      continue;
    }
    if (isGlobPattern(link, style)) {
      const matches = await io.glob(link, style);
      if (matches === null) {
        diagnostics.push({
          severity: 'warning',
          code: 'W_GLOB_NOT_EXPANDED',
          ...src('link'),
          path: link,
          message: `links[${i}]: the glob ${link} can only be expanded on a ${ctx.os} machine`,
        });
        continue;
      }
      if (matches.length === 0) {
        diagnostics.push({
          severity: 'warning',
          code: 'W_GLOB_NO_MATCH',
          ...src('link'),
          path: link,
          message: `links[${i}]: the glob ${link} matches nothing`,
        });
      }
      for (const m of matches) {
        const name = api.basename(m.path);
        const target = resolvePath(r.target, 'target', name);
        if (target === undefined) break;
        entries.push({
          ...base,
          link: canonicalPath(m.path, style),
          target,
          applies: true,
          glob: { pattern: link, name },
          ...(m.isDir ? { knownFolder: canonicalPath(m.path, style) } : folderOf(r, link, target)),
        });
      }
      continue;
    }
    const target = resolvePath(r.target, 'target', undefined);
    if (target === undefined) continue;
    entries.push({ ...base, link, target, applies: true, ...folderOf(r, link, target) });

    // Expands one path of entry i and makes it absolute; reports and returns undefined on failure.
    function resolvePath(text: string, key: 'link' | 'target', name: string | undefined): string | undefined {
      const x = expander.expand(text, name);
      if (!x.ok) {
        for (const p of x.problems)
          diagnostics.push({ severity: 'error', ...src(key), path: text, code: p.code, message: `links[${i}].${key}: ${p.message}`, hint: p.hint });
        return undefined;
      }
      const windowsOnly = style.flavour === 'posix' ? windowsPathKind(x.value) : undefined;
      if (windowsOnly) {
        // On Linux or macOS `C:\Games` is a relative name with backslashes: it would resolve beside the manifest and silently match nothing.
        diagnostics.push({
          severity: 'error',
          code: 'E_WINDOWS_PATH',
          ...src(key),
          path: x.value,
          message: `links[${i}].${key}: ${x.value} is a Windows path (${windowsOnly}), and this manifest is being read for ${ctx.os}`,
          hint: 'add `when: { os: windows }` to this entry (or to `defaults:`) so other systems skip it',
        });
        return undefined;
      }
      if (isDriveless(x.value, style)) {
        diagnostics.push({
          severity: 'error',
          code: 'E_PATH_NO_DRIVE',
          ...src(key),
          path: x.value,
          message: `links[${i}].${key}: ${x.value} has no drive letter`,
          hint: 'write the full path, like C:\\Games',
        });
        return undefined;
      }
      if (!isAbsolutePath(x.value, style) && baseDir.startsWith(FOREIGN_BASE[style.flavour]) && !warnedForeign) {
        warnedForeign = true;
        diagnostics.push({
          severity: 'warning',
          code: 'W_FOREIGN_RELATIVE',
          ...src(key),
          path: x.value,
          message: `relative paths are shown against ${FOREIGN_BASE[style.flavour]}, a stand-in for the manifest's folder on ${ctx.os}`,
          hint: `on a ${ctx.os} machine they resolve against the folder the manifest is in there`,
        });
      }
      const abs = isAbsolutePath(x.value, style) ? x.value : api.resolve(baseDir, x.value);
      return canonicalPath(abs, style);
    }
  }
  diagnostics.push(...crossChecks(entries));
  diagnostics.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  return result(diagnostics, entries, hash);
}

/** For an entry with schema errors: does it apply here? A broken `when:` counts as no. */
function appliesIfSound(w: WhenSpec | undefined, d: WhenSpec | undefined, ctx: LoadContext): boolean {
  try {
    return whenSkipReason(w, d, ctx.os, ctx.hostname) === undefined;
  } catch {
    return false;
  }
}

/** What makes a path Windows-only, or undefined: a drive letter, a UNC share, a %VARIABLE% that only Windows expands. */
function windowsPathKind(p: string): string | undefined {
  if (/^[A-Za-z]:([\\/]|$)/.test(p)) return 'a drive letter';
  if (/^\\\\[^\\]/.test(p)) return 'a network share';
  if (/^%[A-Za-z_][A-Za-z0-9_]*%/.test(p)) return 'a %VARIABLE% that only Windows expands';
  return undefined;
}

/** Stand-ins for the manifest's folder when a manifest is checked as another OS would read it (validate --os). */
const FOREIGN_BASE = { win32: 'X:\\(manifest folder)', posix: '/(manifest folder)' } as const;

/**
 * The manifest's folder as the evaluated OS spells it. Checking a Windows
 * manifest on Linux (or the reverse), the real folder means nothing there,
 * so relative paths resolve against a visible stand-in instead of
 * producing a path with no drive.
 */
function foreignSafeBase(dir: string, style: import('../core/paths.js').PathStyle): string {
  return isAbsolutePath(dir, style) ? dir : FOREIGN_BASE[style.flavour];
}

/** A trailing separator in the manifest says the path is a folder. */
function folderOf(r: RawEntry, link: string, target: string): { knownFolder?: string } {
  if (/[\\/]$/.test(r.link)) return { knownFolder: link };
  if (/[\\/]$/.test(r.target)) return { knownFolder: target };
  return {};
}
