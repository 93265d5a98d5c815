#include "api/routes.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/assets.h"
#include "api/reply.h"
#include "api/metrics.h"
#include "base/limits.h"
#include "base/rnd.h"
#include "sfu/media.h"
#include "signal/json.h"
#include "signal/session.h"
#include "store/db.h"

static void create_meeting(struct api *a, const char *body, size_t len, struct http_resp *r)
{
	json_error_t err;
	if (len > LIM_HTTP_BODY) {
		reply_error(r, 413, "too_large", "request body too large");
		return;
	}
	json_t *j = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		reply_error(r, 400, "bad_request", "body is not valid JSON");
		return;
	}
	if (!json_is_object(j) || json_depth(j) > LIM_JSON_DEPTH) {
		json_decref(j);
		reply_error(r, 400, "bad_request", "body must be a JSON object");
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
		reply_error(r, 400, "bad_request",
		            "title must be a string of 1 to 200 bytes without control characters");
		return;
	}
	char id[RND_ID_CHARS + 1];
	int rc = db_meeting_create(a->db, title, id);
	json_decref(j);
	if (rc != 0) {
		reply_error(r, 500, "internal", "could not store the meeting");
		return;
	}
	char url[8 + RND_ID_CHARS];
	snprintf(url, sizeof(url), "/m/%s", id);
	reply_json(r, 201, json_pack("{s:s, s:s}", "id", id, "url", url));
}

static void metrics(struct api *a, struct http_resp *r)
{
	char *text = metrics_render(a->media, a->signal);
	if (!text) {
		reply_error(r, 500, "internal", "out of memory");
		return;
	}
	reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text);
}

void routes_handle(struct api *a, const struct http_req *rq, struct http_resp *r)
{
	const char *method = rq->method, *path = rq->path;
	memset(r, 0, sizeof(*r));
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	int post = strcmp(method, "POST") == 0;

	if (strncmp(path, "/api/", 5) == 0) {
		if (strcmp(path, "/api/v1/meetings") == 0) {
			if (post)
				create_meeting(a, rq->body, rq->body_len, r);
			else
				reply_error(r, 405, "method_not_allowed", "use POST");
			return;
		}
		reply_error(r, 404, "not_found", "no such endpoint");
		return;
	}
	if (!get) {
		reply_error(r, 405, "method_not_allowed", "only GET here");
		return;
	}
	if (strcmp(path, "/healthz") == 0) {
		reply_text(r, 200, "text/plain; charset=utf-8", strdup("ok\n"));
		return;
	}
	if (strcmp(path, "/metrics") == 0) {
		metrics(a, r);
		return;
	}
	if (strncmp(path, "/m/", 3) == 0) {
		const char *id = path + 3;
		char title[LIM_TITLE + 1];
		const struct asset *page = reply_asset_find("/meeting.html");
		if (page && rnd_id_valid(id, strlen(id)) &&
		    db_meeting_get(a->db, id, title, sizeof(title)) == 0) {
			reply_asset(r, 200, page);
			r->cache = 0;
			return;
		}
		reply_not_found(r);
		return;
	}
	const struct asset *as = reply_asset_find(strcmp(path, "/") == 0 ? "/index.html" : path);
	if (as && strcmp(path, "/404.html") != 0) {
		reply_asset(r, 200, as);
		return;
	}
	reply_not_found(r);
}

void routes_tick(struct api *a)
{
	signal_tick(a->signal);
}

void http_resp_free(struct http_resp *r)
{
	free(r->owned);
	r->owned = NULL;
}
