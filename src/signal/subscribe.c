/* subscribe.c - the server-driven subscribe connection: what each participant receives.
 *
 * At most one offer is outstanding; a change that comes while one is outstanding is
 * offered after the answer arrives, and no sooner than OFFER_GAP_MS after the last offer:
 * when a crowd joins, each of the others gets one offer for several newcomers instead of
 * one per newcomer. m-sections are never reused: a track that goes away becomes inactive
 * and a new one gets a new mid. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "rtc/sdp.h"
#include "signal/internal.h"

/* Offers to one subscriber are at least this far apart (as LiveKit paces its
   renegotiations). A join of 35 people 20 ms apart sent 435 offers of up to 68 sections,
   each one written, sent, applied by a browser and answered; the first offer of a
   connection leaves at once, so a newcomer's own media is not held back. */
#define OFFER_GAP_MS 150

static const char *const source_names[SRC_COUNT] = {"microphone", "camera", "screen"};

static void fill_local(struct signal *sig, struct sdp_local *l, uint64_t handle, const char *ufrag,
                       const char *pwd, uint64_t version)
{
	memset(l, 0, sizeof(*l));
	l->ice_ufrag = ufrag;
	l->ice_pwd = pwd;
	l->fingerprint = media_fingerprint(sig->media);
	l->addr = media_announce(sig->media);
	l->port = media_port(sig->media, handle);
	l->session_id = 1;
	l->session_version = version;
}

static int has_out(const struct session *se, uint64_t publisher, uint32_t ssrc)
{
	for (size_t i = 0; i < se->nouts; i++) {
		const struct out_track *o = &se->outs[i];
		if (o->active && o->publisher == publisher && o->ssrc == ssrc)
			return 1;
	}
	return 0;
}

static int wanted(const struct session *se, const struct out_track *o)
{
	const struct room *r = se->room;
	for (size_t i = 0; i < r->n; i++) {
		const struct session *m = r->members[i];
		if (m != se && m->handle == o->publisher && m->published &&
		    m->ssrc[o->source] == o->ssrc)
			return 1;
	}
	return 0;
}

/* A slot for a new track: an m= section of the same media kind that an answered offer
   made inactive (so rooms with people coming and going do not grow the offer), else a
   new one; NULL at the limit. */
static struct out_track *out_slot(struct session *se, enum source src)
{
	int audio = src == SRC_MIC;
	for (size_t i = 0; i < se->nouts; i++) {
		struct out_track *o = &se->outs[i];
		if (!o->active && o->reusable && (o->source == SRC_MIC) == audio) {
			o->reusable = 0;
			return o;
		}
	}
	if (se->nouts == LIM_SUB_TRACKS)
		return NULL;
	struct out_track *o = &se->outs[se->nouts++];
	memset(o, 0, sizeof(*o));
	snprintf(o->mid, sizeof(o->mid), "%u", se->next_mid++);
	return o;
}

/* Marks tracks that went away and adds tracks that came; 1 when anything changed. */
static int update_outs(struct session *se)
{
	int changed = 0;
	for (size_t i = 0; i < se->nouts; i++) {
		if (se->outs[i].active && !wanted(se, &se->outs[i])) {
			se->outs[i].active = 0;
			changed = 1;
		}
	}
	struct room *r = se->room;
	for (size_t i = 0; i < r->n; i++) {
		struct session *m = r->members[i];
		if (m == se || !m->published)
			continue;
		for (int src = 0; src < SRC_COUNT; src++) {
			if (!m->ssrc[src] || has_out(se, m->handle, m->ssrc[src]))
				continue;
			struct out_track *o = out_slot(se, (enum source)src);
			if (!o) {
				log_warn("signal", "subscriber track limit reached");
				continue;
			}
			o->source = (enum source)src;
			o->active = 1;
			o->ssrc = m->ssrc[src];
			o->publisher = m->handle;
			memcpy(o->stream_id, m->id, sizeof(o->stream_id));
			snprintf(o->track_id, sizeof(o->track_id), "%c-%s", "acs"[src], m -> id);
			changed = 1;
		}
	}
	return changed;
}

/* Appends text as it is. */
static char *put_raw(char *p, const char *text)
{
	size_t n = strlen(text);
	memcpy(p, text, n);
	return p + n;
}

/* Appends text quoted as a JSON string's body (json_quote). */
static char *put_quoted(char *p, const char *text, size_t n)
{
	return p + json_quote(p, text, n);
}

/* The most one entry of "tracks" takes: the fixed text and its two strings quoted at
   worst (six bytes for one). */
#define TRACK_JSON_MAX (96 + 6 * (sizeof(((struct out_track *)0)->mid) + RND_ID_CHARS))

/* {"type":"subscribe_offer","sdp":...,"tracks":[{"mid":...,"participant":...,"kind":...,
   "source":...},...]} for the active tracks: the bytes jansson would write, put together
   directly. An offer for a room of 35 is sent to everyone at every join; through jansson,
   the SDP's checking copy and writer and the tracks' objects were a third of the control
   thread's work in the joins. */
static void send_offer(struct session *se, const char *sdp, size_t n)
{
	size_t cap = 64 + json_quoted_len(sdp, n) + se->nouts * TRACK_JSON_MAX;
	char *msg = malloc(cap);
	if (!msg) {
		send_error(se, "internal", "out of memory", 1);
		return;
	}
	char *p = put_raw(msg, "{\"type\":\"subscribe_offer\",\"sdp\":\"");
	p = put_quoted(p, sdp, n);
	p = put_raw(p, "\",\"tracks\":[");
	int first = 1;
	for (size_t i = 0; i < se->nouts; i++) {
		const struct out_track *o = &se->outs[i];
		if (!o->active)
			continue;
		p = put_raw(p, first ? "{\"mid\":\"" : ",{\"mid\":\"");
		first = 0;
		p = put_quoted(p, o->mid, strnlen(o->mid, sizeof(o->mid)));
		p = put_raw(p, "\",\"participant\":\"");
		p = put_quoted(p, o->stream_id, strnlen(o->stream_id, sizeof(o->stream_id)));
		p = put_raw(p, o->source == SRC_MIC ? "\",\"kind\":\"audio\",\"source\":\""
		                                    : "\",\"kind\":\"video\",\"source\":\"");
		p = put_raw(p, source_names[o->source]);
		p = put_raw(p, "\"}");
	}
	p = put_raw(p, "]}");
	if (se->send)
		se->send(se->ctx, msg, (size_t)(p - msg), 0);
	free(msg);
}

/* Queues the subscribe transport on its worker: with the browser's fingerprint, or (fp
   NULL) before it is known, to follow with media_conn_fingerprint. */
static void add_sub_conn(struct session *se, const uint8_t *fp)
{
	struct media_conn_spec c = {
	    .participant = se->handle, .role = MEDIA_SUB, .peer_fp_later = fp == NULL};
	memcpy(c.ufrag, se->sub_ufrag, sizeof(c.ufrag));
	memcpy(c.pwd, se->sub_pwd, sizeof(c.pwd));
	if (fp)
		memcpy(c.peer_fp, fp, 32);
	if (media_conn_add(se->sig->media, &c) == 0) {
		se->sub_conn_added = 1;
		se->sub_fp_wanted = fp == NULL;
	}
}

void sub_renegotiate(struct session *se)
{
	struct signal *sig = se->sig;
	if (se->state != S_JOINED || !se->room)
		return;
	int changed = update_outs(se);
	if (!changed && !se->offer_dirty)
		return;
	if (se->nouts == 0 || !se->send)
		return;
	if (se->offer_pending) {
		se->offer_dirty = 1;
		return;
	}
	if (se->last_offer_ms && sig->now_ms < se->last_offer_ms + OFFER_GAP_MS) {
		se->offer_dirty = 1;
		signal_due_at(sig, se->last_offer_ms + OFFER_GAP_MS);
		return;
	}
	se->offer_dirty = 0;
	if (!se->sub_ufrag[0] && media_ice_credentials(se->sub_ufrag, se->sub_pwd) != 0) {
		send_error(se, "internal", "no randomness", 1);
		return;
	}
	struct sdp_out_track *t = calloc(se->nouts, sizeof(*t));
	if (!t) {
		send_error(se, "internal", "out of memory", 1);
		return;
	}
	for (size_t i = 0; i < se->nouts; i++) {
		struct out_track *o = &se->outs[i];
		o->offered_inactive = !o->active;
		t[i] = (struct sdp_out_track){
		    .kind = o->source == SRC_MIC ? SDP_AUDIO : SDP_VIDEO,
		    .mid = o->mid,
		    .active = o->active,
		    .ssrc = o->ssrc,
		    .stream_id = o->stream_id,
		    .track_id = o->track_id,
		    .cname = o->stream_id,
		};
	}
	struct sdp_local l;
	fill_local(sig, &l, se->handle, se->sub_ufrag, se->sub_pwd, ++se->sub_version);
	int n = sdp_write_subscribe_offer(sig->sdp_buf, SDP_BUF, t, se->nouts, &l);
	free(t);
	if (n < 0) {
		log_error("signal", "cannot write a subscribe offer: %s", err_str(n));
		return;
	}
	/* The transport exists before the offer leaves: the browser's first ICE checks may
	   come before its answer. Its certificate's fingerprint comes with the answer. */
	if (!se->sub_conn_added)
		add_sub_conn(se, NULL);
	se->offer_pending = 1;
	se->last_offer_ms = sig->now_ms;
	send_offer(se, sig->sdp_buf, (size_t)n);
}

void sub_renegotiate_others(struct session *se)
{
	struct room *r = se->room;
	for (size_t i = 0; i < r->n; i++) {
		if (r->members[i] != se)
			sub_renegotiate(r->members[i]);
	}
}

static void push_subscriptions(struct session *se)
{
	struct media_sub_spec *s = calloc(se->nouts ? se->nouts : 1, sizeof(*s));
	if (!s)
		return;
	size_t n = 0;
	for (size_t i = 0; i < se->nouts; i++) {
		const struct out_track *o = &se->outs[i];
		if (!o->active)
			continue;
		s[n++] = (struct media_sub_spec){
		    .publisher = o->publisher,
		    .ssrc = o->ssrc,
		    .out_pt = o->source == SRC_MIC ? OUT_PT_OPUS : OUT_PT_VP8,
		    .kind = o->source == SRC_MIC ? MEDIA_AUDIO : MEDIA_VIDEO,
		};
	}
	if (media_subscribe(se->sig->media, se->handle, s, n) != 0)
		log_warn("signal", "media queue full");
	free(s);
}

void sub_on_answer(struct session *se, const struct msg *m)
{
	if (!se->offer_pending) {
		send_error(se, "state", "no subscribe offer is outstanding", 0);
		return;
	}
	struct sdp *sdp = session_parse_sdp(se, m);
	if (!sdp)
		return;
	se->offer_pending = 0;
	for (size_t i = 0; i < se->nouts; i++)
		se->outs[i].reusable = se->outs[i].offered_inactive && !se->outs[i].active;
	if (se->sub_fp_wanted &&
	    media_conn_fingerprint(se->sig->media, se->handle, MEDIA_SUB, sdp->fingerprint) == 0)
		se->sub_fp_wanted = 0;
	if (!se->sub_conn_added) /* the media queue was full when the offer left */
		add_sub_conn(se, sdp->fingerprint);
	free(sdp);
	push_subscriptions(se);
	if (se->offer_dirty)
		sub_renegotiate(se);
}

void sub_forget(struct session *se)
{
	se->sub_ufrag[0] = se->sub_pwd[0] = '\0';
	se->sub_conn_added = se->sub_fp_wanted = 0;
	se->offer_pending = se->offer_dirty = 0;
	se->last_offer_ms = 0;
	se->nouts = 0;
	se->next_mid = 0;
	se->sub_version = 0;
}
