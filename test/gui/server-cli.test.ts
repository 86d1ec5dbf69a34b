import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliCommand } from '../helpers/cli.js';
import { http } from '../helpers/gui.js';

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
    expect(overview.json()).toMatchObject({ ok: true, manifest: { path: path.join(root, 'relocate.yaml'), exists: false }, stateDir: path.join(root, 'state'), entries: [] });
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(stderr).toContain('SIGINT');
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
