// Removes each security check of relocate gui's server in turn and runs
// test/gui/server-security.test.ts: every removal must make a test fail
// (the tests check the rules, not just that the code runs). Each file is
// restored after its run, whatever happens. Usage (after npm run build):
//   node scripts/gui-security-mutations.mjs
import { runMutations } from './lib/mutations.mjs';

const SERVER = 'src/gui/server/server.ts';
const SECURITY = 'src/gui/server/security.ts';
/** [the check, the file, the text of the check, what it becomes without it] */
const MUTATIONS = [
  ['Host allowlist (421)', SERVER, '  if (!hostAllowed(req.headers.host, port)) return refusal(', '  if (false) return refusal('],
  ['session or token (401)', SERVER, '  if (!authenticated(req, url, secrets)) return', '  if (false) return'],
  ['token exchange (303 + cookie)', SERVER, "  if (url.searchParams.has('token') && route === '/' && method === 'GET') {", '  if (false) {'],
  ['token compare', SECURITY, '  return timingSafeEqual(a, b) && given.length === expected.length;', '  return true;'],
  ['POST only (405)', SERVER, "  if (post && method !== 'POST') return", '  if (false) return'],
  ['Origin (403)', SECURITY, '  if (origin === undefined || !ownOrigins(port).includes(origin)) return', '  if (false) return'],
  ['X-Relocate: 1 (403)', SECURITY, "  if (req.headers[CUSTOM_HEADER] !== '1') return", '  if (false) return'],
  ['security headers', SERVER, '  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);', ''],
  ['Content-Security-Policy', SECURITY, "  'Content-Security-Policy': CONTENT_SECURITY_POLICY,", ''],
  ['HttpOnly', SECURITY, '; HttpOnly; SameSite=Strict; Path=/', '; SameSite=Strict; Path=/'],
  ['SameSite=Strict', SECURITY, '; HttpOnly; SameSite=Strict; Path=/', '; HttpOnly; Path=/'],
  ['body size (413)', SECURITY, 'export const MAX_BODY_BYTES = 64 * 1024;', 'export const MAX_BODY_BYTES = 64 * 1024 * 1024;'],
  ['JSON bodies only (415)', SERVER, "  if (type !== 'application/json') {", '  if (false) {'],
  [
    'single-use token refused once spent',
    SECURITY,
    '  return token !== null && !secrets.spent && constantTimeEqual(token, secrets.token);',
    '  return token !== null && constantTimeEqual(token, secrets.token);',
  ],
  ['single-use token spent by its exchange', SERVER, '    tokenExchanged(secrets);\n', ''],
  ['127.0.0.1 only', SERVER, "server.listen(opts.port, '127.0.0.1', () => {", 'server.listen(opts.port, () => {'],
];

runMutations(MUTATIONS, 'npx vitest run test/gui/server-security.test.ts', { RELOCATE_SKIP_EXE: '1' });
