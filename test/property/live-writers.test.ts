/**
 * Issue 13 §4, "never loses data" with live programs: random trees on two
 * tmpfs volumes, each with one random program using it — a logger
 * appending through a held descriptor, an editor rewriting a file by path,
 * a process working in a subfolder, a process holding only a memory map,
 * or nobody — started before the plan or between the plan and apply. The
 * plan (with this OS's files-in-use check) and the run go in-process,
 * through NodeFs under the guard, as `relocate apply` does.
 *
 * Checked for every case:
 * - nothing lost: every file that existed is somewhere with its bytes
 *   (lostFiles), and every line or version the program wrote is in the
 *   file the link path leads to;
 * - a program that holds something all the time (logger, working folder,
 *   memory map) makes the plan refuse (E_IN_USE, started before the plan)
 *   or the run stop and roll back (E_IN_USE from check-in-use, started
 *   after), naming its pid; nobody using the tree means it moves. The
 *   editor holds nothing between saves: either outcome is allowed, but
 *   never a lost save.
 *
 * `STRESS=N` runs N times as many cases. Every child is stopped in the case
 * that started it (and in afterAll, should a case throw).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContext } from '../../src/cli/context.js';
import { startRun } from '../../src/exec/run-control.js';
import { loadManifest } from '../../src/manifest/load.js';
import { makePlan } from '../../src/plan/planner.js';
import type { Plan } from '../../src/plan/types.js';
import { detectCapabilities } from '../../src/platform/capabilities.js';
import { diskReader } from '../../src/platform/disk-reader.js';
import { nodeManifestIO } from '../../src/platform/manifest-io.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { observeEntries } from '../../src/state/observe.js';
import { appendWriter, cwdHolder, expectedLines, mmapHolder, rewriter, stopAll, writtenCount, type LiveProcess } from '../helpers/live-writer.js';
import { mountTmpfs, tmpfsReason, type TmpfsMount } from '../helpers/tmpfs.js';
import { describePlan, inventory, lostFiles, newFigures, printFigures, STRESS, totalBytes } from './harness.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const reason = tmpfsReason() ?? (process.platform === 'linux' ? undefined : 'live writers are checked on Linux');
if (reason) console.warn(`property live-writer tests skipped: ${reason}`);

/** Each case starts a node child (a few hundred ms on a busy machine): a bounded number per `npm test`. */
const CASES = Number(process.env.LIVE_CASES ?? 16) * STRESS;
const SEED = process.env.LIVE_SEED ? Number(process.env.LIVE_SEED) : undefined;

type Program = 'append' | 'rewrite' | 'cwd' | 'mmap' | 'none';
/** Programs that hold something in the tree at every instant, so every check sees them. */
const ALWAYS_HOLDS: ReadonlySet<Program> = new Set(['append', 'cwd', 'mmap']);

interface LiveCase {
  files: { rel: string; size: number }[];
  cross: boolean;
  program: Program;
  start: 'before-plan' | 'after-plan';
  intervalMs: number;
}

const fileArb = fc.record({
  rel: fc.constantFrom('a.txt', 'b.bin', 'sub/c.txt', 'sub/deep/d.dat', 'e'),
  size: fc.integer({ min: 0, max: 20_000 }),
});

const caseArb: fc.Arbitrary<LiveCase> = fc.record({
  files: fc.uniqueArray(fileArb, { minLength: 1, maxLength: 5, selector: (f) => f.rel }),
  cross: fc.boolean(),
  program: fc.constantFrom<Program>('append', 'rewrite', 'cwd', 'mmap', 'none'),
  start: fc.constantFrom('before-plan' as const, 'after-plan' as const),
  intervalMs: fc.integer({ min: 10, max: 40 }),
});

const figures = { ...newFigures(), refusedAtPlan: 0, refusedAtRun: 0, moved: 0 };
let a: TmpfsMount | undefined;
let b: TmpfsMount | undefined;
let n = 0;

/** What `relocate plan` builds, with this OS's files-in-use check (the reader `relocate` itself uses). */
async function planWithInUse(manifest: string, stateDir: string): Promise<Plan> {
  const ctx = loadContext(process.env);
  const m = await loadManifest(manifest, ctx, nodeManifestIO);
  if (!m.ok) throw new Error(JSON.stringify(m.diagnostics));
  const [observations, capabilities] = await Promise.all([observeEntries(m.entries, await diskReader()), detectCapabilities()]);
  return makePlan(m.entries, observations, {
    os: ctx.os,
    home: os.homedir(),
    capabilities,
    toolVersion: '0.0.0-live',
    manifest: { path: manifest, hash: m.hash },
    stateDir,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runCase(c: LiveCase): Promise<void> {
  const id = `live${n++}`;
  const base = path.join(a!.dir, id);
  const link = path.join(base, 'data');
  const target = c.cross ? path.join(b!.dir, id, 'data') : path.join(base, 'store', 'data');
  const meta = path.join(os.tmpdir(), `relocate-live-${process.pid}-${id}`);
  mkdirSync(link, { recursive: true });
  mkdirSync(path.dirname(target), { recursive: true });
  mkdirSync(meta, { recursive: true });
  let seed = 0;
  for (const f of c.files) {
    mkdirSync(path.dirname(path.join(link, f.rel)), { recursive: true });
    writeFileSync(path.join(link, f.rel), Buffer.alloc(f.size, (seed++ % 200) + 32));
  }
  // The program's own files: a log, a document, a folder to work in, a file to map (4 KiB: a map needs bytes).
  mkdirSync(path.join(link, 'work'), { recursive: true });
  writeFileSync(path.join(link, 'shared.bin'), Buffer.alloc(4096, 7));
  const log = path.join(link, 'app.log');
  const doc = path.join(link, 'doc.txt');
  const countFile = path.join(meta, 'count');
  const manifest = path.join(meta, 'relocate.yaml');
  const stateDir = path.join(meta, 'state');
  writeFileSync(manifest, JSON.stringify({ version: 1, links: [{ link, target, type: 'symlink' }] }));
  // Everything but the files the program changes must be somewhere afterwards, byte for byte.
  const before = inventory(link).filter((f) => f.path !== log && f.path !== doc);
  let prog: LiveProcess | undefined;
  const startProgram = async () => {
    switch (c.program) {
      case 'append':
        return appendWriter(log, c.intervalMs, countFile, 'live-append');
      case 'rewrite':
        return rewriter(doc, c.intervalMs, countFile, 'live-rewrite');
      case 'cwd':
        return cwdHolder(path.join(link, 'work'), 'live-cwd');
      case 'mmap':
        return mmapHolder(path.join(link, 'shared.bin'), 'live-mmap');
      case 'none':
        return undefined;
    }
  };
  const explain = () => `case ${JSON.stringify(c)}`;
  try {
    if (c.start === 'before-plan') prog = await startProgram();
    const plan = await planWithInUse(manifest, stateDir);
    if (c.start === 'after-plan') prog = await startProgram();
    let outcome: 'refused-at-plan' | 'refused-at-run' | 'moved' | 'other';
    let named = '';
    if (plan.blocked) {
      const f = plan.entries.flatMap((p) => p.findings).find((x) => x.severity === 'error');
      expect(f?.code, `${explain()}\n${describePlan(plan)}`).toBe('E_IN_USE');
      named = f!.message;
      outcome = 'refused-at-plan';
    } else {
      const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir, fs: new NodeFs(), verify: 'meta', noRollback: false });
      if (out.result === 'done') outcome = 'moved';
      else {
        expect(out.result, `${explain()}: ${out.error?.code} ${out.error?.message} ${out.undoError?.message ?? ''}`).toBe('rolled-back');
        outcome = out.error?.code === 'E_IN_USE' ? 'refused-at-run' : 'other';
        named = out.error?.message ?? '';
      }
    }
    // The program goes on a little after apply: what it writes then must land in the data too.
    await sleep(c.intervalMs * 2);
    await prog?.stop();
    // Nothing lost: the files that were there, and everything the program wrote (read through the link path,
    // which leads to the data wherever it is now).
    const { lost, bytes } = lostFiles(before, [{ link, target }]);
    let writerLost = 0;
    if (c.program === 'append') {
      const got = readFileSync(log, 'utf8');
      const want = expectedLines(writtenCount(countFile));
      if (got !== want) writerLost = Math.max(1, want.length - got.length);
    }
    if (c.program === 'rewrite') {
      const k = writtenCount(countFile);
      const got = k === 0 ? '' : readFileSync(doc, 'utf8');
      if (k > 0 && got !== `version ${k}\n`) writerLost = 1;
    }
    figures.dataLost += bytes + writerLost;
    figures.bytesVerified += totalBytes(before);
    figures.cases++;
    if (outcome === 'refused-at-plan') figures.refusedAtPlan++;
    if (outcome === 'refused-at-run') figures.refusedAtRun++;
    if (outcome === 'moved') figures.moved++;
    expect(
      lost.map((f) => f.path),
      explain(),
    ).toEqual([]);
    expect(writerLost, `${explain()}: the program's writes were lost`).toBe(0);
    // Where each outcome is allowed.
    if (c.program === 'none') expect(outcome, explain()).toBe('moved');
    if (ALWAYS_HOLDS.has(c.program)) {
      expect(outcome, `${explain()}: ${named}`).toBe(c.start === 'before-plan' ? 'refused-at-plan' : 'refused-at-run');
      expect(named).toContain(`pid ${prog!.pid}`);
    }
    if (outcome === 'other') expect(c.program, `${explain()}: ${named}`).toBe('rewrite');
  } finally {
    await prog?.stop();
    rmSync(base, { recursive: true, force: true });
    if (c.cross) rmSync(path.dirname(target), { recursive: true, force: true });
    rmSync(meta, { recursive: true, force: true });
  }
}

describe.skipIf(reason !== undefined)('never loses data: random trees × a random live program started before or after the plan', () => {
  beforeAll(() => {
    a = mountTmpfs(64, 'live-a');
    b = mountTmpfs(64, 'live-b');
  });
  afterAll(async () => {
    await stopAll();
    a?.unmount();
    b?.unmount();
    printFigures('live writers (in-process, /proc check at plan and before copy/set-aside)', figures);
  });

  it(
    `${CASES} cases: nothing lost; a program always holding the tree is refused (plan or run) and named; an unused tree moves`,
    async () => {
      await fc.assert(
        fc.asyncProperty(caseArb, async (c) => {
          await runCase(c);
        }),
        { numRuns: CASES, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: true },
      );
      expect(figures.dataLost).toBe(0);
    },
    120_000 * STRESS,
  );
});
