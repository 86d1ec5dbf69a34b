import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cliCommand, runCliAsync } from '../helpers/cli.js';

/**
 * `apply|rollback --progress json`: one JSON object per line on stderr for
 * each executor event (the contract `relocate gui` reads), while stdout
 * keeps its one JSON document. The data moves to a tmpfs (/dev/shm) when
 * there is one, so the move copies and reports bytes.
 */

const SHM = '/dev/shm';
const crossVolume = existsSync(SHM) && statSync(SHM).dev !== statSync(os.tmpdir()).dev;

let root: string;
let dst: string;
let env: Record<string, string>;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'relocate-progress-json-'));
  dst = crossVolume ? mkdtempSync(path.join(SHM, 'relocate-progress-json-')) : path.join(root, 'dst');
  mkdirSync(path.join(root, 'home', 'Games'), { recursive: true });
  for (let i = 0; i < 4; i++) writeFileSync(path.join(root, 'home', 'Games', `f${i}.bin`), Buffer.alloc(3 * 1024 * 1024, i));
  writeFileSync(path.join(root, 'm.yaml'), `version: 1\nlinks:\n  - link: ${path.join(root, 'home', 'Games')}\n    target: ${path.join(dst, 'Games')}\n`);
  env = { HOME: path.join(root, 'home') };
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  if (crossVolume) rmSync(dst, { recursive: true, force: true });
});

type Line = Record<string, unknown> & { progress: 1; event: string };

function lines(stderr: string): Line[] {
  const out = stderr
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
  for (const l of out) expect(l.progress).toBe(1);
  return out;
}

describe('--progress json', () => {
  let runId: string;

  it('apply: start, entry, steps, progress with bytes, end on stderr; one JSON document on stdout', async () => {
    const r = await runCliAsync(['apply', path.join(root, 'm.yaml'), '--yes', '--json', '--progress', 'json', '--state-dir', path.join(root, 'state')], {
      env,
    });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { run: string; result: string };
    expect(doc.result).toBe('done');
    runId = doc.run;
    const ls = lines(r.stderr);
    expect(ls[0]).toEqual({ progress: 1, event: 'start', command: 'apply', entries: 1, bytesTotal: 12 * 1024 * 1024 });
    expect(ls[1]).toMatchObject({ event: 'entry', index: 1, of: 1, link: path.join(root, 'home', 'Games'), action: 'move' });
    expect(ls.filter((l) => l.event === 'step').map((l) => l.text)).toContainEqual(expect.stringMatching(/^create link /));
    if (crossVolume) {
      const progress = ls.filter((l) => l.event === 'progress');
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.some((l) => l.op === 'copy' && l.bytesDone === l.bytesTotal && (l.bytesTotal as number) >= 12 * 1024 * 1024)).toBe(true);
    }
    expect(ls.at(-1)).toEqual({ progress: 1, event: 'end', ok: true });
    expect(lstatSync(path.join(root, 'home', 'Games')).isSymbolicLink()).toBe(true);
  });

  it('rollback: the undo steps, then end', async () => {
    const r = await runCliAsync(['rollback', runId, '--yes', '--json', '--progress', 'json', '--state-dir', path.join(root, 'state')], { env });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).result).toBe('rolled-back');
    const ls = lines(r.stderr);
    expect(ls[0]).toMatchObject({ event: 'start', command: 'rollback', entries: 1 });
    expect(ls.some((l) => l.event === 'step' && l.undo === true)).toBe(true);
    expect(ls.at(-1)).toEqual({ progress: 1, event: 'end', ok: true });
    expect(lstatSync(path.join(root, 'home', 'Games')).isDirectory()).toBe(true);
  });

  /** The CLI with a stdin of the test's: `lines` written to it at once, the pipe left open (as a driving program keeps it). */
  function withStdin(args: string[], lines: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const [cmd, ...rest] = cliCommand(args);
    const child = spawn(cmd, rest, { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdin.write(lines);
    const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    return new Promise((resolve) => {
      child.on('close', (status) => {
        clearTimeout(killer);
        child.stdin.destroy();
        resolve({ status, stdout, stderr });
      });
    });
  }

  it('a `stop` line on stdin is Ctrl-C for the program driving the run: it stops at the next safe point and undoes it, exit 130', async () => {
    const state = path.join(root, 'state-stop');
    const r = await withStdin(['apply', path.join(root, 'm.yaml'), '--yes', '--json', '--progress', 'json', '--state-dir', state], 'stop\n');
    expect(r.status, r.stderr).toBe(130);
    expect(JSON.parse(r.stdout)).toMatchObject({ result: 'rolled-back', error: { code: 'E_INTERRUPTED' } });
    expect(r.stderr).toContain('stop (asked on stdin): stopping at the next safe point');
    expect(lstatSync(path.join(root, 'home', 'Games')).isDirectory()).toBe(true);
    expect(existsSync(path.join(dst, 'Games'))).toBe(false);
  });

  it('other lines on stdin change nothing, and a stdin left open does not keep relocate from exiting', async () => {
    const state = path.join(root, 'state-other');
    const r = await withStdin(['apply', path.join(root, 'm.yaml'), '--yes', '--json', '--progress', 'json', '--state-dir', state], 'hello\nstopping\n');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).result).toBe('done');
    expect(lstatSync(path.join(root, 'home', 'Games')).isSymbolicLink()).toBe(true);
    // Put back for the tests after this one.
    const back = await runCliAsync(['rollback', JSON.parse(r.stdout).run, '--yes', '--state-dir', state], { env });
    expect(back.status, back.stderr).toBe(0);
    expect(lstatSync(path.join(root, 'home', 'Games')).isDirectory()).toBe(true);
  });

  it('another format is E_USAGE; the option is in apply, rollback and resume help', async () => {
    const r = await runCliAsync(['apply', path.join(root, 'm.yaml'), '--yes', '--progress', 'xml', '--state-dir', path.join(root, 'state')], { env });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("E_USAGE: --progress must be json, not 'xml'");
    for (const cmd of ['apply', 'rollback', 'resume']) expect((await runCliAsync([cmd, '--help'])).stdout).toContain('--progress json');
  });
});
