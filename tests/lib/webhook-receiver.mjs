// A security contact's webhook receiver for tests: checks every signature, keeps the
// events, can answer 500 on demand, and can stop and start again on the same port.
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

export class WebhookReceiver {
  constructor() {
    this.events = [];   // verified events, in arrival order
    this.bad = [];      // requests whose signature did not verify
    this.failWith = 0;  // answer this status instead of 204 while non-zero
    this.refused = [];  // the verified events answered with failWith: { id, kind }
    this.secrets = [];  // the secrets kamerctl printed (one per tenant)
    this.server = null;
    this.port = 0;
  }

  async start(port = 0) {
    this.server = createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const ts = req.headers['x-kamer-timestamp'] || '';
        const sig = req.headers['x-kamer-signature'] || '';
        const ok = this.secrets.some((s) => {
          const want = 'sha256=' + createHmac('sha256', s).update(`${ts}.${body}`).digest('hex');
          return want.length === sig.length && timingSafeEqual(Buffer.from(want), Buffer.from(sig));
        });
        if (!ok) {
          this.bad.push({ headers: req.headers, body });
          res.writeHead(401).end();
          return;
        }
        if (this.failWith) {
          let kind = null;
          try { kind = JSON.parse(body).kind; } catch { /* signed, yet not JSON: kind unknown */ }
          this.refused.push({ id: req.headers['x-kamer-event'], kind });
          res.writeHead(this.failWith).end();
          return;
        }
        const event = JSON.parse(body);
        Object.defineProperty(event, 'path', { value: req.url, enumerable: false });
        if (event.id !== req.headers['x-kamer-event']) this.bad.push({ why: 'id mismatch', body });
        this.events.push(event);
        res.writeHead(204).end();
      });
    });
    await new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async stop() {
    if (!this.server) return;
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(resolve));
    this.server = null;
  }

  kinds() { return this.events.map((e) => e.kind); }

  /** Waits (bounded) until an event of kind arrives; resolves to it. */
  async waitFor(kind, timeoutMs = 10000, pred = () => true) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = this.events.find((x) => x.kind === kind && pred(x));
      if (e) return e;
      if (Date.now() > deadline) throw new Error(`no ${kind} event within ${timeoutMs} ms; got ${JSON.stringify(this.kinds())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
