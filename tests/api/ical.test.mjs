// The iCalendar invitations, read back by an independent parser (python3-icalendar): what
// a calendar client shows, with the personal link, across an edit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startKamerd, login, api, createMeeting, PASSWORD } from '../lib/kamerd.mjs';

const CHECK = new URL('../tools/ical_check.py', import.meta.url).pathname;

function parse(text) {
  const r = spawnSync('/usr/bin/python3', [CHECK], { input: text, encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, `ical_check: ${r.stderr}\n${text}`);
  return JSON.parse(r.stdout);
}

test('invitations are valid iCalendar with the personal link, and follow an edit', async () => {
  const k = await startKamerd([], { cast: true });
  try {
    const alice = await login(k.base, 'alice', PASSWORD);
    const title = 'Begroting 2027; deel 1, concept — «vertrouwelijk»? Nee: ongerubriceerd, maar met een héél lange titel';
    const start = 1795000000;
    const m = await createMeeting(k.base, alice, {
      title, start, end: start + 5400, level: 'ongerubriceerd', guests: true,
      invitees: [{ user: 'bob' }, { email: 'gast@example.org' }],
    });
    const r = await api(k.base, alice, 'GET', `/api/v1/meetings/${m.id}/ics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/calendar/);
    assert.match(r.headers.get('content-disposition'), /attachment; filename=".*\.ics"/);
    const mine = parse(await r.text());
    assert.equal(mine.method, 'REQUEST');
    assert.equal(mine.summary, title);
    assert.equal(mine.start, '2026-11-18T11:06:40+00:00');
    assert.equal(mine.end, '2026-11-18T12:36:40+00:00');
    assert.equal(mine.url, `${k.base}/m/${m.id}`);
    assert.match(mine.description, new RegExp(`/m/${m.id}`));

    // The guest's own invitation carries the guest's personal link.
    const guest = m.invitations.find((i) => i.email === 'gast@example.org');
    const g = parse(await (await api(k.base, alice, 'GET', `/api/v1/meetings/${m.id}/invitations/${guest.id}/ics`)).text());
    assert.equal(g.url, `${k.base}${guest.url}`);
    assert.equal(g.attendee, 'mailto:gast@example.org');
    assert.equal(g.uid, mine.uid);

    // After an edit the same event comes with a higher SEQUENCE, so calendars update it.
    const up = await api(k.base, alice, 'PATCH', `/api/v1/meetings/${m.id}`, { start: start + 3600 });
    assert.equal(up.status, 200);
    const again = parse(await (await api(k.base, alice, 'GET', `/api/v1/meetings/${m.id}/ics`)).text());
    assert.equal(again.uid, mine.uid);
    assert.ok(again.sequence > mine.sequence);
    assert.equal(again.start, '2026-11-18T12:06:40+00:00');
    // A weekly series: one event with a rule, kept until its last occurrence.
    const series = await api(k.base, alice, 'PATCH', `/api/v1/meetings/${m.id}`, { repeat: { every: 'week', count: 10 } });
    assert.equal(series.status, 200);
    assert.deepEqual((await series.json()).repeat, { every: 'week', count: 10 });
    const weekly = parse(await (await api(k.base, alice, 'GET', `/api/v1/meetings/${m.id}/ics`)).text());
    assert.equal(weekly.rrule, 'FREQ=WEEKLY;COUNT=10');
    assert.equal((await api(k.base, alice, 'PATCH', `/api/v1/meetings/${m.id}`, { repeat: { every: 'month', count: 3 } })).status, 400);
    // An invitee may download it too; an outsider gets 404.
    const bob = await login(k.base, 'bob', PASSWORD);
    assert.equal((await api(k.base, bob, 'GET', `/api/v1/meetings/${m.id}/ics`)).status, 200);
    const dave = await login(k.base, 'dave', PASSWORD);
    assert.equal((await api(k.base, dave, 'GET', `/api/v1/meetings/${m.id}/ics`)).status, 404);
  } finally {
    const st = await k.stop();
    assert.deepEqual(st, { code: 0, signal: null });
  }
});
