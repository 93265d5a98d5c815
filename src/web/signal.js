// The WebSocket to kamerd (docs/PROTOCOL.md): JSON messages by "type", a bounded
// number of connection attempts with backoff, and one close notice.

const SUBPROTOCOL = 'kamer.v1';
const RETRY_DELAYS_MS = [1000, 2000, 4000]; // after the 1st, 2nd and 3rd failed attempt
const OPEN_TIMEOUT_MS = 8000;

export function wsUrl() {
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function openOnce(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    let ws;
    try {
      ws = new WebSocket(url, SUBPROTOCOL);
    } catch (e) {
      reject(e);
      return;
    }
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error('timeout'));
    }, timeoutMs);
    ws.onopen = () => {
      clearTimeout(timer);
      ws.onopen = ws.onclose = ws.onerror = null;
      resolve(ws);
    };
    ws.onerror = () => {}; // the close that follows carries the failure
    ws.onclose = () => {
      clearTimeout(timer);
      reject(new Error('closed before open'));
    };
  });
}

export class Signal {
  constructor() {
    this.ws = null;
    this.handlers = new Map();
    this.onclose = null; // (wasClosedByUs) => void, once, after a successful connect
    this.closing = false;
  }

  /**
   * Connects, trying again after each of `delays` (ms); onRetry(seconds) before each wait.
   * openTimeoutMs bounds each attempt.
   */
  async connect(onRetry, delays = RETRY_DELAYS_MS, openTimeoutMs = OPEN_TIMEOUT_MS) {
    for (let attempt = 0; ; attempt++) {
      try {
        this.ws = await openOnce(wsUrl(), openTimeoutMs);
        if (this.closing) {
          this.ws.close(1000);
          throw new Error('abandoned');
        }
        break;
      } catch (e) {
        if (this.closing || attempt >= delays.length) throw e;
        const ms = delays[attempt];
        if (onRetry) onRetry(Math.round(ms / 1000));
        await sleep(ms);
        if (this.closing) throw new Error('abandoned');
      }
    }
    this.ws.onmessage = (ev) => this.dispatch(ev.data);
    this.ws.onclose = () => {
      const cb = this.onclose;
      this.onclose = null;
      if (cb) cb(this.closing);
    };
  }

  dispatch(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return; // kamerd only sends JSON; ignore anything else
    }
    if (!msg || typeof msg.type !== 'string') return;
    const fn = this.handlers.get(msg.type);
    if (fn) fn(msg);
  }

  on(type, fn) {
    this.handlers.set(type, fn);
    return this;
  }

  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  /** Forgets every handler: an old connection that closes later is not heard of again. */
  detach() {
    this.handlers.clear();
    this.onclose = null;
  }

  /** Closes the socket; the onclose callback is told it was on purpose. */
  close() {
    this.closing = true;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) this.ws.close(1000);
  }
}
