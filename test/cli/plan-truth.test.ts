/**
 * Plans that refuse what no strategy can do safely (issue 14): a manifest
 * applied the other way round, link and target that are one folder by
 * identity, a backup that would link a folder path to a file. Through the
 * built CLI, with `conflict: backup` and `merge` set, so the refusal is
 * proven to win over the strategies, and nothing on disk changes.
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import { describe, it, vi } from 'vitest';
import { snapshotTree } from '../helpers/snapshot.js';
import { build, json, sandbox, show } from '../exec/sandbox.js';

vi.setConfig({ testTimeout: 30_000 });

describe.concurrent('plans that refuse before any strategy', () => {
  it('a manifest that swaps link and target of an applied entry is explained, not offered a backup, and apply changes nothing', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const games = box.p('c/Games');
    const store = box.p('d/Games');
    build(games, { 'save.dat': 'progress' });
    box.writeManifest([{ link: games, target: store }]);
    expect((await box.apply()).status).toBe(0);
    // The same pair written the other way round, with backup allowed: following it would leave two links pointing at each other.
    box.writeManifest([{ link: store, target: games, conflict: 'backup' }]);
    const before = snapshotTree(box.sb);
    const plan = json(await box.cli(['plan', box.manifest, '--json']));
    expect(plan.entries[0].action).toBe('conflict');
    expect(plan.entries[0].reason).toContain(`this was applied the other way round: ${games} is a symbolic link to ${store}`);
    expect(plan.entries[0].reason).not.toContain('conflict: backup` to keep');
    const r = await box.apply();
    expect(r.status, show(r)).toBe(1);
    expect(json(r).error.code).toBe('E_CONFLICT');
    expect(snapshotTree(box.sb)).toEqual(before);
  });

  it('a target reached through a symlinked folder that is the link folder itself is refused, even with conflict: merge', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const games = box.p('c/Games');
    build(games, { 'save.dat': 'progress' });
    symlinkSync(box.p('c'), box.p('alias'));
    box.writeManifest([{ link: games, target: box.p('alias/Games'), conflict: 'merge' }]);
    const before = snapshotTree(box.sb);
    const plan = json(await box.cli(['plan', box.manifest, '--json']));
    expect(plan.entries[0].action).toBe('conflict');
    expect(plan.entries[0].reason).toContain('are the same folder (same volume and inode)');
    expect((await box.apply()).status).toBe(1);
    expect(snapshotTree(box.sb)).toEqual(before);
  });

  it('conflict: backup that would leave a folder linked to a file is refused at plan time', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const games = box.p('c/Games');
    build(games, { 'save.dat': 'progress' });
    build(box.p('d'), {});
    writeFileSync(box.p('d/Games'), 'a file');
    box.writeManifest([{ link: games, target: box.p('d/Games'), conflict: 'backup' }]);
    const before = snapshotTree(box.sb);
    const plan = json(await box.cli(['plan', box.manifest, '--json']));
    expect(plan.entries[0].action).toBe('conflict');
    expect(plan.entries[0].reason).toContain('the folder path would be a link to a file');
    expect((await box.apply()).status).toBe(1);
    expect(snapshotTree(box.sb)).toEqual(before);
  });
});
