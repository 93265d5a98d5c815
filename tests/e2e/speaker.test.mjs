// Who is speaking: kamerd's speaker detection (audio levels) is sent as `speaker` events;
// every page highlights the tile of the one person whose fake microphone plays a tone.
// The others' browsers get a silent file as their microphone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKamerd, createMeeting, login, sessionIntoContext, PASSWORD } from '../lib/kamerd.mjs';
import { launch, openPage, shot, waitFor } from './helpers.mjs';

/** A 16-bit mono PCM WAV of `seconds` of a sine at `hz` (0: silence). */
function wav(hz, seconds = 4, rate = 48000) {
  const n = rate * seconds;
  const b = Buffer.alloc(44 + 2 * n);
  b.write('RIFF', 0); b.writeUInt32LE(36 + 2 * n, 4); b.write('WAVE', 8); b.write('fmt ', 12);
  b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22); b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34); b.write('data', 36);
  b.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(hz ? Math.round(12000 * Math.sin(2 * Math.PI * hz * i / rate)) : 0, 44 + 2 * i);
  return b;
}

let k;
let dir;
let loud;
let quiet;
const pages = [];
const sessions = {};

before(async () => {
  k = await startKamerd([], { cast: true });
  for (const u of ['alice', 'bob', 'carol']) sessions[u] = await login(k.base, u, PASSWORD);
  dir = mkdtempSync(join(tmpdir(), 'kamer-audio-'));
  writeFileSync(join(dir, 'tone.wav'), wav(440));
  writeFileSync(join(dir, 'silence.wav'), wav(0));
  loud = await launch([`--use-file-for-fake-audio-capture=${join(dir, 'tone.wav')}`]);
  quiet = await launch([`--use-file-for-fake-audio-capture=${join(dir, 'silence.wav')}`]);
});

after(async () => {
  for (const b of [loud, quiet]) if (b) await b.close().catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (!k) return;
  const st = await k.stop();
  assert.deepEqual(st, { code: 0, signal: null }, `kamerd's exit; stderr tail:\n${k.stderr().slice(-4000)}`);
});

async function joinAs(browser, url, name, user) {
  const p = await openPage(browser, k.base, 'en-US');
  await sessionIntoContext(p.context(), k.base, sessions[user]);
  p.who = name;
  pages.push(p);
  await p.goto(url);
  await p.locator('#name').fill(name);
  await p.getByRole('button', { name: 'Join', exact: true }).click();
  await p.locator('#view-meeting').waitFor({ state: 'visible' });
  return p;
}

const speaking = (p) => p.locator('[data-participant-id][data-speaking]').evaluateAll((els) => els.map((e) => e.dataset.participantId));

test('the speaker highlight follows the one whose microphone is on', { timeout: 120000 }, (t) => (async () => {
  const m = await createMeeting(k.base, sessions.alice, { title: 'Spreker', lobby: false, invitees: [{ user: 'bob' }, { user: 'carol' }] });
  const url = k.base + m.url;
  const quiet1 = await joinAs(quiet, url, 'Stil Een', 'alice');
  const talker = await joinAs(loud, url, 'Spreker', 'bob');
  const quiet2 = await joinAs(quiet, url, 'Stil Twee', 'carol');
  const talkerId = await talker.evaluate(() => window.kamer.selfId);
  for (const p of [quiet1, talker, quiet2]) {
    await waitFor(`${p.who}: the talker highlighted`, async () => {
      const s = await speaking(p);
      return { done: s.length === 1 && s[0] === talkerId, s };
    }, 30000, 500);
  }
  // Speaker view: the highlighted tile is shown large.
  await quiet1.getByRole('button', { name: 'Speaker large' }).click();
  const big = await quiet1.locator(`[data-participant-id="${talkerId}"]`).boundingBox();
  const small = await quiet1.locator('[data-participant-id]:not([data-speaking])').first().boundingBox();
  assert.ok(big.width > small.width * 1.5, `speaker tile large: ${JSON.stringify({ big, small })}`);
  await shot(quiet1, 'speaker-view');
  // The talker mutes: the highlight leaves them.
  await talker.getByRole('button', { name: 'Mute microphone' }).click();
  await waitFor('no highlight on the muted talker', async () => !(await speaking(quiet2)).includes(talkerId), 20000, 500);
  for (const p of pages) assert.deepEqual(p.problems, [], p.who);
})().catch(async (e) => {
  console.error(`--- kamerd stderr (tail) ---\n${k.stderr().slice(-3000)}`);
  for (const p of pages) console.error(`--- page ${p.who} ---\n${p.logs.slice(-20).join('\n')}`);
  throw e;
}));
