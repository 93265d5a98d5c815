// The meeting's features between real pages through a real kamerd: the join page's
// preview, device list and mute on entry; chat; a raised hand; a shared screen that the
// others decode; and the accessibility of the meeting with its panels open.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startKamerd, createMeeting, login, sessionIntoContext, metric, PASSWORD } from '../lib/kamerd.mjs';
import { launch, openPage, shot, waitFor, inboundStats, SCREEN_ARGS } from './helpers.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let k;
let browser;
const pages = [];
const sessions = {};
const meeting = (title) => createMeeting(k.base, sessions.alice, { title, lobby: false, invitees: [{ user: 'bob' }, { user: 'carol' }, { user: 'dave' }] });

before(async () => {
  // The usual cast: alice hosts; bob, carol and dave are members.
  k = await startKamerd([], { cast: true });
  for (const u of ['alice', 'bob', 'carol', 'dave']) sessions[u] = await login(k.base, u, PASSWORD);
  browser = await launch(SCREEN_ARGS);
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
      console.error(`--- page ${p.who} ---\n${p.logs.slice(-30).join('\n')}`);
      await shot(p, `features-failure-${i}`);
    }
    throw e;
  }
}

async function axeFindings(p) {
  await p.evaluate(`${AXE}\n;0`);
  const res = await p.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return res.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

async function person(locale, who) {
  const p = await openPage(browser, k.base, locale);
  await sessionIntoContext(p.context(), k.base, sessions[who.toLowerCase()]);
  p.who = who;
  pages.push(p);
  return p;
}

/** The join page as a person uses it: the preview runs, then name and Join. */
async function joinAs(p, url, name, { micOff = false } = {}) {
  await p.goto(url);
  await waitFor(`${p.who}: preview playing`, () => p.evaluate(() => {
    const v = document.getElementById('preview');
    return v.srcObject && v.videoWidth > 0;
  }), 15000);
  await p.locator('#name').fill(name);
  if (micOff) await p.locator('#join-mic-off').check();
  await p.locator('#join-button').click();
  await p.locator('#view-meeting').waitFor({ state: 'visible' });
}

test('join page: preview, device lists, mute on entry', { timeout: 90000 }, () => withReport(async () => {
  const m = await meeting('Voorbeeld');
  const p = await person('en-US', 'Dave');
  await p.goto(k.base + m.url);
  await waitFor('the preview plays the fake camera', () => p.evaluate(() => {
    const v = document.getElementById('preview');
    return v.srcObject && v.videoWidth > 0 && !v.paused;
  }), 15000);
  // The fake devices are listed, and "None" is always a choice.
  const cams = await p.locator('#dev-video option').allTextContents();
  const mics = await p.locator('#dev-audio option').allTextContents();
  assert.ok(cams.length >= 2 && cams.includes('None'), `cameras: ${cams}`);
  assert.ok(mics.length >= 2 && mics.includes('None'), `microphones: ${mics}`);
  await shot(p, 'join-preview-en');
  assert.deepEqual(await axeFindings(p), [], 'join page');
  // Camera off on entry hides the preview; microphone off on entry joins muted.
  await p.getByLabel('Join with my camera off').check();
  await p.locator('#preview-off').waitFor({ state: 'visible' });
  await p.getByLabel('Join with my camera off').uncheck();
  await p.locator('#name').fill('Mira');
  await p.getByLabel('Join with my microphone off').check();
  await p.getByRole('button', { name: 'Join', exact: true }).click();
  await p.locator('#view-meeting').waitFor({ state: 'visible' });
  assert.equal(await p.getByRole('button', { name: 'Mute microphone' }).getAttribute('aria-pressed'), 'true');
  await waitFor('own tile muted from the roster', async () =>
    (await p.locator('[data-participant-id]').getAttribute('data-audio')) === 'off', 10000);
  await waitFor('the publish connection up', () => p.evaluate(() =>
    window.kamer.pub && window.kamer.pub.connectionState === 'connected'), 20000);
  assert.deepEqual(await p.evaluate(() => window.kamer.pub.getSenders().map((s) => s.track && s.track.enabled)), [false, true]);
  await p.getByRole('button', { name: 'Leave the meeting' }).click();
  await p.getByRole('heading', { name: 'You left the meeting' }).waitFor();
  assert.deepEqual(p.problems, []);
}));

test('chat, raised hand and a shared screen reach the others', { timeout: 180000 }, () => withReport(async () => {
  const m = await meeting('Samen');
  const url = k.base + m.url;
  // Accounts join under their own names (Alice, Bob, Carol), whatever they type.
  const anna = await person('nl-NL', 'Alice');
  const bob = await person('en-US', 'Bob');
  const chloe = await person('en-GB', 'Carol');
  await joinAs(anna, url, 'Alice');
  await joinAs(bob, url, 'Bob');
  await joinAs(chloe, url, 'Carol');
  for (const p of [anna, bob, chloe]) {
    await waitFor(`${p.who}: three tiles`, async () => (await p.locator('[data-participant-id]').count()) === 3, 20000);
  }
  const annaId = await anna.evaluate(() => window.kamer.selfId);
  // The connection-quality indicator measures (getStats) and says what it found in words.
  const q = await waitFor('a quality grade', async () => {
    const level = await bob.locator('#quality').getAttribute('data-quality');
    return level !== 'unknown' && { level, text: await bob.locator('#quality-text').textContent() };
  }, 15000);
  assert.match(q.text, /^Connection (good|fair|poor)\. Loss [\d.]+ %, round trip \d+ ms, jitter \d+ ms$/);

  // Chat: Bob writes, Alice and Carol read it with his name; nobody else's page invents one.
  await bob.getByRole('button', { name: 'Chat', exact: true }).click();
  await bob.getByLabel('Message').fill('Hallo allemaal <b>niet vet</b>');
  await bob.getByLabel('Message').press('Enter');
  for (const p of [anna, chloe, bob]) {
    await waitFor(`${p.who}: the chat line`, () => p.evaluate(() =>
      [...document.querySelectorAll('#chat-log li')].map((li) => li.textContent)), 10000)
      .then((lines) => assert.equal(lines.length, 1));
    const line = await p.locator('#chat-log li').first();
    assert.equal(await line.locator('.who').textContent(), 'Bob');
    assert.equal(await line.locator('p').textContent(), 'Hallo allemaal <b>niet vet</b>');
    assert.equal(await p.locator('#chat-log b').count(), 0, 'chat text is text, never markup');
  }
  // Alice has not opened her chat: the button counts one unread message.
  assert.equal(await anna.locator('#chat-badge').isVisible(), true);

  // Raise hand: the others see it on Alice's tile and in the participants list.
  await anna.getByRole('button', { name: 'Hand opsteken' }).click();
  for (const p of [bob, chloe]) {
    await waitFor(`${p.who}: Alice's hand`, async () =>
      (await p.locator(`[data-participant-id="${annaId}"]`).getAttribute('data-hand')) === 'true', 10000);
    await p.locator(`[data-participant-id="${annaId}"] .ind-hand`).waitFor({ state: 'visible' });
  }
  await chloe.getByRole('button', { name: 'People' }).click();
  await chloe.locator(`[data-person-id="${annaId}"]`).getByText(/Hand raised/).waitFor();
  // Each participant's kind is shown (S4): these are accounts, Alice the host.
  assert.match(await chloe.locator(`[data-person-id="${annaId}"] .pkind`).textContent(), /^Account · Host/);
  assert.match(await chloe.locator(`[data-participant-id="${annaId}"] .kind`).textContent(), /^Account · Host/);
  await anna.getByRole('button', { name: 'Hand opsteken' }).click();
  await waitFor('hand lowered', async () =>
    (await bob.locator(`[data-participant-id="${annaId}"]`).getAttribute('data-hand')) === null, 10000);

  // Screen: Alice shares; Bob and Carol decode it as a screen track, shown large with her name.
  await anna.getByRole('button', { name: 'Scherm delen' }).click();
  // The button turns on once the browser hands over the screen (asynchronous).
  await waitFor('the screen button on', async () =>
    (await anna.locator('#ctl-screen').getAttribute('aria-pressed')) === 'true', 15000);
  for (const p of [bob, chloe]) {
    await p.locator('#screen-stage').waitFor({ state: 'visible', timeout: 30000 });
    assert.equal(await p.locator('#screen-stage').getAttribute('data-screen'), annaId);
    assert.equal(await p.locator('#screen-caption').textContent(), 'Alice is sharing their screen');
    const decoded = await waitFor(`${p.who}: screen frames decoded`, () => p.evaluate(async () => {
      const v = document.getElementById('screen-video');
      const track = v.srcObject && v.srcObject.getVideoTracks()[0];
      if (!track) return { done: false };
      let frames = 0;
      (await window.kamer.sub.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.trackIdentifier === track.id) frames = s.framesDecoded || 0;
      });
      return { done: frames > 5 && v.videoWidth > 0, frames, width: v.videoWidth };
    }), 40000, 500);
    assert.ok(decoded.width > 0);
  }
  // The camera keeps flowing beside it: Bob still decodes Alice's camera in her tile.
  await waitFor("Bob: Alice's camera in her tile", () => bob.evaluate((id) => {
    const v = document.querySelector(`[data-participant-id="${id}"] video`);
    return v && v.videoWidth > 0;
  }, annaId), 30000);
  await shot(bob, 'screen-share-seen-by-bob');
  await bob.getByRole('button', { name: 'Chat', exact: true }).click(); // closes it
  assert.deepEqual(await axeFindings(bob), [], 'meeting with screen');
  await anna.getByRole('button', { name: 'Scherm delen' }).click();
  for (const p of [bob, chloe]) await p.locator('#screen-stage').waitFor({ state: 'hidden', timeout: 20000 });
  // And media still flows both ways after the publish connection was replaced twice.
  await waitFor('Bob decodes two cameras', async () => {
    const s = await inboundStats(bob);
    return { done: s.video.filter((x) => x.framesDecoded > 0).length >= 2, s };
  }, 30000, 500);
  for (const p of pages) assert.deepEqual(p.problems, [], p.who);
  // A browser's camera, microphone and screen together stay inside what a connection may
  // send by default (--media-limit-kbps, --media-limit-pps): nothing was dropped for it.
  assert.equal(await metric(k.base, 'kamer_drops_total{reason="over_limit"}'), 0);
}));
