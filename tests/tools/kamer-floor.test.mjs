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
