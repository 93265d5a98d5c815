// kamer-load's smoke test: three synthetic participants meet through a real kamerd over
// ICE, DTLS and SRTP, and what the tool says it received agrees with kamerd's /metrics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKamerd, metric, addCast } from '../lib/kamerd.mjs';

const KAMER_LOAD = process.env.KAMER_LOAD
  || new URL('../../build-test/kamer-load', import.meta.url).pathname;

let k;
let dir;
let auth; // --user and --password-file: meetings need a host's login
before(async () => {
  k = await startKamerd();
  dir = mkdtempSync(join(tmpdir(), 'kamer-load-'));
  const cast = addCast(k.dataDir, ['loadhost']);
  const pw = join(dir, 'password');
  writeFileSync(pw, `${cast.password}\n`);
  auth = ['--user', 'loadhost', '--password-file', pw];
});
after(async () => {
  const st = await k.stop();
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(st, { code: 0, signal: null }, k.stderr().slice(-4000));
});

/** Runs kamer-load; resolves to { code, stdout, stderr } (bounded by a timeout). onStart
    gets the child process. */
function runLoad(args, onStart) {
  return new Promise((resolve) => {
    const child = execFile(KAMER_LOAD, args, { timeout: 60000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? -1) : 0, stdout, stderr });
    });
    if (onStart) onStart(child);
  });
}

/** Each thread's nice value and scheduling policy (proc(5): fields 19 and 41). */
function threadsOf(pid) {
  const out = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3
    out.push({ tid: Number(tid), nice: Number(f[19 - 3]), policy: Number(f[41 - 3]) });
  }
  return out;
}

// The load shares the machine with the server it measures, and must take from it no more
// than clients elsewhere would: its signalling thread at nice 19, its media threads as
// SCHED_BATCH (3), which never preempt a running thread when the server's packets wake them;
// --media-nice sets their nice value.
test('kamer-load gives way to the server it measures', async () => {
  let seen = null;
  let pid = 0;
  const r = await runLoad(['--target', 'kamer', '--url', k.base, '--rooms', '1', '--size', '2',
    '--duration', '3', '--threads', '2', '--media-nice', '7', ...auth], (child) => {
    pid = child.pid;
    setTimeout(() => { try { seen = threadsOf(pid); } catch { seen = []; } }, 1500);
  });
  assert.equal(r.code, 0, `kamer-load failed:\n${r.stdout}\n${r.stderr.slice(-4000)}`);
  assert.ok(seen && seen.length >= 3, JSON.stringify(seen));
  const main = seen.find((t) => t.tid === pid);
  assert.deepEqual({ nice: main.nice, policy: main.policy }, { nice: 19, policy: 0 });
  const media = seen.filter((t) => t.tid !== pid);
  assert.equal(media.length, 2, JSON.stringify(seen));
  for (const t of media) assert.deepEqual({ nice: t.nice, policy: t.policy }, { nice: 7, policy: 3 });
});

test('three participants publish, subscribe and measure through kamerd', async () => {
  const fwdBefore = await metric(k.base, 'kamer_packets_forwarded_total');
  const inBefore = await metric(k.base, 'kamer_packets_in_total');
  const rtpBefore = await metric(k.base, 'kamer_rtp_packets_in_total');
  const stunAuthBefore = await metric(k.base, 'kamer_drops_total{reason="stun_auth"}');
  const out = join(dir, 'run.json');
  const r = await runLoad(['--target', 'kamer', '--url', k.base, '--rooms', '1', '--size', '3',
    '--duration', '4', '--json', out, ...auth]);
  assert.equal(r.code, 0, `kamer-load failed:\n${r.stdout}\n${r.stderr.slice(-4000)}`);
  assert.match(r.stdout, /joined\s+3 of 3/);
  const j = JSON.parse(readFileSync(out, 'utf8'));

  for (const f of ['target', 'rooms', 'size', 'participants', 'duration_s', 'packets_sent',
    'packets_received', 'packets_expected', 'packets_lost', 'loss_ratio', 'delay_us',
    'jitter_ms', 'join_ms', 'joined', 'errors']) assert.ok(f in j, `no ${f} in the JSON`);
  assert.equal(j.target, 'kamer');
  assert.equal(j.participants, 3);
  assert.equal(j.joined, 3);
  assert.equal(j.errors, 0);
  // No handshake needed a second try: kamerd kept a ClientHello that came before the
  // fingerprint in the client's answer, instead of waiting for the client's 1 s timer.
  assert.equal(j.dtls_flights_resent, 0);
  // kamerd prefers AEAD-AES-128-GCM on both connections of everyone.
  assert.deepEqual(j.srtp_profiles, {
    publish: { AEAD_AES_128_GCM: 3, AES_CM_128_HMAC_SHA1_80: 0 },
    subscribe: { AEAD_AES_128_GCM: 3, AES_CM_128_HMAC_SHA1_80: 0 },
  });
  assert.ok(j.packets_sent > 0);
  assert.ok(j.packets_received > 0);
  assert.ok(j.packets_expected >= j.packets_received - j.packets_lost);
  assert.ok(j.packets_lost >= 0 && j.loss_ratio >= 0 && j.loss_ratio <= 1);
  // Every participant heard audio and video from both others.
  assert.equal(j.peers.length, 3);
  for (const p of j.peers) {
    assert.equal(p.joined, true, `${p.name} did not join: ${p.error}`);
    assert.equal(p.senders_heard, 2, `${p.name} heard ${p.senders_heard} of 2`);
    assert.ok(p.packets_received > 0);
    assert.ok(p.join_ms > 0);
    // Its join time divides into signalling, the wait for a subscribe offer, that
    // transport's ICE and its DTLS, and the first media, which add up to the whole.
    const [signalling, offer, ice, dtls, media] = p.join_phases_ms;
    assert.equal(p.join_phases_ms.length, 5);
    assert.ok(signalling > 0 && dtls > 0 && offer >= 0 && ice >= 0 && media >= 0,
      `${p.name}: ${p.join_phases_ms}`);
    assert.ok(Math.abs(signalling + offer + ice + dtls + media - p.join_ms) < 0.01,
      `${p.name}: ${p.join_phases_ms} against ${p.join_ms} ms`);
    assert.equal(p.stuck_in, null);
  }
  for (const name of ['signalling', 'offer', 'ice', 'dtls', 'media']) {
    const q = j.join_phases_ms[name];
    assert.ok(q.p50 <= q.p99 && q.p99 <= q.max, `join phase ${name}: ${JSON.stringify(q)}`);
    assert.equal(j.stuck_in[name], 0, `a participant is still in ${name}`);
  }
  assert.ok(j.join_phases_ms.dtls.max > 0);
  // Delay, jitter and join time were measured and are ordered as quantiles must be.
  for (const [name, q] of [['delay_us', j.delay_us], ['join_ms', j.join_ms]]) {
    for (const f of ['p50', 'p99', 'max']) assert.equal(typeof q[f], 'number', `${name}.${f}`);
    assert.ok(q.p50 <= q.p99 && q.p99 <= q.max, `${name}: ${JSON.stringify(q)}`);
  }
  assert.ok(j.delay_us.max > 0);
  assert.ok(j.join_ms.max > 0);
  // The media thread sleeps between its ticks (every 0.5 ms) and packets; each sleep ends
  // with one of them or a command, so there are fewer than those together.
  const sleeps = j.tool_cpu.media_sleeps;
  assert.ok(Number.isInteger(sleeps) && sleeps > 100, `media threads slept ${sleeps} times`);
  assert.ok(sleeps <= j.packets_received + j.duration_s * 2000 + 1000,
    `media threads slept ${sleeps} times, received ${j.packets_received} in ${j.duration_s} s`);
  assert.equal(typeof j.jitter_ms.mean, 'number');
  assert.ok(j.jitter_ms.mean <= j.jitter_ms.max);

  // kamerd's own counters agree: it forwarded about what the tool received (what was in
  // flight when the tool stopped, or lost on a busy machine, is forwarded but not received)
  // and took in about every RTP packet the tool sent (plus STUN, DTLS and RTCP).
  const fwd = (await metric(k.base, 'kamer_packets_forwarded_total')) - fwdBefore;
  const pin = (await metric(k.base, 'kamer_packets_in_total')) - inBefore;
  assert.ok(fwd >= j.packets_received, `forwarded ${fwd} < received ${j.packets_received}`);
  assert.ok(fwd <= j.packets_received * 1.05 + 200,
    `forwarded ${fwd}, received only ${j.packets_received}`);
  assert.ok(pin >= j.packets_sent * 0.95, `kamerd took in ${pin}, the tool sent ${j.packets_sent}`);
  // Of them, RTP: what the tool sent, and its retransmissions, and nothing else.
  const rtp = (await metric(k.base, 'kamer_rtp_packets_in_total')) - rtpBefore;
  assert.ok(rtp >= j.packets_sent * 0.95 && rtp <= j.packets_sent + j.nacks.packets_resent,
    `kamerd took in ${rtp} RTP packets, the tool sent ${j.packets_sent} (+${j.nacks.packets_resent} resent)`);
  assert.ok(rtp < pin, `RTP ${rtp} of ${pin} datagrams`);
  // Every ICE check found its transport, also those that overtook the answer they follow
  // (kamerd queues a transport before the client can know its credentials).
  assert.equal(await metric(k.base, 'kamer_drops_total{reason="stun_auth"}') - stunAuthBefore, 0);
  // A publisher at 1 Mbit/s is far inside the default limit of a transport.
  assert.equal(await metric(k.base, 'kamer_drops_total{reason="over_limit"}'), 0);
});

/** A process's user + system CPU seconds (proc(5): fields 14 and 15, in clock ticks). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[14 - 3]) + Number(f[15 - 3])) / 100;
}

// --server-pid: the server's CPU time in the steady part of the run (everyone in), per packet
// sent in that part and received, which `make bench` reports beside the whole run's.
test('--server-pid measures the server\'s CPU per packet once everyone is in', async () => {
  const pid = k.proc.pid;
  const out = join(dir, 'steady.json');
  const cpu0 = cpuSeconds(pid);
  const r = await runLoad(['--url', k.base, '--rooms', '1', '--size', '3', '--duration', '4',
    '--json', out, '--server-pid', String(pid), ...auth]);
  const cpu = cpuSeconds(pid) - cpu0;
  assert.equal(r.code, 0, `kamer-load failed:\n${r.stdout}\n${r.stderr.slice(-4000)}`);
  const j = JSON.parse(readFileSync(out, 'utf8'));
  const s = j.steady;
  assert.ok(s, `no steady part in ${JSON.stringify(j).slice(0, 400)}`);
  assert.match(r.stdout, /server CPU\s+[0-9.]+ us per packet delivered in the steady part/);
  // It starts once everyone has media, and counts some but not all of what was received.
  assert.ok(s.from_s > 0 && s.from_s < j.duration_s, JSON.stringify(s));
  assert.ok(s.packets_received > 0 && s.packets_received < j.packets_received, JSON.stringify(s));
  // The server worked in it (its media workers forwarded), no more than in the whole run
  // (/proc counts in clock ticks: one of slack).
  assert.ok(s.server_cpu_s > 0 && s.server_cpu_s <= cpu + 0.01, `${s.server_cpu_s} of ${cpu} s`);
  // Per packet the server delivered: what the load read and what its sockets dropped unread.
  assert.equal(s.socket_drops, 0);
  assert.ok(Math.abs(s.server_us_per_packet -
    s.server_cpu_s * 1e6 / (s.packets_received + s.socket_drops)) < 1e-6);
  // A process that is not there is an error, not a figure.
  const bad = await runLoad(['--url', k.base, '--rooms', '1', '--size', '2', '--duration', '1',
    '--server-pid', '2147483646', ...auth]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /no process 2147483646/);
});

// --readers: part of the participants, spread evenly, read and measure all they receive;
// the others stop after their first media packet (still joined, still heard from), so that
// a load on the server's own machine costs it less. What the readers' sockets dropped
// unread is counted (none on an idle loopback).
test('--readers: some read all they receive, the rest stop after their first packet', async () => {
  const out = join(dir, 'readers.json');
  const r = await runLoad(['--url', k.base, '--rooms', '1', '--size', '4', '--duration', '3',
    '--readers', '50', '--json', out, ...auth]);
  assert.equal(r.code, 0, `kamer-load failed:\n${r.stdout}\n${r.stderr.slice(-4000)}`);
  const j = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(j.joined, 4);
  assert.equal(j.readers, 2);
  assert.equal(j.socket_drops, 0);
  assert.equal(j.packets_lost, 0);
  assert.ok(j.delay_steady_us, 'the steady part starts with non-readers too');
  // Participants 1 and 3 (0-based) read: every 50 per cent step up.
  const got = j.peers.map((p) => p.packets_received);
  for (const i of [1, 3]) assert.ok(got[i] > 200, JSON.stringify(got));
  for (const i of [0, 2]) assert.ok(got[i] < got[1] / 10, JSON.stringify(got));
  const bad = await runLoad(['--url', k.base, '--readers', '0', ...auth]);
  assert.equal(bad.code, 2);
});

/** Four rooms of two through a kamerd of its own with two media workers and the given
 * placement; resolves to what each worker forwarded and what the tool received. (Its own
 * kamerd: seats that the other tests' participants left are held for a while, and would
 * weigh on where new rooms go.) */
async function fourRoomsOnTwoWorkers(placement) {
  const k2 = await startKamerd(['--media-workers', '2', '--media-placement', placement]);
  try {
    const cast = addCast(k2.dataDir, ['loadhost']);
    const pw = join(dir, `password-${placement}`);
    writeFileSync(pw, `${cast.password}\n`);
    const out = join(dir, `workers-${placement}.json`);
    const r = await runLoad(['--url', k2.base, '--rooms', '4', '--size', '2', '--duration', '3',
      '--json', out, '--user', 'loadhost', '--password-file', pw]);
    assert.equal(r.code, 0, `kamer-load failed:\n${r.stdout}\n${r.stderr.slice(-4000)}`);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(j.joined, 8);
    for (const p of j.peers) assert.equal(p.senders_heard, 1, `${p.name} heard ${p.senders_heard}`);
    assert.equal(j.dtls_flights_resent, 0); // as in the first test
    const fwd = (w) => metric(k2.base, `kamer_worker_packets_forwarded_total{worker="${w}"}`);
    return { d0: await fwd(0), d1: await fwd(1), received: j.packets_received };
  } finally {
    const st = await k2.stop();
    assert.deepEqual(st, { code: 0, signal: null }, k2.stderr().slice(-4000));
  }
}

test('spread: rooms are spread over the media workers, each forwarding on its own port', async () => {
  // Each worker carries two rooms, so each forwards about half of what the tool received.
  const { d0, d1, received } = await fourRoomsOnTwoWorkers('spread');
  assert.ok(d0 > 0 && d1 > 0, `worker 0 forwarded ${d0}, worker 1 ${d1}`);
  assert.ok(d0 + d1 >= received, `forwarded ${d0 + d1} < ${received}`);
  assert.ok(Math.min(d0, d1) > 0.3 * (d0 + d1), `uneven: ${d0} and ${d1}`);
});

test('pack (the default): a light load goes to one worker, and the other stays asleep', async () => {
  const { d0, d1, received } = await fourRoomsOnTwoWorkers('pack');
  assert.ok(d0 >= received, `worker 0 forwarded ${d0} < ${received}`);
  assert.equal(d1, 0, `worker 1 forwarded ${d1}`);
});

// A room bigger than --room-spread sits on both workers: each publisher's worker hands its
// packets to the other, which protects and sends the copies for its own members. Everyone
// must hear and see everyone, each worker must forward, key frames and lost packets must be
// asked for across the workers, and nothing may be dropped between them.
test('a big room spread over two workers: everyone hears everyone, and the workers relay', async () => {
  const k2 = await startKamerd(['--media-workers', '2', '--room-spread', '3']);
  try {
    const cast = addCast(k2.dataDir, ['loadhost']);
    const pw = join(dir, 'password-relay');
    writeFileSync(pw, `${cast.password}\n`);
    const out = join(dir, 'relay.json');
    const r = await runLoad(['--url', k2.base, '--rooms', '1', '--size', '6', '--duration', '4',
      '--rx-loss', '3', '--json', out, '--user', 'loadhost', '--password-file', pw]);
    assert.equal(r.code, 0, `kamer-load failed:\n${r.stdout}\n${r.stderr.slice(-4000)}`);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(j.joined, 6);
    for (const p of j.peers) assert.equal(p.senders_heard, 5, `${p.name} heard ${p.senders_heard}`);
    assert.equal(j.complete, 6);
    const m = (name) => metric(k2.base, name);
    const d0 = await m('kamer_worker_packets_forwarded_total{worker="0"}');
    const d1 = await m('kamer_worker_packets_forwarded_total{worker="1"}');
    assert.ok(Math.min(d0, d1) > 0.2 * (d0 + d1), `worker 0 forwarded ${d0}, worker 1 ${d1}`);
    assert.equal(await m('kamer_worker_participants{worker="0"}')
      + await m('kamer_worker_participants{worker="1"}'), 6);
    assert.ok(await m('kamer_relay_messages_out_total') > 0.1 * j.packets_sent,
      'publishers\' packets were handed to the other worker');
    assert.equal(await m('kamer_relay_messages_in_total'), await m('kamer_relay_messages_out_total'));
    assert.equal(await m('kamer_drops_total{reason="relay_full"}'), 0);
    // Lost packets are asked for and resent, across the workers too.
    assert.ok(j.nacks.retransmissions_received > 0, JSON.stringify(j.nacks));
    assert.ok(j.loss_ratio < 0.03, `loss ${j.loss_ratio}`);
    // Every subscriber asked for key frames; through the relay they reached the publishers.
    assert.ok(j.plis_received >= 5, `only ${j.plis_received} key-frame requests`);
  } finally {
    const st = await k2.stop();
    assert.deepEqual(st, { code: 0, signal: null }, k2.stderr().slice(-4000));
  }
});

// What one transport may send kamerd is limited (--media-limit-kbps, --media-limit-pps;
// sfu/meter.h): what a publisher sends over it is dropped and counted as over_limit, so that
// no participant can make kamerd forward a flood to its whole room. Two publishers at about
// 1.06 Mbit/s and 154 datagrams a second each (video and audio) for 4 s.
async function overLimit(flags, name) {
  const k2 = await startKamerd(flags);
  try {
    const cast = addCast(k2.dataDir, ['loadhost']);
    const pw = join(dir, `password-${name}`);
    writeFileSync(pw, `${cast.password}\n`);
    const out = join(dir, `${name}.json`);
    const r = await runLoad(['--url', k2.base, '--rooms', '1', '--size', '2', '--duration', '4',
      '--json', out, '--user', 'loadhost', '--password-file', pw]);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(j.joined, 2, `kamer-load:\n${r.stdout}\n${r.stderr.slice(-2000)}`);
    return {
      j,
      over: await metric(k2.base, 'kamer_drops_total{reason="over_limit"}'),
      rtpIn: await metric(k2.base, 'kamer_rtp_packets_in_total'),
    };
  } finally {
    const st = await k2.stop();
    assert.deepEqual(st, { code: 0, signal: null }, k2.stderr().slice(-4000));
  }
}

test('a publisher over the transport limit has the excess dropped, counted as over_limit', async () => {
  // 300 kbit/s: about a third of the bytes each publisher sends get through (a second's
  // worth at the start, then the rate), about half of its datagrams (audio's are small).
  // Without the limit all would.
  const kb = await overLimit(['--media-limit-kbps', '300'], 'limit-kbps');
  assert.ok(kb.over > 0.25 * kb.j.packets_sent, `${kb.over} over the limit of ${kb.j.packets_sent}`);
  assert.ok(kb.rtpIn < 0.75 * kb.j.packets_sent, `${kb.rtpIn} of ${kb.j.packets_sent} let in`);
  assert.ok(kb.j.loss_ratio > 0.25, `loss ${kb.j.loss_ratio}`);
  // 60 datagrams a second and no limit on bytes: 60 of each publisher's 154 or so.
  const pps = await overLimit(['--media-limit-kbps', '0', '--media-limit-pps', '60'], 'limit-pps');
  assert.ok(pps.over > 0.25 * pps.j.packets_sent, `${pps.over} over of ${pps.j.packets_sent}`);
  assert.ok(pps.rtpIn < 0.75 * pps.j.packets_sent, `${pps.rtpIn} of ${pps.j.packets_sent} let in`);
});

test('lost video is NACKed and kamerd resends it', async () => {
  const rtxBefore = await metric(k.base, 'kamer_rtx_sent_total');
  const out = join(dir, 'loss.json');
  const r = await runLoad(['--url', k.base, '--rooms', '1', '--size', '2', '--duration', '3',
    '--rx-loss', '5', '--json', out, ...auth]);
  assert.equal(r.code, 0, `kamer-load failed:\n${r.stdout}\n${r.stderr.slice(-4000)}`);
  const j = JSON.parse(readFileSync(out, 'utf8'));
  assert.ok(j.nacks.sent > 0, JSON.stringify(j.nacks));
  assert.ok(j.nacks.retransmissions_received > 0, JSON.stringify(j.nacks));
  const rtx = (await metric(k.base, 'kamer_rtx_sent_total')) - rtxBefore;
  assert.ok(rtx >= j.nacks.retransmissions_received,
    `kamerd resent ${rtx}, the tool got ${j.nacks.retransmissions_received}`);
  // What was recovered is not lost: the loss is below what the network dropped.
  assert.ok(j.loss_ratio < 0.05, `loss ${j.loss_ratio}`);
});

test('a meeting\'s start asks each publisher for a key frame once per interval, not once per joiner', async () => {
  // Eight join within a few tens of milliseconds. Each new subscriber needs a key frame from
  // every publisher; kamerd sends at most one request per publisher stream each 300 ms and
  // lets the others wait for the interval's end, so the burst of key frames (each forwarded
  // to everyone) is one per publisher, not seven.
  const size = 8, rampMs = 5;
  const busyBefore = await metric(k.base, 'kamer_drops_total{reason="dtls_busy"}');
  const out = join(dir, 'start.json');
  const r = await runLoad(['--url', k.base, '--rooms', '1', '--size', String(size),
    '--duration', '2', '--ramp-ms', String(rampMs), '--json', out, ...auth]);
  assert.equal(r.code, 0, `kamer-load failed:\n${r.stdout}\n${r.stderr.slice(-4000)}`);
  const j = JSON.parse(readFileSync(out, 'utf8'));
  // The joins' window, and the most requests one publisher may get in it: one per 300 ms
  // interval it spans, one waiting at its end, and one from a subscriber's own PLI.
  const windowMs = size * rampMs + j.join_ms.max;
  const most = size * (Math.ceil(windowMs / 300) + 2);
  assert.ok(j.plis_received >= size - 1, `only ${j.plis_received} key-frame requests`);
  // Eight joining at once: kamerd keeps a ClientHello that overtakes the client's answer
  // and drops no DTLS record, so that no handshake has to wait for the client's timer. The
  // timer is 50 ms (libwebrtc's), which an answer can outlast on a busy shared machine (one
  // flight of 16 was resent in one CI run); with kamerd dropping early ClientHellos, 6 to
  // 7 of the 16 transports resent theirs in three runs.
  assert.ok(j.dtls_flights_resent <= 2, `${j.dtls_flights_resent} DTLS flights resent`);
  assert.equal(await metric(k.base, 'kamer_drops_total{reason="dtls_busy"}') - busyBefore, 0);
  assert.ok(j.plis_received <= most,
    `${j.plis_received} key-frame requests for ${size} publishers (at most ${most}: joins took ${windowMs} ms)`);
});

test('a server that is not there is a failed run', async () => {
  const r = await runLoad(['--url', 'http://127.0.0.1:9', '--rooms', '1', '--size', '2',
    '--duration', '1']);
  assert.equal(r.code, 1);
});

test('bad flags are refused with the usage', async () => {
  const r = await runLoad(['--rooms', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: kamer-load/);
});

// --user: a stand-in for kamerd's coming login (docs/API.md) records what the tool sends.
test('--user logs in first and carries the session cookie and CSRF token', async () => {
  const { createServer } = await import('node:http');
  const seen = [];
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.url === '/api/v1/login') {
        res.writeHead(200, { 'content-type': 'application/json',
          'set-cookie': 'kamer_session=s3cr3tSession; Path=/; HttpOnly; SameSite=Strict' });
        res.end(JSON.stringify({ user: { login: 'alice' }, csrf: 'csrfToken123' }));
      } else if (req.url === '/api/v1/meetings') {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'a'.repeat(32), url: `/m/${'a'.repeat(32)}` }));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  srv.on('upgrade', (req, socket) => {
    seen.push({ method: 'UPGRADE', url: req.url, headers: req.headers });
    socket.destroy();
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const pw = join(dir, 'pw');
  writeFileSync(pw, 'correct horse\n');
  try {
    const r = await runLoad(['--url', `http://127.0.0.1:${srv.address().port}`, '--rooms', '1',
      '--size', '1', '--duration', '1', '--user', 'alice', '--password-file', pw]);
    assert.equal(r.code, 1); // the stand-in has no signalling: the run cannot work
  } finally {
    await new Promise((r) => srv.close(r));
  }
  const [login, create, ws] = seen;
  assert.equal(login.url, '/api/v1/login');
  assert.deepEqual(JSON.parse(login.body), { user: 'alice', password: 'correct horse' });
  assert.equal(create.method, 'POST');
  assert.equal(create.url, '/api/v1/meetings');
  assert.equal(create.headers.cookie, 'kamer_session=s3cr3tSession');
  assert.equal(create.headers['x-kamer-csrf'], 'csrfToken123');
  assert.equal(ws.method, 'UPGRADE');
  assert.equal(ws.url, '/ws');
  assert.equal(ws.headers.cookie, 'kamer_session=s3cr3tSession');
  assert.equal(ws.headers['sec-websocket-protocol'], 'kamer.v1');
});
