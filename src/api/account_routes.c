/* account_routes.c - logging in and out, who am I, and the first administrator's setup. */
#include <stdio.h>
#include <string.h>

#include "api/internal.h"
#include "auth/cookie.h"
#include "auth/events.h"
#include "auth/guard.h"
#include "auth/password.h"
#include "base/clock.h"
#include "base/ct.h"
#include "store/audit.h"
#include "signal/json.h"

void caller_identify(struct api *a, const struct http_req *rq, struct caller *c)
{
	memset(c, 0, sizeof(*c));
	c->source = rq->source;
	if (cookie_get(rq->cookie, "kamer_session", c->token, sizeof(c->token)) != 0 ||
	    websess_lookup(a->db, c->token, clock_unix(), &c->ws) != 0 ||
	    account_user_get(a->db, c->ws.user_id, &c->user) != 0 || c->user.disabled)
		return;
	c->authed = 1;
}

static int origin_ok(const struct http_req *rq)
{
	if (!rq->origin[0])
		return 1; /* not a browser, or a same-origin GET-like request */
	const char *o = strstr(rq->origin, "://");
	return o && strcmp(o + 3, rq->host) == 0;
}

int caller_may_write(const struct http_req *rq, const struct caller *c, struct http_resp *r)
{
	if (!origin_ok(rq)) {
		reply_error(r, 403, "origin", "requests from other sites are refused");
		return ERR_AUTH;
	}
	if (!c->authed || strlen(rq->csrf) != strlen(c->ws.csrf) ||
	    !ct_equal(rq->csrf, c->ws.csrf, strlen(c->ws.csrf))) {
		reply_error(r, 403, "csrf", "missing or wrong X-Kamer-CSRF header");
		return ERR_AUTH;
	}
	return 0;
}

int request_is_json(const struct http_req *rq, struct http_resp *r)
{
	if (strncmp(rq->content_type, "application/json", 16) != 0) {
		reply_error(r, 415, "unsupported_media_type", "send JSON (application/json)");
		return ERR_PROTO;
	}
	return 0;
}

void reply_rate_limited(struct http_resp *r, int retry_after)
{
	reply_error(r, 429, "rate_limited", "too many failed attempts; try again later");
	r->retry_after = retry_after > 0 ? retry_after : 1;
}

json_t *user_json(struct api *a, const struct user *u)
{
	struct tenant t = {0};
	char roles[128];
	if (account_tenant_find(a->db, u->tenant, &t) != 0)
		snprintf(t.name, sizeof(t.name), "?");
	role_format(u->roles, roles, sizeof(roles));
	json_t *arr = json_array();
	for (char *save = NULL, *tok = strtok_r(roles, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		json_array_append_new(arr, json_string(tok));
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:o}", "id", u->id, "login", u->login,
	                 "name", u->name, "tenant", "id", u->tenant, "name", t.name, "roles", arr);
}

static void set_session_cookie(struct api *a, struct http_resp *r, const char *token, int max_age)
{
	snprintf(r->set_cookie, sizeof(r->set_cookie),
	         "kamer_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", token,
	         max_age, a->secure_cookies ? "; Secure" : "");
}

static void start_session(struct api *a, const struct user *u, const char *source,
                          struct http_resp *r)
{
	char token[WEBSESS_TOKEN_LEN + 1];
	struct websess ws;
	if (websess_create(a->db, u->id, clock_unix(), token, &ws) != 0) {
		reply_error(r, 500, "internal", "could not start a session");
		return;
	}
	event_record(a->db, &(struct audit_rec){.tenant = u->tenant,
	                                        .actor = u->id,
	                                        .kind = "login.ok",
	                                        .subject = u->login,
	                                        .source = source});
	reply_json(r, 200, json_pack("{s:o, s:s}", "user", user_json(a, u), "csrf", ws.csrf));
	set_session_cookie(a, r, token, WEBSESS_LIFETIME);
	ct_wipe(token, sizeof(token));
}

/* Two strings from a JSON body. */
static json_t *two_strings(const struct http_req *rq, const char *k1, const char **v1, size_t *l1,
                           const char *k2, const char **v2, size_t *l2)
{
	json_error_t err;
	json_t *j = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &err);
	if (!j || !json_is_object(j) || json_depth(j) > LIM_JSON_DEPTH)
		goto fail;
	*v1 = json_string_value(json_object_get(j, k1));
	*v2 = json_string_value(json_object_get(j, k2));
	if (!*v1 || !*v2)
		goto fail;
	*l1 = json_string_length(json_object_get(j, k1));
	*l2 = json_string_length(json_object_get(j, k2));
	return j;
fail:
	json_decref(j);
	return NULL;
}

static void login(struct api *a, const struct http_req *rq, struct http_resp *r)
{
	const char *login, *pw;
	size_t llen, plen;
	int retry;
	if (request_is_json(rq, r) != 0)
		return;
	if (!origin_ok(rq)) {
		reply_error(r, 403, "origin", "requests from other sites are refused");
		return;
	}
	json_t *j = two_strings(rq, "user", &login, &llen, "password", &pw, &plen);
	if (!j) {
		reply_error(r, 400, "bad_request", "send {\"user\": ..., \"password\": ...}");
		return;
	}
	char key[LIM_LOGIN + 1] = "";
	if (llen <= LIM_LOGIN && !memchr(login, '\0', llen))
		memcpy(key, login, llen + 1);
	if (guard_check(a->guard, rq->source, key, &retry) != 0) {
		json_decref(j);
		reply_rate_limited(r, retry);
		return;
	}
	struct user u;
	char hash[PASSWORD_HASH_LEN] = "";
	int found =
	    key[0] && account_user_by_login(a->db, key, &u, hash, sizeof(hash)) == 0 && hash[0];
	/* The same work whether the login exists or not. */
	int ok = password_verify(found ? hash : NULL, pw, plen) == 0 && found && !u.disabled;
	json_decref(j);
	if (!ok) {
		if (guard_fail(a->guard, "login.failed", rq->source, key, key, &retry) != 0)
			reply_rate_limited(r, retry);
		else
			reply_error(r, 401, "auth", "wrong user name or password");
		return;
	}
	start_session(a, &u, rq->source, r);
}

static void setup(struct api *a, const struct http_req *rq, struct http_resp *r)
{
	const char *token, *pw;
	size_t tlen, plen;
	int retry;
	if (request_is_json(rq, r) != 0)
		return;
	if (guard_check(a->guard, rq->source, NULL, &retry) != 0) {
		reply_rate_limited(r, retry);
		return;
	}
	json_t *j = two_strings(rq, "token", &token, &tlen, "password", &pw, &plen);
	if (!j) {
		reply_error(r, 400, "bad_request", "send {\"token\": ..., \"password\": ...}");
		return;
	}
	char hash[PASSWORD_HASH_LEN], uid[RND_ID_CHARS + 1];
	int rc = password_hash(pw, plen, hash);
	if (rc != 0) {
		json_decref(j);
		reply_error(r, 400, "bad_request", "the password must be 10 to 256 bytes");
		return;
	}
	rc = rnd_id_valid(token, tlen) ? account_setup_redeem(a->db, token, clock_unix(), hash, uid)
	                               : ERR_NOTFOUND;
	json_decref(j);
	struct user u;
	if (rc != 0 || account_user_get(a->db, uid, &u) != 0) {
		if (guard_fail(a->guard, "setup.failed", rq->source, NULL, "setup", &retry) != 0)
			reply_rate_limited(r, retry);
		else
			reply_error(r, 401, "auth", "this setup link is unknown, used or expired");
		return;
	}
	event_record(a->db, &(struct audit_rec){.tenant = u.tenant,
	                                        .actor = u.id,
	                                        .kind = "admin.setup",
	                                        .subject = u.login,
	                                        .source = rq->source,
	                                        .security = 1});
	start_session(a, &u, rq->source, r);
}

struct rows {
	struct api *a;
	json_t *arr;
};

static int user_row(void *arg, const struct user *u)
{
	struct rows *x = arg;
	json_t *o = user_json(x->a, u);
	json_object_set_new(o, "disabled", json_boolean(u->disabled));
	json_array_append_new(x->arr, o);
	return json_array_size(x->arr) >= 10000;
}

static int audit_row(void *arg, const struct audit_row *row)
{
	struct rows *x = arg;
	json_error_t err;
	json_t *detail = json_loads(row->detail, 0, &err);
	json_array_append_new(x->arr,
	                      json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:b, s:o, s:s}", "seq",
	                                (json_int_t)row->seq, "at", (json_int_t)row->at, "kind",
	                                row->kind, "actor", row->actor, "subject", row->subject,
	                                "source", row->source, "security", row->security, "detail",
	                                detail ? detail : json_object(), "hash", row->hash));
	return 0;
}

/* What the organisation's roles see of it: a tenant admin its users, a security officer
   its audit log (newest first). Always the caller's own tenant only. */
static void tenant_views(struct api *a, const struct http_req *rq, struct http_resp *r, int audit)
{
	struct caller c;
	caller_identify(a, rq, &c);
	unsigned need = audit ? ROLE_SECURITY : ROLE_TENANT_ADMIN;
	if (!c.authed) {
		reply_error(r, 401, "auth", "log in first");
		return;
	}
	if (!(c.user.roles & need)) {
		reply_error(r, 403, "forbidden",
		            audit ? "only a security officer reads the audit log"
		                  : "only a tenant administrator lists the users");
		return;
	}
	struct rows x = {a, json_array()};
	int rc = audit ? audit_list(a->db, c.user.tenant, 1000, audit_row, &x)
	               : account_user_list(a->db, c.user.tenant, user_row, &x);
	if (rc != 0) {
		json_decref(x.arr);
		reply_error(r, 500, "internal", "could not read the store");
		return;
	}
	if (audit)
		event_record(a->db, &(struct audit_rec){.tenant = c.user.tenant,
		                                        .actor = c.user.id,
		                                        .kind = "audit.read",
		                                        .subject = c.user.login,
		                                        .source = rq->source});
	reply_json(r, 200, json_pack("{s:o}", audit ? "records" : "users", x.arr));
}

int account_routes(struct api *a, const struct http_req *rq, struct http_resp *r)
{
	const char *p = rq->path;
	int post = strcmp(rq->method, "POST") == 0;
	int get = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
	if (strcmp(p, "/api/v1/login") == 0) {
		if (post)
			login(a, rq, r);
		else
			reply_error(r, 405, "method_not_allowed", "use POST");
		return 1;
	}
	if (strcmp(p, "/api/v1/users") == 0 || strcmp(p, "/api/v1/audit") == 0) {
		if (get)
			tenant_views(a, rq, r, p[8] == 'a');
		else
			reply_error(r, 405, "method_not_allowed", "use GET");
		return 1;
	}
	if (strcmp(p, "/api/v1/setup") == 0) {
		if (post)
			setup(a, rq, r);
		else
			reply_error(r, 405, "method_not_allowed", "use POST");
		return 1;
	}
	if (strcmp(p, "/api/v1/logout") == 0 || strcmp(p, "/api/v1/me") == 0) {
		struct caller c;
		caller_identify(a, rq, &c);
		if (p[8] == 'm') {
			if (!get)
				reply_error(r, 405, "method_not_allowed", "use GET");
			else if (!c.authed)
				reply_error(r, 401, "auth", "not logged in");
			else
				reply_json(r, 200,
				           json_pack("{s:o, s:s}", "user", user_json(a, &c.user),
				                     "csrf", c.ws.csrf));
			return 1;
		}
		if (!post) {
			reply_error(r, 405, "method_not_allowed", "use POST");
		} else if (caller_may_write(rq, &c, r) == 0) {
			websess_delete(a->db, c.token);
			event_record(a->db, &(struct audit_rec){.tenant = c.user.tenant,
			                                        .actor = c.user.id,
			                                        .kind = "logout",
			                                        .subject = c.user.login,
			                                        .source = rq->source});
			reply_text(r, 204, "text/plain", NULL);
			set_session_cookie(a, r, "", 0);
		}
		return 1;
	}
	return 0;
}
