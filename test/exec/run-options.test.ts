/**
 * Run options and guards: --no-rollback then resume, rollback refusing
 * drift (E_DRIFT) and --force skipping what drifted without deleting data,
 * --verify content, and the state folder's lock (live holder refused, dead
 * holder taken over).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, vi } from 'vitest';
import { snapshotTree } from '../helpers/snapshot.js';
import { tmpfsReason } from '../helpers/tmpfs.js';
import { build, json, kindAt, runCliWithoutDacOverride, sandbox, relSnap, setprivReason, show } from './sandbox.js';

vi.setConfig({ testTimeout: 30_000 });
const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/exec/run-options: tmpfs cases skipped: ${NO_TMPFS}`);
const NO_SETPRIV = NO_TMPFS ?? setprivReason();
if (NO_SETPRIV && !NO_TMPFS) console.warn(`test/exec/run-options: the --no-rollback case is skipped: ${NO_SETPRIV}`);

const manyFiles = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}.txt`, `file ${i}`]));

describe.concurrent('run options', () => {
  // The cause: a file root cannot read once CAP_DAC_OVERRIDE is dropped (chmod 000), which no plan-time
  // check sees; fixed by making it readable again. (It was a full volume until the plan learned to count inodes.)
  it.skipIf(NO_SETPRIV)('--no-rollback keeps finished steps; apply refuses until resume, which finishes once the cause is fixed', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const B = box.mount(8, 'B').dir;
    const first = { link: box.p('c/cache'), target: box.p('d/cache') };
    const link = box.p('c/App');
    build(link, manyFiles(40));
    const secret = path.join(link, 'f39.txt');
    chmodSync(secret, 0o000);
    const tree = relSnap(link);
    box.writeManifest([first, { link, target: path.join(B, 'App') }]);
    const cli = (args: string[]) => runCliWithoutDacOverride([...args, '--state-dir', box.state], box.root);

    const r = await cli(['apply', box.manifest, '--yes', '--json', '--no-rollback']);
    expect(r.status, show(r)).toBe(1);
    expect(json(r)).toMatchObject({ result: 'failed', error: { code: 'E_ACCESS', path: secret } });
    expect(kindAt(first.link)).toBe('symlink'); // the first entry's steps stay applied
    expect(relSnap(link)).toEqual(tree); // the source is intact
    expect(json(await box.cli(['history', '--json'])).runs[0].status).toBe('failed');
    expect(json(await box.apply()).error.code).toBe('E_INTERRUPTED_RUN');

    chmodSync(secret, 0o644);
    const fixed = relSnap(link);
    const resumed = await cli(['resume', '--yes', '--json']);
    expect(resumed.status, show(resumed)).toBe(0);
    expect(json(resumed).result).toBe('done');
    expect(kindAt(link)).toBe('symlink');
    expect(relSnap(path.join(B, 'App'))).toEqual(fixed);
    expect((await box.cli(['status', box.manifest])).status).toBe(0);
  });

  it('rollback refuses a run whose results drifted (E_DRIFT), and --force skips the drift without deleting anything', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/Games');
    const target = box.p('d/Games');
    build(link, { 'a.sav': 'a', 'sub/b.sav': 'b' });
    box.writeManifest([{ link, target }]);
    expect((await box.apply()).status).toBe(0);
    // Someone re-points the link by hand.
    rmSync(link);
    build(box.p('elsewhere'), { 'x.txt': 'x' });
    symlinkSync(box.p('elsewhere'), link);
    const before = snapshotTree(box.sb);

    const refused = await box.cli(['rollback', '--yes', '--json']);
    expect(refused.status, show(refused)).toBe(1);
    expect(json(refused).error.code).toBe('E_DRIFT');
    expect(json(refused).error.message).toContain(link);
    expect(snapshotTree(box.sb)).toEqual(before);

    const forced = await box.cli(['rollback', '--yes', '--force', '--json']);
    expect(forced.status, show(forced)).toBe(0);
    const doc = json(forced);
    expect(doc.result).toBe('rolled-back');
    expect(doc.skipped.length).toBeGreaterThan(0);
    // Nothing was deleted: the data stays at the target, the hand-made link and its folder are untouched.
    expect(snapshotTree(box.sb)).toEqual(before);
  });

  it.skipIf(NO_TMPFS)('--verify content compares both sides byte for byte and records the mode in the run', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const A = box.mount(8, 'A').dir;
    const B = box.mount(8, 'B').dir;
    const link = path.join(A, 'Data');
    build(link, { 'big.bin': Buffer.alloc(300_000, 7), 'n/small.txt': 'small' });
    const tree = relSnap(link);
    box.writeManifest([{ link, target: path.join(B, 'Data') }]);
    const r = await box.apply(['--verify', 'content']);
    expect(r.status, show(r)).toBe(0);
    expect(relSnap(path.join(B, 'Data'))).toEqual(tree);
    const [id] = readdirSync(path.join(box.state, 'runs'));
    const record = JSON.parse(readFileSync(path.join(box.state, 'runs', id!, 'run.json'), 'utf8'));
    expect(record.verify).toBe('content');
    expect(record.steps.some((s: any) => s.step.op === 'verify' && s.step.mode === 'content' && s.step.copy.includes('.relocate-partial-'))).toBe(true);
    const bad = await box.apply(['--verify', 'sometimes']);
    expect(bad.status).toBe(1);
    expect(json(bad).error.code).toBe('E_USAGE');
  });
});

describe.concurrent('the state folder lock', () => {
  it('is refused while a live process holds it (E_LOCKED names the pid), and nothing changes', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/x');
    build(link, { 'f.txt': 'f' });
    box.writeManifest([{ link, target: box.p('d/x') }]);
    execFileSync('mkdir', ['-p', box.state]);
    // This test process is alive and on this host: the lock is held.
    writeFileSync(path.join(box.state, 'lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: 'now', command: 'apply' }));
    const before = snapshotTree(box.sb);
    const r = await box.apply();
    expect(r.status, show(r)).toBe(1);
    expect(json(r).error.code).toBe('E_LOCKED');
    expect(json(r).error.message).toContain(`pid ${process.pid}`);
    expect(snapshotTree(box.sb)).toEqual(before);
  });

  it('left by a dead process is reported and taken over', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const link = box.p('c/x');
    build(link, { 'f.txt': 'f' });
    box.writeManifest([{ link, target: box.p('d/x') }]);
    execFileSync('mkdir', ['-p', box.state]);
    // A pid that cannot be alive (above the kernel's pid_max).
    writeFileSync(path.join(box.state, 'lock'), JSON.stringify({ pid: 4_194_999, host: os.hostname(), startedAt: 'then', command: 'apply' }));
    const r = await box.cli(['apply', box.manifest, '--yes']);
    expect(r.status, show(r)).toBe(0);
    expect(r.stderr).toMatch(/pid 4194999, which is no longer running; taken over/);
    expect(kindAt(link)).toBe('symlink');
    expect(() => readFileSync(path.join(box.state, 'lock'))).toThrow();
  });
});
