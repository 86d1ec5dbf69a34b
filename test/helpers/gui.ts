import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGuiServer, type GuiServer } from '../../src/gui/server/server.js';
import type { JobEvent } from '../../src/gui/api-types.js';
import { cliCommand } from './cli.js';

/**
 * A `relocate gui` server for tests, started in-process on a sandbox: a
 * temporary folder with a fake HOME, the manifest and the state folder
 * inside it (never a real user folder). The engine it drives is the built
 * CLI (`node dist/cli/bin.js`, or RELOCATE_TEST_CLI), so `npm run build`
 * comes first.
 */
export interface GuiSandbox {
  root: string;
  home: string;
  manifest: string;
  stateDir: string;
  server: GuiServer;
  port: number;
  /** `Cookie:` value of the session, after the token exchange. */
  cookie: string;
  close(): Promise<void>;
}

export async function startSandboxServer(opts: { manifestName?: string; platform?: NodeJS.Platform; singleUseToken?: boolean } = {}): Promise<GuiSandbox> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'relocate-gui-test-'));
  const home = path.join(root, 'home');
  mkdirSync(home, { recursive: true });
  const manifest = path.join(root, opts.manifestName ?? 'relocate.yaml');
  const stateDir = path.join(root, 'state');
  const server = await startGuiServer({
    manifest,
    port: 0,
    engine: { command: cliCommand([]), stateDir, env: { ...process.env, HOME: home, NO_COLOR: '1' }, cwd: root },
    ...(opts.platform ? { platform: opts.platform } : {}),
    ...(opts.singleUseToken ? { singleUseToken: true } : {}),
  });
  const first = await http(server.port, { path: new URL(server.url).pathname + new URL(server.url).search });
  const setCookie = first.headers['set-cookie']?.[0] ?? '';
  const cookie = setCookie.split(';')[0]!;
  return {
    root,
    home,
    manifest,
    stateDir,
    server,
    port: server.port,
    cookie,
    async close() {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

/**
 * One raw HTTP request to 127.0.0.1:port with exactly the headers given
 * (fetch would set Origin and Host its own way): Host defaults to the
 * server's own.
 */
export function http(port: number, req: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: `127.0.0.1:${port}`, ...req.headers };
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const r = request({ host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.path, headers, setHost: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }));
    });
    r.on('error', reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

/** A GET as the page makes it: the session cookie, the server's own Host. */
export function get(s: GuiSandbox, p: string): Promise<HttpAnswer> {
  return http(s.port, { path: p, headers: { Cookie: s.cookie } });
}

/** A POST as the page makes it: cookie, Origin, X-Relocate and a JSON body. */
export function post(s: GuiSandbox, p: string, body: unknown, extra: Record<string, string> = {}): Promise<HttpAnswer> {
  return http(s.port, {
    method: 'POST',
    path: p,
    headers: { Cookie: s.cookie, Origin: `http://127.0.0.1:${s.port}`, 'X-Relocate': '1', 'Content-Type': 'application/json', ...extra },
    body: JSON.stringify(body),
  });
}

/** Listens on /api/events and collects the JobEvents until one `done` (or the timeout). */
export function collectEvents(s: GuiSandbox, timeoutMs = 60_000): { ready: Promise<void>; done: Promise<JobEvent[]>; raw: () => string } {
  let raw = '';
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));
  const done = new Promise<JobEvent[]>((resolve, reject) => {
    const events: JobEvent[] = [];
    const r = request(
      { host: '127.0.0.1', port: s.port, path: '/api/events', headers: { Host: `127.0.0.1:${s.port}`, Cookie: s.cookie }, setHost: false },
      (res) => {
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (c: string) => {
          raw += c;
          buf += c;
          if (raw.startsWith('retry:')) readyResolve();
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            for (const line of block.split('\n')) {
              if (!line.startsWith('data: ')) continue;
              const e = JSON.parse(line.slice(6)) as JobEvent;
              events.push(e);
              if (e.type === 'done') {
                clearTimeout(timer);
                r.destroy();
                resolve(events);
              }
            }
          }
        });
      },
    );
    const timer = setTimeout(() => {
      r.destroy();
      reject(new Error(`no done event within ${timeoutMs} ms; got: ${raw}`));
    }, timeoutMs);
    r.on('error', (err) => {
      if (!(err as NodeJS.ErrnoException).code?.startsWith('ECONNRESET')) reject(err);
    });
    r.end();
  });
  return { ready, done, raw: () => raw };
}
