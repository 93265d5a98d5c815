/* sig_janus.c - Janus's VideoRoom plugin for kamer-load (--target janus), over Janus's
 * WebSocket API (sub-protocol "janus-protocol"): one socket and one Janus session per
 * participant, a publisher handle, and one subscriber handle that receives every other
 * publisher (Janus 1.x's multistream subscriptions, as janus.js 1.x subscribes: "join" with
 * the first feeds, "subscribe" to add more, each answered through "start").
 *
 * Rooms are not created through the API: bench/janus.py writes them into the plugin's
 * configuration as numbers ROOM_BASE + i, and create_room() names them so. */
#include <jansson.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/log.h"
#include "lws_loop.h"
#include "sig.h"

#define ROOM_BASE      1000
#define KEEPALIVE_MS   20000
#define LOAD_MAX_FEEDS 64 /* publishers one participant receives */

struct msg {
	struct msg *next;
	size_t len;
	unsigned char data[]; /* LWS_PRE bytes, then the text */
};

struct sig_part {
	struct sig *s;
	struct sig_part *prev, *next;
	struct load_part *p;
	struct lws *wsi;
	json_int_t room;
	char name[64];
	struct msg *head, *tail;
	char *rx;
	size_t rx_len;
	json_int_t session, pub_handle, feed;
	json_int_t sub_handle;
	json_int_t feeds[LOAD_MAX_FEEDS]; /* to receive; the first nasked were asked for */
	unsigned nfeeds, nasked;
	int sub_attaching, sub_offer_pending;
	int joined, leaving;
	long long last_keepalive_ms;
};

struct sig {
	struct lws_context *ctx;
	struct lws_loop loop;
	char host[256];
	int port, verbose;
	struct sig_part *parts;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void send_json(struct sig_part *sp, json_t *j)
{
	char *txt = j ? json_dumps(j, JSON_COMPACT) : NULL;
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

/* A request to Janus; the transaction names what the answer is for. */
static void request(struct sig_part *sp, const char *janus, const char *tx, json_int_t handle,
                    json_t *body, json_t *jsep)
{
	json_t *j = json_pack("{s:s, s:s}", "janus", janus, "transaction", tx);
	if (sp->session)
		json_object_set_new(j, "session_id", json_integer(sp->session));
	if (handle)
		json_object_set_new(j, "handle_id", json_integer(handle));
	if (body)
		json_object_set_new(j, "body", body);
	if (jsep)
		json_object_set_new(j, "jsep", jsep);
	send_json(sp, j);
}

static void attach(struct sig_part *sp, const char *tx)
{
	json_t *j =
	    json_pack("{s:s, s:s, s:s, s:I}", "janus", "attach", "plugin", "janus.plugin.videoroom",
	              "transaction", tx, "session_id", sp->session);
	send_json(sp, j);
}

/* Asks Janus for the feeds not asked for yet: one request at a time, since each brings an
   offer that must be answered first. */
static void ask_feeds(struct sig_part *sp)
{
	if (sp->nasked == sp->nfeeds || sp->sub_offer_pending || sp->sub_attaching)
		return;
	if (!sp->sub_handle) {
		sp->sub_attaching = 1;
		attach(sp, "as");
		return;
	}
	json_t *streams = json_array();
	for (unsigned i = sp->nasked; i < sp->nfeeds; i++)
		json_array_append_new(streams, json_pack("{s:I}", "feed", sp->feeds[i]));
	json_t *body = sp->nasked == 0
	                   ? json_pack("{s:s, s:s, s:I, s:o}", "request", "join", "ptype",
	                               "subscriber", "room", sp->room, "streams", streams)
	                   : json_pack("{s:s, s:o}", "request", "subscribe", "streams", streams);
	request(sp, "message", "js", sp->sub_handle, body, NULL);
	sp->nasked = sp->nfeeds;
	sp->sub_offer_pending = 1;
}

static void subscribe(struct sig_part *sp, json_int_t feed)
{
	if (feed == sp->feed)
		return;
	for (unsigned i = 0; i < sp->nfeeds; i++) {
		if (sp->feeds[i] == feed)
			return;
	}
	if (sp->nfeeds == LOAD_MAX_FEEDS)
		return;
	sp->feeds[sp->nfeeds++] = feed;
	ask_feeds(sp);
}

static void subscribe_all(struct sig_part *sp, json_t *publishers)
{
	size_t i;
	json_t *pb;
	json_array_foreach(publishers, i, pb)
	{
		json_t *id = json_object_get(pb, "id");
		if (json_is_integer(id))
			subscribe(sp, json_integer_value(id));
	}
}

static void on_success(struct sig_part *sp, const char *tx, json_t *j)
{
	json_int_t id = json_integer_value(json_object_get(json_object_get(j, "data"), "id"));
	if (!strcmp(tx, "c")) {
		sp->session = id;
		attach(sp, "ap");
	} else if (!strcmp(tx, "ap")) {
		sp->pub_handle = id;
		request(sp, "message", "jp", sp->pub_handle,
		        json_pack("{s:s, s:s, s:I, s:s}", "request", "join", "ptype", "publisher",
		                  "room", sp->room, "display", sp->name),
		        NULL);
	} else if (!strcmp(tx, "as")) {
		sp->sub_handle = id;
		sp->sub_attaching = 0;
		ask_feeds(sp);
	}
}

static void on_event(struct sig_part *sp, json_t *j)
{
	json_int_t sender = json_integer_value(json_object_get(j, "sender"));
	json_t *data = json_object_get(json_object_get(j, "plugindata"), "data");
	json_t *jsep = json_object_get(j, "jsep");
	const char *jtype = json_string_value(json_object_get(jsep, "type"));
	const char *sdp = json_string_value(json_object_get(jsep, "sdp"));
	const char *vr = json_string_value(json_object_get(data, "videoroom"));
	if (json_object_get(data, "error")) {
		const char *e = json_string_value(json_object_get(data, "error"));
		log_warn("load", "%s: janus says %s", sp->name, e ? e : "error");
		if (sender == sp->pub_handle)
			sig_on_error(sp->p, "janus refused");
		if (sender == sp->sub_handle) {
			sp->sub_offer_pending = 0; /* nothing comes for that request */
			ask_feeds(sp);
		}
		return;
	}
	if (sender == sp->pub_handle) {
		if (vr && !strcmp(vr, "joined")) {
			sp->feed = json_integer_value(json_object_get(data, "id"));
			if (!sp->joined) {
				sp->joined = 1;
				sig_on_joined(sp->p);
			}
		}
		if (jtype && !strcmp(jtype, "answer") && sdp)
			sig_on_publish_answer(sp->p, sdp);
		subscribe_all(sp, json_object_get(data, "publishers"));
		return;
	}
	if (sender != sp->sub_handle)
		return;
	if (jtype && !strcmp(jtype, "offer") && sdp) {
		sig_on_subscribe_offer(sp->p, 0, sdp);
	} else if (vr && (!strcmp(vr, "attached") || !strcmp(vr, "updated"))) {
		sp->sub_offer_pending = 0; /* no change to negotiate */
		ask_feeds(sp);
	}
}

static void on_message(struct sig_part *sp, const char *text, size_t len)
{
	json_t *j = json_loadb(text, len, 0, NULL);
	const char *janus = j ? json_string_value(json_object_get(j, "janus")) : NULL;
	const char *tx = j ? json_string_value(json_object_get(j, "transaction")) : NULL;
	if (!janus) {
		json_decref(j);
		return;
	}
	if (!strcmp(janus, "success") && tx) {
		on_success(sp, tx, j);
	} else if (!strcmp(janus, "event")) {
		on_event(sp, j);
	} else if (!strcmp(janus, "error")) {
		const char *r =
		    json_string_value(json_object_get(json_object_get(j, "error"), "reason"));
		log_warn("load", "%s: janus error %s", sp->name, r ? r : "?");
		sig_on_error(sp->p, "janus error");
	}
	json_decref(j);
}

static int ws_cb(struct lws *wsi, enum lws_callback_reasons reason, struct sig_part *sp, void *in,
                 size_t len)
{
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		sp->last_keepalive_ms = now_ms();
		request(sp, "create", "c", 0, NULL, NULL);
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
			on_message(sp, sp->rx, sp->rx_len);
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
			sig_on_error(sp->p, "cannot connect to janus");
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		sp->wsi = NULL;
		if (!sp->leaving)
			sig_on_error(sp->p, "the janus WebSocket closed");
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
	for (struct sig_part *sp = s->parts; sp; sp = sp->next) {
		if (sp == k)
			return ws_cb(wsi, reason, sp, in, len);
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
    {"janus-protocol", callback, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void service(struct sig *s, int timeout_ms)
{
	long long now = now_ms();
	for (struct sig_part *sp = s->parts; sp; sp = sp->next) {
		if (sp->session && now - sp->last_keepalive_ms > KEEPALIVE_MS) {
			sp->last_keepalive_ms = now;
			request(sp, "keepalive", "k", 0, NULL, NULL);
		}
	}
	lws_loop_service(&s->loop, s->ctx, timeout_ms);
}

static int create_room(struct sig *s, unsigned index, char *id, size_t cap)
{
	(void)s;
	snprintf(id, cap, "%u", ROOM_BASE + index);
	return 0;
}

static void leave(struct sig_part *sp);

static struct sig_part *join(struct sig *s, struct load_part *p, const char *room, const char *name)
{
	struct sig_part *sp = calloc(1, sizeof(*sp));
	if (!sp)
		return NULL;
	sp->s = s;
	sp->p = p;
	sp->room = strtoll(room, NULL, 10);
	snprintf(sp->name, sizeof(sp->name), "%s", name);
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof(ci));
	ci.context = s->ctx;
	ci.address = s->host;
	ci.port = s->port;
	ci.path = "/";
	ci.host = s->host;
	ci.protocol = "janus-protocol";
	ci.local_protocol_name = "janus-protocol";
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
	request(sp, "message", "pb", sp->pub_handle,
	        json_pack("{s:s, s:b, s:b}", "request", "publish", "audio", 1, "video", 1),
	        json_pack("{s:s, s:s}", "type", "offer", "sdp", offer));
	return 0;
}

static int subscribe_answer(struct sig_part *sp, unsigned sub, const char *answer)
{
	if (sub != 0 || !sp->sub_handle)
		return ERR_INVAL;
	request(sp, "message", "st", sp->sub_handle,
	        json_pack("{s:s, s:I}", "request", "start", "room", sp->room),
	        json_pack("{s:s, s:s}", "type", "answer", "sdp", answer));
	sp->sub_offer_pending = 0;
	ask_feeds(sp);
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

static void sig_free_janus(struct sig *s)
{
	if (!s)
		return;
	if (s->ctx)
		lws_context_destroy(s->ctx);
	free(s);
}

/* "ws://host:port" or "http://host:port" (the same socket). */
static int parse_url(struct sig *s, const char *url)
{
	const char *rest = !strncmp(url, "ws://", 5)     ? url + 5
	                   : !strncmp(url, "http://", 7) ? url + 7
	                                                 : NULL;
	if (!rest)
		return ERR_INVAL;
	size_t n = strcspn(rest, "/");
	if (n == 0 || n >= sizeof(s->host))
		return ERR_INVAL;
	memcpy(s->host, rest, n);
	s->host[n] = '\0';
	s->port = 8188;
	char *colon = strrchr(s->host, ':');
	if (colon && !strchr(colon, ']')) {
		*colon = '\0';
		s->port = atoi(colon + 1);
	}
	return s->port > 0 && s->port <= 65535 ? 0 : ERR_INVAL;
}

static int init(const struct sig_config *cfg, struct sig **out, char *why, size_t why_cap)
{
	struct sig *s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	s->verbose = cfg->verbose;
	if (parse_url(s, cfg->url) != 0) {
		snprintf(why, why_cap, "bad --url %s (want ws://host:port)", cfg->url);
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
	s->ctx = lws_create_context(&info);
	if (!s->ctx) {
		snprintf(why, why_cap, "cannot start libwebsockets");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	sig_free_janus(s);
	return ERR_INVAL;
}

const struct sig_ops sig_janus_ops = {
    .name = "janus",
    .init = init,
    .free = sig_free_janus,
    .create_room = create_room,
    .join = join,
    .publish = publish,
    .subscribe_answer = subscribe_answer,
    .leave = leave,
    .service = service,
};
