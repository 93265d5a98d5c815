/* routes.h - HTTP routes as plain functions of (method, path, body): no sockets here. */
#ifndef KAMER_API_ROUTES_H
#define KAMER_API_ROUTES_H

#include <stddef.h>

struct db;
struct media;
struct signal;

struct api {
	struct db *db;
	struct media *media;
	struct signal *signal;
};

struct http_resp {
	int status;
	const char *type;          /* Content-Type */
	const unsigned char *body; /* static, or owned when owned != NULL */
	size_t len;
	char *owned; /* free() after sending */
	int cache;   /* 1: static asset that may be cached briefly */
};

/* Fills resp for a request. Never fails: bad requests get a 4xx response. */
void routes_handle(struct api *a, const char *method, const char *path, const char *body,
                   size_t body_len, struct http_resp *resp);
void http_resp_free(struct http_resp *r);

#endif
