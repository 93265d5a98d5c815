#!/usr/bin/env node
// Makes the screenshots in docs/screenshots/ (shown in README.md "What it looks like"):
// the join page, a meeting of four, screen sharing and the schedule page. Run by hand
// after a change to the client's look:  node tests/e2e/screenshots.mjs
// (KAMERD=path/to/kamerd to use another build). The schedule page's data comes from the
// fake API of the browser tests.
import { mkdirSync } from 'node:fs';
import { startKamerd, createMeeting, login, sessionIntoContext, PASSWORD } from '../lib/kamerd.mjs';
import { launch, openPage, waitFor, SCREEN_ARGS } from './helpers.mjs';
import { fakeApi } from './fake-api.mjs';

const OUT = new URL('../../docs/screenshots/', import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });
const k = await startKamerd([], { cast: true });
const sessions = {};
for (const u of ['alice', 'bob', 'carol', 'dave']) sessions[u] = await login(k.base, u, PASSWORD);
const browser = await launch(SCREEN_ARGS);
const save = (p, name) => p.screenshot({ path: `${OUT}${name}.png`, timeout: 10000 });

try {
  const { url } = await createMeeting(k.base, sessions.alice, { title: 'Afstemming begroting 2027', lobby: false,
    invitees: [{ user: 'bob' }, { user: 'carol' }, { user: 'dave' }] });
  const people = [['nl-NL', 'alice'], ['en-GB', 'bob'], ['nl-NL', 'carol'], ['nl-NL', 'dave']];
  const pages = [];
  for (const [i, [locale, user]] of people.entries()) {
    const p = await openPage(browser, k.base, locale, { viewport: { width: 1280, height: 800 } });
    await sessionIntoContext(p.context(), k.base, sessions[user]);
    await p.goto(k.base + url);
    await waitFor('preview', () => p.evaluate(() => document.getElementById('preview').videoWidth > 0), 15000);
    if (i === 0) await save(p, 'join');
    await p.locator('#join-button').click();
    await p.locator('#view-meeting').waitFor({ state: 'visible' });
    pages.push(p);
  }
  const [anna, bob, chloe] = pages;
  await waitFor('four tiles playing', () => anna.evaluate(() => {
    const v = [...document.querySelectorAll('[data-participant-id] video')];
    return v.length === 4 && v.every((x) => x.videoWidth > 0);
  }), 45000, 500);
  // A little life: Bob raises his hand, Chloé mutes, Anna opens the chat.
  await bob.locator('#ctl-hand').click();
  await chloe.locator('#ctl-mic').click();
  await bob.locator('#ctl-chat').click();
  await bob.locator('#chat-input').fill('Zullen we met punt 3 beginnen?');
  await bob.locator('#chat-input').press('Enter');
  await anna.locator('#ctl-chat').click();
  await anna.getByText('Zullen we met punt 3 beginnen?').waitFor();
  await new Promise((r) => setTimeout(r, 1500));
  await save(anna, 'meeting-four');

  await chloe.locator('#ctl-screen').click();
  await bob.locator('#screen-stage').waitFor({ state: 'visible', timeout: 30000 });
  await waitFor('screen playing', () => bob.evaluate(() => document.getElementById('screen-video').videoWidth > 0), 30000);
  await new Promise((r) => setTimeout(r, 1500));
  await save(bob, 'screen-sharing');

  const s = await openPage(browser, k.base, 'nl-NL', { viewport: { width: 1280, height: 900 } });
  const api = fakeApi();
  api.loggedIn = true;
  await s.route(`${k.base}/api/v1/**`, (r) => api.handle(r));
  await s.goto(`${k.base}/meetings`);
  const at = (d, h) => Math.floor(new Date(2026, 11, d, h).getTime() / 1000);
  for (const [title, level, d, h, invitees] of [
    ['Afstemming begroting 2027', 'depv', 1, 10, [{ user: 'jan' }, { email: 'fatima@minfin.nl' }]],
    ['Teamoverleg', 'ongerubriceerd', 2, 9, [{ user: 'piet' }]],
  ]) {
    const r = await s.evaluate((b) => fetch('/api/v1/meetings', { method: 'POST', headers: { 'content-type': 'application/json', 'x-kamer-csrf': 'c'.repeat(32) }, body: JSON.stringify(b) }).then((x) => x.status),
      { title, level, start: at(d, h), end: at(d, h + 1), lobby: true, invitees });
    if (r !== 201) throw new Error(`fake create: ${r}`);
  }
  await s.reload();
  await s.locator('.meeting-item').nth(1).waitFor();
  await s.screenshot({ path: `${OUT}schedule.png`, fullPage: true });
  console.log(`screenshots in ${OUT}`);
} finally {
  await browser.close().catch(() => {});
  await k.stop();
}
