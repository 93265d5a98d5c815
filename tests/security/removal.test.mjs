// A removed participant who keeps its peer connections open receives nothing more (S4):
// the server cuts its transports at once, whatever its client does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createMeeting, metric } from '../lib/kamerd.mjs';
import { sessionIntoContext } from '../lib/kamerd.mjs';
import { launch, openPage, waitFor } from '../e2e/helpers.mjs';
import { stage, ws, auditList } from './lib.mjs';

let s;
let browser;
before(async () => {
  s = await stage(['--rate-limit', '1000']);
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close().catch(() => {});
  const st = await s.k.stop();
  await s.rx.stop();
  assert.deepEqual(st, { code: 0, signal: null }, s.k.stderr().slice(-3000));
});

async function joinPage(session, url, name) {
  const p = await openPage(browser, s.k.base, 'en-US');
  await sessionIntoContext(p.context(), s.k.base, session);
  await p.goto(url);
  await p.locator('#name').fill(name);
  await p.getByRole('button', { name: 'Join', exact: true }).click();
  await p.locator('#view-meeting').waitFor({ state: 'visible' });
  return p;
}

/** Packets received over all inbound streams of the subscribe connection. */
const received = (p) => p.evaluate(async () => {
  let n = 0;
  (await window.kamer.sub.getStats()).forEach((r) => { if (r.type === 'inbound-rtp') n += r.packetsReceived || 0; });
  return n;
});

test('S4: a removed participant receives no more media, even if its client stays', { timeout: 120000 }, async () => {
  const m = await createMeeting(s.k.base, s.alice, { title: 'Verwijderen', level: 'ongerubriceerd', lobby: false, invitees: [{ user: 'bob' }] });
  const url = s.k.base + m.url;
  const alice = await joinPage(s.alice, url, 'Alice');
  const bob = await joinPage(s.bob, url, 'Bob');
  // Media flows to Bob.
  const first = await waitFor('Bob receiving', async () => {
    const n = await received(bob);
    return n > 200 ? n : false;
  }, 45000, 500);
  // Bob's client turns hostile: it ignores being removed and keeps its connections.
  await bob.evaluate(() => {
    RTCPeerConnection.prototype.close = function () {};
    WebSocket.prototype.close = function () {};
  });
  const bobId = await bob.evaluate(() => window.kamer.selfId);
  // Alice, as host (a second session of hers), removes him.
  const host = ws(s.k.base, s.alice);
  await host.opened;
  host.send({ type: 'join', meeting: m.id });
  await host.until('joined');
  host.send({ type: 'remove', participant: bobId });
  await s.rx.waitFor('participant.removed', 10000);
  await new Promise((r) => setTimeout(r, 1000)); // packets already in flight
  const atCut = await received(bob);
  assert.ok(atCut > first, 'media was flowing before the removal');
  await new Promise((r) => setTimeout(r, 4000));
  const later = await received(bob);
  assert.equal(later, atCut, `no RTP after removal (received ${atCut} -> ${later})`);
  // Alice keeps her media and her meeting; the roster no longer has Bob.
  await waitFor('Alice sees one participant tile less', async () =>
    (await alice.locator(`[data-participant-id="${bobId}"]`).count()) === 0, 10000);
  assert.ok(auditList(s.k.dataDir).some((a) => a.kind === 'participant.removed'));
  host.sock.close();
  assert.ok(await metric(s.k.base, 'kamer_packets_forwarded_total') > 0);
});
