#!/usr/bin/env node
// Checks the web client's source without a browser: the files the build embeds, the CSP
// kamerd sends (no inline script or style, nothing from another origin: S9), no HTML
// built from strings, and both languages complete.
//   node scripts/e2e-static-check.mjs        prints the problems; exits 1 if there are any
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const WEB_FILES = ['index.html', 'meeting.html', '404.html', 'style.css', 'app.js', 'home.js',
  'i18n.js', 'signal.js', 'media.js', 'ui.js', 'api.js', 'nav.js', 'login.html', 'login.js', 'setup.html',
  'setup.js', 'meetings.html', 'schedule.js', 'preview.js', 'stage.js', 'banner.js', 'chat.js', 'people.js',
  'quality.js'];
// The pages kamerd routes to the HTML files (docs/API.md "Pages").
const PAGES = ['/login', '/setup', '/meetings'];

// A namespace name is not a request.
const ALLOWED_URLS = new Set(['http://www.w3.org/2000/svg']);

export function checkWeb(dir = fileURLToPath(new URL('../src/web/', import.meta.url))) {
  const problems = [];
  const src = {};
  for (const f of WEB_FILES) {
    try {
      src[f] = readFileSync(dir + f, 'utf8');
    } catch {
      problems.push(`${f}: missing`);
    }
  }
  for (const f of readdirSync(dir)) {
    if (!WEB_FILES.includes(f)) problems.push(`${f}: not embedded by the build (meson.build lists the web files)`);
  }
  const served = new Set(['/', ...PAGES, ...WEB_FILES.filter((f) => f !== '404.html').map((f) => `/${f}`)]);

  for (const [f, text] of Object.entries(src)) {
    // Anything that looks like //host.name, with or without a scheme.
    for (const m of text.matchAll(/(?:[a-z]+:)?\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s'"`)<>]*/gi)) {
      if (!ALLOWED_URLS.has(m[0])) problems.push(`${f}: refers to another origin: ${m[0]}`);
    }
    if (f.endsWith('.html')) {
      for (const m of text.matchAll(/<script\b([^>]*)>/gi)) {
        if (!/\bsrc=/.test(m[1])) problems.push(`${f}: inline <script> (the CSP blocks it)`);
        else if (!/\btype="module"/.test(m[1])) problems.push(`${f}: <script> that is not a module`);
      }
      if (/<style\b/i.test(text)) problems.push(`${f}: <style> block (the CSP blocks it)`);
      if (/\sstyle\s*=/i.test(text)) problems.push(`${f}: style attribute (the CSP blocks it)`);
      if (/\son[a-z]+\s*=/i.test(text)) problems.push(`${f}: inline event handler (the CSP blocks it)`);
      if (!/<html lang="[a-z]{2}">/.test(text)) problems.push(`${f}: <html> without lang`);
      if (!/<meta name="viewport"/.test(text)) problems.push(`${f}: no viewport meta`);
      for (const m of text.matchAll(/\s(?:src|href)="([^"]*)"/g)) {
        const u = m[1].replace(/\?.*$/, '');
        if (u.startsWith('data:')) continue;
        // Pages are served at /m/<id> too, so every reference is absolute.
        if (!u.startsWith('/')) problems.push(`${f}: relative reference ${u} (breaks under /m/<id>)`);
        else if (!served.has(u)) problems.push(`${f}: refers to ${u}, which kamerd does not serve`);
      }
    }
    if (f.endsWith('.css')) {
      if (/@import/.test(text)) problems.push(`${f}: @import`);
      for (const m of text.matchAll(/url\(\s*['"]?([^'")]*)/g)) {
        if (!m[1].startsWith('data:')) problems.push(`${f}: url(${m[1]})`);
      }
      if (/@font-face/.test(text)) problems.push(`${f}: web font (system fonts only)`);
    }
    if (f.endsWith('.js')) {
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
      for (const [re, why] of [
        [/\.(?:innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/, 'builds HTML from strings (use textContent)'],
        [/\beval\s*\(|new\s+Function\s*\(/, 'eval'],
        [/setAttribute\(\s*['"]style['"]/, 'sets a style attribute (the CSP blocks it)'],
        [/\.style\.|\.cssText/, 'sets inline style (use classes)'],
        [/\bimport\s*\(/, 'dynamic import'],
      ]) {
        if (re.test(code)) problems.push(`${f}: ${why}`);
      }
      for (const m of code.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g)) {
        const target = m[1].replace(/^\.\//, '');
        if (!m[1].startsWith('./') || !WEB_FILES.includes(target)) problems.push(`${f}: imports ${m[1]}`);
      }
    }
  }

  // Both languages have every string, and every key the pages use exists.
  const i18n = src['i18n.js'] || '';
  const block = (lang) => {
    const m = i18n.match(new RegExp(`\\n  ${lang}: \\{([\\s\\S]*?)\\n  \\},`));
    return new Set(m ? [...m[1].matchAll(/^\s*'([\w.-]+)':/gm)].map((x) => x[1]) : []);
  };
  const en = block('en');
  const nl = block('nl');
  if (en.size === 0) problems.push('i18n.js: no English strings found');
  for (const k of en) if (!nl.has(k)) problems.push(`i18n.js: '${k}' has no Dutch text`);
  for (const k of nl) if (!en.has(k)) problems.push(`i18n.js: '${k}' has no English text`);
  for (const [f, text] of Object.entries(src)) {
    const used = [];
    if (f.endsWith('.html')) {
      for (const m of text.matchAll(/data-i18n(?:-aria)?="([^"]+)"/g)) used.push(m[1]);
    }
    if (f.endsWith('.js') && f !== 'i18n.js') {
      for (const m of text.matchAll(/\b(?:t|setJoinStatus|setNameError|setError|showMessage)\(\s*'([\w.]+)'/g)) used.push(m[1]);
      for (const m of text.matchAll(/\bkey:\s*'([\w.]+)'/g)) used.push(m[1]);
      for (const m of text.matchAll(/'((?:err|status|home|join|left|ctl|tile|meeting|login|setup|sched|level|lobby|kind|role|people|chat|quality|ended|removed|nav)\.[\w.]+)'/g)) used.push(m[1]);
    }
    for (const k of used) if (!en.has(k)) problems.push(`${f}: unknown string key '${k}'`);
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = checkWeb();
  for (const p of problems) console.log(p);
  console.log(problems.length ? `web check: ${problems.length} problem(s)` : 'web check: ok');
  process.exit(problems.length ? 1 : 0);
}
