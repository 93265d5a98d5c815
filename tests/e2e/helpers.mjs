// Shared by the browser tests: Debian's Chromium through playwright-core, pages that
// record anything the client loads from elsewhere or that the CSP blocks, screenshots.
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const OUT = new URL('./out/', import.meta.url).pathname;
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
];

// getDisplayMedia picks the whole (virtual) screen without asking.
export const SCREEN_ARGS = ['--auto-select-desktop-capture-source=Entire screen', '--enable-usermedia-screen-capturing'];

/** Debian's Chromium; never a downloaded browser. extra: more flags; opts: launch options. */
export function launch(extra = [], opts = {}) {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extra], timeout: 30000, ...opts });
}

/**
 * A page in its own context. page.problems collects requests to other origins (S9),
 * CSP violations and uncaught errors; page.logs the console, for failure reports.
 */
export async function openPage(browser, base, locale, opts = {}) {
  const context = await browser.newContext({
    locale,
    viewport: { width: 1024, height: 720 },
    permissions: ['camera', 'microphone'],
    ...opts,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.setDefaultNavigationTimeout(20000);
  page.problems = [];
  page.logs = [];
  const origin = new URL(base).origin;
  page.on('request', (req) => {
    const u = req.url();
    if (!u.startsWith(origin + '/') && !u.startsWith('data:') && !u.startsWith('blob:')) {
      page.problems.push(`request to another origin: ${u}`);
    }
  });
  page.on('console', (m) => {
    const line = `[${locale} ${m.type()}] ${m.text()}`;
    page.logs.push(line);
    if (/Content Security Policy/i.test(m.text())) page.problems.push(line);
  });
  page.on('pageerror', (e) => page.problems.push(`[${locale}] page error: ${e.message}`));
  return page;
}

export async function shot(page, name) {
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: `${OUT}${name}.png`, timeout: 10000 }).catch(() => {});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls fn until it returns a truthy value, or an object whose `done` is true; throws
 * with what it waited for and the last value.
 */
export async function waitFor(what, fn, timeoutMs = 30000, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last && (typeof last !== 'object' || !('done' in last) || last.done)) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await sleep(everyMs);
  }
}

/** The same as a person: type a name, press the button with the given label. */
export async function join(page, url, name, buttonLabel, fieldLabel) {
  await page.goto(url);
  await page.getByLabel(fieldLabel).fill(name);
  await page.getByRole('button', { name: buttonLabel, exact: true }).click();
}

/** Inbound RTP on the subscribe connection, read through window.kamer.sub. */
export function inboundStats(page) {
  return page.evaluate(async () => {
    const pc = window.kamer && window.kamer.sub;
    if (!pc) return { video: [], audio: [] };
    const video = [];
    const audio = [];
    (await pc.getStats()).forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'video') {
        video.push({ ssrc: s.ssrc, mid: s.mid, track: s.trackIdentifier, framesDecoded: s.framesDecoded || 0,
          // For failure reports: where the frames stop.
          packets: s.packetsReceived, lost: s.packetsLost, nacks: s.nackCount, plis: s.pliCount,
          firs: s.firCount, keyFrames: s.keyFramesDecoded, framesReceived: s.framesReceived,
          framesDropped: s.framesDropped, size: s.frameWidth && `${s.frameWidth}x${s.frameHeight}` });
      } else if (s.kind === 'audio') {
        audio.push({ ssrc: s.ssrc, mid: s.mid, track: s.trackIdentifier, energy: s.totalAudioEnergy || 0 });
      }
    });
    return { video, audio };
  });
}
