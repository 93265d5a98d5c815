#include "api/routes.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/assets.h"
#include "api/internal.h"
#include "api/metrics.h"
#include "auth/guard.h"
#include "base/clock.h"
#include "base/log.h"
#include "signal/session.h"
#include "store/meeting.h"
#include "store/websess.h"

static void metrics(struct api *a, struct http_resp *r)
{
	char *text = metrics_render(a->media, a->signal);
	if (!text) {
		reply_error(r, 500, "internal", "out of memory");
		return;
	}
	reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text);
}

/* Pages that need no meeting: /login -> /login.html, and so on. */
static const char *const pages[][2] = {
    {"/", "/index.html"},
    {"/login", "/login.html"},
    {"/setup", "/setup.html"},
    {"/meetings", "/meetings.html"},
};

static void page(struct http_resp *r, const char *asset)
{
	const struct asset *a = reply_asset_find(asset);
	if (!a) {
		reply_not_found(r);
		return;
	}
	reply_asset(r, 200, a);
	r->cache = 0;
}

/* /m/<id> and /i/<secret>: the join page, or the one 404 page (S2). */
static void join_page(struct api *a, const struct http_req *rq, struct http_resp *r, int invitation,
                      const char *key)
{
	int retry;
	if (guard_check(a->guard, rq->source, NULL, &retry) != 0) {
		reply_rate_limited(r, retry);
		return;
	}
	if (meeting_page_visible(a, rq, invitation, key)) {
		page(r, "/meeting.html");
		return;
	}
	if (guard_fail(a->guard, "lookup.failed", rq->source, NULL, key, &retry) != 0)
		reply_rate_limited(r, retry);
	else
		reply_not_found(r);
}

void routes_handle(struct api *a, const struct http_req *rq, struct http_resp *r)
{
	const char *method = rq->method, *path = rq->path;
	memset(r, 0, sizeof(*r));
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

	if (strncmp(path, "/api/", 5) == 0) {
		if (!account_routes(a, rq, r) && !meeting_routes(a, rq, r))
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
	if (strncmp(path, "/m/", 3) == 0 || strncmp(path, "/i/", 3) == 0) {
		join_page(a, rq, r, path[1] == 'i', path + 3);
		return;
	}
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		if (strcmp(path, pages[i][0]) == 0) {
			page(r, pages[i][1]);
			return;
		}
	}
	const struct asset *as = reply_asset_find(path);
	/* Pages are served only under their own paths, so that each keeps one address. */
	if (as && !strstr(path, ".html")) {
		reply_asset(r, 200, as);
		return;
	}
	reply_not_found(r);
}

void routes_tick(struct api *a)
{
	signal_tick(a->signal);
	int64_t now = clock_unix();
	if (now - a->last_sweep >= 60) {
		a->last_sweep = now;
		int n = meeting_expire(a->db, now);
		if (n > 0)
			log_info("api", "%d expired meeting(s) deleted", n);
		(void)websess_purge(a->db, now);
	}
}

void http_resp_free(struct http_resp *r)
{
	free(r->owned);
	r->owned = NULL;
}
