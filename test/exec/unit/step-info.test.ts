/**
 * Issue 17 §1–2: a step's journal info, one shape per step kind. For each
 * kind: the info as the journal writes it, byte for byte (old journals
 * must keep decoding, and a run's journal stays what it was); that info,
 * read back from a journal line, decoded by its step's kind and resumed;
 * and an info its step never writes refused with E_RUN_FORMAT, before
 * anything is touched. On a fake disk (recording-port.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeJournalDisk } from '../../../src/platform/journal-fs.js';
import { DecodeError } from '../../../src/core/decode.js';
import { styleForOs } from '../../../src/core/paths.js';
import { beginInfo, madeInfo } from '../../../src/exec/begin-info.js';
import { doStep } from '../../../src/exec/do-step.js';
import { runForward, runUndo } from '../../../src/exec/executor.js';
import type { NodeMeta } from '../../../src/exec/fs-port.js';
import type { Step, StepFor } from '../../../src/exec/steps.js';
import { undoStep } from '../../../src/exec/undo-step.js';
import { RunStore } from '../../../src/journal/runs.js';
import { decodeStepInfo } from '../../../src/journal/step-info-decode.js';
import type { JournalLine, RunRecord } from '../../../src/journal/types.js';
import { RecordingPort } from './recording-port.js';

const STYLE = styleForOs('linux');
const meta = (rel: string, kind: NodeMeta['kind']): NodeMeta => ({ rel, kind, mode: 0o755, mtimeMs: 1, atimeMs: 1 });
const NAMES_HASH_OF_ROOT_AND_F = '57785c47958d8c63b8e21158481ee04303379ef66c9dce26e3e2121726467b90';

/** One step kind's case: the disk before the step, the step, and its begin info as this format writes it (undefined: none). */
interface Case {
  name: string;
  step: Step;
  disk: (fs: RecordingPort) => void;
  begin: string | undefined;
}

const CASES: Case[] = [
  { name: 'mkdirs', step: { op: 'mkdirs', path: '/m/a' }, disk: () => {}, begin: '{"created":["/m/a"]}' },
  {
    name: 'rename',
    step: { op: 'rename', from: '/r/from', to: '/r/to', role: 'move' },
    disk: (fs) => void fs.put('/r/from', 'dir', 10),
    begin: '{"movedId":"1:10"}',
  },
  {
    name: 'copy',
    step: { op: 'copy', from: '/c/from', to: '/c/to.relocate-partial-x' },
    disk: (fs) => void fs.put('/c/from', 'dir', 11),
    begin: '{"fromId":"1:11"}',
  },
  {
    name: 'unlink of a symlink',
    step: { op: 'unlink', path: '/u/link', target: '/u/target' },
    disk: (fs) => {
      fs.put('/u/link', 'symlink', 20, '/u/target');
      fs.put('/u/target', 'dir', 21);
    },
    begin: '{"kind":"symlink","linkText":"/u/target","dest":"/u/target","isDir":true,"sameFile":false}',
  },
  {
    name: 'unlink of a hard link',
    step: { op: 'unlink', path: '/u/h', target: '/u/t' },
    disk: (fs) => {
      fs.put('/u/h', 'file', 22);
      fs.put('/u/t', 'file', 22);
    },
    begin: '{"kind":"hardlink","linkText":null,"dest":null,"isDir":false,"sameFile":true}',
  },
  { name: 'unlink of nothing', step: { op: 'unlink', path: '/u/none', target: '/u/t' }, disk: () => {}, begin: '{"gone":true}' },
  {
    name: 'delete of a tree',
    step: { op: 'delete', path: '/d/old', twin: '/d/new' },
    disk: (fs) => {
      fs.put('/d/old', 'dir', 12);
      fs.put('/d/new', 'dir', 13);
      fs.snapshots.set('/d/old', [meta('', 'dir'), meta('f', 'file')]);
      fs.outside = { found: [{ rel: 'f', path: '/o/f', dev: '1', ino: '99' }], missing: 1 };
    },
    begin: `{"pathId":"1:12","namesHash":"${NAMES_HASH_OF_ROOT_AND_F}","outside":[{"rel":"f","path":"/o/f","dev":"1","ino":"99"}],"outsideMissing":1}`,
  },
  {
    name: 'delete of nothing',
    step: { op: 'delete', path: '/d/gone', twin: '/d/new' },
    disk: (fs) => void fs.put('/d/new', 'dir', 13),
    begin: '{"pathId":null}',
  },
  {
    name: "delete of a subset (a file that is its twin's other name)",
    step: { op: 'delete', path: '/s/f', twin: '/t/f', subset: true },
    disk: (fs) => {
      fs.put('/s/f', 'file', 14);
      fs.put('/t/f', 'file', 14);
      fs.snapshots.set('/s/f', [meta('', 'file')]);
    },
    begin: '{"pathId":"1:14","nodes":[{"rel":"","kind":"file","mode":493,"mtimeMs":1,"atimeMs":1}],"linkOfTwin":true}',
  },
  { name: 'link', step: { op: 'link', path: '/l/a', target: '/t/a', kind: 'symlink' }, disk: (fs) => void fs.put('/t/a', 'dir', 15), begin: undefined },
  { name: 'verify', step: { op: 'verify', original: '/v/a', copy: '/v/b', mode: 'content' }, disk: () => {}, begin: undefined },
];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A run of `steps` with a journal of `lines` in a fresh temporary state folder. */
function runWith(
  steps: Step[],
  lines: { t: 'begin' | 'made' | 'done'; n: number; info?: string }[],
): { store: RunStore; record: RunRecord; journal: () => string[] } {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'relocate-step-info-'));
  dirs.push(stateDir);
  const record = { id: 'r1', plan: { os: 'linux', entries: [] }, steps: steps.map((step, n) => ({ n, entry: n, step })) } as unknown as RunRecord;
  const store = new RunStore(nodeJournalDisk, stateDir, record.id);
  mkdirSync(store.dir, { recursive: true });
  for (const l of lines)
    store.append({ t: l.t, n: l.n, at: 'x', ...(l.info !== undefined ? { info: JSON.parse(l.info) as Record<string, unknown> } : {}) } as JournalLine);
  const journal = () => readFileSync(path.join(store.dir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
  return { store, record, journal };
}

describe('the begin info of each step kind, as the journal writes it', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const fs = new RecordingPort();
      c.disk(fs);
      const info = await beginInfo({ fs, style: STYLE }, c.step);
      expect(info === undefined ? undefined : JSON.stringify(info)).toBe(c.begin);
    });
  }

  it("what a step makes: a copy's root (made line), the folders of mkdirs (done line), what an undo puts back (made line)", async () => {
    const fs = new RecordingPort();
    const made: string[] = [];
    await doStep({ fs, style: STYLE }, { op: 'copy', from: '/c/from', to: '/c/to' }, {}, undefined, (m) => made.push(JSON.stringify(m)));
    expect(made).toEqual([`{"madeId":"1:${fs.nodes.get('/c/to')?.ino}"}`]);
    const mk: StepFor['mkdirs'] = { op: 'mkdirs', path: '/m/a' };
    const info = await beginInfo({ fs, style: STYLE }, mk);
    await doStep({ fs, style: STYLE }, mk, info);
    expect(JSON.stringify(await madeInfo({ fs, style: STYLE }, mk, info))).toBe(`{"madeIds":{"/m/a":"1:${fs.nodes.get('/m/a')?.ino}"}}`);
    const del: StepFor['delete'] = { op: 'delete', path: '/d/old', twin: '/d/new' };
    fs.put('/d/new', 'dir');
    const restored: string[] = [];
    await undoStep({ fs, style: STYLE }, del, { pathId: null }, true, false, (m) => restored.push(JSON.stringify(m)));
    expect(restored).toEqual([`{"restoredId":"1:${fs.nodes.get('/d/old')?.ino}"}`]);
  });
});

describe('a journal line of each step kind, read back and resumed', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const fs = new RecordingPort();
      c.disk(fs);
      const { store, record, journal } = runWith([c.step], [{ t: 'begin', n: 0, ...(c.begin !== undefined ? { info: c.begin } : {}) }]);
      await runForward({ fs, store, record });
      store.close();
      const last = JSON.parse(journal().at(-1) ?? '{}') as { t: string; n: number };
      expect(last).toMatchObject({ t: 'done', n: 0 });
    });
  }

  it('a copy cut short after its root was journaled: the partial copy is discarded by identity and made again', async () => {
    const fs = new RecordingPort();
    fs.put('/c/from', 'dir', 11);
    fs.put('/c/to.relocate-partial-x', 'dir', 40);
    const step: Step = { op: 'copy', from: '/c/from', to: '/c/to.relocate-partial-x' };
    const { store, record, journal } = runWith(
      [step],
      [
        { t: 'begin', n: 0, info: '{"fromId":"1:11"}' },
        { t: 'made', n: 0, info: '{"madeId":"1:40"}' },
      ],
    );
    await runForward({ fs, store, record });
    store.close();
    expect(fs.calls).toEqual(['deleteTree(/c/to.relocate-partial-x)', 'copyTree(/c/from, /c/to.relocate-partial-x)']);
    expect(
      journal()
        .slice(2)
        .map((l) => JSON.parse(l) as { t: string; info?: unknown }),
    ).toMatchObject([
      { t: 'begin', info: { fromId: '1:11' } },
      { t: 'made', info: { madeId: `1:${fs.nodes.get('/c/to.relocate-partial-x')?.ino}` } },
      { t: 'done' },
    ]);
  });

  it('a rollback reads them too: the mkdirs folders by the identities its done line gave', async () => {
    const fs = new RecordingPort();
    fs.put('/m/a', 'dir', 50);
    const { store, record } = runWith(
      [{ op: 'mkdirs', path: '/m/a' }],
      [
        { t: 'begin', n: 0, info: '{"created":["/m/a"]}' },
        { t: 'done', n: 0, info: '{"madeIds":{"/m/a":"1:50"}}' },
      ],
    );
    expect(await runUndo({ fs, store, record }, false)).toEqual([]);
    store.close();
    expect(fs.calls).toEqual(['rmdirIfEmpty(/m/a)']);
  });
});

describe('an info its step never writes is a damaged journal', () => {
  const bad: [string, Step, string][] = [
    ['a rename whose identity is a number', { op: 'rename', from: '/r/from', to: '/r/to', role: 'move' }, '{"movedId":10}'],
    ['mkdirs whose folders are not names', { op: 'mkdirs', path: '/m/a' }, '{"created":"/m/a"}'],
    [
      'an unlink of an unknown kind',
      { op: 'unlink', path: '/u/l', target: '/u/t' },
      '{"kind":"pipe","linkText":null,"dest":null,"isDir":false,"sameFile":false}',
    ],
    ["a tree delete with a subset delete's snapshot", { op: 'delete', path: '/d/old', twin: '/d/new' }, '{"pathId":"1:1","nodes":[]}'],
    ["a subset delete with a tree delete's names hash", { op: 'delete', path: '/d/old', twin: '/d/new', subset: true }, '{"namesHash":"ab"}'],
    ['an outside name without its inode', { op: 'delete', path: '/d/old', twin: '/d/new' }, '{"outside":[{"rel":"f","path":"/o/f","dev":"1"}]}'],
  ];
  for (const [name, step, info] of bad) {
    it(`${name}: resume and rollback refuse with E_RUN_FORMAT and touch nothing`, async () => {
      const fs = new RecordingPort();
      const { store, record } = runWith([step], [{ t: 'begin', n: 0, info }]);
      await expect(runForward({ fs, store, record })).rejects.toMatchObject({ code: 'E_RUN_FORMAT', message: expect.stringContaining("step 0's info") });
      await expect(runUndo({ fs, store, record }, true)).rejects.toMatchObject({ code: 'E_RUN_FORMAT' });
      store.close();
      expect(fs.calls).toEqual([]);
    });
  }

  it('the decoder names the place; fields it does not know are kept; the kinds that journal nothing read nothing', () => {
    const rename: StepFor['rename'] = { op: 'rename', from: '/a', to: '/b', role: 'move' };
    expect(() => decodeStepInfo(rename, { movedId: 10 }, "step 3's info")).toThrow(new DecodeError("step 3's info.movedId", 'a string, found number'));
    expect(decodeStepInfo(rename, { movedId: null, later: 1 }, 'info')).toEqual({ movedId: null, later: 1 });
    expect(decodeStepInfo({ op: 'verify', original: '/a', copy: '/b', mode: 'meta' }, { anything: 1 }, 'info')).toBeUndefined();
    expect(decodeStepInfo(rename, undefined, 'info')).toBeUndefined();
  });
});
