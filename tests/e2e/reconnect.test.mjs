// Staying connected: one participant's network is cut for 10 s and restored; the page
// comes back by itself into the same seat (one tile, the same id) with media flowing.
//
// How the cut is made: WebRTC's UDP is not stopped by Playwright's setOffline, so this
// test builds its own small network. It creates a network namespace with a veth pair
// (host side 10.<a>.<b>.1, namespace side .2), binds kamerd to the host side, and runs
// Dana's Chromium inside the namespace (through `ip netns exec`). Everyone else's browser
// stays outside. Taking the host end of the veth down cuts every packet of Dana's, TCP and
// UDP alike; bringing it up restores them. Needs root (the tests run as root) and iproute2.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKamerd, createMeeting, login, sessionIntoContext, PASSWORD } from '../lib/kamerd.mjs';
import { launch, openPage, shot, waitFor, inboundStats, CHROMIUM } from './helpers.mjs';

const CUT_MS = 10000;
const tag = String(process.pid % 60000);
const NS = `kamer-e2e-${tag}`;
const VETH_HOST = `kh${tag}`;
const VETH_NS = `kn${tag}`;
const NET = `10.${100 + (process.pid % 100)}.${process.pid % 250}`;
const HOST_ADDR = `${NET}.1`;

const ip = (...args) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10000 });

let k;
let outside;
let inside;
let wrapDir;
const pages = [];
const sessions = {};

function netUp() {
  ip('netns', 'add', NS);
  ip('link', 'add', VETH_HOST, 'type', 'veth', 'peer', 'name', VETH_NS, 'netns', NS);
  // No IPv6 on the pair: its link-local addresses arrive a second or two after the link
  // comes up, and Chromium then fails requests in flight with ERR_NETWORK_CHANGED.
  for (const [args, dev] of [[[], VETH_HOST], [['netns', 'exec', NS], VETH_NS], [['netns', 'exec', NS], 'lo']]) {
    try {
      execFileSync(args.length ? 'ip' : 'sysctl', [...args, ...(args.length ? ['sysctl'] : []),
        '-qw', `net.ipv6.conf.${dev}.disable_ipv6=1`]);
    } catch { /* no IPv6 in this kernel: nothing to disable */ }
  }
  ip('addr', 'add', `${HOST_ADDR}/30`, 'dev', VETH_HOST);
  ip('link', 'set', VETH_HOST, 'up');
  ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${NET}.2/30`, 'dev', VETH_NS);
  ip('netns', 'exec', NS, 'ip', 'link', 'set', VETH_NS, 'up');
  ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
}

function netDown() {
  try { ip('netns', 'del', NS); } catch { /* not made */ }
  try { ip('link', 'del', VETH_HOST); } catch { /* gone with the namespace */ }
}

before(async () => {
  netDown();
  netUp();
  k = await startKamerd([], { host: HOST_ADDR, cast: true });
  for (const u of ['alice', 'bob']) sessions[u] = await login(k.base, u, PASSWORD);
  // Camera and microphone need a secure context; this origin is plain http on a veth.
  const secure = [`--unsafely-treat-insecure-origin-as-secure=${k.base}`];
  outside = await launch(secure);
  // Chromium inside the namespace; Playwright's pipe (fds 3 and 4) passes through ip netns exec.
  wrapDir = mkdtempSync(join(tmpdir(), 'kamer-ns-'));
  const wrapper = join(wrapDir, 'chromium-in-ns');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${NS} ${CHROMIUM} "$@"\n`);
  chmodSync(wrapper, 0o755);
  inside = await launch(secure, { executablePath: wrapper });
});

after(async () => {
  for (const b of [outside, inside]) if (b) await b.close().catch(() => {});
  if (wrapDir) rmSync(wrapDir, { recursive: true, force: true });
  let st = null;
  if (k) st = await k.stop();
  netDown();
  if (k) assert.deepEqual(st, { code: 0, signal: null }, `kamerd's exit; stderr tail:\n${k.stderr().slice(-4000)}`);
});

async function withReport(fn) {
  try {
    await fn();
  } catch (e) {
    if (k) console.error(`--- kamerd stderr (tail) ---\n${k.stderr().slice(-6000)}`);
    for (const [i, p] of pages.entries()) {
      console.error(`--- page ${p.who} ---\n${p.logs.slice(-40).join('\n')}`);
      await shot(p, `reconnect-failure-${i}`);
    }
    throw e;
  } finally {
    // Never leave the link down for the tests that follow.
    try { ip('link', 'set', VETH_HOST, 'up'); } catch { /* already gone */ }
  }
}

async function person(browser, name, user) {
  const p = await openPage(browser, k.base, 'en-US');
  await sessionIntoContext(p.context(), k.base, sessions[user]);
  p.who = name;
  pages.push(p);
  return p;
}

async function joinAs(p, url, name) {
  // Twice at most: a browser in a fresh namespace may see its network change once.
  for (let attempt = 1; ; attempt++) {
    await p.goto(url);
    await p.locator('#name').fill(name);
    await p.getByRole('button', { name: 'Join', exact: true }).click();
    try {
      await p.locator('#view-meeting').waitFor({ state: 'visible', timeout: 15000 });
      return;
    } catch (e) {
      if (attempt === 2) throw e;
    }
  }
}

/** Frames decoded on the video in participant pid's tile, as seen by page p. */
function tileFrames(p, pid) {
  return p.evaluate(async (id) => {
    const v = document.querySelector(`[data-participant-id="${id}"] video`);
    const track = v && v.srcObject && v.srcObject.getVideoTracks()[0];
    if (!track || !window.kamer.sub) return 0;
    let frames = 0;
    (await window.kamer.sub.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.trackIdentifier === track.id) frames = s.framesDecoded || 0;
    });
    return frames;
  }, pid);
}

async function framesGrow(p, pid, what) {
  let first = -1;
  await waitFor(what, async () => {
    const f = await tileFrames(p, pid);
    if (first < 0 && f > 0) first = f;
    return { done: first >= 0 && f > first + 10, first, now: f };
  }, 45000, 500);
}

/**
 * Cuts Dana's network for cutMs and restores it; checks she comes back in the same seat
 * with one tile per person and video both ways. Resolves to how often her page rejoined.
 */
async function cutAndRestore(t, title, cutMs) {
  const m = await createMeeting(k.base, sessions.alice, { title, lobby: false, invitees: [{ user: 'bob' }] });
  const url = k.base + m.url;
  const eve = await person(outside, `Eve ${title}`, 'alice');
  const dana = await person(inside, `Dana ${title}`, 'bob');
  await joinAs(eve, url, 'Eve');
  await joinAs(dana, url, 'Dana');
  const danaId = await dana.evaluate(() => window.kamer.selfId);
  const eveId = await eve.evaluate(() => window.kamer.selfId);
  await framesGrow(eve, danaId, 'Eve decodes Dana before the cut');
  await framesGrow(dana, eveId, 'Dana decodes Eve before the cut');

  // Eve's page records whether it ever showed Dana as reconnecting; Dana's, her states.
  await eve.evaluate((id) => {
    window.sawReconnecting = false;
    new MutationObserver(() => {
      const tile = document.querySelector(`[data-participant-id="${id}"]`);
      if (tile && tile.dataset.reconnecting) window.sawReconnecting = true;
    }).observe(document.getElementById('grid'), { subtree: true, attributes: true });
  }, danaId);
  await dana.evaluate(() => {
    window.states = [];
    const t0 = Date.now();
    for (const [n, pc] of [['pub', window.kamer.pub], ['sub', window.kamer.sub]]) {
      pc.addEventListener('connectionstatechange', () => window.states.push(`${Date.now() - t0} ${n} ${pc.connectionState}`));
    }
  });

  ip('link', 'set', VETH_HOST, 'down');
  const cutAt = Date.now();
  // While cut, Dana's page notices: its media connection goes away.
  await waitFor('Dana notices the cut', () => dana.evaluate(() => document.body.dataset.reconnecting === 'true' ||
    (window.kamer.pub && window.kamer.pub.connectionState !== 'connected')), cutMs, 250);
  await new Promise((r) => setTimeout(r, Math.max(0, cutMs - (Date.now() - cutAt))));
  ip('link', 'set', VETH_HOST, 'up');
  t.diagnostic(`network cut for ${Date.now() - cutAt} ms`);

  // Back by itself: Dana's own id, one tile each, and pictures again both ways.
  await waitFor('Dana reconnected', () => dana.evaluate(() => !document.body.dataset.reconnecting &&
    window.kamer.pub && window.kamer.pub.connectionState === 'connected'), 40000, 500);
  assert.equal(await dana.evaluate(() => window.kamer.selfId), danaId, 'the same seat');
  assert.equal(await dana.locator('#view-meeting').isVisible(), true);
  await framesGrow(eve, danaId, 'Eve decodes Dana after the cut');
  await framesGrow(dana, eveId, 'Dana decodes Eve after the cut');
  for (const p of [eve, dana]) {
    const ids = await p.locator('[data-participant-id]').evaluateAll((els) => els.map((e) => e.dataset.participantId));
    assert.deepEqual([...ids].sort(), [danaId, eveId].sort(), `${p.who}: one tile per person`);
  }
  await waitFor('Eve hears Dana', async () => (await inboundStats(eve)).audio.some((a) => a.energy > 0), 10000);
  const rejoins = await dana.evaluate(() => window.kamer.reconnects);
  t.diagnostic(`Dana rejoined ${rejoins} time(s); Eve saw "reconnecting": ${await eve.evaluate(() => window.sawReconnecting)}; ` +
    `Dana's states: ${await dana.evaluate(() => window.states.join(', '))}`);
  for (const p of [eve, dana]) {
    await p.getByRole('button', { name: 'Leave the meeting' }).click();
    await p.getByRole('heading', { name: 'You left the meeting' }).waitFor();
    assert.deepEqual(p.problems, [], p.who);
  }
  return { rejoins, eve, sawReconnecting: await eve.evaluate(() => window.sawReconnecting) };
}

test('cut off for 10 s: the connections recover in place; same seat, one tile, media flowing', { timeout: 150000 }, (t) => withReport(async () => {
  await cutAndRestore(t, 'Tien', CUT_MS);
}));

// Longer than the browser waits before it calls the media connection lost (about 8 s of
// silence, then DISCONNECTED_MS in media.js): the page rejoins over a new WebSocket with
// `resume` and makes new peer connections (the ICE restart), all by itself.
test('cut off for 20 s: the page rejoins with resume and new connections into the same seat', { timeout: 150000 }, (t) => withReport(async () => {
  const { rejoins, sawReconnecting } = await cutAndRestore(t, 'Twintig', 2 * CUT_MS);
  assert.ok(rejoins >= 1, `the page rejoined (${rejoins})`);
  // kamerd noticed the dead socket (WebSocket pings) and told the others.
  assert.equal(sawReconnecting, true, 'Eve saw Dana as reconnecting');
}));
