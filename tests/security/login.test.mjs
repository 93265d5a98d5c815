// Guessing passwords: the same answer for unknown users and wrong passwords, then 429
// per account, and a security event (S3, S7).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stage } from './lib.mjs';

let s;
before(async () => { s = await stage(['--rate-limit', '100']); });
after(async () => {
  const st = await s.k.stop();
  await s.rx.stop();
  assert.deepEqual(st, { code: 0, signal: null }, s.k.stderr().slice(-3000));
});

const tryLogin = (user, password) => fetch(`${s.k.base}/api/v1/login`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }),
});

test('S3: a wrong password and an unknown user get the same answer', async () => {
  const a = await tryLogin('bob', 'not his password at all');
  const b = await tryLogin('nobody-here', 'not his password at all');
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.equal(await a.text(), await b.text());
  assert.equal(a.headers.get('set-cookie'), null);
});

test('S3: guessing one account\'s password is stopped with 429 and told', async () => {
  const statuses = [];
  for (let i = 0; i < 60; i++) {
    const r = await tryLogin('alice', `guess number ${i}`);
    statuses.push(r.status);
    await r.text();
    if (r.status === 429) break;
  }
  assert.equal(statuses.at(-1), 429, JSON.stringify(statuses));
  assert.ok(statuses.length <= 52);
  const e = await s.rx.waitFor('ratelimit.tripped', 10000, (x) => x.detail.limit === 'account');
  assert.equal(e.subject, 'alice');
  await s.rx.waitFor('login.failed', 10000, (x) => x.subject === 'alice');
  // Even the right password is refused while the account is limited.
  assert.equal((await tryLogin('alice', 'correct horse battery staple')).status, 429);
});

test('session cookies are HttpOnly and SameSite=Strict', async () => {
  const r = await tryLogin('bob', 'correct horse battery staple');
  assert.equal(r.status, 200);
  const c = r.headers.get('set-cookie');
  assert.match(c, /kamer_session=[a-z2-7]{32};/);
  assert.match(c, /HttpOnly/);
  assert.match(c, /SameSite=Strict/);
  const j = await r.json();
  assert.match(j.csrf, /^[a-z2-7]{32}$/);
  assert.equal(j.user.login, 'bob');
});
