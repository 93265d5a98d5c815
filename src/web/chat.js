// The meeting's chat: messages from `chat` frames, kept only in this page and only while
// the meeting lasts; a count of unread messages on the chat button while the panel is shut.

import { t, lang } from './i18n.js';

const $ = (id) => document.getElementById(id);
const MAX_BYTES = 2000;
const MAX_SHOWN = 500; // older lines leave the page

export class Chat {
  constructor(send, announce) {
    this.send = send; // (text) => void
    this.announce = announce;
    this.unread = 0;
    this.open = false;
    $('chat-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const input = $('chat-input');
      const text = input.value.trim();
      if (!text) return;
      if (new TextEncoder().encode(text).length > MAX_BYTES) {
        this.error('chat.err.long');
        return;
      }
      this.error(null);
      this.send(text);
      input.value = '';
    });
  }

  error(key) {
    const e = $('chat-error');
    e.hidden = !key;
    e.textContent = key ? t(key) : '';
  }

  /** One message from the server: { from, name, text, at }. */
  add(m, selfId) {
    if (!m || typeof m.text !== 'string') return;
    const log = $('chat-log');
    const li = document.createElement('li');
    li.dataset.from = String(m.from || '');
    if (m.from === selfId) li.className = 'mine';
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = String(m.name || '');
    const when = document.createElement('time');
    const at = new Date(Number(m.at) || Date.now());
    when.dateTime = at.toISOString();
    when.textContent = at.toLocaleTimeString(lang() === 'nl' ? 'nl-NL' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
    const text = document.createElement('p');
    text.textContent = m.text;
    li.append(who, ' ', when, text);
    log.append(li);
    while (log.children.length > MAX_SHOWN) log.firstChild.remove();
    log.scrollTop = log.scrollHeight;
    if (!this.open && m.from !== selfId) {
      this.unread++;
      this.badge();
      this.announce(t('chat.new', { name: m.name }));
    }
  }

  setOpen(open) {
    this.open = open;
    if (open) {
      this.unread = 0;
      this.badge();
    }
  }

  badge() {
    const b = $('chat-badge');
    b.hidden = !this.unread;
    b.textContent = this.unread ? t('chat.unread', { n: this.unread }) : '';
  }

  /** Nothing of the chat outlives the meeting. */
  clear() {
    $('chat-log').replaceChildren();
    this.unread = 0;
    this.badge();
    this.error(null);
  }
}
