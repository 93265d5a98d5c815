// kamer-floor, make bench's measure of the least work per forwarded packet: it runs and
// reports each of its parts, and the parts add up as the floor says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const KAMER_FLOOR = process.env.KAMER_FLOOR
  || new URL('../../build-test/kamer-floor', import.meta.url).pathname;

test('kamer-floor --json gives the floor, its parts and the sends beside it', () => {
  const f = JSON.parse(execFileSync(KAMER_FLOOR, ['--json'], { timeout: 120000 }).toString());
  for (const k of ['srtp_gcm_us', 'srtp_cm_sha1_us', 'send_us', 'floor_us', 'sendmmsg_us',
    'sendmmsg_small_us']) {
    assert.ok(Number.isFinite(f[k]) && f[k] > 0, `${k}: ${f[k]}`);
  }
  // The floor is SRTP-GCM and the batched send with its reading, nothing else.
  assert.ok(Math.abs(f.floor_us - (f.srtp_gcm_us + f.send_us)) < 0.002, JSON.stringify(f));
  // The sendmmsg alone is timed inside the same rounds as the whole send with its reading.
  assert.ok(f.sendmmsg_us <= f.send_us, JSON.stringify(f));
  // With two CPUs the wakeup's price is measured (the waker's is a difference, either sign).
  if (availableParallelism() >= 2) {
    assert.ok(Number.isFinite(f.wake_send_us) && f.woken_us > 0, JSON.stringify(f));
  }
});

test('kamer-floor --rhythm forwards rooms of two at the load\'s rate and prices a copy', () => {
  const f = JSON.parse(execFileSync(KAMER_FLOOR, ['--rhythm', '2', '--json'],
    { timeout: 120000 }).toString());
  assert.equal(f.rooms, 2);
  assert.ok(Number.isFinite(f.bare_us) && f.bare_us > 0, JSON.stringify(f));
  // Four participants, each 50 audio and 1e9 / 9.6e6 video packets a second, each one
  // copy: about 617 copies a second, if every packet went through.
  assert.ok(Math.abs(f.bare_copies_per_s - 616.7) < 60, JSON.stringify(f));
  // A wakeup brings one copy or more: the forwarder sleeps between ticks, not per packet.
  assert.ok(f.bare_wakeups > 0 && f.bare_wakeups <= 1, JSON.stringify(f));
});

test('kamer-floor refuses a number of rooms it cannot hold', () => {
  for (const n of ['0', '129', 'x']) {
    assert.throws(() => execFileSync(KAMER_FLOOR, ['--rhythm', n], { stdio: 'pipe' }),
      (e) => e.status === 2 && /--rhythm takes 1 to 128/.test(e.stderr.toString()), n);
  }
});
