import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ErrorCode } from '../../core/codes.js';
import type { AddressInfo } from 'node:net';
import { WEB_ASSETS } from '../generated/web-assets.js';
import { makePrivateTempFolder, removePrivateTempFolder } from '../../platform/temp-folder.js';
import type { EngineConfig } from './engine.js';
import { Jobs } from './jobs.js';
import { EngineRefusal, GET_ROUTES, POST_ROUTES, ServerRefusal, type RouteContext } from './routes.js';
import {
  authenticated,
  hostAllowed,
  MAX_BODY_BYTES,
  newSecrets,
  postRefusal,
  SECURITY_HEADERS,
  sessionCookie,
  tokenExchanged,
  type Secrets,
} from './security.js';

/**
 * `relocate gui`'s HTTP server (node:http on 127.0.0.1 only). Every request
 * passes the checks of security.ts in order — Host (421), session (401),
 * method (405), Origin and X-Relocate on POST (403), body size (413) and
 * type (415) — before a route runs; every answer carries SECURITY_HEADERS
 * and never an Access-Control-* header. The routes (routes.ts) drive
 * relocate's own CLI; nothing here decides a rule of relocate.
 */

/** How to start the server. Invariant: `manifest` is absolute; `engine.command` starts this same relocate. */
export interface GuiServerOptions {
  manifest: string;
  engine: EngineConfig;
  /** 0: a free port chosen by the OS. */
  port: number;
  platform?: NodeJS.Platform;
  /** The token opens one browser session only (Secrets.singleUse): for an address handed to a browser on a command line. */
  singleUseToken?: boolean;
}

/** A running server: the URL to open (with the one-time token), and how to stop it. */
export interface GuiServer {
  /** `http://127.0.0.1:PORT/?token=…` */
  url: string;
  port: number;
  close(): Promise<void>;
}

const TEMP_PREFIX = 'relocate-gui-';

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function refusal(
  res: ServerResponse,
  status: number,
  code: ErrorCode,
  message: string,
  hint: string | null = null,
  headers: Record<string, string> = {},
): void {
  send(res, status, { ok: false, error: { code, message, path: null, hint } }, headers);
}

/** The request body as JSON, at most MAX_BODY_BYTES; undefined after answering 413/415/400 itself. */
async function readJsonBody(req: IncomingMessage, res: ServerResponse): Promise<{ value: unknown } | undefined> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    refusal(res, 415, 'E_BAD_REQUEST', 'the body must be JSON (Content-Type: application/json)');
    return undefined;
  }
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) {
    refusal(res, 413, 'E_BAD_REQUEST', `the body is larger than ${MAX_BODY_BYTES} bytes`, null, { Connection: 'close' });
    req.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      refusal(res, 413, 'E_BAD_REQUEST', `the body is larger than ${MAX_BODY_BYTES} bytes`, null, { Connection: 'close' });
      req.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return { value: text === '' ? {} : (JSON.parse(text) as unknown) };
  } catch {
    refusal(res, 400, 'E_BAD_REQUEST', 'the body is not valid JSON');
    return undefined;
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, port: number, secrets: Secrets, ctx: RouteContext): Promise<void> {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  // 1. DNS rebinding: a page of another name resolving to 127.0.0.1 sends its own name as Host.
  if (!hostAllowed(req.headers.host, port)) return refusal(res, 421, 'E_HOST', `this server answers only as 127.0.0.1:${port} or localhost:${port}`);
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  // 2. The token or the session cookie.
  if (!authenticated(req, url, secrets))
    return refusal(
      res,
      401,
      'E_AUTH',
      'this page needs the address relocate gui printed or opened (with its ?token=)',
      'run `relocate gui` again to get a new address',
    );
  const route = url.pathname;
  const method = req.method ?? 'GET';
  if (url.searchParams.has('token') && route === '/' && method === 'GET') {
    // The token leaves the address bar (and the history entry) at once: the cookie carries the session from now on.
    tokenExchanged(secrets);
    res.writeHead(303, { Location: '/', 'Set-Cookie': sessionCookie(secrets), 'Content-Length': '0' });
    return void res.end();
  }
  const post = Object.hasOwn(POST_ROUTES, route) ? POST_ROUTES[route] : undefined;
  const get = Object.hasOwn(GET_ROUTES, route) ? GET_ROUTES[route] : undefined;
  const asset = Object.hasOwn(WEB_ASSETS, route) ? WEB_ASSETS[route] : undefined;
  if (!post && !get && !asset && route !== '/api/events') return refusal(res, 404, 'E_NOT_FOUND', `no such page: ${route}`);
  // 3. Methods: a route that changes anything is POST only; the rest GET only.
  if (post && method !== 'POST') return refusal(res, 405, 'E_METHOD', `${route} changes something: it takes POST only`, null, { Allow: 'POST' });
  if (!post && method !== 'GET') return refusal(res, 405, 'E_METHOD', `${route} takes GET only`, null, { Allow: 'GET' });
  if (asset) {
    res.writeHead(200, { 'Content-Type': asset.type, 'Content-Length': Buffer.byteLength(asset.body) });
    return void res.end(asset.body);
  }
  if (route === '/api/events') return ctx.jobs.listen(res);
  let body: unknown;
  if (post) {
    // 4. Another page (another localhost port gets the cookie too) is stopped here.
    const why = postRefusal(req, port);
    if (why) return refusal(res, 403, 'E_ORIGIN', why);
    const read = await readJsonBody(req, res);
    if (!read) return;
    body = read.value;
  }
  const answerOf = post ?? get;
  // Every other route returned above: an asset, the events, or a 404.
  if (!answerOf) return refusal(res, 404, 'E_NOT_FOUND', `no such page: ${route}`);
  try {
    const answer = await answerOf(ctx, { query: url.searchParams, body });
    send(res, 200, { ok: true, ...(answer as object) });
  } catch (err) {
    if (err instanceof EngineRefusal) return send(res, 200, { ok: false, error: err.error });
    if (err instanceof ServerRefusal) return send(res, err.status, { ok: false, error: err.error });
    send(res, 500, {
      ok: false,
      error: {
        code: 'E_INTERNAL',
        message: `relocate gui hit an unexpected problem: ${(err as Error)?.message ?? String(err)}`,
        path: null,
        hint: 'see the terminal relocate gui runs in',
      },
    });
  }
}

/**
 * Starts the server on 127.0.0.1 (never another interface) and resolves
 * once it listens. Its private temporary folder (previews, saved plans) is
 * removed by close(), which also stops a running job at a safe point.
 */
export async function startGuiServer(opts: GuiServerOptions): Promise<GuiServer> {
  const temp = await makePrivateTempFolder(TEMP_PREFIX);
  const jobs = new Jobs(opts.platform ?? process.platform);
  let id = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const ctx: RouteContext = {
    engine: opts.engine,
    manifest: opts.manifest,
    jobs,
    temp,
    plans: new Map(),
    platform: opts.platform ?? process.platform,
    nextId: () => ++id,
    serialize: <T>(work: () => Promise<T>) => {
      const run = queue.then(work, work);
      queue = run.catch(() => undefined);
      return run;
    },
  };
  let secrets: Secrets | undefined;
  const server: Server = createServer((req, res) => {
    // The secrets are made in the 'listening' callback, which runs before any connection is handled.
    if (!secrets) return refusal(res, 503, 'E_STARTING', 'relocate gui is starting');
    void handle(req, res, (server.address() as AddressInfo).port, secrets, ctx).catch(() => {
      if (!res.headersSent) refusal(res, 500, 'E_INTERNAL', 'relocate gui could not answer');
      else res.end();
    });
  });
  server.requestTimeout = 0;
  const made = await new Promise<Secrets>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      secrets = newSecrets((server.address() as AddressInfo).port, opts.singleUseToken === true);
      resolve(secrets);
    });
  }).catch(async (err) => {
    await removePrivateTempFolder(temp, TEMP_PREFIX);
    throw err;
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${made.token}`,
    port,
    async close() {
      await jobs.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await removePrivateTempFolder(temp, TEMP_PREFIX);
    },
  };
}
