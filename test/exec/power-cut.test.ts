import { spawn } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, requireBuiltCli, runCliAsync, type CliResult } from '../helpers/cli.js';
import {
  cacheSpec,
  eachCase as eachCaseAt,
  findLeftovers,
  gamesSpec,
  hashesPresent,
  relSnapshot,
  sameInode,
  seededBytes,
  specHashes,
  writeManifest,
  type Sandbox,
  type TreeSpec,
} from '../helpers/crash-tree.js';
import { cutPower, makeTemplate, mountCase, powerCutReason, type CutCase, type CutFs, type Template } from '../helpers/power-cut.js';
import { contentOf, snapshotTree } from '../helpers/snapshot.js';

/**
 * Issue 16: power cuts. The crash tests (crash.test.ts) kill the process,
 * which keeps the page cache; here the "disk" is cut too
 * (test/helpers/power-cut.ts): a cross-volume move with a same-volume move
 * and a create beside it runs on two loop-mounted volumes, the state folder
 * on one of them; the CLI dies right after each journal line in turn (and
 * at a few seeded random moments); each volume's image is copied as it is
 * on "disk" and mounted again, and then `resume` or `rollback` runs on what
 * a reboot would find. Every original byte must exist in a complete copy at
 * the cut, and after recovery exactly once, in the promised end state.
 *
 * `npm test` runs ext4, one recovery per cut (resume and rollback in turn).
 * `npm run powercut` (POWERCUT=full) runs ext4, xfs and btrfs (or
 * POWERCUT_FS=…), both recoveries per cut, more random moments, cuts in the
 * middle of a delete or a copy (strace kills the process on its Nth unlink
 * or copy_file_range), a second cut during recovery, and a larger tree
 * (POWERCUT_FILES more files, default 500); it prints the figures.
 */

const FULL = process.env.POWERCUT === 'full';
const FILESYSTEMS: CutFs[] = FULL ? ((process.env.POWERCUT_FS ?? 'ext4,xfs,btrfs').split(',') as CutFs[]) : ['ext4'];
const RANDOM_CUTS = FULL ? 12 : 4;
const EXTRA_FILES = FULL ? Number(process.env.POWERCUT_FILES ?? '500') : 0;
const PARALLEL = 3;

const reasons = new Map(FILESYSTEMS.map((fs) => [fs, powerCutReason(fs)] as const));
for (const [fs, why] of reasons) if (why) console.warn(`power-cut tests on ${fs} skipped: ${why}`);

/** The larger tree of `npm run powercut`: small files spread over 20 folders. */
function extraSpec(n: number): TreeSpec[] {
  if (n === 0) return [];
  const out: TreeSpec[] = [{ rel: 'many', kind: 'dir', mode: 0o755, mtime: 1_650_000_000 }];
  for (let d = 0; d < 20; d++) out.push({ rel: `many/d${d}`, kind: 'dir', mode: 0o755, mtime: 1_650_000_000 + d });
  for (let i = 0; i < n; i++)
    out.push({ rel: `many/d${i % 20}/f${i}`, kind: 'file', data: seededBytes(9000 + i, 1 + ((i * 131) % 9000)), mode: 0o644, mtime: 1_650_000_100 + i });
  return out;
}

const figures = new Map<CutFs, { cases: number; cuts: number; resumes: number; rollbacks: number; bytesVerified: number; bytesLost: number }>();
const fig = (fs: CutFs) =>
  figures.get(fs) ?? (figures.set(fs, { cases: 0, cuts: 0, resumes: 0, rollbacks: 0, bytesVerified: 0, bytesLost: 0 }), figures.get(fs)!);

function show(r: CliResult): string {
  return `status ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

function cli(sb: Sandbox, args: string[], env: Record<string, string> = {}, wrapper?: string[]): Promise<CliResult> {
  return runCliAsync([...args, '--state-dir', sb.stateDir], { cwd: sb.work, env: { RELOCATE_TEST_CRASH_AFTER: '', ...env }, ...(wrapper ? { wrapper } : {}) });
}

/** Runs the CLI and SIGKILLs it after `ms` (if it is still running). */
function cliKilledAfter(sb: Sandbox, args: string[], ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args, '--state-dir', sb.stateDir], {
      cwd: sb.work,
      env: { ...process.env, NO_COLOR: '1', RELOCATE_TEST_CRASH_AFTER: '' },
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve(status);
    });
  });
}

function journalLength(sb: Sandbox): number {
  const runs = path.join(sb.stateDir, 'runs');
  let n = 0;
  for (const id of readdirSync(runs)) {
    try {
      n += readFileSync(path.join(runs, id, 'journal.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '').length;
    } catch {
      // a run folder whose journal a cut took: no lines
    }
  }
  return n;
}

interface Before {
  disk: Record<string, string>;
  games: Record<string, string>;
  gamesContent: Record<string, string>;
  cache: Record<string, string>;
  cacheContent: Record<string, string>;
  outside: Record<string, string>;
}

/** Both volumes without the state folder (which a run adds and keeps). */
function volumes(sb: Sandbox): Record<string, string> {
  const snap = snapshotTree(sb.volA, sb.volB);
  for (const k of Object.keys(snap)) if (k === sb.stateDir || k.startsWith(sb.stateDir + path.sep)) delete snap[k];
  return snap;
}

function capture(sb: Sandbox): Before {
  return {
    disk: volumes(sb),
    games: relSnapshot(sb.games),
    gamesContent: contentOf(sb.games),
    cache: relSnapshot(sb.cache),
    cacheContent: contentOf(sb.cache),
    outside: snapshotTree(sb.outside),
  };
}

let originals: { hash: string; size: number }[] = [];

function bytesLost(sb: Sandbox): number {
  const present = hashesPresent(sb.volA, sb.volB);
  return originals.reduce((n, f) => n + (present.has(f.hash) ? 0 : f.size), 0);
}

const originalBytes = () => originals.reduce((n, f) => n + f.size, 0);

/**
 * The runs on disk, newest first, read from their run.json as `history`
 * does (none when the cut came before the run's record was on disk); read
 * directly rather than through the CLI, to keep each case to the commands
 * under test.
 */
async function runs(sb: Sandbox): Promise<{ id: string; status: string }[]> {
  const dir = path.join(sb.stateDir, 'runs');
  const out: { id: string; status: string; startedAt: string }[] = [];
  let ids: string[] = [];
  try {
    ids = readdirSync(dir);
  } catch {
    return [];
  }
  for (const id of ids) {
    try {
      const r = JSON.parse(readFileSync(path.join(dir, id, 'run.json'), 'utf8')) as { status: string; startedAt: string };
      out.push({ id, status: r.status, startedAt: r.startedAt });
    } catch {
      // no readable record: a run that never started
    }
  }
  return out.sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
}

async function expectEndState(c: CutCase, before: Before, what: string): Promise<void> {
  const { sb } = c;
  for (const [link, target] of [
    [sb.games, sb.gamesTarget],
    [sb.cache, sb.cacheTarget],
    [sb.fresh, sb.freshTarget],
  ] as const) {
    expect(lstatSync(link).isSymbolicLink(), `${what}: ${link} is a symlink`).toBe(true);
    expect(readlinkSync(link), `${what}: ${link} points to its target`).toBe(target);
  }
  expect(contentOf(sb.gamesTarget), `${what}: the moved tree's files`).toEqual(before.gamesContent);
  expect(contentOf(sb.cacheTarget), `${what}: the same-volume tree's files`).toEqual(before.cacheContent);
  expect(relSnapshot(sb.gamesTarget), `${what}: modes, times, links of the moved tree`).toEqual(before.games);
  expect(relSnapshot(sb.cacheTarget)).toEqual(before.cache);
  expect(sameInode(sb.gamesTarget, 'shared.bin', 'levels/world1/shared-hardlink.bin'), `${what}: the hard-linked pair is one file`).toBe(true);
  expect(readdirSync(sb.freshTarget)).toEqual([]);
  expect(snapshotTree(sb.outside)).toEqual(before.outside);
  expect(findLeftovers(sb.volA, sb.volB), `${what}: no staging or set-aside copy left`).toEqual([]);
  expect((await runs(sb))[0]?.status, `${what}: the run is recorded done`).toBe('done');
}

async function expectOriginal(c: CutCase, before: Before, what: string): Promise<void> {
  const { sb } = c;
  expect(findLeftovers(sb.volA, sb.volB), `${what}: no staging or set-aside copy left`).toEqual([]);
  expect(volumes(sb), `${what}: both volumes exactly as before`).toEqual(before.disk);
  expect(sameInode(sb.games, 'shared.bin', 'levels/world1/shared-hardlink.bin')).toBe(true);
}

/**
 * After a cut: every byte in some complete place, then the chosen recovery
 * on what the reboot found, then its end state. A run the cut left no
 * record of must have changed nothing.
 */
async function recover(c: CutCase, before: Before, how: 'resume' | 'rollback', what: string, secondCutAfter?: number): Promise<void> {
  const { sb } = c;
  const f = fig(c.vols[0]!.fs);
  const lostAtCut = bytesLost(sb);
  f.bytesLost += lostAtCut;
  expect(lostAtCut, `${what}: bytes with no copy left after the cut`).toBe(0);
  const recorded = await runs(sb);
  if (recorded.length === 0) {
    await expectOriginal(c, before, `${what} (no run on disk after the cut)`);
    f.bytesVerified += originalBytes();
    return;
  }
  if (secondCutAfter !== undefined && recorded[0]!.status !== 'done') {
    const r = await cli(sb, [how, '--yes'], { RELOCATE_TEST_CRASH_AFTER: String(secondCutAfter) });
    // A recovery that finished before its second cut is an ordinary case.
    if (r.status !== 0) {
      cutPower(c.vols);
      f.cuts++;
      const lost = bytesLost(sb);
      f.bytesLost += lost;
      expect(lost, `${what}, cut again after line ${secondCutAfter} of ${how}: bytes with no copy left`).toBe(0);
    }
  }
  const now = (await runs(sb))[0]!.status;
  if (how === 'resume') {
    if (now !== 'done') {
      const r = await cli(sb, ['resume', '--yes']);
      expect(r.status, `${what}: resume\n${show(r)}`).toBe(0);
    }
    f.resumes++;
    await expectEndState(c, before, what);
  } else {
    const r = await cli(sb, ['rollback', '--yes']);
    expect(r.status, `${what}: rollback\n${show(r)}`).toBe(0);
    f.rollbacks++;
    await expectOriginal(c, before, what);
    expect((await runs(sb))[0]?.status).toBe('rolled-back');
  }
  expect(bytesLost(sb), `${what}: bytes lost after ${how}`).toBe(0);
  f.bytesVerified += originalBytes();
}

/** A fresh case from the template; `fn` runs on it; always unmounted. */
async function withCase(tpl: Template, label: string, fn: (c: CutCase, before: Before) => Promise<void>): Promise<void> {
  const c = mountCase(tpl, label);
  try {
    writeManifest(c.sb, c.sb.manifest, ['games', 'cache', 'fresh']);
    await fn(c, capture(c.sb));
    fig(tpl.fs).cases++;
  } finally {
    c.sb.cleanup();
  }
}

function eachCase<T>(items: T[], label: (t: T) => string, fn: (t: T) => Promise<void>): Promise<string[]> {
  return eachCaseAt(items, PARALLEL, label, fn);
}

/** mulberry32, for the seeded random moments. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

afterAll(() => {
  for (const [fs, f] of figures) {
    console.log(
      `power cuts on ${fs}: ${f.cases} cases, ${f.cuts} cuts, ${f.resumes} resumes, ${f.rollbacks} rollbacks, ${f.bytesVerified} bytes verified, bytes lost: ${f.bytesLost}`,
    );
  }
});

for (const fs of FILESYSTEMS) {
  describe.skipIf(reasons.get(fs) !== undefined)(`power cuts on ${fs} (issue 16)`, () => {
    let tpl: Template | undefined;
    /** Journal lines of a clean apply, and its wall time. */
    let L = 0;
    let applyMs = 0;

    beforeAll(() => {
      requireBuiltCli();
      const extra = extraSpec(EXTRA_FILES);
      originals = [...specHashes([...gamesSpec(), ...extra]), ...specHashes(cacheSpec())];
      tpl = makeTemplate(fs, extra);
    });
    afterAll(() => tpl?.cleanup());

    it('a clean apply on the volumes: learns the journal length L', async () => {
      await withCase(tpl!, 'clean', async (c, before) => {
        const t0 = performance.now();
        const r = await cli(c.sb, ['apply', c.sb.manifest, '--yes']);
        applyMs = performance.now() - t0;
        expect(r.status, show(r)).toBe(0);
        L = journalLength(c.sb);
        expect(L).toBeGreaterThan(10);
        await expectEndState(c, before, 'clean apply');
      });
    }, 60_000);

    it('a power cut after every journal line of apply, then resume or rollback on what the reboot finds', async () => {
      expect(L, 'the clean run ran').toBeGreaterThan(0);
      const cases = range(1, L).flatMap((n) =>
        FULL
          ? [
              { n, how: 'resume' as const },
              { n, how: 'rollback' as const },
            ]
          : [{ n, how: n % 2 === 0 ? ('resume' as const) : ('rollback' as const) }],
      );
      const failures = await eachCase(
        cases,
        ({ n, how }) => `cut after line ${n}, ${how}`,
        ({ n, how }) =>
          withCase(tpl!, `${fs}-${n}-${how}`, async (c, before) => {
            const r = await cli(c.sb, ['apply', c.sb.manifest, '--yes'], { RELOCATE_TEST_CRASH_AFTER: String(n) });
            expect(r.status === null || r.status === 137, `apply should have been killed after line ${n}\n${show(r)}`).toBe(true);
            cutPower(c.vols);
            fig(fs).cuts++;
            await recover(c, before, how, `cut after line ${n}`);
          }),
      );
      expect(failures).toEqual([]);
    }, 600_000);

    it('power cuts at seeded random moments of apply', async () => {
      expect(applyMs).toBeGreaterThan(0);
      const next = rng(0x16 + fs.length);
      const cases = range(1, RANDOM_CUTS).map((k) => ({
        k,
        ms: Math.floor(next() * applyMs * 1.2),
        how: k % 2 === 0 ? ('resume' as const) : ('rollback' as const),
      }));
      const failures = await eachCase(
        cases,
        ({ ms, how }) => `cut at ${ms} ms, ${how}`,
        ({ k, ms, how }) =>
          withCase(tpl!, `${fs}-r${k}`, async (c, before) => {
            await cliKilledAfter(c.sb, ['apply', c.sb.manifest, '--yes'], ms);
            cutPower(c.vols);
            fig(fs).cuts++;
            await recover(c, before, how, `cut at ${ms} ms`);
          }),
      );
      expect(failures).toEqual([]);
    }, 600_000);

    // Only in `npm run powercut`: not defined at all in `npm test` (nothing skipped that could look green).
    if (FULL)
      it('power cuts in the middle of a delete or a copy (strace kills on the Nth unlink or copy_file_range), and a second cut during recovery', async () => {
        const injected = [...[3, 12, 30].map((k) => ({ sys: 'unlink,unlinkat,rmdir', k })), ...[1, 3, 6].map((k) => ({ sys: 'copy_file_range', k }))];
        const failures = await eachCase(
          injected,
          ({ sys, k }) => `killed on ${sys} #${k}`,
          ({ sys, k }) =>
            withCase(tpl!, `${fs}-i${sys.length}-${k}`, async (c, before) => {
              const wrapper = ['strace', '-f', '-qq', '-o', '/dev/null', '-e', `trace=${sys}`, '-e', `inject=${sys}:signal=KILL:when=${k}`];
              await cli(c.sb, ['apply', c.sb.manifest, '--yes'], {}, wrapper);
              cutPower(c.vols);
              fig(fs).cuts++;
              await recover(c, before, k % 2 === 0 ? 'rollback' : 'resume', `cut on ${sys} #${k}`);
            }),
        );
        const twice = range(1, L - 1)
          .filter((n) => n % 4 === 1)
          .map((n) => ({ n, m: 1 + (n % 5), how: n % 8 === 1 ? ('resume' as const) : ('rollback' as const) }));
        failures.push(
          ...(await eachCase(
            twice,
            ({ n, m, how }) => `cut after line ${n}, ${how} cut after its line ${m}`,
            ({ n, m, how }) =>
              withCase(tpl!, `${fs}-t${n}`, async (c, before) => {
                const r = await cli(c.sb, ['apply', c.sb.manifest, '--yes'], { RELOCATE_TEST_CRASH_AFTER: String(n) });
                expect(r.status === null || r.status === 137, show(r)).toBe(true);
                cutPower(c.vols);
                fig(fs).cuts++;
                await recover(c, before, how, `cut after line ${n}`, m);
              }),
          )),
        );
        expect(failures).toEqual([]);
      }, 1_800_000);
  });
}
