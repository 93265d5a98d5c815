// The start page: create a meeting (POST /api/v1/meetings) and go to its address.

import { initLang, onLangChange, t } from './i18n.js';

const $ = (id) => document.getElementById(id);
const TIMEOUT_MS = 15000;
let errorKey = null;
let busy = false;

function setError(key) {
  errorKey = key;
  const e = $('title-error');
  e.hidden = !key;
  e.textContent = key ? t(key) : '';
  $('title').setAttribute('aria-invalid', String(key === 'home.err.title'));
}

function setBusy(b) {
  busy = b;
  $('create-button').disabled = b;
  $('create-status').textContent = b ? t('home.creating') : '';
}

async function create(title) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  let r;
  try {
    // The session's CSRF token guards every state-changing request.
    const me = await fetch('/api/v1/me', { credentials: 'same-origin', signal: ctl.signal });
    if (me.status === 401) return { error: 'home.err.login' };
    const { csrf } = await me.json();
    r = await fetch('/api/v1/meetings', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kamer-csrf': csrf },
      body: JSON.stringify({ title }),
      signal: ctl.signal,
      credentials: 'same-origin',
    });
  } catch {
    return { error: 'home.err.network' };
  } finally {
    clearTimeout(timer);
  }
  if (r.status === 201) {
    const j = await r.json().catch(() => null);
    // Only ever go to a meeting on this server.
    if (j && typeof j.url === 'string' && /^\/m\/[A-Za-z0-9_-]+$/.test(j.url)) return { url: j.url };
    return { error: 'home.err.server' };
  }
  if (r.status === 400 || r.status === 413) return { error: 'home.err.title' };
  if (r.status === 401 || r.status === 403) return { error: 'home.err.login' };
  if (r.status === 429) return { error: 'home.err.busy' };
  return { error: 'home.err.server' };
}

function init() {
  initLang();
  onLangChange(() => {
    if (errorKey) $('title-error').textContent = t(errorKey);
    if (busy) $('create-status').textContent = t('home.creating');
  });
  $('create-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    const title = $('title').value.trim();
    const n = new TextEncoder().encode(title).length;
    if (n < 1 || n > 200) {
      setError('home.err.title');
      $('title').focus();
      return;
    }
    setError(null);
    setBusy(true);
    const res = await create(title);
    if (res.url) {
      location.assign(res.url);
      return;
    }
    setBusy(false);
    setError(res.error);
    $('title').focus();
  });
  $('title').focus();
}

init();
