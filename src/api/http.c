/* http.c - libwebsockets glue: requests to routes.c, WebSocket messages to signal/session.c. */
#include "api/http.h"

#include <ev.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include "net/udp.h"
#include "signal/session.h"

#define WS_QUEUE                                                                                   \
	64 /* messages waiting for one client; a client that falls further behind is dropped */
#define CHUNK 8192

struct http {
	struct lws_context *ctx;
	struct ev_loop *loop; /* libev on epoll: a wakeup costs the same with 10 sockets or 4000 */
	struct api *api;
	volatile sig_atomic_t stop;
	int port;
	char iface[64];
	lws_sorted_usec_list_t tick;
	lws_sorted_usec_list_t due; /* signalling's work put off for a moment */
	struct ws *sockets;         /* every open WebSocket, for the idle check */
};

#define TICK_US (200 * LWS_US_PER_MS)

/* A WebSocket that has sent nothing for WS_PING_US gets a ping; one silent for WS_HANGUP_US
   is closed, so that a peer that vanished (network cut) is noticed within seconds and its
   seat shows "reconnecting" to the others (docs/PROTOCOL.md) instead of looking alive.
   Checked by one sweep per tick: libwebsockets' own idle policy re-sorts a timer list of
   every socket on each message received, which costs O(sockets) per message. */
#define WS_PING_US   (3 * 1000000ull)
#define WS_HANGUP_US (8 * 1000000ull)

static void ws_sweep(struct http *h);

static void on_tick(lws_sorted_usec_list_t *sul)
{
	struct http *h = lws_container_of(sul, struct http, tick);
	routes_tick(h->api);
	ws_sweep(h);
	lws_sul_schedule(h->ctx, 0, &h->tick, on_tick, TICK_US);
}

static void on_due(lws_sorted_usec_list_t *sul)
{
	struct http *h = lws_container_of(sul, struct http, due);
	signal_run_due(h->api->signal);
}

/* The signalling's timer (signal_set_waker): on the loop's own timer list. */
static void wake_signal(void *ctx, unsigned ms)
{
	struct http *h = ctx;
	lws_sul_schedule(h->ctx, 0, &h->due, on_due, (lws_usec_t)ms * LWS_US_PER_MS);
}

/* Per HTTP request. */
struct req {
	char method[8];
	char path[256];
	char query[256];
	char cookie[1024];
	char csrf[80];
	char origin[256];
	char host[256];
	char content_type[128];
	char source[64];
	char *body;
	size_t body_len;
	int too_large;
	struct http_resp resp;
	size_t sent;
	int responding;
};

/* Per WebSocket. */
struct ws {
	struct session *session;
	struct lws *wsi;
	char *in;
	size_t in_len;
	int in_overflow;
	char *out[WS_QUEUE];
	size_t out_len[WS_QUEUE];
	size_t out_head, out_n;
	int close_after;
	int dead;
	uint64_t heard_us; /* when the peer last sent anything, a pong included */
	int ping_due, pinged;
	struct ws *prev, *next; /* in http.sockets */
};

static void ws_link(struct http *h, struct ws *w)
{
	w->prev = NULL;
	w->next = h->sockets;
	if (h->sockets)
		h->sockets->prev = w;
	h->sockets = w;
}

static void ws_unlink(struct http *h, struct ws *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else if (h->sockets == w)
		h->sockets = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->prev = w->next = NULL;
}

static void ws_heard(struct ws *w)
{
	w->heard_us = clock_us();
	w->pinged = 0;
}

static void ws_sweep(struct http *h)
{
	uint64_t now = clock_us();
	for (struct ws *w = h->sockets; w; w = w->next) {
		uint64_t quiet = now - w->heard_us;
		if (quiet >= WS_HANGUP_US) {
			/* Not through the writable callback: a vanished peer's full send buffer
			   would never make the socket writable. */
			lws_set_timeout(w->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
		} else if (quiet >= WS_PING_US && !w->pinged) {
			w->pinged = 1;
			w->ping_due = 1;
			lws_callback_on_writable(w->wsi);
		}
	}
}

static const char *const security_headers[][2] = {
    {"content-security-policy:",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "connect-src 'self'; media-src 'self' blob:; object-src 'none'; "
     "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"},
    {"x-content-type-options:", "nosniff"},
    {"referrer-policy:", "no-referrer"},
    {"x-frame-options:", "DENY"},
    {"cross-origin-opener-policy:", "same-origin"},
    {"permissions-policy:",
     "camera=(self), microphone=(self), display-capture=(self), geolocation=()"},
};

static int write_headers(struct lws *wsi, struct req *r)
{
	uint8_t buf[LWS_PRE + 2048], *start = buf + LWS_PRE, *p = start,
	                             *end = buf + sizeof(buf) - 1;
	if (lws_add_http_common_headers(wsi, (unsigned)r->resp.status, r->resp.type, r->resp.len,
	                                &p, end))
		return -1;
	for (size_t i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]); i++) {
		const char *v = security_headers[i][1];
		if (lws_add_http_header_by_name(wsi, (const uint8_t *)security_headers[i][0],
		                                (const uint8_t *)v, (int)strlen(v), &p, end))
			return -1;
	}
	const char *cache = r->resp.cache ? "max-age=300" : "no-store";
	if (lws_add_http_header_by_name(wsi, (const uint8_t *)"cache-control:",
	                                (const uint8_t *)cache, (int)strlen(cache), &p, end))
		return -1;
	char retry[16];
	const char *extra[][2] = {
	    {"set-cookie:", r->resp.set_cookie},
	    {"content-disposition:", r->resp.disposition},
	    {"retry-after:", retry},
	};
	snprintf(retry, sizeof(retry), "%d", r->resp.retry_after);
	if (!r->resp.retry_after)
		retry[0] = '\0';
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		if (extra[i][1][0] &&
		    lws_add_http_header_by_name(wsi, (const uint8_t *)extra[i][0],
		                                (const uint8_t *)extra[i][1],
		                                (int)strlen(extra[i][1]), &p, end))
			return -1;
	}
	if (lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	return 0;
}

static int respond(struct lws *wsi, struct http *h, struct req *r)
{
	struct http_req rq = {
	    .method = r->method,
	    .path = r->path,
	    .query = r->query,
	    .body = r->body ? r->body : "",
	    .body_len = r->body_len,
	    .cookie = r->cookie,
	    .csrf = r->csrf,
	    .origin = r->origin,
	    .host = r->host,
	    .content_type = r->content_type,
	    .source = r->source,
	};
	routes_handle(h->api, &rq, &r->resp);
	if (r->too_large) {
		http_resp_free(&r->resp);
		static const char msg[] =
		    "{\"error\":\"too_large\",\"message\":\"request body too large\"}";
		r->resp = (struct http_resp){.status = 413,
		                             .type = "application/json",
		                             .body = (const unsigned char *)msg,
		                             .len = sizeof(msg) - 1};
	}
	if (strcmp(r->method, "HEAD") == 0)
		r->resp.len = 0;
	r->responding = 1;
	r->sent = 0;
	if (write_headers(wsi, r) != 0)
		return -1;
	lws_callback_on_writable(wsi);
	return 0;
}

static void req_reset(struct req *r)
{
	if (!r)
		return; /* lws may report a close before any request state exists */
	free(r->body);
	http_resp_free(&r->resp);
	memset(r, 0, sizeof(*r));
}

static void copy_hdr(struct lws *wsi, char *dst, size_t cap, enum lws_token_indexes tok)
{
	dst[0] = '\0';
	if (lws_hdr_total_length(wsi, tok) >= (int)cap || lws_hdr_copy(wsi, dst, (int)cap, tok) < 0)
		dst[0] = '\0'; /* over-long headers count as absent */
}

static void req_read_headers(struct lws *wsi, struct req *r)
{
	copy_hdr(wsi, r->cookie, sizeof(r->cookie), WSI_TOKEN_HTTP_COOKIE);
	copy_hdr(wsi, r->origin, sizeof(r->origin), WSI_TOKEN_ORIGIN);
	copy_hdr(wsi, r->host, sizeof(r->host), WSI_TOKEN_HOST);
	copy_hdr(wsi, r->content_type, sizeof(r->content_type), WSI_TOKEN_HTTP_CONTENT_TYPE);
	/* The query string arrives as fragments joined with '&'. */
	r->query[0] = '\0';
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS) < (int)sizeof(r->query))
		lws_hdr_copy(wsi, r->query, sizeof(r->query), WSI_TOKEN_HTTP_URI_ARGS);
	r->csrf[0] = '\0';
	int n = lws_hdr_custom_length(wsi, "x-kamer-csrf:", 13);
	if (n > 0 && n < (int)sizeof(r->csrf) &&
	    lws_hdr_custom_copy(wsi, r->csrf, sizeof(r->csrf), "x-kamer-csrf:", 13) < 0)
		r->csrf[0] = '\0';
	lws_get_peer_simple(wsi, r->source, sizeof(r->source));
}

static int cb_http(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                   size_t len)
{
	struct http *h = lws_context_user(lws_get_context(wsi));
	struct req *r = user;
	switch (reason) {
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED: /* http_stop_soon, on the loop's thread now */
		if (h->stop)
			ev_break(h->loop, EVBREAK_ALL);
		return 0;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return 1; /* a WebSocket without our sub-protocol */
	case LWS_CALLBACK_HTTP: {
		req_reset(r);
		static const struct {
			enum lws_token_indexes tok;
			const char *name;
			int body;
		} methods[] = {
		    {WSI_TOKEN_POST_URI, "POST", 1},     {WSI_TOKEN_PATCH_URI, "PATCH", 1},
		    {WSI_TOKEN_DELETE_URI, "DELETE", 1}, {WSI_TOKEN_HEAD_URI, "HEAD", 0},
		    {WSI_TOKEN_GET_URI, "GET", 0},
		};
		int body = 0;
		snprintf(r->method, sizeof(r->method), "OTHER");
		for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
			if (lws_hdr_total_length(wsi, methods[i].tok)) {
				snprintf(r->method, sizeof(r->method), "%s", methods[i].name);
				body = methods[i].body;
				break;
			}
		}
		if (len >= sizeof(r->path))
			snprintf(r->path, sizeof(r->path), "/too-long");
		else
			snprintf(r->path, sizeof(r->path), "%.*s", (int)len, (const char *)in);
		req_read_headers(wsi, r);
		if (body && lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0)
			return 0; /* wait for the body */
		return respond(wsi, h, r);
	}
	case LWS_CALLBACK_HTTP_BODY: {
		if (r->too_large || len == 0 || !in)
			return 0;
		if (r->body_len + len > LIM_HTTP_BODY) {
			r->too_large = 1;
			return 0;
		}
		char *nb = realloc(r->body, r->body_len + len + 1);
		if (!nb)
			return -1;
		r->body = nb;
		memcpy(r->body + r->body_len, in, len);
		r->body_len += len;
		r->body[r->body_len] = '\0';
		return 0;
	}
	case LWS_CALLBACK_HTTP_BODY_COMPLETION: return respond(wsi, h, r);
	case LWS_CALLBACK_HTTP_WRITEABLE: {
		if (!r->responding)
			return 0;
		size_t left = r->resp.len - r->sent;
		size_t n = left > CHUNK ? CHUNK : left;
		uint8_t buf[LWS_PRE + CHUNK];
		if (n > 0)
			memcpy(buf + LWS_PRE, r->resp.body + r->sent, n);
		int final = r->sent + n == r->resp.len;
		if (lws_write(wsi, buf + LWS_PRE, n,
		              final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
			return -1;
		r->sent += n;
		if (!final) {
			lws_callback_on_writable(wsi);
			return 0;
		}
		req_reset(r);
		if (lws_http_transaction_completed(wsi))
			return -1;
		return 0;
	}
	case LWS_CALLBACK_CLOSED_HTTP: req_reset(r); return 0;
	default: break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static void ws_send(void *ctx, const char *json, size_t len, int close_after)
{
	struct ws *w = ctx;
	if (w->dead)
		return;
	if (w->out_n == WS_QUEUE) {
		/* A client that reads nothing cannot hold the server's memory (limits.h). */
		log_warn("http", "WebSocket client too slow; closing");
		w->dead = 1;
		lws_callback_on_writable(w->wsi);
		return;
	}
	char *buf = malloc(LWS_PRE + len);
	if (!buf)
		return;
	memcpy(buf + LWS_PRE, json, len);
	size_t slot = (w->out_head + w->out_n) % WS_QUEUE;
	w->out[slot] = buf;
	w->out_len[slot] = len;
	w->out_n++;
	if (close_after)
		w->close_after = 1;
	lws_callback_on_writable(w->wsi);
}

static void ws_drop_queue(struct ws *w)
{
	while (w->out_n > 0) {
		free(w->out[w->out_head]);
		w->out_head = (w->out_head + 1) % WS_QUEUE;
		w->out_n--;
	}
	free(w->in);
	w->in = NULL;
}

/* Cross-site WebSocket hijacking defence: a browser's Origin must name this host. */
static int origin_ok(struct lws *wsi)
{
	char origin[256], host[256];
	if (lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN) <= 0)
		return 1; /* not a browser: no ambient credentials to abuse */
	if (lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) <= 0)
		return 0;
	const char *o = strstr(origin, "://");
	return o && strcmp(o + 3, host) == 0;
}

static int cb_ws(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                 size_t len)
{
	struct http *h = lws_context_user(lws_get_context(wsi));
	struct ws *w = user;
	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
		char uri[64];
		if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 ||
		    strcmp(uri, "/ws") != 0)
			return 1;
		return origin_ok(wsi) ? 0 : 1;
	}
	case LWS_CALLBACK_ESTABLISHED: {
		memset(w, 0, sizeof(*w));
		w->wsi = wsi;
		struct session_peer peer;
		copy_hdr(wsi, peer.cookie, sizeof(peer.cookie), WSI_TOKEN_HTTP_COOKIE);
		lws_get_peer_simple(wsi, peer.source, sizeof(peer.source));
		w->session = session_open(h->api->signal, ws_send, w, &peer);
		if (!w->session)
			return -1;
		ws_heard(w);
		ws_link(h, w);
		return 0;
	}
	case LWS_CALLBACK_RECEIVE_PONG: ws_heard(w); return 0;
	case LWS_CALLBACK_RECEIVE: {
		ws_heard(w);
		if (lws_is_first_fragment(wsi)) {
			w->in_len = 0;
			w->in_overflow = 0;
		}
		if (!w->in_overflow && w->in_len + len <= LIM_WS_MESSAGE) {
			char *nb = realloc(w->in, w->in_len + len + 1);
			if (!nb)
				return -1;
			w->in = nb;
			memcpy(w->in + w->in_len, in, len);
			w->in_len += len;
		} else {
			w->in_overflow = 1;
		}
		if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) > 0)
			return 0;
		if (w->in_overflow) {
			static const char e[] =
			    "{\"type\":\"error\",\"code\":\"limit\","
			    "\"message\":\"message too large\",\"fatal\":false}";
			ws_send(w, e, sizeof(e) - 1, 0);
		} else {
			session_on_message(w->session, w->in ? w->in : "", w->in_len);
		}
		w->in_len = 0;
		return 0;
	}
	case LWS_CALLBACK_SERVER_WRITEABLE: {
		if (w->dead)
			return -1;
		if (w->ping_due) {
			/* With a payload: libwebsockets hides an empty pong from the callback. */
			uint8_t ping[LWS_PRE + 1] = {[LWS_PRE] = 'k'};
			w->ping_due = 0;
			if (lws_write(wsi, ping + LWS_PRE, 1, LWS_WRITE_PING) < 1)
				return -1;
			if (w->out_n > 0 || w->close_after)
				lws_callback_on_writable(wsi); /* one write per callback */
			return 0;
		}
		if (w->out_n > 0) {
			char *buf = w->out[w->out_head];
			size_t n = w->out_len[w->out_head];
			int rc = lws_write(wsi, (uint8_t *)buf + LWS_PRE, n, LWS_WRITE_TEXT);
			free(buf);
			w->out_head = (w->out_head + 1) % WS_QUEUE;
			w->out_n--;
			if (rc < (int)n)
				return -1;
		}
		if (w->out_n > 0)
			lws_callback_on_writable(wsi);
		else if (w->close_after)
			return -1;
		return 0;
	}
	case LWS_CALLBACK_CLOSED:
		ws_unlink(h, w);
		session_close(w->session);
		w->session = NULL;
		ws_drop_queue(w);
		return 0;
	default: break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
    {"http", cb_http, sizeof(struct req), 0, 0, NULL, 0},
    {"kamer.v1", cb_ws, sizeof(struct ws), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

struct http *http_start(const char *listen, struct api *api, char *why, size_t why_cap)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	if (addr_parse(listen, &sa, &salen) != 0) {
		snprintf(why, why_cap, "--listen wants ADDR:PORT, got '%s'", listen);
		return NULL;
	}
	struct http *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->api = api;
	if (addr_host((struct sockaddr *)&sa, h->iface, sizeof(h->iface)) != 0)
		goto fail;
	lws_set_log_level(LLL_ERR, NULL);
	h->loop = ev_loop_new(EVBACKEND_EPOLL | EVFLAG_NOSIGMASK);
	if (!h->loop) {
		snprintf(why, why_cap, "cannot create the event loop");
		goto fail;
	}
	void *loops[1] = {h->loop};
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	info.port = addr_port((struct sockaddr *)&sa);
	info.iface = h->iface;
	info.protocols = protocols;
	info.user = h;
	info.gid = (gid_t)-1;
	info.uid = (uid_t)-1;
	info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_LIBEV;
	info.foreign_loops = loops;
	if (sa.ss_family == AF_INET)
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	info.max_http_header_pool = 64;
	info.timeout_secs = 20;
	h->ctx = lws_create_context(&info);
	if (!h->ctx) {
		snprintf(why, why_cap, "cannot listen on %s", listen);
		goto fail;
	}
	struct lws_vhost *vh = lws_get_vhost_by_name(h->ctx, "default");
	h->port = vh ? lws_get_vhost_listen_port(vh) : info.port;
	lws_sul_schedule(h->ctx, 0, &h->tick, on_tick, TICK_US);
	if (api->signal)
		signal_set_waker(api->signal, wake_signal, h);
	return h;
fail:
	if (h->loop)
		ev_loop_destroy(h->loop);
	free(h);
	return NULL;
}

int http_port(const struct http *h)
{
	return h->port;
}

void http_run(struct http *h)
{
	if (!h->stop)
		ev_run(h->loop, 0);
}

void http_stop_soon(struct http *h)
{
	h->stop = 1;
	lws_cancel_service(h->ctx);
}

void http_free(struct http *h)
{
	if (!h)
		return;
	if (h->api->signal) /* the sessions that close below may put work off: nothing to call */
		signal_set_waker(h->api->signal, NULL, NULL);
	lws_context_destroy(
	    h->ctx); /* closes every socket: LWS_CALLBACK_CLOSED ends the sessions */
	ev_loop_destroy(h->loop);
	free(h);
}
