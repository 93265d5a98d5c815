// The attacker who walks addresses, guesses links and passwords: rate limits answer 429
// with Retry-After, and crossing a limit is a security event (S3).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../lib/kamerd.mjs';
import { stage, auditList, randomId } from './lib.mjs';

let s;
before(async () => { s = await stage(['--rate-limit', '8']); });
after(async () => {
  const st = await s.k.stop();
  await s.rx.stop();
  assert.deepEqual(st, { code: 0, signal: null }, s.k.stderr().slice(-3000));
  assert.deepEqual(s.rx.bad, []);
});

test('S3: walking meeting addresses and invitation links ends in 429 and a security event', async () => {
  const statuses = [];
  let retry = null;
  for (let i = 0; i < 20; i++) {
    const path = i % 2 ? `/m/${randomId()}` : `/i/${randomId()}`;
    const r = await fetch(`${s.k.base}${path}`);
    statuses.push(r.status);
    if (r.status === 429) retry = r.headers.get('retry-after');
    await r.text();
  }
  assert.deepEqual(statuses.slice(0, 8), Array(8).fill(404));
  assert.ok(statuses.slice(8).every((x) => x === 429), JSON.stringify(statuses));
  assert.ok(Number(retry) >= 1 && Number(retry) <= 60, `Retry-After ${retry}`);
  const e = await s.rx.waitFor('ratelimit.tripped');
  assert.equal(e.source, '127.0.0.1');
  assert.equal(e.detail.limit, 'source');
  assert.ok(e.audit.seq > 0 && /^[0-9a-f]{64}$/.test(e.audit.hash), 'each event carries the audit head');
  const kinds = auditList(s.k.dataDir).map((a) => a.kind);
  assert.ok(kinds.includes('ratelimit.tripped'));
  assert.ok(kinds.filter((k) => k === 'lookup.failed').length >= 8);
  // The API and the WebSocket are limited for this source too.
  assert.equal((await api(s.k.base, s.alice, 'GET', `/api/v1/meetings/${randomId()}`)).status, 429);
});
