import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliCommand } from '../helpers/cli.js';
import { http, type HttpAnswer } from '../helpers/gui.js';

/** `relocate gui --no-open --port 0` as a user runs it: the URL on stdout, serving until Ctrl-C (SIGINT), then exit 0. */

const root = mkdtempSync(path.join(os.tmpdir(), 'relocate-gui-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('relocate gui', () => {
  it('prints http://127.0.0.1:PORT/?token=… on stdout, serves the page, and stops on SIGINT', async () => {
    const [cmd, ...args] = cliCommand(['gui', path.join(root, 'relocate.yaml'), '--no-open', '--port', '0', '--state-dir', path.join(root, 'state')]);
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, HOME: root, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL; stderr: ${stderr}`)), 20_000);
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
        if (stdout.includes('\n')) {
          clearTimeout(timer);
          resolve(stdout.trim());
        }
      });
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+\/\?token=[0-9a-f]{64}$/);
    const u = new URL(url);
    const port = Number(u.port);
    const first = await http(port, { path: `/${u.search}` });
    expect(first.status).toBe(303);
    const cookie = first.headers['set-cookie']![0]!.split(';')[0]!;
    const page = await http(port, { path: '/', headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    const overview = await http(port, { path: '/api/overview', headers: { Cookie: cookie } });
    expect(overview.json()).toMatchObject({
      ok: true,
      manifest: { path: path.join(root, 'relocate.yaml'), exists: false },
      stateDir: path.join(root, 'state'),
      entries: [],
    });
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(stderr).toContain('SIGINT');
  });

  it('opening the browser itself: the address goes to the opener only (nothing on stdout), and its token opens one session', async () => {
    // A stand-in for xdg-open on PATH: it writes down the address it was given and exits 0, as a desktop's opener does.
    const bin = path.join(root, 'opener-bin');
    mkdirSync(bin, { recursive: true });
    const seen = path.join(root, 'opener-saw.txt');
    writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${seen}'\n`, { mode: 0o755 });
    const [cmd, ...args] = cliCommand(['gui', path.join(root, 'relocate.yaml'), '--port', '0', '--state-dir', path.join(root, 'state')]);
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, HOME: root, NO_COLOR: '1', PATH: `${bin}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      for (const started = Date.now(); !stderr.includes('in your browser'); await new Promise((r) => setTimeout(r, 100))) {
        if (Date.now() - started > 20_000) throw new Error(`no "opened" message; stderr: ${stderr}`);
      }
      expect(stdout).toBe('');
      expect(stderr).not.toMatch(/token=/);
      expect(stderr).toContain('relocate gui --no-open');
      const url = new URL(readFileSync(seen, 'utf8'));
      expect(url.searchParams.get('token')).toMatch(/^[0-9a-f]{64}$/);
      const port = Number(url.port);
      const first = await http(port, { path: `/${url.search}` });
      expect(first.status).toBe(303);
      // The same address again (read off the opener's command line by someone else): nothing.
      const second = await http(port, { path: `/${url.search}` });
      expect(second.status).toBe(401);
      const cookie = first.headers['set-cookie']![0]!.split(';')[0]!;
      expect((await http(port, { path: '/api/overview', headers: { Cookie: cookie } })).status).toBe(200);
    } finally {
      child.kill('SIGINT');
      await exit;
    }
  });

  it('a port in use is a clear E_USAGE', async () => {
    const { createServer } = await import('node:net');
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    const [cmd, ...args] = cliCommand(['gui', path.join(root, 'relocate.yaml'), '--no-open', '--port', String(port)]);
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = spawn(cmd, args, { cwd: root, env: { ...process.env, HOME: root, NO_COLOR: '1' } });
      let err = '';
      c.stderr.setEncoding('utf8').on('data', (x: string) => (err += x));
      c.on('close', (code) => resolve({ code, stderr: err }));
    });
    busy.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the port is in use');
  });
});

/** Starts `relocate gui --no-open` in a process group of its own (as a terminal runs it) and logs in. */
async function startGuiChild(args: string[], home: string): Promise<{ child: ChildProcess; port: number; cookie: string; stderr: () => string }> {
  const [cmd, ...rest] = cliCommand(['gui', ...args, '--no-open']);
  const child = spawn(cmd, rest, { cwd: root, env: { ...process.env, HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL; stderr: ${stderr}`)), 20_000);
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      if (stdout.includes('\n')) {
        clearTimeout(timer);
        resolve(stdout.trim());
      }
    });
  });
  const u = new URL(url);
  const port = Number(u.port);
  const first = await http(port, { path: `/${u.search}` });
  return { child, port, cookie: first.headers['set-cookie']![0]!.split(';')[0]!, stderr: () => stderr };
}

const SHM = '/dev/shm';
const crossVolume = existsSync(SHM) && statSync(SHM).dev !== statSync(os.tmpdir()).dev;

describe('Ctrl-C while a job runs', () => {
  it.skipIf(!crossVolume)(
    'reaches the server alone, which stops the job once, at a safe point: the apply rolls back and the disk is as before',
    async () => {
      const home = path.join(root, 'home-ctrl-c');
      const games = path.join(home, 'Games');
      mkdirSync(games, { recursive: true });
      for (let i = 0; i < 40; i++) writeFileSync(path.join(games, `f${i}.bin`), Buffer.alloc(8 * 1024 * 1024, i));
      const dst = mkdtempSync(path.join(SHM, 'relocate-gui-ctrl-c-'));
      const state = path.join(root, 'state-ctrl-c');
      const g = await startGuiChild([path.join(root, 'ctrl-c.yaml'), '--state-dir', state], home);
      try {
        const postJson = (p: string, body: unknown): Promise<HttpAnswer> =>
          http(g.port, {
            method: 'POST',
            path: p,
            headers: { Cookie: g.cookie, Origin: `http://127.0.0.1:${g.port}`, 'X-Relocate': '1', 'Content-Type': 'application/json' },
            body: JSON.stringify(body),
          });
        expect((await postJson('/api/moves', { source: games, destinationParent: dst })).status).toBe(200);
        const plan = (await postJson('/api/plan', {})).json() as { planId: string };
        // Listen for the copy to begin, then press "Ctrl-C": SIGINT to the whole process group, as a terminal sends it.
        const copying = new Promise<void>((resolve) => {
          const r = request(
            { host: '127.0.0.1', port: g.port, path: '/api/events', headers: { Host: `127.0.0.1:${g.port}`, Cookie: g.cookie }, setHost: false },
            (res) => {
              res.setEncoding('utf8').on('data', (c: string) => {
                if (/"text":"copy /.test(c)) resolve();
              });
              res.on('error', () => undefined);
            },
          );
          r.on('error', () => undefined);
          r.end();
        });
        expect((await postJson('/api/apply', { planId: plan.planId })).status).toBe(200);
        await copying;
        const exit = new Promise<number | null>((resolve) => g.child.on('close', resolve));
        process.kill(-g.child.pid!, 'SIGINT');
        expect(await exit).toBe(0);
        // Stopped once, at a safe point, and rolled back: the folder is back with its data, nothing left at the target.
        expect(lstatSync(games).isDirectory()).toBe(true);
        expect(readdirSync(games).length).toBe(40);
        expect(readdirSync(dst)).toEqual([]);
        const [hcmd, ...hargs] = cliCommand(['history', '--json', '--state-dir', state]);
        const history = JSON.parse(spawnSync(hcmd, hargs, { encoding: 'utf8' }).stdout) as { runs: { status: string }[] };
        expect(history.runs.map((r) => r.status)).toEqual(['rolled-back']);
      } finally {
        if (g.child.exitCode === null) g.child.kill('SIGKILL');
        rmSync(dst, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
