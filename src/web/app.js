// The meeting page (/m/<id>, /i/<secret>): preview and join, the lobby, the meeting with
// its tiles, screen, chat, people and host controls, and coming back by itself after a
// dropped connection. Speaks docs/PROTOCOL.md; each part lives in its own module.

import { initLang, onLangChange, t } from './i18n.js';
import { Signal } from './signal.js';
import { stopLocalMedia, Publisher, Subscriber, getScreen } from './media.js';
import * as ui from './ui.js';
import { Preview } from './preview.js';
import { ScreenStage } from './stage.js';
import { Chat } from './chat.js';
import { People } from './people.js';
import { Quality } from './quality.js';
import { setLevel } from './banner.js';
import { me } from './api.js';

const NAME_KEY = 'kamer.name';
const LEAVE_WAIT_MS = 1000;
const RESUME_WINDOW_MS = 30000; // kamerd keeps a dropped seat this long
const RESUME_DELAYS_MS = [250, 1000, 2000, 3000, 4000];
const RESUME_ANSWER_MS = 8000;
const ANSWER_WAIT_MS = 10000;
const ERROR_KEYS = { not_found: 'err.not_found', limit: 'err.limit', state: 'err.state',
  bad_request: 'err.bad_request', internal: 'err.internal', denied: 'err.denied', locked: 'err.locked',
  forbidden: 'err.forbidden', rate_limited: 'err.rate_limited' };

const $ = (id) => document.getElementById(id);
const byteLength = (s) => new TextEncoder().encode(s).length;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** What this page joins: a meeting by id, or a personal invitation by its secret. */
function target() {
  const m = location.pathname.match(/^\/(m|i)\/([^/]+)\/?$/);
  if (!m) return {};
  const v = decodeURIComponent(m[2]);
  return m[1] === 'm' ? { meeting: v } : { invitation: v };
}

// One attempt at being in the meeting; a rejoin makes a new one (a reconnect does not).
let call = null;
const grid = new ui.TileGrid($('grid'));
const stage = new ScreenStage();
const preview = new Preview();
const people = new People((msg) => call && call.signal.send(msg));
const chat = new Chat((text) => call && call.signal.send({ type: 'chat', text }), ui.announce);
const quality = new Quality(() => (call ? [call.pub && call.pub.pc, call.sub && call.sub.pc] : []));

// For tests and diagnostics: the two peer connections, the roster and your own id.
window.kamer = {
  get pub() { return call && call.pub ? call.pub.pc : null; },
  get sub() { return call && call.sub ? call.sub.pc : null; },
  get roster() { return call ? call.roster : []; },
  get selfId() { return call ? call.selfId : null; },
  get reconnects() { return call ? call.reconnects : 0; },
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
  const c = { signal: new Signal(), local: null, screen: null, pub: null, sub: null, roster: [],
    selfId: null, joined: false, ended: false, final: false, name, resume: null, host: false,
    locked: false, hand: false, reconnecting: false, reconnects: 0, onResume: null,
    pubChain: Promise.resolve(), onPubAnswer: null };
  call = c;
  ui.setNameError(null);
  ui.setJoinBusy(true);
  ui.setJoinStatus('status.media');
  c.local = await preview.take();
  if (c.ended) return stopLocalMedia(c.local);
  ui.setJoinStatus('status.connecting');
  try {
    await c.signal.connect((s) => ui.setJoinStatus('status.retry', { s }));
  } catch {
    if (c.ended) return;
    end(c);
    ui.showMessage('err.connect', 'err.connect.more', { key: 'err.retry', fn: () => rejoin(name) });
    return;
  }
  if (c.ended) return;
  wire(c, c.signal);
  c.signal.send({ type: 'join', ...target(), name });
}

/** Every message of one socket; a reconnect wires the new socket the same way. */
function wire(c, sig) {
  sig
    .on('lobby', () => {
      ui.setJoinBusy(false);
      ui.setJoinStatus(null);
      ui.showView('lobby');
      $('lobby-heading').focus();
    })
    .on('joined', (m) => onJoined(c, m))
    .on('publish_answer', (m) => {
      if (c.pub) c.pub.answer(m.sdp).catch((e) => fail(c, 'err.media', e));
      if (c.onPubAnswer) c.onPubAnswer();
    })
    .on('subscribe_offer', (m) => onSubscribeOffer(c, m))
    .on('roster', (m) => onRoster(c, m.participants))
    .on('waiting', (m) => onWaiting(c, m.participants))
    .on('meeting', (m) => applyMeeting(c, m.meeting || m))
    .on('speaker', (m) => grid.setSpeaker(typeof m.participant === 'string' ? m.participant : null))
    .on('chat', (m) => chat.add(m, c.selfId))
    .on('muted', (m) => onMuted(c, m))
    .on('unmute_request', (m) => {
      $('prompt-text').textContent = t('meeting.askUnmute', { by: m.by || '' });
      $('prompt').hidden = false;
      $('prompt-yes').focus();
    })
    .on('removed', () => finish(c, 'removed.heading'))
    .on('ended', () => finish(c, 'ended.heading'))
    .on('left', () => {
      c.final = true;
      sig.close();
    })
    .on('error', (m) => onError(c, m));
  sig.onclose = (onPurpose) => {
    if (onPurpose || c.ended || c.final) return;
    if (c.reconnecting) {
      if (c.onResume) c.onResume('closed');
    } else if (c.joined && c.resume) {
      reconnect(c);
    } else {
      end(c);
      ui.showMessage('err.heading', 'err.lost', { key: 'left.rejoin', fn: () => rejoin(c.name) });
    }
  };
}

function onJoined(c, m) {
  const first = !c.joined;
  c.joined = true;
  c.selfId = m.id;
  if (typeof m.resume === 'string') c.resume = m.resume;
  c.host = m.role === 'host';
  applyMeeting(c, m.meeting || {});
  document.body.dataset.role = c.host ? 'host' : 'participant';
  for (const b of document.querySelectorAll('.host-only')) b.hidden = !c.host;
  onRoster(c, m.participants);
  if (c.onResume) c.onResume('ok');
  if (first) {
    ui.setJoinBusy(false);
    ui.setJoinStatus(null);
    ui.showView('meeting');
    const local = c.local;
    grid.setLocalVideo(local.video);
    ui.setControl('ctl-mic', !!(local.audio && local.audio.enabled), !!local.audio);
    ui.setControl('ctl-cam', !!(local.video && local.video.enabled), !!local.video);
    if (!local.audio && !local.video) ui.notice('status.nomedia');
    else if (!local.audio) ui.notice('status.noaudio');
    else if (!local.video) ui.notice('status.novideo');
    $('ctl-mic').focus();
    quality.start();
  }
  sendState(c);
  if (c.hand) c.signal.send({ type: 'hand', raised: true });
  publish(c);
}

/** Sends a new publish offer on a new connection (screen added or stopped, or a reconnect). */
function publish(c) {
  c.pubChain = c.pubChain.then(async () => {
    if (c.ended || c.reconnecting) return;
    const old = c.pub;
    c.pub = null;
    if (old) old.close();
    if (!c.local.audio && !c.local.video && !c.screen) return; // nothing to send; receive only
    const pub = new Publisher(c.local, c.screen, () => trouble(c));
    c.pub = pub;
    const msg = await pub.offer();
    if (c.ended || c.pub !== pub) return;
    const answered = new Promise((resolve) => { c.onPubAnswer = resolve; });
    c.signal.send(msg);
    await Promise.race([answered, sleep(ANSWER_WAIT_MS)]);
    c.onPubAnswer = null;
  }).catch((e) => fail(c, 'err.media', e));
  return c.pubChain;
}

async function onSubscribeOffer(c, m) {
  if (!c.sub) {
    c.sub = new Subscriber((pid, track, source) => {
      if (source === 'screen') {
        grid.forget(track);
        stage.setTrack(pid, track);
      } else {
        stage.forget(track);
        grid.setTrack(pid, track);
      }
    }, () => trouble(c));
  }
  const sub = c.sub;
  try {
    const sdp = await sub.handleOffer(m);
    if (!c.ended && c.sub === sub) c.signal.send({ type: 'subscribe_answer', sdp });
  } catch (e) {
    if (c.sub === sub) fail(c, 'err.media', e);
  }
}

function applyMeeting(c, m) {
  if (!m || typeof m !== 'object') return;
  if ('title' in m) ui.setMeetingTitle(m.title);
  if ('level' in m) setLevel(m.level);
  if ('locked' in m) {
    const was = c.locked;
    c.locked = !!m.locked;
    ui.setPressed('ctl-lock', c.locked);
    $('lock-state').hidden = !c.locked;
    $('lock-state').textContent = c.locked ? t('meeting.locked') : '';
    if (c.joined && was !== c.locked) ui.announce(t(c.locked ? 'meeting.locked' : 'meeting.unlocked'));
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
    for (const p of list) {
      const b = before.get(p.id);
      if (!b && p.id !== c.selfId) ui.announce(t('status.joined', { name: p.name }));
      if (b && p.hand && !b.hand && p.id !== c.selfId) ui.announce(t('meeting.handUp', { name: p.name }));
    }
    for (const p of c.roster) if (!now.has(p.id)) ui.announce(t('status.left', { name: p.name }));
  }
  c.roster = list;
  grid.update(list, c.selfId);
  stage.update(list, c.selfId);
  people.update(list, c.selfId, c.host);
  $('participant-count').textContent = t('meeting.count', { n: list.length });
}

function onWaiting(c, list) {
  const before = new Set(people.waiting.map((p) => p.id));
  people.setWaiting(list);
  const fresh = people.waiting.filter((p) => !before.has(p.id)).map((p) => p.name);
  if (fresh.length) ui.notice('people.someoneWaits', { name: fresh.join(', ') });
}

function onMuted(c, m) {
  const kind = m.kind === 'video' ? 'video' : 'audio';
  const tr = c.local && c.local[kind];
  if (tr && tr.enabled) {
    tr.enabled = false;
    ui.setControl(kind === 'audio' ? 'ctl-mic' : 'ctl-cam', false, true);
    sendState(c);
  }
  ui.notice(kind === 'audio' ? 'meeting.muted' : 'meeting.camMuted', { by: m.by || '' });
}

function onError(c, m) {
  if (c.reconnecting && c.onResume) {
    c.onResume(m.fatal ? 'gone' : 'retry');
    return;
  }
  const key = ERROR_KEYS[m.code] || 'err.internal';
  if (m.fatal || !c.joined) {
    c.final = true;
    end(c);
    if (m.code === 'not_found') ui.showMessage('err.not_found', 'err.not_found.more');
    else ui.showMessage('err.heading', key, { key: 'err.retry', fn: () => rejoin(c.name) });
  } else {
    // Not fatal: the meeting goes on; say so without leaving it.
    ui.notice(key);
    console.warn('kamer:', m.code, m.message);
  }
}

/** A media connection failed or stayed disconnected: come back as after a dropped socket. */
function trouble(c) {
  if (c.ended || c.final || !c.joined) return;
  reconnect(c);
}

/**
 * The socket or the media dropped: keep the tiles, try to take the seat back with
 * `resume` for up to RESUME_WINDOW_MS, then publish and subscribe on new connections.
 */
async function reconnect(c) {
  if (c.reconnecting || c.ended || c.final) return;
  c.reconnecting = true;
  c.reconnects++;
  document.body.dataset.reconnecting = 'true';
  ui.notice('meeting.reconnecting', null, RESUME_WINDOW_MS);
  const old = c.signal;
  old.detach();
  old.close();
  for (const pc of [c.pub, c.sub]) if (pc) pc.close();
  c.pub = null;
  c.sub = null;
  c.onPubAnswer = null;
  grid.dropTracks();
  stage.dropRemote();
  const deadline = Date.now() + RESUME_WINDOW_MS;
  let outcome = 'retry';
  for (let attempt = 0; Date.now() < deadline && !c.ended; attempt++) {
    const sig = new Signal();
    try {
      await sig.connect(null, [], Math.max(1000, Math.min(5000, deadline - Date.now())));
    } catch {
      await sleep(RESUME_DELAYS_MS[Math.min(attempt, RESUME_DELAYS_MS.length - 1)]);
      continue;
    }
    if (c.ended) return sig.close();
    c.signal = sig;
    wire(c, sig);
    outcome = await new Promise((resolve) => {
      c.onResume = resolve;
      setTimeout(() => resolve('timeout'), RESUME_ANSWER_MS);
      sig.send({ type: 'join', ...target(), name: c.name, resume: c.resume });
    });
    c.onResume = null;
    if (outcome === 'ok') break;
    sig.detach();
    sig.close();
    if (outcome === 'gone') break;
    await sleep(RESUME_DELAYS_MS[Math.min(attempt, RESUME_DELAYS_MS.length - 1)]);
  }
  c.reconnecting = false;
  delete document.body.dataset.reconnecting;
  if (c.ended) return;
  if (outcome !== 'ok') {
    end(c);
    ui.showMessage('err.heading', 'err.lost', { key: 'left.rejoin', fn: () => rejoin(c.name) });
    return;
  }
  ui.notice('meeting.reconnected', null, 4000);
  publish(c); // onJoined ran while reconnecting and skipped it
}

function fail(c, key, e) {
  if (c.ended) return;
  if (e) console.error('kamer:', e);
  c.signal.send({ type: 'leave' });
  end(c);
  ui.showMessage('err.heading', key, { key: 'err.retry', fn: () => rejoin(c.name) });
}

/** removed or ended: the server closes the socket; nothing to come back to. */
function finish(c, heading) {
  c.final = true;
  end(c);
  ui.showMessage(heading, null, null);
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
  if (kind === 'audio' && tr.enabled) $('prompt').hidden = true;
  // Show it in your own tile at once; the roster that follows confirms it.
  const me = c.roster.find((p) => p.id === c.selfId);
  if (me) {
    me[kind] = tr.enabled;
    grid.update(c.roster, c.selfId);
    people.update(c.roster, c.selfId, c.host);
  }
  sendState(c);
}

function toggleHand() {
  const c = call;
  if (!c || !c.joined) return;
  c.hand = !c.hand;
  ui.setPressed('ctl-hand', c.hand);
  c.signal.send({ type: 'hand', raised: c.hand });
}

async function toggleScreen() {
  const c = call;
  if (!c || !c.joined) return;
  if (c.screen) {
    stopScreen(c);
    return;
  }
  const track = await getScreen();
  if (!track) return ui.notice('meeting.screenFailed');
  if (c.ended) return track.stop();
  c.screen = track;
  track.addEventListener('ended', () => { if (c.screen === track) stopScreen(c); });
  ui.setPressed('ctl-screen', true);
  stage.setLocal(track);
  publish(c);
}

function stopScreen(c) {
  const track = c.screen;
  c.screen = null;
  if (track) track.stop();
  ui.setPressed('ctl-screen', false);
  stage.setLocal(null);
  if (!c.ended) publish(c);
}

function togglePanel(which) {
  const panel = $(`panel-${which}`);
  const open = panel.hidden;
  panel.hidden = !open;
  ui.setPressed(`ctl-${which}`, open);
  if (which === 'chat') chat.setOpen(open);
  if (open) (which === 'chat' ? $('chat-input') : $('people-heading')).focus();
  document.body.classList.toggle('panel-open', !$('panel-people').hidden || !$('panel-chat').hidden);
}

function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
}

/** Tears one attempt down: socket, peer connections, camera, microphone, screen, chat. */
function end(c) {
  if (c.ended) return;
  c.ended = true;
  c.signal.close();
  if (c.pub) c.pub.close();
  if (c.sub) c.sub.close();
  stopLocalMedia(c.local);
  if (c.screen) c.screen.stop();
  grid.clear();
  stage.clear();
  chat.clear();
  people.clear();
  quality.stop();
  setLevel(null);
  $('prompt').hidden = true;
  ui.clearNotice();
  ui.setPressed('ctl-hand', false);
  ui.setPressed('ctl-screen', false);
  ui.setJoinBusy(false);
  ui.setJoinStatus(null);
  ui.setMeetingTitle('');
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
}

async function leave() {
  const c = call;
  if (!c || c.ended) return;
  c.final = true;
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

async function init() {
  initLang();
  // Text written from the roster follows a change of language too.
  onLangChange(() => {
    if (call && call.roster) $('participant-count').textContent = t('meeting.count', { n: call.roster.length });
  });
  ui.buildControls({
    'ctl-mic': () => toggle('audio'),
    'ctl-cam': () => toggle('video'),
    'ctl-screen': toggleScreen,
    'ctl-hand': toggleHand,
    'ctl-people': () => togglePanel('people'),
    'ctl-chat': () => togglePanel('chat'),
    'ctl-speaker': () => {
      const on = !document.body.classList.contains('speaker-view');
      document.body.classList.toggle('speaker-view', on);
      ui.setPressed('ctl-speaker', on);
    },
    'ctl-full': toggleFullscreen,
    'ctl-lock': () => call && call.signal.send({ type: 'lock', locked: !call.locked }),
    'ctl-end': () => $('end-dialog').showModal(),
    'ctl-leave': leave,
  });
  document.addEventListener('fullscreenchange', () => ui.setPressed('ctl-full', !!document.fullscreenElement));
  $('end-yes').addEventListener('click', () => {
    $('end-dialog').close();
    if (call) call.signal.send({ type: 'end' });
  });
  $('end-no').addEventListener('click', () => $('end-dialog').close());
  $('lobby-leave').addEventListener('click', leave);
  $('prompt-yes').addEventListener('click', () => {
    $('prompt').hidden = true;
    if (call && call.local && call.local.audio && !call.local.audio.enabled) toggle('audio');
  });
  $('prompt-no').addEventListener('click', () => { $('prompt').hidden = true; });
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
      call.final = true;
      call.signal.send({ type: 'leave' });
      end(call);
    }
  });
  ui.showView('join');
  $('name').focus();
  preview.start();
  // An account joins under its own name (the server uses it); show that name.
  const user = await me().catch(() => null);
  if (user) $('name').value = user.name || user.login || '';
}

init();
