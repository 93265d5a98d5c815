#include "api/routes.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/assets.h"
#include "api/metrics.h"
#include "base/limits.h"
#include "base/rnd.h"
#include "sfu/media.h"
#include "signal/json.h"
#include "signal/session.h"
#include "store/db.h"

#define JSON_TYPE "application/json"

static const struct asset *asset_find(const char *path)
{
	for (const struct asset *a = assets; a->path; a++) {
		if (strcmp(a->path, path) == 0)
			return a;
	}
	return NULL;
}

static void set_asset(struct http_resp *r, int status, const struct asset *a)
{
	r->status = status;
	r->type = a->type;
	r->body = a->data;
	r->len = a->len;
	r->cache = status == 200;
}

static void set_text(struct http_resp *r, int status, const char *type, char *owned)
{
	r->status = status;
	r->type = type;
	r->owned = owned;
	r->body = (const unsigned char *)owned;
	r->len = owned ? strlen(owned) : 0;
}

static void set_json(struct http_resp *r, int status, json_t *j)
{
	set_text(r, status, JSON_TYPE, json_dumps(j, JSON_COMPACT));
	json_decref(j);
}

static void error_json(struct http_resp *r, int status, const char *code, const char *message)
{
	set_json(r, status, json_pack("{s:s, s:s}", "error", code, "message", message));
}

/* Unknown paths, unknown meetings and meetings the caller may not see all get this (S2). */
static void not_found(struct http_resp *r)
{
	const struct asset *a = asset_find("/404.html");
	if (a) {
		set_asset(r, 404, a);
		r->cache = 0;
	} else {
		set_text(r, 404, "text/plain; charset=utf-8", strdup("not found\n"));
	}
}

static void create_meeting(struct api *a, const char *body, size_t len, struct http_resp *r)
{
	json_error_t err;
	if (len > LIM_HTTP_BODY) {
		error_json(r, 413, "too_large", "request body too large");
		return;
	}
	json_t *j = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		error_json(r, 400, "bad_request", "body is not valid JSON");
		return;
	}
	if (!json_is_object(j) || json_depth(j) > LIM_JSON_DEPTH) {
		json_decref(j);
		error_json(r, 400, "bad_request", "body must be a JSON object");
		return;
	}
	json_t *t = json_object_get(j, "title");
	const char *title = json_string_value(t);
	size_t tlen = json_string_length(t);
	int ok = title && tlen > 0 && tlen <= LIM_TITLE && !memchr(title, '\0', tlen);
	for (size_t i = 0; ok && i < tlen; i++) {
		unsigned char c = (unsigned char)title[i];
		if (c < 0x20 || c == 0x7f)
			ok = 0;
	}
	if (!ok) {
		json_decref(j);
		error_json(r, 400, "bad_request",
		           "title must be a string of 1 to 200 bytes without control characters");
		return;
	}
	char id[RND_ID_CHARS + 1];
	int rc = db_meeting_create(a->db, title, id);
	json_decref(j);
	if (rc != 0) {
		error_json(r, 500, "internal", "could not store the meeting");
		return;
	}
	char url[8 + RND_ID_CHARS];
	snprintf(url, sizeof(url), "/m/%s", id);
	set_json(r, 201, json_pack("{s:s, s:s}", "id", id, "url", url));
}

static void metrics(struct api *a, struct http_resp *r)
{
	char *text = metrics_render(a->media, a->signal);
	if (!text) {
		error_json(r, 500, "internal", "out of memory");
		return;
	}
	set_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text);
}

void routes_handle(struct api *a, const char *method, const char *path, const char *body,
                   size_t body_len, struct http_resp *r)
{
	memset(r, 0, sizeof(*r));
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	int post = strcmp(method, "POST") == 0;

	if (strncmp(path, "/api/", 5) == 0) {
		if (strcmp(path, "/api/v1/meetings") == 0) {
			if (post)
				create_meeting(a, body, body_len, r);
			else
				error_json(r, 405, "method_not_allowed", "use POST");
			return;
		}
		error_json(r, 404, "not_found", "no such endpoint");
		return;
	}
	if (!get) {
		error_json(r, 405, "method_not_allowed", "only GET here");
		return;
	}
	if (strcmp(path, "/healthz") == 0) {
		set_text(r, 200, "text/plain; charset=utf-8", strdup("ok\n"));
		return;
	}
	if (strcmp(path, "/metrics") == 0) {
		metrics(a, r);
		return;
	}
	if (strncmp(path, "/m/", 3) == 0) {
		const char *id = path + 3;
		char title[LIM_TITLE + 1];
		const struct asset *page = asset_find("/meeting.html");
		if (page && rnd_id_valid(id, strlen(id)) &&
		    db_meeting_get(a->db, id, title, sizeof(title)) == 0) {
			set_asset(r, 200, page);
			r->cache = 0;
			return;
		}
		not_found(r);
		return;
	}
	const struct asset *as = asset_find(strcmp(path, "/") == 0 ? "/index.html" : path);
	if (as && strcmp(path, "/404.html") != 0) {
		set_asset(r, 200, as);
		return;
	}
	not_found(r);
}

void http_resp_free(struct http_resp *r)
{
	free(r->owned);
	r->owned = NULL;
}
