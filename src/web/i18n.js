// The client's two languages: every visible string, the choice (navigator.language,
// then what the person picked, kept in localStorage) and applying it to the page.

const STORE_KEY = 'kamer.lang';

const STRINGS = {
  en: {
    'lang.group': 'Language',
    'home.title': 'kamer — video meetings',
    'home.heading': 'Start a video meeting',
    'home.intro': 'Create a meeting and share its link with the people you invite. Only people with the link can join.',
    'home.field': 'Meeting title',
    'home.hint': 'Shown only to the participants, after they join.',
    'home.create': 'Create meeting',
    'home.creating': 'Creating meeting…',
    'home.err.title': 'Enter a title of up to 200 characters.',
    'home.err.busy': 'Too many attempts. Wait a moment and try again.',
    'home.err.login': 'Log in first: only hosts with an account can create meetings.',
    'home.err.server': 'The meeting could not be created. Try again later.',
    'home.err.network': 'Cannot connect to the server. Check your connection and try again.',
    'join.title': 'Join meeting — kamer',
    'join.heading': 'Join the meeting',
    'join.intro': 'Your camera and microphone are used once you join. You can turn them off at any time.',
    'join.field': 'Your name',
    'join.hint': 'Everyone in the meeting sees this name.',
    'join.button': 'Join',
    'join.err.name': 'Enter your name, up to 64 characters.',
    'status.media': 'Asking for your camera and microphone…',
    'status.connecting': 'Connecting…',
    'status.retry': 'Cannot connect to the server. Trying again in {s} s…',
    'status.nomedia': 'No camera or microphone is available; you join without them.',
    'status.noaudio': 'No microphone is available.',
    'status.novideo': 'No camera is available.',
    'status.joined': '{name} joined',
    'status.left': '{name} left',
    'meeting.participants': 'Participants',
    'meeting.count': '{n} in the meeting',
    'meeting.controls': 'Meeting controls',
    'ctl.mic': 'Mute',
    'ctl.mic.aria': 'Mute microphone',
    'ctl.cam': 'Camera off',
    'ctl.cam.aria': 'Turn camera off',
    'ctl.leave': 'Leave',
    'ctl.leave.aria': 'Leave the meeting',
    'tile.you': '{name} (you)',
    'tile.micOff': 'Microphone off',
    'tile.camOff': 'Camera off',
    'tile.video': 'Video of {name}',
    'left.heading': 'You left the meeting',
    'left.rejoin': 'Rejoin',
    'left.home': 'Go to the start page',
    'err.heading': 'Something went wrong',
    'err.not_found': 'Meeting not found',
    'err.not_found.more': 'Check the link you were given. The meeting may have ended or its address may have changed.',
    'err.limit': 'The meeting is full, or the server is at its limit.',
    'err.state': 'The server did not expect that request.',
    'err.bad_request': 'The server did not understand the request.',
    'err.internal': 'Something went wrong on the server.',
    'err.connect': 'Cannot connect to the server',
    'err.connect.more': 'Check your network connection, then try again.',
    'err.lost': 'The connection to the server was lost.',
    'err.media': 'The video connection failed.',
    'err.retry': 'Try again',
    'nf.title': 'Page not found — kamer',
  },
  nl: {
    'lang.group': 'Taal',
    'home.title': 'kamer — videovergaderen',
    'home.heading': 'Een videovergadering starten',
    'home.intro': 'Maak een vergadering aan en deel de link met de mensen die u uitnodigt. Alleen wie de link heeft, kan deelnemen.',
    'home.field': 'Titel van de vergadering',
    'home.hint': 'Alleen zichtbaar voor deelnemers, nadat zij zijn toegetreden.',
    'home.create': 'Vergadering aanmaken',
    'home.creating': 'Vergadering wordt aangemaakt…',
    'home.err.title': 'Vul een titel in van hoogstens 200 tekens.',
    'home.err.busy': 'Te veel pogingen. Wacht even en probeer het opnieuw.',
    'home.err.login': 'Log eerst in: alleen organisatoren met een account maken vergaderingen aan.',
    'home.err.server': 'De vergadering kon niet worden aangemaakt. Probeer het later opnieuw.',
    'home.err.network': 'Geen verbinding met de server. Controleer uw verbinding en probeer het opnieuw.',
    'join.title': 'Deelnemen aan vergadering — kamer',
    'join.heading': 'Deelnemen aan de vergadering',
    'join.intro': 'Uw camera en microfoon worden gebruikt zodra u deelneemt. U kunt ze altijd uitzetten.',
    'join.field': 'Uw naam',
    'join.hint': 'Iedereen in de vergadering ziet deze naam.',
    'join.button': 'Deelnemen',
    'join.err.name': 'Vul uw naam in, hoogstens 64 tekens.',
    'status.media': 'Toegang tot uw camera en microfoon wordt gevraagd…',
    'status.connecting': 'Verbinden…',
    'status.retry': 'Geen verbinding met de server. Nieuwe poging over {s} s…',
    'status.nomedia': 'Er is geen camera of microfoon beschikbaar; u neemt deel zonder.',
    'status.noaudio': 'Er is geen microfoon beschikbaar.',
    'status.novideo': 'Er is geen camera beschikbaar.',
    'status.joined': '{name} neemt deel',
    'status.left': '{name} is vertrokken',
    'meeting.participants': 'Deelnemers',
    'meeting.count': '{n} in de vergadering',
    'meeting.controls': 'Bediening van de vergadering',
    'ctl.mic': 'Dempen',
    'ctl.mic.aria': 'Microfoon dempen',
    'ctl.cam': 'Camera uit',
    'ctl.cam.aria': 'Camera uitzetten',
    'ctl.leave': 'Verlaten',
    'ctl.leave.aria': 'De vergadering verlaten',
    'tile.you': '{name} (u)',
    'tile.micOff': 'Microfoon uit',
    'tile.camOff': 'Camera uit',
    'tile.video': 'Video van {name}',
    'left.heading': 'U hebt de vergadering verlaten',
    'left.rejoin': 'Opnieuw deelnemen',
    'left.home': 'Naar de startpagina',
    'err.heading': 'Er ging iets mis',
    'err.not_found': 'Vergadering niet gevonden',
    'err.not_found.more': 'Controleer de link die u hebt gekregen. De vergadering is misschien afgelopen of het adres is gewijzigd.',
    'err.limit': 'De vergadering is vol, of de server zit aan zijn limiet.',
    'err.state': 'De server verwachtte dit verzoek niet.',
    'err.bad_request': 'De server begreep het verzoek niet.',
    'err.internal': 'Er ging iets mis op de server.',
    'err.connect': 'Geen verbinding met de server',
    'err.connect.more': 'Controleer uw netwerkverbinding en probeer het opnieuw.',
    'err.lost': 'De verbinding met de server is verbroken.',
    'err.media': 'De videoverbinding is mislukt.',
    'err.retry': 'Opnieuw proberen',
    'nf.title': 'Pagina niet gevonden — kamer',
  },
};

export const LANGS = Object.keys(STRINGS);

function stored() {
  try {
    const v = localStorage.getItem(STORE_KEY);
    return LANGS.includes(v) ? v : null;
  } catch {
    return null; // storage may be blocked; the browser's language still works
  }
}

function detect() {
  const pref = (navigator.languages && navigator.languages[0]) || navigator.language || '';
  return pref.toLowerCase().startsWith('nl') ? 'nl' : 'en';
}

let current = stored() || detect();
const listeners = new Set();

export function lang() {
  return current;
}

/** The string for key in the current language, with {name} placeholders filled in. */
export function t(key, vars) {
  let s = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

/** Chooses a language, remembers it and re-labels the page. */
export function setLang(l) {
  if (!LANGS.includes(l)) return;
  current = l;
  try {
    localStorage.setItem(STORE_KEY, l);
  } catch { /* not remembered, still applied */ }
  apply();
  for (const fn of listeners) fn(l);
}

export function onLangChange(fn) {
  listeners.add(fn);
}

/**
 * Labels every element that names a key: data-i18n (text), data-i18n-aria (aria-label),
 * data-i18n-title (the document title, on <title>).
 */
export function apply(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
  for (const el of root.querySelectorAll('[data-lang-choice]')) {
    el.setAttribute('aria-pressed', String(el.dataset.langChoice === current));
  }
}

/** Wires the language buttons ([data-lang-choice]) and applies the current language. */
export function initLang(root = document) {
  for (const el of root.querySelectorAll('[data-lang-choice]')) {
    el.addEventListener('click', () => setLang(el.dataset.langChoice));
  }
  apply(root);
}
