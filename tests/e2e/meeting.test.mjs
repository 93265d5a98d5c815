// Three people meet through a real kamerd in Debian's Chromium with fake cameras and
// microphones. Each proves with getStats() that it decodes both others' video and
// receives their sound; toggles and tiles follow the roster; one leaves and rejoins.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKamerd, createMeeting, addTenant, addUser, login, sessionIntoContext, metric, PASSWORD } from '../lib/kamerd.mjs';
import { launch, openPage, shot, waitFor, join, inboundStats } from './helpers.mjs';

const NL = { field: 'Uw naam', button: 'Deelnemen', leave: 'Verlaten', rejoin: 'Opnieuw deelnemen',
  mic: 'Microfoon dempen', cam: 'Camera uitzetten', you: '(u)' };
const EN = { field: 'Your name', button: 'Join', leave: 'Leave', rejoin: 'Rejoin',
  mic: 'Mute microphone', cam: 'Turn camera off', you: '(you)' };
const PEOPLE = [
  { locale: 'nl-NL', login: 'anna', name: 'Anna de Vries', ...NL },
  { locale: 'en-US', login: 'bob', name: 'Bob Smith', ...EN },
  { locale: 'nl-BE', login: 'chloe', name: 'Chloé Janssens', ...NL },
];

let k;
let browser;
const pages = [];

before(async () => {
  // The room is spread over both media workers from its second member on (--room-spread 1),
  // so that these browsers' media, key-frame requests, NACKs and sender reports also cross
  // from one worker to the other, as in a big meeting. The other browser tests keep their
  // small rooms on one worker.
  k = await startKamerd(['--room-spread', '1']);
  const tenant = addTenant(k.dataDir, 'Gemeente');
  for (const [i, p] of PEOPLE.entries()) {
    addUser(k.dataDir, { tenant, login: p.login, name: p.name, roles: i === 0 ? ['member', 'host'] : ['member'], password: PASSWORD });
    p.session = await login(k.base, p.login, PASSWORD);
  }
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (!k) return;
  // A clean exit after real browsers came and went (under ASan a leak makes it non-zero).
  const st = await k.stop();
  assert.deepEqual(st, { code: 0, signal: null }, `kamerd's exit; stderr tail:\n${k.stderr().slice(-4000)}`);
});

/** Runs a test body; on failure prints kamerd's stderr tail and each page's console. */
async function withReport(fn) {
  try {
    await fn();
  } catch (e) {
    if (k) console.error(`--- kamerd stderr (tail) ---\n${k.stderr().slice(-6000)}`);
    for (const p of pages) console.error(`--- page ${p.who} ---\n${p.logs.slice(-40).join('\n')}`);
    for (const [i, p] of pages.entries()) await shot(p, `failure-${i}`);
    throw e;
  }
}

const tileCount = (page) => page.locator('[data-participant-id]').count();

async function tilesAre(page, n, timeoutMs = 20000) {
  await waitFor(`${page.who} to show ${n} tiles`, async () => ({ done: (await tileCount(page)) === n, n: await tileCount(page) }), timeoutMs);
}

/** Waits until the page decodes video from `want` streams and hears `want` audio streams. */
async function waitForMedia(page, want, timeoutMs = 45000) {
  return waitFor(`${page.who} to decode ${want} videos and hear ${want} audio streams`, async () => {
    const s = await inboundStats(page);
    const v = s.video.filter((x) => x.framesDecoded > 0);
    const a = s.audio.filter((x) => x.energy > 0);
    return { done: new Set(v.map((x) => x.ssrc)).size >= want && new Set(a.map((x) => x.ssrc)).size >= want, ...s };
  }, timeoutMs, 500);
}

test('three participants see and hear each other; tiles follow the roster', { timeout: 240000 }, (t) => withReport(async () => {
  // Anna hosts; Bob and Chloé are invited; no lobby, so everyone walks straight in.
  const meeting = await createMeeting(k.base, PEOPLE[0].session, {
    title: 'E2E', lobby: false, invitees: [{ user: 'bob' }, { user: 'chloe' }],
  });
  const url = k.base + meeting.url;

  // Arrive one after another, as people do, so every arrival renegotiates.
  for (const who of PEOPLE) {
    const page = await openPage(browser, k.base, who.locale);
    await sessionIntoContext(page.context(), k.base, who.session);
    page.who = who.name;
    page.person = who;
    pages.push(page);
    await join(page, url, who.name, who.button, who.field);
    await page.locator('#view-meeting').waitFor({ state: 'visible' });
  }
  for (const page of pages) await tilesAre(page, 3);

  // The title reaches participants only through `joined`.
  for (const page of pages) assert.equal(await page.locator('#meeting-title').textContent(), 'E2E');

  // Each page decodes video from both others and hears both, and the video keeps coming:
  // frames decoded grow on both streams between two samples 2 s apart. A stream that
  // stalls at its start (lost packets, then a wait for a key frame) gets a few more
  // windows, and the stall is reported as a diagnostic.
  for (const page of pages) {
    let first = await waitForMedia(page, 2);
    let second;
    let grown = [];
    const deadline = Date.now() + 20000;
    for (let window = 0; ; window++) {
      await new Promise((r) => setTimeout(r, 2000));
      second = await inboundStats(page);
      grown = first.video.filter((a) => a.framesDecoded > 0 &&
        second.video.some((b) => b.ssrc === a.ssrc && b.framesDecoded > a.framesDecoded));
      if (new Set(grown.map((x) => x.ssrc)).size >= 2) break;
      t.diagnostic(`${page.who}: a video stalled for 2 s: ${JSON.stringify({ first: first.video, second: second.video })}`);
      assert.ok(Date.now() < deadline,
        `${page.who}: video frames decoded did not grow on two streams: ${JSON.stringify({ first, second })}`);
      first = second;
    }
    t.diagnostic(`${page.who}: frames decoded ${grown.map((a) => `${a.framesDecoded}->${second.video.find((b) => b.ssrc === a.ssrc).framesDecoded}`).join(', ')}; ` +
      `audio energy ${second.audio.filter((a) => a.energy > 0).map((a) => a.energy.toFixed(3)).join(', ')}`);
  }

  // The two workers each carried part of the room, and handed each other its media.
  const fwd = (w) => metric(k.base, `kamer_worker_packets_forwarded_total{worker="${w}"}`);
  assert.ok(await fwd(0) > 0 && await fwd(1) > 0, `forwarded: ${await fwd(0)} and ${await fwd(1)}`);
  assert.ok(await metric(k.base, 'kamer_relay_messages_out_total') > 0);
  // Real browsers stay inside what a connection may send by default.
  assert.equal(await metric(k.base, 'kamer_drops_total{reason="over_limit"}'), 0);

  // Each track sits in its publisher's tile: two remote tiles playing video, with sound.
  const ids = [];
  for (const page of pages) ids.push(await page.evaluate(() => window.kamer.selfId));
  assert.equal(new Set(ids).size, 3);
  for (const [i, page] of pages.entries()) {
    await waitFor(`${page.who}: remote tiles playing`, () => page.evaluate((selfId) => {
      const remote = [...document.querySelectorAll('[data-participant-id]')].filter((t) => t.dataset.participantId !== selfId);
      const ok = remote.every((t) => {
        const v = t.querySelector('video');
        const a = t.querySelector('audio');
        return v.videoWidth > 0 && !v.paused && a && a.srcObject && a.srcObject.getAudioTracks().length === 1 && !a.paused;
      });
      return { done: remote.length === 2 && ok, n: remote.length };
    }, ids[i]));
    const names = await page.locator('[data-participant-id] .name').allTextContents();
    const expected = PEOPLE.map((p, j) => (j === i ? `${p.name} ${page.person.you}` : p.name));
    assert.deepEqual([...names].sort(), [...expected].sort(), `${page.who} tile names`);
    // Your own tile is first, shows your camera, and never plays your own sound.
    const own = page.locator('[data-participant-id]').first();
    assert.equal(await own.getAttribute('data-participant-id'), ids[i]);
    assert.equal(await own.locator('audio').count(), 0);
    assert.equal(await own.locator('video').evaluate((v) => v.muted), true);
  }
  for (const [i, page] of pages.entries()) await shot(page, `meeting-${i}-${page.person.locale}`);

  // Anna mutes her microphone and turns her camera off; the others see it from the roster.
  const [anna, bob, chloe] = pages;
  const annaTile = (page) => page.locator(`[data-participant-id="${ids[0]}"]`);
  await anna.getByRole('button', { name: NL.mic }).click();
  await anna.getByRole('button', { name: NL.cam }).click();
  assert.equal(await anna.getByRole('button', { name: NL.mic }).getAttribute('aria-pressed'), 'true');
  assert.equal(await anna.getByRole('button', { name: NL.cam }).getAttribute('aria-pressed'), 'true');
  assert.deepEqual(await anna.evaluate(() => window.kamer.pub.getSenders().map((s) => s.track && s.track.enabled)), [false, false]);
  for (const page of [bob, chloe]) {
    await waitFor(`${page.who} to see Anna muted with her camera off`, async () => ({
      done: (await annaTile(page).getAttribute('data-audio')) === 'off' && (await annaTile(page).getAttribute('data-video')) === 'off',
    }), 10000);
    await annaTile(page).locator('.ind-mic').waitFor({ state: 'visible' });
    await annaTile(page).locator('.ind-cam').waitFor({ state: 'visible' });
    await annaTile(page).locator('.avatar').waitFor({ state: 'visible' });
  }
  assert.equal(await bob.locator(`[data-participant-id="${ids[0]}"] .ind-mic`).textContent(), 'Microphone off');
  await shot(bob, 'meeting-anna-muted-seen-by-bob');
  await shot(anna, 'meeting-anna-muted');
  await anna.getByRole('button', { name: NL.mic }).click();
  await anna.getByRole('button', { name: NL.cam }).click();
  for (const page of [bob, chloe]) {
    await waitFor(`${page.who} to see Anna back`, async () => ({
      done: (await annaTile(page).getAttribute('data-audio')) === 'on' && (await annaTile(page).getAttribute('data-video')) === 'on',
    }), 10000);
  }

  // Bob leaves: his tile disappears from the other two pages.
  const transceivers = (page) => page.evaluate(() => window.kamer.sub.getTransceivers().length);
  const before = await Promise.all([anna, chloe].map(transceivers));
  await bob.getByRole('button', { name: EN.leave }).click();
  await bob.getByRole('heading', { name: 'You left the meeting' }).waitFor();
  await bob.getByRole('button', { name: EN.rejoin }).waitFor();
  await shot(bob, 'left-en');
  for (const page of [anna, chloe]) {
    await tilesAre(page, 2);
    assert.equal(await page.locator(`[data-participant-id="${ids[1]}"]`).count(), 0);
  }
  assert.equal(await bob.evaluate(() => window.kamer.sub.signalingState), 'closed');
  assert.equal(await bob.evaluate(() => window.kamer.pub.signalingState), 'closed');

  // And rejoins: everybody is three again, and Bob receives both others once more.
  await bob.getByRole('button', { name: EN.rejoin }).click();
  await bob.locator('#view-meeting').waitFor({ state: 'visible' });
  for (const page of pages) await tilesAre(page, 3);
  await waitForMedia(bob, 2);

  // Bob's new tracks travel in the m= sections his old ones left, so a meeting where people
  // come and go does not grow its offers; and the others see his video there, moving.
  assert.deepEqual(await Promise.all([anna, chloe].map(transceivers)), before, 'm= sections reused');
  for (const page of [anna, chloe]) {
    const frames = () => page.evaluate((name) => {
      const tile = [...document.querySelectorAll('[data-participant-id]')]
        .find((t) => t.querySelector('.name').textContent === name);
      const v = tile && tile.querySelector('video');
      return v && v.videoWidth > 0 ? v.getVideoPlaybackQuality().totalVideoFrames : 0;
    }, PEOPLE[1].name);
    const f0 = await waitFor(`${page.who} to play Bob's video again`, frames, 30000, 500);
    await waitFor(`${page.who}: Bob's video keeps moving`, async () => (await frames()) > f0 + 10, 15000, 500);
  }

  // Nothing came from elsewhere, nothing broke the CSP, no script error.
  for (const page of pages) assert.deepEqual(page.problems, [], page.who);
}));
