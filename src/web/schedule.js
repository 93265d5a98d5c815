// My meetings (/meetings): list, plan, edit and cancel meetings; invite by user name or
// e-mail, revoke a personal link, download the iCalendar invitation (docs/API.md).

import { initLang, onLangChange, t, lang } from './i18n.js';
import { api, errorText } from './api.js';
import { initNav } from './nav.js';

const $ = (id) => document.getElementById(id);
const HOUR = 3600;
let meetings = [];
let editing = null; // the id of the meeting in the form, or null for a new one
let status = null;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

function button(key, cls, fn, aria) {
  const b = el('button', `button ${cls}`, t(key));
  b.type = 'button';
  if (aria) b.setAttribute('aria-label', aria);
  b.addEventListener('click', fn);
  return b;
}

function setStatus(key, vars) {
  status = key ? { key, vars } : null;
  $('sched-status').textContent = key ? t(key, vars) : '';
}

function setFormError(key, vars) {
  const e = $('form-error');
  e.hidden = !key;
  e.textContent = key ? t(key, vars) : '';
}

const fmt = (s) => new Intl.DateTimeFormat(lang() === 'nl' ? 'nl-NL' : 'en-GB',
  { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(s * 1000));

/** Unix seconds to the value of an <input type="datetime-local">, in local time. */
function toLocalInput(s) {
  const d = new Date(s * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

const fromLocalInput = (v) => (v ? Math.floor(new Date(v).getTime() / 1000) : NaN);

const inviteeText = (i) => i.user || i.email || '';

function parseInvitees(text) {
  return text.split(/[\n,;]+/).map((s) => s.trim()).filter(Boolean)
    .map((s) => (s.includes('@') ? { email: s } : { user: s }));
}

async function load() {
  setStatus('sched.loading');
  const r = await api('GET', '/api/v1/meetings');
  if (r.status === 401) {
    setStatus('sched.login');
    $('sched-login').hidden = false;
    $('sched-editor').hidden = true;
    document.body.dataset.ready = 'out';
    return;
  }
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.meetings)) {
    setStatus(r.status ? 'sched.err.server' : 'sched.err.network', { msg: errorText(r) });
    return;
  }
  meetings = r.body.meetings.sort((a, b) => (a.start || 0) - (b.start || 0));
  setStatus(meetings.length ? null : 'sched.none');
  $('sched-editor').hidden = false;
  render();
  document.body.dataset.ready = 'in';
}

function render() {
  const list = $('sched-list');
  list.replaceChildren();
  for (const m of meetings) list.append(item(m));
}

function item(m) {
  const host = m.role === 'host';
  const li = el('li', 'meeting-item');
  li.dataset.meetingId = m.id;
  const h = el('h2', 'meeting-name', m.title);
  const meta = el('p', 'meta');
  if (m.start && m.end) meta.append(el('span', null, t('sched.when', { start: fmt(m.start), end: fmt(m.end) })));
  const lvl = el('span', `level-badge level-${m.level}`, t(`level.${m.level}`));
  meta.append(lvl, el('span', null, t(host ? 'sched.host' : 'sched.invited')));
  li.append(h, meta);
  if (Array.isArray(m.invitees) && m.invitees.length) {
    li.append(el('p', 'invitees', `${t('sched.f.invitees')}: ${m.invitees.map(inviteeText).join(', ')}`));
  }
  const actions = el('div', 'actions');
  const join = el('a', 'button primary', t('sched.a.join'));
  join.href = `/m/${encodeURIComponent(m.id)}`;
  join.setAttribute('aria-label', `${t('sched.a.join')}: ${m.title}`);
  const ics = el('a', 'button secondary', t('sched.a.ics'));
  ics.href = `/api/v1/meetings/${encodeURIComponent(m.id)}/ics`;
  ics.download = 'kamer.ics';
  ics.setAttribute('aria-label', `${t('sched.a.ics')}: ${m.title}`);
  actions.append(join, ics);
  if (host) {
    actions.append(button('sched.a.edit', 'secondary', () => edit(m), `${t('sched.a.edit')}: ${m.title}`));
    const cancel = button('sched.a.cancel', 'danger', () => {
      if (cancel.dataset.armed) return cancelMeeting(m);
      cancel.dataset.armed = '1';
      cancel.textContent = t('sched.a.cancel.confirm', { title: m.title });
    }, null);
    actions.append(cancel);
  }
  li.append(actions);
  if (host) li.append(invitations(m));
  return li;
}

function invitations(m) {
  const box = el('div', 'invitations');
  const invs = Array.isArray(m.invitations) ? m.invitations : [];
  if (invs.length) {
    box.append(el('h3', null, t('sched.invitations')));
    const ul = el('ul');
    for (const inv of invs) {
      const li = el('li');
      li.dataset.invitationId = inv.id;
      const who = inviteeText(inv);
      const link = el('a', null, who || inv.url);
      link.href = inv.url;
      const ics = el('a', null, t('sched.a.ics'));
      ics.href = `/api/v1/meetings/${encodeURIComponent(m.id)}/invitations/${encodeURIComponent(inv.id)}/ics`;
      ics.download = 'invitation.ics';
      ics.setAttribute('aria-label', `${t('sched.a.ics')}: ${who}`);
      li.append(link, ' ', ics, ' ',
        button('sched.a.revoke', 'secondary small', () => revoke(m, inv), `${t('sched.a.revoke')}: ${who}`));
      ul.append(li);
    }
    box.append(ul);
  }
  const form = el('form', 'invite');
  const id = `invite-${m.id}`;
  const label = el('label', null, t('sched.invite.label'));
  label.htmlFor = id;
  const input = el('input');
  input.type = 'text';
  input.id = id;
  input.autocomplete = 'off';
  input.spellcheck = false;
  const submit = el('button', 'button secondary small', t('sched.a.invite'));
  submit.type = 'submit';
  form.append(label, input, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = input.value.trim();
    if (!v) return;
    const [body] = parseInvitees(v);
    const r = await api('POST', `/api/v1/meetings/${encodeURIComponent(m.id)}/invitations`, body);
    if (r.status !== 201) return setStatus('sched.err.server', { msg: errorText(r) });
    setStatus('sched.saved');
    await load();
  });
  box.append(form);
  return box;
}

async function revoke(m, inv) {
  const r = await api('DELETE', `/api/v1/meetings/${encodeURIComponent(m.id)}/invitations/${encodeURIComponent(inv.id)}`);
  if (r.status !== 204) return setStatus('sched.err.server', { msg: errorText(r) });
  setStatus('sched.saved');
  await load();
}

async function cancelMeeting(m) {
  const r = await api('DELETE', `/api/v1/meetings/${encodeURIComponent(m.id)}`);
  if (r.status !== 204) return setStatus('sched.err.server', { msg: errorText(r) });
  await load();
  setStatus('sched.cancelled');
}

function resetForm() {
  editing = null;
  const start = Math.ceil(Date.now() / 1000 / HOUR) * HOUR;
  $('f-title').value = '';
  $('f-start').value = toLocalInput(start);
  $('f-end').value = toLocalInput(start + HOUR);
  $('f-level').value = 'depv';
  $('f-lobby').checked = true;
  $('f-guests').checked = false;
  $('f-invitees').value = '';
  labelForm();
  setFormError(null);
}

function labelForm() {
  $('form-heading').textContent = t(editing ? 'sched.edit' : 'sched.new');
  $('f-submit').textContent = t(editing ? 'sched.save' : 'sched.create');
  $('f-cancel').hidden = !editing;
}

function edit(m) {
  editing = m.id;
  $('f-title').value = m.title || '';
  if (m.start) $('f-start').value = toLocalInput(m.start);
  if (m.end) $('f-end').value = toLocalInput(m.end);
  $('f-level').value = m.level || 'depv';
  $('f-lobby').checked = !!m.lobby;
  $('f-guests').checked = !!m.guests;
  $('f-invitees').value = (m.invitees || []).map(inviteeText).join('\n');
  labelForm();
  setFormError(null);
  $('form-heading').focus();
}

async function save(ev) {
  ev.preventDefault();
  const title = $('f-title').value.trim();
  const n = new TextEncoder().encode(title).length;
  if (n < 1 || n > 200) {
    setFormError('sched.err.title');
    return $('f-title').focus();
  }
  const start = fromLocalInput($('f-start').value);
  const end = fromLocalInput($('f-end').value);
  if (!(end > start)) {
    setFormError('sched.err.time');
    return $('f-end').focus();
  }
  const body = { title, start, end, level: $('f-level').value, lobby: $('f-lobby').checked,
    guests: $('f-guests').checked, invitees: parseInvitees($('f-invitees').value) };
  $('f-submit').disabled = true;
  const r = editing
    ? await api('PATCH', `/api/v1/meetings/${encodeURIComponent(editing)}`, body)
    : await api('POST', '/api/v1/meetings', body);
  $('f-submit').disabled = false;
  if (r.status !== 200 && r.status !== 201) {
    setFormError('sched.err.server', { msg: errorText(r) });
    return;
  }
  const was = editing;
  resetForm();
  await load();
  setStatus(was ? 'sched.saved' : 'sched.created');
}

async function init() {
  initLang();
  onLangChange(() => {
    if (status) setStatus(status.key, status.vars);
    labelForm();
    render();
  });
  $('sched-form').addEventListener('submit', save);
  $('f-cancel').addEventListener('click', resetForm);
  resetForm();
  await initNav();
  await load();
}

init();
