import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, constantTimeEqual } from '../../src/gui/server/security.js';
import { get, http, post, startSandboxServer, type GuiSandbox, type HttpAnswer } from '../helpers/gui.js';

/**
 * Every security rule of `relocate gui`'s server (issue 20), each checked
 * over plain HTTP with explicit Host, Origin and Cookie headers against a
 * server started on a sandbox. Each test fails when its check is removed
 * from src/gui/server (tried one by one; see the README's "gui" section).
 */

let s: GuiSandbox;
let other: GuiSandbox;

beforeAll(async () => {
  s = await startSandboxServer();
  // A second GUI on another port: its page is same-site with the first (cookies ignore ports).
  other = await startSandboxServer();
});

afterAll(async () => {
  await s?.close();
  await other?.close();
});

const move = () => ({ source: path.join(s.home, 'Games'), destinationParent: path.join(s.root, 'dst') });

function expectSecurityHeaders(a: HttpAnswer): void {
  expect(a.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  expect(a.headers['x-content-type-options']).toBe('nosniff');
  expect(a.headers['referrer-policy']).toBe('no-referrer');
  expect(a.headers['cache-control']).toBe('no-store');
  expect(Object.keys(a.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
}

describe('the token and the session cookie', () => {
  it('the URL carries a token of at least 128 random bits', () => {
    const token = new URL(s.server.url).searchParams.get('token')!;
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(token).not.toBe(new URL(other.server.url).searchParams.get('token'));
    expect(new URL(s.server.url).origin).toBe(`http://127.0.0.1:${s.port}`);
  });

  it('the first visit exchanges the token for an HttpOnly SameSite=Strict cookie and a 303 to / (the token leaves the address bar)', async () => {
    const a = await http(s.port, { path: new URL(s.server.url).pathname + new URL(s.server.url).search });
    expect(a.status).toBe(303);
    expect(a.headers.location).toBe('/');
    const cookie = a.headers['set-cookie']![0]!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toContain(new URL(s.server.url).searchParams.get('token'));
    expectSecurityHeaders(a);
    // The cookie alone opens the page.
    const page = await get(s, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
  });

  it('without a token or cookie, or with wrong ones, every page and route answers 401', async () => {
    for (const p of ['/', '/app.js', '/api/overview', '/api/events', '/api/history']) {
      const none = await http(s.port, { path: p });
      expect(none.status, p).toBe(401);
      expectSecurityHeaders(none);
      const wrongCookie = await http(s.port, { path: p, headers: { Cookie: `${s.cookie.split('=')[0]}=${'0'.repeat(64)}` } });
      expect(wrongCookie.status, p).toBe(401);
    }
    const wrongToken = await http(s.port, { path: `/?token=${'a'.repeat(64)}` });
    expect(wrongToken.status).toBe(401);
    expect(wrongToken.headers['set-cookie']).toBeUndefined();
    const moves = await http(s.port, {
      method: 'POST',
      path: '/api/moves',
      headers: { Origin: `http://127.0.0.1:${s.port}`, 'X-Relocate': '1', 'Content-Type': 'application/json' },
      body: JSON.stringify(move()),
    });
    expect(moves.status).toBe(401);
    expect(existsSync(s.manifest)).toBe(false);
  });

  it("another GUI's cookie (same site, another port) does not open this one", async () => {
    const a = await http(s.port, { path: '/api/overview', headers: { Cookie: other.cookie } });
    expect(a.status).toBe(401);
  });

  it('a printed address (--no-open) stays good; one the server handed to a browser opens one session only', async () => {
    const tokenPath = (g: GuiSandbox) => new URL(g.server.url).pathname + new URL(g.server.url).search;
    // The sandbox servers made their first exchange at start: a printed token still opens a second browser.
    const again = await http(s.port, { path: tokenPath(s) });
    expect(again.status).toBe(303);
    const once = await startSandboxServer({ singleUseToken: true });
    try {
      // Its first exchange was the sandbox's own: the token, read off a command line by someone else, opens nothing now.
      const stolen = await http(once.port, { path: tokenPath(once) });
      expect(stolen.status).toBe(401);
      expect(stolen.headers['set-cookie']).toBeUndefined();
      expect((await http(once.port, { path: `/api/overview?token=${new URL(once.server.url).searchParams.get('token')}` })).status).toBe(401);
      // The browser that came first keeps its session.
      expect((await get(once, '/api/overview')).status).toBe(200);
    } finally {
      await once.close();
    }
  });

  it('tokens are compared whole (constant-time compare of hashes)', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', 'abc')).toBe(false);
  });
});

describe('the Host allowlist (DNS rebinding)', () => {
  it('answers 421 to any Host but 127.0.0.1:PORT and localhost:PORT, before checking the session', async () => {
    for (const host of [
      'evil.example',
      `evil.example:${s.port}`,
      `127.0.0.1:${s.port + 1}`,
      '127.0.0.1',
      `localhost.evil.example:${s.port}`,
      `[::1]:${s.port}`,
    ]) {
      const a = await http(s.port, { path: '/api/overview', headers: { Host: host, Cookie: s.cookie } });
      expect(a.status, host).toBe(421);
      expectSecurityHeaders(a);
    }
    const localhost = await http(s.port, { path: '/api/overview', headers: { Host: `localhost:${s.port}`, Cookie: s.cookie } });
    expect(localhost.status).toBe(200);
  });

  it('a POST with a foreign Host changes nothing', async () => {
    const a = await http(s.port, {
      method: 'POST',
      path: '/api/moves',
      headers: {
        Host: `evil.example:${s.port}`,
        Cookie: s.cookie,
        Origin: `http://evil.example:${s.port}`,
        'X-Relocate': '1',
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(move()),
    });
    expect(a.status).toBe(421);
    expect(existsSync(s.manifest)).toBe(false);
  });
});

describe('changes: POST only, with this server’s Origin and X-Relocate: 1', () => {
  it('a POST without Origin, from another origin (another localhost port too) or without X-Relocate: 1 answers 403 and changes nothing', async () => {
    const cases: Record<string, string>[] = [
      { 'X-Relocate': '1' },
      { Origin: `http://127.0.0.1:${other.port}`, 'X-Relocate': '1' },
      { Origin: `http://localhost:${other.port}`, 'X-Relocate': '1' },
      { Origin: 'http://evil.example', 'X-Relocate': '1' },
      { Origin: 'null', 'X-Relocate': '1' },
      { Origin: `http://127.0.0.1:${s.port}` },
      { Origin: `http://127.0.0.1:${s.port}`, 'X-Relocate': '0' },
    ];
    for (const h of cases) {
      const a = await http(s.port, {
        method: 'POST',
        path: '/api/moves',
        headers: { Cookie: s.cookie, 'Content-Type': 'application/json', ...h },
        body: JSON.stringify(move()),
      });
      expect(a.status, JSON.stringify(h)).toBe(403);
      expect(a.json().ok).toBe(false);
      expectSecurityHeaders(a);
    }
    expect(existsSync(s.manifest)).toBe(false);
  });

  it('a GET (or PUT, DELETE) of a route that changes something answers 405 and changes nothing; a POST to a reading route 405 too', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const a = await http(s.port, {
        method,
        path: '/api/moves',
        headers: { Cookie: s.cookie, Origin: `http://127.0.0.1:${s.port}`, 'X-Relocate': '1', 'Content-Type': 'application/json' },
        body: JSON.stringify(move()),
      });
      expect(a.status, method).toBe(405);
      expect(a.headers.allow).toBe('POST');
    }
    for (const p of ['/api/apply', '/api/rollback', '/api/entries/absent', '/api/adopt', '/api/plan', '/api/preview-move', '/api/apply-elevated']) {
      expect((await get(s, p)).status, p).toBe(405);
    }
    expect((await post(s, '/api/overview', {})).status).toBe(405);
    expect(existsSync(s.manifest)).toBe(false);
  });

  it('a CORS preflight gets no Access-Control-* header', async () => {
    const a = await http(s.port, {
      method: 'OPTIONS',
      path: '/api/moves',
      headers: { Cookie: s.cookie, Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-relocate' },
    });
    expect(a.status).toBe(405);
    expectSecurityHeaders(a);
  });

  it('bodies: JSON only (415), at most 64 KiB (413), valid (400)', async () => {
    const base = { Cookie: s.cookie, Origin: `http://127.0.0.1:${s.port}`, 'X-Relocate': '1' };
    expect(
      (await http(s.port, { method: 'POST', path: '/api/moves', headers: { ...base, 'Content-Type': 'text/plain' }, body: JSON.stringify(move()) })).status,
    ).toBe(415);
    expect(
      (await http(s.port, { method: 'POST', path: '/api/moves', headers: { ...base, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'source=/x' }))
        .status,
    ).toBe(415);
    const big = await http(s.port, {
      method: 'POST',
      path: '/api/moves',
      headers: { ...base, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...move(), pad: 'x'.repeat(70_000) }),
    });
    expect(big.status).toBe(413);
    expect(
      (await http(s.port, { method: 'POST', path: '/api/moves', headers: { ...base, 'Content-Type': 'application/json' }, body: '{not json' })).status,
    ).toBe(400);
    expect(existsSync(s.manifest)).toBe(false);
  });
});

describe('every answer', () => {
  it('carries the strict CSP, nosniff, no-referrer, no-store, and no CORS header: pages, assets, JSON, errors', async () => {
    for (const p of ['/', '/app.js', '/app.css', '/api/overview', '/api/history', '/nope']) {
      const a = await get(s, p);
      expect(a.status, p).toBe(p === '/nope' ? 404 : 200);
      expectSecurityHeaders(a);
    }
    const page = await get(s, '/');
    // No external asset: every src/href of the page is on the server itself, or data the page carries (the empty favicon, `data:,`).
    const refs = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(r).toMatch(/^(?:\/[^/]|data:)/);
  });

  it('JSON answers are application/json', async () => {
    expect((await get(s, '/api/overview')).headers['content-type']).toBe('application/json; charset=utf-8');
  });
});

describe('listening', () => {
  it('on 127.0.0.1 only: another loopback address is refused', async () => {
    const refused = await new Promise<string>((resolve) => {
      const c = connect({ host: '127.0.0.2', port: s.port });
      c.on('connect', () => {
        c.destroy();
        resolve('connected');
      });
      c.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});
