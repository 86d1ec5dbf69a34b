import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RelocateError } from '../../src/core/errors.js';
import type { LockRegistryPlace } from '../../src/journal/disk-port.js';
import { acquirePathLocks, lockedByOthers, releaseIfSettled } from '../../src/journal/path-lock.js';
import { holderState, type PathLockInfo } from '../../src/journal/path-lock-holder.js';
import { firstOverlap } from '../../src/journal/path-overlap.js';
import { canonicalLockPath, ensureRegistry, foldPath, lockRegistryPlace } from '../../src/platform/path-locks.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

/**
 * The path-lock registry and its policy (src/journal/path-lock.ts) on plain
 * temporary folders: who holds, when a lock is stale, folders above and
 * below, two runs taking locks at once, and where the registry lives.
 */

let root: string;
let place: LockRegistryPlace;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-pathlock-'));
  place = { dir: path.join(root, 'locks'), shared: false };
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A pid that is certainly not running: a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** A state folder with run `id` recorded as `status` (or no run folder with `undefined`). */
function stateWithRun(name: string, id: string, status: string | undefined): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'runs'), { recursive: true });
  if (status !== undefined) {
    mkdirSync(path.join(dir, 'runs', id));
    writeFileSync(path.join(dir, 'runs', id, 'run.json'), JSON.stringify({ id, status }));
    writeFileSync(path.join(dir, 'runs', id, 'status.json'), JSON.stringify({ status }));
  }
  return dir;
}

function lockFiles(): string[] {
  return readdirSync(place.dir).filter((n) => n.endsWith('.lock.json'));
}

function take(stateDir: string, runId: string, paths: string[], command = 'apply') {
  return acquirePathLocks({ disk: nodeJournalDisk, place, stateDir, runId, command, paths, retryPauseMs: 5 });
}

async function refusal(p: Promise<unknown>): Promise<RelocateError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a refusal').toBeInstanceOf(RelocateError);
  return err as RelocateError;
}

/** Rewrites a held lock file as if its process had died (pid of an exited process). */
function killHolder(): void {
  for (const n of lockFiles()) {
    const f = path.join(place.dir, n);
    const info = JSON.parse(readFileSync(f, 'utf8')) as PathLockInfo;
    writeFileSync(f, JSON.stringify({ ...info, pid: deadPid() }));
  }
}

describe('path locks between state folders', { timeout: 60_000 }, () => {
  it('a second run over the same path is refused with E_PATH_LOCKED naming the holder; after release it goes', async () => {
    const data = path.join(root, 'data', 'Games');
    const sA = stateWithRun('sA', 'runA', 'running');
    const sB = stateWithRun('sB', 'runB', undefined);
    const a = await take(sA, 'runA', [data, path.join(root, 'd', 'Games')]);
    expect(lockFiles()).toHaveLength(1);
    const err = await refusal(take(sB, 'runB', [data]));
    expect(err.code).toBe('E_PATH_LOCKED');
    expect(err.message).toContain(`pid ${process.pid}`);
    expect(err.message).toContain('runA');
    expect(err.message).toContain(sA);
    expect(err.message).toContain('`apply`');
    expect(err.message).toContain(os.userInfo().username);
    expect(err.hint).toContain(`wait for pid ${process.pid}`);
    expect(err.path).toBe(data);
    expect(lockFiles(), 'the refused run left no file').toHaveLength(1);
    await a.release();
    const b = await take(sB, 'runB', [data]);
    await b.release();
    expect(lockFiles()).toEqual([]);
  });

  it('a crashed, unfinished run keeps its locks although its pid is dead; the hint says resume or rollback', async () => {
    const sA = stateWithRun('sA', 'runA', 'running');
    const sB = stateWithRun('sB', 'runB', undefined);
    await take(sA, 'runA', [path.join(root, 'x')]);
    killHolder();
    const err = await refusal(take(sB, 'runB', [path.join(root, 'x')]));
    expect(err.message).toContain('unfinished (running)');
    expect(err.hint).toContain(`relocate resume --state-dir ${sA}`);
    expect(err.hint).toContain(`relocate rollback --state-dir ${sA}`);
  });

  it('stale only when the pid is dead AND the run is finished or was never recorded; an unreadable or missing state folder holds', async () => {
    const base = (stateDir: string, runId: string, pid: number): PathLockInfo => ({
      version: 1,
      pid,
      host: os.hostname(),
      user: 'u',
      uid: 0,
      stateDir,
      stateDirKey: stateDir,
      runId,
      command: 'apply',
      startedAt: 'now',
      shown: ['/x'],
      paths: ['/x'],
    });
    const dead = deadPid();
    expect(await holderState(nodeJournalDisk, base(stateWithRun('s1', 'r', 'done'), 'r', dead))).toEqual({ held: false, why: 'finished' });
    expect(await holderState(nodeJournalDisk, base(stateWithRun('s2', 'r', 'rolled-back'), 'r', dead))).toEqual({ held: false, why: 'finished' });
    expect(await holderState(nodeJournalDisk, base(stateWithRun('s3', 'r', undefined), 'r', dead))).toEqual({ held: false, why: 'never-began' });
    expect(await holderState(nodeJournalDisk, base(stateWithRun('s4', 'r', 'running'), 'r', dead))).toMatchObject({ held: true, why: 'unfinished' });
    expect(await holderState(nodeJournalDisk, base(stateWithRun('s5', 'r', 'failed'), 'r', dead))).toMatchObject({ held: true, why: 'unfinished' });
    expect(await holderState(nodeJournalDisk, base(stateWithRun('s6', 'r', 'rolling-back'), 'r', dead))).toMatchObject({ held: true, why: 'unfinished' });
    // A live pid holds even a finished run's lock: a rollback of it is about to begin.
    expect(await holderState(nodeJournalDisk, base(stateWithRun('s7', 'r', 'done'), 'r', process.pid))).toMatchObject({ held: true, why: 'alive' });
    expect(await holderState(nodeJournalDisk, base(path.join(root, 'nowhere'), 'r', dead))).toMatchObject({ held: true, why: 'state-missing' });
    const torn = stateWithRun('s8', 'r', 'running');
    writeFileSync(path.join(torn, 'runs', 'r', 'run.json'), '{"id":"r","sta');
    writeFileSync(path.join(torn, 'runs', 'r', 'status.json'), '{"sta');
    expect(await holderState(nodeJournalDisk, base(torn, 'r', dead))).toMatchObject({ held: true, why: 'state-unreadable' });
    expect(await holderState(nodeJournalDisk, { ...base(stateWithRun('s9', 'r', 'done'), 'r', dead), host: 'elsewhere' })).toMatchObject({
      held: true,
      why: 'other-host',
    });
    // A status that is no run's (damaged, foreign) is unreadable, never taken for finished; a torn sidecar leaves it to run.json.
    expect(await holderState(nodeJournalDisk, base(stateWithRun('s10', 'r', 'half-done'), 'r', dead))).toMatchObject({ held: true, why: 'state-unreadable' });
    const sidecarTorn = stateWithRun('s11', 'r', 'done');
    writeFileSync(path.join(sidecarTorn, 'runs', 'r', 'status.json'), '{"sta');
    expect(await holderState(nodeJournalDisk, base(sidecarTorn, 'r', dead))).toEqual({ held: false, why: 'finished' });
  });

  it('a stale lock (dead pid, finished run) is removed by the next run, which goes ahead', async () => {
    const sA = stateWithRun('sA', 'runA', 'done');
    const sB = stateWithRun('sB', 'runB', undefined);
    await take(sA, 'runA', [path.join(root, 'x')]);
    killHolder();
    const b = await take(sB, 'runB', [path.join(root, 'x')]);
    expect(b.cleared.map((c) => c.runId)).toEqual(['runA']);
    expect(lockFiles()).toHaveLength(1);
    await b.release();
  });

  it('a stale file of our own state folder is tidied even when it names none of our paths; another folder’s is left alone', async () => {
    const sA = stateWithRun('sA', 'old', undefined);
    const sB = stateWithRun('sB', 'runB', undefined);
    await take(sA, 'old', [path.join(root, 'x')]);
    await take(sB, 'runB', [path.join(root, 'y')]);
    killHolder();
    const next = await take(sA, 'new', [path.join(root, 'z')]);
    expect(next.cleared.map((c) => c.runId)).toEqual(['old']);
    expect(lockFiles()).toHaveLength(2);
    await next.release();
  });

  it('a folder above or below a locked path is locked; a sibling with a longer name is not', async () => {
    const sA = stateWithRun('sA', 'runA', 'running');
    const sB = stateWithRun('sB', 'runB', undefined);
    const games = path.join(root, 'c', 'Games');
    const a = await take(sA, 'runA', [games]);
    expect((await refusal(take(sB, 'runB', [path.join(games, 'saves')]))).message).toContain(`it holds ${games}`);
    expect((await refusal(take(sB, 'runB', [path.join(root, 'c')]))).code).toBe('E_PATH_LOCKED');
    const sibling = await take(sB, 'runB', [path.join(root, 'c', 'Games2')]);
    await sibling.release();
    await a.release();
  });

  it('paths meet through a symlinked parent folder and across case; the last name is never resolved', async () => {
    const real = path.join(root, 'real');
    mkdirSync(path.join(real, 'Games'), { recursive: true });
    symlinkSync(real, path.join(root, 'alias'));
    expect(await canonicalLockPath(path.join(root, 'alias', 'Games', 'x'))).toBe(foldPath(path.join(real, 'Games', 'x')));
    // A link path that is itself a symlink stays itself: its lock is not its target's.
    symlinkSync(path.join(real, 'Games'), path.join(root, 'link'));
    expect(await canonicalLockPath(path.join(root, 'link'))).toBe(foldPath(path.join(root, 'link')));
    expect(await canonicalLockPath(path.join(root, 'no', 'such', 'Dir'))).toBe(foldPath(path.join(root, 'no', 'such', 'dir')));
    const sA = stateWithRun('sA', 'runA', 'running');
    const sB = stateWithRun('sB', 'runB', undefined);
    const a = await take(sA, 'runA', [path.join(root, 'alias', 'GAMES')]);
    expect((await refusal(take(sB, 'runB', [path.join(real, 'Games')]))).code).toBe('E_PATH_LOCKED');
    await a.release();
  });

  it('a resume of the same run takes over its crashed process’s lock file, and keeps it until the run is finished', async () => {
    const sA = stateWithRun('sA', 'runA', 'running');
    await take(sA, 'runA', [path.join(root, 'x')]);
    killHolder();
    const first = lockFiles();
    const again = await take(sA, 'runA', [path.join(root, 'x')], 'resume');
    expect(lockFiles()).toHaveLength(1);
    expect(lockFiles()).not.toEqual(first);
    expect(again.info.command).toBe('resume');
    // Still unfinished: releaseIfSettled keeps the lock; once the run is recorded finished it goes.
    expect(await releaseIfSettled(nodeJournalDisk, again, sA, 'runA')).toBe(false);
    expect(lockFiles()).toHaveLength(1);
    writeFileSync(path.join(sA, 'runs', 'runA', 'status.json'), JSON.stringify({ status: 'done' }));
    expect(await releaseIfSettled(nodeJournalDisk, again, sA, 'runA')).toBe(true);
    expect(lockFiles()).toEqual([]);
  });

  it("the same run and state folder on another host (a shared lock folder) is that host's lock, not ours to take over", async () => {
    const sA = stateWithRun('sA', 'runA', 'running');
    await take(sA, 'runA', [path.join(root, 'x')]);
    const [theirs] = lockFiles();
    const f = path.join(place.dir, theirs!);
    writeFileSync(f, JSON.stringify({ ...(JSON.parse(readFileSync(f, 'utf8')) as PathLockInfo), host: 'elsewhere' }));
    const err = await refusal(take(sA, 'runA', [path.join(root, 'x')], 'resume'));
    expect(err.code).toBe('E_PATH_LOCKED');
    expect(err.message).toContain('elsewhere');
    expect(lockFiles()).toEqual([theirs]);
  });

  it('narrow keeps only the paths still needed, never leaving them unlocked', async () => {
    const sA = stateWithRun('sA', 'runA', 'running');
    const sB = stateWithRun('sB', 'runB', undefined);
    const a = await take(sA, 'runA', [path.join(root, 'keep'), path.join(root, 'drop')]);
    await a.narrow([path.join(root, 'keep')]);
    expect(lockFiles()).toHaveLength(1);
    const b = await take(sB, 'runB', [path.join(root, 'drop')]);
    await b.release();
    expect((await refusal(take(sB, 'runB', [path.join(root, 'keep')]))).code).toBe('E_PATH_LOCKED');
    await a.release();
  });

  it('a lock file that cannot be read holds every path', async () => {
    mkdirSync(place.dir, { recursive: true });
    writeFileSync(path.join(place.dir, 'garbage.lock.json'), '{"version":1,"pid":');
    const sB = stateWithRun('sB', 'runB', undefined);
    const err = await refusal(take(sB, 'runB', [path.join(root, 'anything')]));
    expect(err.code).toBe('E_PATH_LOCKED');
    // What is wrong is the file itself: named, with what to do; no '?' holder, no resume in a state folder '?'.
    expect(err.message).toBe(
      `${path.join(root, 'anything')} may be in use by another relocate run: the lock file garbage.lock.json cannot be read, so relocate cannot tell which paths it holds; nothing was changed`,
    );
    expect(err.hint).toBe(
      `look at the lock file ${path.join(place.dir, 'garbage.lock.json')}: if no relocate is running (on any machine sharing that folder), remove it and try again`,
    );
    expect(`${err.message} ${err.hint}`).not.toContain('?');
  });

  it('runs taking locks on one path at the same moment: at most one holds it', async () => {
    const dirs = Array.from({ length: 8 }, (_, i) => stateWithRun(`s${i}`, `run${i}`, 'running'));
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled(
        dirs.map((d, i) =>
          acquirePathLocks({ disk: nodeJournalDisk, place, stateDir: d, runId: `run${i}`, command: 'apply', paths: [path.join(root, 'contested')] }),
        ),
      );
      const winners = results.filter((r) => r.status === 'fulfilled');
      expect(winners.length, `round ${round}`).toBeLessThanOrEqual(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as RelocateError).code).toBe('E_PATH_LOCKED');
      for (const w of winners) await (w as PromiseFulfilledResult<Awaited<ReturnType<typeof take>>>).value.release();
      expect(lockFiles()).toEqual([]);
    }
  });

  it('lockedByOthers (plan’s warning) names held locks of other state folders only, and removes nothing', async () => {
    const sA = stateWithRun('sA', 'runA', 'running');
    const sB = stateWithRun('sB', 'runB', undefined);
    const a = await take(sA, 'runA', [path.join(root, 'x')]);
    expect(await lockedByOthers(nodeJournalDisk, place, [path.join(root, 'x', 'y')], sB)).toEqual([
      { path: path.join(root, 'x', 'y'), holder: expect.stringContaining('runA'), hint: expect.stringContaining('wait for pid') },
    ]);
    expect(await lockedByOthers(nodeJournalDisk, place, [path.join(root, 'x')], sA)).toEqual([]);
    expect(await lockedByOthers(nodeJournalDisk, place, [path.join(root, 'z')], sB)).toEqual([]);
    await a.release();
  });

  it('overlap is by whole names', () => {
    expect(firstOverlap(['/a/b'], ['/a/b'])).toEqual(['/a/b', '/a/b']);
    expect(firstOverlap(['/a/b/c'], ['/a'])).toEqual(['/a/b/c', '/a']);
    expect(firstOverlap(['/p', '/q/r'], ['/z', '/q'])).toEqual(['/q/r', '/q']);
    expect(firstOverlap(['/z'], ['/z/y/x'])).toEqual(['/z', '/z/y/x']);
    expect(firstOverlap(['/a/b'], ['/a/bc', '/a/b.relocate-old-x'])).toBeUndefined();
    expect(firstOverlap(['c:/games/x'], ['c:/'])).toEqual(['c:/games/x', 'c:/']);
    expect(firstOverlap(['c:/games'], ['d:/games'])).toBeUndefined();
    expect(firstOverlap(['/'], ['/anything'])).toEqual(['/', '/anything']);
  });
});

describe('where the registry lives', { timeout: 60_000 }, () => {
  it('RELOCATE_LOCK_DIR overrides; else /var/tmp/relocate-locks (shared, kept across reboots) on Linux and macOS, %ProgramData%\\relocate\\locks on Windows', () => {
    expect(lockRegistryPlace({ RELOCATE_LOCK_DIR: 'rel/locks' }, 'linux', '/work')).toEqual({ dir: '/work/rel/locks', shared: false });
    expect(lockRegistryPlace({}, 'linux', '/work')).toEqual({ dir: '/var/tmp/relocate-locks', shared: true });
    expect(lockRegistryPlace({}, 'darwin', '/work')).toEqual({ dir: '/var/tmp/relocate-locks', shared: true });
    expect(lockRegistryPlace({ ProgramData: 'D:\\PD' }, 'win32', '/work')).toEqual({ dir: 'D:\\PD\\relocate\\locks', shared: false });
    expect(lockRegistryPlace({}, 'win32', '/work')).toEqual({ dir: 'C:\\ProgramData\\relocate\\locks', shared: false });
  });

  it('a shared registry is made sticky and world-writable (1777) whatever the umask; a symlink planted there is refused', async () => {
    const shared: LockRegistryPlace = { dir: path.join(root, 'shared', 'relocate-locks'), shared: true };
    const old = process.umask(0o077);
    try {
      await ensureRegistry(shared);
    } finally {
      process.umask(old);
    }
    expect(lstatSync(shared.dir).mode & 0o7777).toBe(0o1777);
    const planted: LockRegistryPlace = { dir: path.join(root, 'planted'), shared: true };
    mkdirSync(path.join(root, 'elsewhere'));
    symlinkSync(path.join(root, 'elsewhere'), planted.dir);
    await expect(ensureRegistry(planted)).rejects.toThrow(/not a folder/);
    const err = await refusal(acquirePathLocks({ disk: nodeJournalDisk, place: planted, stateDir: root, runId: 'r', command: 'apply', paths: ['/x'] }));
    expect(err.code).toBe('E_PATH_LOCK_DIR');
    expect(readdirSync(path.join(root, 'elsewhere')), 'nothing written through the planted link').toEqual([]);
  });
});
