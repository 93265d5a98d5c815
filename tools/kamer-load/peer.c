/* peer.c - one transport of a synthetic participant: ICE checks as the controlling agent,
 * DTLS (client, or server when the other side insists on a=setup:active), SRTP, and the
 * demultiplexing of what arrives (RFC 7983). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/ct.h"
#include "base/log.h"
#include "base/rnd.h"
#include "load.h"
#include "net/udp.h"
#include "rtc/dtls.h"
#include "rtc/rtcp.h"
#include "rtc/rtp.h"
#include "rtc/sdp.h"
#include "rtc/sdp_client.h"
#include "rtc/srtp.h"
#include "rtc/stun.h"

#define PEER_UFRAG_LEN   8
#define PEER_PWD_LEN     24
#define CHECK_FIRST_NS   50000000ull /* before ICE succeeds: 50 ms, doubling to 400 ms */
#define CHECK_MAX_NS     400000000ull
#define CONSENT_EVERY_NS 2000000000ull /* after */
#define RR_EVERY_NS      1000000000ull
#define PEER_TIMEOUT_NS  20000000000ull /* ICE and DTLS must be done by then */

static struct dtls_ctx *g_dtls;
unsigned load_rx_loss_pct;
_Atomic unsigned long load_srtp_profiles[2][2];

/* --rx-loss: a cheap generator per media thread decides which packets the network lost. */
static int simulated_loss(void)
{
	static __thread uint32_t x = 0x12345678u;
	if (!load_rx_loss_pct)
		return 0;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x % 100 < load_rx_loss_pct;
}

int load_dtls_init(void)
{
	g_dtls = dtls_ctx_new_peer();
	return g_dtls ? 0 : ERR_NOMEM;
}

void load_dtls_done(void)
{
	dtls_ctx_free(g_dtls);
	g_dtls = NULL;
}

const char *load_fingerprint(void)
{
	return dtls_ctx_fingerprint(g_dtls);
}

struct peer {
	struct load_part *part;
	struct worker *w;
	enum peer_role role;
	unsigned sub;
	int fd;
	struct sockaddr_storage remote;
	char ufrag[PEER_UFRAG_LEN + 1], pwd[PEER_PWD_LEN + 1];
	char r_ufrag[257], r_pwd[257];
	uint8_t r_fp[32];
	int dtls_client, failed, ice_ok;
	int controlled; /* flipped by a 487 Role Conflict (RFC 8445 7.3.1.1) */
	struct dtls *dtls;
	struct srtp_sess *srtp;
	uint64_t created_ns, next_check_ns, next_rr_ns;
	uint64_t check_every_ns; /* backs off until the server knows our transport */
	uint64_t tiebreaker;
	uint32_t rtcp_ssrc;
	uint8_t txid[12];
	uint32_t drops_seen; /* the socket's drop count when last read */
};

struct peer *peer_new(struct load_part *part, enum peer_role role, unsigned sub,
                      const struct sockaddr *local)
{
	struct peer *pc = calloc(1, sizeof(*pc));
	if (!pc)
		return NULL;
	pc->fd = -1;
	pc->part = part;
	pc->role = role;
	pc->sub = sub;
	if (rnd_ice_string(pc->ufrag, PEER_UFRAG_LEN) != 0 ||
	    rnd_ice_string(pc->pwd, PEER_PWD_LEN) != 0 ||
	    rnd_bytes(&pc->tiebreaker, sizeof(pc->tiebreaker)) != 0)
		goto fail;
	pc->rtcp_ssrc = rnd_u32();
	pc->fd = udp_bind(local, addr_len(local));
	if (pc->fd < 0)
		goto fail;
	int on = 1;
	if (setsockopt(pc->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) != 0)
		log_warn("load", "no receive timestamps: delays include the tool's own lag");
	if (setsockopt(pc->fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on)) != 0)
		log_warn("load", "no drop counts: the socket's own drops are not told apart");
	return pc;
fail:
	peer_free(pc);
	return NULL;
}

void peer_free(struct peer *pc)
{
	if (!pc)
		return;
	if (pc->fd >= 0)
		close(pc->fd);
	dtls_free(pc->dtls);
	srtp_sess_free(pc->srtp);
	ct_wipe(pc, sizeof(*pc));
	free(pc);
}

const char *peer_ufrag(const struct peer *pc)
{
	return pc->ufrag;
}

const char *peer_pwd(const struct peer *pc)
{
	return pc->pwd;
}

int peer_fd(const struct peer *pc)
{
	return pc->fd;
}

int peer_ready(const struct peer *pc)
{
	return pc->srtp != NULL;
}

void peer_attach(struct peer *pc, struct worker *w)
{
	pc->w = w;
}

int peer_local(const struct peer *pc, char *addr, size_t cap, uint16_t *port)
{
	struct sockaddr_storage me;
	socklen_t ml = sizeof(me);
	if (getsockname(pc->fd, (struct sockaddr *)&me, &ml) != 0)
		return ERR_IO;
	*port = addr_port((struct sockaddr *)&me);
	return addr_host((struct sockaddr *)&me, addr, cap);
}

static void dtls_out(void *arg, const uint8_t *p, size_t len)
{
	struct peer *pc = arg;
	if (!pc->w || len > LIM_PACKET)
		return;
	uint8_t *slot = worker_slot(pc->w, pc->fd);
	memcpy(slot, p, len);
	worker_commit(pc->w, len, (struct sockaddr *)&pc->remote);
}

int peer_set_remote(struct peer *pc, const struct sdp *r, const char *text, int remote_is_answer)
{
	if (!r->ice_ufrag[0] || !r->ice_pwd[0] || !r->has_fingerprint)
		return ERR_PROTO;
	if (sdp_find_candidate(text, strlen(text), &pc->remote) != 0)
		return ERR_NOTFOUND;
	snprintf(pc->r_ufrag, sizeof(pc->r_ufrag), "%s", r->ice_ufrag);
	snprintf(pc->r_pwd, sizeof(pc->r_pwd), "%s", r->ice_pwd);
	memcpy(pc->r_fp, r->fingerprint, 32);
	/* Our offers say actpass and our answers active unless the offer said active. */
	enum sdp_setup s = r->setup;
	if (s == SDP_SETUP_NONE && r->nmedia > 0)
		s = r->media[0].setup;
	pc->dtls_client = s != SDP_SETUP_ACTIVE;
	(void)remote_is_answer;
	if (!pc->dtls) {
		pc->dtls = pc->dtls_client ? dtls_new_client(g_dtls, pc->r_fp, dtls_out, pc)
		                           : dtls_new(g_dtls, pc->r_fp, dtls_out, pc);
		if (!pc->dtls)
			return ERR_NOMEM;
	}
	return 0;
}

static void fail(struct peer *pc, const char *why)
{
	if (pc->failed)
		return;
	pc->failed = 1;
	pc->part->peer_errors++;
	log_warn("load", "%s: %s transport failed: %s", pc->part->name,
	         pc->role == PEER_PUB ? "publish" : "subscribe", why);
}

static uint8_t *sink_slot(void *arg)
{
	struct peer *pc = arg;
	return worker_slot(pc->w, pc->fd);
}

static void sink_commit(void *arg, size_t len, int rtcp)
{
	struct peer *pc = arg;
	uint8_t *p = worker_slot(pc->w, pc->fd); /* the same slot: nothing was committed since */
	int rc = rtcp ? srtp_sess_protect_rtcp(pc->srtp, p, &len)
	              : srtp_sess_protect_rtp(pc->srtp, p, &len);
	if (rc != 0) {
		pc->part->peer_errors++;
		return;
	}
	worker_commit(pc->w, len, (struct sockaddr *)&pc->remote);
}

static void send_check(struct peer *pc)
{
	if (rnd_bytes(pc->txid, sizeof(pc->txid)) != 0)
		return;
	struct stun_check c = {.remote_ufrag = pc->r_ufrag,
	                       .local_ufrag = pc->ufrag,
	                       .remote_pwd = pc->r_pwd,
	                       .priority = 2130706431u,
	                       .tiebreaker = pc->tiebreaker,
	                       .controlling = 1,
	                       .use_candidate = 1};
	memcpy(c.txid, pc->txid, sizeof(c.txid));
	uint8_t *slot = worker_slot(pc->w, pc->fd);
	int n = stun_binding_request(slot, LIM_PACKET, &c);
	if (n > 0)
		worker_commit(pc->w, (size_t)n, (struct sockaddr *)&pc->remote);
}

static void ice_ready(struct peer *pc)
{
	if (pc->ice_ok)
		return;
	pc->ice_ok = 1;
	if (pc->role == PEER_SUB && !pc->part->t_ice_ns)
		pc->part->t_ice_ns = load_now_ns();
	if (pc->dtls_client && dtls_start(pc->dtls) == DTLS_FAILED)
		fail(pc, dtls_why(pc->dtls));
}

static void on_stun(struct peer *pc, const uint8_t *p, size_t len, const struct sockaddr *from)
{
	struct stun_msg m;
	if (stun_parse(&m, p, len) != 0)
		return;
	if (m.type == STUN_BINDING_SUCCESS) {
		if (memcmp(m.txid, pc->txid, 12) != 0 ||
		    stun_verify_integrity(&m, p, pc->r_pwd, strlen(pc->r_pwd)) != 0)
			return;
		ice_ready(pc);
		return;
	}
	if (m.type == STUN_BINDING_ERROR) {
		if (memcmp(m.txid, pc->txid, 12) == 0 && m.error_code == 487 &&
		    stun_verify_integrity(&m, p, pc->r_pwd, strlen(pc->r_pwd)) == 0) {
			pc->controlled = !pc->controlled;
			pc->next_check_ns = 0; /* check again at once in the other role */
		}
		return;
	}
	if (m.type == STUN_BINDING_REQUEST) {
		/* A full ICE agent on the other side checks us too (RFC 8445 7.3). */
		if (stun_verify_integrity(&m, p, pc->pwd, PEER_PWD_LEN) != 0)
			return;
		uint8_t *slot = worker_slot(pc->w, pc->fd);
		int n = stun_binding_response(slot, LIM_PACKET, &m, from, pc->pwd, PEER_PWD_LEN);
		if (n > 0)
			worker_commit(pc->w, (size_t)n, from);
		/* An authenticated check proves the path: before our own checks succeed, its
		   source is the address to use (a peer-reflexive candidate, RFC 8445 7.3.1.3),
		   which matters when the SDP's first candidate is not reachable from here. */
		if (!pc->ice_ok) {
			memcpy(&pc->remote, from, addr_len(from));
			ice_ready(pc);
		}
	}
}

static void on_dtls(struct peer *pc, const uint8_t *p, size_t len)
{
	if (!pc->dtls || pc->failed)
		return;
	struct dtls_keys keys;
	enum dtls_state before = dtls_state(pc->dtls);
	enum dtls_state st = dtls_feed(pc->dtls, p, len, &keys);
	if (st == DTLS_CONNECTED && before == DTLS_HANDSHAKING) {
		if (keys.profile == DTLS_SRTP_AEAD_AES_128_GCM ||
		    keys.profile == DTLS_SRTP_AES128_CM_SHA1_80)
			atomic_fetch_add(&load_srtp_profiles[pc->role][keys.profile !=
			                                               DTLS_SRTP_AEAD_AES_128_GCM],
			                 1);
		pc->srtp = srtp_sess_new(&keys);
		ct_wipe(&keys, sizeof(keys));
		if (!pc->srtp)
			fail(pc, "cannot key SRTP");
		else if (pc->role == PEER_SUB && !pc->part->t_keyed_ns)
			pc->part->t_keyed_ns = load_now_ns();
	} else if (st == DTLS_FAILED) {
		fail(pc, dtls_why(pc->dtls));
	}
}

static void on_rtcp(struct peer *pc, uint8_t *p, size_t len, uint64_t now_ns)
{
	if (srtp_sess_unprotect_rtcp(pc->srtp, p, &len) != 0) {
		pc->part->rx.bad++;
		return;
	}
	if (pc->role == PEER_PUB) {
		struct pkt_sink out = {sink_slot, sink_commit, pc};
		gen_on_rtcp(&pc->part->gen, p, len, &out);
		return;
	}
	struct rtcp_iter it;
	struct rtcp_pkt k;
	rtcp_iter_init(&it, p, len);
	while (rtcp_iter_next(&it, &k) == 1) {
		struct rtcp_sr sr;
		if (k.pt == RTCP_SR && rtcp_parse_sr(&k, &sr) == 0)
			rx_on_sr(&pc->part->rx, sr.ssrc, sr.ntp, now_ns);
	}
}

static void on_datagram(struct peer *pc, uint8_t *p, size_t len, const struct sockaddr *from,
                        uint64_t now_ns)
{
	if (len == 0)
		return;
	uint8_t b = p[0];
	if (b <= 3) {
		on_stun(pc, p, len, from);
		return;
	}
	if (!addr_equal(from, (struct sockaddr *)&pc->remote))
		return; /* only the server's candidate speaks DTLS and SRTP to us */
	if (b >= 20 && b <= 63) {
		on_dtls(pc, p, len);
		return;
	}
	if (b < 128 || b > 191 || !pc->srtp)
		return;
	if (rtp_is_rtcp(p, len)) {
		on_rtcp(pc, p, len, now_ns);
		return;
	}
	if (pc->role != PEER_SUB || simulated_loss())
		return;
	if (pc->part->sink) {
		rx_count(&pc->part->rx, len, now_ns);
		worker_unwatch(pc->w, pc->fd);
		return;
	}
	if (srtp_sess_unprotect_rtp(pc->srtp, p, &len) != 0) {
		pc->part->rx.bad++;
		return;
	}
	struct rx_gap gap;
	rx_on_rtp(&pc->part->rx, pc->sub, p, len, now_ns, &gap);
	if (gap.n > 0) {
		uint8_t *slot = worker_slot(pc->w, pc->fd);
		int n = rtcp_write_nack(slot, LIM_PACKET - SRTP_SESS_OVERHEAD, pc->rtcp_ssrc,
		                        gap.ssrc, gap.seqs, gap.n);
		if (n > 0)
			sink_commit(pc, (size_t)n, 1);
	}
}

/* recvmmsg with receive timestamps; 0 with b->n set, or ERR_IO. */
static int recv_batch(int fd, struct rx_batch *b)
{
	struct mmsghdr msgs[LIM_BATCH];
	struct iovec iov[LIM_BATCH];
	memset(msgs, 0, sizeof(msgs));
	for (size_t i = 0; i < LIM_BATCH; i++) {
		iov[i] = (struct iovec){b->buf[i], LIM_PACKET};
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &b->from[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(b->from[i]);
		msgs[i].msg_hdr.msg_control = b->ctl[i];
		msgs[i].msg_hdr.msg_controllen = sizeof(b->ctl[i]);
	}
	b->n = 0;
	b->drops = 0;
	int n = recvmmsg(fd, msgs, LIM_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : ERR_IO;
	/* The kernel stamps CLOCK_REALTIME; the trailer carries CLOCK_MONOTONIC. */
	struct timespec rt, mt;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	int64_t off = ((int64_t)rt.tv_sec - mt.tv_sec) * 1000000000ll + (rt.tv_nsec - mt.tv_nsec);
	uint64_t now = (uint64_t)mt.tv_sec * 1000000000ull + (uint64_t)mt.tv_nsec;
	for (int i = 0; i < n; i++) {
		struct msghdr *h = &msgs[i].msg_hdr;
		b->len[i] = (h->msg_flags & MSG_TRUNC) ? 0 : msgs[i].msg_len;
		b->at_ns[i] = now;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;
				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				int64_t at = (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec - off;
				if (at > 0 && (uint64_t)at <= now)
					b->at_ns[i] = (uint64_t)at;
			} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
				uint32_t d;
				memcpy(&d, CMSG_DATA(c), sizeof(d));
				if (d > b->drops)
					b->drops = d;
			}
		}
	}
	b->n = (size_t)n;
	return 0;
}

void peer_on_readable(struct peer *pc, struct rx_batch *b)
{
	/* Bounded: a flood on one socket must not starve the others. */
	for (int round = 0; round < 8; round++) {
		if (recv_batch(pc->fd, b) != 0 || b->n == 0)
			break;
		/* What the kernel dropped for want of room while this socket waited to be read:
		   the load's own doing, not the server's (the count only grows). */
		if (b->drops > pc->drops_seen) {
			if (pc->role == PEER_SUB)
				rx_count_drops(&pc->part->rx, b->drops - pc->drops_seen,
				               b->at_ns[0]);
			pc->drops_seen = b->drops;
		}
		for (size_t i = 0; i < b->n; i++)
			on_datagram(pc, b->buf[i], b->len[i], (struct sockaddr *)&b->from[i],
			            b->at_ns[i]);
		if (b->n < LIM_BATCH)
			break;
	}
}

void peer_tick(struct peer *pc, uint64_t now_ns)
{
	if (pc->failed)
		return;
	if (!pc->created_ns)
		pc->created_ns = now_ns;
	if (!pc->srtp && now_ns - pc->created_ns > PEER_TIMEOUT_NS) {
		fail(pc, pc->ice_ok ? "DTLS did not finish" : "no answer to ICE checks");
		return;
	}
	if (now_ns >= pc->next_check_ns) {
		send_check(pc);
		/* The server learns of a transport over the WebSocket, which may lag behind UDP:
		   checks that arrive first are dropped (and counted) there, so back off. */
		pc->check_every_ns = !pc->check_every_ns ? CHECK_FIRST_NS : pc->check_every_ns * 2;
		if (pc->check_every_ns > CHECK_MAX_NS)
			pc->check_every_ns = CHECK_MAX_NS;
		pc->next_check_ns = now_ns + (pc->ice_ok ? CONSENT_EVERY_NS : pc->check_every_ns);
	}
	if (!pc->srtp) {
		if (pc->ice_ok && dtls_tick(pc->dtls))
			pc->part->dtls_resent++;
		if (dtls_state(pc->dtls) == DTLS_FAILED)
			fail(pc, dtls_why(pc->dtls));
		return;
	}
	if (pc->role == PEER_PUB) {
		struct pkt_sink out = {sink_slot, sink_commit, pc};
		gen_tick(&pc->part->gen, now_ns, &out);
		return;
	}
	if (now_ns >= pc->next_rr_ns) {
		pc->next_rr_ns = now_ns + RR_EVERY_NS;
		uint8_t *slot = worker_slot(pc->w, pc->fd);
		int n = rx_write_rr(&pc->part->rx, pc->sub, pc->rtcp_ssrc, slot,
		                    LIM_PACKET - SRTP_SESS_OVERHEAD, now_ns);
		if (n > 0)
			sink_commit(pc, (size_t)n, 1);
	}
}
