import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMAND_HELP } from '../../src/cli/help.js';
import { REPO_ROOT, runCliAsync } from '../helpers/cli.js';

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
    for (const c of ['validate', 'plan', 'status', 'apply', 'rollback', 'resume', 'history', 'import', 'doctor', 'completion', 'demo']) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
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

describe('relocate demo', () => {
  it('walks plan, apply, status, history and rollback in its sandbox and removes it', async () => {
    const r = await runCliAsync(['demo']);
    expect(r.status).toBe(0);
    const order = ['$ relocate plan', '$ relocate apply', 'In sync', '$ relocate history', '$ relocate rollback', 'Rolled back', 'was removed'];
    let at = 0;
    for (const s of order) {
      const i = r.stdout.indexOf(s, at);
      expect(i, `expected "${s}" after position ${at}`).toBeGreaterThanOrEqual(0);
      at = i;
    }
    const root = /a sandbox in (\S+)/.exec(r.stdout)![1]!;
    const { existsSync } = await import('node:fs');
    expect(existsSync(root)).toBe(false);
  });
});
