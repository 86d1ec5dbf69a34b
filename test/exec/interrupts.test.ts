/**
 * Interrupts (issue 14): SIGINT, SIGTERM and SIGHUP during apply, resume or
 * rollback stop the run at a safe point between two steps instead of
 * killing it mid-step; apply and resume then roll back (unless
 * --no-rollback), a rollback stops where it is, and a second signal stops at
 * once leaving a resumable run. Exit codes are 128 + the signal's number.
 * The signals arrive through the test hook RELOCATE_TEST_SIGNAL_AFTER, right
 * after a given journal line, as a Ctrl-C would while a step runs.
 */
import path from 'node:path';
import { describe, it, vi } from 'vitest';
import { tmpfsReason } from '../helpers/tmpfs.js';
import { build, json, kindAt, relSnap, sandbox, show, type Sandbox } from './sandbox.js';

vi.setConfig({ testTimeout: 60_000 });
const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/exec/interrupts: the cross-volume case is skipped: ${NO_TMPFS}`);

/** Five folders to move on the sandbox's volume. */
function fiveMoves(box: Sandbox): { links: string[]; before: ReturnType<typeof relSnap> } {
  const links = Array.from({ length: 5 }, (_, i) => box.p(`c/e${i}`));
  links.forEach((l, i) => build(l, { 'f.txt': `file ${i}`, [`sub/g${i}.txt`]: 'g' }));
  box.writeManifest(links.map((link, i) => ({ link, target: box.p(`d/e${i}`) })));
  return { links, before: relSnap(box.p('c')) };
}

const signalAfter = (spec: string) => ({ RELOCATE_TEST_SIGNAL_AFTER: spec });

describe.concurrent('interrupts', () => {
  it.for([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s during apply: stops between steps, rolls back, exits %i, nothing lost', async ([sig, code], ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const { links, before } = fiveMoves(box);
    const r = await box.cli(['apply', box.manifest, '--yes'], signalAfter(`6:${sig}`));
    expect(r.status, show(r)).toBe(code);
    expect(r.stderr).toContain(`${sig}: stopping at the next safe point`);
    expect(r.stderr).toContain('error E_INTERRUPTED: stopped by ' + sig);
    expect(r.stderr).toMatch(/Interrupted \(stopped by SIG[A-Z]+\): every change of run \S+ was undone/);
    expect(links.map(kindAt)).toEqual(links.map(() => 'dir'));
    expect(relSnap(box.p('c'))).toEqual(before);
    const history = json(await box.cli(['history', '--json']));
    expect(history.runs[0]).toMatchObject({ status: 'rolled-back', error: { code: 'E_INTERRUPTED' } });
  });

  it('--json: one document with result rolled-back and the E_INTERRUPTED error, exit 130', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    fiveMoves(box);
    const r = await box.apply([], signalAfter('6:SIGINT'));
    expect(r.status, show(r)).toBe(130);
    expect(json(r)).toMatchObject({ result: 'rolled-back', error: { code: 'E_INTERRUPTED' } });
  });

  it('with --no-rollback the finished steps stay, the run is unfinished, and resume finishes it', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const { links, before } = fiveMoves(box);
    const r = await box.cli(['apply', box.manifest, '--yes', '--no-rollback'], signalAfter('6:SIGTERM'));
    expect(r.status, show(r)).toBe(143);
    expect(r.stderr).toContain('stopped with its finished steps in place (--no-rollback)');
    expect(kindAt(links[0]!)).toBe('symlink');
    expect(kindAt(links[4]!)).toBe('dir');
    expect((await box.cli(['status', box.manifest])).status).toBe(2);
    const resumed = await box.cli(['resume', '--yes']);
    expect(resumed.status, show(resumed)).toBe(0);
    expect(links.map(kindAt)).toEqual(links.map(() => 'symlink'));
    expect(relSnap(box.p('d'))).toEqual(before);
  });

  it('a second signal stops at once, leaving a run that rollback undoes', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const { before } = fiveMoves(box);
    const r = await box.cli(['apply', box.manifest, '--yes'], signalAfter('6:SIGINT,8:SIGINT'));
    expect(r.status, show(r)).toBe(130);
    expect(r.stderr).toContain('SIGINT again: stopped at once. The run is unfinished: `relocate resume` finishes it, `relocate rollback` undoes it.');
    expect(json(await box.cli(['history', '--json'])).runs[0].status).toMatch(/^(running|rolling-back)$/);
    const back = await box.cli(['rollback', '--yes']);
    expect(back.status, show(back)).toBe(0);
    expect(relSnap(box.p('c'))).toEqual(before);
  });

  it('a signal during `relocate rollback` stops it between two undos; rollback again finishes it', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const { links, before } = fiveMoves(box);
    expect((await box.apply()).status).toBe(0);
    const r = await box.cli(['rollback', '--yes'], signalAfter('2:SIGTERM'));
    expect(r.status, show(r)).toBe(143);
    expect(r.stderr).toMatch(/the rollback of run \S+ stopped between two steps; `relocate rollback` continues it/);
    expect(links.filter((l) => kindAt(l) === 'symlink').length).toBeGreaterThan(0);
    const again = await box.cli(['rollback', '--yes']);
    expect(again.status, show(again)).toBe(0);
    expect(relSnap(box.p('c'))).toEqual(before);
  });

  it.skipIf(NO_TMPFS)('SIGINT while a cross-volume copy runs: the copy finishes, then everything is rolled back, every byte kept', async (ctx) => {
    const { expect } = ctx;
    const box = sandbox(ctx);
    const B = box.mount(32, 'intB').dir;
    const link = box.p('c/Games');
    build(link, Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}.bin`, Buffer.alloc(64 * 1024, i)])));
    const before = relSnap(link);
    box.writeManifest([{ link, target: path.join(B, 'Games') }]);
    // Line 1 is the begin of mkdirs (batched alone), 2 its done, 3 the begin of the copy: the signal lands mid-copy.
    const r = await box.cli(['apply', box.manifest, '--yes'], signalAfter('3:SIGINT'));
    expect(r.status, show(r)).toBe(130);
    expect(kindAt(link)).toBe('dir');
    expect(relSnap(link)).toEqual(before);
    expect(kindAt(path.join(B, 'Games'))).toBe('absent');
  });
});
