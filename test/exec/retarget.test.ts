/**
 * Issue 14, "retargeting keeps the data": an entry already applied
 * (`link → old target`) whose manifest now names another target. Through the
 * built CLI: the plan shows a retarget with the bytes, apply moves the data
 * from the old target to the new one by the safe protocol and then replaces
 * the link, and rollback puts the data and the old link back.
 */
import { readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, it, vi, type TestContext } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { inventory, lostFiles } from '../property/harness.js';
import { cwdHolder, stopAll } from '../helpers/live-writer.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { tmpfsReason } from '../helpers/tmpfs.js';
import { build, json, kindAt, relocateLeftovers, relSnap, sandbox, show, type Sandbox } from './sandbox.js';

vi.setConfig({ testTimeout: 60_000 });

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/exec/retarget: the cross-volume cases are skipped: ${NO_TMPFS}`);

// The net for a test that threw early: each test stops its own program (cases run at once, so never from an afterEach).
afterAll(() => stopAll());

type Expect = TestContext['expect'];

/** A refused apply: exit 1 with `code`, no run begun, and not one byte of the sandbox (or `roots`) changed. */
async function expectRefused(box: Sandbox, expect: Expect, code: string, ...roots: string[]): Promise<any> {
  const before = snapshotTree(box.sb, ...roots);
  const r = await box.apply();
  expect(r.status, show(r)).toBe(1);
  expect(json(r).error.code).toBe(code);
  expect(json(r).run).toBeNull();
  expect(snapshotTree(box.sb, ...roots)).toEqual(before);
  expect(relocateLeftovers(box.sb, ...roots)).toEqual([]);
  return json(r).error;
}

/** An already-applied entry: `old` holds TREE and `link` is a symlink to it. */
function applied(box: Sandbox, link: string, old: string, linkText = old): void {
  build(old, TREE);
  build(path.dirname(link), {});
  symlinkSync(linkText, link);
}

const TREE = {
  'save.dat': 'progress',
  'levels/1.map': Buffer.alloc(4096, 3),
  'levels/2.map': { content: 'two', mode: 0o600 },
  empty: { dir: true as const },
};
const TREE_BYTES = 8 + 4096 + 3;

/** The journal lines of the sandbox's only run. */
function journal(box: Sandbox): string[] {
  const runs = readdirSync(path.join(box.state, 'runs'));
  return readFileSync(path.join(box.state, 'runs', runs[0]!, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

describe.concurrent('retarget through the CLI', () => {
  it('same volume: plan says retarget with the bytes; apply moves the data and relinks; rollback puts both back', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/Games');
    const old = box.p('d/Games');
    const target = box.p('e/Games');
    build(old, TREE);
    build(box.p('c'), {});
    symlinkSync(old, link);
    const original = relSnap(old);
    box.writeManifest([{ link, target, type: 'symlink' }]);

    const plan = json(await box.cli(['plan', box.manifest, '--json']));
    expect(plan.entries[0]).toMatchObject({ action: 'retarget', from: old, to: target, oldTarget: old, crossVolume: false, bytes: TREE_BYTES, files: 3 });
    expect(plan.summary.actions.retarget).toBe(1);
    expect(plan.summary.bytesToMove).toBe(TREE_BYTES);
    const text = await box.cli(['plan', box.manifest]);
    expect(text.status, show(text)).toBe(2);
    expect(text.stdout).toContain(`> retarget ${link} → ${target}`);
    expect(text.stdout).toMatch(/Plan: 1 retarget \(4\.\d+ KiB\)\./);

    const r = await box.apply();
    expect(r.status, show(r)).toBe(0);
    expect(json(r).entries.map((e: any) => e.action)).toEqual(['retarget']);
    expect(readlinkSync(link)).toBe(target);
    expect(kindAt(old)).toBe('absent');
    expect(relSnap(target)).toEqual(original);
    expect(relocateLeftovers(box.sb)).toEqual([]);
    const st = await box.cli(['status', box.manifest]);
    expect(st.status, show(st)).toBe(0);

    const back = await box.cli(['rollback', '--yes', '--json']);
    expect(back.status, show(back)).toBe(0);
    expect(readlinkSync(link)).toBe(old);
    expect(relSnap(old)).toEqual(original);
    expect(kindAt(target)).toBe('absent');
    expect(kindAt(box.p('e'))).toBe('absent');
  });

  it.skipIf(NO_TMPFS)('across volumes: copied, verified, the original removed; the link follows; rollback copies it back exactly', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const A = box.mount(16, 'A').dir;
    const B = box.mount(16, 'B').dir;
    const link = path.join(A, 'home', 'Games');
    const old = path.join(A, 'store', 'Games');
    const target = path.join(B, 'Games');
    applied(box, link, old, '../store/Games');
    const original = relSnap(old);
    const before = snapshotTree(A, B);
    box.writeManifest([{ link, target }]);

    const plan = json(await box.cli(['plan', box.manifest, '--json']));
    expect(plan.entries[0]).toMatchObject({ action: 'retarget', from: old, to: target, crossVolume: true, bytes: TREE_BYTES, files: 3 });
    expect(plan.summary.bytesAcrossVolumes).toBe(TREE_BYTES);

    const r = await box.apply();
    expect(r.status, show(r)).toBe(0);
    expect(json(r).entries[0]).toMatchObject({ action: 'retarget', crossVolume: true, bytes: TREE_BYTES });
    expect(readlinkSync(link)).toBe(target);
    expect(kindAt(old)).toBe('absent');
    expect(relSnap(target)).toEqual(original);
    expect(relocateLeftovers(A, B)).toEqual([]);
    const again = await box.apply();
    expect(json(again).result, show(again)).toBe('nothing-to-do');

    const back = await box.cli(['rollback', '--yes']);
    expect(back.status, show(back)).toBe(0);
    // The old link comes back with its own (relative) text, the data at the old target, B as it was.
    expect(snapshotTree(A, B)).toEqual(before);
    expect(readlinkSync(link)).toBe('../store/Games');
  });

  it('`retarget: relink` keeps the bare relink: the data stays at the old target, an empty target folder is made', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/Games');
    const old = box.p('d/Games');
    const target = box.p('e/Games');
    applied(box, link, old);
    const oldBefore = snapshotTree(box.p('d'));
    box.writeManifest([{ link, target, retarget: 'relink' }]);
    const r = await box.apply();
    expect(r.status, show(r)).toBe(0);
    expect(json(r).entries.map((e: any) => e.action)).toEqual(['relink']);
    expect(readlinkSync(link)).toBe(target);
    expect(readdirSync(target)).toEqual([]);
    expect(snapshotTree(box.p('d'))).toEqual(oldBefore);
  });

  it('the old target an empty folder: a bare relink, the empty folder left where it is', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/Games');
    const old = box.p('d/Games');
    const target = box.p('e/Games');
    build(old, {});
    build(box.p('c'), {});
    symlinkSync(old, link);
    box.writeManifest([{ link, target }]);
    const plan = json(await box.cli(['plan', box.manifest, '--json']));
    expect(plan.entries[0]).toMatchObject({ action: 'relink', oldTarget: old, createsTarget: true });
    expect(plan.entries[0].reason).toContain('is an empty folder, left where it is');
    const r = await box.apply();
    expect(r.status, show(r)).toBe(0);
    expect(readlinkSync(link)).toBe(target);
    expect(kindAt(old)).toBe('dir');
  });

  it('both hold data: a conflict, and apply changes nothing', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/Games');
    const old = box.p('d/Games');
    const target = box.p('e/Games');
    applied(box, link, old);
    build(target, { 'other.dat': 'theirs' });
    box.writeManifest([{ link, target, conflict: 'backup' }]);
    const plan = await box.cli(['plan', box.manifest]);
    expect(plan.status, show(plan)).toBe(1);
    expect(plan.stdout).toContain(`! conflict ${link} → ${target}`);
    expect(plan.stdout).toContain('both hold data');
    await expectRefused(box, expect, 'E_CONFLICT');
    expect(readlinkSync(link)).toBe(old);
  });

  it('status: a link still at the old target is drift (exit 2), never "In sync"', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/Games');
    const old = box.p('d/Games');
    applied(box, link, old);
    box.writeManifest([{ link, target: box.p('e/Games') }]);
    const st = await box.cli(['status', box.manifest]);
    expect(st.status, show(st)).toBe(2);
    expect(st.stdout).not.toContain('In sync');
    expect(st.stdout).toContain(`> ${link}: ${link} points to ${old}, which holds the data`);
    const sj = json(await box.cli(['status', box.manifest, '--json']));
    expect(sj.inSync).toBe(false);
    expect(sj.problems).toEqual([expect.objectContaining({ kind: 'differs', link, action: 'retarget' })]);
  });

  it('the old target shared with another entry (links sharing a target): refused with E_SHARED_TARGET, nothing changes', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/Games');
    const old = box.p('d/Games');
    applied(box, link, old);
    symlinkSync(old, box.p('c/Games2'));
    box.writeManifest([
      { link, target: box.p('e/Games') },
      { link: box.p('c/Games2'), target: old },
    ]);
    const error = await expectRefused(box, expect, 'E_SHARED_TARGET');
    expect(error.path).toBe(old);
    expect(readlinkSync(link)).toBe(old);
  });

  it('a program working inside the old target: refused at plan time with E_IN_USE naming it', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/Games');
    const old = box.p('d/Games');
    applied(box, link, old);
    box.writeManifest([{ link, target: box.p('e/Games') }]);
    const holder = await cwdHolder(path.join(old, 'levels'), 'retarget-cwd');
    try {
      const error = await expectRefused(box, expect, 'E_IN_USE');
      expect(error.message).toContain('retarget-cwd');
    } finally {
      await holder.stop();
    }
  });

  it('the old target locked by an unfinished run of another state folder: refused with E_PATH_LOCKED, nothing moves', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const lockDir = path.join(box.root, 'locks');
    const env = (crash?: number) => ({ RELOCATE_LOCK_DIR: lockDir, RELOCATE_TEST_CRASH_AFTER: crash === undefined ? '' : String(crash) });
    const link = box.p('c/Games');
    const old = box.p('d/Games');
    applied(box, link, old);
    // Another state folder's run moves the old target itself and is killed after its first journal line: it keeps its locks.
    const other = path.join(box.root, 'other.yaml');
    const otherState = path.join(box.root, 'other-state');
    writeFileSync(other, JSON.stringify({ version: 1, links: [{ link: old, target: box.p('f/Games') }] }));
    const killed = await runCliAsync(['apply', other, '--yes', '--state-dir', otherState], { cwd: box.root, env: env(1) });
    expect(killed.status === null || killed.status === 137, show(killed)).toBe(true);
    box.writeManifest([{ link, target: box.p('e/Games') }]);
    const before = snapshotTree(box.sb);
    const r = await box.cli(['apply', box.manifest, '--yes', '--json'], env());
    expect(r.status, show(r)).toBe(1);
    expect(json(r).error.code).toBe('E_PATH_LOCKED');
    expect(json(r).error.message).toContain(old);
    expect(snapshotTree(box.sb)).toEqual(before);
    const back = await runCliAsync(['rollback', '--yes', '--state-dir', otherState], { cwd: box.root, env: env() });
    expect(back.status, show(back)).toBe(0);
  });

  it('a saved plan: applied as planned; refused as stale when the old target changed since', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/Games');
    const old = box.p('d/Games');
    const target = box.p('e/Games');
    applied(box, link, old);
    box.writeManifest([{ link, target }]);
    const planFile = path.join(box.root, 'plan.json');
    expect((await box.cli(['plan', box.manifest, '--out', planFile])).status).toBe(2);
    writeFileSync(path.join(old, 'levels', 'new.map'), 'written since');
    const stale = await box.cli(['apply', planFile, '--yes', '--json']);
    expect(stale.status, show(stale)).toBe(1);
    expect(json(stale).error.code).toBe('E_STALE_PLAN');
    expect(readlinkSync(link)).toBe(old);
    expect((await box.cli(['plan', box.manifest, '--out', planFile])).status).toBe(2);
    const r = await box.cli(['apply', planFile, '--yes', '--json']);
    expect(r.status, show(r)).toBe(0);
    expect(json(r).entries.map((e: any) => e.action)).toEqual(['retarget']);
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(path.join(target, 'levels', 'new.map'), 'utf8')).toBe('written since');
  });

  it('a plan saved before the option existed (its entries carry no retargetMode) applies as the bare relink it showed', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/Games');
    const old = box.p('d/Games');
    const target = box.p('e/Games');
    applied(box, link, old);
    box.writeManifest([{ link, target, retarget: 'relink' }]);
    const planFile = path.join(box.root, 'plan.json');
    expect((await box.cli(['plan', box.manifest, '--out', planFile])).status).toBe(2);
    const doc = JSON.parse(readFileSync(planFile, 'utf8'));
    for (const e of doc.plan.entries) delete e.retargetMode;
    writeFileSync(planFile, JSON.stringify(doc));
    const oldBefore = snapshotTree(box.p('d'));
    const r = await box.cli(['apply', planFile, '--yes', '--json']);
    expect(r.status, show(r)).toBe(0);
    expect(json(r).entries.map((e: any) => e.action)).toEqual(['relink']);
    expect(readlinkSync(link)).toBe(target);
    expect(snapshotTree(box.p('d'))).toEqual(oldBefore);
  });

  it.skipIf(NO_TMPFS)(
    'the new volume with too few inodes: refused before any change (E_NO_INODES, counted from the tree at the old target); the data and the old link as they were (failures mid-copy: the fault harness)',
    async (ctx) => {
      const { expect } = ctx;
      const box = sandbox(ctx);
      const A = box.mount(16, 'A').dir;
      const B = box.mount(4, 'B', 'nr_inodes=20').dir;
      const link = path.join(A, 'Games');
      const old = path.join(A, 'old', 'Games');
      build(old, Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`d${i % 3}/f${i}.txt`, String(i)])));
      symlinkSync(old, link);
      box.writeManifest([{ link, target: path.join(B, 'Games') }]);
      const before = snapshotTree(A, B);
      const r = await box.apply();
      expect(r.status, show(r)).toBe(1);
      expect(json(r).error.code).toBe('E_NO_INODES');
      expect(snapshotTree(A, B)).toEqual(before);
    },
  );

  it.skipIf(NO_TMPFS)(
    'killed after every journal line of a cross-volume retarget, then resumed or rolled back: nothing lost, the end state exact',
    async (ctx) => {
      const { expect } = ctx;
      // A clean run first, for the number of journal lines.
      const setup = (box: Sandbox) => {
        const A = box.mount(8, 'A').dir;
        const B = box.mount(8, 'B').dir;
        const link = path.join(A, 'Games');
        const old = path.join(A, 'old', 'Games');
        const target = path.join(B, 'Store', 'Games');
        applied(box, link, old);
        box.writeManifest([{ link, target }]);
        return { A, B, link, old, target };
      };
      const clean = sandbox(ctx);
      setup(clean);
      expect((await clean.apply()).status).toBe(0);
      const lines = journal(clean).length;
      expect(lines).toBeGreaterThan(20);
      for (let n = 1; n < lines; n++) {
        const box = sandbox(ctx);
        const { A, B, link, old, target } = setup(box);
        const before = snapshotTree(A, B);
        const files = inventory(A, B);
        const tree = relSnap(old);
        const killed = await box.apply([], { RELOCATE_TEST_CRASH_AFTER: String(n) });
        expect(killed.status, `line ${n}: ${show(killed)}`).toBeNull();
        expect(lostFiles(files, [{ link, target, oldTarget: old }]).lost, `line ${n}: files with no copy left`).toEqual([]);
        const how = n % 2 === 0 ? 'resume' : 'rollback';
        const fin = await box.cli([how, '--yes']);
        expect(fin.status, `line ${n}, ${how}: ${show(fin)}`).toBe(0);
        if (how === 'resume') {
          expect(readlinkSync(link), `line ${n}`).toBe(target);
          expect(relSnap(target), `line ${n}`).toEqual(tree);
          expect(kindAt(old)).toBe('absent');
          expect(relocateLeftovers(A, B)).toEqual([]);
          const back = await box.cli(['rollback', '--yes']);
          expect(back.status, show(back)).toBe(0);
        }
        expect(snapshotTree(A, B), `line ${n}, after ${how}: the exact original`).toEqual(before);
        box.cleanup();
      }
    },
    600_000,
  );
});
