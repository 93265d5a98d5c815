/* media.c - the media thread: the UDP port, the command queue, and each transport's
 * ICE-lite, DTLS and SRTP. Forwarding decisions live in room.c. */
#include "sfu/media.h"

#include <errno.h>
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
#include "base/limits.h"
#include "base/log.h"
#include "base/rnd.h"
#include "net/udp.h"
#include "rtc/dtls.h"
#include "rtc/rtcp.h"
#include "rtc/rtp.h"
#include "rtc/srtp.h"
#include "rtc/stun.h"
#include "sfu/internal.h"

#define TICK_MS    20
#define ADDR_SLOTS 8192 /* power of two, > 2 * LIM_CONNS */

enum cmd_type { CMD_CONN_ADD, CMD_PUBLISH, CMD_SUBSCRIBE, CMD_REMOVE, CMD_MUTE };

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

struct media {
	int fd, evfd, tfd, epfd;
	pthread_t thread;
	int running;
	_Atomic int stop;
	uint16_t port;
	char announce[64];
	struct dtls_ctx *dtls;

	pthread_mutex_t qlock;
	struct cmd *queue[LIM_QUEUE];
	size_t qhead, qlen;

	struct conn *conns;
	size_t nconns;
	struct conn *by_addr[ADDR_SLOTS]; /* open addressing, NULL = empty, TOMB = deleted */
	struct participant *parts;
	struct media_counters ctr;

	struct udp_batch in;
	struct udp_out out;
	uint64_t last_periodic_us, last_levels_us, last_tick_us;

	/* Loudness per participant, for the control plane's speaker detection. */
	pthread_mutex_t llock;
	struct media_level *levels;
	size_t nlevels;
};

static struct conn tomb_conn;
#define TOMB (&tomb_conn)

struct participant **media_participants(struct media *m)
{
	return &m->parts;
}

struct media_counters *media_counters_rw(struct media *m)
{
	return &m->ctr;
}

const struct media_counters *media_counters(const struct media *m)
{
	return &m->ctr;
}

const char *media_fingerprint(const struct media *m)
{
	return dtls_ctx_fingerprint(m->dtls);
}

const char *media_announce(const struct media *m)
{
	return m->announce;
}

uint16_t media_port(const struct media *m)
{
	return m->port;
}

int media_ice_credentials(char ufrag[MEDIA_UFRAG_LEN + 1], char pwd[MEDIA_PWD_LEN + 1])
{
	if (rnd_ice_string(ufrag, MEDIA_UFRAG_LEN) != 0 || rnd_ice_string(pwd, MEDIA_PWD_LEN) != 0)
		return ERR_IO;
	/* ':' separates ufrags in USERNAME; our alphabet never contains it. */
	return 0;
}

#define INC(field)    atomic_fetch_add_explicit(&m->ctr.field, 1, memory_order_relaxed)
#define ADD(field, v) atomic_fetch_add_explicit(&m->ctr.field, (v), memory_order_relaxed)

/* ---- the address table: verified address -> transport ---- */

static uint32_t addr_hash(const struct sockaddr *sa)
{
	uint32_t h = 2166136261u;
	const uint8_t *p;
	size_t n;
	if (sa->sa_family == AF_INET) {
		p = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
		n = 4;
	} else {
		p = (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
		n = 16;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	uint16_t port = addr_port(sa);
	h = (h ^ (port & 0xff)) * 16777619u;
	h = (h ^ (port >> 8)) * 16777619u;
	return h;
}

static struct conn *addr_lookup(struct media *m, const struct sockaddr *sa)
{
	uint32_t i = addr_hash(sa) & (ADDR_SLOTS - 1);
	for (size_t probes = 0; probes < ADDR_SLOTS; probes++, i = (i + 1) & (ADDR_SLOTS - 1)) {
		struct conn *c = m->by_addr[i];
		if (!c)
			return NULL;
		if (c != TOMB && addr_equal((const struct sockaddr *)&c->addr, sa))
			return c;
	}
	return NULL;
}

static void addr_remove(struct media *m, struct conn *c)
{
	if (!c->has_addr)
		return;
	uint32_t i = addr_hash((struct sockaddr *)&c->addr) & (ADDR_SLOTS - 1);
	for (size_t probes = 0; probes < ADDR_SLOTS; probes++, i = (i + 1) & (ADDR_SLOTS - 1)) {
		if (!m->by_addr[i])
			break;
		if (m->by_addr[i] == c) {
			m->by_addr[i] = TOMB;
			break;
		}
	}
	c->has_addr = 0;
}

static void addr_insert(struct media *m, struct conn *c, const struct sockaddr *sa)
{
	struct conn *other = addr_lookup(m, sa);
	if (other)
		addr_remove(m, other); /* the address moved to another transport */
	addr_remove(m, c);
	memcpy(&c->addr, sa, addr_len(sa));
	uint32_t i = addr_hash(sa) & (ADDR_SLOTS - 1);
	while (m->by_addr[i] && m->by_addr[i] != TOMB)
		i = (i + 1) & (ADDR_SLOTS - 1);
	m->by_addr[i] = c;
	c->has_addr = 1;
}

/* ---- transports ---- */

static void conn_free(struct conn *c)
{
	struct media *m = c->m;
	addr_remove(m, c);
	for (struct conn **pp = &m->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	m->nconns--;
	atomic_store(&m->ctr.conns, m->nconns);
	dtls_free(c->dtls);
	srtp_sess_free(c->srtp);
	ct_wipe(c, sizeof(*c));
	free(c);
}

enum send_kind { SEND_RAW, SEND_RTP, SEND_RTCP };

/* Copies p into the next outgoing slot, protecting RTP and RTCP with the conn's keys there. */
static void conn_send(struct conn *c, const uint8_t *p, size_t len, enum send_kind kind, uint8_t pt)
{
	struct media *m = c->m;
	size_t room = kind == SEND_RAW ? 0 : SRTP_SESS_OVERHEAD;
	if (!c->has_addr || len + room > LIM_PACKET || (kind != SEND_RAW && !c->srtp))
		return;
	uint8_t *slot = udp_out_slot(m->fd, &m->out);
	memcpy(slot, p, len);
	if (kind == SEND_RTP) {
		rtp_set_pt(slot, pt);
		if (srtp_sess_protect_rtp(c->srtp, slot, &len) != 0)
			return;
	} else if (kind == SEND_RTCP && srtp_sess_protect_rtcp(c->srtp, slot, &len) != 0) {
		return;
	}
	udp_out_commit(&m->out, len, (struct sockaddr *)&c->addr);
	INC(tx_packets);
	ADD(tx_bytes, len);
}

static void dtls_send(void *arg, const uint8_t *p, size_t len)
{
	conn_send(arg, p, len, SEND_RAW, 0);
}

void conn_send_rtp(struct conn *c, const uint8_t *plain, size_t len, uint8_t pt)
{
	conn_send(c, plain, len, SEND_RTP, pt);
}

void conn_send_rtcp(struct conn *c, const uint8_t *plain, size_t len)
{
	conn_send(c, plain, len, SEND_RTCP, 0);
}

static struct conn *conn_by_ufrag(struct media *m, const uint8_t *u, size_t n)
{
	for (struct conn *c = m->conns; c; c = c->next) {
		if (n == MEDIA_UFRAG_LEN && memcmp(c->ufrag, u, n) == 0)
			return c;
	}
	return NULL;
}

/* RFC 8445 s7.3 as an ICE-lite agent: answer valid checks, take the checked address. */
static void on_stun(struct media *m, const uint8_t *p, size_t len, const struct sockaddr *from)
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
	    colon ? conn_by_ufrag(m, msg.username, (size_t)(colon - msg.username)) : NULL;
	if (!c || c->failed || stun_verify_fingerprint(&msg, p) != 0 ||
	    stun_verify_integrity(&msg, p, c->pwd, MEDIA_PWD_LEN) != 0) {
		INC(drop_stun_auth);
		return;
	}
	INC(stun_ok);
	uint8_t *slot = udp_out_slot(m->fd, &m->out);
	int n = stun_binding_response(slot, LIM_PACKET, &msg, from, c->pwd, MEDIA_PWD_LEN);
	if (n > 0) {
		udp_out_commit(&m->out, (size_t)n, from);
		INC(tx_packets);
		ADD(tx_bytes, (uint64_t)n);
	}
	if (!c->has_addr || (msg.use_candidate && !addr_equal((struct sockaddr *)&c->addr, from)))
		addr_insert(m, c, from);
	c->last_rx_us = clock_us();
	if (!c->dtls) {
		c->dtls = dtls_new(m->dtls, c->peer_fp, dtls_send, c);
		if (!c->dtls)
			log_error("media", "no memory for a DTLS connection");
	}
}

static void on_dtls(struct media *m, struct conn *c, const uint8_t *p, size_t len)
{
	if (!c->dtls || c->failed)
		return;
	struct dtls_keys keys;
	enum dtls_state before = dtls_state(c->dtls);
	enum dtls_state st = dtls_feed(c->dtls, p, len, &keys);
	if (st == DTLS_CONNECTED && before == DTLS_HANDSHAKING) {
		c->srtp = srtp_sess_new(&keys);
		ct_wipe(&keys, sizeof(keys));
		if (!c->srtp) {
			c->failed = 1;
			INC(dtls_failed);
			return;
		}
		log_debug("media", "transport ready (%s)",
		          c->role == MEDIA_PUB ? "publish" : "subscribe");
		room_on_ready(c);
	} else if (st == DTLS_FAILED || st == DTLS_CLOSED) {
		if (st == DTLS_FAILED) {
			INC(dtls_failed);
			log_warn("media", "DTLS failed: %s", dtls_why(c->dtls));
		}
		c->failed = 1;
		srtp_sess_free(c->srtp);
		c->srtp = NULL;
		addr_remove(m, c);
	}
}

/* ERR_LIMIT and ERR_NOMEM (an SSRC beyond LIM_SRTP_SSRCS) are too rare for their own
   counter: they go with the malformed. */
static void count_srtp_drop(struct media *m, int rc)
{
	if (rc == ERR_AUTH)
		INC(drop_srtp_auth);
	else if (rc == ERR_REPLAY)
		INC(drop_srtp_replay);
	else
		INC(drop_malformed);
}

static void on_datagram(struct media *m, uint8_t *p, size_t len, const struct sockaddr *from)
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
		on_stun(m, p, len, from);
		return;
	}
	struct conn *c = addr_lookup(m, from);
	if (!(b >= 20 && b <= 63) && !(b >= 128 && b <= 191)) {
		INC(drop_malformed);
		return;
	}
	if (!c) {
		INC(drop_unverified);
		return;
	}
	c->last_rx_us = clock_us();
	if (b <= 63) {
		on_dtls(m, c, p, len);
		return;
	}
	if (!c->srtp) {
		INC(drop_not_ready);
		return;
	}
	if (rtp_is_rtcp(p, len)) {
		int rc = srtp_sess_unprotect_rtcp(c->srtp, p, &len);
		if (rc != 0) {
			count_srtp_drop(m, rc);
			return;
		}
		room_on_rtcp(c, p, len);
		return;
	}
	int rc = srtp_sess_unprotect_rtp(c->srtp, p, &len);
	if (rc != 0) {
		count_srtp_drop(m, rc);
		return;
	}
	struct rtp_hdr h;
	if (rtp_parse(&h, p, len) != 0) {
		INC(drop_malformed);
		return;
	}
	room_on_rtp(c, p, len, &h);
}

/* ---- commands ---- */

static int enqueue(struct media *m, struct cmd *cmd)
{
	pthread_mutex_lock(&m->qlock);
	if (m->qlen == LIM_QUEUE) {
		pthread_mutex_unlock(&m->qlock);
		free(cmd);
		return ERR_LIMIT;
	}
	m->queue[(m->qhead + m->qlen) % LIM_QUEUE] = cmd;
	m->qlen++;
	pthread_mutex_unlock(&m->qlock);
	uint64_t one = 1;
	if (write(m->evfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("media", "eventfd write failed");
	return 0;
}

static struct cmd *dequeue(struct media *m)
{
	struct cmd *c = NULL;
	pthread_mutex_lock(&m->qlock);
	if (m->qlen > 0) {
		c = m->queue[m->qhead];
		m->qhead = (m->qhead + 1) % LIM_QUEUE;
		m->qlen--;
	}
	pthread_mutex_unlock(&m->qlock);
	return c;
}

/* Allocates a command carrying n items of size bytes at items, and queues it. */
static int post(struct media *m, enum cmd_type type, uint64_t participant, const void *items,
                size_t n, size_t size)
{
	struct cmd *c = calloc(1, sizeof(*c));
	if (!c)
		return ERR_NOMEM;
	c->type = type;
	c->participant = participant;
	c->n = n;
	if (n > 0)
		memcpy(&c->u, items, n * size);
	return enqueue(m, c);
}

int media_conn_add(struct media *m, const struct media_conn_spec *s)
{
	struct cmd *c = calloc(1, sizeof(*c));
	if (!c)
		return ERR_NOMEM;
	c->type = CMD_CONN_ADD;
	c->participant = s->participant;
	c->conn = *s;
	return enqueue(m, c);
}

int media_publish(struct media *m, uint64_t participant, const struct media_track_spec *t, size_t n)
{
	if (n > LIM_TRACKS_PER_PUB)
		return ERR_LIMIT;
	return post(m, CMD_PUBLISH, participant, t, n, sizeof(*t));
}

int media_subscribe(struct media *m, uint64_t participant, const struct media_sub_spec *s, size_t n)
{
	if (n > LIM_SUB_TRACKS)
		return ERR_LIMIT;
	return post(m, CMD_SUBSCRIBE, participant, s, n, sizeof(*s));
}

int media_remove(struct media *m, uint64_t participant)
{
	return post(m, CMD_REMOVE, participant, NULL, 0, 0);
}

int media_mute(struct media *m, uint64_t participant, enum media_kind kind, int muted)
{
	struct cmd *c = calloc(1, sizeof(*c));
	if (!c)
		return ERR_NOMEM;
	c->type = CMD_MUTE;
	c->participant = participant;
	c->kind = kind;
	c->muted = muted;
	return enqueue(m, c);
}

size_t media_levels(struct media *m, struct media_level *out, size_t cap)
{
	pthread_mutex_lock(&m->llock);
	size_t n = m->nlevels < cap ? m->nlevels : cap;
	memcpy(out, m->levels, n * sizeof(*out));
	pthread_mutex_unlock(&m->llock);
	return n;
}

static void run_cmd(struct media *m, struct cmd *cmd)
{
	struct participant *p =
	    room_participant(m, cmd->participant, cmd->type != CMD_REMOVE && cmd->type != CMD_MUTE);
	if (!p)
		return;
	switch (cmd->type) {
	case CMD_CONN_ADD: {
		if (m->nconns >= LIM_CONNS) {
			log_warn("media", "transport limit reached");
			return;
		}
		struct conn *c = calloc(1, sizeof(*c));
		if (!c)
			return;
		c->m = m;
		c->role = cmd->conn.role;
		memcpy(c->ufrag, cmd->conn.ufrag, sizeof(c->ufrag));
		memcpy(c->pwd, cmd->conn.pwd, sizeof(c->pwd));
		memcpy(c->peer_fp, cmd->conn.peer_fp, 32);
		c->last_rx_us = clock_us();
		c->next = m->conns;
		m->conns = c;
		m->nconns++;
		atomic_store(&m->ctr.conns, m->nconns);
		room_set_conn(p, c); /* frees the participant's previous conn of this role */
		break;
	}
	case CMD_PUBLISH: room_publish(m, p, cmd->u.tracks, cmd->n); break;
	case CMD_SUBSCRIBE: room_subscribe(m, p, cmd->u.subs, cmd->n); break;
	case CMD_REMOVE: room_remove(m, p, conn_free); break;
	case CMD_MUTE: room_mute(p, cmd->kind, cmd->muted); break;
	}
}

void media_conn_release(struct conn *c)
{
	conn_free(c);
}

/* ---- the thread ---- */

static void tick(struct media *m)
{
	uint64_t now = clock_us();
	for (struct conn *c = m->conns; c; c = c->next) {
		if (c->dtls && !c->failed && dtls_state(c->dtls) == DTLS_HANDSHAKING)
			dtls_tick(c->dtls);
	}
	if (now - m->last_levels_us >= 100000) {
		/* A tenth of a second is plenty for speaker detection, and cheap. */
		m->last_levels_us = now;
		pthread_mutex_lock(&m->llock);
		m->nlevels = room_levels(m, m->levels, LIM_CONNS, now);
		pthread_mutex_unlock(&m->llock);
	}
	if (now - m->last_periodic_us >= 1000000) {
		m->last_periodic_us = now;
		room_periodic(m, now);
	}
}

/* Loop lag: how much later than its period the tick ran (the loop was busy). */
static void note_lag(struct media *m)
{
	uint64_t now = clock_us();
	if (m->last_tick_us) {
		uint64_t gap = now - m->last_tick_us;
		uint64_t lag = gap > TICK_MS * 1000u ? gap - TICK_MS * 1000u : 0;
		atomic_fetch_add_explicit(&m->ctr.loop_lag_us, lag, memory_order_relaxed);
		atomic_fetch_add_explicit(&m->ctr.loop_ticks, 1, memory_order_relaxed);
		if (lag > atomic_load_explicit(&m->ctr.loop_lag_max_us, memory_order_relaxed))
			atomic_store_explicit(&m->ctr.loop_lag_max_us, lag, memory_order_relaxed);
	}
	m->last_tick_us = now;
}

double media_cpu_seconds(const struct media *m)
{
	clockid_t cid;
	struct timespec ts;
	if (!m->running || pthread_getcpuclockid(m->thread, &cid) != 0 ||
	    clock_gettime(cid, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *media_main(void *arg)
{
	struct media *m = arg;
	struct epoll_event evs[4];
	while (!atomic_load(&m->stop)) {
		int n = epoll_wait(m->epfd, evs, 4, 100);
		if (n < 0 && errno != EINTR) {
			log_error("media", "epoll_wait failed");
			break;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == m->fd) {
				for (int rounds = 0; rounds < 64; rounds++) {
					if (udp_recv_batch(m->fd, &m->in) != 0 || m->in.n == 0)
						break;
					for (size_t k = 0; k < m->in.n; k++)
						on_datagram(m, m->in.buf[k], m->in.len[k],
						            (struct sockaddr *)&m->in.from[k]);
					udp_out_flush(m->fd, &m->out);
				}
			} else if (fd == m->evfd) {
				uint64_t v;
				if (read(m->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
					log_warn("media", "eventfd read failed");
				struct cmd *cmd;
				while ((cmd = dequeue(m)) != NULL) {
					run_cmd(m, cmd);
					free(cmd);
				}
			} else if (fd == m->tfd) {
				uint64_t v;
				if (read(m->tfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
					log_warn("media", "timerfd read failed");
				note_lag(m);
				tick(m);
			}
		}
		udp_out_flush(m->fd, &m->out);
		atomic_store(&m->ctr.tx_failed, m->out.failed);
	}
	return NULL;
}

static void media_free(struct media *m)
{
	if (m->running) {
		room_free_all(m, conn_free);
	}
	struct cmd *cmd;
	while ((cmd = dequeue(m)) != NULL)
		free(cmd);
	while (m->conns)
		conn_free(m->conns);
	if (m->fd >= 0)
		close(m->fd);
	if (m->evfd >= 0)
		close(m->evfd);
	if (m->tfd >= 0)
		close(m->tfd);
	if (m->epfd >= 0)
		close(m->epfd);
	dtls_ctx_free(m->dtls);
	pthread_mutex_destroy(&m->qlock);
	pthread_mutex_destroy(&m->llock);
	free(m->levels);
	free(m);
}

struct media *media_start(const struct media_config *cfg, char *why, size_t why_cap)
{
	struct media *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(why, why_cap, "out of memory");
		return NULL;
	}
	m->fd = m->evfd = m->tfd = m->epfd = -1;
	pthread_mutex_init(&m->qlock, NULL);
	pthread_mutex_init(&m->llock, NULL);
	m->levels = calloc(LIM_CONNS, sizeof(*m->levels));
	if (!m->levels) {
		snprintf(why, why_cap, "out of memory");
		goto fail;
	}
	m->dtls = dtls_ctx_new();
	if (!m->dtls) {
		snprintf(why, why_cap, "cannot create the DTLS certificate");
		goto fail;
	}
	const struct sockaddr *sa = (const struct sockaddr *)&cfg->bind;
	m->fd = udp_bind(sa, addr_len(sa));
	if (m->fd < 0) {
		snprintf(why, why_cap, "cannot bind the media port: %s", strerror(errno));
		goto fail;
	}
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	if (getsockname(m->fd, (struct sockaddr *)&bound, &blen) != 0)
		goto fail;
	m->port = addr_port((struct sockaddr *)&bound);
	if (cfg->announce[0])
		snprintf(m->announce, sizeof(m->announce), "%s", cfg->announce);
	else if (addr_host((struct sockaddr *)&bound, m->announce, sizeof(m->announce)) != 0)
		goto fail;
	m->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	m->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (m->evfd < 0 || m->tfd < 0 || m->epfd < 0) {
		snprintf(why, why_cap, "cannot create the media event loop");
		goto fail;
	}
	struct itimerspec its = {.it_interval = {0, TICK_MS * 1000000L},
	                         .it_value = {0, TICK_MS * 1000000L}};
	timerfd_settime(m->tfd, 0, &its, NULL);
	int fds[3] = {m->fd, m->evfd, m->tfd};
	for (int i = 0; i < 3; i++) {
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = fds[i]};
		if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, fds[i], &ev) != 0)
			goto fail;
	}
	m->last_periodic_us = clock_us();
	if (pthread_create(&m->thread, NULL, media_main, m) != 0) {
		snprintf(why, why_cap, "cannot start the media thread");
		goto fail;
	}
	m->running = 1;
	return m;
fail:
	media_free(m);
	return NULL;
}

void media_stop(struct media *m)
{
	if (!m)
		return;
	atomic_store(&m->stop, 1);
	uint64_t one = 1;
	if (write(m->evfd, &one, sizeof(one)) < 0)
		log_warn("media", "eventfd write failed");
	pthread_join(m->thread, NULL);
	media_free(m);
}
