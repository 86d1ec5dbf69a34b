import os from 'node:os';
import { folderPlaces } from '../core/folder-places.js';
import { loadManifest } from '../manifest/load.js';
import type { DesiredEntry, LoadedManifest } from '../manifest/types.js';
import { lockedByOthers, planLockPaths } from '../journal/path-lock.js';
import { lockPlace } from './path-guard.js';
import { makePlan } from '../plan/planner.js';
import type { Finding, Plan } from '../plan/types.js';
import { detectCapabilities } from '../platform/capabilities.js';
import { nodeManifestIO } from '../platform/manifest-io.js';
import { nodeJournalDisk } from '../platform/journal-fs.js';
import { diskReader } from '../platform/disk-reader.js';
import { inUseNotes } from '../platform/in-use.js';
import { windowsNotes } from '../platform/windows/native.js';
import { renderDiagnostics } from '../render/diagnostics.js';
import { findUnfinished } from '../journal/runs.js';
import type { RunRecord } from '../journal/types.js';
import { observeEntries, type ObserveOptions } from '../state/observe.js';
import type { EntryObservation } from '../state/types.js';
import { manifestContext } from './context.js';
import type { CliIO } from './io.js';
import { manifestError } from './manifest-error.js';
import { displayPath } from './manifest-path.js';
import { stateDirFor } from './state-dir.js';
import { packageVersion as version } from '../platform/package-version.js';

/** A manifest loaded, the disk observed and the plan made: what plan, status and apply share. */
export interface BuiltPlan {
  manifest: LoadedManifest;
  observations: (EntryObservation | undefined)[];
  plan: Plan;
  stateDir: string;
  /** A run a crash or --no-rollback left unfinished; changing commands refuse until it is dealt with. */
  unfinished?: RunRecord;
  /**
   * Findings about the machine around the plan, found by I/O the pure
   * planner must not do (W_PATH_LOCKED: a path another run holds). Shown
   * with the plan (text: on stderr; `--json`: in `findings`), never part of
   * `plan` itself: a saved plan is the planner's alone, and apply checks
   * the locks again when it takes them.
   */
  surroundings: Finding[];
}

/** Points where a command joins the planning. */
export interface PlanHooks {
  /** Runs after the manifest is loaded and before the disk is observed (apply takes its path locks here). */
  beforeObserve?: (entries: DesiredEntry[]) => Promise<void>;
}

/**
 * Loads the manifest for this machine and plans it against the disk. An
 * invalid manifest prints its diagnostics and throws E_INVALID_MANIFEST (a
 * missing or unreadable one throws that problem itself, see manifestError)
 * before any disk read beyond the manifest and its globs.
 */
export async function buildPlan(
  file: string,
  io: CliIO,
  stateDirFlag: string | undefined,
  observe: ObserveOptions = {},
  hooks: PlanHooks = {},
): Promise<BuiltPlan> {
  const ctx = await manifestContext(io.env);
  const manifest = await loadManifest(file, ctx, io.manifestIO ?? nodeManifestIO);
  const shown = displayPath(file, io.cwd);
  const warnings = manifest.diagnostics.filter((d) => d.severity === 'warning');
  if (!manifest.ok) {
    const error = manifestError(shown, file, manifest.diagnostics, { hint: 'run `relocate validate` for every detail; nothing was changed' });
    // A manifest that could not be read is said once, as the error; a list of problems is printed in full first.
    if (!io.json && error.code === 'E_INVALID_MANIFEST')
      io.err(
        renderDiagnostics(
          manifest.diagnostics.map((d) => ({ ...d, file: shown })),
          io.color,
        ),
      );
    throw error;
  }
  if (warnings.length > 0 && !io.json)
    io.err(
      renderDiagnostics(
        warnings.map((d) => ({ ...d, file: shown })),
        io.color,
      ),
    );
  const stateDir = stateDirFor(stateDirFlag, io.env, ctx.os, os.homedir(), io.cwd);
  await hooks.beforeObserve?.(manifest.entries.filter((e) => e.applies));
  const [observations, capabilities] = await Promise.all([observeEntries(manifest.entries, await diskReader(), observe), detectCapabilities()]);
  const plan = makePlan(manifest.entries, observations, {
    os: ctx.os,
    home: ctx.home,
    capabilities,
    toolVersion: version(),
    manifest: { path: file, hash: manifest.hash },
    stateDir,
    places: folderPlaces(ctx.os, ctx.home, ctx.knownFolders ?? {}, io.env),
  });
  // A native call that is unavailable falls back to a portable path, and --verbose says so.
  if (io.verbose) for (const n of [...windowsNotes(), ...inUseNotes()]) io.err(`note: ${n}`);
  const unfinished = await findUnfinished(nodeJournalDisk, stateDir);
  if (unfinished && !io.json) {
    io.err(
      io.color.yellow(
        `warning: run ${unfinished.id} (started ${unfinished.startedAt}) did not finish (${unfinished.status}); the plan below sees the disk as that run left it.`,
      ),
    );
    io.err('  hint: `relocate resume` finishes it, `relocate rollback` undoes it.');
  }
  // apply holds the locks itself (beforeObserve); plan and status say when another run holds a path.
  const surroundings: Finding[] = [];
  if (!hooks.beforeObserve) {
    for (const l of await lockedByOthers(nodeJournalDisk, lockPlace(io), planLockPaths(plan), stateDir)) {
      const f: Finding = {
        severity: 'warning',
        code: 'W_PATH_LOCKED',
        path: l.path,
        message: `${l.path} is in use by another relocate run: ${l.holder}; apply will refuse until it is finished or undone`,
        hint: l.hint,
      };
      surroundings.push(f);
      if (!io.json) io.err(`${io.color.yellow(`warning ${f.code}`)}: ${f.message}.\n  hint: ${f.hint}`);
    }
  }
  return { manifest, observations, plan, stateDir, surroundings, ...(unfinished ? { unfinished } : {}) };
}
