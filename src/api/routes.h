/* routes.h - HTTP routes as plain functions of (method, path, body): no sockets here. */
#ifndef KAMER_API_ROUTES_H
#define KAMER_API_ROUTES_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct media;
struct signal;
struct guard;

struct api {
	struct db *db;
	struct media *media;
	struct signal *signal;
	struct guard *guard;
	int ceiling;        /* enum level */
	int secure_cookies; /* behind TLS: cookies get Secure */
	int64_t last_sweep; /* when expired meetings and sessions were last purged */
};

/* One request, as the transport read it. Strings are never NULL ("" when absent). */
struct http_req {
	const char *method; /* GET, HEAD, POST, PATCH, DELETE, or OTHER */
	const char *path;   /* without the query */
	const char *query;
	const char *body;
	size_t body_len;
	const char *cookie;       /* the whole Cookie header */
	const char *csrf;         /* X-Kamer-CSRF */
	const char *origin;       /* Origin */
	const char *host;         /* Host */
	const char *content_type; /* Content-Type */
	const char *source;       /* the peer's address, for rate limits and the audit log */
};

struct http_resp {
	int status;
	const char *type;          /* Content-Type */
	const unsigned char *body; /* static, or owned when owned != NULL */
	size_t len;
	char *owned;           /* free() after sending */
	int cache;             /* 1: static asset that may be cached briefly */
	char set_cookie[256];  /* Set-Cookie value, "" for none */
	int retry_after;       /* seconds for Retry-After, 0 for none */
	char disposition[128]; /* Content-Disposition, "" for none */
};

/* Fills resp for a request. Never fails: bad requests get a 4xx response. */
void routes_handle(struct api *a, const struct http_req *rq, struct http_resp *resp);
void http_resp_free(struct http_resp *r);
/* Called a few times a second on the control thread: timers of every module. */
void routes_tick(struct api *a);

#endif
