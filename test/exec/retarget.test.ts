/**
 * Issue 14, "retargeting keeps the data": an entry already applied
 * (`link → old target`) whose manifest now names another target. Through the
 * built CLI: the plan shows a retarget with the bytes, apply moves the data
 * from the old target to the new one by the safe protocol and then replaces
 * the link, and rollback puts the data and the old link back.
 */
import { readlinkSync, symlinkSync } from 'node:fs';
import { describe, it, vi } from 'vitest';
import { build, json, kindAt, relocateLeftovers, relSnap, sandbox, show } from './sandbox.js';

vi.setConfig({ testTimeout: 60_000 });

const TREE = {
  'save.dat': 'progress',
  'levels/1.map': Buffer.alloc(4096, 3),
  'levels/2.map': { content: 'two', mode: 0o600 },
  'empty': { dir: true as const },
};
const TREE_BYTES = 8 + 4096 + 3;

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
});
