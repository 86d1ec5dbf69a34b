// The page's only way to talk to relocate gui's server (src/gui/api-types.ts
// has the rules): GETs read, every change is a POST with a JSON body and the
// header X-Relocate: 1 (the server refuses a POST without it, so another
// site's form or fetch cannot move anything). The session cookie travels by
// itself (same origin). Every answer becomes an Answer: a network failure or
// a reply that is not the API's JSON is turned into an ApiError too, so each
// screen has one way to show what went wrong.
import type { ErrorCode } from '../../core/codes.js';
import type { Answer, ApiError } from '../api-types.js';
import { S } from './strings.js';

function failure(code: ErrorCode, message: string, hint: string | null = null): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message, path: null, hint } };
}

async function send<T>(url: string, init: RequestInit): Promise<Answer<T>> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: 'same-origin', cache: 'no-store', ...init });
  } catch (e) {
    return failure('E_NETWORK', S.networkError(e instanceof Error ? e.message : String(e)));
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return failure('E_HTTP', S.badAnswer(res.status), S.badAnswerHint);
  }
  if (body && typeof body === 'object') {
    const b = body as { ok?: unknown; error?: unknown };
    if (b.error && typeof b.error === 'object') return { ok: false, error: b.error as ApiError };
    if (res.ok) return { ...body, ok: true } as Answer<T>;
  }
  return failure('E_HTTP', S.badAnswer(res.status), S.badAnswerHint);
}

/** A GET: reads, never changes anything. */
export function get<T>(path: string, query: Record<string, string | string[] | undefined> = {}): Promise<Answer<T>> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  }
  const qs = params.toString();
  return send<T>(qs ? `${path}?${qs}` : path, { method: 'GET', headers: { Accept: 'application/json' } });
}

/** A POST with a JSON body and the X-Relocate header: the only way the page changes anything. */
export function post<T>(path: string, body: unknown = {}): Promise<Answer<T>> {
  return send<T>(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Relocate': '1' },
    body: JSON.stringify(body),
  });
}
