/**
 * The journal reaches the disk only through the JournalDisk it is given
 * (src/journal/disk-port.ts; issue 17 §3). Run records, journal lines, the
 * state lock and the path locks are driven here against a disk held in
 * memory: each test works under a real, empty temporary folder and checks
 * it is still empty afterwards, so any read or write that went around the
 * port would either find nothing (and fail the test's expectations) or
 * leave something behind.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/journal/lock.js';
import { acquirePathLocks, lockedByOthers, releaseIfSettled } from '../../src/journal/path-lock.js';
import { holderState, type PathLockInfo } from '../../src/journal/path-lock-holder.js';
import { findUnfinished, freshRunId, listRuns, RunStore } from '../../src/journal/runs.js';
import type { JournalLine, RunRecord, RunStatus } from '../../src/journal/types.js';
import { makePlan } from '../../src/plan/planner.js';
import { context } from '../helpers/plan-fixtures.js';
import { MemoryJournalDisk } from './memory-disk.js';
import { errorOf } from '../helpers/relocate-error.js';

let root: string;
let disk: MemoryJournalDisk;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-disk-port-'));
  disk = new MemoryJournalDisk();
});
afterEach(() => {
  // Nothing went around the port: the real folder the paths point into is as empty as it was made.
  expect(readdirSync(root)).toEqual([]);
  rmSync(root, { recursive: true, force: true });
});

/** A pid no process has (the memory disk counts only its `alive` set as running). */
const DEAD = 999_999;

function record(id: string, status: RunStatus = 'running'): RunRecord {
  return {
    id,
    status,
    startedAt: '2026-12-07T12:00:00.000Z',
    toolVersion: 'test',
    manifest: { path: '/m.yaml', hash: 'h' },
    verify: 'meta',
    plan: makePlan([], [], context('linux')),
    steps: [],
  };
}

const line = (t: 'begin' | 'done', n: number): JournalLine => ({ t, n, at: '2026-12-07T12:00:00.000Z' });

describe('run records and the journal through the port', () => {
  it('create, append, save, load, readJournal, listRuns and findUnfinished use only the disk given', async () => {
    const state = path.join(root, 'state');
    const id = await freshRunId(disk, state, new Date('2026-12-07T12:00:00Z'));
    const store = new RunStore(disk, state, id);
    await store.create(record(id));
    store.append(line('begin', 0));
    store.appendAll([line('done', 0), line('begin', 1)]);
    store.close();
    expect((await store.load()).status).toBe('running');
    expect((await store.readJournal()).map((l) => `${l.t} ${l.n}`)).toEqual(['begin 0', 'done 0', 'begin 1']);
    expect((await listRuns(disk, state)).map((r) => r.id)).toEqual([id]);
    expect((await findUnfinished(disk, state))?.id).toBe(id);
    await store.save(record(id, 'done'));
    expect(await findUnfinished(disk, state)).toBeUndefined();
    // The memory disk holds what a real state folder would.
    expect([...disk.files.keys()].map((f) => path.relative(state, f)).sort()).toEqual(
      [`runs/${id}/journal.jsonl`, `runs/${id}/run.json`, `runs/${id}/status.json`].map((f) => f.split('/').join(path.sep)),
    );
  });

  it('a line appended with sync survives a power cut; one without is lost unless flushed', async () => {
    const state = path.join(root, 'state');
    const store = new RunStore(disk, state, '20261207T120000Z-aaaa');
    await store.create(record(store.id));
    store.append(line('begin', 0));
    store.append(line('done', 0), false);
    disk.powerCut();
    expect((await store.readJournal()).map((l) => l.t)).toEqual(['begin']);
    store.append(line('done', 0), false);
    store.flush();
    disk.powerCut();
    expect((await store.readJournal()).map((l) => l.t)).toEqual(['begin', 'done']);
    // Each begin was synced as it was appended: the step it announces starts only after.
    const journal = path.join(store.dir, 'journal.jsonl');
    expect(disk.calls.filter((c) => c.startsWith(`append ${journal}`))).toEqual([
      `append ${journal} sync=true`,
      `append ${journal} sync=false`,
      `append ${journal} sync=false`,
    ]);
  });

  it('a run folder that is there already is never taken for a new run', async () => {
    const state = path.join(root, 'state');
    const first = new RunStore(disk, state, '20261207T120000Z-bbbb');
    await first.create(record(first.id));
    const err = await errorOf(new RunStore(disk, state, first.id).create(record(first.id)));
    expect(err.code).toBe('E_STATE_WRITE');
    expect(err.message).toContain('is there already');
  });
});

describe('the state lock through the port', () => {
  it('is taken and released; a live holder refuses; a dead holder is taken over and reported', async () => {
    const state = path.join(root, 'state');
    const file = path.join(state, 'lock');
    const lock = await acquireLock(disk, state, 'apply');
    expect(lock.tookOverFrom).toBeUndefined();
    expect(JSON.parse(disk.files.get(file) ?? '{}')).toMatchObject({ pid: process.pid, command: 'apply' });
    // This process holds it, and is alive: a second taker is refused.
    expect((await errorOf(acquireLock(disk, state, 'rollback'))).code).toBe('E_LOCKED');
    await lock.release();
    expect(disk.files.has(file)).toBe(false);

    // A holder that died (kill -9) left its lock: taken over, and who it was is reported.
    disk.files.set(file, JSON.stringify({ pid: DEAD, host: os.hostname(), startedAt: '2026-12-07T11:00:00.000Z', command: 'apply' }));
    const taken = await acquireLock(disk, state, 'resume');
    expect(taken.tookOverFrom).toMatchObject({ pid: DEAD, command: 'apply' });
    expect(JSON.parse(disk.files.get(file) ?? '{}')).toMatchObject({ pid: process.pid, command: 'resume' });
    await taken.release();
  });

  it('a holder on another host is never taken over', async () => {
    const state = path.join(root, 'state');
    await disk.ensureDir(state);
    disk.files.set(path.join(state, 'lock'), JSON.stringify({ pid: DEAD, host: 'elsewhere', startedAt: '2026-12-07T11:00:00.000Z', command: 'apply' }));
    expect((await errorOf(acquireLock(disk, state, 'apply'))).message).toContain('host elsewhere');
  });
});

describe('path locks through the port', () => {
  const place = () => ({ dir: path.join(root, 'locks'), shared: false });

  it('a second state folder is refused a path the first holds, then gets it once the first is released', async () => {
    const [a, b] = [path.join(root, 'sA'), path.join(root, 'sB')];
    const mine = await acquirePathLocks({
      disk,
      place: place(),
      stateDir: a,
      runId: 'runA',
      command: 'apply',
      paths: [path.join(root, 'data')],
      retryPauseMs: 1,
    });
    const err = await errorOf(
      acquirePathLocks({ disk, place: place(), stateDir: b, runId: 'runB', command: 'apply', paths: [path.join(root, 'data', 'inner')], retryPauseMs: 1 }),
    );
    expect(err.code).toBe('E_PATH_LOCKED');
    expect(await lockedByOthers(disk, place(), [path.join(root, 'data')], b)).toEqual([expect.objectContaining({ holder: expect.stringContaining('runA') })]);
    // While its state folder cannot be seen, whether run A finished cannot be told: its locks stay.
    expect(await releaseIfSettled(disk, mine, a, 'runA')).toBe(false);
    // Run A never began (its state folder has no record of it): its locks go.
    await disk.ensureDir(a);
    expect(await releaseIfSettled(disk, mine, a, 'runA')).toBe(true);
    const theirs = await acquirePathLocks({
      disk,
      place: place(),
      stateDir: b,
      runId: 'runB',
      command: 'apply',
      paths: [path.join(root, 'data', 'inner')],
      retryPauseMs: 1,
    });
    await theirs.release();
    expect(await disk.readLockFiles(place().dir)).toEqual([]);
  });

  it('a dead holder whose run finished is stale and cleared; an unfinished one holds', async () => {
    const other = path.join(root, 'sOther');
    const data = path.join(root, 'data');
    const holder = async (runId: string): Promise<PathLockInfo> => {
      const [key, stateKey] = await disk.canonicalLockPaths([data, other]);
      return {
        version: 1,
        pid: DEAD,
        host: os.hostname(),
        user: 'someone',
        uid: 1001,
        stateDir: other,
        stateDirKey: stateKey ?? '',
        runId,
        command: 'apply',
        startedAt: '2026-12-07T11:00:00.000Z',
        shown: [data],
        paths: [key ?? ''],
      };
    };
    const done = new RunStore(disk, other, 'finished');
    await done.create(record('finished', 'done'));
    const running = new RunStore(disk, other, 'crashed');
    await running.create(record('crashed', 'running'));
    await disk.ensureDir(place().dir);
    await disk.writeLockFile(place().dir, 'finished.lock.json', JSON.stringify(await holder('finished')));
    expect(await holderState(disk, await holder('finished'))).toEqual({ held: false, why: 'finished' });
    expect(await holderState(disk, await holder('crashed'))).toMatchObject({ held: true, why: 'unfinished' });

    const mine = await acquirePathLocks({
      disk,
      place: place(),
      stateDir: path.join(root, 'sMine'),
      runId: 'r',
      command: 'apply',
      paths: [data],
      retryPauseMs: 1,
    });
    expect(mine.cleared.map((c) => c.runId)).toEqual(['finished']);
    await mine.release();

    await disk.writeLockFile(place().dir, 'crashed.lock.json', JSON.stringify(await holder('crashed')));
    const err = await errorOf(
      acquirePathLocks({ disk, place: place(), stateDir: path.join(root, 'sMine'), runId: 'r2', command: 'apply', paths: [data], retryPauseMs: 1 }),
    );
    expect(err.message).toContain('unfinished (running)');
    expect(err.hint).toContain('(as user someone)');
  });
});
