/* worker.c - one media worker: its thread, its UDP port, its command queue, and each
 * transport's ICE-lite, DTLS and SRTP. Forwarding decisions live in room.c. */
#include "sfu/worker.h"

#include <errno.h>
#include <sched.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/ct.h"
#include "base/hashidx.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/prio.h"
#include "base/rnd.h"
#include "net/udp.h"
#include "rtc/dtls.h"
#include "rtc/rtcp.h"
#include "rtc/rtp.h"
#include "rtc/srtp.h"
#include "rtc/stun.h"
#include "sfu/handshake.h"
#include "sfu/internal.h"
#include "sfu/keyreq.h"
#include "sfu/relay.h"

#define TICK_MS 20
/* Forwarded copies wait in the send queue, so that those for one subscriber leave as one
   GSO message, for at most this long: a burst of arrivals is not held until its last. */
#define HOLD_US     100
#define INDEX_SLOTS 8192 /* a power of two, at least 2 * LIM_CONNS */
/* Participants (each with up to two transports, or none yet) and mirrors of tracks published
   on other workers. */
#define HANDLE_SLOTS 16384
_Static_assert(INDEX_SLOTS >= 2 * LIM_CONNS, "the indexes hold every transport");

enum cmd_type { CMD_CONN_ADD, CMD_CONN_FP, CMD_PUBLISH, CMD_SUBSCRIBE, CMD_REMOVE, CMD_MUTE };

struct cmd {
	enum cmd_type type;
	uint64_t participant;
	struct media_conn_spec conn;
	size_t n;
	enum media_kind kind; /* CMD_MUTE */
	int muted;
	union {
		struct media_track_spec tracks[LIM_TRACKS_PER_PUB];
		struct media_sub_spec subs[LIM_SUB_TRACKS];
	} u;
};

struct worker {
	unsigned index;
	int fd, evfd, tfd, epfd;
	pthread_t thread;
	int running, halted;
	int realtime; /* started at real-time priority (base/prio.h) */
	_Atomic int stop;
	uint16_t port;
	struct meter_rate limit; /* what each transport may send (sfu/meter.h) */
	struct dtls_ctx *dtls;   /* shared by all workers; SSL_new on it is thread-safe */
	struct relay *relay;     /* shared by all workers: one ring per ordered pair */
	struct hs_thread *hst;   /* runs this worker's DTLS */

	pthread_mutex_t qlock;
	struct cmd *queue[LIM_QUEUE];
	size_t qhead, qlen;
	/* What the handshake thread produced, oldest first; its length is bounded by the
	   records the handshake thread accepted and the connections it holds. */
	struct hs_out *hs_head, *hs_tail;

	struct conn *conns;
	size_t nconns;
	struct hashidx by_addr;   /* the verified address of each transport that has one */
	struct hashidx by_ufrag;  /* every transport, by our ICE ufrag */
	struct hashidx by_handle; /* every participant and mirror, by handle (room.c) */
	struct participant *parts;
	struct media_counters ctr;

	struct udp_batch in;
	struct udp_out out;
	uint64_t last_periodic_us, last_levels_us, last_tick_us;
	struct keyreq_budget keyreq;

	/* Loudness per participant, for the control plane's speaker detection. */
	pthread_mutex_t llock;
	struct media_level *levels;
	size_t nlevels;
};

struct participant **worker_participants(struct worker *w)
{
	return &w->parts;
}

struct keyreq_budget *worker_keyreq_budget(struct worker *w)
{
	return &w->keyreq;
}

unsigned worker_index(const struct worker *w)
{
	return w->index;
}

struct hashidx *worker_by_handle(struct worker *w)
{
	return &w->by_handle;
}

struct relay *worker_relay(struct worker *w)
{
	return w->relay;
}

struct media_counters *worker_counters_rw(struct worker *w)
{
	return &w->ctr;
}

const struct media_counters *worker_counters(const struct worker *w)
{
	return &w->ctr;
}

uint16_t worker_port(const struct worker *w)
{
	return w->port;
}

#define INC(field)    CTR_ADD(&w->ctr, field, 1)
#define ADD(field, v) CTR_ADD(&w->ctr, field, (v))

/* ---- the indexes: verified address -> transport, our ICE ufrag -> transport ---- */

static uint32_t addr_hash(const struct sockaddr *sa)
{
	uint32_t h;
	if (sa->sa_family == AF_INET)
		h = hashidx_fnv(HASHIDX_FNV_INIT, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	else
		h = hashidx_fnv(HASHIDX_FNV_INIT, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		                16);
	uint16_t port = addr_port(sa);
	return hashidx_fnv(h, &port, sizeof(port));
}

static int addr_match(const void *item, const void *key)
{
	return addr_equal((const struct sockaddr *)&((const struct conn *)item)->addr, key);
}

static struct conn *addr_lookup(struct worker *w, const struct sockaddr *sa)
{
	return hashidx_find(&w->by_addr, addr_hash(sa), addr_match, sa);
}

static void addr_remove(struct worker *w, struct conn *c)
{
	if (!c->has_addr)
		return;
	if (hashidx_del(&w->by_addr, addr_hash((struct sockaddr *)&c->addr), c) != 0)
		log_warn("media", "a transport's address was not in the index");
	c->has_addr = 0;
}

static void addr_insert(struct worker *w, struct conn *c, const struct sockaddr *sa)
{
	struct conn *other = addr_lookup(w, sa);
	if (other)
		addr_remove(w, other); /* the address moved to another transport */
	addr_remove(w, c);
	memcpy(&c->addr, sa, addr_len(sa));
	/* Room for every transport is reserved: LIM_CONNS of them, half the slots. */
	if (hashidx_add(&w->by_addr, addr_hash(sa), c) == 0)
		c->has_addr = 1;
}

struct ufrag_key {
	const uint8_t *u;
	size_t n;
};

static uint32_t ufrag_hash(const void *u, size_t n)
{
	return hashidx_fnv(HASHIDX_FNV_INIT, u, n);
}

static int ufrag_match(const void *item, const void *key)
{
	const struct ufrag_key *k = key;
	return k->n == MEDIA_UFRAG_LEN &&
	       memcmp(((const struct conn *)item)->ufrag, k->u, k->n) == 0;
}

static struct conn *conn_by_ufrag(struct worker *w, const uint8_t *u, size_t n)
{
	struct ufrag_key k = {u, n};
	return hashidx_find(&w->by_ufrag, ufrag_hash(u, n), ufrag_match, &k);
}

/* ---- transports ---- */

static void conn_free(struct conn *c)
{
	struct worker *w = c->w;
	addr_remove(w, c);
	if (hashidx_del(&w->by_ufrag, ufrag_hash(c->ufrag, MEDIA_UFRAG_LEN), c) != 0)
		log_warn("media", "a transport was not in the ufrag index");
	for (struct conn **pp = &w->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	w->nconns--;
	atomic_store(&w->ctr.conns, w->nconns);
	hs_drop(c->hs);
	free(c->early_dtls);
	srtp_sess_free(c->srtp);
	ct_wipe(c, sizeof(*c));
	free(c);
}

enum send_kind { SEND_RAW, SEND_RTP, SEND_RTCP };

/* Copies p into the next outgoing slot, protecting RTP (payload type pt, sequence number
   seq) and RTCP with the conn's keys there. */
static void conn_send(struct conn *c, const uint8_t *p, size_t len, enum send_kind kind, uint8_t pt,
                      uint16_t seq)
{
	struct worker *w = c->w;
	size_t room = kind == SEND_RAW ? 0 : SRTP_SESS_OVERHEAD;
	if (!c->has_addr || len + room > LIM_PACKET || (kind != SEND_RAW && !c->srtp))
		return;
	uint8_t *slot = udp_out_slot(w->fd, &w->out);
	memcpy(slot, p, len);
	if (kind == SEND_RTP) {
		rtp_set_pt(slot, pt);
		rtp_set_seq(slot, seq);
		if (srtp_sess_protect_rtp(c->srtp, slot, &len) != 0) {
			INC(drop_unsealed);
			return;
		}
	} else if (kind == SEND_RTCP && srtp_sess_protect_rtcp(c->srtp, slot, &len) != 0) {
		INC(drop_unsealed);
		return;
	}
	udp_out_commit(&w->out, len, (struct sockaddr *)&c->addr);
	INC(tx_packets);
	ADD(tx_bytes, len);
}

void conn_send_rtp(struct conn *c, const uint8_t *plain, size_t len, uint8_t pt, uint16_t seq)
{
	conn_send(c, plain, len, SEND_RTP, pt, seq);
}

void conn_send_rtcp(struct conn *c, const uint8_t *plain, size_t len)
{
	conn_send(c, plain, len, SEND_RTCP, 0, 0);
}

/* DTLS starts once a check has verified the address and the browser's fingerprint is known
   (a transport we offered learns it from the answer, which may come after the first check). */
static void start_dtls(struct worker *w, struct conn *c)
{
	if (c->hs || !c->has_fp || !c->has_addr || c->failed)
		return;
	if (!(c->hs = hs_new(w->hst, c->peer_fp, c))) {
		log_warn("media", "no room for a DTLS connection yet"); /* the next check retries */
		return;
	}
	if (c->early_dtls && hs_feed(c->hs, c->early_dtls, c->early_len) != 0)
		INC(drop_dtls_busy);
	free(c->early_dtls);
	c->early_dtls = NULL;
}

static void run_commands(struct worker *w);

/* RFC 8445 s7.3 as an ICE-lite agent: answer valid checks, take the checked address. */
static void on_stun(struct worker *w, const uint8_t *p, size_t len, const struct sockaddr *from)
{
	struct stun_msg msg;
	if (stun_parse(&msg, p, len) != 0) {
		INC(drop_malformed);
		return;
	}
	if (msg.type != STUN_BINDING_REQUEST) {
		/* Indications (keepalives) and responses need no answer from a lite agent. */
		if (msg.type != STUN_BINDING_INDICATION)
			INC(drop_malformed);
		return;
	}
	/* USERNAME is "ours:theirs" (RFC 8445 s7.2.2). */
	const uint8_t *colon = msg.username ? memchr(msg.username, ':', msg.username_len) : NULL;
	struct conn *c =
	    colon ? conn_by_ufrag(w, msg.username, (size_t)(colon - msg.username)) : NULL;
	if (colon && !c) {
		/* The control thread queues a transport before the browser can know its ufrag,
		   but the check may be read before the command: run what is queued, look again. */
		run_commands(w);
		c = conn_by_ufrag(w, msg.username, (size_t)(colon - msg.username));
	}
	if (!c || c->failed || stun_verify_fingerprint(&msg, p) != 0 ||
	    stun_verify_integrity(&msg, p, c->pwd, MEDIA_PWD_LEN) != 0) {
		INC(drop_stun_auth);
		return;
	}
	INC(stun_ok);
	uint8_t *slot = udp_out_slot(w->fd, &w->out);
	int n = stun_binding_response(slot, LIM_PACKET, &msg, from, c->pwd, MEDIA_PWD_LEN);
	if (n > 0) {
		udp_out_commit(&w->out, (size_t)n, from);
		INC(tx_packets);
		ADD(tx_bytes, (uint64_t)n);
	}
	if (!c->has_addr || (msg.use_candidate && !addr_equal((struct sockaddr *)&c->addr, from)))
		addr_insert(w, c, from);
	c->last_rx_us = clock_us();
	start_dtls(w, c);
}

/* The record goes to the handshake thread; what it makes of it comes back in
   on_handshake. */
static void on_dtls(struct worker *w, struct conn *c, const uint8_t *p, size_t len)
{
	if (c->failed)
		return;
	if (!c->hs && !c->has_fp) {
		/* The browser's ClientHello overtook its answer: keep the latest datagram (one per
		   transport, whose address a check verified) for when the fingerprint comes. */
		uint8_t *copy = realloc(c->early_dtls, len);
		if (!copy) {
			INC(drop_not_ready);
			return;
		}
		memcpy(copy, p, len);
		c->early_dtls = copy;
		c->early_len = len;
		return;
	}
	if (!c->hs) {
		INC(drop_not_ready);
		return;
	}
	if (hs_feed(c->hs, p, len) != 0)
		INC(drop_dtls_busy);
}

/* Sends the records a handshake step produced, and acts on its new state. */
static void on_handshake(struct worker *w, struct hs_out *o)
{
	struct conn *c = hs_owner(o->h);
	if (!c || c->failed)
		return;
	for (size_t i = 0; i < o->n; i++)
		conn_send(c, o->data[i], o->len[i], SEND_RAW, 0, 0);
	if (!o->changed)
		return;
	enum dtls_state st = o->state;
	if (st == DTLS_CONNECTED) {
		c->srtp = srtp_sess_new(&o->keys); /* hs_out_free wipes the keys */
		if (!c->srtp) {
			c->failed = 1;
			INC(dtls_failed);
			return;
		}
		meter_init(&c->meter, &w->limit, clock_us());
		log_debug("media", "transport ready (%s)",
		          c->role == MEDIA_PUB ? "publish" : "subscribe");
		room_on_ready(c);
	} else if (st == DTLS_FAILED || st == DTLS_CLOSED) {
		if (st == DTLS_FAILED) {
			INC(dtls_failed);
			log_warn("media", "DTLS failed: %s", o->why ? o->why : "unknown");
		}
		c->failed = 1;
		srtp_sess_free(c->srtp);
		c->srtp = NULL;
		addr_remove(w, c);
	}
}

static void count_srtp_drop(struct worker *w, int rc)
{
	if (rc == ERR_AUTH)
		INC(drop_srtp_auth);
	else if (rc == ERR_REPLAY)
		INC(drop_srtp_replay);
	else
		INC(drop_malformed);
}

/* rx_us: when the batch holding it was read from the socket. Its packets arrived by then,
   and each one's arrival counts from there, not from when the ones before it were done. */
static void on_datagram(struct worker *w, uint8_t *p, size_t len, const struct sockaddr *from,
                        uint64_t rx_us)
{
	INC(rx_packets);
	ADD(rx_bytes, len);
	if (len == 0) {
		INC(drop_malformed);
		return;
	}
	/* RFC 7983 s7: the first byte tells STUN, DTLS and RTP/RTCP apart. */
	uint8_t b = p[0];
	if (b <= 3) {
		on_stun(w, p, len, from);
		return;
	}
	struct conn *c = addr_lookup(w, from);
	if (!(b >= 20 && b <= 63) && !(b >= 128 && b <= 191)) {
		INC(drop_malformed);
		return;
	}
	if (!c) {
		INC(drop_unverified);
		return;
	}
	c->last_rx_us = rx_us;
	if (b <= 63) {
		on_dtls(w, c, p, len);
		return;
	}
	if (!c->srtp) {
		INC(drop_not_ready);
		return;
	}
	int rtcp = rtp_is_rtcp(p, len);
	size_t wire_len = len;
	int rc = rtcp ? srtp_sess_unprotect_rtcp(c->srtp, p, &len)
	              : srtp_sess_unprotect_rtp(c->srtp, p, &len);
	if (rc != 0) {
		count_srtp_drop(w, rc);
		return;
	}
	/* Metered once authentic: a third party's datagrams from this address fail above and
	   cannot spend the participant's budget. */
	if (!meter_take(&c->meter, &w->limit, wire_len, rx_us)) {
		INC(drop_over_limit);
		return;
	}
	if (rtcp) {
		room_on_rtcp(c, p, len, rx_us);
		return;
	}
	struct rtp_hdr h;
	if (rtp_parse(&h, p, len) != 0) {
		INC(drop_malformed);
		return;
	}
	INC(rtp_in);
	room_on_rtp(c, p, len, &h, rx_us);
}

/* ---- commands ---- */

/* The handshake thread's deliver callback. */
static void handshake_done(void *arg, struct hs_out *o)
{
	struct worker *w = arg;
	o->next = NULL;
	pthread_mutex_lock(&w->qlock);
	if (w->hs_tail)
		w->hs_tail->next = o;
	else
		w->hs_head = o;
	w->hs_tail = o;
	pthread_mutex_unlock(&w->qlock);
	uint64_t one = 1;
	if (write(w->evfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("media", "eventfd write failed");
}

static struct hs_out *take_handshakes(struct worker *w)
{
	pthread_mutex_lock(&w->qlock);
	struct hs_out *o = w->hs_head;
	w->hs_head = w->hs_tail = NULL;
	pthread_mutex_unlock(&w->qlock);
	return o;
}

static void free_handshakes(struct hs_out *o)
{
	while (o) {
		struct hs_out *next = o->next;
		hs_out_free(o);
		o = next;
	}
}

static int enqueue(struct worker *w, struct cmd *cmd)
{
	pthread_mutex_lock(&w->qlock);
	if (w->qlen == LIM_QUEUE) {
		pthread_mutex_unlock(&w->qlock);
		free(cmd);
		return ERR_LIMIT;
	}
	w->queue[(w->qhead + w->qlen) % LIM_QUEUE] = cmd;
	w->qlen++;
	pthread_mutex_unlock(&w->qlock);
	uint64_t one = 1;
	if (write(w->evfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("media", "eventfd write failed");
	return 0;
}

static struct cmd *dequeue(struct worker *w)
{
	struct cmd *c = NULL;
	pthread_mutex_lock(&w->qlock);
	if (w->qlen > 0) {
		c = w->queue[w->qhead];
		w->qhead = (w->qhead + 1) % LIM_QUEUE;
		w->qlen--;
	}
	pthread_mutex_unlock(&w->qlock);
	return c;
}

static struct cmd *cmd_new(enum cmd_type type, uint64_t participant)
{
	struct cmd *c = calloc(1, sizeof(*c));
	if (c) {
		c->type = type;
		c->participant = participant;
	}
	return c;
}

/* Allocates a command carrying n items of size bytes at items, and queues it. */
static int post(struct worker *w, enum cmd_type type, uint64_t participant, const void *items,
                size_t n, size_t size)
{
	struct cmd *c = cmd_new(type, participant);
	if (!c)
		return ERR_NOMEM;
	c->n = n;
	if (n > 0)
		memcpy(&c->u, items, n * size);
	return enqueue(w, c);
}

int worker_conn_add(struct worker *w, const struct media_conn_spec *s)
{
	struct cmd *c = cmd_new(CMD_CONN_ADD, s->participant);
	if (!c)
		return ERR_NOMEM;
	c->conn = *s;
	return enqueue(w, c);
}

int worker_conn_fingerprint(struct worker *w, uint64_t participant, enum media_role role,
                            const uint8_t fp[32])
{
	struct cmd *c = cmd_new(CMD_CONN_FP, participant);
	if (!c)
		return ERR_NOMEM;
	c->conn.participant = participant;
	c->conn.role = role;
	memcpy(c->conn.peer_fp, fp, 32);
	return enqueue(w, c);
}

int worker_publish(struct worker *w, uint64_t participant, const struct media_track_spec *t,
                   size_t n)
{
	if (n > LIM_TRACKS_PER_PUB)
		return ERR_LIMIT;
	return post(w, CMD_PUBLISH, participant, t, n, sizeof(*t));
}

int worker_subscribe(struct worker *w, uint64_t participant, const struct media_sub_spec *s,
                     size_t n)
{
	if (n > LIM_SUB_TRACKS)
		return ERR_LIMIT;
	return post(w, CMD_SUBSCRIBE, participant, s, n, sizeof(*s));
}

int worker_remove(struct worker *w, uint64_t participant)
{
	return post(w, CMD_REMOVE, participant, NULL, 0, 0);
}

int worker_mute(struct worker *w, uint64_t participant, enum media_kind kind, int muted)
{
	struct cmd *c = cmd_new(CMD_MUTE, participant);
	if (!c)
		return ERR_NOMEM;
	c->kind = kind;
	c->muted = muted;
	return enqueue(w, c);
}

size_t worker_levels(struct worker *w, struct media_level *out, size_t cap)
{
	pthread_mutex_lock(&w->llock);
	size_t n = w->nlevels < cap ? w->nlevels : cap;
	memcpy(out, w->levels, n * sizeof(*out));
	pthread_mutex_unlock(&w->llock);
	return n;
}

static void run_cmd(struct worker *w, struct cmd *cmd)
{
	struct participant *p = room_participant(
	    w, cmd->participant,
	    cmd->type == CMD_CONN_ADD || cmd->type == CMD_PUBLISH || cmd->type == CMD_SUBSCRIBE);
	if (!p)
		return;
	switch (cmd->type) {
	case CMD_CONN_ADD: {
		if (w->nconns >= LIM_CONNS) {
			log_warn("media", "transport limit reached");
			return;
		}
		struct conn *c = calloc(1, sizeof(*c));
		if (!c)
			return;
		c->w = w;
		c->role = cmd->conn.role;
		memcpy(c->ufrag, cmd->conn.ufrag, sizeof(c->ufrag));
		memcpy(c->pwd, cmd->conn.pwd, sizeof(c->pwd));
		memcpy(c->peer_fp, cmd->conn.peer_fp, 32);
		c->has_fp = !cmd->conn.peer_fp_later;
		c->last_rx_us = clock_us();
		if (hashidx_add(&w->by_ufrag, ufrag_hash(c->ufrag, MEDIA_UFRAG_LEN), c) != 0) {
			free(c); /* cannot happen: the index has room for LIM_CONNS */
			return;
		}
		c->next = w->conns;
		w->conns = c;
		w->nconns++;
		atomic_store(&w->ctr.conns, w->nconns);
		room_set_conn(p, c); /* frees the participant's previous conn of this role */
		break;
	}
	case CMD_CONN_FP: {
		struct conn *c = room_conn(p, cmd->conn.role);
		if (!c || c->has_fp)
			return;
		memcpy(c->peer_fp, cmd->conn.peer_fp, 32);
		c->has_fp = 1;
		start_dtls(w, c);
		break;
	}
	case CMD_PUBLISH: room_publish(w, p, cmd->u.tracks, cmd->n); break;
	case CMD_SUBSCRIBE: room_subscribe(w, p, cmd->u.subs, cmd->n); break;
	case CMD_REMOVE: room_remove(w, p, conn_free); break;
	case CMD_MUTE: room_mute(p, cmd->kind, cmd->muted); break;
	}
}

static void run_commands(struct worker *w)
{
	struct cmd *cmd;
	while ((cmd = dequeue(w)) != NULL) {
		run_cmd(w, cmd);
		free(cmd);
	}
}

void worker_conn_release(struct conn *c)
{
	conn_free(c);
}

/* ---- the thread ---- */

/* What the other workers sent: media for mirrors here, requests for tracks published here;
   up to `most` messages from each. Between two of our own datagrams one from each, so that
   a packet handed over does not wait for a whole batch of ours, nor ours for all that was
   handed over. */
static void drain_relays(struct worker *w, size_t most)
{
	size_t n = relay_workers(w->relay);
	for (unsigned from = 0; from < n; from++) {
		const struct relay_msg *m;
		for (size_t k = 0; k < most && (m = relay_peek(w->relay, from, w->index)); k++) {
			room_on_relay(w, from, m);
			relay_pop(w->relay, from, w->index);
		}
	}
}

static void tick(struct worker *w)
{
	uint64_t now = clock_us();
	room_tick(w);
	if (now - w->last_levels_us >= 100000) {
		/* A tenth of a second is plenty for speaker detection, and cheap. */
		w->last_levels_us = now;
		pthread_mutex_lock(&w->llock);
		w->nlevels = room_levels(w, w->levels, LIM_CONNS, now);
		pthread_mutex_unlock(&w->llock);
	}
	if (now - w->last_periodic_us >= 1000000) {
		w->last_periodic_us = now;
		room_periodic(w, now);
	}
}

/* Loop lag: how much later than its period the tick ran (the loop was busy). */
static void note_lag(struct worker *w)
{
	uint64_t now = clock_us();
	if (w->last_tick_us) {
		uint64_t gap = now - w->last_tick_us;
		uint64_t lag = gap > TICK_MS * 1000u ? gap - TICK_MS * 1000u : 0;
		CTR_ADD(&w->ctr, loop_lag_us, lag);
		CTR_ADD(&w->ctr, loop_ticks, 1);
		if (lag > atomic_load_explicit(&w->ctr.loop_lag_max_us, memory_order_relaxed))
			atomic_store_explicit(&w->ctr.loop_lag_max_us, lag, memory_order_relaxed);
	}
	w->last_tick_us = now;
}

double worker_dtls_cpu_seconds(const struct worker *w)
{
	return hs_thread_cpu_seconds(w->hst);
}

double worker_cpu_seconds(const struct worker *w)
{
	clockid_t cid;
	struct timespec ts;
	if (!w->running || pthread_getcpuclockid(w->thread, &cid) != 0 ||
	    clock_gettime(cid, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	if (!w->realtime)
		prio_media(); /* a real-time thread needs no short slice */
	struct epoll_event evs[4];
	while (!atomic_load(&w->stop)) {
		int n = epoll_wait(w->epfd, evs, 4, 100);
		if (n < 0 && errno != EINTR) {
			log_error("media", "epoll_wait failed");
			break;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == w->fd) {
				for (int rounds = 0; rounds < 64; rounds++) {
					if (udp_recv_batch(w->fd, &w->in) != 0 || w->in.n == 0)
						break;
					uint64_t rx_us = clock_us(), held_from = rx_us;
					for (size_t k = 0; k < w->in.n; k++) {
						on_datagram(w, w->in.buf[k], w->in.len[k],
						            (struct sockaddr *)&w->in.from[k],
						            rx_us);
						drain_relays(w, 1);
						uint64_t now = clock_us();
						if (now - held_from >= HOLD_US) {
							udp_out_flush(w->fd, &w->out);
							held_from = now;
						}
					}
					drain_relays(w, RELAY_SLOTS);
					udp_out_flush(w->fd, &w->out);
					/* A short batch drained the socket: asking again would
					   only hear EAGAIN. epoll is level-triggered, so what came
					   meanwhile wakes us at once. */
					if (w->in.n < LIM_BATCH)
						break;
				}
			} else if (fd == w->evfd) {
				uint64_t v;
				if (read(w->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
					log_warn("media", "eventfd read failed");
				run_commands(w);
				for (struct hs_out *o = take_handshakes(w), *next; o; o = next) {
					next = o->next;
					on_handshake(w, o);
					hs_out_free(o);
				}
			} else if (fd == w->tfd) {
				uint64_t v;
				if (read(w->tfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
					log_warn("media", "timerfd read failed");
				note_lag(w);
				tick(w);
			}
		}
		drain_relays(w, RELAY_SLOTS);
		udp_out_flush(w->fd, &w->out);
		atomic_store(&w->ctr.tx_failed, w->out.failed);
	}
	return NULL;
}

static void worker_free(struct worker *w)
{
	if (w->relay)
		relay_set_waker(w->relay, w->index, -1); /* its eventfd closes below */
	hs_thread_stop(w->hst); /* delivers nothing more; the conns still hold theirs */
	free_handshakes(take_handshakes(w));
	if (w->running) {
		room_free_all(w, conn_free);
	}
	struct cmd *cmd;
	while ((cmd = dequeue(w)) != NULL)
		free(cmd);
	while (w->conns)
		conn_free(w->conns);
	if (w->fd >= 0)
		close(w->fd);
	if (w->evfd >= 0)
		close(w->evfd);
	if (w->tfd >= 0)
		close(w->tfd);
	if (w->epfd >= 0)
		close(w->epfd);
	pthread_mutex_destroy(&w->qlock);
	pthread_mutex_destroy(&w->llock);
	hashidx_free(&w->by_addr);
	hashidx_free(&w->by_ufrag);
	hashidx_free(&w->by_handle);
	free(w->levels);
	free(w);
}

/* Worker i runs on the i-th CPU this process may use, so that a room's packets stay in one
   core's caches. Without the permission to pin, the scheduler decides. */
static void pin(struct worker *w)
{
	cpu_set_t allowed, one;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0 || CPU_COUNT(&allowed) < 2)
		return;
	int want = (int)(w->index % (unsigned)CPU_COUNT(&allowed));
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed) || want-- > 0)
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (pthread_setaffinity_np(w->thread, sizeof(one), &one) != 0)
			log_warn("media", "worker %u not pinned to CPU %d", w->index, cpu);
		return;
	}
}

struct worker *worker_start(unsigned index, const struct sockaddr *bind,
                            const struct media_config *cfg, struct dtls_ctx *dtls,
                            struct relay *relay, char *why, size_t why_cap)
{
	struct worker *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(why, why_cap, "out of memory");
		return NULL;
	}
	w->index = index;
	w->limit = cfg->limit;
	w->realtime = cfg->realtime;
	w->dtls = dtls;
	w->relay = relay;
	w->fd = w->evfd = w->tfd = w->epfd = -1;
	pthread_mutex_init(&w->qlock, NULL);
	pthread_mutex_init(&w->llock, NULL);
	w->levels = calloc(LIM_CONNS, sizeof(*w->levels));
	if (!w->levels || hashidx_init(&w->by_addr, INDEX_SLOTS) != 0 ||
	    hashidx_init(&w->by_ufrag, INDEX_SLOTS) != 0 ||
	    hashidx_init(&w->by_handle, HANDLE_SLOTS) != 0) {
		snprintf(why, why_cap, "out of memory");
		goto fail;
	}
	w->fd = udp_bind(bind, addr_len(bind));
	if (w->fd < 0) {
		snprintf(why, why_cap, "cannot bind media port %u: %s", addr_port(bind),
		         strerror(errno));
		goto fail;
	}
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	if (getsockname(w->fd, (struct sockaddr *)&bound, &blen) != 0)
		goto fail;
	w->port = addr_port((struct sockaddr *)&bound);
	w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->evfd < 0 || w->tfd < 0 || w->epfd < 0) {
		snprintf(why, why_cap, "cannot create the media event loop");
		goto fail;
	}
	struct itimerspec its = {.it_interval = {0, TICK_MS * 1000000L},
	                         .it_value = {0, TICK_MS * 1000000L}};
	timerfd_settime(w->tfd, 0, &its, NULL);
	int fds[3] = {w->fd, w->evfd, w->tfd};
	for (int i = 0; i < 3; i++) {
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = fds[i]};
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fds[i], &ev) != 0)
			goto fail;
	}
	w->last_periodic_us = clock_us();
	relay_set_waker(relay, index, w->evfd);
	w->hst = hs_thread_start(index, dtls, handshake_done, w);
	if (!w->hst) {
		snprintf(why, why_cap, "cannot start the DTLS thread");
		goto fail;
	}
	pthread_attr_t attr;
	int e = pthread_attr_init(&attr);
	if (e == 0 && w->realtime)
		e = prio_realtime_attr(&attr);
	if (e == 0) {
		e = pthread_create(&w->thread, &attr, worker_main, w);
		pthread_attr_destroy(&attr);
	}
	if (e != 0) {
		snprintf(why, why_cap, "cannot start media worker %u%s: %s", index,
		         w->realtime ? " at real-time priority (it needs CAP_SYS_NICE or an "
		                       "RLIMIT_RTPRIO of 1)"
		                     : "",
		         strerror(e));
		goto fail;
	}
	w->running = 1;
	/* So that top -H, perf and /proc/PID/task tell the workers apart. */
	char name[16];
	snprintf(name, sizeof(name), "kamer-media/%u", index);
	(void)pthread_setname_np(w->thread, name);
	pin(w);
	return w;
fail:
	worker_free(w);
	return NULL;
}

void worker_halt(struct worker *w)
{
	if (!w || !w->running || w->halted)
		return;
	atomic_store(&w->stop, 1);
	uint64_t one = 1;
	if (write(w->evfd, &one, sizeof(one)) < 0)
		log_warn("media", "eventfd write failed");
	pthread_join(w->thread, NULL);
	w->halted = 1;
}

void worker_stop(struct worker *w)
{
	if (!w)
		return;
	worker_halt(w);
	worker_free(w);
}
