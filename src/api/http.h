/* http.h - the control plane's server: HTTP, the REST API and WebSocket signalling on
 * libwebsockets. */
#ifndef KAMER_API_HTTP_H
#define KAMER_API_HTTP_H

#include "api/routes.h"

struct http;

/* Listens on "ADDR:PORT". NULL with a reason in why. */
struct http *http_start(const char *listen, struct api *api, char *why, size_t why_cap);
/* Serves until http_stop_soon() is called (from a signal handler too). */
void http_run(struct http *h);
void http_stop_soon(struct http *h);
/* The port actually bound (when listen asked for port 0). */
int http_port(const struct http *h);
/* Closes every connection and session, then frees. */
void http_free(struct http *h);

#endif
