/**
 * `relocate plan` for people (symbols, "across volumes", the summary line,
 * colour rules, --verbose) and `plan --out FILE`. Every run goes through
 * runUnchanged: plan never changes the disk (but for the --out file).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli } from '../helpers/cli.js';
import { mountTmpfs, tmpfsReason } from '../helpers/tmpfs.js';
import { bytes, planJsonIn, runUnchanged, sandboxFor as sandbox, type Sandbox } from '../state/cli-sandbox.js';
import type { PlanJson } from '../../src/render/plan-json.js';

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/cli/plan-output: the cross-volume case is skipped: ${NO_TMPFS}`);

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;
/** Colour forced on, as in a terminal: only --no-color or NO_COLOR may turn it off. */
const COLOR_ENV = { FORCE_COLOR: '1', NO_COLOR: '' };

beforeAll(() => {
  requireBuiltCli();
});

/**
 * One entry per symbol: a move (>), a link (+), a relink (~), a conflict (!)
 * and one already in sync (=). Returns the paths.
 */
function everyAction(sb: Sandbox) {
  sb.file('home/Games/a.bin', bytes(2048));
  sb.file('home/Games/b.bin', bytes(1024));
  sb.file('store/Music/song.ogg', 'la');
  sb.dir('store/Docs');
  sb.dir('old/Docs');
  sb.symlink('home/Docs', sb.p('old/Docs'));
  sb.file('home/Clash/x', 'x');
  sb.file('store/Clash/y', 'y');
  sb.dir('store/Synced');
  sb.symlink('home/Synced', sb.p('store/Synced'));
  const p = {
    move: sb.p('home/Games'),
    link: sb.p('home/Music'),
    relink: sb.p('home/Docs'),
    conflict: sb.p('home/Clash'),
    none: sb.p('home/Synced'),
  };
  sb.manifest([
    { link: p.move, target: sb.p('store/Games') },
    { link: p.link, target: sb.p('store/Music') },
    { link: p.relink, target: sb.p('store/Docs') },
    { link: p.conflict, target: sb.p('store/Clash') },
    { link: p.none, target: sb.p('store/Synced') },
  ]);
  return p;
}

/** The first line of the entry block for `link`, or undefined. */
function headOf(stdout: string, link: string): string | undefined {
  return stdout.split('\n').find((l) => l.includes(`${link} → `));
}

describe.concurrent('plan for people', () => {
  it('one symbol per action, sizes, the old target, what differs, the summary line and why apply refuses', async (ctx) => {
    const sb = sandbox(ctx, 'out-symbols');
    const p = everyAction(sb);
    const r = await runUnchanged(sb, ['plan']);
    expect(r.status).toBe(1);
    const out = r.stdout;
    expect(headOf(out, p.move)).toMatch(/^> move +\S+ → \S+ +\(symlink\) 3\.0 KiB in 2 files, same volume$/);
    expect(headOf(out, p.link)).toMatch(/^\+ link +/);
    expect(headOf(out, p.relink)).toMatch(new RegExp(`^~ relink .* was → ${sb.p('old/Docs')}$`));
    expect(headOf(out, p.conflict)).toMatch(/^! conflict /);
    expect(out).toMatch(/What differs/);
    expect(out).toMatch(/^ +- x$/m);
    expect(out).toMatch(/^ +\+ y$/m);
    // In sync entries only with --verbose.
    expect(headOf(out, p.none)).toBeUndefined();
    expect(out).not.toMatch(/^= /m);
    expect(out).toMatch(/^Plan: 1 move \(3\.0 KiB\), 1 link, 1 relink\. 1 conflict\.$/m);
    expect(out).toMatch(/^Apply is refused until the conflict is resolved\.$/m);
    expect(out).not.toMatch(ANSI);
  });

  it('--verbose also shows the in-sync entry with "=" and its reason', async (ctx) => {
    const sb = sandbox(ctx, 'out-verbose');
    const p = everyAction(sb);
    const r = await runUnchanged(sb, ['plan', '--verbose']);
    expect(r.status).toBe(1);
    expect(headOf(r.stdout, p.none)).toMatch(/^= none +\S+ → \S+ +\(symlink\)$/);
    expect(r.stdout).toContain(`${p.none} is already a symbolic link to ${sb.p('store/Synced')}`);
  });

  it('nothing to do: "No changes." and exit 0', async (ctx) => {
    const sb = sandbox(ctx, 'out-nochange');
    sb.dir('store/Synced');
    sb.symlink('home/Synced', sb.p('store/Synced'));
    sb.manifest([{ link: sb.p('home/Synced'), target: sb.p('store/Synced') }]);
    const r = await runUnchanged(sb, ['plan']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('No changes. The disk matches relocate.yaml.');
  });

  it('changes only: the summary line and exit 2, no refusal', async (ctx) => {
    const sb = sandbox(ctx, 'out-changes');
    sb.dir('store/Music');
    sb.manifest([
      { link: sb.p('home/Music'), target: sb.p('store/Music') },
      { link: sb.p('home/New'), target: sb.p('store/New') },
    ]);
    const r = await runUnchanged(sb, ['plan']);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^\+ link /m);
    expect(r.stdout).toMatch(/^\+ create /m);
    expect(r.stdout).toMatch(/^Plan: 2 links\.$/m);
    expect(r.stdout).not.toMatch(/refused/);
  });

  it('colour: escapes when forced on; none with --no-color; none with NO_COLOR', async (ctx) => {
    const sb = sandbox(ctx, 'out-color');
    everyAction(sb);
    const [colored, flag, env] = await Promise.all([
      runUnchanged(sb, ['plan'], { env: COLOR_ENV }),
      runUnchanged(sb, ['plan', '--no-color'], { env: COLOR_ENV }),
      runUnchanged(sb, ['plan'], { env: { ...COLOR_ENV, NO_COLOR: '1' } }),
    ]);
    // The control: the same plan does carry colour when nothing turns it off.
    expect(colored.stdout).toMatch(ANSI);
    for (const r of [flag, env]) {
      expect(r.status).toBe(1);
      expect(r.stdout).not.toMatch(ANSI);
      expect(r.stderr).not.toMatch(ANSI);
      // The same text as the coloured one, escapes removed.
      // eslint-disable-next-line no-control-regex
      expect(r.stdout).toBe(colored.stdout.replace(/\u001b\[\d+m/g, ''));
    }
  });

  it('colour: no escapes on errors with --no-color either', async (ctx) => {
    const sb = sandbox(ctx, 'out-color-err');
    sb.manifest('version: 1\nlinks:\n  - link: a\n    bogus: 1\n');
    const [colored, plain] = await Promise.all([runUnchanged(sb, ['plan'], { env: COLOR_ENV }), runUnchanged(sb, ['plan', '--no-color'], { env: COLOR_ENV })]);
    expect(colored.status).toBe(1);
    expect(colored.stderr).toMatch(ANSI);
    expect(plain.status).toBe(1);
    expect(plain.stderr).toMatch(/E_INVALID_MANIFEST/);
    expect(plain.stderr).not.toMatch(ANSI);
    expect(plain.stdout).not.toMatch(ANSI);
  });

  it.skipIf(NO_TMPFS !== undefined)('a move to another volume says "across volumes"', async (ctx) => {
    const sb = sandbox(ctx, 'out-xvol');
    const m = mountTmpfs(4, 'out-xvol');
    ctx.onTestFinished(() => m.unmount());
    sb.extraRoots.push(m.dir);
    sb.file('home/Games/a.bin', bytes(1536));
    sb.manifest([{ link: sb.p('home/Games'), target: path.join(m.dir, 'Games') }]);
    const r = await runUnchanged(sb, ['plan']);
    expect(r.status).toBe(2);
    expect(headOf(r.stdout, sb.p('home/Games'))).toMatch(/^> move .* 1\.5 KiB \(4\.0 KiB on disk\) in 1 file, across volumes$/);
    expect(r.stdout).toMatch(/copied, verified, then the original removed/);
    expect(r.stdout).toMatch(/^Plan: 1 move \(1\.5 KiB\)\.$/m);
  });
});

describe.concurrent('plan --out', () => {
  it('writes the plan as JSON with plan.fingerprint; the sandbox is otherwise unchanged', async (ctx) => {
    const sb = sandbox(ctx, 'out-file');
    everyAction(sb);
    const out = sb.p('p.json');
    const r = await runUnchanged(sb, ['plan', '--out', 'p.json'], { ignore: (p) => p === out || p === sb.root });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Plan saved to p\.json/);
    // No temporary file left beside it.
    expect(readdirSync(sb.root).filter((n) => n.includes('p.json'))).toEqual(['p.json']);
    const saved = JSON.parse(readFileSync(out, 'utf8')) as PlanJson;
    expect(saved.formatVersion).toBe(1);
    expect(saved.plan.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(saved.fingerprint).toBe(saved.plan.fingerprint);
    expect(saved.entries.map((e) => e.action).sort()).toEqual(['conflict', 'link', 'move', 'none', 'relink']);
    // The same disk planned again gives the same fingerprint.
    const again = await planJsonIn(sb, [], { ignore: (p) => p === out || p === sb.root });
    expect(again.doc.fingerprint).toBe(saved.plan.fingerprint);
  });

  it('with --json: the file and stdout hold the same plan', async (ctx) => {
    const sb = sandbox(ctx, 'out-json');
    sb.dir('store/Music');
    sb.manifest([{ link: sb.p('home/Music'), target: sb.p('store/Music') }]);
    const outDir = sb.dir('plans');
    const out = path.join(outDir, 'plan.json');
    const { doc, status } = await planJsonIn(sb, ['--out', out], { ignore: (p) => p === out || p === outDir });
    expect(status).toBe(2);
    const saved = JSON.parse(readFileSync(out, 'utf8')) as PlanJson;
    expect(saved).toEqual(doc);
  });

  it('a folder that does not exist for --out: E_WRITE, exit 1, nothing written', async (ctx) => {
    const sb = sandbox(ctx, 'out-bad');
    sb.dir('store/Music');
    sb.manifest([{ link: sb.p('home/Music'), target: sb.p('store/Music') }]);
    const r = await runUnchanged(sb, ['plan', '--json', '--out', 'missing/p.json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('E_WRITE');
    expect(existsSync(sb.p('missing'))).toBe(false);
  });
});
