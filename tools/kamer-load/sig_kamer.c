/* sig_kamer.c - kamerd's signalling for kamer-load (docs/PROTOCOL.md, docs/API.md): the
 * REST calls over HTTP and one WebSocket ("kamer.v1") per participant, on libwebsockets. */
#include <jansson.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "lws_loop.h"
#include "sig.h"

#define HTTP_TIMEOUT_NS 10000000000ull
#define RESP_MAX        65536

enum conn_kind { CONN_HTTP, CONN_WS };

struct http_req {
	enum conn_kind kind;
	struct sig *s;
	const char *method, *path;
	char *body;
	int status, done, failed;
	struct lws *wsi;
	char *resp;
	size_t resp_len;
	char set_cookie[512];
};

struct msg {
	struct msg *next;
	size_t len;
	unsigned char data[]; /* LWS_PRE bytes, then the text */
};

struct sig_part {
	enum conn_kind kind;
	struct sig *s;
	struct sig_part *prev, *next; /* the live ones, in s->parts */
	struct load_part *p;
	struct lws *wsi;
	char room[128], name[64];
	struct msg *head, *tail;
	char *rx;
	size_t rx_len;
	int joined, leaving;
};

struct sig {
	struct lws_context *ctx;
	struct lws_loop loop;
	char scheme[8], host[256];
	int port, tls, verbose;
	/* What a connection's opaque pointer may name: lws can call back for a connection
	   after its request ended, so a pointer is used only once found here. */
	struct http_req *req;
	struct sig_part *parts;
	char cookie[600]; /* "kamer_session=..." once logged in */
	char csrf[256];
};

/* ---- authentication: the one place that knows how kamerd's login works ---- */

/* Adds what makes a request ours: the session cookie on every request (the WebSocket
   upgrade included) and the CSRF token on every POST (docs/API.md). */
static int kamer_auth_headers(struct sig *s, struct lws *wsi, unsigned char **p, unsigned char *end,
                              int post)
{
	if (s->cookie[0] && lws_add_http_header_by_name(wsi, (const unsigned char *)"cookie:",
	                                                (const unsigned char *)s->cookie,
	                                                (int)strlen(s->cookie), p, end))
		return -1;
	if (post && s->csrf[0] &&
	    lws_add_http_header_by_name(
	        wsi, (const unsigned char *)"x-kamer-csrf:", (const unsigned char *)s->csrf,
	        (int)strlen(s->csrf), p, end))
		return -1;
	return 0;
}

/* ---- HTTP requests, one at a time, waited for ---- */

static int http_cb(struct lws *wsi, enum lws_callback_reasons reason, struct http_req *r, void *in,
                   size_t len)
{
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
		unsigned char **p = in, *end = (*p) + len;
		int post = strcmp(r->method, "GET") != 0;
		if (kamer_auth_headers(r->s, wsi, p, end, post))
			return -1;
		if (r->body) {
			char cl[32];
			snprintf(cl, sizeof(cl), "%zu", strlen(r->body));
			if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
			                                 (const unsigned char *)"application/json",
			                                 16, p, end) ||
			    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH,
			                                 (const unsigned char *)cl, (int)strlen(cl),
			                                 p, end))
				return -1;
			lws_client_http_body_pending(wsi, 1);
			lws_callback_on_writable(wsi);
		}
		return 0;
	}
	case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE: {
		size_t n = strlen(r->body);
		unsigned char *buf = malloc(LWS_PRE + n);
		if (!buf)
			return -1;
		memcpy(buf + LWS_PRE, r->body, n);
		int w = lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_HTTP_FINAL);
		free(buf);
		lws_client_http_body_pending(wsi, 0);
		return w < (int)n ? -1 : 0;
	}
	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		r->status = (int)lws_http_client_http_response(wsi);
		if (lws_hdr_copy(wsi, r->set_cookie, sizeof(r->set_cookie),
		                 WSI_TOKEN_HTTP_SET_COOKIE) < 0)
			r->set_cookie[0] = '\0';
		return 0;
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
		char buf[LWS_PRE + 4096], *px = buf + LWS_PRE;
		int n = 4096;
		return lws_http_client_read(wsi, &px, &n) < 0 ? -1 : 0;
	}
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
		if (r->resp_len + len < RESP_MAX) {
			memcpy(r->resp + r->resp_len, in, len);
			r->resp_len += len;
			r->resp[r->resp_len] = '\0';
		}
		return 0;
	case LWS_CALLBACK_COMPLETED_CLIENT_HTTP: r->done = 1; return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		r->failed = 1;
		r->done = 1;
		return 0;
	case LWS_CALLBACK_CLOSED_CLIENT_HTTP: r->done = 1; return 0;
	default: return 0;
	}
}

static void service(struct sig *s, int timeout_ms)
{
	lws_loop_service(&s->loop, s->ctx, timeout_ms);
}

/* 0 with the HTTP status in *status and the body in resp (NUL-terminated), or ERR_IO. */
static int http_request(struct sig *s, const char *method, const char *path, const char *body,
                        int *status, char *resp, char *set_cookie, size_t sc_cap)
{
	struct http_req r = {
	    .kind = CONN_HTTP, .s = s, .method = method, .path = path, .resp = resp};
	resp[0] = '\0';
	r.body = body ? strdup(body) : NULL;
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof(ci));
	ci.context = s->ctx;
	ci.address = s->host;
	ci.port = s->port;
	ci.ssl_connection = s->tls ? LCCSCF_USE_SSL : 0;
	ci.path = path;
	ci.host = s->host;
	ci.method = method;
	ci.local_protocol_name = "kamer-http";
	ci.opaque_user_data = &r;
	ci.pwsi = &r.wsi;
	s->req = &r;
	if (!lws_client_connect_via_info(&ci)) {
		s->req = NULL;
		free(r.body);
		return ERR_IO;
	}
	for (int i = 0; i < 1000 && !r.done; i++)
		service(s, 10);
	if (!r.done && r.wsi) {
		/* Timed out: cut the connection loose from r before r goes away. */
		lws_set_opaque_user_data(r.wsi, NULL);
		lws_set_timeout(r.wsi, PENDING_TIMEOUT_CLOSE_ACK, LWS_TO_KILL_ASYNC);
	}
	s->req = NULL;
	free(r.body);
	if (!r.done || r.failed)
		return ERR_IO;
	*status = r.status;
	if (set_cookie)
		snprintf(set_cookie, sc_cap, "%s", r.set_cookie);
	return 0;
}

/* POST /api/v1/login; keeps the kamer_session cookie and the csrf token. */
static int kamer_login(struct sig *s, const char *user, const char *password, char *why,
                       size_t why_cap)
{
	json_t *b = json_pack("{s:s, s:s}", "user", user, "password", password ? password : "");
	char *body = b ? json_dumps(b, JSON_COMPACT) : NULL;
	json_decref(b);
	char *resp = malloc(RESP_MAX);
	char sc[512];
	int status = 0, rc = ERR_AUTH;
	if (!body || !resp)
		goto fail;
	if (http_request(s, "POST", "/api/v1/login", body, &status, resp, sc, sizeof(sc)) != 0 ||
	    status != 200) {
		snprintf(why, why_cap, "login failed (HTTP %d)", status);
		goto fail;
	}
	/* "kamer_session=<token>; Path=/; ..." -> "kamer_session=<token>" */
	char *semi = strchr(sc, ';');
	if (semi)
		*semi = '\0';
	if (strncmp(sc, "kamer_session=", 14) != 0) {
		snprintf(why, why_cap, "login: no kamer_session cookie");
		goto fail;
	}
	snprintf(s->cookie, sizeof(s->cookie), "%s", sc);
	json_t *j = json_loads(resp, 0, NULL);
	const char *csrf = j ? json_string_value(json_object_get(j, "csrf")) : NULL;
	if (csrf)
		snprintf(s->csrf, sizeof(s->csrf), "%s", csrf);
	json_decref(j);
	rc = csrf ? 0 : ERR_PROTO;
	if (rc)
		snprintf(why, why_cap, "login: no csrf in the reply");
fail:
	free(body);
	free(resp);
	return rc;
}

static int create_room(struct sig *s, unsigned index, char *id, size_t cap)
{
	char title[64];
	snprintf(title, sizeof(title), "kamer-load %u", index);
	json_t *b = json_pack("{s:s}", "title", title);
	char *body = b ? json_dumps(b, JSON_COMPACT) : NULL;
	json_decref(b);
	char *resp = malloc(RESP_MAX);
	int status = 0, rc = ERR_PROTO;
	if (!body || !resp) {
		rc = ERR_NOMEM;
		goto fail;
	}
	if (http_request(s, "POST", "/api/v1/meetings", body, &status, resp, NULL, 0) != 0 ||
	    status != 201) {
		log_error("load", "creating a meeting: HTTP %d %.200s", status, resp);
		rc = ERR_IO;
		goto fail;
	}
	json_t *j = json_loads(resp, 0, NULL);
	const char *mid = j ? json_string_value(json_object_get(j, "id")) : NULL;
	if (mid && strlen(mid) < cap) {
		snprintf(id, cap, "%s", mid);
		rc = 0;
	}
	json_decref(j);
fail:
	free(body);
	free(resp);
	return rc;
}

/* ---- the WebSocket of one participant ---- */

static void ws_queue(struct sig_part *sp, json_t *j)
{
	char *txt = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!txt)
		return;
	size_t n = strlen(txt);
	struct msg *m = malloc(sizeof(*m) + LWS_PRE + n);
	if (m) {
		m->next = NULL;
		m->len = n;
		memcpy(m->data + LWS_PRE, txt, n);
		if (sp->tail)
			sp->tail->next = m;
		else
			sp->head = m;
		sp->tail = m;
		if (sp->wsi)
			lws_callback_on_writable(sp->wsi);
	}
	free(txt);
}

static void ws_message(struct sig_part *sp, const char *text, size_t len)
{
	json_t *j = json_loadb(text, len, 0, NULL);
	const char *type = j ? json_string_value(json_object_get(j, "type")) : NULL;
	if (!type) {
		json_decref(j);
		return;
	}
	const char *sdp = json_string_value(json_object_get(j, "sdp"));
	if (!strcmp(type, "joined")) {
		if (!sp->joined) {
			sp->joined = 1;
			sig_on_joined(sp->p);
		}
	} else if (!strcmp(type, "publish_answer") && sdp) {
		sig_on_publish_answer(sp->p, sdp);
	} else if (!strcmp(type, "subscribe_offer") && sdp) {
		sig_on_subscribe_offer(sp->p, 0, sdp);
	} else if (!strcmp(type, "error")) {
		const char *msg = json_string_value(json_object_get(j, "message"));
		log_warn("load", "%s: server says %s", sp->name, msg ? msg : "error");
		if (json_is_true(json_object_get(j, "fatal")) || !sp->joined)
			sig_on_error(sp->p, "the server refused");
	} else if (!strcmp(type, "lobby")) {
		log_info("load", "%s waits in the lobby", sp->name);
	} else if (!strcmp(type, "removed") || !strcmp(type, "ended")) {
		sig_on_error(sp->p, "removed from the meeting");
	}
	json_decref(j);
}

static int ws_cb(struct lws *wsi, enum lws_callback_reasons reason, struct sig_part *sp, void *in,
                 size_t len)
{
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
		unsigned char **p = in, *end = (*p) + len;
		return kamer_auth_headers(sp->s, wsi, p, end, 0) ? -1 : 0;
	}
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		ws_queue(sp, json_pack("{s:s, s:s, s:s}", "type", "join", "meeting", sp->room,
		                       "name", sp->name));
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE: {
		if (sp->rx_len + len > 1 << 20)
			return -1;
		char *b = realloc(sp->rx, sp->rx_len + len + 1);
		if (!b)
			return -1;
		sp->rx = b;
		memcpy(sp->rx + sp->rx_len, in, len);
		sp->rx_len += len;
		if (lws_is_final_fragment(wsi)) {
			ws_message(sp, sp->rx, sp->rx_len);
			sp->rx_len = 0;
		}
		return 0;
	}
	case LWS_CALLBACK_CLIENT_WRITEABLE: {
		struct msg *m = sp->head;
		if (!m)
			return 0;
		if (lws_write(wsi, m->data + LWS_PRE, m->len, LWS_WRITE_TEXT) < (int)m->len)
			return -1;
		sp->head = m->next;
		if (!sp->head)
			sp->tail = NULL;
		free(m);
		if (sp->head)
			lws_callback_on_writable(wsi);
		return 0;
	}
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		sp->wsi = NULL;
		if (!sp->leaving)
			sig_on_error(sp->p,
			             in ? "cannot connect the WebSocket" : "WebSocket error");
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		sp->wsi = NULL;
		if (!sp->leaving)
			sig_on_error(sp->p, "the WebSocket closed");
		return 0;
	default: return 0;
	}
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
	(void)user;
	if (!wsi)
		return 0;
	struct sig *s = lws_context_user(lws_get_context(wsi));
	void *k = lws_get_opaque_user_data(wsi);
	if (!s || !k)
		return 0;
	/* An earlier request's connection may still be closing: it is not this request's. */
	if (k == s->req && (!s->req->wsi || s->req->wsi == wsi))
		return http_cb(wsi, reason, s->req, in, len);
	for (struct sig_part *sp = s->parts; sp; sp = sp->next) {
		if (sp == k)
			return ws_cb(wsi, reason, sp, in, len);
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
    {"kamer-http", callback, 0, 0, 0, NULL, 0},
    {"kamer.v1", callback, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void leave(struct sig_part *sp);

static struct sig_part *join(struct sig *s, struct load_part *p, const char *room, const char *name)
{
	struct sig_part *sp = calloc(1, sizeof(*sp));
	if (!sp)
		return NULL;
	sp->kind = CONN_WS;
	sp->s = s;
	sp->p = p;
	snprintf(sp->room, sizeof(sp->room), "%s", room);
	snprintf(sp->name, sizeof(sp->name), "%s", name);
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof(ci));
	ci.context = s->ctx;
	ci.address = s->host;
	ci.port = s->port;
	ci.ssl_connection = s->tls ? LCCSCF_USE_SSL : 0;
	ci.path = "/ws";
	ci.host = s->host;
	ci.protocol = "kamer.v1";
	ci.local_protocol_name = "kamer.v1";
	ci.opaque_user_data = sp;
	ci.pwsi = &sp->wsi;
	sp->next = s->parts;
	if (s->parts)
		s->parts->prev = sp;
	s->parts = sp;
	if (!lws_client_connect_via_info(&ci)) {
		leave(sp);
		return NULL;
	}
	return sp;
}

static int publish(struct sig_part *sp, const char *offer)
{
	ws_queue(sp, json_pack("{s:s, s:s}", "type", "publish", "sdp", offer));
	return 0;
}

static int subscribe_answer(struct sig_part *sp, unsigned sub, const char *answer)
{
	(void)sub;
	ws_queue(sp, json_pack("{s:s, s:s}", "type", "subscribe_answer", "sdp", answer));
	return 0;
}

static void leave(struct sig_part *sp)
{
	if (!sp)
		return;
	sp->leaving = 1;
	if (sp->prev)
		sp->prev->next = sp->next;
	else
		sp->s->parts = sp->next;
	if (sp->next)
		sp->next->prev = sp->prev;
	if (sp->wsi) {
		lws_set_opaque_user_data(sp->wsi, NULL);
		lws_set_timeout(sp->wsi, PENDING_TIMEOUT_CLOSE_ACK, LWS_TO_KILL_ASYNC);
	}
	while (sp->head) {
		struct msg *m = sp->head;
		sp->head = m->next;
		free(m);
	}
	free(sp->rx);
	free(sp);
}

static int parse_url(struct sig *s, const char *url)
{
	const char *rest;
	if (!strncmp(url, "http://", 7)) {
		rest = url + 7;
		s->port = 80;
	} else if (!strncmp(url, "https://", 8)) {
		rest = url + 8;
		s->port = 443;
		s->tls = 1;
	} else {
		return ERR_INVAL;
	}
	size_t n = strcspn(rest, "/");
	if (n == 0 || n >= sizeof(s->host))
		return ERR_INVAL;
	memcpy(s->host, rest, n);
	s->host[n] = '\0';
	char *colon = strrchr(s->host, ':');
	if (colon && !strchr(colon, ']')) {
		*colon = '\0';
		s->port = atoi(colon + 1);
	}
	if (s->port <= 0 || s->port > 65535)
		return ERR_INVAL;
	return 0;
}

static void sig_free_kamer(struct sig *s)
{
	if (!s)
		return;
	if (s->ctx)
		lws_context_destroy(s->ctx);
	free(s);
}

static int init(const struct sig_config *cfg, struct sig **out, char *why, size_t why_cap)
{
	struct sig *s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	s->verbose = cfg->verbose;
	if (parse_url(s, cfg->url) != 0) {
		snprintf(why, why_cap, "bad --url %s", cfg->url);
		goto fail;
	}
	lws_set_log_level(cfg->verbose ? LLL_ERR | LLL_WARN : LLL_ERR, NULL);
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.gid = -1;
	info.uid = -1;
	info.user = s;
	if (s->tls)
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	s->ctx = lws_create_context(&info);
	if (!s->ctx) {
		snprintf(why, why_cap, "cannot start libwebsockets");
		goto fail;
	}
	if (cfg->user && kamer_login(s, cfg->user, cfg->password, why, why_cap) != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	sig_free_kamer(s);
	return ERR_INVAL;
}

const struct sig_ops sig_kamer_ops = {
    .name = "kamer",
    .init = init,
    .free = sig_free_kamer,
    .create_room = create_room,
    .join = join,
    .publish = publish,
    .subscribe_answer = subscribe_answer,
    .leave = leave,
    .service = service,
};
