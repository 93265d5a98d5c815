// The classification banner (S6): every participant sees the meeting's level, by its full
// name, coloured by level, at the top of the page. Nothing is shown before `joined` (S5).

import { t, onLangChange } from './i18n.js';

export const LEVELS = ['ongerubriceerd', 'depv', 'stg-confidentieel', 'stg-geheim', 'stg-zeer-geheim'];
const $ = (id) => document.getElementById(id);
let level = null;

function render() {
  const b = $('banner');
  b.hidden = !level;
  for (const l of LEVELS) b.classList.toggle(`level-${l}`, l === level);
  b.dataset.level = level || '';
  b.classList.toggle('level-unknown', !!level && !LEVELS.includes(level));
  $('banner-level').textContent = !level ? '' : LEVELS.includes(level) ? t(`level.${level}`) : level;
}

/** Shows the level; an unknown one shows as it came, never as nothing. */
export function setLevel(l) {
  level = l == null ? null : String(l);
  render();
}

onLangChange(render);
