import os from 'node:os';
import { firstError, RelocateError } from '../../core/errors.js';
import { pathApi } from '../../core/paths.js';
import { formatBytes } from '../../core/units.js';
import { findUnfinished } from '../../journal/runs.js';
import { loadManifest } from '../../manifest/load.js';
import type { DesiredEntry } from '../../manifest/types.js';
import { detectCapabilities } from '../../platform/capabilities.js';
import { diskReader } from '../../platform/disk-reader.js';
import { nativeLayer, probeLinkKinds, probeWritableDir, systemFacts, type LinkKindsProbe } from '../../platform/doctor-probes.js';
import { nodeManifestIO } from '../../platform/manifest-io.js';
import { nodeJournalDisk } from '../../platform/journal-fs.js';
import type { NodeDiskReader } from '../../platform/node-reader.js';
import type { VolumeInfo } from '../../state/types.js';
import { manifestContext } from '../context.js';
import type { CliIO } from '../io.js';
import { displayPath, findManifest } from '../manifest-path.js';
import { parseCommandArgs } from '../options.js';
import { stateDirFor } from '../state-dir.js';
import { packageVersion as version } from '../../platform/package-version.js';
import { assertNever } from '../../core/never.js';
import { heldKinds, linkKindsNeeded, untestedHolds, type LinkKinds } from '../../usecase/link-needs.js';
import { volumeVerdict } from '../../usecase/volume-verdict.js';

/** ok ✓, problem ✗ (exit 1), warn ! (works, with a caveat), info - (not applicable here). */
type Status = 'ok' | 'fail' | 'warn' | 'info';

interface Check {
  id: string;
  status: Status;
  title: string;
  hint?: string;
}

const MARK: Record<Status, string> = { ok: '✓', fail: '✗', warn: '!', info: '-' };

const KIND_NAME: Record<LinkKinds, string> = { symlinks: 'symlinks', hardlinks: 'hard links', junctions: 'junctions' };

/** One volume the manifest's paths are on, what it can hold, and what the manifest needs of it. */
interface VolumeReport {
  id: string;
  paths: string[];
  probeDir?: string;
  fsType?: string;
  freeBytes?: number;
  readOnly?: boolean;
  remote?: boolean;
  /** How a copy onto this volume is made durable before an original is deleted (Durability.way), when known. */
  durableBy?: 'syncfs' | 'fsync';
  /** true/false when known (tested, or from the file system type); absent when unknown. */
  holds: Partial<Record<LinkKinds, boolean>>;
  tested: boolean;
  untestedWhy?: string;
  /** Link kinds entries whose link is on this volume need (one of each inner list). */
  needs: LinkKinds[][];
}

/**
 * Where to probe a path's volume: a folder that exists, is not a link, and
 * is on the same volume as the path (the folder's parent when that is on
 * the same volume, so nothing is created inside the user's data folder).
 */
async function probeDirFor(p: string, e: DesiredEntry, reader: NodeDiskReader): Promise<{ dir?: string; volume?: VolumeInfo }> {
  const api = pathApi(e.style);
  const o = await reader.observe(p, e.style);
  if (o.kind === 'absent') return { ...(o.existingParent ? { dir: o.existingParent } : {}), ...(o.volume ? { volume: o.volume } : {}) };
  const parent = api.dirname(p);
  if (o.kind !== 'dir' || parent === p) return { dir: parent, ...(o.volume ? { volume: o.volume } : {}) };
  const po = await reader.observe(parent, e.style).catch(() => undefined);
  const sameVolume = po?.kind === 'dir' && po.volume?.id !== undefined && po.volume.id === o.volume?.id;
  return { dir: sameVolume ? parent : p, ...(o.volume ? { volume: o.volume } : {}) };
}

async function volumeReports(entries: DesiredEntry[], reader: NodeDiskReader): Promise<{ volumes: VolumeReport[]; missing: string[] }> {
  const byId = new Map<string, VolumeReport>();
  const missing: string[] = [];
  for (const e of entries) {
    if (!e.applies) continue;
    for (const [p, role] of [
      [e.link, 'link'],
      [e.target, 'target'],
    ] as const) {
      const { dir, volume } = await probeDirFor(p, e, reader);
      if (!volume) {
        missing.push(p);
        continue;
      }
      let v = byId.get(volume.id);
      if (!v) {
        v = {
          id: volume.id,
          paths: [],
          holds: {},
          tested: false,
          needs: [],
          ...(dir ? { probeDir: dir } : {}),
          ...(volume.fsType ? { fsType: volume.fsType } : {}),
          ...(volume.freeBytes !== undefined ? { freeBytes: volume.freeBytes } : {}),
          ...(volume.readOnly !== undefined ? { readOnly: volume.readOnly } : {}),
          ...(volume.remote !== undefined ? { remote: volume.remote } : {}),
          ...(volume.durability ? { durableBy: volume.durability.way } : {}),
        };
        if (volume.supportsReparsePoints === false) v.holds.junctions = v.holds.symlinks = false;
        if (volume.supportsHardLinks === false) v.holds.hardlinks = false;
        byId.set(volume.id, v);
      }
      if (!v.paths.includes(p)) v.paths.push(p);
      if (role === 'link') v.needs.push(linkKindsNeeded(e));
    }
  }
  for (const v of byId.values()) {
    if (v.readOnly) {
      v.untestedWhy = 'the volume is read-only';
      continue;
    }
    if (!v.probeDir) {
      v.untestedWhy = 'no folder of it exists yet';
      continue;
    }
    const probe: LinkKindsProbe = await probeLinkKinds(v.probeDir);
    if (!probe.tested) {
      v.untestedWhy = `cannot create a probe folder in ${v.probeDir}: ${probe.error ?? 'unknown error'}`;
      continue;
    }
    v.tested = true;
    Object.assign(v.holds, heldKinds(probe));
  }
  for (const v of byId.values()) {
    const judged = v.tested ? undefined : untestedHolds(v.fsType);
    if (judged) v.holds = judged;
  }
  return { volumes: [...byId.values()], missing };
}

function volumeCheck(v: VolumeReport, win: boolean): Check {
  const kinds: LinkKinds[] = win ? ['junctions', 'symlinks', 'hardlinks'] : ['symlinks', 'hardlinks'];
  const holds = kinds.map((k) => `${KIND_NAME[k]} ${v.holds[k] === true ? 'yes' : v.holds[k] === false ? 'no' : 'unknown'}`).join(', ');
  const facts = [
    v.fsType ?? 'file system unknown',
    v.freeBytes !== undefined ? `${formatBytes(v.freeBytes)} free` : undefined,
    v.readOnly ? 'read-only' : undefined,
    v.remote ? 'network' : undefined,
    v.durableBy ? `copies made durable by ${v.durableBy === 'syncfs' ? 'one syncfs' : 'an fsync of every file and folder'}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const how = v.tested ? `tested in ${v.probeDir}` : `not tested: ${v.untestedWhy}`;
  const shown = v.paths.length > 3 ? `${v.paths.slice(0, 3).join(', ')} and ${v.paths.length - 3} more` : v.paths.join(', ');
  const title = `volume of ${shown}: ${facts}; ${holds} (${how})`;
  const id = `volume:${v.id}`;
  const verdict = volumeVerdict(v);
  switch (verdict.kind) {
    case 'read-only':
      return {
        id,
        status: 'fail',
        title,
        hint: 'relocate can neither move data nor create links on a read-only volume; fine only if nothing there needs to change (`relocate status` says In sync)',
      };
    case 'lacking': {
      const lacking = verdict.lacking.map((alts) => alts.map((k) => KIND_NAME[k]).join(' or '));
      return {
        id,
        status: 'fail',
        title,
        hint: `the manifest needs ${[...new Set(lacking)].join(', ')} here, and this volume cannot hold them; put these paths on another volume${win ? ' (NTFS or ReFS for junctions)' : ''}, or change the entries' type`,
      };
    }
    case 'untested':
      return { id, status: 'warn', title, hint: 'what this volume can hold is judged from its file system only' };
    case 'ok':
      return { id, status: 'ok', title };
    default:
      return assertNever(verdict, 'volume verdict');
  }
}

/**
 * `relocate doctor [MANIFEST]`: a checklist of what this machine can do —
 * OS, link kinds permitted, the native layer or its fallback, the state
 * folder, an unfinished run, and for each volume the manifest names its
 * file system, free space and which links it can hold (tested by making
 * one of each in a probe folder that is removed at once). 0 when nothing
 * is wrong, 1 when a problem was found.
 */
export async function doctorCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('doctor', argv);
  if (positionals.length > 1) throw new RelocateError('E_USAGE', 'doctor takes one manifest', { hint: 'see `relocate doctor --help`' });
  const ctx = await manifestContext(io.env);
  const win = ctx.os === 'win32';
  const checks: Check[] = [];

  const sys = systemFacts();
  checks.push({
    id: 'system',
    status: 'ok',
    title: `system: ${sys.type} ${sys.release}${sys.version ? ` (${sys.version})` : ''}, ${sys.arch}, Node ${sys.node}, relocate ${version()}`,
  });

  const caps = await detectCapabilities();
  checks.push(
    caps.symlinks
      ? { id: 'symlinks', status: 'ok', title: 'symlinks: available' }
      : {
          id: 'symlinks',
          status: win ? 'warn' : 'fail',
          title: 'symlinks: not permitted for this account',
          hint: win
            ? 'folders use junctions (no privilege needed); for file symlinks enable Developer Mode (Settings > System > For developers)'
            : 'this account cannot create symbolic links',
        },
  );
  checks.push(
    win
      ? caps.junctions
        ? { id: 'junctions', status: 'ok', title: 'junctions: available' }
        : { id: 'junctions', status: 'fail', title: 'junctions: not available', hint: 'use `type: symlink`' }
      : { id: 'junctions', status: 'info', title: `junctions: Windows only (type: junction makes a directory symlink on ${ctx.os})` },
  );
  checks.push(
    caps.hardlinks
      ? { id: 'hardlinks', status: 'ok', title: 'hard links: available' }
      : { id: 'hardlinks', status: 'fail', title: 'hard links: not available', hint: 'use `type: symlink` for files' },
  );

  const native = await nativeLayer();
  checks.push(
    native.loaded
      ? { id: 'native', status: 'ok', title: `native layer: loaded (${native.what})` }
      : {
          id: 'native',
          status: 'warn',
          title: `native layer: not loaded (${native.reason || 'unknown reason'}); using the portable fallback`,
          hint: 'relocate stays safe (a check, then a rename, under its lock), but another program could race it; koffi needs its prebuilt binary for this platform',
        },
  );

  const stateDir = stateDirFor(values['state-dir'], io.env, ctx.os, os.homedir(), io.cwd);
  const sd = await probeWritableDir(stateDir);
  const stateHint = 'choose another with --state-dir DIR or RELOCATE_STATE_DIR';
  checks.push(
    sd.exists
      ? sd.writable
        ? { id: 'state-dir', status: 'ok', title: `state folder: ${stateDir} (writable)` }
        : { id: 'state-dir', status: 'fail', title: `state folder: ${stateDir} is not writable (${sd.error})`, hint: stateHint }
      : sd.writable
        ? {
            id: 'state-dir',
            status: 'ok',
            title: `state folder: ${stateDir} (does not exist yet; will be created on the first apply in ${sd.existingAncestor}, which is writable)`,
          }
        : { id: 'state-dir', status: 'fail', title: `state folder: ${stateDir} cannot be created (${sd.error})`, hint: stateHint },
  );

  try {
    const run = await findUnfinished(nodeJournalDisk, stateDir);
    checks.push(
      run
        ? {
            id: 'runs',
            status: 'fail',
            title: `unfinished run: ${run.id} (${run.status}, started ${run.startedAt})`,
            hint: '`relocate resume` finishes it, `relocate rollback` undoes it; nothing else is applied until then',
          }
        : { id: 'runs', status: 'ok', title: 'unfinished runs: none' },
    );
  } catch (err) {
    checks.push({ id: 'runs', status: 'fail', title: `runs: cannot read the runs in ${stateDir} (${(err as Error).message})`, hint: stateHint });
  }

  // The manifest: the one named, else the default one if there is one.
  let file: string | undefined;
  try {
    file = findManifest(positionals[0], io.cwd);
  } catch (err) {
    if (!(err instanceof RelocateError) || err.code !== 'E_NO_MANIFEST') throw err;
  }
  let volumes: VolumeReport[] = [];
  if (!file) {
    checks.push({
      id: 'manifest',
      status: 'info',
      title: `manifest: none given, and no relocate.yaml or links.yaml in ${io.cwd}; volume checks skipped`,
      hint: 'name one: `relocate doctor my-links.yaml`',
    });
  } else {
    const shown = displayPath(file, io.cwd);
    const m = await loadManifest(file, ctx, nodeManifestIO);
    if (!m.ok) {
      const first = firstError(m.diagnostics);
      checks.push({
        id: 'manifest',
        status: 'fail',
        title: `manifest: ${shown} is not valid (${first.code} ${first.message}); volume checks skipped`,
        hint: `\`relocate validate ${shown}\` lists every problem`,
      });
    } else {
      const applying = m.entries.filter((e) => e.applies);
      const skipped = m.entries.length - applying.length;
      checks.push({
        id: 'manifest',
        status: 'ok',
        title: `manifest: ${shown} is valid, ${applying.length} entr${applying.length === 1 ? 'y applies' : 'ies apply'} here${skipped ? ` (${skipped} skipped by when:)` : ''}`,
      });
      const r = await volumeReports(applying, await diskReader());
      volumes = r.volumes;
      for (const v of volumes) checks.push(volumeCheck(v, win));
      for (const p of r.missing)
        checks.push({
          id: `volume-missing:${p}`,
          status: 'fail',
          title: `volume of ${p}: not found`,
          hint: win ? 'is the drive connected? the drive letter must exist' : 'no part of this path exists',
        });
    }
  }

  const problems = checks.filter((c) => c.status === 'fail').length;
  if (io.json) {
    io.out(
      JSON.stringify(
        {
          formatVersion: 1,
          ok: problems === 0,
          problems,
          system: sys,
          capabilities: caps,
          native,
          stateDir: { ...sd },
          manifest: file ?? null,
          volumes,
          checks,
        },
        null,
        2,
      ),
    );
    return problems === 0 ? 0 : 1;
  }
  io.out(`relocate doctor: what this machine can do\n`);
  const color = (c: Check, s: string) =>
    c.status === 'ok' ? io.color.green(s) : c.status === 'fail' ? io.color.red(s) : c.status === 'warn' ? io.color.yellow(s) : io.color.dim(s);
  for (const c of checks) {
    io.out(`${color(c, MARK[c.status])} ${c.title}`);
    if (c.hint && c.status !== 'ok') io.out(`  hint: ${c.hint}`);
  }
  io.out('');
  const warnings = checks.filter((c) => c.status === 'warn').length;
  io.out(
    problems === 0
      ? io.color.green(`No problems found${warnings ? ` (${warnings} note${warnings === 1 ? '' : 's'} above)` : ''}.`)
      : io.color.red(`${problems} problem${problems === 1 ? '' : 's'} found.`),
  );
  return problems === 0 ? 0 : 1;
}
