/**
 * The state folder filling up in the middle of a run (issue 14,
 * "Interrupts"): the run stops where it is with E_STATE_WRITE naming the
 * state folder and saying the run is unfinished — never "nothing was
 * changed" — and once there is room, `resume` finishes it or `rollback`
 * undoes it, every byte kept. The state folder is a small tmpfs filled to
 * leave room for the run's record and half its journal, measured first on
 * an identical run.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, vi } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { tmpfsReason } from '../helpers/tmpfs.js';
import { build, kindAt, relSnap, sandbox, show, type Sandbox } from './sandbox.js';

// Several CLI runs on tmpfs one after another: ~20 s alone, over 60 s on a loaded machine.
vi.setConfig({ testTimeout: 180_000 });
const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/exec/state-full: skipped: ${NO_TMPFS}`);

const ENTRIES = 120;
const PAGE = 4096;
const pages = (bytes: number) => Math.ceil(bytes / PAGE);

/** ENTRIES folders to move within the sandbox, and the manifest for them. */
function setUp(box: Sandbox): void {
  for (let i = 0; i < ENTRIES; i++) build(box.p(`c/e${i}`), { 'f.txt': `file ${i}` });
  box.writeManifest(Array.from({ length: ENTRIES }, (_, i) => ({ link: box.p(`c/e${i}`), target: box.p(`d/e${i}`) })));
}

/** The sizes of one run's record and journal for this manifest, from a full run in another sandbox. */
async function measure(ctx: Parameters<typeof sandbox>[0]): Promise<{ record: number; journal: number }> {
  const twin = sandbox(ctx);
  setUp(twin);
  const r = await twin.apply();
  if (r.status !== 0) throw new Error(show(r));
  const runs = path.join(twin.state, 'runs');
  const dir = path.join(runs, readdirSync(runs)[0]!);
  return { record: statSync(path.join(dir, 'run.json')).size, journal: statSync(path.join(dir, 'journal.jsonl')).size };
}

describe.concurrent('a full state folder', () => {
  it.skipIf(NO_TMPFS).for(['resume', 'rollback'] as const)(
    'stops the run unfinished with E_STATE_WRITE (never "nothing was changed"); %s then deals with it, nothing lost',
    async (after, ctx) => {
      const { expect } = ctx;
      const sizes = await measure(ctx);
      const box = sandbox(ctx);
      setUp(box);
      const before = relSnap(box.p('c'));
      const state = box.mount(1, 'state').dir;
      // Room for the record, its status sidecar, the lock, the folders, and half the journal.
      const room = (pages(sizes.record) + 4 + Math.floor(pages(sizes.journal) / 2)) * PAGE;
      const fill = path.join(state, 'fill');
      writeFileSync(fill, Buffer.alloc(1024 * 1024 - room));

      // box.cli would add its own --state-dir: the CLI is run directly with the tmpfs one.
      const cli = (args: string[]) => runCliAsync([...args, '--state-dir', state], { cwd: box.root });
      const r = await cli(['apply', box.manifest, '--yes']);
      expect(r.status, show(r)).toBe(1);
      expect(r.stderr).toContain(`error E_STATE_WRITE: relocate cannot write the journal of run`);
      expect(r.stderr).toContain(`in its state folder ${state}: the disk holding it is full`);
      expect(r.stderr).toMatch(/Run \S+ is unfinished/);
      expect(r.stderr).not.toMatch(/nothing was changed/i);
      const moved = Array.from({ length: ENTRIES }, (_, i) => kindAt(box.p(`c/e${i}`))).filter((k) => k === 'symlink').length;
      expect(moved).toBeGreaterThan(0);
      expect(moved).toBeLessThan(ENTRIES);

      rmSync(fill);
      const status = await cli(['status', box.manifest, '--json']);
      expect(status.status).toBe(2);
      const done = await cli([after, '--yes']);
      expect(done.status, show(done)).toBe(0);
      if (after === 'resume') {
        expect((await cli(['status', box.manifest])).status).toBe(0);
        expect(relSnap(box.p('d'))).toEqual(before);
      } else {
        expect(relSnap(box.p('c'))).toEqual(before);
      }
    },
  );
});

describe('the journal after a torn line', () => {
  it('a line cut short by a full disk stays on its own line: the next one is not glued to it', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const { JournalFile } = await import('../../src/platform/journal-fs.js');
    const file = path.join(box.root, 'journal.jsonl');
    writeFileSync(file, '{"t":"begin","n":0}\n{"t":"begin","n":1,"at":"20');
    const j = new JournalFile(file);
    j.append('{"t":"begin","n":2}');
    j.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toEqual(['{"t":"begin","n":0}', '{"t":"begin","n":1,"at":"20', '{"t":"begin","n":2}', '']);
  });
});
