// Starts a kamerd for a test on loopback, with a fresh data directory and free ports.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KAMERD = process.env.KAMERD || new URL('../../build/kamerd', import.meta.url).pathname;

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

function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts kamerd; resolves to { base, mediaPort, proc, stderr(), stop() }. opts.host: the
 * address to bind HTTP and media to (default loopback; a test's own veth address).
 */
export async function startKamerd(extraArgs = [], opts = {}) {
  const host = opts.host || '127.0.0.1';
  const dataDir = mkdtempSync(join(tmpdir(), 'kamer-test-'));
  const httpPort = await freeTcpPort();
  const mediaPort = await freeUdpPort();
  const args = ['--data-dir', dataDir, '--listen', `${host}:${httpPort}`,
    '--media', `${host}:${mediaPort}`, ...extraArgs];
  const proc = spawn(KAMERD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  proc.stderr.on('data', (d) => { err += d; if (err.length > 1 << 20) err = err.slice(-(1 << 19)); });
  proc.stdout.on('data', (d) => { out += d; });
  let exited = null;
  const exitPromise = new Promise((resolve) => proc.on('exit', (code, signal) => {
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
      rmSync(dataDir, { recursive: true, force: true });
      return exited;
    },
  };
}

export async function createMeeting(base, title = 'Test') {
  const r = await fetch(`${base}/api/v1/meetings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
  if (r.status !== 201) throw new Error(`create meeting: ${r.status} ${await r.text()}`);
  return r.json();
}

/** Reads one counter from /metrics, e.g. metric(base, 'kamer_drops_total{reason="malformed"}'). */
export async function metric(base, name) {
  const text = await (await fetch(`${base}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (line.startsWith(name + ' ')) return Number(line.slice(name.length + 1));
  }
  throw new Error(`no metric ${name}`);
}
