/**
 * Issue 13 §3, the property: random trees with a small volume (a fresh
 * tmpfs, or a bind mount of a folder outside the tree) mounted at a random
 * folder inside the data that would move — a folder moved to a target on
 * the same or another volume, or brought back by `state: absent` — at a
 * random moment:
 *
 * - before `plan`: plan and apply refuse (E_MOUNT_INSIDE), nothing changes;
 * - after `plan --out`: `apply plan.json` refuses the stale plan;
 * - after a clean `plan`, right before `apply MANIFEST`: apply's own plan
 *   refuses;
 * - while the run works (in-process, before a random disk call of the
 *   executor): the run stops at the device fence and rolls back, or — when
 *   no walk or delete is left (a same-volume rename carries the mount
 *   along) — finishes with the mount intact where the rename put it.
 *
 * Checked every time: no file on either volume lost (the mounted volume's
 * included), the mounted volume's files byte for byte as they were, the
 * journal consistent. Every mount is undone in each case's `finally`.
 * `STRESS=N` runs N times as many cases.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FsPort } from '../../src/exec/fs-port.js';
import { rollbackRun, startRun } from '../../src/exec/run-control.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { requireBuiltCli, runCliAsync, type CliResult } from '../helpers/cli.js';
import { seededBytes } from '../helpers/crash-tree.js';
import { Mounts } from '../helpers/mounts.js';
import { relativeSnapshot, snapshotTree } from '../helpers/snapshot.js';
import { mountTmpfs, tmpfsReason, type TmpfsMount } from '../helpers/tmpfs.js';
import { inventory, listing, lostFiles, newFigures, planFor, printFigures, reload, stateProblems, STRESS } from './harness.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const reason = tmpfsReason();
if (reason) console.warn(`nested-mount property tests skipped: ${reason}`);

const CLI_CASES = Number(process.env.MOUNT_CLI_CASES ?? 8) * STRESS;
const RUN_CASES = Number(process.env.MOUNT_RUN_CASES ?? 32) * STRESS;
const SEED = process.env.MOUNT_SEED ? Number(process.env.MOUNT_SEED) : undefined;

const figures = newFigures();
figures.refusedAtPlan = 0;
figures.staleSavedPlans = 0;
figures.refusedAtApply = 0;
figures.stoppedMidRun = 0;
figures.finishedWithMountCarried = 0;
figures.mountedFilesChecked = 0;

type Timing = 'before-plan' | 'saved-plan' | 'before-apply' | 'mid-run';

interface NestedCase {
  direction: 'move' | 'restore';
  crossVolume: boolean;
  kind: 'tmpfs' | 'bind';
  /** Folder i+1's parent is folder `parents[i] % (i+1)` (folder 0 is the tree's root). */
  parents: number[];
  files: { dir: number; size: number; seed: number }[];
  /** The mount goes on a new empty folder inside this folder (never on the root: that is E_MOUNT_POINT, tested in test/cli/mounts.test.ts). */
  mountIn: number;
  mounted: { size: number; seed: number }[];
  /** mid-run: the mount is made right before this disk call of the executor (0-based; later than the last: never). */
  hookAt: number;
}

const caseArb = fc.record({
  direction: fc.constantFrom('move' as const, 'restore' as const),
  crossVolume: fc.boolean(),
  kind: fc.constantFrom('tmpfs' as const, 'bind' as const),
  parents: fc.array(fc.nat(), { maxLength: 6 }),
  files: fc.array(fc.record({ dir: fc.nat(), size: fc.nat({ max: 20_000 }), seed: fc.nat() }), { minLength: 1, maxLength: 12 }),
  mountIn: fc.nat(),
  mounted: fc.array(fc.record({ size: fc.nat({ max: 8_000 }), seed: fc.nat() }), { minLength: 1, maxLength: 4 }),
  hookAt: fc.nat({ max: 9 }),
});

let volA: TmpfsMount | undefined;
let volB: TmpfsMount | undefined;
let scratch = '';
let counter = 0;

/** One case's folders: its data on volume A (and B), its state and manifest on the scratch disk. */
interface Box {
  id: string;
  rootA: string;
  rootB: string;
  link: string;
  target: string;
  /** Where the data is before the run: the link path (move) or the target (restore). */
  data: string;
  bindSource: string;
  meta: string;
  state: string;
  manifest: string;
  dirs: string[];
  mountRel: string;
}

function layout(c: NestedCase): Box {
  const id = `c${counter++}`;
  const rootA = path.join(volA!.dir, id);
  const rootB = path.join(volB!.dir, id);
  mkdirSync(rootA);
  mkdirSync(rootB);
  const link = path.join(rootA, 'home', 'Games');
  const target = path.join(c.crossVolume ? rootB : rootA, 'store', 'Games');
  const data = c.direction === 'move' ? link : target;
  const dirs = [''];
  c.parents.forEach((p, i) => {
    const parent = dirs[p % (i + 1)]!;
    dirs.push(parent === '' ? `d${i}` : `${parent}/d${i}`);
  });
  for (const d of dirs) mkdirSync(path.join(data, d), { recursive: true });
  c.files.forEach((f, i) => writeFileSync(path.join(data, dirs[f.dir % dirs.length]!, `f${i}.bin`), seededBytes(f.seed, f.size)));
  if (c.direction === 'restore') {
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(target, link);
  }
  const bindSource = path.join(rootA, 'outside-bind-source');
  const meta = path.join(scratch, id);
  mkdirSync(meta);
  const manifest = path.join(meta, 'relocate.yaml');
  writeFileSync(
    manifest,
    JSON.stringify({ version: 1, links: [{ link, target, type: 'symlink', ...(c.direction === 'restore' ? { state: 'absent' } : {}) }] }),
  );
  const inDir = dirs[c.mountIn % dirs.length]!;
  return {
    id,
    rootA,
    rootB,
    link,
    target,
    data,
    bindSource,
    meta,
    state: path.join(meta, 'state'),
    manifest,
    dirs,
    mountRel: inDir === '' ? 'mnt' : `${inDir}/mnt`,
  };
}

/** Mounts the case's volume at `<tree>/<mountRel>` with its files and a marker; returns what the mounted volume holds. */
function mountInto(c: NestedCase, box: Box, mounts: Mounts, tree: string): Record<string, string> {
  const at = path.join(tree, box.mountRel);
  if (c.kind === 'tmpfs') {
    mounts.tmpfs(at, 2);
  } else {
    mkdirSync(box.bindSource, { recursive: true });
    mounts.bind(box.bindSource, at);
  }
  writeFileSync(path.join(at, `.marker-${box.id}`), box.id);
  c.mounted.forEach((f, i) => writeFileSync(path.join(at, `m${i}.sav`), seededBytes(f.seed ^ 0x51, f.size)));
  return relativeSnapshot(at);
}

/** Where the case's mounted volume is now (a rename may have carried it): the mount point holding its marker. */
function mountedNow(box: Box): string | undefined {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p): p is string => p !== undefined && (p.startsWith(`${box.rootA}/`) || p.startsWith(`${box.rootB}/`)));
  return points.find((p) => existsSync(path.join(p, `.marker-${box.id}`)));
}

function cli(box: Box, args: string[]): Promise<CliResult> {
  return runCliAsync([...args, '--state-dir', box.state], { cwd: box.meta });
}

function show(r: CliResult): string {
  return `exit ${r.status}\n${r.stdout.slice(0, 3000)}\n--- stderr:\n${r.stderr.slice(0, 2000)}`;
}

function runsIn(box: Box): string[] {
  try {
    return readdirSync(path.join(box.state, 'runs'));
  } catch {
    return [];
  }
}

/** No file lost, the mounted volume's files exactly as mounted; counted into the figures. */
function checkData(box: Box, before: ReturnType<typeof inventory>, onVolume: Record<string, string>, what: string): void {
  const { lost, bytes } = lostFiles(before, [
    { link: box.link, target: box.target },
    { link: box.bindSource, target: box.bindSource },
  ]);
  figures.dataLost += lost.length;
  figures.bytesVerified += before.reduce((n, f) => n + f.size, 0) - bytes;
  expect(
    lost.map((f) => f.path),
    `${what}: files lost\n${listing(box.rootA, box.rootB)}`,
  ).toEqual([]);
  const at = mountedNow(box);
  expect(at, `${what}: the mounted volume is still mounted somewhere in the case's folders`).toBeDefined();
  expect(relativeSnapshot(at!), `${what}: the mounted volume at ${at}`).toEqual(onVolume);
  figures.mountedFilesChecked += Object.keys(onVolume).length;
}

async function cliCase(c: NestedCase, timing: Exclude<Timing, 'mid-run'>): Promise<void> {
  const box = layout(c);
  const mounts = new Mounts();
  try {
    let onVolume: Record<string, string> = {};
    const planFile = path.join(box.meta, 'plan.json');
    if (timing === 'before-plan') {
      onVolume = mountInto(c, box, mounts, box.data);
    } else {
      const first = await cli(box, ['plan', box.manifest, ...(timing === 'saved-plan' ? ['--out', planFile] : [])]);
      expect(first.status, show(first)).toBe(2);
      onVolume = mountInto(c, box, mounts, box.data);
    }
    const before = inventory(box.rootA, box.rootB);
    const snap = snapshotTree(box.rootA, box.rootB);
    const label = `${timing} ${JSON.stringify(c)}`;
    if (timing === 'before-plan') {
      const plan = await cli(box, ['plan', box.manifest, '--json']);
      expect(plan.status, `${label}\n${show(plan)}`).toBe(1);
      expect(plan.stdout, label).toContain('E_MOUNT_INSIDE');
      expect(plan.stdout, label).toContain(path.join(box.data, box.mountRel));
      figures.refusedAtPlan++;
    }
    const apply = await cli(box, ['apply', timing === 'saved-plan' ? planFile : box.manifest, '--yes', '--json']);
    expect(apply.status, `${label}\n${show(apply)}`).toBe(1);
    expect(apply.stdout + apply.stderr, label).toContain(timing === 'saved-plan' ? 'E_STALE_PLAN' : 'E_MOUNT_INSIDE');
    if (timing === 'saved-plan') figures.staleSavedPlans++;
    if (timing === 'before-apply') figures.refusedAtApply++;
    expect(runsIn(box), label).toEqual([]);
    expect(snapshotTree(box.rootA, box.rootB), `${label}: nothing changed`).toEqual(snap);
    checkData(box, before, onVolume, label);
  } finally {
    mounts.unmountAll(box.rootA, box.rootB);
  }
}

/** NodeFs with `hook` run once, right before its `nth` call (0-based) of a method that writes or walks. */
function hookedFs(nth: number, hook: () => void): FsPort {
  const watched = new Set(['mkdirs', 'renameNoReplace', 'copyTree', 'verify', 'assertOneDevice', 'deleteTree', 'createLink', 'removeLink']);
  const inner = new NodeFs();
  let calls = 0;
  return new Proxy(inner, {
    get(t, k) {
      const v = Reflect.get(t, k) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        if (watched.has(String(k)) && calls++ === nth) hook();
        return (v as (...x: unknown[]) => Promise<unknown>).apply(t, args);
      };
    },
  }) as FsPort;
}

/** Where the tree being moved is right now: its own path, or relocate's set-aside name for it. */
function treeNow(from: string): string | undefined {
  const isDir = (p: string) => {
    try {
      return lstatSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  if (isDir(from)) return from;
  const aside = readdirSync(path.dirname(from)).find((n) => n.startsWith(`${path.basename(from)}.relocate-old-`));
  return aside && isDir(path.join(path.dirname(from), aside)) ? path.join(path.dirname(from), aside) : undefined;
}

async function runCase(c: NestedCase): Promise<void> {
  const box = layout(c);
  const mounts = new Mounts();
  try {
    const plan = await planFor(box.manifest, box.state);
    expect(plan.blocked, JSON.stringify(plan.entries[0]?.findings)).toBe(false);
    const originalData = relativeSnapshot(box.data);
    const initial = inventory(box.rootA, box.rootB);
    let onVolume: Record<string, string> | undefined;
    let before: ReturnType<typeof inventory> = [];
    let mountedIn = '';
    const fs = hookedFs(c.hookAt, () => {
      const tree = treeNow(box.data);
      if (!tree) return;
      mountedIn = tree;
      onVolume = mountInto(c, box, mounts, tree);
      // The user's data before the run, plus the mounted volume's files named where they belong (in a
      // set-aside tree: under the data's own path); relocate's in-flight copies are not the user's.
      const at = path.join(tree, box.mountRel);
      before = [
        ...initial,
        ...inventory(at).map((f) => ({ ...f, path: path.join(box.data, box.mountRel) + f.path.slice(at.length) })),
        ...(c.kind === 'bind' ? inventory(box.bindSource) : []),
      ];
    });
    const out = await startRun(plan, { journalDisk: nodeJournalDisk, stateDir: box.state, fs, verify: 'meta', noRollback: false });
    const label = `mid-run ${JSON.stringify(c)} (mounted in ${mountedIn || 'nothing: the hook came too late'}) → ${out.result} ${out.error?.code ?? ''}`;
    if (!onVolume) {
      expect(out.result, label).toBe('done');
      return;
    }
    expect(['done', 'rolled-back', 'failed'], label).toContain(out.result);
    if (out.result !== 'done') expect(out.error?.code, label).toBe('E_MOUNT_INSIDE');
    checkData(box, before, onVolume, label);
    expect(await stateProblems(box.state, { allowUnfinished: out.result === 'failed' }), label).toEqual([]);
    if (out.result === 'done') {
      figures.finishedWithMountCarried++;
      return;
    }
    figures.stoppedMidRun++;
    if (out.result === 'failed') {
      // The delete was refused in the instant after its journal line: once unmounted, rollback finishes.
      mounts.unmountAll(box.rootA, box.rootB);
      const back = await rollbackRun(await reload(box.state, out.record.id), {
        journalDisk: nodeJournalDisk,
        stateDir: box.state,
        fs: new NodeFs(),
        force: false,
      });
      expect(back.result, label).toBe('rolled-back');
      expect(await stateProblems(box.state), label).toEqual([]);
    }
    // Rolled back: the data is where it was, as it was (the mount's folder aside).
    const now = relativeSnapshot(box.data);
    for (const k of Object.keys(now)) if (k === box.mountRel || k.startsWith(`${box.mountRel}/`)) delete now[k];
    expect(now, label).toEqual(originalData);
  } finally {
    mounts.unmountAll(box.rootA, box.rootB);
  }
}

describe.skipIf(reason !== undefined)('never crosses a device boundary: random trees × a volume mounted inside at a random moment', () => {
  beforeAll(() => {
    requireBuiltCli();
    volA = mountTmpfs(64, 'nest-a');
    volB = mountTmpfs(64, 'nest-b');
    scratch = mkdtempSync(path.join(os.tmpdir(), 'relocate-nest-'));
  });
  afterAll(() => {
    // Anything a failed case left mounted inside the volumes goes first.
    new Mounts().unmountAll(...[volA?.dir, volB?.dir].filter((d): d is string => d !== undefined));
    volA?.unmount();
    volB?.unmount();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    printFigures('nested mounts (CLI and in-process)', figures);
  });

  it(
    `${CLI_CASES} cases through the CLI: mounted before plan, after plan --out, or right before apply: refused, nothing changed`,
    async () => {
      const timings: Exclude<Timing, 'mid-run'>[] = ['before-plan', 'saved-plan', 'before-apply'];
      await fc.assert(
        fc.asyncProperty(caseArb, fc.constantFrom(...timings), async (c, timing) => {
          figures.cases++;
          await cliCase(c, timing);
        }),
        { numRuns: CLI_CASES, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: true },
      );
      expect(figures.dataLost).toBe(0);
    },
    300_000 * STRESS,
  );

  it(
    `${RUN_CASES} cases in-process: mounted while the run works: stopped and rolled back, or carried whole by a rename`,
    async () => {
      await fc.assert(
        fc.asyncProperty(caseArb, async (c) => {
          figures.cases++;
          await runCase(c);
        }),
        { numRuns: RUN_CASES, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: true },
      );
      expect(figures.dataLost).toBe(0);
    },
    300_000 * STRESS,
  );
});
