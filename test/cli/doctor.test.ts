/**
 * `relocate doctor`: the facts it reports (state folder, link kinds, the
 * native layer, volumes with their file system) and the exit code: 0 when
 * nothing is wrong, 1 for a problem (an unwritable state folder, an
 * unfinished run, a read-only volume, an invalid manifest). Its probes
 * leave nothing behind.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runCliAsync } from '../helpers/cli.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { mountTmpfs, tmpfsReason } from '../helpers/tmpfs.js';
import { sandboxFor as sandbox, type Sandbox } from '../state/cli-sandbox.js';

const NO_TMPFS = tmpfsReason();
if (NO_TMPFS) console.warn(`test/cli/doctor: tmpfs volume tests skipped: ${NO_TMPFS}`);

interface DoctorJson {
  formatVersion: number;
  ok: boolean;
  problems: number;
  stateDir: { path: string; exists: boolean; writable: boolean };
  manifest: string | null;
  volumes: { id: string; paths: string[]; fsType?: string; freeBytes?: number; readOnly?: boolean; tested: boolean; holds: Record<string, boolean> }[];
  checks: { id: string; status: 'ok' | 'fail' | 'warn' | 'info'; title: string; hint?: string }[];
}

beforeAll(() => {
  requireBuiltCli();
});

async function doctor(sb: Sandbox, args: string[], stateDir = sb.stateDir) {
  return runCliAsync(['doctor', ...args, '--state-dir', stateDir], { cwd: sb.root });
}

function check(doc: DoctorJson, id: string) {
  const c = doc.checks.find((x) => x.id === id);
  expect(c, `a check named ${id} in ${doc.checks.map((x) => x.id).join(', ')}`).toBeDefined();
  return c!;
}

describe('relocate doctor', { concurrent: true }, () => {
  it('without a manifest: the machine facts, the state folder reported as "will be created" and not created; exit 0', async (ctx) => {
    const sb = sandbox(ctx, 'doctor-plain');
    const before = snapshotTree(sb.root);
    const r = await doctor(sb, []);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`state folder: ${sb.stateDir} (does not exist yet; will be created on the first apply in ${sb.root}, which is writable)`);
    expect(r.stdout).toMatch(/^- manifest: none given/m);
    expect(r.stdout).toMatch(/^✓ unfinished runs: none$/m);
    expect(r.stdout).toMatch(/No problems found/);
    if (process.platform === 'linux') {
      expect(r.stdout).toMatch(/^✓ symlinks: available$/m);
      expect(r.stdout).toMatch(/^✓ hard links: available$/m);
      expect(r.stdout).toMatch(/^- junctions: Windows only/m);
      expect(r.stdout).toMatch(/^✓ system: Linux /m);
      // The native layer is either loaded or the fallback is named; never silently absent.
      expect(r.stdout).toMatch(/^(✓ native layer: loaded \(renameat2|! native layer: not loaded)/m);
    }
    expect(existsSync(sb.stateDir)).toBe(false);
    expect(snapshotTree(sb.root)).toEqual(before);
  });

  it('--json: one document with every check, the state folder and the capabilities', async (ctx) => {
    const sb = sandbox(ctx, 'doctor-json');
    sb.dir('state');
    const r = await doctor(sb, ['--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as DoctorJson;
    expect(doc).toMatchObject({ formatVersion: 1, ok: true, problems: 0, manifest: null });
    expect(doc.stateDir).toMatchObject({ path: sb.stateDir, exists: true, writable: true });
    expect(check(doc, 'state-dir').title).toBe(`state folder: ${sb.stateDir} (writable)`);
    expect(doc.checks.map((c) => c.id)).toEqual(['system', 'symlinks', 'junctions', 'hardlinks', 'native', 'state-dir', 'runs', 'manifest']);
    // The writability probe file is gone again.
    expect(snapshotTree(sb.stateDir)).toEqual({ [sb.stateDir]: expect.stringMatching(/^dir /) });
  });

  it.skipIf(process.platform !== 'linux')('a state folder that cannot be created is a problem: ✗ with the hint, exit 1', async (ctx) => {
    const sb = sandbox(ctx, 'doctor-nostate');
    const r = await doctor(sb, [], '/proc/relocate-doctor-test/state');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^✗ state folder: \/proc\/relocate-doctor-test\/state cannot be created/m);
    expect(r.stdout).toContain('hint: choose another with --state-dir DIR or RELOCATE_STATE_DIR');
    expect(r.stdout).toMatch(/1 problem found\./);
  });

  it('the native layer turned off: a note naming the portable fallback and why, not a problem', async (ctx) => {
    const sb = sandbox(ctx, 'doctor-native');
    const r = await runCliAsync(['doctor', '--state-dir', sb.stateDir], { cwd: sb.root, env: { RELOCATE_NATIVE: '0' } });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^! native layer: not loaded \(RELOCATE_NATIVE=0 turns the native layer off\); using the portable fallback$/m);
    expect(r.stdout).toMatch(/No problems found \(1 note above\)\./);
  });

  it('an unfinished run is a problem that names resume and rollback; exit 1', async (ctx) => {
    const sb = sandbox(ctx, 'doctor-unfinished');
    sb.file('home/Games/a.txt', 'data');
    sb.manifest([{ link: sb.p('home/Games'), target: sb.p('big/Games') }]);
    // The test hook kills apply right after its first journal line: a run left unfinished.
    const crashed = await runCliAsync(['apply', '--yes', '--state-dir', sb.stateDir], { cwd: sb.root, env: { RELOCATE_TEST_CRASH_AFTER: '1' } });
    expect(crashed.status).not.toBe(0);
    const r = await doctor(sb, ['--json']);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as DoctorJson;
    const runs = check(doc, 'runs');
    expect(runs.status).toBe('fail');
    expect(runs.title).toMatch(/^unfinished run: \S+ \(running, started /);
    expect(runs.hint).toContain('relocate resume');
    expect(runs.hint).toContain('relocate rollback');
  });

  it('an invalid manifest is a problem; volume checks are skipped', async (ctx) => {
    const sb = sandbox(ctx, 'doctor-invalid');
    sb.manifest('version: 1\nlinks:\n  - link: /srv/x\n    target: ${nope}\n');
    const r = await doctor(sb, []);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^✗ manifest: relocate\.yaml is not valid \(E_UNKNOWN_VAR/m);
    expect(r.stdout).toContain('hint: `relocate validate relocate.yaml` lists every problem');
  });

  it('with a manifest: each volume, its file system and free space, link kinds tested in place, nothing left behind', async (ctx) => {
    const sb = sandbox(ctx, 'doctor-volumes');
    sb.file('home/Games/a.txt', 'data');
    sb.manifest([{ link: sb.p('home/Games'), target: sb.p('big/Games') }]);
    const before = snapshotTree(sb.root);
    const r = await doctor(sb, ['relocate.yaml', '--json']);
    expect(r.status, r.stdout).toBe(0);
    const doc = JSON.parse(r.stdout) as DoctorJson;
    expect(doc.manifest).toBe(sb.p('relocate.yaml'));
    expect(check(doc, 'manifest').title).toBe('manifest: relocate.yaml is valid, 1 entry applies here');
    expect(doc.volumes).toHaveLength(1);
    const v = doc.volumes[0]!;
    expect(v.paths.sort()).toEqual([sb.p('big/Games'), sb.p('home/Games')].sort());
    expect(v.tested).toBe(true);
    expect(v.holds).toMatchObject({ symlinks: true, hardlinks: true });
    expect(v.freeBytes).toBeGreaterThan(0);
    expect(snapshotTree(sb.root)).toEqual(before);
  });
});

describe.skipIf(NO_TMPFS !== undefined)('relocate doctor on tmpfs volumes', { concurrent: true }, () => {
  it('names the tmpfs and its free space, tests links there, and leaves it empty', async (ctx) => {
    const sb = sandbox(ctx, 'doctor-tmpfs');
    const m = mountTmpfs(4, 'doctor');
    ctx.onTestFinished(() => m.unmount());
    sb.file('home/Games/a.txt', 'data');
    sb.manifest([{ link: sb.p('home/Games'), target: path.join(m.dir, 'Games') }]);
    const r = await doctor(sb, []);
    expect(r.status, r.stdout).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.includes(`volume of ${path.join(m.dir, 'Games')}`));
    expect(line, r.stdout).toBeDefined();
    // How a copy there is made durable (issue 16): tmpfs honours syncfs, which the native layer calls on Linux 5.8 and later.
    expect(line).toMatch(/^✓ volume of .*: tmpfs, 4\.0 MiB free, copies made durable by one syncfs; symlinks yes, hard links yes \(tested in /);
    expect(snapshotTree(m.dir)).toEqual({ [m.dir]: expect.stringMatching(/^dir /) });
  });

  it('a read-only volume is a problem: ✗ read-only, not tested, exit 1', async (ctx) => {
    const sb = sandbox(ctx, 'doctor-ro');
    const m = mountTmpfs(4, 'doctor-ro');
    ctx.onTestFinished(() => m.unmount());
    execFileSync('mount', ['-o', 'remount,ro', m.dir]);
    sb.file('home/Games/a.txt', 'data');
    sb.manifest([{ link: sb.p('home/Games'), target: path.join(m.dir, 'Games') }]);
    const r = await doctor(sb, ['--json']);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as DoctorJson;
    const v = doc.volumes.find((x) => x.fsType === 'tmpfs')!;
    expect(v).toMatchObject({ readOnly: true, tested: false });
    const c = doc.checks.find((x) => x.id === `volume:${v.id}`)!;
    expect(c.status).toBe('fail');
    expect(c.title).toContain('tmpfs');
    expect(c.title).toContain('read-only');
    expect(c.hint).toContain('read-only volume');
  });
});
