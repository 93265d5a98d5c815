// A fake of the REST API (docs/API.md) for one browser page, used through page.route():
// a session, meetings and invitations, and a 403 for a POST, PATCH or DELETE without the
// session's X-Kamer-CSRF, as kamerd answers. It checks the client's side on its own.

export const CSRF = 'c'.repeat(32);

let nextId = 0;
const rid = () => `${String(++nextId).padStart(4, 'a')}${'x'.repeat(28)}`;

/** A fake of the REST API for one page: a session, meetings, invitations. */
export function fakeApi() {
  const api = { loggedIn: false, meetings: [], log: [], badCsrf: [] };
  const user = { id: rid(), login: 'hanna', name: 'Hanna de Boer', tenant: { id: rid(), name: 'BZK' }, roles: ['member', 'host'] };
  api.handle = async (route) => {
    const req = route.request();
    const url = new URL(req.url());
    const method = req.method();
    const path = url.pathname;
    const body = req.postData() ? JSON.parse(req.postData()) : null;
    api.log.push(`${method} ${path}`);
    const json = (status, obj) => route.fulfill({ status, contentType: 'application/json', body: obj === undefined ? '' : JSON.stringify(obj) });
    if (method !== 'GET' && !/\/(login|setup)$/.test(path) && req.headers()['x-kamer-csrf'] !== CSRF) {
      api.badCsrf.push(`${method} ${path}`);
      return json(403, { error: 'csrf', message: 'missing CSRF token' });
    }
    if (path === '/api/v1/login') {
      if (body.user === 'hanna' && body.password === 'juist wachtwoord') {
        api.loggedIn = true;
        return json(200, { user, csrf: CSRF });
      }
      return json(401, { error: 'auth', message: 'wrong user or password' });
    }
    if (path === '/api/v1/setup') {
      if (body.token !== 'eenmalig-token') return json(401, { error: 'auth', message: 'bad token' });
      api.setupPassword = body.password;
      api.loggedIn = true;
      return json(200, { user, csrf: CSRF });
    }
    if (!api.loggedIn) return json(401, { error: 'auth', message: 'log in' });
    if (path === '/api/v1/me') return json(200, { user, csrf: CSRF });
    if (path === '/api/v1/logout') { api.loggedIn = false; return route.fulfill({ status: 204 }); }
    if (path === '/api/v1/meetings' && method === 'GET') return json(200, { meetings: api.meetings });
    if (path === '/api/v1/meetings' && method === 'POST') {
      const id = rid();
      const m = { id, url: `/m/${id}`, role: 'host', hosts: [{ id: user.id, name: user.name }], locked: false,
        guests: false, lobby: true, level: 'depv', ...body, invitations: [] };
      m.invitations = (body.invitees || []).map((i) => ({ id: rid(), ...i, url: `/i/${rid()}` }));
      api.meetings.push(m);
      return json(201, m);
    }
    const mm = path.match(/^\/api\/v1\/meetings\/([^/]+)(?:\/(ics|invitations)(?:\/([^/]+)(?:\/ics)?)?)?$/);
    const m = mm && api.meetings.find((x) => x.id === mm[1]);
    if (!m) return json(404, { error: 'not_found', message: 'not found' });
    if (mm[2] === 'ics') return route.fulfill({ status: 200, contentType: 'text/calendar', headers: { 'content-disposition': 'attachment; filename="kamer.ics"' }, body: `BEGIN:VCALENDAR\r\nSUMMARY:${m.title}\r\nEND:VCALENDAR\r\n` });
    if (mm[2] === 'invitations' && method === 'POST') {
      const inv = { id: rid(), ...body, url: `/i/${rid()}` };
      m.invitations.push(inv);
      return json(201, inv);
    }
    if (mm[2] === 'invitations' && method === 'DELETE') {
      m.invitations = m.invitations.filter((i) => i.id !== mm[3]);
      return route.fulfill({ status: 204 });
    }
    if (method === 'PATCH') { Object.assign(m, body); return json(200, m); }
    if (method === 'DELETE') { api.meetings = api.meetings.filter((x) => x !== m); return route.fulfill({ status: 204 }); }
    return json(200, m);
  };
  return api;
}
