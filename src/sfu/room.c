/* room.c - participants, their published tracks, and who receives what.
 *
 * Runs on the media thread only. A published track keeps a fixed array of the
 * subscribers it fans out to; a subscriber keeps the tracks it receives, so
 * that its PLIs and NACKs find their stream without a search.
 *
 * A room may be spread over workers (sfu/relay.h): a track published on another worker
 * has a mirror here, a participant without transports whose tracks are fed by that
 * worker's relay. The mirror keeps its own retransmission buffer and fans out like any
 * track; what only the publisher can do (key frames, packets we never had) it asks for
 * through the relay. A mirror lives as long as it has subscribers here. */
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/hashidx.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/rnd.h"
#include "rtc/rtcp.h"
#include "rtc/rtp.h"
#include "rtc/rtp_stats.h"
#include "sfu/internal.h"
#include "sfu/keyreq.h"
#include "sfu/relay.h"
#include "sfu/rtxbuf.h"
#include "sfu/seqmap.h"

/* What we tell publishers they may send (REMB), so their bandwidth estimate can grow. */
#define REMB_BPS 2500000
/* A mirror that heard nothing for this long asks its publisher's worker again (the track
   may have been published anew there, or the first request found it not yet published). */
#define MIRROR_REASK_US 1000000

/* One subscriber of a track. */
struct fwd {
	struct participant *sub;
	uint8_t out_pt;
	uint32_t packets, octets; /* sent to this subscriber, for its sender reports */
	int mark;
	struct seqmap seq; /* our sequence numbers for it, continuous across pauses */
};

struct track {
	struct participant *owner;
	enum media_kind kind;
	uint32_t ssrc, clock;
	uint8_t pt, audio_level_ext;
	struct rtxbuf *rtx; /* video only */
	struct rtp_rx_stats stats;
	int seen;
	int paused;           /* packets came and were not forwarded (muted): resync on resume */
	struct keyreq keyreq; /* video: when to ask its publisher for a key frame */
	int32_t loud_q8;      /* smoothed loudness, 8 fractional bits (audio) */
	uint64_t level_us;    /* when the last audio level arrived */
	struct fwd fwd[LIM_ROOM_PARTICIPANTS];
	size_t nfwd;
	uint8_t relay_to[LIM_MEDIA_WORKERS];    /* other workers with subscribers of it */
	uint16_t relay_subs[LIM_MEDIA_WORKERS]; /* how many each has, as it last told */
	size_t nrelay;
	uint64_t relay_rx_us; /* a mirror: when its last packet came */
	size_t told;          /* a mirror: the subscribers its publisher's worker knows of */
};

struct participant {
	struct worker *w;
	uint64_t handle;
	int mirror; /* published on another worker (the handle names it); no transports here */
	uint32_t rtcp_ssrc; /* our SSRC in RTCP toward this participant */
	struct conn *pub, *sub;
	struct track *tracks[LIM_TRACKS_PER_PUB];
	size_t ntracks;
	struct track *subs[LIM_SUB_TRACKS];
	size_t nsubs;
	int muted[2]; /* by media_kind: a host muted this participant */
	struct participant *next;
};

static uint32_t handle_hash(uint64_t handle)
{
	return hashidx_fnv(HASHIDX_FNV_INIT, &handle, sizeof(handle));
}

static int handle_match(const void *item, const void *key)
{
	return ((const struct participant *)item)->handle == *(const uint64_t *)key;
}

/* Takes p out of the worker's list and index, and frees it. */
static void participant_free(struct worker *w, struct participant *p)
{
	for (struct participant **pp = worker_participants(w); *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	(void)hashidx_del(worker_by_handle(w), handle_hash(p->handle), p);
	free(p);
}

struct participant *room_participant(struct worker *w, uint64_t handle, int create)
{
	struct participant *p =
	    hashidx_find(worker_by_handle(w), handle_hash(handle), handle_match, &handle);
	if (p || !create)
		return p;
	struct participant **head = worker_participants(w);
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	if (hashidx_add(worker_by_handle(w), handle_hash(handle), p) != 0) {
		free(p);
		return NULL;
	}
	p->w = w;
	p->handle = handle;
	p->mirror = media_handle_worker(handle) != worker_index(w);
	p->rtcp_ssrc = rnd_u32();
	p->next = *head;
	*head = p;
	if (!p->mirror)
		CTR_ADD(worker_counters_rw(w), participants, 1);
	return p;
}

void room_set_conn(struct participant *p, struct conn *c)
{
	struct conn **slot = c->role == MEDIA_PUB ? &p->pub : &p->sub;
	if (*slot)
		worker_conn_release(*slot);
	*slot = c;
	c->part = p;
}

struct conn *room_conn(struct participant *p, enum media_role role)
{
	return role == MEDIA_PUB ? p->pub : p->sub;
}

/* ---- the relay between workers ---- */

/* Puts a message about t for worker to; when its ring is full the message is dropped,
   counted. h: an RTP packet's header, as parsed here, so that the other worker need not. */
static void relay_send(struct track *t, unsigned to, enum relay_type type, uint8_t flag,
                       const void *data, size_t len, const struct rtp_hdr *h)
{
	struct worker *w = t->owner->w;
	struct relay *r = worker_relay(w);
	struct relay_msg *m = r ? relay_slot(r, worker_index(w), to) : NULL;
	if (!m || len > sizeof(m->data)) {
		CTR_ADD(worker_counters_rw(w), drop_relay_full, 1);
		return;
	}
	m->type = (uint8_t)type;
	m->flag = flag;
	m->len = (uint16_t)len;
	m->seq = h ? h->seq : 0;
	m->payload_len = h ? (uint16_t)h->payload_len : 0;
	m->ssrc = t->ssrc;
	m->publisher = t->owner->handle;
	if (len > 0)
		memcpy(m->data, data, len);
	relay_put(r, worker_index(w), to);
	CTR_ADD(worker_counters_rw(w), relay_tx, 1);
}

/* A mirror's message to the worker its track is published on. */
static void ask_home(struct track *t, enum relay_type type, uint8_t flag, const void *data,
                     size_t len)
{
	relay_send(t, media_handle_worker(t->owner->handle), type, flag, data, len, NULL);
}

/* Every other worker with subscribers of t gets the message. */
static void relay_out(struct track *t, enum relay_type type, uint8_t flag, const void *data,
                      size_t len, const struct rtp_hdr *h)
{
	for (size_t i = 0; i < t->nrelay; i++)
		relay_send(t, t->relay_to[i], type, flag, data, len, h);
}

/* Worker from wants t for subs subscribers (0: no longer). */
static void relay_want(struct track *t, unsigned from, uint16_t subs)
{
	size_t i = 0;
	while (i < t->nrelay && t->relay_to[i] != from)
		i++;
	if (i == t->nrelay) {
		if (!subs || t->nrelay == LIM_MEDIA_WORKERS)
			return;
		t->relay_to[t->nrelay++] = (uint8_t)from;
	} else if (!subs) {
		t->nrelay--;
		t->relay_to[i] = t->relay_to[t->nrelay];
		t->relay_subs[i] = t->relay_subs[t->nrelay];
		return;
	}
	t->relay_subs[i] = subs;
}

/* A mirror tells its publisher's worker that it wants the track, and for how many. */
static void mirror_want(struct track *t)
{
	uint16_t subs = t->nfwd ? (uint16_t)t->nfwd : 1;
	t->told = subs;
	ask_home(t, RELAY_WANT, 0, &subs, sizeof(subs));
}

static void send_pli(struct track *t)
{
	struct conn *pub = t->owner->pub;
	uint8_t buf[64];
	int n = rtcp_write_pli(buf, sizeof(buf), t->owner->rtcp_ssrc, t->ssrc);
	if (n > 0) {
		conn_send_rtcp(pub, buf, (size_t)n);
		CTR_ADD(worker_counters_rw(pub->w), plis_tx, 1);
	}
}

/* A video track whose publisher's transport is keyed: a PLI can reach it. */
static int can_ask_keyframe(const struct track *t)
{
	const struct conn *pub = t->owner->pub;
	return t->kind == MEDIA_VIDEO && pub && pub->srtp;
}

/* How many its key frame goes to, for the worker's budget (sfu/keyreq.h): the other
   workers' subscribers count too, as their workers told. */
static unsigned keyframe_copies(const struct track *t)
{
	size_t n = t->nfwd;
	for (size_t i = 0; i < t->nrelay; i++)
		n += t->relay_subs[i];
	return n ? (unsigned)n : 1;
}

/* Asks the publisher for a key frame, now or when sfu/keyreq.c allows (a mirror: its
   publisher's worker decides). must: a new subscriber needs one. */
static void request_keyframe(struct track *t, int must)
{
	if (t->owner->mirror) {
		if (t->kind == MEDIA_VIDEO)
			ask_home(t, RELAY_KEYFRAME, (uint8_t)must, NULL, 0);
		return;
	}
	if (can_ask_keyframe(t) && keyreq_ask(&t->keyreq, worker_keyreq_budget(t->owner->pub->w),
	                                      clock_us(), must, keyframe_copies(t)))
		send_pli(t);
}

static void unlink_fwd(struct track *t, struct participant *sub)
{
	for (size_t i = 0; i < t->nfwd; i++) {
		if (t->fwd[i].sub == sub) {
			t->fwd[i] = t->fwd[--t->nfwd];
			return;
		}
	}
}

static void unlink_sub(struct participant *sub, struct track *t)
{
	for (size_t i = 0; i < sub->nsubs; i++) {
		if (sub->subs[i] == t) {
			sub->subs[i] = sub->subs[--sub->nsubs];
			return;
		}
	}
}

static void track_free(struct track *t)
{
	for (size_t i = 0; i < t->nfwd; i++)
		unlink_sub(t->fwd[i].sub, t);
	rtxbuf_free(t->rtx);
	free(t);
}

static struct track *track_add(struct participant *p, const struct media_track_spec *spec)
{
	if (p->ntracks == LIM_TRACKS_PER_PUB)
		return NULL;
	struct track *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->owner = p;
	t->kind = spec->kind;
	t->ssrc = spec->ssrc;
	t->pt = spec->pt;
	t->clock = spec->clock ? spec->clock : 90000;
	t->audio_level_ext = spec->audio_level_ext;
	rtp_stats_init(&t->stats, t->clock);
	if (t->kind == MEDIA_VIDEO) {
		t->rtx = rtxbuf_new(LIM_RTX_PACKETS, LIM_RTX_BYTES);
		if (!t->rtx) {
			free(t);
			return NULL;
		}
	}
	p->tracks[p->ntracks++] = t;
	return t;
}

void room_publish(struct worker *w, struct participant *p, const struct media_track_spec *spec,
                  size_t n)
{
	(void)w;
	/* A new publication replaces the old one: its subscribers are told by a new offer, and
	   other workers' mirrors ask again (MIRROR_REASK_US). */
	for (size_t i = 0; i < p->ntracks; i++)
		track_free(p->tracks[i]);
	p->ntracks = 0;
	for (size_t i = 0; i < n; i++) {
		if (!track_add(p, &spec[i]))
			return;
	}
}

static struct track *find_track(struct participant *p, uint32_t ssrc)
{
	for (size_t i = 0; i < p->ntracks; i++) {
		if (p->tracks[i]->ssrc == ssrc)
			return p->tracks[i];
	}
	return NULL;
}

/* The mirror of a track published on another worker, made on first use: it asks that
   worker for the track's packets. */
static struct track *mirror_track(struct worker *w, const struct media_sub_spec *s)
{
	struct participant *o = room_participant(w, s->publisher, 1);
	if (!o || !o->mirror)
		return NULL;
	struct track *t = find_track(o, s->ssrc);
	if (t)
		return t;
	struct media_track_spec spec = {.kind = s->kind, .ssrc = s->ssrc, .pt = s->out_pt};
	t = track_add(o, &spec);
	if (!t)
		return NULL;
	t->relay_rx_us = clock_us();
	mirror_want(t); /* before any key-frame request of its subscribers */
	return t;
}

/* Mirrors that nobody here receives any more go, and their publisher's worker is told; so
   is it of a mirror whose subscribers changed in number. */
static void mirror_gc(struct worker *w)
{
	struct participant **pp = worker_participants(w);
	while (*pp) {
		struct participant *o = *pp;
		if (!o->mirror) {
			pp = &o->next;
			continue;
		}
		for (size_t i = 0; i < o->ntracks;) {
			struct track *t = o->tracks[i];
			if (t->nfwd > 0) {
				if (t->nfwd != t->told)
					mirror_want(t);
				i++;
				continue;
			}
			ask_home(t, RELAY_UNWANT, 0, NULL, 0);
			track_free(t);
			o->tracks[i] = o->tracks[--o->ntracks];
		}
		if (o->ntracks > 0)
			pp = &o->next;
		else
			participant_free(w, o); /* *pp is now the one after it */
	}
}

void room_subscribe(struct worker *w, struct participant *p, const struct media_sub_spec *s,
                    size_t n)
{
	for (size_t i = 0; i < p->nsubs; i++) {
		struct track *t = p->subs[i];
		for (size_t k = 0; k < t->nfwd; k++) {
			if (t->fwd[k].sub == p)
				t->fwd[k].mark = 1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct track *t = NULL;
		if (media_handle_worker(s[i].publisher) != worker_index(w)) {
			t = mirror_track(w, &s[i]);
		} else {
			struct participant *pub = room_participant(w, s[i].publisher, 0);
			t = pub && pub != p ? find_track(pub, s[i].ssrc) : NULL;
		}
		if (!t)
			continue;
		struct fwd *f = NULL;
		for (size_t k = 0; k < t->nfwd; k++) {
			if (t->fwd[k].sub == p)
				f = &t->fwd[k];
		}
		if (f) {
			f->mark = 0;
			f->out_pt = s[i].out_pt;
			continue;
		}
		if (t->nfwd == LIM_ROOM_PARTICIPANTS || p->nsubs == LIM_SUB_TRACKS)
			continue;
		f = &t->fwd[t->nfwd++];
		memset(f, 0, sizeof(*f));
		f->sub = p;
		f->out_pt = s[i].out_pt;
		p->subs[p->nsubs++] = t;
		/* A new viewer needs a key frame now, not at the next periodic one. */
		if (p->sub && p->sub->srtp)
			request_keyframe(t, 1);
	}
	/* Drop what is no longer in the list. */
	for (size_t i = 0; i < p->nsubs;) {
		struct track *t = p->subs[i];
		int gone = 0;
		for (size_t k = 0; k < t->nfwd; k++) {
			if (t->fwd[k].sub == p && t->fwd[k].mark) {
				t->fwd[k] = t->fwd[--t->nfwd];
				gone = 1;
				break;
			}
		}
		if (gone)
			p->subs[i] = p->subs[--p->nsubs];
		else
			i++;
	}
	mirror_gc(w);
}

void room_remove(struct worker *w, struct participant *p, void (*conn_free)(struct conn *))
{
	while (p->nsubs > 0) {
		struct track *t = p->subs[p->nsubs - 1];
		unlink_fwd(t, p);
		p->nsubs--;
	}
	for (size_t i = 0; i < p->ntracks; i++)
		track_free(p->tracks[i]);
	/* S4: the transports go at once, so no packet reaches a removed participant. */
	if (p->pub)
		conn_free(p->pub);
	if (p->sub)
		conn_free(p->sub);
	if (!p->mirror)
		CTR_ADD(worker_counters_rw(w), participants, (uint64_t)-1);
	participant_free(w, p);
	mirror_gc(w);
}

void room_free_all(struct worker *w, void (*conn_free)(struct conn *))
{
	struct participant **head = worker_participants(w);
	while (*head)
		room_remove(w, *head, conn_free);
}

void room_on_ready(struct conn *c)
{
	struct participant *p = c->part;
	if (c->role == MEDIA_SUB) {
		for (size_t i = 0; i < p->nsubs; i++)
			request_keyframe(p->subs[i], 1);
	}
}

/* Keeps the packet for retransmission and protects and sends a copy of it to each
   subscriber of t on this worker. resumed: the first after a pause (a host's mute), from
   which each subscriber's sequence numbers go on without a gap. */
static void forward(struct track *t, const uint8_t *pkt, size_t len, uint16_t seq,
                    size_t payload_len, int resumed, struct media_counters *ctr)
{
	if (resumed) {
		for (size_t i = 0; i < t->nfwd; i++)
			seqmap_pause(&t->fwd[i].seq);
	}
	if (t->rtx)
		rtxbuf_put(t->rtx, seq, pkt, len);
	for (size_t i = 0; i < t->nfwd; i++) {
		struct fwd *f = &t->fwd[i];
		struct conn *sc = f->sub->sub;
		if (!sc || !sc->srtp)
			continue;
		int32_t out = seqmap_out(&f->seq, seq);
		if (out < 0)
			continue;
		conn_send_rtp(sc, pkt, len, f->out_pt, (uint16_t)out);
		f->packets++;
		f->octets += (uint32_t)payload_len;
		CTR_ADD(ctr, forwarded, 1);
	}
}

void room_on_rtp(struct conn *c, uint8_t *pkt, size_t len, const struct rtp_hdr *h,
                 uint64_t arrival_us)
{
	struct media_counters *ctr = worker_counters_rw(c->w);
	struct participant *p = c->part;
	struct track *t = c->role == MEDIA_PUB ? find_track(p, h->ssrc) : NULL;
	if (!t) {
		CTR_ADD(ctr, drop_unknown, 1);
		return;
	}
	if (rtp_stats_update(&t->stats, h->seq, h->ts, arrival_us) == 0)
		t->seen = 1;
	uint8_t level;
	int voice;
	if (t->audio_level_ext &&
	    rtp_audio_level(h, pkt, t->audio_level_ext, &level, &voice) == 0) {
		int32_t loud = (127 - (int32_t)level) << 8;
		t->loud_q8 += (loud - t->loud_q8) / 4;
		t->level_us = arrival_us;
	}
	if (p->muted[t->kind]) {
		t->paused = 1;
		return; /* a host muted it: nothing goes out, not even to the recorder */
	}
	int resumed = t->paused;
	t->paused = 0;
	/* Other workers first: they protect and send their copies while we do ours. */
	relay_out(t, RELAY_RTP, (uint8_t)resumed, pkt, len, h);
	forward(t, pkt, len, h->seq, h->payload_len, resumed, ctr);
}

void room_mute(struct participant *p, enum media_kind kind, int muted)
{
	p->muted[kind] = muted;
}

size_t room_levels(struct worker *w, struct media_level *out, size_t cap, uint64_t now_us)
{
	size_t n = 0;
	for (struct participant *p = *worker_participants(w); p && n < cap; p = p->next) {
		for (size_t i = 0; i < p->ntracks; i++) {
			const struct track *t = p->tracks[i];
			if (t->kind != MEDIA_AUDIO || !t->audio_level_ext)
				continue;
			int fresh = now_us - t->level_us < 500000 && !p->muted[MEDIA_AUDIO];
			out[n++] = (struct media_level){
			    .participant = p->handle,
			    .loudness = fresh ? (uint8_t)(t->loud_q8 >> 8) : 0,
			};
			break;
		}
	}
	return n;
}

static struct track *sub_track(struct participant *p, uint32_t ssrc)
{
	for (size_t i = 0; i < p->nsubs; i++) {
		if (p->subs[i]->ssrc == ssrc)
			return p->subs[i];
	}
	return NULL;
}

/* What we never received ourselves, the publisher may still have (RFC 4585 s6.2.1). */
static void nack_publisher(struct track *t, const uint16_t *missing, size_t n)
{
	if (t->owner->mirror) {
		ask_home(t, RELAY_NACK, 0, missing, n * sizeof(*missing));
		return;
	}
	struct conn *pub = t->owner->pub;
	if (!pub || !pub->srtp)
		return;
	uint8_t buf[512];
	int len = rtcp_write_nack(buf, sizeof(buf), t->owner->rtcp_ssrc, t->ssrc, missing, n);
	if (len > 0) {
		conn_send_rtcp(pub, buf, (size_t)len);
		CTR_ADD(worker_counters_rw(pub->w), nacks_tx, 1);
	}
}

static void answer_nack(struct conn *c, const struct rtcp_pkt *k)
{
	struct media_counters *ctr = worker_counters_rw(c->w);
	uint32_t sender, media;
	uint16_t seqs[LIM_NACK_SEQS];
	if (rtcp_parse_fb(k, &sender, &media) != 0)
		return;
	struct track *t = sub_track(c->part, media);
	int n = rtcp_nack_expand(k, seqs, LIM_NACK_SEQS);
	CTR_ADD(ctr, nacks_rx, 1);
	if (!t || !t->rtx || n <= 0)
		return;
	struct fwd *f = NULL;
	for (size_t i = 0; i < t->nfwd; i++) {
		if (t->fwd[i].sub == c->part)
			f = &t->fwd[i];
	}
	if (!f)
		return;
	uint16_t missing[LIM_NACK_SEQS];
	size_t nmissing = 0;
	for (int i = 0; i < n; i++) {
		int32_t in = seqmap_in(&f->seq, seqs[i]);
		if (in < 0)
			continue;
		const uint8_t *pkt;
		size_t len;
		if (rtxbuf_get(t->rtx, (uint16_t)in, &pkt, &len) == 0) {
			conn_send_rtp(c, pkt, len, f->out_pt, seqs[i]);
			CTR_ADD(ctr, rtx_sent, 1);
		} else {
			missing[nmissing++] = (uint16_t)in;
		}
	}
	if (nmissing > 0)
		nack_publisher(t, missing, nmissing);
}

static void forward_sr(struct track *t, const struct rtcp_sr *sr)
{
	for (size_t i = 0; i < t->nfwd; i++) {
		struct fwd *f = &t->fwd[i];
		struct conn *sc = f->sub->sub;
		if (!sc || !sc->srtp)
			continue;
		/* The publisher's clock mapping keeps lip sync; the counts are what this subscriber
		 * got. */
		uint8_t buf[64];
		int n = rtcp_write_sr(buf, sizeof(buf), t->ssrc, sr->ntp, sr->rtp_ts, f->packets,
		                      f->octets, NULL, 0);
		if (n > 0)
			conn_send_rtcp(sc, buf, (size_t)n);
	}
	if (t->nrelay > 0) {
		uint8_t times[12];
		memcpy(times, &sr->ntp, 8);
		memcpy(times + 8, &sr->rtp_ts, 4);
		relay_out(t, RELAY_SR, 0, times, sizeof(times), NULL);
	}
}

void room_on_relay(struct worker *w, unsigned from, const struct relay_msg *m)
{
	struct media_counters *ctr = worker_counters_rw(w);
	struct participant *o = room_participant(w, m->publisher, 0);
	struct track *t = o ? find_track(o, m->ssrc) : NULL;
	CTR_ADD(ctr, relay_rx, 1);
	if (!t) {
		/* A track gone since (its mirror asked before it was published, or after it left).
		 */
		if (m->type == RELAY_RTP)
			CTR_ADD(ctr, drop_unknown, 1);
		return;
	}
	switch ((enum relay_type)m->type) {
	case RELAY_RTP:
		if (o->mirror) {
			t->relay_rx_us = clock_us();
			forward(t, m->data, m->len, m->seq, m->payload_len, m->flag, ctr);
		}
		break;
	case RELAY_SR:
		if (o->mirror && m->len == 12) {
			struct rtcp_sr sr = {.ssrc = t->ssrc};
			memcpy(&sr.ntp, m->data, 8);
			memcpy(&sr.rtp_ts, m->data + 8, 4);
			forward_sr(t, &sr);
		}
		break;
	case RELAY_WANT:
	case RELAY_UNWANT:
		if (!o->mirror) {
			uint16_t subs = 0; /* a want carries its count, at least 1 */
			if (m->type == RELAY_WANT && m->len == sizeof(subs))
				memcpy(&subs, m->data, sizeof(subs));
			relay_want(t, from, subs);
		}
		break;
	case RELAY_KEYFRAME:
		if (!o->mirror)
			request_keyframe(t, m->flag);
		break;
	case RELAY_NACK:
		if (!o->mirror && m->len % 2 == 0 && m->len / 2 <= LIM_NACK_SEQS) {
			uint16_t seqs[LIM_NACK_SEQS];
			memcpy(seqs, m->data, m->len);
			nack_publisher(t, seqs, m->len / 2);
		}
		break;
	}
}

void room_on_rtcp(struct conn *c, const uint8_t *pkt, size_t len, uint64_t arrival_us)
{
	struct media_counters *ctr = worker_counters_rw(c->w);
	struct rtcp_iter it;
	struct rtcp_pkt k;
	int rc;
	rtcp_iter_init(&it, pkt, len);
	while ((rc = rtcp_iter_next(&it, &k)) == 1) {
		if (c->role == MEDIA_PUB) {
			struct rtcp_sr sr;
			if (k.pt == RTCP_SR && rtcp_parse_sr(&k, &sr) == 0) {
				struct track *t = find_track(c->part, sr.ssrc);
				if (t) {
					rtp_stats_on_sr(&t->stats, sr.ntp, arrival_us);
					forward_sr(t, &sr);
				}
			}
			continue;
		}
		/* From a subscriber: feedback about the streams it receives. */
		uint32_t sender, media;
		if (k.pt == RTCP_PSFB && k.count == RTCP_FB_PLI &&
		    rtcp_parse_fb(&k, &sender, &media) == 0) {
			CTR_ADD(ctr, plis_rx, 1);
			struct track *t = sub_track(c->part, media);
			if (t)
				request_keyframe(t, 0);
		} else if (k.pt == RTCP_PSFB && k.count == RTCP_FB_FIR) {
			int n = rtcp_fir_count(&k);
			for (int i = 0; i < n; i++) {
				uint32_t ssrc;
				uint8_t seqnr;
				if (rtcp_fir_get(&k, (size_t)i, &ssrc, &seqnr) != 0)
					break;
				struct track *t = sub_track(c->part, ssrc);
				if (t)
					request_keyframe(t, 0);
			}
		} else if (k.pt == RTCP_RTPFB && k.count == RTCP_FB_NACK) {
			answer_nack(c, &k);
		}
	}
	if (rc < 0)
		CTR_ADD(ctr, drop_malformed, 1);
}

void room_tick(struct worker *w)
{
	struct keyreq_budget *b = worker_keyreq_budget(w);
	uint64_t now = clock_us();
	keyreq_tick(b);
	/* Waiting requests in turn: the scan starts one participant further each tick, so that
	   while a crowd keeps asking, those late in the list are not always left for later. */
	struct participant *head = *worker_participants(w), *p = head;
	size_t n = 0;
	for (; p; p = p->next)
		n++;
	if (n == 0)
		return;
	p = head;
	for (size_t skip = b->turn++ % n; skip > 0; skip--)
		p = p->next;
	for (size_t k = 0; k < n && b->left; k++, p = p->next ? p->next : head) {
		for (size_t i = 0; i < p->ntracks; i++) {
			struct track *t = p->tracks[i];
			if (can_ask_keyframe(t) &&
			    keyreq_due(&t->keyreq, b, now, keyframe_copies(t)))
				send_pli(t);
		}
	}
}

/* A mirror that has subscribers and hears nothing asks its publisher's worker again. */
static void mirror_reask(struct participant *o, uint64_t now_us)
{
	for (size_t i = 0; i < o->ntracks; i++) {
		struct track *t = o->tracks[i];
		if (t->nfwd > 0 && now_us - t->relay_rx_us >= MIRROR_REASK_US) {
			t->relay_rx_us = now_us;
			mirror_want(t);
		}
	}
}

void room_periodic(struct worker *w, uint64_t now_us)
{
	for (struct participant *p = *worker_participants(w); p; p = p->next) {
		if (p->mirror) {
			mirror_reask(p, now_us);
			continue;
		}
		if (!p->pub || !p->pub->srtp || p->ntracks == 0)
			continue;
		struct rtcp_report_block blocks[LIM_TRACKS_PER_PUB];
		uint32_t video[LIM_TRACKS_PER_PUB];
		size_t nb = 0, nv = 0;
		for (size_t i = 0; i < p->ntracks; i++) {
			struct track *t = p->tracks[i];
			if (t->seen)
				rtp_stats_report(&t->stats, t->ssrc, now_us, &blocks[nb++]);
			if (t->kind == MEDIA_VIDEO)
				video[nv++] = t->ssrc;
		}
		/* RFC 3550 s6.1: a compound packet starts with a report. */
		uint8_t buf[512];
		int n = rtcp_write_rr(buf, sizeof(buf), p->rtcp_ssrc, blocks, nb);
		if (n <= 0)
			continue;
		size_t len = (size_t)n;
		if (nv > 0) {
			int r = rtcp_write_remb(buf + len, sizeof(buf) - len, p->rtcp_ssrc,
			                        REMB_BPS, video, nv);
			if (r > 0)
				len += (size_t)r;
		}
		conn_send_rtcp(p->pub, buf, len);
	}
}
