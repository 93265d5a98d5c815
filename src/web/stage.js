// The shared screen, shown large above the tiles with the sharer's name. Others' screens
// come from the subscribe connection (source "screen"); your own is the local track.

import { t, onLangChange } from './i18n.js';
import { setSource } from './ui.js';

const $ = (id) => document.getElementById(id);

export class ScreenStage {
  constructor() {
    this.remote = new Map(); // participant id -> screen track
    this.local = null;
    this.roster = [];
    this.selfId = null;
    this.shown = null;
    onLangChange(() => this.render());
  }

  setTrack(pid, track) {
    for (const [id, tr] of this.remote) if (tr === track && id !== pid) this.remote.delete(id);
    this.remote.set(pid, track);
    if (!track.kamerStage) {
      track.kamerStage = true;
      track.addEventListener('ended', () => this.render());
    }
    this.render();
  }

  /** Forgets a track that now carries something else. */
  forget(track) {
    for (const [id, tr] of this.remote) if (tr === track) this.remote.delete(id);
  }

  setLocal(track) {
    this.local = track;
    this.render();
  }

  update(roster, selfId) {
    this.roster = roster;
    this.selfId = selfId;
    this.render();
  }

  dropRemote() {
    this.remote.clear();
    this.render();
  }

  clear() {
    this.remote.clear();
    this.local = null;
    this.roster = [];
    this.render();
  }

  /** Someone else's screen first (the roster says who shares); else your own. */
  render() {
    const sharer = this.roster.find((p) => p.screen && p.id !== this.selfId && this.remote.has(p.id) &&
      this.remote.get(p.id).readyState === 'live');
    const fig = $('screen-stage');
    const video = $('screen-video');
    let track = null;
    let caption = '';
    if (sharer) {
      track = this.remote.get(sharer.id);
      caption = t('tile.screen', { name: sharer.name });
      fig.dataset.screen = sharer.id;
    } else if (this.local && this.local.readyState === 'live') {
      track = this.local;
      caption = t('tile.you.screen');
      fig.dataset.screen = this.selfId || '';
    } else {
      delete fig.dataset.screen;
    }
    setSource(video, track);
    video.setAttribute('aria-label', caption);
    $('screen-caption').textContent = caption;
    fig.hidden = !track;
    document.body.classList.toggle('sharing', !!track);
  }
}
