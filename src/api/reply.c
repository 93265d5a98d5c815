/* reply.c - filling an http_resp. */
#include "api/reply.h"

#include <stdlib.h>
#include <string.h>

#include "api/assets.h"

const struct asset *reply_asset_find(const char *path)
{
	for (const struct asset *a = assets; a->path; a++) {
		if (strcmp(a->path, path) == 0)
			return a;
	}
	return NULL;
}

void reply_asset(struct http_resp *r, int status, const struct asset *a)
{
	r->status = status;
	r->type = a->type;
	r->body = a->data;
	r->len = a->len;
	r->cache = status == 200;
}

void reply_text(struct http_resp *r, int status, const char *type, char *owned)
{
	free(r->owned);
	r->status = status;
	r->type = type;
	r->owned = owned;
	r->body = (const unsigned char *)owned;
	r->len = owned ? strlen(owned) : 0;
	r->cache = 0;
}

void reply_json(struct http_resp *r, int status, json_t *j)
{
	reply_text(r, status, REPLY_JSON, j ? json_dumps(j, JSON_COMPACT) : NULL);
	json_decref(j);
}

void reply_error(struct http_resp *r, int status, const char *code, const char *message)
{
	reply_json(r, status, json_pack("{s:s, s:s}", "error", code, "message", message));
}

void reply_not_found(struct http_resp *r)
{
	const struct asset *a = reply_asset_find("/404.html");
	if (a) {
		reply_asset(r, 404, a);
		r->cache = 0;
	} else {
		reply_text(r, 404, "text/plain; charset=utf-8", strdup("not found\n"));
	}
}

void reply_api_not_found(struct http_resp *r)
{
	reply_error(r, 404, "not_found", "not found");
}
