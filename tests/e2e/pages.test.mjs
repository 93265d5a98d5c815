// The pages around a meeting, in a real kamerd: the start page, the language choice,
// the not-found page, the name check, keyboard use and an accessibility scan (axe-core).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startKamerd, createMeeting, login, sessionIntoContext, PASSWORD } from '../lib/kamerd.mjs';
import { launch, openPage, shot, waitFor } from './helpers.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let k;
let browser;
let alice;
const pages = [];

before(async () => {
  k = await startKamerd([], { cast: true });
  alice = await login(k.base, 'alice', PASSWORD);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (!k) return;
  // A clean exit after real browsers came and went (under ASan a leak makes it non-zero).
  const st = await k.stop();
  assert.deepEqual(st, { code: 0, signal: null }, `kamerd's exit; stderr tail:\n${k.stderr().slice(-4000)}`);
});

/** A page of alice's, logged in (the cookie as the login page would set it). */
async function page(locale) {
  const p = await openPage(browser, k.base, locale);
  await sessionIntoContext(p.context(), k.base, alice);
  p.who = locale;
  pages.push(p);
  return p;
}

async function withReport(fn) {
  try {
    await fn();
  } catch (e) {
    if (k) console.error(`--- kamerd stderr (tail) ---\n${k.stderr().slice(-4000)}`);
    for (const p of pages) console.error(`--- page ${p.who} ---\n${p.logs.slice(-30).join('\n')}`);
    throw e;
  }
}

/** Serious and critical axe-core findings on the page as it is now. */
async function axeFindings(p) {
  // Evaluated through the DevTools protocol, so the page's CSP does not stop it.
  await p.evaluate(`${AXE}\n;0`);
  const res = await p.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return res.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

const randomId = () => Array.from({ length: 32 }, () => 'abcdefghijklmnopqrstuvwxyz234567'[Math.floor(Math.random() * 32)]).join('');

test('the start page creates a meeting and opens its join page', { timeout: 60000 }, () => withReport(async () => {
  const p = await page('en-US');
  await p.goto(k.base + '/');
  await p.getByRole('button', { name: 'Create meeting' }).waitFor();
  // An empty title is refused in the page, without a request.
  await p.getByRole('button', { name: 'Create meeting' }).click();
  await p.getByText('Enter a title of up to 200 characters.').waitFor();
  await shot(p, 'home-en-error');
  await p.getByLabel('Meeting title').fill('Weekly overleg');
  await p.getByRole('button', { name: 'Create meeting' }).click();
  await p.waitForURL(/\/m\/[a-z2-7]{32}$/);
  await p.getByRole('button', { name: 'Join', exact: true }).waitFor();
  await shot(p, 'join-en');
  assert.deepEqual(p.problems, []);
}));

test('the language follows the browser, the toggle switches it, and it is remembered', { timeout: 60000 }, () => withReport(async () => {
  const { url } = await createMeeting(k.base, alice, { title: 'Taal', lobby: false });
  const en = await page('en-US');
  await en.goto(k.base + url);
  await en.getByRole('button', { name: 'Join', exact: true }).waitFor();
  assert.equal(await en.getAttribute('html', 'lang'), 'en');
  assert.equal(await en.getByRole('button', { name: 'English' }).getAttribute('aria-pressed'), 'true');
  await en.getByRole('button', { name: 'Nederlands' }).click();
  await en.getByRole('button', { name: 'Deelnemen', exact: true }).waitFor();
  await en.getByLabel('Uw naam').waitFor();
  assert.equal(await en.getAttribute('html', 'lang'), 'nl');
  assert.equal(await en.getByRole('button', { name: 'Nederlands' }).getAttribute('aria-pressed'), 'true');
  await shot(en, 'join-toggled-to-nl');
  // Remembered: after a reload, and on the start page of the same server.
  await en.reload();
  await en.getByRole('button', { name: 'Deelnemen', exact: true }).waitFor();
  await en.goto(k.base + '/');
  await en.getByRole('button', { name: 'Vergadering aanmaken' }).waitFor();

  const nl = await page('nl-NL');
  await nl.goto(k.base + url);
  await nl.getByRole('button', { name: 'Deelnemen', exact: true }).waitFor();
  assert.equal(await nl.getAttribute('html', 'lang'), 'nl');
  await shot(nl, 'join-nl');
  await nl.getByRole('button', { name: 'English' }).click();
  await nl.getByRole('button', { name: 'Join', exact: true }).waitFor();
  await nl.goto(k.base + '/');
  await nl.getByRole('button', { name: 'Create meeting' }).waitFor();
  for (const p of [en, nl]) assert.deepEqual(p.problems, [], p.who);
}));

test('an unknown meeting address shows the not-found page with status 404', { timeout: 30000 }, () => withReport(async () => {
  const p = await page('en-US');
  const res = await p.goto(`${k.base}/m/${randomId()}`);
  assert.equal(res.status(), 404);
  await p.getByRole('heading', { name: 'Page not found' }).waitFor();
  await p.getByRole('heading', { name: 'Pagina niet gevonden' }).waitFor();
  await shot(p, '404');
  const other = await p.goto(`${k.base}/no/such/page`);
  assert.equal(other.status(), 404);
  await p.getByRole('heading', { name: 'Page not found' }).waitFor();
  // The not-found page loads nothing but the style sheet.
  assert.deepEqual(p.problems.filter((x) => !/status of 404/.test(x)), []);
}));

test('a name is required, and the meeting works from the keyboard alone', { timeout: 60000 }, () => withReport(async () => {
  const { url } = await createMeeting(k.base, alice, { title: 'Toetsenbord', lobby: false });
  const p = await page('en-US');
  await p.goto(k.base + url);
  const name = p.getByLabel('Your name');
  await name.fill('   ');
  await name.press('Enter');
  await p.getByText('Enter your name, up to 64 characters.').waitFor();
  assert.equal(await name.getAttribute('aria-invalid'), 'true');
  assert.equal(await p.locator('#view-join').isVisible(), true);

  await name.fill('Kim');
  await name.press('Enter');
  await p.locator('#view-meeting').waitFor({ state: 'visible' });
  await waitFor('one tile', async () => (await p.locator('[data-participant-id]').count()) === 1, 15000);
  // Focus lands on the first control; Space toggles it.
  assert.equal(await p.evaluate(() => document.activeElement.id), 'ctl-mic');
  await p.keyboard.press('Space');
  assert.equal(await p.getByRole('button', { name: 'Mute microphone' }).getAttribute('aria-pressed'), 'true');
  await waitFor('own tile muted', async () => (await p.locator('[data-participant-id]').getAttribute('data-audio')) === 'off', 10000);
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'ctl-cam');
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'ctl-leave');
  await shot(p, 'meeting-alone-keyboard');
  assert.deepEqual(await axeFindings(p), [], 'meeting view');
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: 'You left the meeting' }).waitFor();
  assert.deepEqual(p.problems, []);
}));

test('the pages have no serious accessibility problems (axe-core)', { timeout: 60000 }, () => withReport(async () => {
  const { url } = await createMeeting(k.base, alice, { title: 'Toegankelijk', lobby: false });
  for (const locale of ['en-US', 'nl-NL']) {
    const p = await page(locale);
    for (const path of ['/', url, `/m/${randomId()}`]) {
      await p.goto(k.base + path);
      assert.deepEqual(await axeFindings(p), [], `${locale} ${path}`);
    }
  }
}));
