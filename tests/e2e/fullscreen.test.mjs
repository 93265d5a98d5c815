// Full screen: the control puts the meeting in full screen and takes it out again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKamerd, createMeeting, login, sessionIntoContext, PASSWORD } from '../lib/kamerd.mjs';
import { launch, openPage, waitFor } from './helpers.mjs';

let k;
let browser;
before(async () => {
  k = await startKamerd([], { cast: true });
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close().catch(() => {});
  const st = await k.stop();
  assert.deepEqual(st, { code: 0, signal: null }, k.stderr().slice(-3000));
});

test('the full-screen control enters and leaves full screen', { timeout: 60000 }, async () => {
  const alice = await login(k.base, 'alice', PASSWORD);
  const m = await createMeeting(k.base, alice, { title: 'Groot', lobby: false, level: 'ongerubriceerd' });
  const p = await openPage(browser, k.base, 'en-US');
  await sessionIntoContext(p.context(), k.base, alice);
  await p.goto(k.base + m.url);
  await p.getByRole('button', { name: 'Join', exact: true }).click();
  await p.locator('#view-meeting').waitFor({ state: 'visible' });
  const full = p.getByRole('button', { name: 'Full screen' });
  await full.click();
  await waitFor('full screen on', async () => ({
    done: await p.evaluate(() => !!document.fullscreenElement) && (await full.getAttribute('aria-pressed')) === 'true',
  }), 10000);
  await full.click();
  await waitFor('full screen off', async () => ({
    done: await p.evaluate(() => !document.fullscreenElement) && (await full.getAttribute('aria-pressed')) === 'false',
  }), 10000);
  assert.deepEqual(p.problems, []);
});
