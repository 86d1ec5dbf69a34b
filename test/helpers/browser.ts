import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { cliCommand, REPO_ROOT } from './cli.js';

/**
 * The browser tests' tools (test/gui/browser.test.ts): Debian's Chromium
 * driven by playwright-core (no browser download), `relocate gui` started
 * for real on a sandbox, and a second web server on another port playing
 * the hostile page.
 */

/** The system Chromium (Debian's `chromium` package; .ci/run installs it). RELOCATE_TEST_CHROMIUM names another. */
export const CHROMIUM = process.env.RELOCATE_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function browserMissing(): string | null {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set RELOCATE_TEST_CHROMIUM)`;
  return null;
}

/** A host name the tests make Chromium resolve to 127.0.0.1, as a DNS-rebinding attacker's name would. */
export const EVIL_HOST = 'evil.test';

/**
 * Chromium, headless, with a fresh profile: `chromium.launch` gives every
 * browser its own temporary user-data-dir, removed on close, and HOME and
 * the XDG folders point into a temporary folder of ours too (Chromium keeps
 * its crash reports and certificate store under HOME, and a test must not
 * write into the real one); close() removes it. `--no-sandbox` because CI
 * runs as root (Chromium refuses to start as root otherwise);
 * `--disable-dev-shm-usage` for containers with a small /dev/shm.
 * `--host-resolver-rules` maps EVIL_HOST to 127.0.0.1 for the rebinding test.
 */
export async function launchBrowser(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const home = mkdtempSync(path.join(os.tmpdir(), 'relocate-chromium-home-'));
  const browser = await chromium
    .launch({
      executablePath: CHROMIUM,
      env: {
        ...process.env,
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, '.config'),
        XDG_CACHE_HOME: path.join(home, '.cache'),
        XDG_DATA_HOME: path.join(home, '.local/share'),
      },
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
        `--host-resolver-rules=MAP ${EVIL_HOST} 127.0.0.1`,
      ],
      timeout: 60_000,
    })
    .catch((err: unknown) => {
      rmSync(home, { recursive: true, force: true });
      throw err;
    });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Errors the page printed or threw: a test expects none. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/**
 * A sandbox for one test: a fake home, a "C drive" folder holding Games
 * (a few files in subfolders, 6 MB in all: enough to show on a small
 * volume's bar) beside Photos and Documents, an empty "D drive" folder (`d`: another volume's folder
 * when the caller has one, else beside C), a state folder, and the
 * manifest's path (not created: the GUI makes it on the first move).
 */
export interface Sandbox {
  root: string;
  home: string;
  c: string;
  d: string;
  games: string;
  stateDir: string;
  manifest: string;
  /** The files of Games, by path relative to it, with their contents. */
  files: Record<string, string>;
  /** Bytes of data in Games. */
  bytes: number;
  remove(): void;
}

export function makeSandbox(dOnAnotherVolume?: string): Sandbox {
  // realpath: /tmp may itself be a link, and the engine reports resolved paths.
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'relocate-browser-')));
  const home = path.join(root, 'home');
  const c = path.join(root, 'C');
  const d = dOnAnotherVolume ?? path.join(root, 'D');
  const games = path.join(c, 'Games');
  const stateDir = path.join(root, 'state');
  const files: Record<string, string> = {
    'readme.txt': 'my games\n',
    'Racer/racer.bin': 'R'.repeat(6_000_000),
    'Racer/saves/slot1.sav': 'slot one\n',
    'Puzzle/puzzle.dat': 'P'.repeat(25_000),
  };
  for (const dir of [home, d, stateDir]) mkdirSync(dir, { recursive: true });
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(games, rel)), { recursive: true });
    writeFileSync(path.join(games, rel), body);
  }
  const bytes = Object.values(files).reduce((n, b) => n + Buffer.byteLength(b), 0);
  // Neighbours of Games on C, so a scan of C shows folders side by side, drawn to scale.
  for (const [rel, size] of [
    ['Photos/2026/beach.jpg', 2_500_000],
    ['Documents/taxes.pdf', 700_000],
  ] as const) {
    mkdirSync(path.dirname(path.join(c, rel)), { recursive: true });
    writeFileSync(path.join(c, rel), Buffer.alloc(size, 7));
  }
  return {
    root,
    home,
    c,
    d,
    games,
    stateDir,
    manifest: path.join(root, 'relocate.yaml'),
    files,
    bytes,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface Gui {
  /** The URL the server printed, with its one-time token. */
  url: string;
  origin: string;
  port: number;
  token: string;
  child: ChildProcess;
  /** What the server printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `relocate gui --no-open --port 0 MANIFEST --state-dir DIR` with the sandbox as HOME, and waits for the URL it prints. */
export async function startGui(sb: Sandbox, timeoutMs = 30_000): Promise<Gui> {
  const [cmd, ...args] = cliCommand(['gui', '--no-open', '--port', '0', sb.manifest, '--state-dir', sb.stateDir]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: sb.home,
    USERPROFILE: sb.home,
    XDG_STATE_HOME: path.join(sb.home, '.local/state'),
    XDG_CONFIG_HOME: path.join(sb.home, '.config'),
    XDG_CACHE_HOME: path.join(sb.home, '.cache'),
    NO_COLOR: '1',
    BROWSER: 'false',
  };
  delete env.RELOCATE_STATE_DIR;
  const child = spawn(cmd, args, { cwd: sb.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const stopped = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relocate gui printed no URL within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const look = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /http:\/\/(?:127\.0\.0\.1|localhost):\d+\/\?token=[0-9A-Za-z_-]+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`relocate gui ended (${code ?? signal}) before printing its URL:\n${out}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token') ?? '',
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await stopped;
      clearTimeout(timer);
    },
  };
}

/** A plain web server on another port of 127.0.0.1 serving one page: the hostile site of the CSRF tests. */
export async function startOtherSite(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>another site</title><h1>another site</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A raw HTTP request to the GUI with any headers (Host included, which fetch would not let a test choose). */
export function rawRequest(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** Where the tests save their screenshots (gitignored); scripts/gui-screenshots.mjs copies the README's from here. */
export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'gui');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * Presses Tab until the focused element matches `selector` (at most `max`
 * times), and fails saying where the focus went instead: a control that Tab
 * cannot reach fails here.
 */
export async function tabTo(page: Page, selector: string, max = 60): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector);
    if (hit) return;
    seen.push(
      await page.evaluate(() => {
        const el = document.activeElement;
        return el ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.textContent ? ` "${el.textContent.trim().slice(0, 30)}"` : ''}` : 'nothing';
      }),
    );
  }
  throw new Error(`Tab never reached ${selector}; focus went through: ${seen.join(' → ')}`);
}

export type { Browser, BrowserContext, Page };
