// The account pages against docs/API.md: login (the CSRF token from its JSON goes on every
// POST, PATCH and DELETE), first-run setup, logout, and the schedule page (list, create,
// edit, cancel, invite, revoke, .ics). kamerd serves the pages and enforces the CSP; the
// REST answers come from a small fake of the API in this file that refuses a missing or
// wrong X-Kamer-CSRF with 403, as kamerd does, so that the client's side is checked on
// its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startKamerd, PASSWORD } from '../lib/kamerd.mjs';
import { launch, openPage, shot, waitFor } from './helpers.mjs';
import { fakeApi, CSRF } from './fake-api.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let k;
let browser;
const pages = [];

before(async () => {
  k = await startKamerd([], { cast: true });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (k) await k.stop();
});

async function axeFindings(p) {
  await p.evaluate(`${AXE}\n;0`);
  const res = await p.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** A page whose /api/v1 is the fake; kamerd serves /login, /setup and /meetings. */
async function page(locale) {
  const p = await openPage(browser, k.base, locale);
  p.who = locale;
  pages.push(p);
  p.api = fakeApi();
  await p.route(`${k.base}/api/v1/**`, (r) => p.api.handle(r));
  return p;
}

async function withReport(fn) {
  try {
    await fn();
  } catch (e) {
    for (const [i, p] of pages.entries()) {
      console.error(`--- page ${p.who} ---\n${p.logs.slice(-20).join('\n')}\n${p.api.log.join('\n')}`);
      await shot(p, `accounts-failure-${i}`);
    }
    throw e;
  }
}

test('login: a wrong password is refused, a right one leads to my meetings; logout', { timeout: 60000 }, () => withReport(async () => {
  const p = await page('nl-NL');
  await p.goto(`${k.base}/`);
  await p.getByRole('link', { name: 'Inloggen' }).first().waitFor();
  assert.deepEqual(await axeFindings(p), [], 'home, logged out');
  await p.getByRole('main').getByRole('link', { name: 'Inloggen' }).click();
  await p.waitForURL(/\/login$/);
  await p.getByLabel('Gebruikersnaam').fill('hanna');
  await p.getByLabel('Wachtwoord').fill('fout');
  await p.getByRole('button', { name: 'Inloggen' }).click();
  await p.getByText('De gebruikersnaam of het wachtwoord klopt niet.').waitFor();
  assert.equal(await p.getByLabel('Wachtwoord').inputValue(), '', 'the wrong password is cleared');
  await shot(p, 'login-nl-error');
  assert.deepEqual(await axeFindings(p), [], 'login');
  await p.getByLabel('Wachtwoord').fill('juist wachtwoord');
  await p.getByLabel('Wachtwoord').press('Enter');
  await p.waitForURL(/\/meetings$/);
  await p.getByText('U hebt nog geen vergaderingen.').waitFor();
  await p.goto(`${k.base}/`);
  await p.getByText('Welkom, Hanna de Boer').waitFor();
  await p.getByRole('button', { name: 'Uitloggen' }).click();
  await waitFor('logged out', () => p.api.log.includes('POST /api/v1/logout') && !p.api.loggedIn, 10000);
  await p.getByRole('main').getByRole('link', { name: 'Inloggen' }).waitFor();
  assert.deepEqual(p.api.badCsrf, [], 'every POST after login carried the CSRF token');
  assert.deepEqual(p.problems.filter((x) => !/status of 40[14]/.test(x)), []);
}));

test('first-run setup takes the token from the fragment and sets the password', { timeout: 60000 }, () => withReport(async () => {
  const p = await page('en-US');
  await p.goto(`${k.base}/setup#eenmalig-token`);
  await p.getByRole('heading', { name: "Set the administrator's password" }).waitFor();
  assert.equal(new URL(p.url()).hash, '', 'the token leaves the address bar');
  assert.deepEqual(await axeFindings(p), [], 'setup');
  await p.getByLabel('New password').fill('kort');
  await p.getByRole('button', { name: 'Set password' }).click();
  await p.getByText('Choose a password of at least 12 characters.').waitFor();
  await p.getByLabel('New password').fill('een lang en goed wachtwoord');
  await p.getByLabel('Repeat the password').fill('een ander wachtwoord');
  await p.getByRole('button', { name: 'Set password' }).click();
  await p.getByText('The two passwords differ.').waitFor();
  await p.getByLabel('Repeat the password').fill('een lang en goed wachtwoord');
  await p.getByRole('button', { name: 'Set password' }).click();
  await p.waitForURL(/\/meetings$/);
  assert.equal(p.api.setupPassword, 'een lang en goed wachtwoord');
}));

test('schedule: create, edit, invite, revoke, .ics and cancel a meeting', { timeout: 90000 }, () => withReport(async () => {
  const p = await page('en-US');
  p.api.loggedIn = true;
  await p.goto(`${k.base}/meetings`);
  await p.getByText('You have no meetings yet.').waitFor();
  await p.getByLabel('Title').fill('Beleidsoverleg Q3');
  await p.getByLabel('Classification').selectOption('depv');
  await p.getByLabel('Invitees').fill('jan\nfatima@example.nl');
  await p.getByRole('button', { name: 'Plan meeting' }).click();
  const item = p.locator('.meeting-item', { hasText: 'Beleidsoverleg Q3' });
  await item.waitFor();
  const created = p.api.meetings[0];
  assert.deepEqual(created.invitees, [{ user: 'jan' }, { email: 'fatima@example.nl' }]);
  assert.ok(created.end > created.start && created.start > Date.now() / 1000 - 3600, 'start and end in Unix seconds');
  await item.getByText('Departmental Confidential (Dep.V.)').waitFor();
  assert.equal(await item.getByRole('link', { name: /^Join/ }).getAttribute('href'), `/m/${created.id}`);
  await p.getByText('Personal links').waitFor();

  // Edit: the form fills in; save changes the title.
  await item.getByRole('button', { name: 'Edit: Beleidsoverleg Q3' }).click();
  await p.getByRole('heading', { name: 'Edit meeting' }).waitFor();
  assert.equal(await p.getByLabel('Title').inputValue(), 'Beleidsoverleg Q3');
  await p.getByLabel('Title').fill('Beleidsoverleg Q4');
  await p.getByRole('button', { name: 'Save' }).click();
  const item4 = p.locator('.meeting-item', { hasText: 'Beleidsoverleg Q4' });
  await item4.waitFor();
  assert.equal(p.api.meetings[0].title, 'Beleidsoverleg Q4');

  // Invite one more, then revoke that personal link.
  await item4.getByLabel('Invite by user name or e-mail address').fill('piet@example.nl');
  await item4.getByRole('button', { name: 'Invite' }).click();
  await item4.getByRole('link', { name: 'piet@example.nl', exact: true }).waitFor();
  await shot(p, 'schedule-en');
  assert.deepEqual(await axeFindings(p), [], 'schedule');
  await item4.getByRole('button', { name: 'Revoke: piet@example.nl' }).click();
  await waitFor('revoked', async () => (await item4.getByRole('link', { name: 'piet@example.nl', exact: true }).count()) === 0, 10000);
  assert.ok(!p.api.meetings[0].invitations.some((i) => i.email === 'piet@example.nl'));

  // The calendar invitation downloads.
  const [download] = await Promise.all([p.waitForEvent('download', { timeout: 10000 }),
    item4.getByRole('link', { name: 'Calendar invitation (.ics): Beleidsoverleg Q4' }).click()]);
  // (A download answered through a Playwright route is cancelled by Chromium, so its
  // body is read with a fetch from the page: same URL, same cookie.)
  assert.equal(new URL(download.url()).pathname, `/api/v1/meetings/${created.id}/ics`);
  const ics = await p.evaluate((u) => fetch(u).then((r) => r.text()), download.url());
  assert.match(ics, /^BEGIN:VCALENDAR/);

  // Cancel asks once more, then the meeting is gone.
  await item4.getByRole('button', { name: 'Cancel meeting' }).click();
  await item4.getByRole('button', { name: 'Yes, cancel “Beleidsoverleg Q4”' }).click();
  await p.getByText('The meeting is cancelled.').waitFor();
  assert.equal(p.api.meetings.length, 0);
  assert.deepEqual(p.api.badCsrf, [], 'every POST, PATCH and DELETE carried the CSRF token');
  assert.deepEqual(p.problems, []);
}));

test('against kamerd itself: log in on the page, plan, edit, invite, download .ics, cancel', { timeout: 90000 }, () => withReport(async () => {
  const p = await openPage(browser, k.base, 'en-US');
  p.who = 'real';
  p.api = { log: [] };
  pages.push(p);
  await p.goto(`${k.base}/login?next=/meetings`);
  await p.getByLabel('User name').fill('alice');
  await p.getByLabel('Password').fill(PASSWORD);
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.waitForURL(/\/meetings$/);
  await p.getByLabel('Title').fill('Echte planning');
  await p.getByLabel('Classification').selectOption('depv');
  await p.getByLabel('Invitees').fill('bob');
  await p.getByRole('button', { name: 'Plan meeting' }).click();
  const item = p.locator('.meeting-item', { hasText: 'Echte planning' });
  await item.waitFor();
  await item.getByText('Departmental Confidential (Dep.V.)').waitFor();
  await item.getByRole('button', { name: 'Edit: Echte planning' }).click();
  await p.getByLabel('Title').fill('Echte planning, verzet');
  await p.getByRole('button', { name: 'Save' }).click();
  const moved = p.locator('.meeting-item', { hasText: 'Echte planning, verzet' });
  await moved.waitFor();
  await moved.getByLabel('Invite by user name or e-mail address').fill('carol');
  await moved.getByRole('button', { name: 'Invite' }).click();
  await moved.getByRole('link', { name: 'carol', exact: true }).waitFor();
  const [download] = await Promise.all([p.waitForEvent('download', { timeout: 10000 }),
    moved.getByRole('link', { name: 'Calendar invitation (.ics): Echte planning, verzet' }).click()]);
  const ics = readFileSync(await download.path(), 'utf8');
  assert.match(ics, /BEGIN:VCALENDAR[\s\S]*SUMMARY:Echte planning\\, verzet[\s\S]*END:VCALENDAR/);
  await moved.getByRole('button', { name: 'Revoke: carol' }).click();
  await waitFor('revoked', async () => (await moved.getByRole('link', { name: 'carol', exact: true }).count()) === 0, 10000);
  await moved.getByRole('button', { name: 'Cancel meeting' }).click();
  await moved.getByRole('button', { name: 'Yes, cancel “Echte planning, verzet”' }).click();
  await p.getByText('The meeting is cancelled.').waitFor();
  await shot(p, 'schedule-real');
  assert.deepEqual(p.problems, []);
}));
