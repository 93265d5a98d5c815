// The start page: for someone logged in a way to their meetings, otherwise to the login.

import { initLang, onLangChange, t } from './i18n.js';
import { initNav } from './nav.js';

const $ = (id) => document.getElementById(id);

async function init() {
  initLang();
  const user = await initNav();
  const label = () => {
    if (user) $('home-welcome').textContent = t('home.welcome', { name: user.name || user.login });
  };
  label();
  onLangChange(label);
  $('home-in').hidden = !user;
  $('home-out').hidden = !!user;
  document.body.dataset.ready = user ? 'in' : 'out';
}

init();
