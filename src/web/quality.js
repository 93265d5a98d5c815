// The connection-quality indicator: every few seconds, loss, round-trip time and jitter
// from getStats() on both connections, shown as bars with a text for screen readers.

import { t, onLangChange } from './i18n.js';

const $ = (id) => document.getElementById(id);
const EVERY_MS = 3000;

/** good, fair or poor from loss (fraction), rtt (s) and jitter (s). */
export function grade({ loss, rtt, jitter }) {
  if (loss > 0.08 || rtt > 0.5 || jitter > 0.1) return 'poor';
  if (loss > 0.02 || rtt > 0.25 || jitter > 0.04) return 'fair';
  return 'good';
}

export class Quality {
  constructor(getPcs) {
    this.getPcs = getPcs; // () => [RTCPeerConnection|null]
    this.timer = 0;
    this.prev = new Map(); // inbound ssrc -> { received, lost }
    this.state = { level: 'unknown', loss: 0, rtt: 0, jitter: 0 };
    onLangChange(() => this.render());
  }

  start() {
    this.stop();
    this.timer = setInterval(() => this.sample().catch(() => {}), EVERY_MS);
    this.render();
  }

  stop() {
    clearInterval(this.timer);
    this.timer = 0;
    this.prev.clear();
    this.state = { level: 'unknown', loss: 0, rtt: 0, jitter: 0 };
    this.render();
  }

  async sample() {
    let rtt = 0;
    let jitter = 0;
    let received = 0;
    let lost = 0;
    let any = false;
    for (const pc of this.getPcs()) {
      if (!pc || pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime != null) {
          rtt = Math.max(rtt, s.currentRoundTripTime);
          any = true;
        } else if (s.type === 'remote-inbound-rtp') {
          if (s.roundTripTime != null) rtt = Math.max(rtt, s.roundTripTime);
          if (s.jitter != null) jitter = Math.max(jitter, s.jitter);
          any = true;
        } else if (s.type === 'inbound-rtp') {
          const p = this.prev.get(s.ssrc) || { received: 0, lost: 0 };
          received += Math.max(0, (s.packetsReceived || 0) - p.received);
          lost += Math.max(0, (s.packetsLost || 0) - p.lost);
          this.prev.set(s.ssrc, { received: s.packetsReceived || 0, lost: s.packetsLost || 0 });
          if (s.jitter != null) jitter = Math.max(jitter, s.jitter);
          any = true;
        }
      });
    }
    if (!any) return;
    const loss = received + lost > 0 ? lost / (received + lost) : 0;
    this.state = { level: grade({ loss, rtt, jitter }), loss, rtt, jitter };
    this.render();
  }

  render() {
    const q = $('quality');
    const { level, loss, rtt, jitter } = this.state;
    q.dataset.quality = level;
    const text = level === 'unknown' ? t('quality.unknown')
      : `${t(`quality.${level}`)}. ${t('quality.detail', { loss: (loss * 100).toFixed(1), rtt: Math.round(rtt * 1000), jitter: Math.round(jitter * 1000) })}`;
    $('quality-text').textContent = text;
    q.title = text;
  }
}
