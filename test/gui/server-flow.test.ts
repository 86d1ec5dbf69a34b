import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent, MovePreview, Overview, PlanPreview, RunRow } from '../../src/gui/api-types.js';
import { collectEvents, get, post, startSandboxServer, type GuiSandbox } from '../helpers/gui.js';

/**
 * The whole GUI flow over the API, on a sandbox, with the disk checked
 * after every step: preview a move → add it to the manifest → plan →
 * apply (progress over server-sent events) → in sync → history → rollback
 * (the disk as before) → Move back of an entry (state: absent) → adopt a
 * link; and the engine's refusals passed through. The data moves to a
 * tmpfs (/dev/shm) when there is one, so the move crosses volumes and
 * copies (progress events); elsewhere it is a rename.
 */

const SHM = '/dev/shm';
const crossVolume = existsSync(SHM) && statSync(SHM).dev !== statSync(process.cwd()).dev;

let s: GuiSandbox;
let dst: string;
let games: string;
const FILES = 6;
const FILE_BYTES = 2 * 1024 * 1024;

function content(i: number): Buffer {
  return Buffer.alloc(FILE_BYTES, i + 1);
}

beforeAll(async () => {
  s = await startSandboxServer();
  dst = crossVolume ? mkdtempSync(path.join(SHM, 'relocate-gui-flow-')) : path.join(s.root, 'dst');
  mkdirSync(dst, { recursive: true });
  games = path.join(s.home, 'Games');
  mkdirSync(games);
  for (let i = 0; i < FILES; i++) writeFileSync(path.join(games, `f${i}.bin`), content(i));
  // The manifest exists with comments: the GUI's edits must keep them.
  writeFileSync(s.manifest, '# my links, by hand\nversion: 1\nlinks: [] # none yet\n');
});

afterAll(async () => {
  await s?.close();
  if (crossVolume && dst) rmSync(dst, { recursive: true, force: true });
});

/** Every name under `dir` with its kind, size, mtime and link text: what a GET must leave as it was. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      out.push(`${p} ${st.isSymbolicLink() ? `-> ${readlinkSync(p)}` : st.isDirectory() ? 'dir' : `${st.size} ${st.mtimeMs}`}`);
      if (st.isDirectory() && !st.isSymbolicLink()) walk(p);
    }
  };
  walk(dir);
  return out;
}

function expectDataAt(dir: string): void {
  for (let i = 0; i < FILES; i++) expect(readFileSync(path.join(dir, `f${i}.bin`)).equals(content(i)), `${dir}/f${i}.bin`).toBe(true);
}

describe('relocate gui: move, apply, roll back, move back, adopt', () => {
  let planId: string;
  let runId: string;
  const target = () => path.join(dst, 'Games');

  it('preview-move: the exact sentence from the one-entry plan, nothing written', async () => {
    const a = await post(s, '/api/preview-move', { source: games, destinationParent: dst });
    expect(a.status).toBe(200);
    const p = a.json() as { ok: true } & MovePreview;
    expect(p.ok).toBe(true);
    expect(p.possible).toBe(true);
    expect(p.target).toBe(target());
    expect(p.problems).toEqual([]);
    expect(p.sentence).toMatch(
      new RegExp(
        `^${games.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} becomes a link; its 12\\.0 MiB move to ${target().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}; .+ keeps .+ free$`,
      ),
    );
    if (crossVolume) expect(p.sentence).toContain(`${SHM} keeps`);
    // Nothing changed: the manifest as it was, the data where it was.
    expect(readFileSync(s.manifest, 'utf8')).toBe('# my links, by hand\nversion: 1\nlinks: [] # none yet\n');
    expect(lstatSync(games).isDirectory()).toBe(true);
    expect(existsSync(target())).toBe(false);
  });

  it('moves: the entry is added to the manifest, comments kept; nothing moves yet', async () => {
    const a = await post(s, '/api/moves', { source: games, destinationParent: dst });
    expect(a.status).toBe(200);
    const o = a.json() as { ok: true } & Overview;
    expect(o.manifest).toEqual({ path: s.manifest, exists: true });
    expect(o.stateDir).toBe(s.stateDir);
    expect(o.entries).toEqual([expect.objectContaining({ link: games, target: target(), state: 'present', action: 'move', bytes: FILES * FILE_BYTES })]);
    const text = readFileSync(s.manifest, 'utf8');
    expect(text).toContain('# my links, by hand');
    expect(text).toContain('# none yet');
    expect(text).toContain(`  - link: ${games}\n    target: ${target()}\n`);
    expect(lstatSync(games).isDirectory()).toBe(true);
    expect(existsSync(target())).toBe(false);
    // The drives: where the data goes has less free space after the plan.
    if (crossVolume) {
      const shm = o.drives.find((d) => d.root === SHM);
      expect(shm?.freeAfterPlan).toBeLessThan(shm!.freeBytes);
    }
  });

  it('plan: a saved plan with its words; nothing moves yet', async () => {
    const a = await post(s, '/api/plan', {});
    const p = a.json() as { ok: true } & PlanPreview;
    expect(p.ok).toBe(true);
    expect(p.changes).toBe(1);
    expect(p.blocked).toBe(false);
    expect(p.lines).toEqual([expect.stringMatching(new RegExp(`^move ${games.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(12\\.0 MiB\\) to `))]);
    expect((p.plan as { formatVersion: number }).formatVersion).toBe(1);
    planId = p.planId;
    expect(lstatSync(games).isDirectory()).toBe(true);
  });

  it('apply: progress over server-sent events (start, entry, step, progress, done), then the disk has the link and the data moved', async () => {
    const events = collectEvents(s);
    await events.ready;
    const a = await post(s, '/api/apply', { planId });
    expect(a.status).toBe(200);
    const { jobId } = a.json() as { jobId: string };
    const got = await events.done;
    const types = got.map((e) => e.type);
    expect(types[0]).toBe('start');
    expect(types).toContain('entry');
    expect(types).toContain('step');
    if (crossVolume) {
      const progress = got.filter((e): e is Extract<JobEvent, { type: 'progress' }> => e.type === 'progress');
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.at(-1)!.bytesTotal).toBeGreaterThan(0);
      expect(progress.at(-1)!.text).toMatch(/(copied|verified) /);
    }
    const done = got.at(-1) as Extract<JobEvent, { type: 'done' }>;
    expect(done).toMatchObject({ type: 'done', jobId, ok: true });
    expect(got.every((e) => e.jobId === jobId)).toBe(true);
    runId = done.runId!;
    expect(runId).toBeTruthy();
    expect((done.result as { result: string }).result).toBe('done');
    // The disk: a link at the old place, the data at the target.
    expect(lstatSync(games).isSymbolicLink()).toBe(true);
    expect(readlinkSync(games)).toBe(target());
    expectDataAt(target());
  });

  it('overview: the entry is in sync; history: the run, which can be rolled back', async () => {
    const o = (await get(s, '/api/overview')).json() as Overview;
    expect(o.entries).toEqual([expect.objectContaining({ link: games, action: 'none' })]);
    expect(o.unfinishedRun).toBeUndefined();
    const h = (await get(s, '/api/history')).json() as { runs: RunRow[] };
    expect(h.runs).toEqual([expect.objectContaining({ id: runId, status: 'done', canRollBack: true, summary: '1 change' })]);
  });

  it('a second job while one runs: 409; the rollback restores the disk', async () => {
    const events = collectEvents(s);
    await events.ready;
    const first = await post(s, '/api/rollback', { runId });
    expect(first.status).toBe(200);
    const second = await post(s, '/api/rollback', { runId });
    expect(second.status).toBe(409);
    expect(second.json().error.code).toBe('E_JOB_RUNNING');
    const got = await events.done;
    expect(got[0]).toMatchObject({ type: 'start', command: 'rollback' });
    expect(got.at(-1)).toMatchObject({ type: 'done', ok: true });
    // The disk as before: the folder with its data at the old place, nothing at the target.
    expect(lstatSync(games).isDirectory()).toBe(true);
    expectDataAt(games);
    expect(existsSync(target())).toBe(false);
    const h = (await get(s, '/api/history')).json() as { runs: RunRow[] };
    expect(h.runs.find((r) => r.id === runId)?.status).toBe('rolled-back');
  });

  it('stop: an apply asked to stop (a `stop` line on its stdin) stops at the next safe point and undoes what it did; the disk as before', async () => {
    const plan = (await post(s, '/api/plan', {})).json() as PlanPreview;
    expect(plan.changes).toBe(1);
    const events = collectEvents(s);
    await events.ready;
    const a = await post(s, '/api/apply', { planId: plan.planId });
    const { jobId } = a.json() as { jobId: string };
    const stop = await post(s, '/api/stop', { jobId });
    expect(stop.status, stop.text).toBe(200);
    expect(stop.json()).toEqual({ ok: true, stopping: true });
    const got = await events.done;
    expect(got.map((e) => e.type)).toContain('stopping');
    const done = got.at(-1) as Extract<JobEvent, { type: 'done' }>;
    expect(done).toMatchObject({ type: 'done', jobId, ok: false, error: { code: 'E_INTERRUPTED' } });
    expect((done.result as { result: string }).result).toBe('rolled-back');
    expect(lstatSync(games).isDirectory()).toBe(true);
    expectDataAt(games);
    expect(existsSync(target())).toBe(false);
    const h = (await get(s, '/api/history')).json() as { runs: RunRow[] };
    expect(h.runs[0]).toMatchObject({ status: 'rolled-back' });
    // A job that is not running: 409, nothing stopped.
    const again = await post(s, '/api/stop', { jobId });
    expect(again.status).toBe(409);
    expect(again.json().error.code).toBe('E_NO_JOB');
  });

  it('a stale plan is the engine’s refusal, passed through; nothing changes', async () => {
    const p = (await post(s, '/api/plan', {})).json() as PlanPreview;
    writeFileSync(path.join(games, 'new.txt'), 'changed after the plan');
    const events = collectEvents(s);
    await events.ready;
    expect((await post(s, '/api/apply', { planId: p.planId })).status).toBe(200);
    const done = (await events.done).at(-1) as Extract<JobEvent, { type: 'done' }>;
    expect(done.ok).toBe(false);
    expect(done.error?.code).toBe('E_STALE_PLAN');
    expect(lstatSync(games).isDirectory()).toBe(true);
    rmSync(path.join(games, 'new.txt'));
  });

  it('a program working in the folder: the in-use event names it, the apply is refused, nothing moves', async () => {
    const p = (await post(s, '/api/plan', {})).json() as PlanPreview;
    expect(p.blocked).toBe(false);
    // After the plan: the saved plan is still fresh, and the executor's own check right before the move finds the program.
    const holder = spawn('sleep', ['60'], { cwd: games, stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const events = collectEvents(s);
      await events.ready;
      expect((await post(s, '/api/apply', { planId: p.planId })).status).toBe(200);
      const got = await events.done;
      const inUse = got.find((e): e is Extract<JobEvent, { type: 'in-use' }> => e.type === 'in-use');
      expect(inUse?.programs).toEqual([`sleep (pid ${holder.pid})`]);
      expect(inUse?.path).toBe(games);
      const done = got.at(-1) as Extract<JobEvent, { type: 'done' }>;
      expect(done.ok).toBe(false);
      expect(done.error?.code).toBe('E_IN_USE');
      expect(done.error?.message).toContain('sleep');
    } finally {
      holder.kill();
    }
    expect(lstatSync(games).isDirectory()).toBe(true);
    expectDataAt(games);
    expect(existsSync(target())).toBe(false);
  });

  it('entries/absent: state: absent is written on that entry (comments kept); nothing moves', async () => {
    const a = await post(s, '/api/entries/absent', { link: games });
    expect(a.status).toBe(200);
    const o = a.json() as Overview;
    expect(o.entries).toEqual([expect.objectContaining({ link: games, state: 'absent', action: 'none' })]);
    const text = readFileSync(s.manifest, 'utf8');
    expect(text).toContain(`  - link: ${games}\n    target: ${target()}\n    state: absent\n`);
    expect(text).toContain('# my links, by hand');
    expect(lstatSync(games).isDirectory()).toBe(true);
    const none = await post(s, '/api/entries/absent', { link: path.join(s.home, 'nothing') });
    expect(none.status).toBe(404);
    expect(none.json().error.code).toBe('E_NO_ENTRY');
  });

  it('links + adopt: an existing link is listed, then written into the manifest and in sync; the disk untouched', async () => {
    const data = path.join(s.root, 'nvim-data');
    mkdirSync(data);
    const link = path.join(s.home, 'nvim');
    symlinkSync(data, link);
    const found = (await get(s, `/api/links?dir=${encodeURIComponent(s.home)}`)).json() as { links: { link: string; target: string }[] };
    expect(found.links).toEqual([expect.objectContaining({ link, target: data })]);
    const a = await post(s, '/api/adopt', { dir: s.home });
    expect(a.status).toBe(200);
    const o = a.json() as { added: number; overview: Overview };
    expect(o.added).toBe(1);
    expect(o.overview.entries).toEqual(expect.arrayContaining([expect.objectContaining({ link, target: data, action: 'none' })]));
    expect(readFileSync(s.manifest, 'utf8')).toContain('# my links, by hand');
    expect(readlinkSync(link)).toBe(data);
  });

  it('a refused move (the home folder itself is protected): the engine’s finding, not possible; the manifest unchanged', async () => {
    const before = readFileSync(s.manifest, 'utf8');
    const a = await post(s, '/api/preview-move', { source: s.home, destinationParent: dst });
    const p = a.json() as MovePreview;
    expect(p.possible).toBe(false);
    expect(p.problems.map((x) => x.code)).toContain('E_PROTECTED');
    expect(readFileSync(s.manifest, 'utf8')).toBe(before);
  });

  it('an edit the engine finds invalid is refused with its error, and the manifest is put back', async () => {
    const before = readFileSync(s.manifest, 'utf8');
    const a = await post(s, '/api/moves', { source: path.join(s.home, '${nope}'), destinationParent: dst });
    expect(a.status).toBe(200);
    const body = a.json() as { ok: false; error: { code: string; message: string } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toMatch(/^E_/);
    expect(body.error.message).toContain('nope');
    expect(readFileSync(s.manifest, 'utf8')).toBe(before);
  });

  it('scan: relocate scan --json of the folders asked, passed through; a relative path is refused', async () => {
    const a = await get(s, `/api/scan?path=${encodeURIComponent(s.home)}&top=5`);
    expect(a.status).toBe(200);
    const r = a.json() as { ok: boolean; folders: { path: string; bytes: number; verdict: string }[]; drives: unknown[] };
    expect(r.ok).toBe(true);
    expect(r.folders).toEqual(expect.arrayContaining([expect.objectContaining({ path: games, bytes: FILES * FILE_BYTES })]));
    expect(r.drives.length).toBeGreaterThan(0);
    expect((await get(s, '/api/scan?path=relative/dir')).status).toBe(400);
    expect((await get(s, `/api/scan?path=${encodeURIComponent(s.home)}&top=-1`)).status).toBe(400);
  });

  it('an invalid manifest does not hide the rest: the overview carries the engine’s error, the drives and history still come', async () => {
    const good = readFileSync(s.manifest, 'utf8');
    writeFileSync(s.manifest, `${good}  - link: [broken\n`);
    try {
      const o = (await get(s, '/api/overview')).json() as Overview & { ok: boolean; manifestError?: { code: string } };
      expect(o.ok).toBe(true);
      expect(o.manifestError?.code).toMatch(/^E_/);
      expect(o.entries).toEqual([]);
      expect(o.drives.length).toBeGreaterThan(0);
    } finally {
      writeFileSync(s.manifest, good);
    }
  });

  it('doctor and history pass the engine’s answers through', async () => {
    const d = (await get(s, '/api/doctor')).json() as { ok: boolean; doctor: { formatVersion: number; stateDir: { path: string } } };
    expect(d.ok).toBe(true);
    expect(d.doctor.formatVersion).toBe(1);
    expect(d.doctor.stateDir.path).toBe(s.stateDir);
  });

  it('a GET never changes anything: every reading route leaves the sandbox (manifest, data, state folder) as it was', async () => {
    const before = [...snapshot(s.root), ...snapshot(dst)];
    for (const p of [
      '/',
      '/app.js',
      '/app.css',
      '/api/overview',
      '/api/history',
      '/api/doctor',
      `/api/links?dir=${encodeURIComponent(s.home)}`,
      `/api/scan?path=${encodeURIComponent(s.home)}`,
    ]) {
      expect((await get(s, p)).status, p).toBe(200);
    }
    expect([...snapshot(s.root), ...snapshot(dst)]).toEqual(before);
  });

  it('apply-elevated is not offered off Windows; an unknown plan id is 404', async () => {
    const p = (await post(s, '/api/plan', {})).json() as PlanPreview;
    const a = await post(s, '/api/apply-elevated', { planId: p.planId });
    expect(a.status).toBe(400);
    expect(a.json().error.code).toBe('E_ELEVATION_UNAVAILABLE');
    expect((await post(s, '/api/apply', { planId: 'plan-999' })).status).toBe(404);
  });
});

describe('relocate gui without a manifest yet', () => {
  it('the first move creates it (with a header); an invalid first move creates nothing', async () => {
    const fresh = await startSandboxServer();
    try {
      const bad = await post(fresh, '/api/moves', { source: path.join(fresh.home, '${nope}'), destinationParent: path.join(fresh.root, 'dst') });
      expect(bad.status).toBe(200);
      expect(bad.json()).toMatchObject({ ok: false, error: { code: 'E_INVALID_MANIFEST' } });
      expect(existsSync(fresh.manifest)).toBe(false);
      mkdirSync(path.join(fresh.home, 'Videos'));
      const good = await post(fresh, '/api/moves', { source: path.join(fresh.home, 'Videos'), destinationParent: path.join(fresh.root, 'dst') });
      expect(good.json()).toMatchObject({ ok: true, manifest: { exists: true }, entries: [{ link: path.join(fresh.home, 'Videos'), action: 'move' }] });
      expect(readFileSync(fresh.manifest, 'utf8')).toMatch(/^# Made by `relocate gui`/);
    } finally {
      await fresh.close();
    }
  });
});

describe('relocate gui and an entry made by a pattern', () => {
  it('Move back of one match of a glob entry is refused (state: absent there would move back every match); the manifest unchanged', async () => {
    const g = await startSandboxServer();
    try {
      for (const n of ['A', 'B']) mkdirSync(path.join(g.home, 'games', n), { recursive: true });
      const text = `version: 1\nlinks:\n  - link: ${path.join(g.home, 'games')}/*\n    target: ${path.join(g.root, 'store')}/{name}\n`;
      writeFileSync(g.manifest, text);
      const a = await post(g, '/api/entries/absent', { link: path.join(g.home, 'games', 'A') });
      expect(a.status, a.text).toBe(409);
      expect(a.json().error).toMatchObject({ code: 'E_MANIFEST_EDIT', message: expect.stringContaining('comes from the pattern') });
      expect(readFileSync(g.manifest, 'utf8')).toBe(text);
    } finally {
      await g.close();
    }
  });
});
