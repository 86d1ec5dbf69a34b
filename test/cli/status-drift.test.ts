/**
 * `relocate status`: the drift check for scripts. The links are made by hand
 * here (apply is not involved): 0 and "In sync" when the disk matches, 2 on
 * drift, 1 only when relocate cannot answer. Every run goes through
 * runUnchanged: status never changes the disk.
 */
import { mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { requireBuiltCli } from '../helpers/cli.js';
import { runUnchanged, Sandbox } from '../state/cli-sandbox.js';
import { makePlan } from '../../src/plan/planner.js';
import { context } from '../helpers/plan-fixtures.js';

beforeAll(() => {
  requireBuiltCli();
});

/**
 * Three entries already converged by hand: a folder link (absolute text), a
 * folder link with a relative text, a file link.
 */
function converged(ctx: TestContext, label: string) {
  const sb = new Sandbox(label);
  ctx.onTestFinished(() => sb.cleanup());
  sb.file('store/Games/save.dat', 'progress');
  sb.file('store/Cache/blob', 'b');
  sb.file('store/app.conf', 'x=1\n');
  sb.dir('elsewhere/Games');
  const games = sb.symlink('home/Games', sb.p('store/Games'));
  const cache = sb.symlink('home/Cache', '../store/Cache');
  const conf = sb.symlink('home/app.conf', sb.p('store/app.conf'));
  sb.manifest([
    { link: games, target: sb.p('store/Games') },
    { link: cache, target: sb.p('store/Cache') },
    { link: conf, target: sb.p('store/app.conf') },
  ]);
  return { sb, games, cache, conf };
}

function statusJson(stdout: string): {
  inSync: boolean;
  problems: { kind: string; link?: string; run?: string; action?: string }[];
  entries: { link: string; action: string; reason: string }[];
  summary: { actions: Record<string, number> };
} {
  return JSON.parse(stdout);
}

describe.concurrent('status', () => {
  it('links made by hand: exit 0, "In sync"; --json says inSync true', async (ctx) => {
    const { sb } = converged(ctx, 'st-sync');
    const [text, json] = await Promise.all([runUnchanged(sb, ['status']), runUnchanged(sb, ['status', '--json'])]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^In sync: 3 links of relocate\.yaml match the disk\.$/m);
    expect(json.status).toBe(0);
    const doc = statusJson(json.stdout);
    expect(doc.inSync).toBe(true);
    expect(doc.entries.map((e) => e.action)).toEqual(['none', 'none', 'none']);
    expect(doc.summary.actions.none).toBe(3);
  });

  it('a link removed: exit 2, "Drift" naming it; --json inSync false', async (ctx) => {
    const { sb, cache } = converged(ctx, 'st-removed');
    unlinkSync(cache);
    const [text, json] = await Promise.all([runUnchanged(sb, ['status']), runUnchanged(sb, ['status', '--json'])]);
    expect(text.status).toBe(2);
    expect(text.stdout).toMatch(/^Drift: 1 of 3 entries of relocate\.yaml differ from the disk\.$/m);
    expect(text.stdout).toContain(`+ ${cache}:`);
    expect(text.stdout).not.toMatch(/In sync/);
    expect(json.status).toBe(2);
    const doc = statusJson(json.stdout);
    expect(doc.inSync).toBe(false);
    expect(doc.entries.find((e) => e.link === cache)?.action).toBe('link');
  });

  it('a link pointing elsewhere: exit 2, shown as a relink', async (ctx) => {
    const { sb, games } = converged(ctx, 'st-elsewhere');
    unlinkSync(games);
    sb.symlink(games, sb.p('elsewhere/Games'));
    const [text, json] = await Promise.all([runUnchanged(sb, ['status']), runUnchanged(sb, ['status', '--json'])]);
    expect(text.status).toBe(2);
    expect(text.stdout).toContain(`~ ${games}:`);
    expect(json.status).toBe(2);
    const doc = statusJson(json.stdout);
    expect(doc.inSync).toBe(false);
    expect(doc.entries.find((e) => e.link === games)?.action).toBe('relink');
  });

  it('data back at the link path (a real folder where the link was): exit 2', async (ctx) => {
    const { sb, games } = converged(ctx, 'st-real');
    unlinkSync(games);
    sb.file('home/Games/new.dat', 'n');
    const r = await runUnchanged(sb, ['status', '--json']);
    expect(r.status).toBe(2);
    const doc = statusJson(r.stdout);
    expect(doc.inSync).toBe(false);
    expect(doc.entries.find((e) => e.link === games)?.action).toBe('conflict');
  });

  it('a broken link to the right target: drift (exit 2); --json says target-missing', async (ctx) => {
    const { sb, cache } = converged(ctx, 'st-broken');
    rmSync(sb.p('store/Cache'), { recursive: true });
    const [text, json] = await Promise.all([runUnchanged(sb, ['status']), runUnchanged(sb, ['status', '--json'])]);
    expect(text.status).toBe(2);
    expect(text.stdout).not.toMatch(/In sync/);
    expect(text.stdout).toContain(`! ${cache}: ${cache} points to ${sb.p('store/Cache')}, which does not exist`);
    expect(json.status).toBe(2);
    const doc = statusJson(json.stdout);
    expect(doc.inSync).toBe(false);
    expect(doc.problems).toEqual([expect.objectContaining({ kind: 'target-missing', link: cache })]);
  });

  it('a link whose target leads back to it (a loop): drift (exit 2); --json says link-loop', async (ctx) => {
    const { sb, games } = converged(ctx, 'st-loop');
    // The manifest applied the other way round by hand: the target is now a link back to the link path.
    rmSync(sb.p('store/Games'), { recursive: true });
    sb.symlink('store/Games', games);
    const [text, json] = await Promise.all([runUnchanged(sb, ['status']), runUnchanged(sb, ['status', '--json'])]);
    expect(text.status).toBe(2);
    expect(text.stdout).toContain(`! ${games}: ${games} points to ${sb.p('store/Games')}, which leads back through links to itself`);
    const doc = statusJson(json.stdout);
    expect(json.status).toBe(2);
    expect(doc.problems).toEqual([expect.objectContaining({ kind: 'link-loop', link: games })]);
  });

  it('a file link of the wrong kind (a symlink where the manifest wants a hard link): drift (exit 2)', async (ctx) => {
    const { sb, conf, games, cache } = converged(ctx, 'st-kind');
    sb.manifest([
      { link: games, target: sb.p('store/Games') },
      { link: cache, target: sb.p('store/Cache') },
      { link: conf, target: sb.p('store/app.conf'), type: 'hardlink' },
    ]);
    const r = await runUnchanged(sb, ['status', '--json']);
    expect(r.status).toBe(2);
    expect(statusJson(r.stdout).problems).toEqual([expect.objectContaining({ kind: 'differs', link: conf, action: 'relink' })]);
  });

  it('an unfinished run: drift (exit 2) even when every entry matches; --json names the run', async (ctx) => {
    const { sb } = converged(ctx, 'st-unfinished');
    const id = '20261205T000000000Z-test';
    const runDir = sb.p('state', 'runs', id);
    mkdirSync(runDir, { recursive: true });
    const record = {
      id,
      status: 'running',
      startedAt: '2026-12-05T00:00:00.000Z',
      toolVersion: '0',
      manifest: { path: sb.p('relocate.yaml'), hash: '' },
      verify: 'meta',
      plan: makePlan([], [], context('linux')),
      steps: [],
    };
    writeFileSync(path.join(runDir, 'run.json'), JSON.stringify(record));
    writeFileSync(path.join(runDir, 'status.json'), JSON.stringify({ id, status: 'running', startedAt: record.startedAt }));
    const [text, json] = await Promise.all([runUnchanged(sb, ['status']), runUnchanged(sb, ['status', '--json'])]);
    expect(text.status).toBe(2);
    expect(text.stdout).toContain(`run ${id} (started 2026-12-05T00:00:00.000Z) did not finish (running)`);
    expect(text.stdout).toContain('`relocate resume`');
    expect(json.status).toBe(2);
    const doc = statusJson(json.stdout);
    expect(doc.inSync).toBe(false);
    expect(doc.problems).toEqual([expect.objectContaining({ kind: 'unfinished-run', run: id })]);
  });

  it('an invalid manifest: exit 1 with its diagnostics; --json prints the error', async (ctx) => {
    const sb = new Sandbox('st-invalid');
    ctx.onTestFinished(() => sb.cleanup());
    sb.manifest('version: 1\nlinks:\n  - link: ./a\n    target: ./b\n    colour: red\n');
    const [text, json] = await Promise.all([runUnchanged(sb, ['status']), runUnchanged(sb, ['status', '--json'])]);
    expect(text.status).toBe(1);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(/relocate\.yaml:5:\d+/);
    expect(text.stderr).toMatch(/E_INVALID_MANIFEST/);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout).error.code).toBe('E_INVALID_MANIFEST');
  });

  it('no manifest at all: exit 1', async (ctx) => {
    const sb = new Sandbox('st-none');
    ctx.onTestFinished(() => sb.cleanup());
    sb.dir('empty');
    const r = await runUnchanged(sb, ['status', '--json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toMatch(/^E_/);
  });
});
