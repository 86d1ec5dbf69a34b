/**
 * Issue 19, part 1: the JSON interface wrappers (Ansible, DSC, Intune) build
 * on, through the built CLI: `changes` and each entry's `observed` in plan
 * and status; `changed` and each entry's `result` in apply, resume and
 * rollback; an apply again, and a plan of a disk in sync, say nothing changed.
 */
import { readlinkSync } from 'node:fs';
import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { requireBuiltCli, runCliAsync } from '../helpers/cli.js';
import { entryAt, planJsonIn, runUnchanged, sandboxFor } from '../state/cli-sandbox.js';

beforeAll(() => {
  requireBuiltCli();
});

/** A folder with data to move, and a symlink (relative text) pointing elsewhere than its target. */
function fixture(ctx: TestContext, label: string) {
  const sb = sandboxFor(ctx, label);
  sb.file('home/Games/save.dat', 'progress');
  sb.file('home/Games/sub/level.bin', 'abcdefghij');
  sb.dir('old/Cache');
  const games = sb.p('home/Games');
  const cache = sb.symlink('home/Cache', '../old/Cache');
  const manifest = sb.manifest([
    { link: games, target: sb.p('store/Games') },
    { link: cache, target: sb.p('store/Cache'), retarget: 'relink' },
  ]);
  return { sb, games, cache, manifest };
}

const cli = (sb: { root: string; stateDir: string }, args: string[], env?: Record<string, string>) =>
  runCliAsync([...args, '--state-dir', sb.stateDir], { cwd: sb.root, ...(env ? { env } : {}) });
const parse = (r: { stdout: string; stderr: string; status: number | null }) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`no JSON (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
};

describe.concurrent('JSON interface (issue 19)', () => {
  it('plan --json: changes true; observed says what is at each link and target now', async (ctx) => {
    const { sb, games, cache } = fixture(ctx, 'ji-plan');
    const { status, doc } = await planJsonIn(sb);
    expect(status).toBe(2);
    expect(doc.changes).toBe(true);
    expect(entryAt(doc, games).observed).toEqual({ link: { kind: 'dir', bytes: 18, files: 2 }, target: { kind: 'missing' } });
    expect(entryAt(doc, cache).observed).toEqual({
      link: { kind: 'symlink', linkText: '../old/Cache', resolved: sb.p('old/Cache') },
      target: { kind: 'missing' },
    });
  });

  it('apply --json: changed true and every entry changed; again: changed false, every entry unchanged; plan and status: changes false', async (ctx) => {
    const { sb, games, cache } = fixture(ctx, 'ji-apply');
    const first = parse(await cli(sb, ['apply', '--json', '--yes']));
    expect(first).toMatchObject({ result: 'done', changed: true });
    expect(first.entries.map((e: { link: string; result: string }) => [e.link, e.result])).toEqual([
      [games, 'changed'],
      [cache, 'changed'],
    ]);
    const again = await cli(sb, ['apply', '--json', '--yes']);
    expect(again.status).toBe(0);
    const second = parse(again);
    expect(second).toMatchObject({ result: 'nothing-to-do', changed: false, run: null });
    expect(second.entries.map((e: { link: string; action: string; result: string }) => [e.link, e.action, e.result])).toEqual([
      [games, 'none', 'unchanged'],
      [cache, 'none', 'unchanged'],
    ]);
    const { status, doc } = await planJsonIn(sb);
    expect(status).toBe(0);
    expect(doc.changes).toBe(false);
    expect(entryAt(doc, games).observed).toEqual({
      link: { kind: 'symlink', linkText: sb.p('store/Games'), resolved: sb.p('store/Games') },
      target: { kind: 'dir' },
    });
    const st = parse(await runUnchanged(sb, ['status', '--json']));
    expect(st).toMatchObject({ inSync: true, changes: false });
    expect(st.entries[1].observed.link).toEqual({ kind: 'symlink', linkText: sb.p('store/Cache'), resolved: sb.p('store/Cache') });
  });

  it('rollback --json: changed true and every entry it undid changed', async (ctx) => {
    const { sb, games } = fixture(ctx, 'ji-rollback');
    expect(parse(await cli(sb, ['apply', '--json', '--yes'])).changed).toBe(true);
    const back = parse(await cli(sb, ['rollback', '--json', '--yes']));
    expect(back).toMatchObject({ result: 'rolled-back', changed: true });
    expect(back.entries.map((e: { result: string }) => e.result)).toEqual(['changed', 'changed']);
    expect(() => readlinkSync(games)).toThrow();
  });

  it('an apply interrupted and rolled back changed nothing: changed false, the entry it undid unchanged, the rest not-run', async (ctx) => {
    const { sb } = fixture(ctx, 'ji-interrupted');
    // SIGTERM right after the first journal line: the run stops at the next safe point and rolls back.
    const r = await cli(sb, ['apply', '--json', '--yes'], { RELOCATE_TEST_SIGNAL_AFTER: '2:SIGTERM' });
    const doc = parse(r);
    expect(doc.result, r.stderr).toBe('rolled-back');
    expect(doc.error.code).toBe('E_INTERRUPTED');
    expect(doc.changed).toBe(false);
    expect(doc.entries.map((e: { result: string }) => e.result)).toEqual(['unchanged', 'not-run']);
    expect((await planJsonIn(sb)).doc.changes).toBe(true);
  });

  it('resume --json after a crash: changed true; nothing to resume: changed false', async (ctx) => {
    const { sb } = fixture(ctx, 'ji-resume');
    const crashed = await cli(sb, ['apply', '--json', '--yes'], { RELOCATE_TEST_CRASH_AFTER: '2' });
    expect(crashed.status).not.toBe(0);
    const resumed = parse(await cli(sb, ['resume', '--json', '--yes']));
    expect(resumed).toMatchObject({ result: 'done', changed: true });
    expect(resumed.entries.map((e: { result: string }) => e.result)).toEqual(['changed', 'changed']);
    expect(parse(await cli(sb, ['resume', '--json', '--yes']))).toMatchObject({ result: 'nothing-to-resume', changed: false, entries: [] });
  });

  it('a refused apply (a conflict) changed nothing: the conflict failed, the rest not-run', async (ctx) => {
    const { sb, games } = fixture(ctx, 'ji-refused');
    sb.file('store/Games/other.dat', 'theirs');
    const r = await cli(sb, ['apply', '--json', '--yes']);
    expect(r.status).toBe(1);
    const doc = parse(r);
    expect(doc).toMatchObject({ result: 'refused', changed: false, error: { code: 'E_CONFLICT' } });
    expect(doc.entries.map((e: { link: string; result: string }) => [e.link, e.result])).toEqual([
      [games, 'failed'],
      [sb.p('home/Cache'), 'not-run'],
    ]);
  });
});
