/**
 * Issue 19, part 1: relocate run by an agent (Ansible, Salt, a systemd unit
 * as root) on Linux: `~` and the default state folder follow the account's
 * home — $HOME, or the password database when HOME is unset — and an
 * absolute --state-dir (or RELOCATE_STATE_DIR) keeps the runs in one
 * machine-wide place whatever account and folder the agent starts in.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, requireBuiltCli } from '../helpers/cli.js';
import { sandboxFor } from '../state/cli-sandbox.js';

beforeAll(() => {
  requireBuiltCli();
});

/** Runs the CLI with exactly this process's environment minus `drop`, plus `set`, in `cwd`. */
function run(args: string[], cwd: string, set: Record<string, string>, drop: string[] = []) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...set };
  for (const k of ['RELOCATE_STATE_DIR', 'XDG_STATE_HOME', ...drop]) if (!(k in set)) delete env[k];
  const [cmd, ...rest] = cliCommand(args);
  const r = spawnSync(cmd, rest, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, doc: () => JSON.parse(r.stdout) };
}

describe.concurrent("as an agent's account on Linux", () => {
  it("HOME is the account's home (root's /root, here a folder of the test): ~ and the default state folder resolve there", (ctx) => {
    const sb = sandboxFor(ctx, 'agent-home');
    const home = sb.dir('roothome');
    sb.manifest('version: 1\nlinks:\n  - link: ~/Games\n    target: /mnt/big/Games\n');
    const v = run(['validate', '--json'], sb.root, { HOME: home });
    expect(v.status, v.stderr).toBe(0);
    expect(v.doc().entries[0]).toMatchObject({ link: `${home}/Games`, target: '/mnt/big/Games' });
    const h = run(['history', '--json'], sb.root, { HOME: home });
    expect(h.status, h.stderr).toBe(0);
    expect(h.doc().stateDir).toBe(`${home}/.local/state/relocate`);
  });

  it('HOME unset: ~ is the home the password database names for the account', (ctx) => {
    const sb = sandboxFor(ctx, 'agent-nohome');
    sb.manifest('version: 1\nlinks:\n  - link: ~/Games\n    target: /mnt/big/Games\n');
    const v = run(['validate', '--json'], sb.root, {}, ['HOME']);
    expect(v.status, v.stderr).toBe(0);
    expect(v.doc().entries[0].link).toBe(`${os.userInfo().homedir}/Games`);
  });

  it('an absolute --state-dir or RELOCATE_STATE_DIR: the run is recorded there, whatever HOME and the working folder are', (ctx) => {
    const sb = sandboxFor(ctx, 'agent-statedir');
    sb.file('data/Games/save.dat', 'progress');
    const manifest = sb.manifest([{ link: sb.p('data/Games'), target: sb.p('big/Games') }]);
    const machine = sb.p('machine-state');
    const home = sb.dir('roothome');
    const applied = run(['apply', manifest, '--yes', '--json', '--state-dir', machine], sb.dir('elsewhere'), { HOME: home });
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.doc()).toMatchObject({ result: 'done', changed: true });
    expect(readdirSync(`${machine}/runs`)).toHaveLength(1);
    expect(existsSync(`${home}/.local`)).toBe(false);
    // The same folder through the environment, from another working folder and without HOME: status and history find it.
    const st = run(['status', manifest, '--json'], '/', { RELOCATE_STATE_DIR: machine }, ['HOME']);
    expect(st.status, st.stderr).toBe(0);
    expect(st.doc()).toMatchObject({ inSync: true, changes: false });
    const h = run(['history', '--json'], '/', { RELOCATE_STATE_DIR: machine }, ['HOME']);
    expect(h.doc().stateDir).toBe(machine);
    expect(h.doc().runs).toHaveLength(1);
  });
});
