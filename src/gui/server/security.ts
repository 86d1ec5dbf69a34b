import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The checks every request to `relocate gui`'s server passes, in order
 * (README, "gui": security model). The server listens on 127.0.0.1 only,
 * but any local program and any web page the user visits can reach a
 * local port, so:
 *
 * 1. Host allowlist (421): only `127.0.0.1:PORT` and `localhost:PORT`. A
 *    DNS-rebinding page (evil.example resolving to 127.0.0.1) sends its
 *    own name as Host and is refused before anything else.
 * 2. Authentication (401): a random token of 256 bits, shown once in the
 *    URL the server opens, is exchanged on the first visit for a session
 *    cookie (HttpOnly, SameSite=Strict, Path=/) and a 303 to `/`, so the
 *    token leaves the address bar. Every other request needs that cookie
 *    (or the token itself); both compared in constant time. A token the
 *    server handed to a browser itself is good for that one exchange
 *    (Secrets.singleUse: command lines are readable by other users).
 * 3. Method (405): routes that change anything take POST only; the others
 *    GET (and HEAD) only. A GET never changes anything.
 * 4. Origin and custom header (403): every POST must carry `Origin` equal
 *    to the server's own and `X-Relocate: 1`. A page on another localhost
 *    port is same-site, so the browser sends it the cookie too; only this
 *    check stops it. The custom header makes a cross-origin request need a
 *    CORS preflight, which this server never grants (it sends no
 *    Access-Control-* header at all).
 * 5. Bodies are JSON of at most MAX_BODY_BYTES (413 beyond).
 */

/** The header every POST must carry, with the value `1`. */
export const CUSTOM_HEADER = 'x-relocate';

/** Largest JSON request body: every request of the API is a few paths. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The Content-Security-Policy of every answer: the page's own script and
 * style only (no inline code, no eval, no external asset: it works
 * offline), fetches to itself, no frames, no forms, no base URL.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Headers on every answer, whatever its status. Never an Access-Control-* header. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * The server's secrets. Invariant: `token` and `session` are 32 random
 * bytes each (256 bits, hex), made once per server and never logged except
 * the token in the URL printed or opened for the user.
 */
export interface Secrets {
  token: string;
  session: string;
  /** The session cookie's name: per port, so two GUIs on one machine (cookies ignore ports) never overwrite each other's. */
  cookieName: string;
  /**
   * The token is good for one exchange only: set when the server hands its
   * address to a browser itself. That address travels on a command line
   * (xdg-open, open, `start`, and a browser started with it keeps it in its
   * own), which other users of the machine can read (`ps`); once exchanged
   * for the cookie, what they read opens nothing. A printed address
   * (--no-open) reaches only the user's terminal and stays good.
   */
  singleUse: boolean;
  /** Set by the first exchange of a single-use token: the token is refused from then on. */
  spent: boolean;
}

export function newSecrets(port: number, singleUse = false): Secrets {
  return { token: randomBytes(32).toString('hex'), session: randomBytes(32).toString('hex'), cookieName: `relocate-session-${port}`, singleUse, spent: false };
}

/** Equal strings, in time that does not depend on where they differ (both hashed first, so lengths do not leak either). */
export function constantTimeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** The origins the server answers as: itself by either name. */
export function ownOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/** Check 1: the Host header names this server (IP or localhost, with its port). */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const h = host.toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}`;
}

/** The value of one cookie in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Check 2: the request carries the session cookie or the token (query `token`). */
export function authenticated(req: IncomingMessage, url: URL, secrets: Secrets): boolean {
  const cookie = cookieValue(req.headers.cookie, secrets.cookieName);
  if (cookie !== undefined && constantTimeEqual(cookie, secrets.session)) return true;
  const token = url.searchParams.get('token');
  return token !== null && !secrets.spent && constantTimeEqual(token, secrets.token);
}

/** The token was exchanged for the session cookie: a single-use token is good no more. */
export function tokenExchanged(secrets: Secrets): void {
  if (secrets.singleUse) secrets.spent = true;
}

/** The Set-Cookie value that gives the browser its session. */
export function sessionCookie(secrets: Secrets): string {
  return `${secrets.cookieName}=${secrets.session}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Check 4: a POST from the server's own page: Origin is the server's and `X-Relocate: 1` is set. Returns why not, or undefined. */
export function postRefusal(req: IncomingMessage, port: number): string | undefined {
  const origin = req.headers.origin;
  if (origin === undefined || !ownOrigins(port).includes(origin))
    return `a request that changes something must come from this server's own page (Origin ${origin === undefined ? 'missing' : `'${origin}'`})`;
  if (req.headers[CUSTOM_HEADER] !== '1') return `a request that changes something needs the header X-Relocate: 1`;
  return undefined;
}
