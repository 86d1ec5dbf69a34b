/**
 * Issue 4, part 8: a run killed mid-way (RELOCATE_TEST_CRASH_AFTER=N makes
 * the process SIGKILL itself right after journal line N) blocks every
 * changing command with E_INTERRUPTED_RUN until `resume` or `rollback`;
 * `plan` and `status` still work and warn. (test/exec/crash.test.ts kills
 * runs at every journal line; this file checks what the user sees.)
 */
import path from 'node:path';
import { describe, it, vi, type TestContext } from 'vitest';
import { snapshotTree } from '../helpers/snapshot.js';
import { tmpfsReason } from '../helpers/tmpfs.js';
import { build, json, kindAt, sandbox, relocateLeftovers, relSnap, show, type Sandbox } from './sandbox.js';

vi.setConfig({ testTimeout: 30_000 });

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/exec/interrupted: the cross-volume case is skipped: ${NO_TMPFS}`);

const TREE = { 'a.txt': 'a', 'sub/b.bin': Buffer.alloc(20_000, 4), 'sub/c.sh': { content: 'c', mode: 0o755 } };

/** Runs apply with the crash hook and expects the process to have been killed by it. Returns the run id. */
async function crashedApply(box: Sandbox, expect: TestContext['expect'], afterLine: number): Promise<string> {
  const r = await box.apply([], { RELOCATE_TEST_CRASH_AFTER: String(afterLine) });
  expect(r.status, `apply should have been killed after journal line ${afterLine}\n${show(r)}`).toBeNull();
  const runs = json(await box.cli(['history', '--json'])).runs;
  expect(runs.map((x: any) => x.status)).toEqual(['running']);
  return runs[0].id;
}

describe.concurrent('an interrupted run', () => {
  it('blocks apply (E_INTERRUPTED_RUN); plan and status warn; resume --yes finishes it', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/Games');
    const target = box.p('d/Store/Games');
    build(link, TREE);
    const tree = relSnap(link);
    box.writeManifest([{ link, target }]);
    const id = await crashedApply(box, expect, 3);
    const crashed = snapshotTree(box.sb);

    const again = await box.apply();
    expect(again.status, show(again)).toBe(1);
    expect(json(again).error.code).toBe('E_INTERRUPTED_RUN');
    expect(json(again).error.message).toContain(id);
    const text = await box.cli(['apply', box.manifest, '--yes']);
    expect(text.status, show(text)).toBe(1);
    expect(text.stderr).toMatch(/E_INTERRUPTED_RUN/);
    expect(text.stderr).toMatch(/relocate resume/);
    expect(text.stderr).toMatch(/relocate rollback/);
    // The killed process's lock was reported and taken over, not a reason to refuse.
    expect(text.stderr).not.toMatch(/E_LOCKED/);

    const plan = await box.cli(['plan', box.manifest]);
    expect(plan.status, show(plan)).toBe(2);
    expect(plan.stderr).toMatch(new RegExp(`warning: run ${id} .*did not finish`));
    expect(plan.stderr).toMatch(/relocate resume/);
    const status = await box.cli(['status', box.manifest]);
    expect(status.status, show(status)).toBe(2);
    expect(status.stderr).toMatch(/did not finish/);
    expect(snapshotTree(box.sb)).toEqual(crashed);

    const noYes = await box.cli(['resume', '--json']);
    expect(noYes.status, show(noYes)).toBe(1);
    expect(json(noYes).error.code).toBe('E_NEEDS_YES');
    expect(snapshotTree(box.sb)).toEqual(crashed);

    const resume = await box.cli(['resume', '--yes', '--json']);
    expect(resume.status, show(resume)).toBe(0);
    expect(json(resume)).toMatchObject({ run: id, result: 'done' });
    expect(kindAt(link)).toBe('symlink');
    expect(relSnap(target)).toEqual(tree);
    expect(relocateLeftovers(box.sb)).toEqual([]);
    expect(json(await box.cli(['history', '--json'])).runs.map((x: any) => [x.id, x.status])).toEqual([[id, 'done']]);
    const after = await box.apply();
    expect(after.status, show(after)).toBe(0);
    expect(json(after).result).toBe('nothing-to-do');
    const st = await box.cli(['status', box.manifest]);
    expect(st.status, show(st)).toBe(0);
    expect(st.stderr).not.toMatch(/did not finish/);
  });

  it.skipIf(NO_TMPFS)('killed with the data on both volumes: rollback --yes gives back the exact original', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const A = box.mount(8, 'A').dir;
    const B = box.mount(8, 'B').dir;
    const link = path.join(A, 'Games');
    build(link, TREE);
    box.writeManifest([{ link, target: path.join(B, 'Games') }]);
    const before = snapshotTree(A, B);
    // Cross-volume move: mkdirs, check-in-use, copy (its root journaled as made), verify, rename staging → target; line 11 is that rename done.
    const id = await crashedApply(box, expect, 11);
    expect(kindAt(path.join(B, 'Games'))).toBe('dir');
    expect(kindAt(link)).toBe('dir');
    const blocked = await box.apply();
    expect(json(blocked).error.code).toBe('E_INTERRUPTED_RUN');
    const rb = await box.cli(['rollback', '--yes', '--json']);
    expect(rb.status, show(rb)).toBe(0);
    expect(json(rb)).toMatchObject({ run: id, result: 'rolled-back' });
    expect(snapshotTree(A, B)).toEqual(before);
    expect(relocateLeftovers(A, B)).toEqual([]);
    // Dealt with: apply works again.
    const plan = await box.cli(['plan', box.manifest]);
    expect(plan.status, show(plan)).toBe(2);
    expect(plan.stderr).not.toMatch(/did not finish/);
  });
});
