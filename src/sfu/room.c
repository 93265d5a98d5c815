/* room.c - participants, their published tracks, and who receives what.
 *
 * Runs on the media thread only. A published track keeps a fixed array of the
 * subscribers it fans out to; a subscriber keeps the tracks it receives, so
 * that its PLIs and NACKs find their stream without a search. */
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/rnd.h"
#include "rtc/rtcp.h"
#include "rtc/rtp.h"
#include "rtc/rtp_stats.h"
#include "sfu/internal.h"
#include "sfu/keyreq.h"
#include "sfu/rtxbuf.h"
#include "sfu/seqmap.h"

/* What we tell publishers they may send (REMB), so their bandwidth estimate can grow. */
#define REMB_BPS 2500000

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
};

struct participant {
	uint64_t handle;
	uint32_t rtcp_ssrc; /* our SSRC in RTCP toward this participant */
	struct conn *pub, *sub;
	struct track *tracks[LIM_TRACKS_PER_PUB];
	size_t ntracks;
	struct track *subs[LIM_SUB_TRACKS];
	size_t nsubs;
	int muted[2]; /* by media_kind: a host muted this participant */
	struct participant *next;
};

struct participant *room_participant(struct worker *w, uint64_t handle, int create)
{
	struct participant **head = worker_participants(w);
	for (struct participant *p = *head; p; p = p->next) {
		if (p->handle == handle)
			return p;
	}
	if (!create)
		return NULL;
	struct participant *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->handle = handle;
	p->rtcp_ssrc = rnd_u32();
	p->next = *head;
	*head = p;
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

/* How many its key frame goes to, for the worker's budget (sfu/keyreq.h). */
static unsigned keyframe_copies(const struct track *t)
{
	return t->nfwd ? (unsigned)t->nfwd : 1;
}

/* Asks the publisher for a key frame, now or when sfu/keyreq.c allows. must: a new
   subscriber needs one. */
static void request_keyframe(struct track *t, int must)
{
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

void room_publish(struct worker *w, struct participant *p, const struct media_track_spec *spec,
                  size_t n)
{
	(void)w;
	/* A new publication replaces the old one: its subscribers are told by a new offer. */
	for (size_t i = 0; i < p->ntracks; i++)
		track_free(p->tracks[i]);
	p->ntracks = 0;
	for (size_t i = 0; i < n && p->ntracks < LIM_TRACKS_PER_PUB; i++) {
		struct track *t = calloc(1, sizeof(*t));
		if (!t)
			return;
		t->owner = p;
		t->kind = spec[i].kind;
		t->ssrc = spec[i].ssrc;
		t->pt = spec[i].pt;
		t->clock = spec[i].clock ? spec[i].clock : 90000;
		t->audio_level_ext = spec[i].audio_level_ext;
		rtp_stats_init(&t->stats, t->clock);
		if (t->kind == MEDIA_VIDEO) {
			t->rtx = rtxbuf_new(LIM_RTX_PACKETS, LIM_RTX_BYTES);
			if (!t->rtx) {
				free(t);
				return;
			}
		}
		p->tracks[p->ntracks++] = t;
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
		struct participant *pub = room_participant(w, s[i].publisher, 0);
		struct track *t = pub && pub != p ? find_track(pub, s[i].ssrc) : NULL;
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
}

void room_remove(struct worker *w, struct participant *p, void (*conn_free)(struct conn *))
{
	struct participant **head = worker_participants(w);
	for (struct participant **pp = head; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
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
	free(p);
	CTR_ADD(worker_counters_rw(w), participants, (uint64_t)-1);
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

void room_on_rtp(struct conn *c, uint8_t *pkt, size_t len, const struct rtp_hdr *h)
{
	struct media_counters *ctr = worker_counters_rw(c->w);
	struct participant *p = c->part;
	struct track *t = c->role == MEDIA_PUB ? find_track(p, h->ssrc) : NULL;
	if (!t) {
		CTR_ADD(ctr, drop_unknown, 1);
		return;
	}
	uint64_t now = clock_us();
	if (rtp_stats_update(&t->stats, h->seq, h->ts, now) == 0)
		t->seen = 1;
	uint8_t level;
	int voice;
	if (t->audio_level_ext &&
	    rtp_audio_level(h, pkt, t->audio_level_ext, &level, &voice) == 0) {
		int32_t loud = (127 - (int32_t)level) << 8;
		t->loud_q8 += (loud - t->loud_q8) / 4;
		t->level_us = now;
	}
	if (p->muted[t->kind]) {
		t->paused = 1;
		return; /* a host muted it: nothing goes out, not even to the recorder */
	}
	if (t->paused) {
		for (size_t i = 0; i < t->nfwd; i++)
			seqmap_pause(&t->fwd[i].seq);
		t->paused = 0;
	}
	if (t->rtx)
		rtxbuf_put(t->rtx, h->seq, pkt, len);
	for (size_t i = 0; i < t->nfwd; i++) {
		struct fwd *f = &t->fwd[i];
		struct conn *sc = f->sub->sub;
		if (!sc || !sc->srtp)
			continue;
		int32_t out = seqmap_out(&f->seq, h->seq);
		if (out < 0)
			continue;
		conn_send_rtp(sc, pkt, len, f->out_pt, (uint16_t)out);
		f->packets++;
		f->octets += (uint32_t)h->payload_len;
		CTR_ADD(ctr, forwarded, 1);
	}
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
	/* What we never received ourselves, the publisher may still have (RFC 4585 s6.2.1). */
	struct conn *pub = t->owner->pub;
	if (nmissing > 0 && pub && pub->srtp) {
		uint8_t buf[512];
		int w = rtcp_write_nack(buf, sizeof(buf), t->owner->rtcp_ssrc, t->ssrc, missing,
		                        nmissing);
		if (w > 0) {
			conn_send_rtcp(pub, buf, (size_t)w);
			CTR_ADD(ctr, nacks_tx, 1);
		}
	}
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
}

void room_on_rtcp(struct conn *c, const uint8_t *pkt, size_t len)
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
					rtp_stats_on_sr(&t->stats, sr.ntp, clock_us());
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

void room_periodic(struct worker *w, uint64_t now_us)
{
	for (struct participant *p = *worker_participants(w); p; p = p->next) {
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
