// The login page: POST /api/v1/login, keep the CSRF token, go on to where the person was
// headed (a path on this server only) or to their meetings.

import { initLang, onLangChange, t } from './i18n.js';
import { api, setCsrf } from './api.js';
import { initNav } from './nav.js';

const $ = (id) => document.getElementById(id);
let errorState = null;

function setError(key, vars) {
  errorState = key ? { key, vars } : null;
  const e = $('login-error');
  e.hidden = !key;
  e.textContent = key ? t(key, vars) : '';
  for (const id of ['user', 'password']) $(id).setAttribute('aria-invalid', String(!!key));
}

function next() {
  const n = new URLSearchParams(location.search).get('next') || '';
  // Only a path on this server: "/x", never "//host" or "/\host".
  return /^\/(?![/\\])[\w\-/.]*$/.test(n) ? n : '/meetings';
}

async function submit(ev) {
  ev.preventDefault();
  const user = $('user').value.trim();
  const password = $('password').value;
  if (!user || !password) {
    setError('login.err.empty');
    (user ? $('password') : $('user')).focus();
    return;
  }
  setError(null);
  $('login-button').disabled = true;
  $('login-status').textContent = t('login.busy');
  const r = await api('POST', '/api/v1/login', { user, password });
  $('login-button').disabled = false;
  $('login-status').textContent = '';
  if (r.status === 200 && r.body) {
    setCsrf(r.body.csrf);
    location.assign(next());
    return;
  }
  if (r.status === 401) setError('login.err.auth');
  else if (r.status === 429) setError('login.err.busy', { s: Number(r.headers.get('retry-after')) || 30 });
  else setError('login.err.server');
  $('password').value = '';
  $('password').focus();
}

function init() {
  initLang();
  onLangChange(() => {
    if (errorState) $('login-error').textContent = t(errorState.key, errorState.vars);
  });
  initNav();
  $('login-form').addEventListener('submit', submit);
  $('user').focus();
}

init();
