// The REST API (docs/API.md) from the browser: JSON in and out, a bounded wait, and the
// session's CSRF token on every POST, PATCH and DELETE (X-Kamer-CSRF).

const TIMEOUT_MS = 15000;
let csrf = null;

/** Remembers the token that login, setup or /me returned. */
export function setCsrf(token) {
  csrf = typeof token === 'string' ? token : null;
}

/**
 * One request. Resolves to { status, body, headers }; status 0 when the server could not
 * be reached. Never throws.
 */
export async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && !/^\/api\/v1\/(login|setup)$/.test(path)) {
    if (!csrf) await me();
    if (csrf) headers['x-kamer-csrf'] = csrf;
  }
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  try {
    const r = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: ctl.signal,
    });
    const type = r.headers.get('content-type') || '';
    const parsed = type.includes('json') ? await r.json().catch(() => null) : null;
    return { status: r.status, body: parsed, headers: r.headers };
  } catch {
    return { status: 0, body: null, headers: new Headers() };
  } finally {
    clearTimeout(timer);
  }
}

let meCache = null;

/** The logged-in user, or null. Keeps the session's CSRF token. */
export async function me() {
  if (meCache) return meCache;
  meCache = (async () => {
    const r = await api('GET', '/api/v1/me');
    if (r.status === 200 && r.body && r.body.user) {
      setCsrf(r.body.csrf);
      return r.body.user;
    }
    return null;
  })();
  const u = await meCache;
  if (!u) meCache = null;
  return u;
}

/** Ends the session and goes to the start page. */
export async function logout() {
  await api('POST', '/api/v1/logout');
  csrf = null;
  meCache = null;
  location.assign('/');
}

/** A human message for a failed answer: the server's own message, or the status. */
export function errorText(r) {
  if (r.body && typeof r.body.message === 'string') return r.body.message;
  return r.status ? `HTTP ${r.status}` : 'no connection';
}
