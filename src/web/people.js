// The participants panel: everyone on the roster with their kind (S4), role, microphone,
// camera, hand and connection; for hosts, who waits in the lobby (admit, deny) and the
// per-person controls (ask to unmute, mute, camera off, remove).

import { t, onLangChange } from './i18n.js';

const $ = (id) => document.getElementById(id);
const KINDS = ['account', 'guest', 'phone', 'recorder'];

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

export class People {
  constructor(act) {
    this.act = act; // (message) => void: sends a host command
    this.roster = [];
    this.waiting = [];
    this.selfId = null;
    this.host = false;
    onLangChange(() => this.render());
  }

  update(roster, selfId, host) {
    this.roster = roster;
    this.selfId = selfId;
    this.host = host;
    this.render();
  }

  setWaiting(list) {
    this.waiting = Array.isArray(list) ? list.filter((p) => p && typeof p.id === 'string') : [];
    this.render();
  }

  button(key, ariaKey, name, msg, cls = 'secondary') {
    const b = el('button', `button small ${cls}`, t(key));
    b.type = 'button';
    b.setAttribute('aria-label', t(ariaKey, { name }));
    b.dataset.action = msg.type + (msg.kind ? `-${msg.kind}` : '');
    b.addEventListener('click', () => this.act(msg));
    return b;
  }

  render() {
    const wl = $('waiting-list');
    wl.replaceChildren();
    for (const p of this.waiting) {
      const li = el('li', 'person');
      li.dataset.waitingId = p.id;
      li.append(el('span', 'pname', p.name), el('span', 'pkind', t(`kind.${KINDS.includes(p.kind) ? p.kind : 'guest'}`)));
      const acts = el('span', 'pacts');
      acts.append(this.button('people.admit', 'people.admit.aria', p.name, { type: 'admit', participant: p.id }, 'primary'),
        this.button('people.deny', 'people.deny.aria', p.name, { type: 'deny', participant: p.id }));
      li.append(acts);
      wl.append(li);
    }
    $('waiting-box').hidden = !this.host || this.waiting.length === 0;
    const badge = $('waiting-badge');
    badge.hidden = !this.host || this.waiting.length === 0;
    badge.textContent = String(this.waiting.length);

    const pl = $('people-list');
    pl.replaceChildren();
    for (const p of this.roster) {
      const li = el('li', 'person');
      li.dataset.personId = p.id;
      const me = p.id === this.selfId;
      li.append(el('span', 'pname', me ? t('tile.you', { name: p.name }) : p.name));
      const facts = [t(`kind.${KINDS.includes(p.kind) ? p.kind : 'guest'}`)];
      if (p.role === 'host') facts.push(t('role.host'));
      if (!p.audio) facts.push(t('tile.micOff'));
      if (!p.video) facts.push(t('tile.camOff'));
      if (p.hand) facts.push(t('tile.hand'));
      if (p.reconnecting) facts.push(t('tile.reconnecting'));
      li.append(el('span', 'pkind', facts.join(' · ')));
      if (this.host && !me) {
        const acts = el('span', 'pacts');
        if (p.audio) acts.append(this.button('people.mute', 'people.mute.aria', p.name, { type: 'mute', participant: p.id, kind: 'audio' }));
        else acts.append(this.button('people.ask', 'people.ask.aria', p.name, { type: 'ask_unmute', participant: p.id }));
        if (p.video) acts.append(this.button('people.camoff', 'people.camoff.aria', p.name, { type: 'mute', participant: p.id, kind: 'video' }));
        acts.append(this.button('people.remove', 'people.remove.aria', p.name, { type: 'remove', participant: p.id }, 'danger'));
        li.append(acts);
      }
      pl.append(li);
    }
  }

  clear() {
    this.roster = [];
    this.waiting = [];
    this.render();
  }
}
