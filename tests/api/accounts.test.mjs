// Accounts through a real kamerd: the first start's one-time setup link, logging in and
// out, session checks, and an administrator disabling a user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startKamerd, kamerctl, login, api, addTenant, addUser, PASSWORD } from '../lib/kamerd.mjs';

test('first start prints a one-time setup link; it sets the admin password once', async () => {
  const k = await startKamerd();
  try {
    // /healthz can answer before the pipe has delivered what kamerd printed: wait (bounded).
    for (let i = 0; i < 100 && !/\/setup#/.test(k.stdout()); i++) await new Promise((r) => setTimeout(r, 50));
    const m = /\/setup#([a-z2-7]{32})/.exec(k.stdout());
    assert.ok(m, `no setup link in: ${k.stdout()}`);
    assert.doesNotMatch(k.stderr(), new RegExp(m[1]), 'the token never goes to the log');
    assert.equal((await fetch(`${k.base}/setup`)).status, 200);
    const setup = (token, password) => fetch(`${k.base}/api/v1/setup`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password }),
    });
    assert.equal((await setup(m[1], 'short')).status, 400);
    const r = await setup(m[1], 'the first admin password');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('set-cookie'), /kamer_session=/);
    const j = await r.json();
    assert.equal(j.user.login, 'admin');
    assert.deepEqual(j.user.roles.sort(), ['host', 'member', 'security-officer', 'tenant-admin']);
    assert.equal((await setup(m[1], 'another admin password')).status, 401); // once
    const s = await login(k.base, 'admin', 'the first admin password');
    assert.equal(s.user.login, 'admin');
    // A second start has users already: no new link.
    const st = await k.stop();
    assert.deepEqual(st, { code: 0, signal: null });
  } finally {
    await k.stop();
  }
});

test('me, logout, and a disabled user\'s sessions end', async () => {
  const k = await startKamerd([], { cast: true });
  try {
    const bob = await login(k.base, 'bob', PASSWORD);
    let me = await api(k.base, bob, 'GET', '/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal((await me.json()).csrf, bob.csrf);
    // Logout needs the CSRF token too.
    assert.equal((await fetch(`${k.base}/api/v1/logout`, { method: 'POST', headers: { cookie: bob.cookie } })).status, 403);
    const out = await api(k.base, bob, 'POST', '/api/v1/logout');
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
    assert.equal((await api(k.base, bob, 'GET', '/api/v1/me')).status, 401);
    // An administrator disables Carol: her session ends and she cannot log in.
    const carol = await login(k.base, 'carol', PASSWORD);
    const r = kamerctl(k.dataDir, ['user', 'disable', 'carol']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await api(k.base, carol, 'GET', '/api/v1/me')).status, 401);
    await assert.rejects(login(k.base, 'carol', PASSWORD), /401/);
    // Members without the host role cannot create meetings.
    const dave = await login(k.base, 'dave', PASSWORD);
    assert.equal((await api(k.base, dave, 'POST', '/api/v1/meetings', { title: 'x' })).status, 403);
    // Roles of the organisation: a tenant admin lists its users, a security officer reads
    // its audit log; nobody else does, and nobody sees another tenant's.
    assert.equal((await api(k.base, dave, 'GET', '/api/v1/users')).status, 403);
    assert.equal((await api(k.base, dave, 'GET', '/api/v1/audit')).status, 403);
    const other = addTenant(k.dataDir, 'Elders');
    addUser(k.dataDir, { tenant: other, login: 'erik', roles: ['member'], password: PASSWORD });
    addUser(k.dataDir, { tenant: k.cast.tenant, login: 'sofie', roles: ['member', 'tenant-admin', 'security-officer'], password: PASSWORD });
    const sofie = await login(k.base, 'sofie', PASSWORD);
    const users = (await (await api(k.base, sofie, 'GET', '/api/v1/users')).json()).users.map((u) => u.login);
    assert.deepEqual(users.sort(), ['alice', 'bob', 'carol', 'dave', 'sofie']);
    const records = (await (await api(k.base, sofie, 'GET', '/api/v1/audit')).json()).records;
    assert.ok(records.some((x) => x.kind === 'admin.user_disabled' && x.subject === 'carol'));
    assert.ok(!records.some((x) => x.subject === 'erik'), 'another tenant\'s records stay hidden');
    assert.ok(records.every((x) => /^[0-9a-f]{64}$/.test(x.hash)));
    // The admin's actions are in the audit log, and it verifies.
    const list = kamerctl(k.dataDir, ['audit', 'list']).stdout;
    assert.match(list, /admin\.user_disabled/);
    assert.match(list, /login\.ok/);
    assert.equal(kamerctl(k.dataDir, ['audit', 'verify']).code, 0);
  } finally {
    const st = await k.stop();
    assert.deepEqual(st, { code: 0, signal: null });
  }
});
