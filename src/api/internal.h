/* internal.h - what the api/ route modules share. */
#ifndef KAMER_API_INTERNAL_H
#define KAMER_API_INTERNAL_H

#include <jansson.h>

#include "api/reply.h"
#include "api/routes.h"
#include "store/account.h"
#include "store/websess.h"

/* Who is calling, from the session cookie. */
struct caller {
	int authed;
	struct user user;
	struct websess ws;
	char token[WEBSESS_TOKEN_LEN + 1];
	const char *source;
};

void caller_identify(struct api *a, const struct http_req *rq, struct caller *c);
/* State-changing requests: the Origin (if any) must be ours and the session's CSRF token
   must come in X-Kamer-CSRF. 0, or r filled with 403 and ERR_AUTH. */
int caller_may_write(const struct http_req *rq, const struct caller *c, struct http_resp *r);
/* A body must be JSON: 0, or r filled with 415 and ERR_PROTO. */
int request_is_json(const struct http_req *rq, struct http_resp *r);
json_t *user_json(struct api *a, const struct user *u);
/* 429 with Retry-After. */
void reply_rate_limited(struct http_resp *r, int retry_after);

/* account_routes.c: /api/v1/login, logout, me, setup. 1 when the path was theirs. */
int account_routes(struct api *a, const struct http_req *rq, struct http_resp *r);
/* meeting_routes.c: /api/v1/meetings... */
int meeting_routes(struct api *a, const struct http_req *rq, struct http_resp *r);
/* /m/<id> and /i/<secret>: whether the caller may see the join page (S2). */
int meeting_page_visible(struct api *a, const struct http_req *rq, int invitation, const char *key);

#endif
