/* reply.h - filling an http_resp: JSON, errors, the one 404 page, static assets. */
#ifndef KAMER_API_REPLY_H
#define KAMER_API_REPLY_H

#include <jansson.h>

#include "api/routes.h"

#define REPLY_JSON "application/json"

/* The embedded asset at path ("/app.js"), or NULL. */
const struct asset *reply_asset_find(const char *path);
void reply_asset(struct http_resp *r, int status, const struct asset *a);
/* Takes ownership of owned (a malloc'd NUL-terminated string; NULL gives an empty body). */
void reply_text(struct http_resp *r, int status, const char *type, char *owned);
/* Takes the reference to j. */
void reply_json(struct http_resp *r, int status, json_t *j);
void reply_error(struct http_resp *r, int status, const char *code, const char *message);
/* Unknown paths, unknown meetings and meetings the caller may not see all get this page (S2). */
void reply_not_found(struct http_resp *r);
/* The API's 404 for a meeting or invitation the caller may not see: the same for all (S2). */
void reply_api_not_found(struct http_resp *r);

#endif
