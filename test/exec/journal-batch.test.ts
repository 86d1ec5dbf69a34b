/**
 * How runForward journals (src/exec/executor.ts): steps that cannot lose
 * data (mkdirs, link, check-link) run as a batch whose begin lines are all
 * in the journal before the first of them touches the disk; their done
 * lines follow only after the batch's folder syncs; a step that can lose
 * data (a rename here) still has its own begin line written before it runs.
 * Durability itself (the fsyncs) is not observable here; the order is.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runForward } from '../../src/exec/executor.js';
import type { RunStep, Step } from '../../src/exec/steps.js';
import { RunStore } from '../../src/journal/runs.js';
import type { BeginLine, JournalLine, RunRecord } from '../../src/journal/types.js';
import type { ResolvedLinkType } from '../../src/plan/types.js';
import { NodeFs } from '../../src/platform/node-fs.js';
import { nodeJournalDisk } from '../../src/platform/journal-fs.js';

const ON_WINDOWS = process.platform === 'win32';
let root = '';
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-journal-batch-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** NodeFs that notes, at each write, what the journal held then. */
class WatchingFs extends NodeFs {
  notes: { what: string; begun: number[]; done: number[] }[] = [];
  constructor(private readonly journal: () => JournalLine[]) {
    super();
  }
  private note(what: string) {
    const lines = this.journal();
    this.notes.push({ what, begun: lines.filter((l) => l.t === 'begin').map((l) => l.n), done: lines.filter((l) => l.t === 'done').map((l) => l.n) });
  }
  override async createLink(p: string, target: string, kind: ResolvedLinkType): Promise<void> {
    this.note(`link ${path.basename(p)}`);
    return super.createLink(p, target, kind);
  }
  override async renameNoReplace(from: string, to: string): Promise<void> {
    this.note(`rename ${path.basename(from)}`);
    return super.renameNoReplace(from, to);
  }
  override async syncBatch<T>(fn: () => Promise<T>): Promise<T> {
    const r = await super.syncBatch(fn);
    this.note('batch synced');
    return r;
  }
}

describe.skipIf(ON_WINDOWS)('runForward journals links as a batch', () => {
  it('begin lines of the whole batch first, done lines after its syncs, a rename journaled alone before it runs', async () => {
    const data = path.join(root, 'data');
    for (const n of ['a', 'b', 'c']) mkdirSync(path.join(data, 'store', n), { recursive: true });
    mkdirSync(path.join(data, 'old'), { recursive: true });
    const steps: Step[] = [];
    for (const n of ['a', 'b', 'c']) {
      const link = path.join(data, 'home', n);
      const target = path.join(data, 'store', n);
      steps.push(
        { op: 'mkdirs', path: path.dirname(link) },
        { op: 'link', path: link, target, kind: 'symlink' },
        { op: 'check-link', path: link, target, kind: 'symlink' },
      );
    }
    steps.push({ op: 'rename', from: path.join(data, 'old'), to: path.join(data, 'old-moved'), role: 'move' });
    const runSteps: RunStep[] = steps.map((step, n) => ({ n, entry: 0, step }));
    const record = { id: 'test-run', status: 'running', steps: runSteps, plan: { entries: [] } } as unknown as RunRecord;
    const store = new RunStore(nodeJournalDisk, path.join(root, 'state'), record.id);
    await store.create(record);
    const journalFile = path.join(store.dir, 'journal.jsonl');
    const read = (): JournalLine[] => {
      try {
        return readFileSync(journalFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as JournalLine);
      } catch {
        return [];
      }
    };
    const fs = new WatchingFs(read);
    try {
      await runForward({ fs, store, record });
    } finally {
      store.close();
    }
    const batch = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const links = fs.notes.filter((x) => x.what.startsWith('link '));
    expect(links.map((x) => x.what)).toEqual(['link a', 'link b', 'link c']);
    for (const x of links) {
      expect(x.begun, `${x.what}: every step of the batch is journaled before it`).toEqual(batch);
      expect(x.done, `${x.what}: no step of the batch is marked done yet`).toEqual([]);
    }
    const synced = fs.notes.find((x) => x.what === 'batch synced')!;
    expect(synced.done, 'done lines come after the folder syncs').toEqual([]);
    const rename = fs.notes.find((x) => x.what === 'rename old')!;
    expect(rename.begun).toEqual([...batch, 9]);
    expect(rename.done).toEqual(batch);
    const lines = read();
    expect(lines.filter((l) => l.t === 'done').map((l) => l.n)).toEqual([...batch, 9]);
    // mkdirs's begin line carries what its undo needs.
    expect(lines.find((l): l is BeginLine => l.t === 'begin' && l.n === 0)?.info).toEqual({ created: [path.join(data, 'home')] });
  });
});
