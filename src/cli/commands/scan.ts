import os from 'node:os';
import path from 'node:path';
import { eachLimited } from '../../core/each-limited.js';
import { RelocateError } from '../../core/errors.js';
import { folderPlaces } from '../../core/folder-places.js';
import { pathKey, styleForOs } from '../../core/paths.js';
import { formatBytes } from '../../core/units.js';
import type { DriveInfo, ScanFolder, ScanReport } from '../../render/scan-json.js';
import { folderVerdict, type VerdictContext } from '../../plan/folder-verdict.js';
import { diskReader } from '../../platform/disk-reader.js';
import { driveOf, driveOfFuture, type DriveFacts } from '../../platform/drive-of.js';
import { folderChildren } from '../../platform/folder-children.js';
import { findLinks } from '../../platform/link-scan.js';
import type { NodeDiskReader } from '../../platform/node-reader.js';
import { scanCandidates, type ScanCandidate } from '../../platform/scan-candidates.js';
import { renderScan } from '../../render/scan-text.js';
import { manifestContext } from '../context.js';
import type { CliIO } from '../io.js';
import { parseCommandArgs } from '../options.js';
import { stateDirFor } from '../state-dir.js';

/** How many folders are measured at once: each walk is mostly synchronous lstat slices, so more would only share one thread. */
const MEASURE_LIMIT = 4;
const DEFAULT_TOP = 20;
/** Progress on stderr: one line this often while measuring, none for a scan faster than that. */
const PROGRESS_MS = 1000;

/** `relocate scan --json`: the ScanReport of src/render/scan-json.ts, plus what every machine document carries. */
export interface ScanDocument extends ScanReport {
  formatVersion: 1;
  /** The folders given, resolved; null for the known large folders. */
  scanned: string[] | null;
  /** How many folders were measured; `folders` holds the largest `top` of them. */
  found: number;
  top: number;
  /** `--to`, resolved: the folder whose drive `freeAfterPlan` is about. */
  to: string | null;
}

function parseTop(v: string | undefined): number {
  if (v === undefined) return DEFAULT_TOP;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new RelocateError('E_USAGE', `--top needs a whole number of folders (1 or more), not '${v}'`, { hint: 'e.g. `relocate scan --top 50`' });
  return n;
}

/** The folders a walk of `roots` measures: each root's immediate entries; a known place keeps its kind and title. */
async function walkItems(roots: string[], known: ScanCandidate[], style: ReturnType<typeof styleForOs>): Promise<ScanCandidate[]> {
  const byKey = new Map(known.map((c) => [pathKey(c.path, style), c]));
  const items: ScanCandidate[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    for (const child of await folderChildren(root)) {
      const key = pathKey(child, style);
      if (seen.has(key)) continue;
      seen.add(key);
      items.push(byKey.get(key) ?? { path: child, kind: 'walk', title: path.basename(child) });
    }
  }
  return items;
}

/** What measuring one place found: a folder for the table, or a problem. */
type Measured = { folder: ScanFolder } | { problem: { path: string; message: string } } | { skipped: true };

async function measureOne(
  c: ScanCandidate,
  walk: boolean,
  reader: NodeDiskReader,
  vctx: VerdictContext,
  drives: Map<string, Promise<DriveFacts | undefined>>,
): Promise<Measured> {
  const style = styleForOs(vctx.os);
  let o;
  try {
    o = await reader.observe(c.path, style);
  } catch (err) {
    return { problem: { path: c.path, message: `${c.path}: cannot be read (${(err as Error).message})` } };
  }
  if (o.kind === 'absent') return { skipped: true };
  if (o.volume?.pseudo)
    return {
      problem: {
        path: c.path,
        message: `${c.path} is on a kernel pseudo file system (${o.volume.fsType ?? 'proc, sysfs, …'}): nothing there is stored on a disk`,
      },
    };
  const isLink = o.kind === 'symlink' || o.kind === 'junction';
  if (!isLink && o.kind !== 'dir' && o.kind !== 'file') return { skipped: true };
  if (walk && o.kind === 'dir' && (await reader.mounts(c.path)).mountPoint) {
    return {
      problem: {
        path: c.path,
        message: `${c.path} is another volume mounted here: not measured (relocate never crosses a mount; \`relocate scan ${c.path}\` measures its folders)`,
      },
    };
  }
  let v = folderVerdict(c.path, style, vctx);
  let bytes = 0;
  let files = 0;
  if (!isLink) {
    try {
      const m = await reader.measure(c.path);
      bytes = m.bytes;
      files = m.files;
    } catch (err) {
      // Windows keeps System Volume Information and the page file from everyone: say that it does not matter.
      const anyway = v.verdict === 'never' ? `; relocate refuses it anyway: ${v.reason.replace(/; relocate refuses it \(E_PROTECTED\)$/, '')}` : '';
      return { problem: { path: c.path, message: `${c.path}: cannot be measured (${(err as Error).message})${anyway}` } };
    }
  }
  if (v.verdict === 'caution' && reader.inUse) {
    // Only for one program's data: naming the program is what makes the caution useful, and the check costs a look at every process.
    const report = await reader.inUse(c.path, o.kind === 'dir').catch(() => undefined);
    const names = report?.held.map((h) => h.process) ?? [];
    if (names.length > 0) v = folderVerdict(c.path, style, vctx, { inUseBy: names });
  }
  // A link is on the drive of the folder holding it; anything else where it is.
  const drive = await driveOf(isLink ? path.dirname(c.path) : c.path, drives);
  return {
    folder: {
      path: c.path,
      kind: c.kind,
      title: c.title,
      bytes,
      files,
      verdict: v.verdict,
      reason: v.reason,
      ...(v.verdict === 'owner-mover' ? { mover: v.mover } : {}),
      ...((o.kind === 'symlink' || o.kind === 'junction') && o.linkTarget !== undefined ? { linkTarget: o.linkTarget } : {}),
      drive: drive?.root ?? '',
    },
  };
}

/** One line a second on stderr while measuring: how far, how much, and what now. */
function progressLine(io: CliIO, total: number, state: { done: number; bytes: number; current: Set<string> }): () => void {
  const timer = setInterval(() => {
    const now = [...state.current][0];
    io.err(`scan: ${state.done} of ${total} measured, ${formatBytes(state.bytes)} so far${now ? `; measuring ${now}` : ''}`);
  }, PROGRESS_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * `relocate scan [PATH…] [--top N] [--to DIR]`: what is big and what is
 * safe to move. Without PATH: the known large folders (Steam, Epic and
 * GOG games, developer caches, Docker and WSL disk images, Downloads,
 * Videos); with PATH: every entry of each PATH. Each is measured as the
 * plan measures (links not followed, hard-linked files once, never across
 * a mount) and given the planner's verdict (src/plan/folder-verdict.ts).
 * Scan never writes anything. 0 done, 1 error.
 */
export async function scanCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('scan', argv);
  const top = parseTop(values.top);
  const ctx = await manifestContext(io.env);
  const style = styleForOs(ctx.os);
  const roots = positionals.map((p) => path.resolve(io.cwd, p));
  const to = typeof values.to === 'string' ? path.resolve(io.cwd, values.to) : undefined;
  const drives = new Map<string, Promise<DriveFacts | undefined>>();
  // --to first: a destination that cannot be found is an error before anything is measured.
  let toDrive: DriveFacts | undefined;
  if (to !== undefined) {
    toDrive = (await driveOfFuture(to, drives)).drive;
    if (!toDrive)
      throw new RelocateError('E_NOT_FOUND', `no drive holds ${to}`, {
        path: to,
        hint: 'give a folder on a drive that is connected (it need not exist yet); nothing was changed',
      });
  }

  const places = folderPlaces(ctx.os, ctx.home, ctx.knownFolders ?? {}, io.env);
  const found = await scanCandidates({ os: ctx.os, home: ctx.home, env: io.env, places });
  const stateDir = stateDirFor(values['state-dir'], io.env, ctx.os, os.homedir(), io.cwd);
  const vctx: VerdictContext = { os: ctx.os, home: ctx.home, stateDir, places: { ...places, games: found.games } };
  const items = roots.length > 0 ? await walkItems(roots, found.candidates, style) : found.candidates;
  const reader = await diskReader();

  const problems: ScanReport['problems'] = roots.length > 0 ? [] : [...found.problems];
  const measured: ScanFolder[] = [];
  const state = { done: 0, bytes: 0, current: new Set<string>() };
  const stop = progressLine(io, items.length, state);
  try {
    await eachLimited(items, MEASURE_LIMIT, async (c) => {
      state.current.add(c.path);
      const r = await measureOne(c, roots.length > 0, reader, vctx, drives);
      state.current.delete(c.path);
      state.done++;
      if ('folder' in r) {
        measured.push(r.folder);
        state.bytes += r.folder.bytes;
      } else if ('problem' in r) problems.push(r.problem);
    });
  } finally {
    stop();
  }
  measured.sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const folders = measured.slice(0, top);

  // Links already there: what `relocate import` finds in the folders scanned (for the known folders, the folders holding them).
  const linkPlaces = roots.length > 0 ? roots : [...new Set(found.candidates.map((c) => path.dirname(c.path)))];
  const { links: foundLinks, problems: linkProblems } = await findLinks(linkPlaces, { recursive: false, reader, style });
  for (const p of linkProblems) problems.push(p);
  const links = foundLinks.map((l) => ({ link: l.path, target: l.target, type: l.kind }));
  // Measured a few at a time, problems arrive in any order: sorted, the same disk prints the same report.
  problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const report: ScanDocument = {
    formatVersion: 1,
    scanned: roots.length > 0 ? roots : null,
    found: measured.length,
    top,
    to: to ?? null,
    folders,
    drives: await driveList(folders, drives, toDrive),
    links,
    problems,
  };
  if (io.json) io.out(JSON.stringify(report, null, 2));
  else io.out(renderScan(report, { found: measured.length, top, scanned: report.scanned, ...(to ? { to } : {}) }, io.color));
  return 0;
}

/**
 * The drives of the folders listed (from the facts read while measuring)
 * and --to's; with --to, each one's free space once the listed safe
 * folders not already on --to's drive moved there: their bytes leave their
 * drive and arrive on --to's.
 */
async function driveList(folders: ScanFolder[], known: Map<string, Promise<DriveFacts | undefined>>, toDrive: DriveFacts | undefined): Promise<DriveInfo[]> {
  const roots = [...new Set([...folders.map((f) => f.drive).filter((r) => r !== ''), ...(toDrive ? [toDrive.root] : [])])];
  // The cache holds one answer per volume (drive-of.ts); the folders name their drive by its root.
  const byRoot = new Map<string, DriveFacts>();
  for (const facts of known.values()) {
    const d = await facts;
    if (d) byRoot.set(d.root, d);
  }
  const out: DriveInfo[] = [];
  for (const root of roots) {
    const d = byRoot.get(root);
    if (!d) continue;
    const info: DriveInfo = { root: d.root, label: d.label, totalBytes: d.totalBytes, freeBytes: d.freeBytes };
    if (toDrive) {
      const moving = folders.filter((f) => f.verdict === 'safe' && f.linkTarget === undefined && f.drive !== toDrive.root);
      const leaving = moving.filter((f) => f.drive === root).reduce((s, f) => s + f.bytes, 0);
      const arriving = root === toDrive.root ? moving.reduce((s, f) => s + f.bytes, 0) : 0;
      info.freeAfterPlan = d.freeBytes + leaving - arriving;
    }
    out.push(info);
  }
  return out;
}
