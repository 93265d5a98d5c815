// The stage for the attacker's tests: a kamerd with two organisations, a host, an
// invitee, an outsider from the other organisation, and a webhook receiver that is the
// security contact of the server and of both tenants.
import { startKamerd, addTenant, addUser, login, kamerctl, PASSWORD } from '../lib/kamerd.mjs';
import { WebhookReceiver } from '../lib/webhook-receiver.mjs';
import WebSocket from 'ws';

export async function stage(extraArgs = [], opts = {}) {
  const rx = new WebhookReceiver();
  const hook = await rx.start(opts.hookPort || 0);
  const k = await startKamerd(extraArgs, opts);
  const min = addTenant(k.dataDir, 'Ministerie');
  const other = addTenant(k.dataDir, 'Buitenstaander BV');
  addUser(k.dataDir, { tenant: min, login: 'alice', name: 'Alice', roles: ['member', 'host'], password: PASSWORD });
  addUser(k.dataDir, { tenant: min, login: 'bob', name: 'Bob', roles: ['member'], password: PASSWORD });
  addUser(k.dataDir, { tenant: other, login: 'mallory', name: 'Mallory', roles: ['member', 'host'], password: PASSWORD });
  for (const t of ['-', min, other]) {
    // One path per contact, so that the receiver can tell the copies apart.
    const r = kamerctl(k.dataDir, ['webhook', 'set', t, `${hook}/${t === '-' ? 'server' : t}`]);
    if (r.code !== 0) throw new Error(`webhook set: ${r.stderr}`);
    rx.secrets.push(r.stdout.trim());
  }
  return {
    k, rx, hook, tenants: { min, other },
    alice: await login(k.base, 'alice', PASSWORD),
    bob: await login(k.base, 'bob', PASSWORD),
    mallory: await login(k.base, 'mallory', PASSWORD),
  };
}

/** The audit log's records as objects, newest first. */
export function auditList(dataDir, limit = 1000) {
  const r = kamerctl(dataDir, ['audit', 'list', '--limit', String(limit)]);
  if (r.code !== 0) throw new Error(`audit list: ${r.stderr}`);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => {
    const [seq, at, kind, tenant, actor, subject, source, security] = l.split('\t');
    return { seq: Number(seq), at: Number(at), kind, tenant, actor, subject, source, security: security === 'security' };
  });
}

export const randomId = () => Array.from({ length: 32 },
  () => 'abcdefghijklmnopqrstuvwxyz234567'[Math.floor(Math.random() * 32)]).join('');

/** A WebSocket to kamerd with an optional session; next() resolves to the next message. */
export function ws(base, session, origin) {
  const headers = session ? { cookie: session.cookie } : {};
  const sock = new WebSocket(base.replace('http', 'ws') + '/ws', 'kamer.v1', { headers, origin });
  const queue = [];
  const waiters = [];
  let closed = false;
  sock.on('message', (d) => {
    const m = JSON.parse(d.toString());
    if (waiters.length) waiters.shift()(m); else queue.push(m);
  });
  sock.on('close', () => { closed = true; });
  const next = (ms = 5000) => new Promise((resolve, reject) => {
    if (queue.length) return resolve(queue.shift());
    const t = setTimeout(() => reject(new Error(`no message within ${ms} ms`)), ms);
    waiters.push((m) => { clearTimeout(t); resolve(m); });
  });
  /** The next message of a type, skipping others (bounded). */
  const until = async (type, ms = 5000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = await next(Math.max(1, deadline - Date.now()));
      if (m.type === type) return m;
    }
  };
  const opened = new Promise((resolve, reject) => { sock.once('open', resolve); sock.once('error', reject); });
  return { sock, next, until, opened, isClosed: () => closed, send: (o) => sock.send(JSON.stringify(o)) };
}

/** Response headers without the ones that differ by time. */
export function headersOf(r) {
  const h = {};
  r.headers.forEach((v, k) => { if (k !== 'date') h[k] = v; });
  return h;
}

/**
 * The trace an attack must leave: the event at the security contact's webhook and the
 * audit record it names (same seq, same kind). Resolves to both; throws if either lacks.
 */
export async function traced(s, kind, pred = () => true, timeoutMs = 10000) {
  const e = await s.rx.waitFor(kind, timeoutMs, pred);
  const a = auditList(s.k.dataDir).find((r) => r.seq === e.audit.seq);
  if (!a || a.kind !== kind) {
    throw new Error(`webhook ${kind} names audit record ${e.audit.seq}, which is ${JSON.stringify(a)}`);
  }
  return { event: e, record: a };
}
