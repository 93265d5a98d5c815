// The meeting page (/m/<id>): join with a name, publish camera and microphone,
// receive everyone else, show them in tiles, leave. Speaks docs/PROTOCOL.md.

import { initLang, t } from './i18n.js';
import { Signal } from './signal.js';
import { getLocalMedia, stopLocalMedia, Publisher, Subscriber } from './media.js';
import * as ui from './ui.js';

const NAME_KEY = 'kamer.name';
const LEAVE_WAIT_MS = 1000;
const ERROR_KEYS = { not_found: 'err.not_found', limit: 'err.limit', state: 'err.state',
  bad_request: 'err.bad_request', internal: 'err.internal' };

const meetingId = decodeURIComponent(location.pathname.replace(/^\/m\//, '').replace(/\/$/, ''));
const $ = (id) => document.getElementById(id);
const byteLength = (s) => new TextEncoder().encode(s).length;

// One attempt at being in the meeting; a rejoin makes a new one.
let call = null;
const grid = new ui.TileGrid($('grid'));

// For tests and diagnostics: the two peer connections, the roster and your own id.
window.kamer = {
  get pub() { return call && call.pub ? call.pub.pc : null; },
  get sub() { return call && call.sub ? call.sub.pc : null; },
  get roster() { return call ? call.roster : []; },
  get selfId() { return call ? call.selfId : null; },
};

function validName() {
  const name = $('name').value.trim();
  const n = byteLength(name);
  return n >= 1 && n <= 64 ? name : null;
}

async function join(name) {
  if (call) return;
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch { /* only a convenience */ }
  const c = {
    signal: new Signal(),
    local: null,
    pub: null,
    sub: null,
    roster: [],
    selfId: null,
    joined: false,
    ended: false,
    name,
  };
  call = c;
  ui.setNameError(null);
  ui.setJoinBusy(true);
  ui.setJoinStatus('status.media');

  const media = getLocalMedia().then((local) => {
    c.local = local;
    if (c.ended) stopLocalMedia(local);
    return local;
  });
  const connecting = media.then(() => {
    if (c.ended) throw new Error('abandoned');
    ui.setJoinStatus('status.connecting');
    return c.signal.connect((s) => ui.setJoinStatus('status.retry', { s }));
  });
  try {
    await connecting;
  } catch {
    if (c.ended) return;
    end(c);
    ui.showMessage('err.connect', 'err.connect.more', { key: 'err.retry', fn: () => rejoin(name) });
    return;
  }
  if (c.ended) return;

  c.signal
    .on('joined', (m) => onJoined(c, m))
    .on('publish_answer', (m) => {
      if (c.pub) c.pub.answer(m.sdp).catch((e) => fail(c, 'err.media', e));
    })
    .on('subscribe_offer', (m) => onSubscribeOffer(c, m))
    .on('roster', (m) => onRoster(c, m.participants))
    .on('left', () => c.signal.close())
    .on('error', (m) => onError(c, m));
  c.signal.onclose = (onPurpose) => {
    if (!onPurpose && !c.ended) {
      end(c);
      ui.showMessage('err.heading', 'err.lost', { key: 'left.rejoin', fn: () => rejoin(name) });
    }
  };
  c.signal.send({ type: 'join', meeting: meetingId, name });
}

async function onJoined(c, m) {
  c.selfId = m.id;
  c.joined = true;
  ui.setMeetingTitle(m.meeting && m.meeting.title);
  ui.setJoinBusy(false);
  ui.setJoinStatus(null);
  ui.showView('meeting');
  onRoster(c, m.participants);
  const local = c.local;
  grid.setLocalVideo(local.video);
  ui.setControl('ctl-mic', !!local.audio, !!local.audio);
  ui.setControl('ctl-cam', !!local.video, !!local.video);
  if (!local.audio && !local.video) ui.notice('status.nomedia');
  else if (!local.audio) ui.notice('status.noaudio');
  else if (!local.video) ui.notice('status.novideo');
  $('ctl-mic').focus();
  sendState(c);
  if (!local.audio && !local.video) return; // nothing to publish; receive only
  try {
    c.pub = new Publisher(local, () => fail(c, 'err.media'));
    const sdp = await c.pub.offer();
    if (!c.ended) c.signal.send({ type: 'publish', sdp });
  } catch (e) {
    fail(c, 'err.media', e);
  }
}

async function onSubscribeOffer(c, m) {
  if (!c.sub) c.sub = new Subscriber((pid, track) => grid.setTrack(pid, track), () => fail(c, 'err.media'));
  try {
    const sdp = await c.sub.handleOffer(m);
    if (!c.ended) c.signal.send({ type: 'subscribe_answer', sdp });
  } catch (e) {
    fail(c, 'err.media', e);
  }
}

function onRoster(c, participants) {
  if (!Array.isArray(participants)) return;
  const list = participants.filter((p) => p && typeof p.id === 'string');
  const self = list.find((p) => p.self);
  if (self && !c.selfId) c.selfId = self.id;
  if (c.roster.length) {
    const before = new Map(c.roster.map((p) => [p.id, p]));
    const now = new Set(list.map((p) => p.id));
    for (const p of list) if (!before.has(p.id) && p.id !== c.selfId) ui.announce(t('status.joined', { name: p.name }));
    for (const p of c.roster) if (!now.has(p.id)) ui.announce(t('status.left', { name: p.name }));
  }
  c.roster = list;
  grid.update(list, c.selfId);
  $('participant-count').textContent = t('meeting.count', { n: list.length });
}

function onError(c, m) {
  const key = ERROR_KEYS[m.code] || 'err.internal';
  if (m.fatal || !c.joined) {
    end(c);
    if (m.code === 'not_found') ui.showMessage('err.not_found', 'err.not_found.more');
    else ui.showMessage('err.heading', key, { key: 'err.retry', fn: () => rejoin(c.name) });
  } else {
    // Not fatal: the meeting goes on; say so without leaving it.
    ui.notice(key);
    console.warn('kamer:', m.code, m.message);
  }
}

function fail(c, key, e) {
  if (c.ended) return;
  if (e) console.error('kamer:', e);
  c.signal.send({ type: 'leave' });
  end(c);
  ui.showMessage('err.heading', key, { key: 'err.retry', fn: () => rejoin(c.name) });
}

function sendState(c) {
  const l = c.local;
  c.signal.send({
    type: 'state',
    audio: !!(l.audio && l.audio.enabled),
    video: !!(l.video && l.video.enabled),
  });
}

function toggle(kind) {
  const c = call;
  if (!c || !c.joined || !c.local[kind]) return;
  const tr = c.local[kind];
  tr.enabled = !tr.enabled;
  ui.setControl(kind === 'audio' ? 'ctl-mic' : 'ctl-cam', tr.enabled, true);
  // Show it in your own tile at once; the roster that follows confirms it.
  const me = c.roster.find((p) => p.id === c.selfId);
  if (me) {
    me[kind] = tr.enabled;
    grid.update(c.roster, c.selfId);
  }
  sendState(c);
}

/** Tears one attempt down: socket, peer connections, camera and microphone. */
function end(c) {
  if (c.ended) return;
  c.ended = true;
  c.signal.close();
  if (c.pub) c.pub.close();
  if (c.sub) c.sub.close();
  stopLocalMedia(c.local);
  grid.clear();
  ui.setJoinBusy(false);
  ui.setJoinStatus(null);
  ui.setMeetingTitle('');
}

async function leave() {
  const c = call;
  if (!c || c.ended) return;
  // kamerd answers `left` and closes; wait for that, but not for long.
  const closed = new Promise((resolve) => {
    c.signal.onclose = () => resolve();
    setTimeout(resolve, LEAVE_WAIT_MS);
  });
  c.signal.send({ type: 'leave' });
  await closed;
  end(c);
  ui.showMessage('left.heading', null, { key: 'left.rejoin', fn: () => rejoin(c.name) });
}

function rejoin(name) {
  if (call && !call.ended) return;
  call = null;
  ui.showView('join');
  $('name').value = name;
  join(name);
}

function init() {
  initLang();
  ui.buildControls({ onMic: () => toggle('audio'), onCam: () => toggle('video'), onLeave: leave });
  try {
    const saved = localStorage.getItem(NAME_KEY);
    if (saved) $('name').value = saved;
  } catch { /* nothing saved */ }
  $('join-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = validName();
    if (!name) {
      ui.setNameError('join.err.name');
      return;
    }
    if (call && call.ended) call = null;
    join(name);
  });
  // Where autoplay was refused, the next click or key press starts the sound and pictures.
  for (const ev of ['click', 'keydown']) document.addEventListener(ev, ui.resumePlayback, { capture: true });
  // A page that goes away leaves the meeting rather than lingering on the roster.
  window.addEventListener('pagehide', () => {
    if (call && !call.ended) {
      call.signal.send({ type: 'leave' });
      end(call);
    }
  });
  ui.showView('join');
  $('name').focus();
}

init();
