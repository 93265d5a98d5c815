// Host controls and the lobby through a real kamerd with accounts: alice hosts, bob is
// invited. Bob waits in the lobby and sees nothing of the meeting; alice admits him; the
// banner shows; her mute, ask, lock, remove and end take effect on his page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as kd from '../lib/kamerd.mjs';
import { launch, openPage, shot, waitFor } from './helpers.mjs';

let k;
let browser;
const pages = [];

async function apiAs(s, method, path, body) {
  const r = await kd.api(k.base, s, method, path, body);
  return { status: r.status, body: r.status === 204 ? null : await r.json().catch(() => null) };
}

before(async () => {
  k = await kd.startKamerd([], { cast: true });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (!k) return;
  const st = await k.stop();
  assert.deepEqual(st, { code: 0, signal: null }, `kamerd's exit; stderr tail:\n${k.stderr().slice(-4000)}`);
});

async function withReport(fn) {
  try {
    await fn();
  } catch (e) {
    if (k) console.error(`--- kamerd stderr (tail) ---\n${k.stderr().slice(-4000)}`);
    for (const [i, p] of pages.entries()) {
      console.error(`--- page ${p.who} ---\n${p.logs.slice(-20).join('\n')}`);
      await shot(p, `host-real-failure-${i}`);
    }
    throw e;
  }
}

test('lobby, banner and host controls take effect on the others\' pages', { timeout: 180000 }, () => withReport(async () => {
  const s = await kd.login(k.base, 'alice', kd.PASSWORD);
  const b = await kd.login(k.base, 'bob', kd.PASSWORD);
  const created = await apiAs(s, 'POST', '/api/v1/meetings', { title: 'Begroting 2027', level: 'depv', lobby: true,
    invitees: [{ user: 'bob' }] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const m = created.body;

  const host = await openPage(browser, k.base, 'nl-NL');
  host.who = 'host';
  pages.push(host);
  await kd.sessionIntoContext(host.context(), k.base, s);
  await host.goto(k.base + m.url);
  await host.getByRole('button', { name: 'Deelnemen', exact: true }).click();
  await host.locator('#view-meeting').waitFor({ state: 'visible' });
  await host.locator('#ctl-lock').waitFor({ state: 'visible' });

  const guest = await openPage(browser, k.base, 'en-US');
  guest.who = 'bob';
  pages.push(guest);
  await kd.sessionIntoContext(guest.context(), k.base, b);
  await guest.goto(k.base + m.url);
  await guest.getByRole('button', { name: 'Join', exact: true }).click();
  await guest.getByRole('heading', { name: 'Waiting for the host to let you in' }).waitFor();
  assert.equal(await guest.locator('#meeting-title').textContent(), '');
  assert.equal(await guest.locator('#banner').isVisible(), false);
  assert.equal(await guest.locator('[data-participant-id]').count(), 0);

  await host.getByRole('button', { name: 'Deelnemers', exact: true }).click();
  await host.getByRole('button', { name: 'Toelaten: Bob' }).click();
  await guest.locator('#view-meeting').waitFor({ state: 'visible' });
  assert.equal(await guest.locator('#banner-level').textContent(), 'Departmental Confidential (Dep.V.)');
  assert.equal(await host.locator('#banner-level').textContent(), 'Departementaal Vertrouwelijk (Dep.V.)');
  const guestId = await guest.evaluate(() => window.kamer.selfId);
  await waitFor('host sees bob as an account', async () =>
    /^Account/.test(await host.locator(`[data-participant-id="${guestId}"] .kind`).textContent().catch(() => '')), 10000);

  await host.getByRole('button', { name: 'Dempen: Bob' }).click();
  await guest.getByText(/muted your microphone/).waitFor();
  assert.equal(await guest.getByRole('button', { name: 'Mute microphone' }).getAttribute('aria-pressed'), 'true');
  await host.getByRole('button', { name: 'Vragen om microfoon aan: Bob' }).click();
  await guest.getByText(/asks you to turn your microphone on/).waitFor();

  await host.getByRole('button', { name: /^Vergrendelen/ }).click();
  await guest.getByText('The meeting is locked').first().waitFor();

  await host.getByRole('button', { name: 'Verwijderen: Bob' }).click();
  await guest.getByRole('heading', { name: 'A host removed you from the meeting' }).waitFor();
  await waitFor('the guest gone from the host page', async () => (await host.locator('[data-participant-id]').count()) === 1, 10000);

  await host.getByRole('button', { name: 'Beëindigen', exact: true }).click();
  await host.getByRole('dialog').getByRole('button', { name: 'De vergadering beëindigen' }).click();
  await host.getByRole('heading', { name: 'De vergadering is beëindigd' }).waitFor();
  for (const p of pages) assert.deepEqual(p.problems, [], p.who);
}));

test('a guest on a personal link (/i/<secret>) joins under the typed name, shown as a guest', { timeout: 120000 }, () => withReport(async () => {
  const s = await kd.login(k.base, 'alice', kd.PASSWORD);
  const created = await apiAs(s, 'POST', '/api/v1/meetings', { title: 'Open overleg', level: 'ongerubriceerd', guests: true,
    lobby: false, invitees: [{ email: 'gast@example.nl' }] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const inv = created.body.invitations.find((i) => i.email === 'gast@example.nl');
  assert.match(inv.url, /^\/i\//);
  const host = await openPage(browser, k.base, 'en-US');
  host.who = 'alice';
  pages.push(host);
  await kd.sessionIntoContext(host.context(), k.base, s);
  await host.goto(k.base + created.body.url);
  await host.getByRole('button', { name: 'Join', exact: true }).click();
  await host.locator('#view-meeting').waitFor({ state: 'visible' });
  const guest = await openPage(browser, k.base, 'nl-NL');
  guest.who = 'guest';
  pages.push(guest);
  await guest.goto(k.base + inv.url);
  await guest.locator('#name').fill('Gerrit Gast');
  await guest.getByRole('button', { name: 'Deelnemen', exact: true }).click();
  await guest.locator('#view-meeting').waitFor({ state: 'visible' });
  assert.equal(await guest.locator('#banner-level').textContent(), 'Ongerubriceerd');
  const gid = await guest.evaluate(() => window.kamer.selfId);
  await waitFor('alice sees Gerrit as a guest', async () => {
    const tile = host.locator(`[data-participant-id="${gid}"]`);
    return (await tile.count()) === 1 && (await tile.locator('.name').textContent()) === 'Gerrit Gast' &&
      /^Guest/.test(await tile.locator('.kind').textContent());
  }, 15000);
  for (const p of [host, guest]) assert.deepEqual(p.problems, [], p.who);
}));
