/**
 * status.json beside each run's run.json lets every command find an
 * unfinished run without parsing every run's whole record. These tests pin
 * the rule that keeps it safe: a sidecar saying "finished" is trusted only
 * because RunStore.save writes it after run.json; anything else — an
 * unfinished status, a torn or missing sidecar — is decided by run.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findUnfinished, listRuns, RunStore } from '../../src/journal/runs.js';
import type { RunRecord, RunStatus } from '../../src/journal/types.js';
import { makePlan } from '../../src/plan/planner.js';
import { context } from '../helpers/plan-fixtures.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'relocate-run-status-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function record(id: string, status: RunStatus, startedAt = '2026-11-22T06:00:00.000Z'): RunRecord {
  return {
    id,
    status,
    startedAt,
    toolVersion: 'test',
    manifest: { path: '/m.yaml', hash: 'h' },
    verify: 'meta',
    // An empty plan, whole: records are decoded when read (src/journal/record-decode.ts).
    plan: makePlan([], [], context('linux')),
    steps: [],
  };
}

function stateDir(): string {
  const d = path.join(root, `s${n++}`);
  mkdirSync(d);
  return d;
}

/** Writes a run folder by hand: run.json with `full`, status.json with `side` (a string as is, or omitted). */
function handMade(dir: string, id: string, full: RunStatus, side?: string): void {
  const runDir = path.join(dir, 'runs', id);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(path.join(runDir, 'run.json'), JSON.stringify(record(id, full)));
  if (side !== undefined) writeFileSync(path.join(runDir, 'status.json'), side);
}

describe('status.json beside run.json', () => {
  it("save writes both, and they agree, through a run's life", async () => {
    const dir = stateDir();
    const store = new RunStore(nodeJournalDisk, dir, '20261122T060000Z-aaaa');
    await store.create(record(store.id, 'running'));
    const side = () => JSON.parse(readFileSync(path.join(store.dir, 'status.json'), 'utf8')).status;
    expect(side()).toBe('running');
    expect((await findUnfinished(nodeJournalDisk, dir))?.id).toBe(store.id);
    await store.save(record(store.id, 'done'));
    expect(side()).toBe('done');
    expect(await findUnfinished(nodeJournalDisk, dir)).toBeUndefined();
    await store.save(record(store.id, 'rolling-back'));
    expect(side()).toBe('rolling-back');
    expect((await findUnfinished(nodeJournalDisk, dir))?.status).toBe('rolling-back');
    await store.save(record(store.id, 'rolled-back'));
    expect(await findUnfinished(nodeJournalDisk, dir)).toBeUndefined();
    expect((await listRuns(nodeJournalDisk, dir)).map((r) => r.status)).toEqual(['rolled-back']);
  });

  it('a finished run is skipped on its sidecar alone: run.json is not read', async () => {
    const dir = stateDir();
    // Only the sidecar is read: were run.json consulted, this run would count as unfinished.
    handMade(dir, '20261122T060000Z-bbbb', 'running', JSON.stringify({ status: 'done' }));
    expect(await findUnfinished(nodeJournalDisk, dir)).toBeUndefined();
  });

  it('a crash between the two writes of a rollback start (sidecar unfinished, record finished) is decided by run.json', async () => {
    const dir = stateDir();
    handMade(dir, '20261122T060000Z-cccc', 'done', JSON.stringify({ status: 'rolling-back' }));
    expect(await findUnfinished(nodeJournalDisk, dir)).toBeUndefined();
  });

  it('a state folder from before the sidecar (none), or a torn or unknown one, is decided by run.json', async () => {
    for (const side of [undefined, '{"stat', JSON.stringify({ status: 'finished-ish' }), JSON.stringify({})]) {
      const dir = stateDir();
      handMade(dir, '20261122T060000Z-dddd', 'running', side);
      handMade(dir, '20261122T050000Z-eeee', 'done', side);
      expect((await findUnfinished(nodeJournalDisk, dir))?.id, `sidecar ${side}`).toBe('20261122T060000Z-dddd');
    }
  });

  it('among many finished runs the one unfinished run is found', async () => {
    const dir = stateDir();
    for (let i = 0; i < 50; i++) {
      const store = new RunStore(nodeJournalDisk, dir, `20261122T05${String(i).padStart(2, '0')}00Z-f${String(i).padStart(3, '0')}`);
      await store.create(record(store.id, 'running', `2026-11-22T05:${String(i).padStart(2, '0')}:00.000Z`));
      await store.save(record(store.id, i === 17 ? 'failed' : 'done', `2026-11-22T05:${String(i).padStart(2, '0')}:00.000Z`));
    }
    expect((await findUnfinished(nodeJournalDisk, dir))?.id).toBe('20261122T051700Z-f017');
    expect((await listRuns(nodeJournalDisk, dir)).length).toBe(50);
  });
});
