/**
 * Shared parts of the "never loses data" harness (issue 6): the in-process
 * planner (what `relocate plan` does, without printing), the invariants
 * every case is checked against, and the figures each harness prints.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadContext } from '../../src/cli/context.js';
import { RunStore, listRuns } from '../../src/journal/runs.js';
import type { JournalLine, RunRecord } from '../../src/journal/types.js';
import { loadManifest } from '../../src/manifest/load.js';
import { hasChanges, makePlan } from '../../src/plan/planner.js';
import type { Plan } from '../../src/plan/types.js';
import { detectCapabilities } from '../../src/platform/capabilities.js';
import { nodeManifestIO } from '../../src/platform/manifest-io.js';
import { NodeDiskReader } from '../../src/platform/node-reader.js';
import { observeEntries } from '../../src/state/observe.js';
import { eachNode, fileHash, relocateNamed } from '../helpers/walk-tree.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

/** `STRESS=50 npm run stress` multiplies every harness's case counts. */
export const STRESS = Math.max(1, Math.floor(Number(process.env.STRESS ?? '1')) || 1);

export interface Figures {
  cases: number;
  faultsInjected: number;
  crashesSurvived: number;
  bytesVerified: number;
  dataLost: number;
  [more: string]: number;
}

export function newFigures(): Figures {
  return { cases: 0, faultsInjected: 0, crashesSurvived: 0, bytesVerified: 0, dataLost: 0 };
}

/** One line every harness prints when it ends: what `npm test` and `npm run stress` report. */
export function printFigures(name: string, f: Figures): void {
  const extra = Object.entries(f)
    .filter(([k]) => !['cases', 'faultsInjected', 'crashesSurvived', 'bytesVerified', 'dataLost'].includes(k))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(
    `[harness] ${name}${STRESS > 1 ? ` (STRESS=${STRESS})` : ''}: cases tried ${f.cases}, faults injected ${f.faultsInjected}, crashes survived ${f.crashesSurvived}, ` +
      `bytes verified ${f.bytesVerified}, data lost ${f.dataLost}${extra ? ` (${extra})` : ''}`,
  );
}

/** What `relocate plan` builds, in-process and silent: load, observe, plan. */
export async function planFor(manifest: string, stateDir: string): Promise<Plan> {
  const ctx = loadContext(process.env);
  const m = await loadManifest(manifest, ctx, nodeManifestIO);
  if (!m.ok) throw new Error(`the generated manifest is invalid:\n${JSON.stringify(m.diagnostics, null, 2)}`);
  const [observations, capabilities] = await Promise.all([observeEntries(m.entries, new NodeDiskReader()), detectCapabilities()]);
  return makePlan(m.entries, observations, {
    os: ctx.os,
    home: os.homedir(),
    capabilities,
    toolVersion: '0.0.0-property',
    manifest: { path: manifest, hash: m.hash },
    stateDir,
  });
}

export { hasChanges };

/** A plan's entries as `action link` lines, for failure messages. */
export function describePlan(plan: Plan): string {
  return plan.entries
    .map(
      (p) =>
        `  ${p.action} ${p.link} -> ${p.target}${p.findings.length ? ` [${p.findings.map((f) => f.code).join(',')}]` : ''}${p.action === 'conflict' || p.action === 'skip' ? ` (${p.reason})` : ''}`,
    )
    .concat(plan.findings.map((f) => `  global ${f.code}: ${f.message}`))
    .join('\n');
}

// ---------- data inventory ----------

export interface FileFact {
  path: string;
  hash: string;
  size: number;
}

/** Every regular file under the roots (links never followed), with its sha256. */
export function inventory(...roots: string[]): FileFact[] {
  const out: FileFact[] = [];
  eachNode(roots, (p, s) => {
    if (s.isFile()) out.push({ path: p, size: s.size, hash: fileHash(p) });
  });
  return out;
}

export function totalBytes(files: FileFact[]): number {
  return files.reduce((n, f) => n + f.size, 0);
}

/** The link and target of one manifest entry (and a retarget's old target): where its data may legitimately be. */
export interface EntryPaths {
  link: string;
  target: string;
  /** A retarget's old target: its data may be there, at the target, or at relocate's names beside either. */
  oldTarget?: string;
}

function isUnder(p: string, root: string): boolean {
  return p === root || p.startsWith(root + '/');
}

/** A path, and relocate's names beside it (`<p>.relocate-…`) that exist now. */
function withSiblings(p: string): string[] {
  const dir = path.dirname(p);
  const base = path.basename(p);
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [p];
  }
  return [p, ...names.filter((n) => n.startsWith(`${base}.relocate-`)).map((n) => path.join(dir, n))];
}

function holds(p: string, f: FileFact): boolean {
  try {
    const s = lstatSync(p);
    return s.isFile() && s.size === f.size && createHash('sha256').update(readFileSync(p)).digest('hex') === f.hash;
  } catch {
    return false;
  }
}

/**
 * Every file that existed before must still exist, with its bytes, at its
 * original place or at its expected place: for data under an entry's link,
 * target or old target, the same relative path under any of them, or one
 * of relocate's names beside them (staging, set-aside, backup). Returns
 * the files (and bytes) with no copy left.
 */
export function lostFiles(before: FileFact[], entries: EntryPaths[]): { lost: FileFact[]; bytes: number } {
  const lost: FileFact[] = [];
  const places = new Map<string, string[]>();
  const rootsOf = (e: EntryPaths) => [e.link, e.target, ...(e.oldTarget !== undefined ? [e.oldTarget] : [])];
  const placesOf = (e: EntryPaths) => {
    const key = rootsOf(e).join('\0');
    let p = places.get(key);
    if (!p) places.set(key, (p = rootsOf(e).flatMap(withSiblings)));
    return p;
  };
  for (const f of before) {
    const owners = entries.filter((e) => rootsOf(e).some((r) => isUnder(f.path, r)));
    let ok = holds(f.path, f);
    for (const e of owners) {
      if (ok) break;
      const root = rootsOf(e).find((r) => isUnder(f.path, r))!;
      const rel = f.path.slice(root.length);
      ok = placesOf(e).some((c) => holds(c + rel, f));
    }
    if (!ok) lost.push(f);
  }
  return { lost, bytes: totalBytes(lost) };
}

// ---------- the journal ----------

/** Reads a run's journal; a torn last line (a kill mid-write) is allowed only with `tornTailOk`. */
export function journalOf(stateDir: string, id: string, tornTailOk = false): JournalLine[] {
  let text = '';
  try {
    text = readFileSync(path.join(stateDir, 'runs', id, 'journal.jsonl'), 'utf8');
  } catch {
    return [];
  }
  const raw = text.split('\n').filter((l) => l.trim() !== '');
  const out: JournalLine[] = [];
  raw.forEach((l, i) => {
    try {
      out.push(JSON.parse(l) as JournalLine);
    } catch {
      if (!(tornTailOk && i === raw.length - 1)) throw new Error(`journal of run ${id}: line ${i + 1} is not JSON: ${l.slice(0, 120)}`);
    }
  });
  return out;
}

/**
 * The journal of a run is consistent with itself and with the run's status:
 * steps begin in order, each after the one before it is done; `done` and
 * `undo-done` follow their `begin`; undos go newest first, only for steps
 * that began, and nothing runs forward once undoing started. A `done` run
 * has every step done and nothing undone; a `rolled-back` run has every
 * begun step undone. Returns the problems found (empty: consistent).
 */
/** Steps the executor may journal as one batch (its CANNOT_LOSE_DATA): begun together, done together. */
const BATCHABLE = new Set(['mkdirs', 'link', 'check-link']);

export function journalProblems(record: RunRecord, lines: JournalLine[]): string[] {
  const problems: string[] = [];
  const total = record.steps.length;
  const begun = new Set<number>();
  const done = new Set<number>();
  const undoBegun = new Set<number>();
  const undone = new Set<number>();
  let undoing = false;
  lines.forEach((l, i) => {
    const at = `line ${i + 1} (${l.t} ${l.n})`;
    if (!Number.isInteger(l.n) || l.n < 0 || l.n >= total) {
      problems.push(`${at}: no such step`);
      return;
    }
    switch (l.t) {
      case 'begin':
        if (undoing) problems.push(`${at}: a step begins after undoing started`);
        if (done.has(l.n)) problems.push(`${at}: begins again after it was done`);
        for (let m = 0; m < l.n; m++) {
          if (done.has(m)) continue;
          // Steps that cannot lose data are journaled as a batch: all begun before the first runs (src/exec/executor.ts).
          const batched = begun.has(m) && record.steps.slice(m, l.n + 1).every((rs) => BATCHABLE.has(rs.step.op));
          if (!batched) problems.push(`${at}: begins before step ${m} is done`);
        }
        begun.add(l.n);
        break;
      case 'done':
        if (undoing) problems.push(`${at}: done after undoing started`);
        if (!begun.has(l.n)) problems.push(`${at}: done without a begin`);
        if (done.has(l.n)) problems.push(`${at}: done twice`);
        done.add(l.n);
        break;
      case 'undo-begin':
        undoing = true;
        if (!begun.has(l.n)) problems.push(`${at}: undoes a step that never began`);
        if (undone.has(l.n)) problems.push(`${at}: undone twice`);
        for (const m of begun) if (m > l.n && !undone.has(m)) problems.push(`${at}: undone before the newer step ${m}`);
        undoBegun.add(l.n);
        break;
      case 'made':
        // What a step (or its undo) made, journaled between its begin and its done (issue 13: identities).
        if (undoing ? !undoBegun.has(l.n) || undone.has(l.n) : !begun.has(l.n) || done.has(l.n)) problems.push(`${at}: made outside its step`);
        break;
      case 'undo-done':
        if (!undoBegun.has(l.n)) problems.push(`${at}: undo-done without undo-begin`);
        if (undone.has(l.n)) problems.push(`${at}: undo-done twice`);
        undone.add(l.n);
        break;
      default:
        problems.push(`line ${i + 1}: unknown kind ${(l as { t: string }).t}`);
    }
  });
  if (record.status === 'done') {
    for (let n = 0; n < total; n++) if (!done.has(n)) problems.push(`status done but step ${n} is not done`);
    if (undoing) problems.push('status done but steps were undone');
  }
  if (record.status === 'rolled-back') {
    for (const n of begun) if (!undone.has(n)) problems.push(`status rolled-back but step ${n} (begun) was not undone`);
  }
  return problems.slice(0, 10);
}

/** Checks every run in a state folder; returns the problems, labelled by run. */
export async function stateProblems(stateDir: string, opts: { allowUnfinished?: boolean; tornTailOk?: boolean } = {}): Promise<string[]> {
  const out: string[] = [];
  for (const r of await listRuns(nodeJournalDisk, stateDir)) {
    if (!opts.allowUnfinished && !['done', 'rolled-back'].includes(r.status)) out.push(`run ${r.id} is left ${r.status}`);
    for (const p of journalProblems(r, journalOf(stateDir, r.id, opts.tornTailOk))) out.push(`run ${r.id} (${r.status}): ${p}`);
  }
  return out;
}

/** A run's record as a new process would read it. */
export function reload(stateDir: string, id: string): Promise<RunRecord> {
  return new RunStore(nodeJournalDisk, stateDir, id).load();
}

/** Relocate's own in-flight names (not backups, which are kept on purpose) under the roots. */
export function inFlightLeftovers(...roots: string[]): string[] {
  return relocateNamed(['partial', 'old'], ...roots);
}

/** For failure messages: the tree as `path kind` lines. */
export function listing(...roots: string[]): string {
  const out: string[] = [];
  const visit = (p: string, depth: number) => {
    let s;
    try {
      s = lstatSync(p);
    } catch {
      return;
    }
    out.push(`${'  '.repeat(depth)}${path.basename(p)} ${s.isSymbolicLink() ? `-> ${readlinkSync(p)}` : s.isDirectory() ? '/' : `${s.size}b`}`);
    if (s.isDirectory() && depth < 6) for (const n of readdirSync(p).sort()) visit(path.join(p, n), depth + 1);
  };
  for (const r of roots) visit(r, 0);
  return out.slice(0, 200).join('\n');
}

/** Groups of names that are one file (hard links), as sorted path lists: rollback must keep them. */
export function hardLinkGroups(...roots: string[]): string[][] {
  const byIno = new Map<string, string[]>();
  eachNode(roots, (p, s) => {
    if (s.isFile() && s.nlink > 1) byIno.set(`${s.dev}:${s.ino}`, [...(byIno.get(`${s.dev}:${s.ino}`) ?? []), p]);
  });
  return [...byIno.values()]
    .filter((g) => g.length > 1)
    .map((g) => g.sort())
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/**
 * Every node under the roots, links not followed: kind, size, mode, content
 * hash or link text, and (for files) the mtime in nanoseconds. What "the
 * exact original tree" means here; see `treeDiffs` for how times compare.
 */
export function exactSnapshot(...roots: string[]): Map<string, { desc: string; mtimeNs?: bigint }> {
  const out = new Map<string, { desc: string; mtimeNs?: bigint }>();
  const visit = (p: string) => {
    let s;
    try {
      s = lstatSync(p, { bigint: true });
    } catch {
      return;
    }
    const mode = (Number(s.mode) & 0o7777).toString(8);
    if (s.isSymbolicLink()) out.set(p, { desc: `link ${readlinkSync(p)}` });
    else if (s.isDirectory()) {
      out.set(p, { desc: `dir ${mode}` });
      for (const n of readdirSync(p).sort()) visit(path.join(p, n));
    } else if (s.isFile())
      out.set(p, { desc: `file ${s.size} ${mode} ${createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16)}`, mtimeNs: s.mtimeNs });
    else out.set(p, { desc: 'other' });
  };
  for (const r of roots) visit(r);
  return out;
}

/**
 * How two exact snapshots differ (empty: the same tree). Modification times
 * must agree to the microsecond: Node sets times through a double of
 * seconds that libuv takes to whole microseconds, so a time kept to the
 * nanosecond by the filesystem comes back rounded to the nearest
 * microsecond (within 1 µs), and a floor-to-the-millisecond comparison of
 * such a time is not stable at a millisecond boundary.
 */
export function treeDiffs(before: ReturnType<typeof exactSnapshot>, after: ReturnType<typeof exactSnapshot>): string[] {
  const out: string[] = [];
  for (const p of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(p);
    const b = after.get(p);
    if (!a || !b || a.desc !== b.desc) out.push(`${p}: was ${a?.desc ?? '(absent)'}, now ${b?.desc ?? '(absent)'}`);
    else if (a.mtimeNs !== undefined && b.mtimeNs !== undefined) {
      const d = a.mtimeNs > b.mtimeNs ? a.mtimeNs - b.mtimeNs : b.mtimeNs - a.mtimeNs;
      if (d > 1000n) out.push(`${p}: mtime was ${a.mtimeNs} ns, now ${b.mtimeNs} ns`);
    }
  }
  return out;
}
