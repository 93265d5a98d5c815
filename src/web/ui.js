// The meeting page's DOM: the three views, the tile grid (one tile per participant,
// with its tracks) and the controls. Untrusted text (names, titles) goes in through
// textContent only.

import { t, onLangChange } from './i18n.js';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';

/* ---- icons: small stroked SVGs, drawn with currentColor by style.css ---- */

const ICONS = {
  mic: [['rect', { x: 9, y: 3, width: 6, height: 11, rx: 3 }], ['path', { d: 'M5 11a7 7 0 0 0 14 0M12 18v3M9 21h6' }]],
  cam: [['rect', { x: 3, y: 7, width: 12, height: 10, rx: 2 }], ['path', { d: 'M15 10.5l6-3.5v10l-6-3.5z' }]],
  slash: [['path', { d: 'M4 3l17 18' }]],
  leave: [['path', { d: 'M10 4H5v16h5M14 8l4 4-4 4M18 12H9' }]],
  screen: [['rect', { x: 3, y: 4, width: 18, height: 12, rx: 1 }], ['path', { d: 'M8 20h8M12 16v4M12 13V7M9 10l3-3 3 3' }]],
  hand: [['path', { d: 'M7 11V6a1.5 1.5 0 0 1 3 0v4M10 10V4.5a1.5 1.5 0 0 1 3 0V10M13 10V5.5a1.5 1.5 0 0 1 3 0V12M16 11.5a1.5 1.5 0 0 1 3 0V15a6 6 0 0 1-6 6h-1a6 6 0 0 1-5-2.7L4.5 14a1.5 1.5 0 0 1 2.5-1.7L7 13' }]],
  people: [['circle', { cx: 9, cy: 8, r: 3 }], ['path', { d: 'M3 20a6 6 0 0 1 12 0M16 5a3 3 0 0 1 0 6M18 14a5 5 0 0 1 3 6' }]],
  chat: [['path', { d: 'M4 5h16v11H9l-5 4z' }]],
  full: [['path', { d: 'M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5' }]],
  speaker: [['rect', { x: 3, y: 4, width: 13, height: 10, rx: 1 }], ['rect', { x: 14, y: 15, width: 7, height: 5, rx: 1 }]],
  lock: [['rect', { x: 5, y: 11, width: 14, height: 9, rx: 1 }], ['path', { d: 'M8 11V8a4 4 0 0 1 8 0v3' }]],
  end: [['path', { d: 'M3 14c5-5 13-5 18 0l-3 3-3-2v-2a9 9 0 0 0-6 0v2l-3 2z' }]],
};

export function icon(...names) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'icon');
  for (const n of names) {
    for (const [tag, attrs] of ICONS[n]) {
      const el = document.createElementNS(SVG, tag);
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
      svg.append(el);
    }
  }
  return svg;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

function initials(name) {
  // Letters and digits only, and no remarks in brackets: "Hanna (host)" is "H", not "H(".
  const words = String(name).replace(/\([^)]*\)/g, ' ').trim().split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+/u, '')).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((w) => Array.from(w)[0] || '').join('').toUpperCase() || '?';
}

/* ---- views ---- */

const VIEWS = ['join', 'lobby', 'meeting', 'message'];

export function showView(name) {
  for (const v of VIEWS) $(`view-${v}`).hidden = v !== name;
  document.body.dataset.view = name;
}

let statusState = null; // { key, vars } so a language change re-labels it

export function setJoinStatus(key, vars) {
  statusState = key ? { key, vars } : null;
  $('join-status').textContent = key ? t(key, vars) : '';
}

export function setJoinBusy(busy) {
  $('join-button').disabled = busy;
  $('name').readOnly = busy;
  $('join-form').setAttribute('aria-busy', String(busy));
}

export function setNameError(key) {
  const e = $('name-error');
  e.hidden = !key;
  e.dataset.i18n = key || '';
  e.textContent = key ? t(key) : '';
  $('name').setAttribute('aria-invalid', String(!!key));
  if (key) $('name').focus();
}

let messageState = null;

/**
 * The message view: heading and text keys, and an optional action button
 * ({ key, fn }). The link to the start page is always there.
 */
export function showMessage(headingKey, textKey, action) {
  messageState = { headingKey, textKey, action };
  renderMessage();
  showView('message');
  const btn = $('message-action');
  (btn.hidden ? $('message-heading') : btn).focus();
}

function renderMessage() {
  if (!messageState) return;
  const { headingKey, textKey, action } = messageState;
  $('message-heading').textContent = t(headingKey);
  const p = $('message-text');
  p.textContent = textKey ? t(textKey) : '';
  p.hidden = !textKey;
  const btn = $('message-action');
  btn.hidden = !action;
  if (action) {
    btn.textContent = t(action.key);
    btn.onclick = action.fn;
  }
}

let title = '';

export function setMeetingTitle(s) {
  title = s || '';
  $('meeting-title').textContent = title;
  document.title = title ? `${title} — kamer` : t('join.title');
}

/** A polite announcement for screen readers (someone joined or left). */
export function announce(text) {
  const a = $('announcer');
  a.textContent = '';
  // A separate task so that the same text twice is still announced.
  setTimeout(() => { a.textContent = text; }, 50);
}

let noticeState = null;
let noticeTimer = 0;

/** A short visible notice in the meeting (and read out): a device missing, a refused request. */
export function notice(key, vars, ms = 10000) {
  noticeState = { key, vars };
  const n = $('notice');
  n.textContent = t(key, vars);
  n.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(clearNotice, ms);
}

export function clearNotice() {
  clearTimeout(noticeTimer);
  noticeState = null;
  const n = $('notice');
  n.hidden = true;
  n.textContent = '';
}

/* ---- controls ---- */

/** Gives each control its icon and its handler: handlers maps a control's id to a function. */
export function buildControls(handlers) {
  const icons = { 'ctl-mic': [icon('mic'), icon('mic', 'slash')], 'ctl-cam': [icon('cam'), icon('cam', 'slash')],
    'ctl-screen': [icon('screen')], 'ctl-hand': [icon('hand')], 'ctl-people': [icon('people')],
    'ctl-chat': [icon('chat')], 'ctl-speaker': [icon('speaker')], 'ctl-full': [icon('full')],
    'ctl-lock': [icon('lock')], 'ctl-end': [icon('end')], 'ctl-leave': [icon('leave')] };
  for (const [id, fn] of Object.entries(handlers)) {
    const b = $(id);
    if (icons[id]) b.prepend(...icons[id]);
    b.addEventListener('click', fn);
  }
}

/** A plain on/off control (screen, hand, panels): pressed when on. */
export function setPressed(id, on) {
  $(id).setAttribute('aria-pressed', String(!!on));
}

/** A toggle is pressed when the device is off; without the device it is off and disabled. */
export function setControl(id, on, available) {
  const b = $(id);
  b.setAttribute('aria-pressed', String(!on));
  b.disabled = !available;
}

/* ---- the tile grid ---- */

export class TileGrid {
  constructor(list) {
    this.list = list;
    this.tiles = new Map(); // participant id -> tile parts
    this.tracks = new Map(); // participant id -> { audio, video } MediaStreamTracks
    this.localVideo = null;
    this.selfId = null;
    this.roster = [];
    this.speaker = null;
    onLangChange(() => {
      for (const [, tile] of this.tiles) this.label(tile);
    });
  }

  /** Draws one tile per roster entry, in roster order with yourself first. */
  update(roster, selfId) {
    this.selfId = selfId;
    this.roster = roster;
    const ids = new Set(roster.map((p) => p.id));
    for (const [id, tile] of this.tiles) {
      if (!ids.has(id)) {
        this.detach(tile);
        tile.li.remove();
        this.tiles.delete(id);
        this.tracks.delete(id);
      }
    }
    const ordered = [...roster].sort((a, b) => (b.id === selfId) - (a.id === selfId));
    let prev = null;
    for (const p of ordered) {
      let tile = this.tiles.get(p.id);
      if (!tile) {
        tile = this.create(p.id, p.id === selfId);
        this.tiles.set(p.id, tile);
      }
      tile.p = p;
      this.label(tile);
      tile.li.dataset.audio = p.audio ? 'on' : 'off';
      tile.li.dataset.video = p.video ? 'on' : 'off';
      tile.li.dataset.kind = p.kind || 'guest';
      setFlag(tile.li, 'hand', p.hand);
      setFlag(tile.li, 'reconnecting', p.reconnecting);
      setFlag(tile.li, 'screen', p.screen);
      setFlag(tile.li, 'speaking', p.id === this.speaker);
      this.attach(tile);
      // Keep DOM order equal to roster order without moving tiles that are in place
      // (moving a playing <video> can pause it).
      const want = prev ? prev.li.nextSibling : this.list.firstChild;
      if (want !== tile.li) this.list.insertBefore(tile.li, want);
      prev = tile;
    }
    this.list.dataset.count = ordered.length <= 12 ? String(ordered.length) : 'many';
  }

  create(id, self) {
    // The <li> fills its grid cell; the frame inside keeps 4:3 at the largest size that fits.
    const li = el('li', 'tile');
    li.dataset.participantId = id;
    if (self) li.dataset.self = 'true';
    const frame = el('div', 'frame');
    li.append(frame);
    const video = el('video', self ? 'mirror' : '');
    video.autoplay = true;
    video.playsInline = true;
    video.muted = true; // sound plays through the <audio> element; your own never plays
    video.setAttribute('playsinline', '');
    const avatar = el('div', 'avatar');
    avatar.setAttribute('aria-hidden', 'true');
    const plate = el('div', 'nameplate');
    const name = el('span', 'name');
    const micInd = el('span', 'ind ind-mic');
    micInd.append(icon('mic', 'slash'), el('span', 'visually-hidden'));
    const camInd = el('span', 'ind ind-cam');
    camInd.append(icon('cam', 'slash'), el('span', 'visually-hidden'));
    const kind = el('span', 'kind');
    const handInd = el('span', 'ind ind-hand');
    handInd.append(icon('hand'), el('span', 'visually-hidden'));
    plate.append(name, kind, handInd, micInd, camInd);
    const recon = el('div', 'reconnecting');
    recon.setAttribute('aria-hidden', 'true');
    frame.append(video, avatar, plate, recon);
    let audio = null;
    if (!self) {
      audio = el('audio');
      audio.autoplay = true;
      frame.append(audio);
    }
    for (const ev of ['loadeddata', 'playing']) video.addEventListener(ev, () => this.refreshVideo(tile));
    const tile = { id, self, li, video, audio, avatar, name, kind, handInd, recon, micInd, camInd, p: null };
    return tile;
  }

  label(tile) {
    const p = tile.p;
    if (!p) return;
    tile.name.textContent = tile.self ? t('tile.you', { name: p.name }) : p.name;
    // S4: everyone sees what kind of participant each one is.
    tile.kind.textContent = t(`kind.${KINDS.includes(p.kind) ? p.kind : 'guest'}`) + (p.role === 'host' ? ` · ${t('role.host')}` : '');
    tile.handInd.hidden = !p.hand;
    tile.handInd.lastChild.textContent = t('tile.hand');
    tile.handInd.title = t('tile.hand');
    tile.recon.textContent = p.reconnecting ? t('tile.reconnecting') : '';
    tile.avatar.textContent = initials(p.name);
    tile.micInd.lastChild.textContent = t('tile.micOff');
    tile.camInd.lastChild.textContent = t('tile.camOff');
    tile.micInd.hidden = !!p.audio;
    tile.camInd.hidden = !!p.video;
    tile.micInd.title = t('tile.micOff');
    tile.camInd.title = t('tile.camOff');
    tile.video.setAttribute('aria-label', t('tile.video', { name: p.name }));
  }

  /** Marks whoever the server says is speaking (null: nobody). */
  setSpeaker(id) {
    this.speaker = id;
    for (const [pid, tile] of this.tiles) setFlag(tile.li, 'speaking', pid === id);
  }

  /** Your own camera, shown (muted) in your own tile. */
  setLocalVideo(track) {
    this.localVideo = track;
    const tile = this.selfId && this.tiles.get(this.selfId);
    if (tile) this.attach(tile);
  }

  /** A received track; a transceiver's track may move from one participant to another. */
  setTrack(pid, track) {
    for (const [id, rec] of this.tracks) {
      if (id !== pid && rec[track.kind] === track) {
        rec[track.kind] = null;
        const old = this.tiles.get(id);
        if (old) this.attach(old);
      }
    }
    const rec = this.tracks.get(pid) || { audio: null, video: null };
    rec[track.kind] = track;
    this.tracks.set(pid, rec);
    if (!track.kamerWatched) {
      track.kamerWatched = true;
      const refresh = () => {
        for (const [id, r] of this.tracks) {
          if (r.audio === track || r.video === track) {
            if (track.readyState === 'ended') r[track.kind] = null;
            const tile = this.tiles.get(id);
            if (tile) this.attach(tile);
          }
        }
      };
      track.addEventListener('ended', refresh);
      track.addEventListener('mute', refresh);
      track.addEventListener('unmute', refresh);
    }
    const tile = this.tiles.get(pid);
    if (tile) this.attach(tile);
  }

  attach(tile) {
    const rec = this.tracks.get(tile.id) || {};
    const v = tile.self ? this.localVideo : rec.video;
    setSource(tile.video, v && v.readyState !== 'ended' ? v : null);
    if (tile.audio) setSource(tile.audio, rec.audio && rec.audio.readyState !== 'ended' ? rec.audio : null);
    this.refreshVideo(tile);
  }

  /** The picture shows when the camera is on and frames arrive; otherwise the initials. */
  refreshVideo(tile) {
    const src = tile.video.srcObject;
    const track = src && src.getVideoTracks()[0];
    const live = !!track && track.readyState === 'live' && !track.muted && track.enabled !== false;
    const showing = live && (!tile.p || tile.p.video) && tile.video.readyState >= 2;
    tile.li.classList.toggle('has-video', showing);
  }

  detach(tile) {
    setSource(tile.video, null);
    if (tile.audio) setSource(tile.audio, null);
  }

  /** Takes a track off every tile (it now carries a screen). */
  forget(track) {
    for (const [id, rec] of this.tracks) {
      if (rec[track.kind] === track) {
        rec[track.kind] = null;
        const tile = this.tiles.get(id);
        if (tile) this.attach(tile);
      }
    }
  }

  /** Drops every received track (a reconnect brings new ones) but keeps the tiles. */
  dropTracks() {
    this.tracks.clear();
    for (const [, tile] of this.tiles) this.attach(tile);
  }

  clear() {
    this.speaker = null;
    for (const [, tile] of this.tiles) this.detach(tile);
    this.tiles.clear();
    this.tracks.clear();
    this.localVideo = null;
    this.list.replaceChildren();
    this.list.dataset.count = '0';
  }
}

/** Starts media that the browser's autoplay policy held back; call from a user gesture. */
export function resumePlayback() {
  for (const m of document.querySelectorAll('.tile video, .tile audio')) {
    if (m.srcObject && m.paused) m.play().catch(() => {});
  }
}

const KINDS = ['account', 'guest', 'phone', 'recorder'];

function setFlag(node, name, on) {
  if (on) node.dataset[name] = 'true';
  else delete node.dataset[name];
}

export function setSource(media, track) {
  const cur = media.srcObject;
  const curTrack = cur && cur.getTracks()[0];
  if (curTrack === (track || undefined) || (!cur && !track)) return;
  media.srcObject = track ? new MediaStream([track]) : null;
  if (track) {
    const p = media.play();
    if (p) p.catch(() => { /* autoplay refused; the next user gesture retries */ });
  }
}

/** Re-labels the parts of the page that ui.js wrote. */
onLangChange(() => {
  if (statusState) $('join-status').textContent = t(statusState.key, statusState.vars);
  const e = $('name-error');
  if (e && !e.hidden && e.dataset.i18n) e.textContent = t(e.dataset.i18n);
  renderMessage();
  if (noticeState) $('notice').textContent = t(noticeState.key, noticeState.vars);
  if (!title) document.title = t('join.title');
});
