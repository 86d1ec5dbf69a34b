import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_HELP } from '../../src/cli/help.js';
import { setprivReason } from '../exec/sandbox.js';
import { REPO_ROOT, runCliAsync } from '../helpers/cli.js';
import { tmpfsReason } from '../helpers/tmpfs.js';

const pkg = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { version: string };

describe.concurrent('the CLI itself', () => {
  it('--version prints the package version', async () => {
    const r = await runCliAsync(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('--help lists every command', async () => {
    const r = await runCliAsync(['--help']);
    expect(r.status).toBe(0);
    for (const c of ['validate', 'plan', 'status', 'apply', 'rollback', 'resume', 'history', 'import', 'scan', 'doctor', 'completion', 'demo'])
      expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
  });

  it.each(Object.keys(COMMAND_HELP))('%s --help shows usage and an example', async (cmd) => {
    const r = await runCliAsync([cmd, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Usage: relocate ${cmd}`);
    expect(r.stdout).toMatch(/Example/);
  });

  it('an unknown command is E_USAGE with exit 1 and no stack trace', async () => {
    const r = await runCliAsync(['frobnicate']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('E_USAGE');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a mistyped command suggests the nearest one', async () => {
    const r = await runCliAsync(['imprt']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unknown command 'imprt' (did you mean 'import'?)");
    const far = await runCliAsync(['frobnicate']);
    expect(far.stderr).not.toContain('did you mean');
  });

  it('an unknown option names the command help', async () => {
    const r = await runCliAsync(['plan', '--frob']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('relocate plan --help');
  });

  it('--json errors are one JSON document with code, message, path and hint', async () => {
    const r = await runCliAsync(['plan', '/nonexistent/relocate-test.yaml', '--json', '--state-dir', '/nonexistent/state']);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as { error: Record<string, unknown> };
    expect(Object.keys(doc.error).sort()).toEqual(['code', 'hint', 'message', 'path']);
    expect(doc.error.code).toBe('E_NOT_FOUND');
  });

  it('--verbose adds a stack trace only for internal detail', async () => {
    const plain = await runCliAsync(['frobnicate']);
    const verbose = await runCliAsync(['frobnicate', '--verbose']);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});

/** Whether a mount at or under `root` is still in this machine's mount table. */
function mountedUnder(root: string): boolean {
  if (!existsSync('/proc/self/mountinfo')) return false;
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => (l.split(' ')[4] ?? '').startsWith(root));
}

/** The text between the line holding `from` and the next `$ relocate` step. */
function stepOutput(out: string, from: string): string {
  const at = out.indexOf(from);
  expect(at, `expected "${from}" in the tour`).toBeGreaterThanOrEqual(0);
  const end = out.indexOf('\n$ relocate', at + from.length);
  return out.slice(at, end < 0 ? undefined : end);
}

/** Root on Linux: the demo mounts its fake D: (a tmpfs); elsewhere it says why it cannot. */
const MOUNTS = tmpfsReason() === undefined;
const NOBODY = MOUNTS && setprivReason() === undefined;
if (!MOUNTS) console.warn(`relocate demo: the cross-volume tour is not checked here: ${tmpfsReason()}`);

describe('relocate demo', () => {
  it('walks plan, apply, status, a change of target, history and rollback in its sandbox and removes it', async () => {
    const r = await runCliAsync(['demo']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const order = [
      '$ relocate plan',
      '$ relocate apply',
      'In sync',
      'Later you want the games in D/Archive/Games',
      '$ relocate plan',
      '$ relocate apply',
      'In sync',
      '$ relocate history',
      '$ relocate rollback',
      'Rolled back',
      '$ relocate rollback',
      'Rolled back',
      'was removed',
    ];
    let at = 0;
    for (const s of order) {
      const i = r.stdout.indexOf(s, at);
      expect(i, `expected "${s}" after position ${at}`).toBeGreaterThanOrEqual(0);
      at = i + 1;
    }
    const root = /a sandbox in (\S+)/.exec(r.stdout)![1]!;
    expect(existsSync(root)).toBe(false);
    expect(mountedUnder(root)).toBe(false);

    // The change of target: the plan names the applied entry's new target; the action word is the plan's
    // (relink on this branch, retarget once that action exists), never claimed by the narration.
    const replan = stepOutput(r.stdout, '# what would change? the plan says what happens to the data at the old target');
    expect(replan).toMatch(new RegExp(`^[~>] (relink|retarget) +${root}/C/Games → ${root}/D/Archive/Games`, 'm'));
    // Nothing is lost either way: the games are whole in exactly one of the two targets.
    const after = /D\/Archive\/Games is (.+), and D\/Games is (.+)\.\n/.exec(r.stdout)!;
    expect(
      [after[1], after[2]].filter((d) => d === 'a folder with 4 items'),
      after[0],
    ).toHaveLength(1);
    const seen = /Programs opening C\/Games find (.+)\.\n/.exec(r.stdout)![1];
    // The retarget moved the data with the new target: programs opening C/Games find the games, not an empty folder.
    expect(seen).toBe('a folder with 4 items');
    // Two runs, undone newest first: back to the start.
    expect(r.stdout).toMatch(/C\/Games is a folder with 4 items again, and D\/Games is nothing\./);
  }, 60_000);

  it.skipIf(!MOUNTS)(
    'as root on Linux the fake D: is a tmpfs of its own: the move copies, verifies and deletes, and the volume is unmounted at the end',
    async () => {
      const r = await runCliAsync(['demo']);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('The fake D: is a volume of its own (a small tmpfs)');
      const root = /a sandbox in (\S+)/.exec(r.stdout)![1]!;
      expect(stepOutput(r.stdout, '# what would change? (exit code 2')).toMatch(
        new RegExp(`${root}/C/Games → ${root}/D/Games  \\(symlink\\) 768 KiB \\(\\d+ KiB on disk\\) in 9 files, across volumes`),
      );
      expect(r.stdout).toContain('across volumes: copied, verified, then the original removed');
      expect(mountedUnder(root)).toBe(false);
    },
    60_000,
  );

  it.skipIf(!MOUNTS)(
    'the volume is unmounted and the sandbox removed when a step fails (a Ctrl-C during the first apply)',
    async () => {
      const r = await runCliAsync(['demo'], { env: { RELOCATE_TEST_SIGNAL_AFTER: '3:SIGINT' } });
      expect(r.status, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toContain('The fake D: is a volume of its own');
      const root = /a sandbox in (\S+)/.exec(r.stdout)![1]!;
      expect(r.stdout).toContain(`The sandbox ${root} was removed.`);
      expect(mountedUnder(root)).toBe(false);
      expect(existsSync(root)).toBe(false);
    },
    60_000,
  );

  it.skipIf(!MOUNTS)(
    '--keep keeps the sandbox but never the mount',
    async () => {
      const r = await runCliAsync(['demo', '--keep']);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const root = /a sandbox in (\S+)/.exec(r.stdout)![1]!;
      try {
        expect(r.stdout).toContain('Its fake D: volume was unmounted');
        expect(existsSync(path.join(root, 'relocate.yaml'))).toBe(true);
        expect(mountedUnder(root)).toBe(false);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it.skipIf(MOUNTS && !NOBODY)(
    'where it cannot mount (here: not root), the tour says why and the move is one rename',
    async () => {
      // As root, the tour runs as nobody (setpriv), with a lock registry nobody may write to.
      const lockDir = mkdtempSync(path.join(os.tmpdir(), 'relocate-demo-locks-'));
      chmodSync(lockDir, 0o1777);
      try {
        const r = await runCliAsync(
          ['demo'],
          MOUNTS ? { wrapper: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'], env: { RELOCATE_LOCK_DIR: lockDir } } : {},
        );
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).toMatch(
          /The fake D: is a folder on the same disk as C: \((mounting a volume needs root|the demo mounts a volume of its own only on Linux[^)]*|mount -t tmpfs failed[^)]*)\), so moving to it is one rename/,
        );
        const root = /a sandbox in (\S+)/.exec(r.stdout)![1]!;
        expect(stepOutput(r.stdout, '# what would change? (exit code 2')).toContain('same volume: one rename');
        expect(existsSync(root)).toBe(false);
      } finally {
        rmSync(lockDir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
