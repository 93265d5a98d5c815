// First start: the one-time token from the fragment (#<token>, never sent in a URL to the
// server), a new password for the first administrator, POST /api/v1/setup.

import { initLang, onLangChange, t } from './i18n.js';
import { api, setCsrf } from './api.js';

const $ = (id) => document.getElementById(id);
const MIN_LEN = 12;
let token = '';
let errorKey = null;

function setError(key) {
  errorKey = key;
  const e = $('setup-error');
  e.hidden = !key;
  e.textContent = key ? t(key) : '';
}

async function submit(ev) {
  ev.preventDefault();
  const password = $('password').value;
  if (!token) return setError('setup.err.token');
  if ([...password].length < MIN_LEN) {
    setError('setup.err.short');
    $('password').focus();
    return;
  }
  if (password !== $('confirm').value) {
    setError('setup.err.match');
    $('confirm').focus();
    return;
  }
  setError(null);
  $('setup-button').disabled = true;
  const r = await api('POST', '/api/v1/setup', { token, password });
  $('setup-button').disabled = false;
  if (r.status === 200 && r.body) {
    setCsrf(r.body.csrf);
    location.assign('/meetings');
    return;
  }
  setError(r.status === 401 || r.status === 403 || r.status === 404 ? 'setup.err.token' : 'setup.err.server');
}

function init() {
  initLang();
  onLangChange(() => { if (errorKey) $('setup-error').textContent = t(errorKey); });
  token = decodeURIComponent(location.hash.replace(/^#/, ''));
  // The token stays out of the history and out of anything copied from the address bar.
  if (token) history.replaceState(null, '', location.pathname);
  if (!token) setError('setup.err.token');
  $('setup-form').addEventListener('submit', submit);
  $('password').focus();
}

init();
