// The lobby, the classification banner, the roster's kinds and the host controls, from
// the client's side of docs/PROTOCOL.md. kamerd serves the page; the test plays the
// server's side of the WebSocket (Playwright's routeWebSocket), so that each message the
// protocol names can be sent on cue and each message the page sends can be checked.
// The same flows against a real kamerd with accounts: host-real.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startKamerd, createMeeting, login, sessionIntoContext, PASSWORD } from '../lib/kamerd.mjs';
import { launch, openPage, shot, waitFor } from './helpers.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const id = (c) => c.repeat(32);
const MEETING = { id: id('m'), title: 'Geheim overleg', level: 'depv', locked: false, lobby: true };

let k;
let browser;
let url;
let alice;
const pages = [];

before(async () => {
  // kamerd serves the join page only to those who may see the meeting: alice, its host.
  k = await startKamerd([], { cast: true });
  alice = await login(k.base, 'alice', PASSWORD);
  browser = await launch();
  url = k.base + (await createMeeting(k.base, alice, { title: 'Statisch' })).url;
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

/** A page whose /ws is played by the test: p.sent holds what the page sent; p.push(msg) answers. */
async function page(locale) {
  const p = await openPage(browser, k.base, locale);
  await sessionIntoContext(p.context(), k.base, alice);
  p.who = locale;
  pages.push(p);
  p.sent = [];
  await p.routeWebSocket(/\/ws$/, (ws) => {
    p.push = (m) => ws.send(JSON.stringify(m));
    p.closeWs = () => ws.close();
    ws.onMessage((data) => {
      const m = JSON.parse(String(data));
      p.sent.push(m);
      if (p.onSent) p.onSent(m);
    });
  });
  return p;
}

const sentOf = (p, type) => p.sent.filter((m) => m.type === type);
const waitSent = (p, what, pred) => waitFor(`${p.who} to send ${what}`, () => p.sent.find(pred), 10000, 100);

async function withReport(fn) {
  try {
    await fn();
  } catch (e) {
    for (const [i, p] of pages.entries()) {
      console.error(`--- page ${p.who} ---\n${p.logs.slice(-20).join('\n')}\n${JSON.stringify(p.sent.map((m) => m.type))}`);
      await shot(p, `lobby-host-failure-${i}`);
    }
    throw e;
  }
}

const ROSTER = [
  { id: id('h'), name: 'Hanna (host)', kind: 'account', role: 'host', audio: true, video: true, hand: false, screen: false, reconnecting: false },
  { id: id('p'), name: '+31 70 ••• 12', kind: 'phone', role: 'participant', audio: true, video: false, hand: false, screen: false, reconnecting: false },
  { id: id('r'), name: 'Opname', kind: 'recorder', role: 'participant', audio: false, video: false, hand: false, screen: false, reconnecting: true },
];

test('lobby: the waiting page tells nothing of the meeting; once admitted, the banner and everyone show', { timeout: 60000 }, () => withReport(async () => {
  const p = await page('nl-NL');
  await p.goto(url);
  await p.locator('#name').fill('Gast Gerrit');
  await p.getByRole('button', { name: 'Deelnemen', exact: true }).click();
  const join = await waitSent(p, 'join', (m) => m.type === 'join');
  assert.equal(join.name, 'Gast Gerrit');
  assert.ok(join.meeting && !join.invitation && !join.resume);
  p.push({ type: 'lobby' });
  await p.getByRole('heading', { name: 'Wachten tot de gastheer u binnenlaat' }).waitFor();
  // S5: nothing of the meeting on the waiting page: no title, no level, no people.
  assert.equal(await p.locator('#meeting-title').textContent(), '');
  assert.equal(await p.locator('#banner').isVisible(), false);
  assert.equal(await p.locator('[data-participant-id]').count(), 0);
  assert.doesNotMatch(await p.title(), /Geheim/);
  await shot(p, 'lobby-nl');
  assert.deepEqual(await axeFindings(p), [], 'lobby');

  // Admitted: `joined` carries the meeting; the banner names its level in full.
  const self = { id: id('g'), name: 'Gast Gerrit', kind: 'guest', role: 'participant', audio: true, video: true, self: true };
  p.push({ type: 'joined', id: self.id, resume: id('s'), role: 'participant', meeting: MEETING, participants: [...ROSTER, self] });
  await p.locator('#view-meeting').waitFor({ state: 'visible' });
  await p.locator('#banner').waitFor({ state: 'visible' });
  assert.equal(await p.locator('#banner-level').textContent(), 'Departementaal Vertrouwelijk (Dep.V.)');
  assert.match(await p.locator('#banner').getAttribute('class'), /level-depv/);
  assert.equal(await p.locator('#meeting-title').textContent(), 'Geheim overleg');
  // S4: every kind is on the roster, a phone and a recorder as well as people.
  await waitFor('four tiles', async () => (await p.locator('[data-participant-id]').count()) === 4, 10000);
  assert.match(await p.locator(`[data-participant-id="${id('p')}"] .kind`).textContent(), /^Telefoon/);
  assert.match(await p.locator(`[data-participant-id="${id('r')}"] .kind`).textContent(), /^Opname/);
  assert.equal(await p.locator(`[data-participant-id="${id('r')}"]`).getAttribute('data-reconnecting'), 'true');
  assert.equal(await p.locator('#ctl-lock').isVisible(), false, 'no host controls for a participant');
  // The English name when switched; the level follows a `meeting` update.
  await p.getByRole('button', { name: 'English' }).click();
  assert.equal(await p.locator('#banner-level').textContent(), 'Departmental Confidential (Dep.V.)');
  p.push({ type: 'meeting', meeting: { ...MEETING, level: 'ongerubriceerd' } });
  await waitFor('banner changes', async () => (await p.locator('#banner-level').textContent()) === 'Unclassified (Ongerubriceerd)', 5000);
  await shot(p, 'banner-en');
  assert.deepEqual(await axeFindings(p), [], 'meeting with banner');
}));

test('a participant follows the host: muted, asked to unmute, removed', { timeout: 60000 }, () => withReport(async () => {
  const p = await page('en-US');
  await p.goto(url);
  await p.locator('#name').fill('Piet');
  await p.getByRole('button', { name: 'Join', exact: true }).click();
  await waitSent(p, 'join', (m) => m.type === 'join');
  const self = { id: id('q'), name: 'Piet', kind: 'guest', role: 'participant', audio: true, video: true, self: true };
  p.push({ type: 'joined', id: self.id, resume: id('s'), role: 'participant', meeting: MEETING, participants: [ROSTER[0], self] });
  await p.locator('#view-meeting').waitFor({ state: 'visible' });
  await waitSent(p, 'publish', (m) => m.type === 'publish' && /m=audio/.test(m.sdp));

  p.push({ type: 'muted', kind: 'audio', by: 'Hanna' });
  await p.getByText('Hanna muted your microphone').waitFor();
  assert.equal(await p.getByRole('button', { name: 'Mute microphone' }).getAttribute('aria-pressed'), 'true');
  await waitSent(p, 'state audio off', (m) => m.type === 'state' && m.audio === false);
  assert.equal(await p.evaluate(() => window.kamer.pub.getSenders()[0].track.enabled), false);

  p.push({ type: 'unmute_request', by: 'Hanna' });
  await p.getByText('Hanna asks you to turn your microphone on').waitFor();
  await p.getByRole('button', { name: 'Turn microphone on' }).click();
  await waitSent(p, 'state audio on', (m) => m.type === 'state' && m.audio === true && p.sent.indexOf(m) > p.sent.findIndex((x) => x.type === 'state' && x.audio === false));
  assert.equal(await p.getByRole('button', { name: 'Mute microphone' }).getAttribute('aria-pressed'), 'false');

  p.push({ type: 'removed' });
  p.closeWs();
  await p.getByRole('heading', { name: 'A host removed you from the meeting' }).waitFor();
  assert.equal(await p.evaluate(() => window.kamer.pub.signalingState), 'closed');
  assert.equal(await p.locator('[data-participant-id]').count(), 0);
}));

test('the host admits and denies, mutes, asks, removes, locks and ends', { timeout: 60000 }, () => withReport(async () => {
  const p = await page('en-US');
  await p.goto(url);
  await p.locator('#name').fill('Hanna');
  await p.getByRole('button', { name: 'Join', exact: true }).click();
  await waitSent(p, 'join', (m) => m.type === 'join');
  const self = { ...ROSTER[0], self: true };
  const others = [
    { id: id('a'), name: 'Ahmed', kind: 'account', role: 'participant', audio: true, video: true },
    { id: id('b'), name: 'Bea', kind: 'guest', role: 'participant', audio: false, video: true },
  ];
  p.push({ type: 'joined', id: self.id, resume: id('s'), role: 'host', meeting: MEETING, participants: [self, ...others] });
  await p.locator('#view-meeting').waitFor({ state: 'visible' });
  p.push({ type: 'waiting', participants: [{ id: id('w'), name: 'Wim', kind: 'guest' }, { id: id('x'), name: 'Xandra', kind: 'guest' }] });
  await p.getByText('Wim, Xandra is waiting in the lobby').waitFor();
  await p.getByRole('button', { name: 'People' }).click();
  await p.getByRole('button', { name: 'Admit: Wim' }).click();
  await waitSent(p, 'admit', (m) => m.type === 'admit' && m.participant === id('w'));
  await p.getByRole('button', { name: 'Deny: Xandra' }).click();
  await waitSent(p, 'deny', (m) => m.type === 'deny' && m.participant === id('x'));
  p.push({ type: 'waiting', participants: [] });
  await p.locator('#waiting-box').waitFor({ state: 'hidden' });

  await p.getByRole('button', { name: 'Mute: Ahmed' }).click();
  await waitSent(p, 'mute', (m) => m.type === 'mute' && m.participant === id('a') && m.kind === 'audio');
  await p.getByRole('button', { name: 'Camera off: Ahmed' }).click();
  await waitSent(p, 'mute video', (m) => m.type === 'mute' && m.participant === id('a') && m.kind === 'video');
  await p.getByRole('button', { name: 'Ask to unmute: Bea' }).click();
  await waitSent(p, 'ask_unmute', (m) => m.type === 'ask_unmute' && m.participant === id('b'));
  await p.getByRole('button', { name: 'Remove: Bea' }).click();
  await waitSent(p, 'remove', (m) => m.type === 'remove' && m.participant === id('b'));
  await shot(p, 'host-people-en');
  assert.deepEqual(await axeFindings(p), [], 'host with the people panel');

  await p.getByRole('button', { name: /^Lock the meeting/ }).click();
  await waitSent(p, 'lock', (m) => m.type === 'lock' && m.locked === true);
  p.push({ type: 'meeting', meeting: { ...MEETING, locked: true } });
  await waitFor('lock pressed', async () => (await p.locator('#ctl-lock').getAttribute('aria-pressed')) === 'true', 5000);
  await p.getByText('The meeting is locked').first().waitFor();

  await p.getByRole('button', { name: 'End for all' }).click();
  await p.getByRole('dialog').getByRole('button', { name: 'End the meeting' }).click();
  await waitSent(p, 'end', (m) => m.type === 'end');
  p.push({ type: 'ended' });
  p.closeWs();
  await p.getByRole('heading', { name: 'The meeting has ended' }).waitFor();
  // Nothing of the chat or the roster stays behind.
  assert.equal(await p.locator('#chat-log li').count(), 0);
  assert.equal(await p.locator('#banner').isVisible(), false);
}));
