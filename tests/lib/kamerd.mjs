// Starts a kamerd for a test on loopback, with a fresh data directory and free ports.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KAMERD = process.env.KAMERD || new URL('../../build/kamerd', import.meta.url).pathname;
export const KAMERCTL = process.env.KAMERCTL || KAMERD.replace(/kamerd$/, 'kamerctl');

function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function bindUdp(port) {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(null));
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}

// A run of n consecutive free UDP ports (media worker i binds the first + i).
async function freeUdpPorts(n) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await bindUdp(0);
    const base = first.address().port;
    const held = [first];
    for (let i = 1; i < n && base + i < 65536; i++) held.push(await bindUdp(base + i));
    const ok = held.length === n && held.every(Boolean);
    await Promise.all(held.filter(Boolean).map((s) => new Promise((r) => s.close(r))));
    if (ok) return base;
  }
  throw new Error(`no ${n} consecutive free UDP ports`);
}

// Tests run two media workers unless they ask otherwise, so that rooms on different
// workers are exercised on any machine.
const TEST_WORKERS = 2;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Every kamerd a test started and did not stop: a test that fails before its stop() must
   not leave one running, which would keep the test file's process, and the run, alive.
   The runner's --test-force-exit ends the process; its exit kills these. */
const live = new Set();
process.on('exit', () => { for (const p of live) p.kill('SIGKILL'); });

/**
 * Starts kamerd; resolves to { base, mediaPort, dataDir, proc, stdout(), stderr(), stop() }.
 * opts.cast: first add the usual cast of users (addCast) to the store.
 * opts.dataDir: reuse a data directory (a restart); it is then not removed on stop.
 * opts.host: the address to bind HTTP and media to (default loopback; a test's own veth).
 * opts.wrap: a command and its arguments that run kamerd (e.g. setpriv), before its path.
 * Media workers: TEST_WORKERS unless extraArgs has --media-workers.
 */
export async function startKamerd(extraArgs = [], opts = {}) {
  const host = opts.host || '127.0.0.1';
  const dataDir = opts.dataDir || mkdtempSync(join(tmpdir(), 'kamer-test-'));
  const cast = opts.cast ? addCast(dataDir) : null;
  const httpPort = await freeTcpPort();
  const wi = extraArgs.indexOf('--media-workers');
  const workers = wi >= 0 ? Number(extraArgs[wi + 1]) : TEST_WORKERS;
  const mediaPort = await freeUdpPorts(workers);
  const args = ['--data-dir', dataDir, '--listen', `${host}:${httpPort}`,
    '--media', `${host}:${mediaPort}`, ...(wi >= 0 ? [] : ['--media-workers', String(TEST_WORKERS)]),
    ...extraArgs];
  const wrap = opts.wrap || [];
  const proc = wrap.length
    ? spawn(wrap[0], [...wrap.slice(1), KAMERD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(KAMERD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  let err = '';
  let out = '';
  proc.stderr.on('data', (d) => { err += d; if (err.length > 1 << 20) err = err.slice(-(1 << 19)); });
  proc.stdout.on('data', (d) => { out += d; });
  let exited = null;
  const exitPromise = new Promise((resolve) => proc.on('exit', (code, signal) => {
    live.delete(proc);
    exited = { code, signal };
    resolve(exited);
  }));
  const base = `http://${host}:${httpPort}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    if (exited) throw new Error(`kamerd exited early (${JSON.stringify(exited)}):\n${err}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`kamerd did not answer /healthz:\n${err}`);
    }
    await sleep(50);
  }
  return {
    base,
    httpPort,
    mediaPort,
    dataDir,
    cast,
    proc,
    stdout: () => out,
    stderr: () => err,
    /** SIGTERM, wait (bounded), remove the data dir; resolves to the exit status. */
    async stop() {
      if (!exited) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 15000);
        await exitPromise;
        clearTimeout(t);
      }
      if (!opts.dataDir && !opts.keep) rmSync(dataDir, { recursive: true, force: true });
      return exited;
    },
  };
}

/** Runs kamerctl on a data directory; resolves to { code, stdout, stderr }. */
export function kamerctl(dataDir, args, input = '') {
  const r = spawnSync(KAMERCTL, ['--data-dir', dataDir, ...args], {
    input, encoding: 'utf8', timeout: 60000,
    // Argon2id at its cheapest: hashing under ASan is slow, and tests make many users.
    env: { ...process.env, KAMER_TEST_CHEAP_PASSWORDS: '1' },
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function mustCtl(dataDir, args, input) {
  const r = kamerctl(dataDir, args, input);
  if (r.code !== 0) throw new Error(`kamerctl ${args.join(' ')}: ${r.code}\n${r.stderr}`);
  return r.stdout;
}

/** Adds a tenant; resolves to its id. */
export function addTenant(dataDir, name) {
  mustCtl(dataDir, ['tenant', 'add', name]);
  const line = mustCtl(dataDir, ['tenant', 'list']).split('\n').find((l) => l.split('\t')[1] === name);
  if (!line) throw new Error(`tenant ${name} not listed`);
  return line.split('\t')[0];
}

/** Adds a user with a password; roles default to ['member', 'host']. */
export function addUser(dataDir, { tenant, login, name = login, roles = ['member', 'host'], password }) {
  const args = ['user', 'add', '--tenant', tenant, login, '--name', name];
  for (const r of roles) args.push('--role', r);
  mustCtl(dataDir, args, `${password}\n`);
}

/** Logs in; resolves to { cookie, csrf, user } for api() and browsers. */
export async function login(base, user, password) {
  const r = await fetch(`${base}/api/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, password }),
  });
  if (r.status !== 200) throw new Error(`login ${user}: ${r.status} ${await r.text()}`);
  const setCookie = r.headers.get('set-cookie') || '';
  const m = /kamer_session=([^;]+)/.exec(setCookie);
  if (!m) throw new Error(`login ${user}: no session cookie`);
  const body = await r.json();
  return { cookie: `kamer_session=${m[1]}`, token: m[1], csrf: body.csrf, user: body.user };
}

/** A request as a logged-in user (session from login(), or null for none). */
export function api(base, session, method, path, body) {
  const headers = {};
  if (session) {
    headers.cookie = session.cookie;
    if (method !== 'GET' && method !== 'HEAD') headers['x-kamer-csrf'] = session.csrf;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${base}${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Creates a meeting as session; fields as in docs/API.md. */
export async function createMeeting(base, session, fields = {}) {
  const r = await api(base, session, 'POST', '/api/v1/meetings', { title: 'Test', ...fields });
  if (r.status !== 201) throw new Error(`create meeting: ${r.status} ${await r.text()}`);
  return r.json();
}

/**
 * The usual cast: a tenant "Ministerie" with users alice (host), bob, carol, dave
 * (members), all with password "correct horse battery staple"; resolves to
 * { tenant, password, users: [...] }.
 */
export const PASSWORD = 'correct horse battery staple';
export function addCast(dataDir, logins = ['alice', 'bob', 'carol', 'dave']) {
  const tenant = addTenant(dataDir, 'Ministerie');
  for (const [i, l] of logins.entries()) {
    addUser(dataDir, {
      tenant, login: l, name: l[0].toUpperCase() + l.slice(1),
      roles: i === 0 ? ['member', 'host'] : ['member'], password: PASSWORD,
    });
  }
  return { tenant, password: PASSWORD, users: logins };
}

/** Puts a session's cookie into a Playwright browser context. */
export async function sessionIntoContext(context, base, session) {
  const u = new URL(base);
  await context.addCookies([{
    name: 'kamer_session', value: session.token, domain: u.hostname, path: '/',
    httpOnly: true, sameSite: 'Strict',
  }]);
}

/** Reads one counter from /metrics, e.g. metric(base, 'kamer_drops_total{reason="malformed"}'). */
export async function metric(base, name) {
  const text = await (await fetch(`${base}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (line.startsWith(name + ' ')) return Number(line.slice(name.length + 1));
  }
  throw new Error(`no metric ${name}`);
}
