// The top bar of the account pages: "My meetings" and "Log out" when logged in, "Log in"
// otherwise. Resolves to the user (or null) so that the page can go on from there.

import { me, logout } from './api.js';

const $ = (id) => document.getElementById(id);

export async function initNav() {
  const user = await me();
  const nav = $('nav');
  if (!nav) return user;
  $('nav-meetings').hidden = !user;
  $('nav-logout').hidden = !user;
  $('nav-login').hidden = !!user;
  $('nav-logout').addEventListener('click', () => logout());
  return user;
}
