/**
 * Issue 13 §4: files in use, on Linux, through the built CLI on real tmpfs
 * volumes. A program that holds something inside a folder about to move
 * (a log it appends to, its working folder, a memory map) makes apply
 * refuse with E_IN_USE naming its pid and command, before anything is
 * copied (the plan's check) and again right before the original is set
 * aside (the executor's `check-in-use` step, for a program that started
 * after the plan). Every line the program wrote is still in the original.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, it, vi, type TestContext } from 'vitest';
import { appendWriter, cwdHolder, expectedLines, mmapHolder, openHolder, stopAll, writtenCount, type LiveProcess } from '../helpers/live-writer.js';
import { runCliAsync } from '../helpers/cli.js';
import { tmpfsReason } from '../helpers/tmpfs.js';
import { setprivReason } from './sandbox.js';
import { build, json, kindAt, makeSandbox, relocateLeftovers, show, type Sandbox } from './sandbox.js';

vi.setConfig({ testTimeout: 30_000 });

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/exec/in-use: files-in-use cases skipped: ${NO_TMPFS}`);

// Each test stops its own children before its volumes are unmounted (boxFor); this is the net for a test that threw early.
afterAll(async () => {
  await stopAll();
});

type Expect = TestContext['expect'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A sandbox whose programs (registered with `keep`) are stopped before it
 * is removed: a working folder on a tmpfs keeps it from being unmounted.
 */
function boxFor(ctx: TestContext): { box: Sandbox; keep: (p: LiveProcess) => LiveProcess } {
  const box = makeSandbox();
  const procs: LiveProcess[] = [];
  ctx.onTestFinished(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    box.cleanup();
  });
  return { box, keep: (p) => (procs.push(p), p) };
}

/** Two tmpfs volumes, a folder `logs` on A with a log and another file, and a manifest moving it to B. */
function logsBox(ctx: TestContext, opts: { sameVolume?: boolean } = {}) {
  const { box, keep } = boxFor(ctx);
  const a = box.mount(8, 'inuse-a').dir;
  const b = opts.sameVolume ? a : box.mount(8, 'inuse-b').dir;
  const link = path.join(a, 'logs');
  const target = path.join(b, opts.sameVolume ? 'moved-logs' : 'logs');
  build(link, { 'app.log': '', 'settings.ini': 'keep=1\n', 'sub/data.bin': 'x'.repeat(4096) });
  box.writeManifest([{ link, target, type: 'symlink' }]);
  return { box, keep, link, target, log: path.join(link, 'app.log'), countFile: path.join(box.root, 'count') };
}

/** E_IN_USE naming the program: its pid and its command. */
function expectNamed(expect: Expect, err: { code: string; message: string }, p: LiveProcess): void {
  expect(err.code).toBe('E_IN_USE');
  expect(err.message).toContain(`pid ${p.pid}`);
  expect(err.message).toContain(p.title);
}

/** Nothing moved: the link path is still the real folder, and nothing of relocate's is left on either side. */
function expectUntouched(expect: Expect, link: string, target: string): void {
  expect(kindAt(link)).toBe('dir');
  expect(kindAt(target)).toBe('absent');
  expect(relocateLeftovers(path.dirname(link), path.dirname(target))).toEqual([]);
  expect(readFileSync(path.join(link, 'settings.ini'), 'utf8')).toBe('keep=1\n');
}

describe.concurrent('a program using the folder is named and nothing is lost', () => {
  it.skipIf(NO_TMPFS)(
    'a log appended every 50 ms through an open descriptor, during apply across two tmpfs volumes: E_IN_USE with pid and command, exit 1, every line in the original',
    async (ctx) => {
      const { expect } = ctx;
      const c = logsBox(ctx);
      const writer = c.keep(await appendWriter(c.log, 50, c.countFile));
      await sleep(100);
      const r = await c.box.apply();
      // The writer goes on after apply ended: its later lines must land in the kept original too.
      await sleep(150);
      await writer.stop();
      const n = writtenCount(c.countFile);
      expect(n).toBeGreaterThan(5);
      // Data first: wherever the folder is now (the link path leads there), every line the writer wrote is in it.
      const kept = readFileSync(c.log, 'utf8');
      expect(kept, `lines the writer wrote were lost: ${kept.split('\n').length - 1} of ${n} are at ${c.log}`).toBe(expectedLines(n));
      expect(r.status, show(r)).toBe(1);
      expectNamed(expect, json(r).error, writer);
      expectUntouched(expect, c.link, c.target);
    },
  );

  it.skipIf(NO_TMPFS)('the same in text mode: the refusal names the program on stderr, and `relocate plan` lists it as E_IN_USE (exit 1)', async (ctx) => {
    const { expect } = ctx;
    const c = logsBox(ctx);
    const writer = c.keep(await appendWriter(c.log, 30, c.countFile, 'inuse-text'));
    const plan = await c.box.cli(['plan', c.box.manifest, '--json']);
    expect(plan.status, show(plan)).toBe(1);
    const findings = json(plan).entries[0].findings as { code: string; message: string }[];
    expect(findings.map((f) => f.code)).toContain('E_IN_USE');
    expect(findings.find((f) => f.code === 'E_IN_USE')!.message).toContain(`pid ${writer.pid}`);
    const t = await c.box.cli(['apply', c.box.manifest, '--yes']);
    expect(t.status, show(t)).toBe(1);
    expect(t.stdout + t.stderr).toContain(`${c.log} is used by inuse-text (pid ${writer.pid})`);
    expect(t.stderr).toContain('Nothing was changed.');
    await writer.stop();
    expect(readFileSync(c.log, 'utf8')).toBe(expectedLines(writtenCount(c.countFile)));
    expectUntouched(expect, c.link, c.target);
  });

  it.skipIf(NO_TMPFS)('a program whose working folder is inside the tree (and holds no file): E_IN_USE naming it', async (ctx) => {
    const { expect } = ctx;
    const c = logsBox(ctx);
    const holder = c.keep(await cwdHolder(path.join(c.link, 'sub')));
    const r = await c.box.apply();
    expect(r.status, show(r)).toBe(1);
    expectNamed(expect, json(r).error, holder);
    expect(json(r).error.message).toContain('working folder');
    expectUntouched(expect, c.link, c.target);
  });

  it.skipIf(NO_TMPFS)('a program holding only a memory map of a file (its descriptor closed): E_IN_USE naming it', async (ctx) => {
    const { expect } = ctx;
    const c = logsBox(ctx);
    const holder = c.keep(await mmapHolder(path.join(c.link, 'sub', 'data.bin')));
    const r = await c.box.apply();
    expect(r.status, show(r)).toBe(1);
    expectNamed(expect, json(r).error, holder);
    expect(json(r).error.message).toContain('memory map');
    expectUntouched(expect, c.link, c.target);
  });

  it.skipIf(NO_TMPFS)('a same-volume move (one rename) is refused too, and so is a restore (state: absent) whose data is in use at the target', async (ctx) => {
    const { expect } = ctx;
    const c = logsBox(ctx, { sameVolume: true });
    const writer = c.keep(await appendWriter(c.log, 20, c.countFile, 'inuse-same'));
    const r = await c.box.apply();
    expect(r.status, show(r)).toBe(1);
    expectNamed(expect, json(r).error, writer);
    await writer.stop();
    expect(readFileSync(c.log, 'utf8')).toBe(expectedLines(writtenCount(c.countFile)));
    expectUntouched(expect, c.link, c.target);

    // Restore: the data lives at the target, the link path is a link to it; a program works inside the target.
    const { box, keep } = boxFor(ctx);
    const a = box.mount(8, 'inuse-ra').dir;
    const b = box.mount(8, 'inuse-rb').dir;
    const link = path.join(a, 'cfg');
    const target = path.join(b, 'cfg');
    build(target, { 'x.txt': 'x' });
    box.writeManifest([{ link, target, type: 'symlink' }]);
    expect((await box.apply()).status).toBe(0);
    box.writeManifest([{ link, target, type: 'symlink', state: 'absent' }]);
    const holder = keep(await cwdHolder(target, 'inuse-restore'));
    const back = await box.apply();
    expect(back.status, show(back)).toBe(1);
    expectNamed(expect, json(back).error, holder);
    expect(kindAt(link)).toBe('symlink');
    expect(readFileSync(path.join(target, 'x.txt'), 'utf8')).toBe('x');
  });
});

describe.concurrent('a program that starts after the plan: the executor checks again', () => {
  it.skipIf(NO_TMPFS)(
    'a saved plan applied while a program holds a file open: the check-in-use step refuses before the copy, the run is rolled back, nothing lost',
    async (ctx) => {
      const { expect } = ctx;
      const c = logsBox(ctx);
      writeFileSync(c.log, 'line 1\n');
      const planFile = path.join(c.box.root, 'plan.json');
      const p = await c.box.cli(['plan', c.box.manifest, '--out', planFile]);
      expect(p.status, show(p)).toBe(2);
      // Opening a file changes nothing the plan's fingerprint sees: the saved plan is not stale.
      const holder = c.keep(await openHolder(c.log, 'inuse-late'));
      const r = await c.box.cli(['apply', planFile, '--yes', '--json']);
      expect(r.status, show(r)).toBe(1);
      const doc = json(r);
      expect(doc.result).toBe('rolled-back');
      expectNamed(expect, doc.error, holder);
      expectUntouched(expect, c.link, c.target);
      expect(readFileSync(c.log, 'utf8')).toBe('line 1\n');
      const h = json(await c.box.cli(['history', '--json']));
      expect(h.runs[0]).toMatchObject({ status: 'rolled-back', error: { code: 'E_IN_USE' } });
    },
  );
});

const NO_NOBODY = NO_TMPFS ?? setprivReason() ?? (process.getuid?.() === 0 ? undefined : 'running relocate as another user needs root');
if (NO_NOBODY && !NO_TMPFS) console.warn(`test/exec/in-use: the unprivileged-user case is skipped: ${NO_NOBODY}`);

describe('relocate run by a user who cannot see every process', () => {
  it.skipIf(NO_NOBODY)(
    '`relocate plan` as nobody over a root-owned writer: W_IN_USE_UNKNOWN counting the processes it could not inspect, a warning (exit 2, not blocked)',
    async (ctx) => {
      const { expect } = ctx;
      const c = logsBox(ctx);
      chmodSync(c.box.root, 0o755);
      const writer = c.keep(await appendWriter(c.log, 30, c.countFile, 'inuse-root'));
      const r = await runCliAsync(['plan', c.box.manifest, '--json', '--state-dir', path.join(c.box.root, 'nobody-state')], {
        cwd: '/',
        wrapper: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
      });
      expect(r.status, show(r)).toBe(2);
      const doc = json(r);
      expect(doc.blocked).toBe(false);
      const w = (doc.entries[0].findings as { code: string; message: string; severity: string }[]).find((f) => f.code === 'W_IN_USE_UNKNOWN');
      expect(w, show(r)).toBeDefined();
      expect(w!.severity).toBe('warning');
      expect(w!.message).toMatch(/^\d+ process\(es\) of other users could not be inspected/);
      // Root's processes are many; the scanner's own test (test/platform/in-use.test.ts) checks the writer is among them.
      expect(w!.message).toContain(c.link);
      await writer.stop();
    },
  );
});

describe('no program uses the folder', () => {
  it.skipIf(NO_TMPFS)('apply moves it as before (a program using another folder is not in the way)', async (ctx) => {
    const { expect } = ctx;
    const c = logsBox(ctx);
    const elsewhere = path.join(c.box.root, 'elsewhere');
    mkdirSync(elsewhere);
    const other = c.keep(await appendWriter(path.join(elsewhere, 'other.log'), 20, path.join(c.box.root, 'count2'), 'inuse-other'));
    const r = await c.box.apply();
    expect(r.status, show(r)).toBe(0);
    expect(kindAt(c.link)).toBe('symlink');
    expect(readFileSync(path.join(c.target, 'settings.ini'), 'utf8')).toBe('keep=1\n');
    await other.stop();
  });
});
