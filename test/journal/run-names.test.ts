/**
 * Two runs started in one second share their id's time, and its four
 * random hex digits one time in 65,536: the fault harness met it (a second
 * apply took the first run's journal for its own, reported "done" having
 * done nothing, and its record overwrote the first run's, which could then
 * no longer be rolled back). A run's name is now chosen among the free ones
 * (freshRunId), and a run folder that is there already is never taken over
 * (RunStore.create).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RelocateError } from '../../src/core/errors.js';
import { freshRunId, newRunId, RunStore } from '../../src/journal/runs.js';
import type { RunRecord } from '../../src/journal/types.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'relocate-run-names-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function record(id: string): RunRecord {
  return {
    id,
    status: 'running',
    startedAt: '2026-12-07T03:35:58.000Z',
    toolVersion: 'test',
    manifest: { path: '/m.yaml', hash: 'h' },
    verify: 'meta',
    plan: { entries: [] } as unknown as RunRecord['plan'],
    steps: [],
  };
}

describe('run names', () => {
  it('a name another run has is passed over for a free one', async () => {
    const state = path.join(root, 'a');
    const now = new Date('2026-12-07T03:35:58.123Z');
    mkdirSync(path.join(state, 'runs', '20261207T033558Z-539b'), { recursive: true });
    const tried: string[] = [];
    const names = ['20261207T033558Z-539b', '20261207T033558Z-539b', '20261207T033558Z-77aa'];
    const id = await freshRunId(nodeJournalDisk, state, now, () => {
      const next = names[tried.length]!;
      tried.push(next);
      return next;
    });
    expect(id).toBe('20261207T033558Z-77aa');
    expect(tried).toHaveLength(3);
    // The real names: the time to the second, and four hex digits.
    expect(await freshRunId(nodeJournalDisk, state, now)).toMatch(/^20261207T033558Z-[0-9a-f]{4}$/);
    expect(newRunId(now)).toMatch(/^20261207T033558Z-[0-9a-f]{4}$/);
  });

  it("a new run never takes over another run's folder: refused, and the other run's record and journal stay as they were", async () => {
    const state = path.join(root, 'b');
    const id = '20261207T033558Z-539b';
    const first = new RunStore(nodeJournalDisk, state, id);
    await first.create({ ...record(id), status: 'done' });
    writeFileSync(path.join(first.dir, 'journal.jsonl'), '{"t":"begin","n":0}\n');
    const before = [readFileSync(path.join(first.dir, 'run.json'), 'utf8'), readFileSync(path.join(first.dir, 'journal.jsonl'), 'utf8')];
    const err = await new RunStore(nodeJournalDisk, state, id).create(record(id)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RelocateError);
    expect((err as RelocateError).code).toBe('E_STATE_WRITE');
    expect((err as RelocateError).message).toContain(`a run named ${id} is there already`);
    expect([readFileSync(path.join(first.dir, 'run.json'), 'utf8'), readFileSync(path.join(first.dir, 'journal.jsonl'), 'utf8')]).toEqual(before);
  });
});
