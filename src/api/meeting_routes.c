/* meeting_routes.c - /api/v1/meetings: create, list, read, change, cancel, rotate,
 * invite, revoke, and iCalendar invitations (docs/API.md).
 *
 * A meeting the caller may not see gets reply_api_not_found() after the same look-ups
 * as one that does not exist (S2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/ical.h"
#include "api/internal.h"
#include "api/meeting_req.h"
#include "auth/events.h"
#include "auth/guard.h"
#include "auth/policy.h"
#include "base/clock.h"
#include "base/log.h"
#include "signal/session.h"
#include "store/meeting.h"

#define DEFAULT_LEVEL    "ongerubriceerd"
#define DEFAULT_DURATION 3600

/* A request's view of one meeting. */
struct ctx {
	struct api *a;
	const struct http_req *rq;
	struct http_resp *r;
	struct caller c;
	struct meeting m;
	int role; /* MEETING_* */
};

static void record_detail(struct ctx *x, const char *kind, const char *subject, int security,
                          const char *detail)
{
	event_record(x->a->db,
	             &(struct audit_rec){.tenant = x->m.tenant[0] ? x->m.tenant : x->c.user.tenant,
	                                 .actor = x->c.user.id,
	                                 .kind = kind,
	                                 .subject = subject,
	                                 .source = x->rq->source,
	                                 .detail = detail,
	                                 .security = security});
}

static void record(struct ctx *x, const char *kind, const char *subject, int security)
{
	record_detail(x, kind, subject, security, NULL);
}

/* Asking for more than the server or the level allows is told to the security contact. */
static void refused(struct ctx *x, const char *reason, const struct meeting *m)
{
	char detail[160];
	snprintf(detail, sizeof(detail), "{\"reason\":\"%s\",\"level\":\"%s\"}", reason, m->level);
	record_detail(x, "meeting.refused", m->id[0] ? m->id : "new", 1, detail);
}

/* ---- JSON ---- */

struct people_acc {
	struct api *a;
	json_t *hosts, *invitees;
};

static int add_person(void *arg, const char *user_id, const char *email, int host)
{
	struct people_acc *p = arg;
	struct user u;
	if (user_id[0] && account_user_get(p->a->db, user_id, &u) == 0) {
		json_array_append_new(
		    host ? p->hosts : p->invitees,
		    host ? json_pack("{s:s, s:s}", "id", u.id, "name", u.name)
		         : json_pack("{s:s, s:s}", "user", u.login, "name", u.name));
	} else if (email[0] && !host) {
		json_array_append_new(p->invitees, json_pack("{s:s}", "email", email));
	}
	return 0;
}

static int add_invitation(void *arg, const struct invitation *inv)
{
	struct people_acc *p = arg;
	char url[8 + RND_ID_CHARS];
	struct user u;
	snprintf(url, sizeof(url), "/i/%s", inv->secret);
	json_t *o = json_pack("{s:s, s:s}", "id", inv->id, "url", url);
	if (inv->user_id[0] && account_user_get(p->a->db, inv->user_id, &u) == 0)
		json_object_set_new(o, "user", json_string(u.login));
	else
		json_object_set_new(o, "email", json_string(inv->email));
	json_array_append_new(p->invitees, o);
	return 0;
}

static json_t *meeting_json(struct api *a, const struct meeting *m, int role)
{
	char url[8 + RND_ID_CHARS];
	snprintf(url, sizeof(url), "/m/%s", m->id);
	struct people_acc p = {a, json_array(), json_array()};
	meeting_people(a->db, m->id, add_person, &p);
	json_t *j = json_pack(
	    "{s:s, s:s, s:s, s:I, s:I, s:s, s:b, s:b, s:b, s:s, s:o, s:o}", "id", m->id, "url", url,
	    "title", m->title, "start", (json_int_t)m->start, "end", (json_int_t)m->end, "level",
	    m->level, "guests", m->guests, "lobby", m->lobby, "locked", m->locked, "role",
	    role == MEETING_HOST ? "host" : "invitee", "hosts", p.hosts, "invitees", p.invitees);
	if (m->repeat_days > 0 && m->repeat_count > 1)
		json_object_set_new(j, "repeat",
		                    json_pack("{s:s, s:i}", "every",
		                              m->repeat_days == 1 ? "day" : "week", "count",
		                              m->repeat_count));
	if (role == MEETING_HOST) {
		struct people_acc inv = {a, NULL, json_array()};
		invitation_list(a->db, m->id, add_invitation, &inv);
		json_object_set_new(j, "invitations", inv.invitees);
	}
	return j;
}

/* ---- access ---- */

static int guarded(struct ctx *x)
{
	int retry;
	if (guard_check(x->a->guard, x->rq->source, x->c.user.login, &retry) != 0) {
		reply_rate_limited(x->r, retry);
		return 1;
	}
	return 0;
}

static void not_found(struct ctx *x, const char *subject)
{
	int retry;
	if (guard_fail(x->a->guard, "lookup.failed", x->rq->source, x->c.user.login, subject,
	               &retry) != 0)
		reply_rate_limited(x->r, retry);
	else
		reply_api_not_found(x->r);
}

/* Loads the meeting for the caller: 0, or the reply is already made (S2). */
static int load(struct ctx *x, const char *id)
{
	int64_t now = clock_unix();
	int found = rnd_id_valid(id, strlen(id)) && meeting_get(x->a->db, id, now, &x->m) == 0;
	/* The same look-ups whether it exists or not. */
	x->role = meeting_person_role(x->a->db, found ? x->m.id : id, x->c.user.id);
	if (!found || x->role == MEETING_NONE) {
		not_found(x, id);
		return -1;
	}
	return 0;
}

static int need_host(struct ctx *x)
{
	if (x->role != MEETING_HOST) {
		reply_error(x->r, 403, "forbidden", "only a host of this meeting may do that");
		return -1;
	}
	return 0;
}

/* ---- checking a request against the level's policy ---- */

static int check_policy(struct ctx *x, const struct meeting *m)
{
	enum level l;
	char msg[256];
	if (level_parse(m->level, &l) != 0) {
		reply_error(x->r, 400, "bad_request",
		            "level must be one of ongerubriceerd, depv, stg-confidentieel, "
		            "stg-geheim, stg-zeer-geheim");
		return -1;
	}
	if (!level_allowed(l, (enum level)x->a->ceiling)) {
		snprintf(msg, sizeof(msg), "%s is above this server's ceiling, %s",
		         policy_of(l)->label_en, policy_of((enum level)x->a->ceiling)->label_en);
		reply_error(x->r, 422, "above_ceiling", msg);
		refused(x, "ceiling", m);
		return -1;
	}
	const struct level_policy *p = policy_of(l);
	if (m->guests && !p->guests_allowed) {
		snprintf(msg, sizeof(msg), "%s does not allow guests without an account",
		         p->label_en);
		reply_error(x->r, 422, "policy", msg);
		refused(x, "guests", m);
		return -1;
	}
	if (!m->lobby && p->lobby_forced) {
		snprintf(msg, sizeof(msg), "%s requires the lobby", p->label_en);
		reply_error(x->r, 422, "policy", msg);
		refused(x, "lobby", m);
		return -1;
	}
	return 0;
}

static void apply(struct meeting *m, const struct meeting_req *q)
{
	if (q->has & MR_TITLE)
		memcpy(m->title, q->title, sizeof(m->title));
	if (q->has & MR_START) {
		int64_t len = m->end - m->start;
		m->start = q->start;
		if (!(q->has & MR_END))
			m->end = m->start + (len > 0 ? len : DEFAULT_DURATION);
	}
	if (q->has & MR_END)
		m->end = q->end;
	if (q->has & MR_LEVEL)
		snprintf(m->level, sizeof(m->level), "%s", q->level);
	if (q->has & MR_GUESTS)
		m->guests = q->guests;
	if (q->has & MR_LOBBY)
		m->lobby = q->lobby;
	if (q->has & MR_LOCKED)
		m->locked = q->locked;
	if (q->has & MR_REPEAT) {
		m->repeat_days = q->repeat_days;
		m->repeat_count = q->repeat_count;
	}
}

/* Resolves invitees' and hosts' logins first, so that nothing is stored on a bad name. */
static int resolve(struct ctx *x, const struct meeting_req *q, const struct meeting *m,
                   char (*inv_ids)[RND_ID_CHARS + 1], char (*host_ids)[RND_ID_CHARS + 1])
{
	char msg[LIM_LOGIN + 64];
	for (size_t i = 0; i < q->ninvitees; i++) {
		struct user u;
		inv_ids[i][0] = '\0';
		if (q->invitees[i].login[0]) {
			if (account_user_by_login(x->a->db, q->invitees[i].login, &u, NULL, 0) !=
			    0) {
				snprintf(msg, sizeof(msg), "no user %s", q->invitees[i].login);
				reply_error(x->r, 422, "unknown_user", msg);
				return -1;
			}
			memcpy(inv_ids[i], u.id, sizeof(inv_ids[i]));
		} else if (!m->guests) {
			reply_error(
			    x->r, 422, "policy",
			    "guests by e-mail need \"guests\": true, where the level allows it");
			return -1;
		}
	}
	for (size_t i = 0; i < q->nhosts; i++) {
		struct user u;
		if (account_user_by_login(x->a->db, q->hosts[i], &u, NULL, 0) != 0) {
			snprintf(msg, sizeof(msg), "no user %s", q->hosts[i]);
			reply_error(x->r, 422, "unknown_user", msg);
			return -1;
		}
		memcpy(host_ids[i], u.id, sizeof(host_ids[i]));
	}
	return 0;
}

struct keep {
	struct api *a;
	const char *meeting;
	const struct meeting_req *q;
	char (*inv_ids)[RND_ID_CHARS + 1];
	int (*has)[LIM_INVITEES];
};

/* Revokes invitations of people no longer invited; notes who already has one. */
static int prune(void *arg, const struct invitation *inv)
{
	struct keep *k = arg;
	for (size_t i = 0; i < k->q->ninvitees; i++) {
		if ((inv->user_id[0] && strcmp(inv->user_id, k->inv_ids[i]) == 0) ||
		    (inv->email[0] && strcmp(inv->email, k->q->invitees[i].email) == 0)) {
			(*k->has)[i] = 1;
			return 0;
		}
	}
	if (invitation_revoke(k->a->db, k->meeting, inv->id) != 0)
		return -1;
	return 0;
}

static int store_people(struct ctx *x, const struct meeting_req *q, int replace)
{
	char(*inv_ids)[RND_ID_CHARS + 1] = calloc(LIM_INVITEES, sizeof(*inv_ids));
	char host_ids[LIM_HOSTS][RND_ID_CHARS + 1];
	int has[LIM_INVITEES] = {0};
	int rc = -1;
	if (!inv_ids || resolve(x, q, &x->m, inv_ids, host_ids) != 0)
		goto done;
	if (replace && (q->has & MR_INVITEES)) {
		/* Hosts stay; invitees become exactly the new list. */
		struct keep k = {x->a, x->m.id, q, inv_ids, &has};
		if (invitation_list(x->a->db, x->m.id, prune, &k) != 0 ||
		    meeting_invitees_clear(x->a->db, x->m.id) != 0)
			goto fail;
	}
	if (meeting_person_add(x->a->db, x->m.id, x->m.creator, NULL, 1) != 0)
		goto fail;
	for (size_t i = 0; i < q->nhosts; i++) {
		if (meeting_person_add(x->a->db, x->m.id, host_ids[i], NULL, 1) != 0)
			goto fail;
	}
	for (size_t i = 0; i < q->ninvitees; i++) {
		struct invitation inv;
		const char *uid = inv_ids[i][0] ? inv_ids[i] : NULL;
		const char *email = uid ? NULL : q->invitees[i].email;
		if (meeting_person_add(x->a->db, x->m.id, uid, email, 0) != 0 ||
		    (!has[i] && invitation_create(x->a->db, x->m.id, uid, email, &inv) != 0))
			goto fail;
	}
	rc = 0;
	goto done;
fail:
	reply_error(x->r, 500, "internal", "could not store the meeting's people");
done:
	free(inv_ids);
	return rc;
}

/* ---- handlers ---- */

static void create(struct ctx *x)
{
	struct meeting_req *q = calloc(1, sizeof(*q));
	const char *why = "out of memory";
	if (!q || meeting_req_parse(q, x->rq->body, x->rq->body_len, &why) != 0) {
		reply_error(x->r, q ? 400 : 500, q ? "bad_request" : "internal", why);
		goto done;
	}
	if (!(x->c.user.roles & ROLE_HOST)) {
		reply_error(x->r, 403, "forbidden",
		            "only users with the host role create meetings");
		goto done;
	}
	if (!(q->has & MR_TITLE)) {
		reply_error(x->r, 400, "bad_request", "a meeting needs a title");
		goto done;
	}
	struct meeting *m = &x->m;
	memset(m, 0, sizeof(*m));
	m->start = clock_unix();
	m->end = m->start + DEFAULT_DURATION;
	snprintf(m->level, sizeof(m->level), DEFAULT_LEVEL);
	m->lobby = 1;
	m->repeat_count = 1;
	apply(m, q);
	if (m->end <= m->start) {
		reply_error(x->r, 400, "bad_request", "end must come after start");
		goto done;
	}
	memcpy(m->tenant, x->c.user.tenant, sizeof(m->tenant));
	memcpy(m->creator, x->c.user.id, sizeof(m->creator));
	if (check_policy(x, m) != 0)
		goto done;
	if (meeting_create(x->a->db, m) != 0) {
		reply_error(x->r, 500, "internal", "could not store the meeting");
		goto done;
	}
	if (store_people(x, q, 0) != 0) {
		if (meeting_delete(x->a->db, m->id) != 0)
			log_error("api", "a half-made meeting could not be removed");
		goto done;
	}
	record(x, "meeting.created", m->id, 0);
	reply_json(x->r, 201, meeting_json(x->a, m, MEETING_HOST));
done:
	free(q);
}

struct list_acc {
	struct api *a;
	json_t *arr;
};

static int list_one(void *arg, const struct meeting *m, int role)
{
	struct list_acc *l = arg;
	json_array_append_new(l->arr, meeting_json(l->a, m, role));
	return json_array_size(l->arr) >= 500;
}

static void list(struct ctx *x)
{
	struct list_acc l = {x->a, json_array()};
	meeting_list_for_user(x->a->db, x->c.user.id, clock_unix(), list_one, &l);
	reply_json(x->r, 200, json_pack("{s:o}", "meetings", l.arr));
}

static void change(struct ctx *x)
{
	struct meeting_req *q = calloc(1, sizeof(*q));
	const char *why = "out of memory";
	if (!q || meeting_req_parse(q, x->rq->body, x->rq->body_len, &why) != 0) {
		reply_error(x->r, q ? 400 : 500, q ? "bad_request" : "internal", why);
		goto done;
	}
	struct meeting m = x->m;
	apply(&m, q);
	if (m.end <= m.start) {
		reply_error(x->r, 400, "bad_request", "end must come after start");
		goto done;
	}
	if (check_policy(x, &m) != 0)
		goto done;
	x->m = m;
	if (meeting_update(x->a->db, &x->m) != 0 || store_people(x, q, 1) != 0) {
		if (!x->r->status)
			reply_error(x->r, 500, "internal", "could not store the meeting");
		goto done;
	}
	record(x, "meeting.changed", x->m.id, 0);
	signal_meeting_changed(x->a->signal, x->m.id, NULL, 0);
	reply_json(x->r, 200, meeting_json(x->a, &x->m, x->role));
done:
	free(q);
}

static void invite(struct ctx *x)
{
	struct meeting_req q;
	memset(&q, 0, sizeof(q));
	json_error_t err;
	json_t *j = json_loadb(x->rq->body, x->rq->body_len, JSON_REJECT_DUPLICATES, &err);
	json_t *u = json_object_get(j, "user"), *e = json_object_get(j, "email");
	const char *s = json_string_value(u ? u : e);
	size_t n = json_string_length(u ? u : e);
	if (!j || !json_is_object(j) || json_object_size(j) != 1 || !s ||
	    (u && !login_valid(s, n)) || (e && !email_valid(s, n))) {
		json_decref(j);
		reply_error(x->r, 400, "bad_request",
		            "send {\"user\": login} or {\"email\": address}");
		return;
	}
	memcpy(u ? q.invitees[0].login : q.invitees[0].email, s, n + 1);
	q.ninvitees = 1;
	json_decref(j);
	char uid[1][RND_ID_CHARS + 1];
	char hosts[1][RND_ID_CHARS + 1];
	if (resolve(x, &q, &x->m, uid, hosts) != 0)
		return;
	struct invitation inv;
	if (meeting_person_add(x->a->db, x->m.id, uid[0][0] ? uid[0] : NULL,
	                       uid[0][0] ? NULL : q.invitees[0].email, 0) != 0 ||
	    invitation_create(x->a->db, x->m.id, uid[0][0] ? uid[0] : NULL,
	                      uid[0][0] ? NULL : q.invitees[0].email, &inv) != 0) {
		reply_error(x->r, 500, "internal", "could not store the invitation");
		return;
	}
	record(x, "invitation.created", x->m.id, 0);
	char url[8 + RND_ID_CHARS];
	snprintf(url, sizeof(url), "/i/%s", inv.secret);
	reply_json(x->r, 201,
	           json_pack("{s:s, s:s, s:s}", "id", inv.id, "url", url, u ? "user" : "email",
	                     u ? q.invitees[0].login : q.invitees[0].email));
}

static void revoke(struct ctx *x, const char *inv_id)
{
	struct invitation inv;
	if (!rnd_id_valid(inv_id, strlen(inv_id)) ||
	    invitation_get(x->a->db, x->m.id, inv_id, &inv) != 0) {
		not_found(x, inv_id);
		return;
	}
	/* Revoking uninvites: the link and the invitee's place both go. */
	if (invitation_revoke(x->a->db, x->m.id, inv_id) != 0) {
		reply_error(x->r, 500, "internal", "could not revoke the invitation");
		return;
	}
	if (meeting_person_remove(x->a->db, x->m.id, inv.user_id, inv.email) != 0) {
		reply_error(x->r, 500, "internal", "could not uninvite");
		return;
	}
	record(x, "invitation.revoked", x->m.id, 1);
	reply_text(x->r, 204, "text/plain", NULL);
}

static void ics(struct ctx *x, const char *inv_id)
{
	struct invitation inv = {0};
	char url[300], desc[700];
	const char *attendee = NULL;
	struct user org, u;
	if (inv_id) {
		if (need_host(x) != 0)
			return;
		if (!rnd_id_valid(inv_id, strlen(inv_id)) ||
		    invitation_get(x->a->db, x->m.id, inv_id, &inv) != 0) {
			not_found(x, inv_id);
			return;
		}
		snprintf(url, sizeof(url), "http://%s/i/%s", x->rq->host, inv.secret);
		if (inv.email[0])
			attendee = inv.email;
		else if (account_user_get(x->a->db, inv.user_id, &u) == 0 && u.email[0])
			attendee = u.email;
	} else {
		snprintf(url, sizeof(url), "http://%s/m/%s", x->rq->host, x->m.id);
		attendee = x->c.user.email[0] ? x->c.user.email : NULL;
	}
	if (account_user_get(x->a->db, x->m.creator, &org) != 0)
		snprintf(org.name, sizeof(org.name), "kamer");
	snprintf(desc, sizeof(desc), "Join the meeting: %s\nDeelnemen aan de vergadering: %s", url,
	         url);
	char uid[64], org_email[LIM_EMAIL + 1];
	snprintf(uid, sizeof(uid), "%s-%lld@kamer", x->m.creator, (long long)x->m.created);
	snprintf(org_email, sizeof(org_email), "%s",
	         org.email[0] ? org.email : "noreply@kamer.invalid");
	struct ical_event e = {
	    .uid = uid,
	    .sequence = x->m.sequence,
	    .stamp = clock_unix(),
	    .start = x->m.start,
	    .end = x->m.end,
	    .summary = x->m.title,
	    .description = desc,
	    .url = url,
	    .organizer_name = org.name,
	    .organizer_email = org_email,
	    .attendee_email = attendee,
	    .repeat_days = x->m.repeat_days,
	    .repeat_count = x->m.repeat_count,
	};
	char *text = ical_invite(&e);
	if (!text) {
		reply_error(x->r, 500, "internal", "out of memory");
		return;
	}
	reply_text(x->r, 200, "text/calendar; charset=utf-8; method=REQUEST", text);
	snprintf(x->r->disposition, sizeof(x->r->disposition),
	         "attachment; filename=\"kamer-meeting.ics\"");
}

/* ---- dispatch ---- */

int meeting_routes(struct api *a, const struct http_req *rq, struct http_resp *r)
{
	static const char prefix[] = "/api/v1/meetings";
	const char *p = rq->path;
	if (strncmp(p, prefix, sizeof(prefix) - 1) != 0 ||
	    (p[sizeof(prefix) - 1] != '\0' && p[sizeof(prefix) - 1] != '/'))
		return 0;
	struct ctx x = {.a = a, .rq = rq, .r = r};
	caller_identify(a, rq, &x.c);
	const char *method = rq->method;
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	int write = !get;
	if (!x.c.authed) {
		reply_error(r, 401, "auth", "log in first");
		return 1;
	}
	if (write && (caller_may_write(rq, &x.c, r) != 0 ||
	              ((strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0) &&
	               rq->body_len > 0 && request_is_json(rq, r) != 0)))
		return 1;
	if (guarded(&x))
		return 1;
	const char *rest = p + sizeof(prefix) - 1;
	if (!*rest) {
		if (get)
			list(&x);
		else if (strcmp(method, "POST") == 0)
			create(&x);
		else
			reply_error(r, 405, "method_not_allowed", "use GET or POST");
		return 1;
	}
	/* /<id>[/<what>[/<inv>[/ics]]] */
	char parts[4][RND_ID_CHARS + 8];
	size_t n = 0;
	for (const char *s = rest; *s == '/' && n < 4;) {
		const char *e = strchr(s + 1, '/');
		size_t len = e ? (size_t)(e - s - 1) : strlen(s + 1);
		if (len == 0 || len >= sizeof(parts[0]))
			break;
		memcpy(parts[n], s + 1, len);
		parts[n++][len] = '\0';
		if (!e)
			break;
		s = e;
	}
	if (n == 0 || load(&x, parts[0]) != 0) {
		if (n == 0)
			reply_api_not_found(r);
		return 1;
	}
	if (n == 1) {
		if (get) {
			record(&x, "meeting.viewed", x.m.id, 0);
			reply_json(r, 200, meeting_json(a, &x.m, x.role));
		} else if (need_host(&x) != 0) {
		} else if (strcmp(method, "PATCH") == 0) {
			change(&x);
		} else if (strcmp(method, "DELETE") == 0) {
			if (meeting_delete(a->db, x.m.id) != 0) {
				reply_error(r, 500, "internal", "could not cancel the meeting");
				return 1;
			}
			record(&x, "meeting.cancelled", x.m.id, 0);
			signal_meeting_changed(a->signal, x.m.id, NULL, 1);
			reply_text(r, 204, "text/plain", NULL);
		} else {
			reply_error(r, 405, "method_not_allowed", "use GET, PATCH or DELETE");
		}
		return 1;
	}
	if (n == 2 && strcmp(parts[1], "rotate") == 0 && strcmp(method, "POST") == 0) {
		char old[RND_ID_CHARS + 1];
		if (need_host(&x) != 0)
			return 1;
		memcpy(old, x.m.id, sizeof(old));
		if (meeting_rotate(a->db, old, x.m.id) != 0) {
			reply_error(r, 500, "internal", "could not rotate the address");
			return 1;
		}
		record(&x, "meeting.rotated", x.m.id, 1);
		signal_meeting_changed(a->signal, old, x.m.id, 0);
		reply_json(r, 200, meeting_json(a, &x.m, x.role));
		return 1;
	}
	if (n == 2 && strcmp(parts[1], "ics") == 0 && get) {
		ics(&x, NULL);
		return 1;
	}
	if (n == 2 && strcmp(parts[1], "invitations") == 0 && strcmp(method, "POST") == 0) {
		if (need_host(&x) == 0)
			invite(&x);
		return 1;
	}
	if (n == 3 && strcmp(parts[1], "invitations") == 0 && strcmp(method, "DELETE") == 0) {
		if (need_host(&x) == 0)
			revoke(&x, parts[2]);
		return 1;
	}
	if (n == 4 && strcmp(parts[1], "invitations") == 0 && strcmp(parts[3], "ics") == 0 && get) {
		ics(&x, parts[2]);
		return 1;
	}
	reply_api_not_found(r);
	return 1;
}

int meeting_page_visible(struct api *a, const struct http_req *rq, int invitation, const char *key)
{
	struct caller c;
	struct meeting m;
	int64_t now = clock_unix();
	caller_identify(a, rq, &c);
	if (invitation) {
		struct invitation inv;
		if (!rnd_id_valid(key, strlen(key)) ||
		    invitation_find(a->db, key, now, &inv) != 0 ||
		    meeting_get(a->db, inv.meeting, now, &m) != 0)
			return 0;
		enum level l;
		if (level_parse(m.level, &l) != 0 || !level_allowed(l, (enum level)a->ceiling))
			return 0;
		if (inv.user_id[0])
			return c.authed && strcmp(c.user.id, inv.user_id) == 0;
		return m.guests && policy_of(l)->guests_allowed;
	}
	int found = rnd_id_valid(key, strlen(key)) && meeting_get(a->db, key, now, &m) == 0;
	int role = meeting_person_role(a->db, found ? m.id : key, c.authed ? c.user.id : "");
	return found && c.authed && role != MEETING_NONE;
}
