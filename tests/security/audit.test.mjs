// The insider with the database file (S7): tampering with the audit log is found by
// `kamerctl audit verify`; and a security contact that was down gets every event once
// after kamerd restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kamerctl, startKamerd } from '../lib/kamerd.mjs';
import { stage, randomId } from './lib.mjs';

const sql = (dir, q) => execFileSync('sqlite3', [join(dir, 'kamer.db'), q], { encoding: 'utf8' });

/** A copy of a data directory, for one kind of tampering. */
function copyOf(dir) {
  const c = mkdtempSync(join(tmpdir(), 'kamer-tamper-'));
  cpSync(dir, c, { recursive: true });
  return c;
}

test('S7: changing, removing or reordering audit records is found by audit verify', async () => {
  const s = await stage(['--rate-limit', '1000'], { keep: true });
  for (let i = 0; i < 5; i++) await (await fetch(`${s.k.base}/m/${randomId()}`)).text();
  const ev = await s.rx.waitFor('lookup.failed');
  const st = await s.k.stop();
  await s.rx.stop();
  assert.deepEqual(st, { code: 0, signal: null });
  const dir = s.k.dataDir;
  sql(dir, 'PRAGMA wal_checkpoint(TRUNCATE);');
  const ok = kamerctl(dir, ['audit', 'verify']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /chain intact/);
  const n = Number(sql(dir, 'SELECT max(seq) FROM audit;').trim());
  assert.ok(n >= 8);

  // The log refuses changes through SQL while its triggers stand.
  assert.throws(() => sql(dir, "UPDATE audit SET subject = 'x' WHERE seq = 2;"), /append-only/);

  const untrigger = 'DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;';
  const cases = [
    ['a changed record', `${untrigger} UPDATE audit SET source = '10.0.0.66' WHERE seq = 3;`, /record 3 was changed/],
    ['a removed record', `${untrigger} DELETE FROM audit WHERE seq = 4;`, /records 4 to 4 are missing/],
    ['two records swapped', `${untrigger} UPDATE audit SET seq = -1 WHERE seq = 5; UPDATE audit SET seq = 5 WHERE seq = 6; UPDATE audit SET seq = 6 WHERE seq = -1;`, /record 5 /],
    ['the first record removed', `${untrigger} DELETE FROM audit WHERE seq = 1;`, /records 1 to 1 are missing/],
  ];
  for (const [what, q, found] of cases) {
    const c = copyOf(dir);
    sql(c, q);
    const r = kamerctl(c, ['audit', 'verify']);
    assert.equal(r.code, 1, `${what}: ${r.stdout}`);
    assert.match(r.stdout, found, what);
    rmSync(c, { recursive: true, force: true });
  }
  // Removing the newest records leaves an intact chain; the head the customer received
  // in a webhook event shows what is missing.
  const c = copyOf(dir);
  sql(c, `${untrigger} DELETE FROM audit WHERE seq >= ${n - 1};`);
  const head = `${n}:${'0'.repeat(64)}`;
  const r = kamerctl(c, ['audit', 'verify', '--expect-head', head]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /missing from the end/);
  assert.ok(ev.audit.seq >= 1, 'webhook events carry the audit head for this check');
  rmSync(c, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

test('S7: events raised while the receiver is down arrive once each after a restart', { timeout: 90000 }, async () => {
  const s = await stage(['--rate-limit', '1000'], { keep: true });
  const port = s.rx.port;
  await s.rx.stop(); // the security contact is down
  for (let i = 0; i < 4; i++) await (await fetch(`${s.k.base}/m/${randomId()}`)).text();
  for (let i = 0; i < 3; i++) {
    await (await fetch(`${s.k.base}/api/v1/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'bob', password: `wrong ${i}` }),
    })).text();
  }
  await new Promise((r) => setTimeout(r, 1500)); // kamerd tries and fails meanwhile
  const st = await s.k.stop();
  assert.deepEqual(st, { code: 0, signal: null });
  const queued = Number(sql(s.k.dataDir, 'SELECT count(*) FROM outbox WHERE delivered_at IS NULL;').trim());
  assert.ok(queued >= 7, `queued ${queued}`);

  // kamerd comes back first, the receiver later: nothing is lost, nothing doubled.
  const k2 = await startKamerd([], { dataDir: s.k.dataDir });
  await new Promise((r) => setTimeout(r, 1500));
  await s.rx.start(port);
  const deadline = Date.now() + 60000;
  while (s.rx.events.length < queued && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 1500)); // and no more come
  const keys = s.rx.events.map((e) => `${e.path} ${e.id}`);
  assert.equal(keys.length, queued, JSON.stringify(s.rx.kinds()));
  assert.equal(new Set(keys).size, keys.length, 'no event arrived twice');
  assert.equal(s.rx.events.filter((e) => e.kind === 'lookup.failed').length >= 4, true);
  assert.equal(s.rx.events.filter((e) => e.kind === 'login.failed').length >= 3, true);
  assert.deepEqual(s.rx.bad, []);
  assert.equal(Number(sql(s.k.dataDir, 'SELECT count(*) FROM outbox WHERE delivered_at IS NULL;').trim()), 0);
  const st2 = await k2.stop();
  await s.rx.stop();
  assert.deepEqual(st2, { code: 0, signal: null });
  rmSync(s.k.dataDir, { recursive: true, force: true });
});

test('S7: events the receiver answers with 500 are retried until taken, and taken once', { timeout: 90000 }, async () => {
  const s = await stage(['--rate-limit', '1000']);
  await s.rx.waitFor('admin.webhook_set', 10000);
  const before = s.rx.events.length;
  s.rx.failWith = 500; // the security contact is up but broken
  for (let i = 0; i < 3; i++) await (await fetch(`${s.k.base}/m/${randomId()}`)).text();
  // Only the lookups count: the other contacts' admin.webhook_set may still be on their way,
  // and be refused too.
  const refused = () => new Set(s.rx.refused.filter((r) => r.kind === 'lookup.failed').map((r) => r.id));
  let deadline = Date.now() + 20000;
  while (refused().size < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(refused().size >= 3, `refused ${JSON.stringify(s.rx.refused)}`);
  assert.equal(s.rx.events.length, before, 'nothing counts as taken while the receiver fails');
  s.rx.failWith = 0;
  deadline = Date.now() + 60000;
  const got = () => s.rx.events.slice(before).filter((e) => e.kind === 'lookup.failed');
  while (got().length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 1500)); // and no more come
  const ids = got().map((e) => `${e.path} ${e.id}`);
  assert.equal(ids.length, 3, JSON.stringify(s.rx.kinds()));
  assert.equal(new Set(ids).size, 3, 'no event arrived twice');
  for (const e of got()) assert.ok(refused().has(e.id), 'the event taken is the one refused before');
  assert.deepEqual(s.rx.bad, []);
  const st = await s.k.stop();
  await s.rx.stop();
  assert.deepEqual(st, { code: 0, signal: null });
});
