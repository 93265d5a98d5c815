// The REST API, the join page, WebSocket errors and bad media packets against a real kamerd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync, readdirSync } from 'node:fs';
import WebSocket from 'ws';
import { startKamerd, createMeeting, metric, login, api, PASSWORD } from '../lib/kamerd.mjs';

let k;
let alice;
before(async () => {
  k = await startKamerd([], { cast: true });
  alice = await login(k.base, 'alice', PASSWORD);
});
after(async () => {
  const st = await k.stop();
  // Shutdown is clean: exit 0 (under ASan a leak would make it non-zero).
  assert.deepEqual(st, { code: 0, signal: null }, k.stderr().slice(-4000));
});

test('/metrics has each media worker\'s CPU time, load and loop lag', async () => {
  const text = await (await fetch(`${k.base}/metrics`)).text();
  assert.equal(await metric(k.base, 'kamer_media_workers'), 2);
  for (const w of ['0', '1']) {
    assert.match(text, new RegExp(`^kamer_worker_cpu_seconds_total\\{worker="${w}"\\} [0-9.]+$`, 'm'));
    assert.match(text, new RegExp(`^kamer_dtls_cpu_seconds_total\\{worker="${w}"\\} [0-9.]+$`, 'm'));
    // The loop ticks every 20 ms; on a loaded machine the first tick may still be to come.
    let ticks = 0;
    for (let i = 0; i < 50 && ticks === 0; i++) {
      ticks = await metric(k.base, `kamer_loop_ticks_total{worker="${w}"}`);
      if (ticks === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(ticks > 0, `worker ${w} never ticked`);
    assert.ok(await metric(k.base, `kamer_loop_lag_microseconds_total{worker="${w}"}`) >= 0);
    assert.ok(await metric(k.base, `kamer_worker_participants{worker="${w}"}`) >= 0);
  }
  assert.doesNotMatch(text, /worker="2"/);
  assert.match(text, /^kamer_rooms [0-9]+$/m);
});

// Media first: the workers keep normal priority, and the threads that can wait (signalling
// and the API, DTLS handshakes, web hooks) give way to them when the CPUs are busy.
test('the media workers run before the control plane', () => {
  const nice = {};
  const dir = `/proc/${k.proc.pid}/task`;
  for (const tid of readdirSync(dir)) {
    const stat = readFileSync(`${dir}/${tid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // Fields after the command: state is field 3, nice field 19 (proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    nice[comm] = Number(fields[19 - 3]);
  }
  assert.equal(nice['kamer-media/0'], 0, JSON.stringify(nice));
  assert.equal(nice['kamer-media/1'], 0, JSON.stringify(nice));
  assert.equal(nice.kamerd, 10, JSON.stringify(nice));
  assert.equal(nice['kamer-dtls/0'], 10, JSON.stringify(nice));
  assert.equal(nice['kamer-dtls/1'], 10, JSON.stringify(nice));
  assert.equal(nice['kamer-webhook'], 10, JSON.stringify(nice));
});

test('healthz answers 200', async () => {
  const r = await fetch(`${k.base}/healthz`);
  assert.equal(r.status, 200);
});

test('--help lists every flag', async () => {
  const { execFileSync } = await import('node:child_process');
  const { KAMERD } = await import('../lib/kamerd.mjs');
  const out = execFileSync(KAMERD, ['--help']).toString();
  for (const f of ['--data-dir', '--listen', '--media', '--media-workers', '--media-placement',
    '--room-spread', '--media-priority', '--media-limit-kbps', '--media-limit-pps', '--announce', '--help']) {
    assert.match(out, new RegExp(f));
  }
});

test('a number out of its range, or not a number, is refused with the range', async () => {
  const { spawnSync } = await import('node:child_process');
  const { KAMERD } = await import('../lib/kamerd.mjs');
  for (const [flag, value, want] of [
    ['--media-limit-kbps', '-1', '0 to 4294967295'],
    ['--media-limit-pps', '4294967296', '0 to 4294967295'],
    ['--media-limit-kbps', '10M', '0 to 4294967295'],
    ['--room-spread', '65', '0 to 64'],
    ['--media-workers', '0', '1 to 64'],
    ['--retention-hours', '', '0 to 87600'],
    ['--rate-limit', '99999999999999999999', '1 to 100000'],
  ]) {
    const r = spawnSync(KAMERD, [flag, value], { timeout: 10000 });
    assert.equal(r.status, 2, `${flag} ${value}`);
    assert.match(r.stderr.toString(), new RegExp(`${flag} wants ${want}`));
  }
});

test('an unknown --media-placement is refused with a reason', async () => {
  const { spawnSync } = await import('node:child_process');
  const { KAMERD } = await import('../lib/kamerd.mjs');
  const r = spawnSync(KAMERD, ['--media-placement', 'everywhere'], { timeout: 10000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /--media-placement wants pack or spread/);
});

test('creating a meeting answers 201 with an unguessable id and its url', async () => {
  const a = await createMeeting(k.base, alice, { title: 'Overleg' });
  const b = await createMeeting(k.base, alice, { title: 'Overleg' });
  assert.match(a.id, /^[a-z2-7]{32}$/); // 160 bits, base32
  assert.equal(a.url, `/m/${a.id}`);
  assert.notEqual(a.id, b.id);
  const page = await fetch(`${k.base}${a.url}`, { headers: { cookie: alice.cookie } });
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /text\/html/);
  assert.match(page.headers.get('content-security-policy'), /default-src 'self'/);
});

test('malformed requests get 400 with a JSON error', async () => {
  for (const body of ['{not json', '[]', '{}', '{"title": ""}', '{"title": 5}',
    JSON.stringify({ title: 'x'.repeat(201) }), '{"title": "a\\u0000b"}', '{"title":"a","title":"b"}']) {
    const r = await fetch(`${k.base}/api/v1/meetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: alice.cookie, 'x-kamer-csrf': alice.csrf },
      body,
    });
    assert.equal(r.status, 400, body);
    assert.match(r.headers.get('content-type'), /application\/json/);
    const j = await r.json();
    assert.equal(j.error, 'bad_request');
    assert.ok(j.message.length > 0);
  }
});

test('an oversized body gets 413', async () => {
  const r = await fetch(`${k.base}/api/v1/meetings`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'x', pad: 'y'.repeat(40000) }),
  });
  assert.equal(r.status, 413);
  assert.equal((await r.json()).error, 'too_large');
});

test('wrong method gets 405', async () => {
  const r = await api(k.base, alice, 'DELETE', '/api/v1/meetings');
  assert.equal(r.status, 405);
  const p = await fetch(`${k.base}/healthz`, { method: 'POST' });
  assert.equal(p.status, 405);
});

test('an unknown meeting gets the same 404 page as any unknown path (S2)', async () => {
  const bodies = [];
  for (const path of ['/m/abcdefghijklmnopqrstuvwxyz234567', '/m/short', '/m/', '/no/such/page']) {
    const r = await fetch(`${k.base}${path}`);
    assert.equal(r.status, 404, path);
    bodies.push(await r.text());
  }
  for (const b of bodies) assert.equal(b, bodies[0]);
  const api = await fetch(`${k.base}/api/v1/nothing`);
  assert.equal(api.status, 404);
  assert.equal((await api.json()).error, 'not_found');
});

function wsOpen(base, session) {
  const headers = session ? { cookie: session.cookie } : {};
  const ws = new WebSocket(base.replace('http', 'ws') + '/ws', 'kamer.v1', { headers });
  const queue = [];
  const waiters = [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    if (waiters.length) waiters.shift()(m); else queue.push(m);
  });
  const next = () => new Promise((resolve, reject) => {
    if (queue.length) return resolve(queue.shift());
    const t = setTimeout(() => reject(new Error('no message within 5 s')), 5000);
    waiters.push((m) => { clearTimeout(t); resolve(m); });
  });
  const opened = new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return { ws, next, opened };
}

test('WebSocket: a quiet client is pinged after 3 s; one that never answers is closed after 8 s, one that answers stays', { timeout: 30000 }, async () => {
  const url = k.base.replace('http', 'ws') + '/ws';
  const t0 = Date.now();
  const answers = new WebSocket(url, 'kamer.v1');                     // pongs on its own
  const silent = new WebSocket(url, 'kamer.v1', { autoPong: false }); // a vanished peer
  const watch = (sock) => {
    const seen = { pings: [], closed: null };
    sock.on('ping', () => seen.pings.push(Date.now() - t0));
    sock.on('close', () => { seen.closed = Date.now() - t0; });
    return seen;
  };
  const a = watch(answers);
  const s = watch(silent);
  await Promise.all([answers, silent].map((w) => new Promise((resolve, reject) => {
    w.once('open', resolve); w.once('error', reject);
  })));
  for (let i = 0; i < 120 && s.closed === null; i++) await new Promise((r) => setTimeout(r, 100));
  assert.notEqual(s.closed, null, 'the silent client was not closed within 12 s');
  assert.ok(s.closed >= 7500, `the silent client was closed after only ${s.closed} ms`);
  assert.ok(s.pings.length >= 1 && s.pings[0] >= 2500, `pings to the silent client at ${s.pings} ms`);
  // The one that answers was pinged too, and its pongs keep it open past the hang-up time.
  assert.ok(a.pings.length >= 1 && a.pings[0] >= 2500, `pings to the answering client at ${a.pings} ms`);
  assert.equal(a.closed, null, `the answering client was closed at ${a.closed} ms`);
  answers.close();
});

test('WebSocket: malformed messages get an error frame, the socket stays', async () => {
  const c = wsOpen(k.base);
  await c.opened;
  c.ws.send('{oops');
  let m = await c.next();
  assert.equal(m.type, 'error');
  assert.equal(m.code, 'bad_request');
  c.ws.send(JSON.stringify({ type: 'publish', sdp: 'v=0' }));
  m = await c.next();
  assert.equal(m.code, 'state'); // join first
  c.ws.send(JSON.stringify({ type: 'bogus' }));
  m = await c.next();
  assert.equal(m.code, 'bad_request');
  c.ws.send(JSON.stringify({ type: 'join', meeting: 'abcdefghijklmnopqrstuvwxyz234567', name: 'Eve' }));
  m = await c.next();
  assert.deepEqual(m, { type: 'error', code: 'not_found', message: 'meeting not found', fatal: true });
  c.ws.close();
});

test('WebSocket: join, then a bad SDP gets a bad_request error', async () => {
  const { id } = await createMeeting(k.base, alice, { title: 'WS', lobby: false });
  const c = wsOpen(k.base, alice);
  await c.opened;
  c.ws.send(JSON.stringify({ type: 'join', meeting: id, name: 'Ann' }));
  const joined = await c.next();
  assert.equal(joined.type, 'joined');
  assert.match(joined.id, /^[a-z2-7]{32}$/);
  assert.equal(joined.meeting.title, 'WS');
  const roster = await c.next();
  assert.equal(roster.type, 'roster');
  assert.equal(roster.participants.length, 1);
  // An account joins under its own name, whatever the client says (S4).
  assert.equal(roster.participants[0].name, 'Alice');
  assert.equal(roster.participants[0].kind, 'account');
  assert.equal(roster.participants[0].role, 'host');
  c.ws.send(JSON.stringify({ type: 'publish', sdp: 'this is not sdp' }));
  const e = await c.next();
  assert.equal(e.type, 'error');
  assert.equal(e.code, 'bad_request');
  c.ws.close();
});

test('WebSocket from a foreign Origin is refused', async () => {
  const ws = new WebSocket(k.base.replace('http', 'ws') + '/ws', 'kamer.v1', { origin: 'http://evil.example' });
  const r = await new Promise((resolve) => {
    ws.once('open', () => resolve('open'));
    ws.once('error', () => resolve('error'));
    ws.once('unexpected-response', () => resolve('refused'));
  });
  assert.notEqual(r, 'open');
  ws.terminate();
});

test('malformed and unverified media packets are dropped and counted, the server lives', async () => {
  const before = {
    malformed: await metric(k.base, 'kamer_drops_total{reason="malformed"}'),
    unverified: await metric(k.base, 'kamer_drops_total{reason="unverified_source"}'),
    stun: await metric(k.base, 'kamer_drops_total{reason="stun_auth"}'),
  };
  const s = createSocket('udp4');
  const send = (buf) => new Promise((r) => s.send(buf, k.mediaPort, '127.0.0.1', r));
  // First byte 100: neither STUN, DTLS nor RTP (RFC 7983).
  for (let i = 0; i < 10; i++) await send(Buffer.from([100, 1, 2, 3, 4, 5]));
  // Truncated STUN.
  for (let i = 0; i < 10; i++) await send(Buffer.from([0, 1, 0, 8, 0x21, 0x12]));
  // An RTP packet from an address that never passed a STUN check.
  const rtp = Buffer.alloc(100); rtp[0] = 0x80; rtp[1] = 96;
  for (let i = 0; i < 10; i++) await send(rtp);
  // A well-formed STUN binding request for a username nobody has.
  const stun = Buffer.alloc(20 + 12);
  stun.writeUInt16BE(0x0001, 0); stun.writeUInt16BE(12, 2); stun.writeUInt32BE(0x2112A442, 4);
  stun.writeUInt16BE(0x0006, 20); stun.writeUInt16BE(8, 22); stun.write('abcd:efg', 24);
  for (let i = 0; i < 10; i++) await send(stun);
  s.close();
  const deadline = Date.now() + 5000;
  let after;
  do {
    await new Promise((r) => setTimeout(r, 100));
    after = {
      malformed: await metric(k.base, 'kamer_drops_total{reason="malformed"}'),
      unverified: await metric(k.base, 'kamer_drops_total{reason="unverified_source"}'),
      stun: await metric(k.base, 'kamer_drops_total{reason="stun_auth"}'),
    };
  } while (Date.now() < deadline && after.malformed - before.malformed < 20);
  assert.equal(after.malformed - before.malformed, 20);
  assert.equal(after.unverified - before.unverified, 10);
  assert.equal(after.stun - before.stun, 10);
  assert.equal((await fetch(`${k.base}/healthz`)).status, 200);
});
