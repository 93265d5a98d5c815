/* session.c - the signalling state machine (docs/PROTOCOL.md).
 *
 *   NEW --join--> JOINED --leave/close--> gone
 *
 * In JOINED, the publish side follows the client's offers; the subscribe side
 * is driven by the server: at most one offer outstanding, and a change that
 * comes while one is outstanding is offered after the answer arrives. */
#include "signal/session.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/log.h"
#include "base/rnd.h"
#include "rtc/sdp.h"
#include "sfu/media.h"
#include "signal/json.h"
#include "store/db.h"

#define OUT_PT_OPUS 111
#define OUT_PT_VP8  96
#define SDP_BUF     (LIM_SDP_LEN)

struct room;

struct out_track {
	char mid[12];
	enum media_kind kind;
	int active;
	uint32_t ssrc;
	uint64_t publisher;
	char stream_id[RND_ID_CHARS + 1]; /* the publisher's participant id */
	char track_id[RND_ID_CHARS + 3];
};

enum state { S_NEW, S_JOINED };

struct session {
	struct signal *sig;
	session_send_fn send;
	void *ctx;
	struct session_peer peer;
	enum state state;
	struct room *room;
	char id[RND_ID_CHARS + 1];
	uint64_t handle;
	char name[LIM_NAME + 1];
	int audio_on, video_on;

	int published;
	uint32_t ssrc[2]; /* by media_kind; 0 = not published */

	char sub_ufrag[MEDIA_UFRAG_LEN + 1], sub_pwd[MEDIA_PWD_LEN + 1];
	int sub_conn_added;
	int offer_pending, offer_dirty;
	uint64_t sub_version;
	unsigned next_mid;
	struct out_track outs[LIM_SUB_TRACKS];
	size_t nouts;
};

struct room {
	char id[RND_ID_CHARS + 1];
	char title[LIM_TITLE + 1];
	struct session *members[LIM_ROOM_PARTICIPANTS];
	size_t n;
	struct room *next;
};

struct signal {
	struct db *db;
	struct media *media;
	struct room *rooms;
	size_t nrooms, nparticipants;
	uint64_t next_handle;
	char *sdp_buf;
};

struct signal *signal_new(struct db *db, struct media *media)
{
	struct signal *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->db = db;
	s->media = media;
	s->next_handle = 1;
	s->sdp_buf = malloc(SDP_BUF);
	if (!s->sdp_buf) {
		free(s);
		return NULL;
	}
	return s;
}

void signal_free(struct signal *s)
{
	if (!s)
		return;
	/* Sessions are closed by the transport before this; rooms are empty then. */
	while (s->rooms) {
		struct room *r = s->rooms;
		s->rooms = r->next;
		free(r);
	}
	free(s->sdp_buf);
	free(s);
}

size_t signal_participants(const struct signal *s)
{
	return s->nparticipants;
}

size_t signal_rooms(const struct signal *s)
{
	return s->nrooms;
}

/* ---- sending ---- */

static void send_json(struct session *se, json_t *j, int close_after)
{
	char *txt = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!txt)
		return;
	se->send(se->ctx, txt, strlen(txt), close_after);
	free(txt);
}

static void send_error(struct session *se, const char *code, const char *message, int fatal)
{
	send_json(se,
	          json_pack("{s:s, s:s, s:s, s:b}", "type", "error", "code", code, "message",
	                    message, "fatal", fatal),
	          fatal);
}

static json_t *roster_json(struct room *r, struct session *self)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < r->n; i++) {
		struct session *m = r->members[i];
		json_t *o = json_pack("{s:s, s:s, s:b, s:b}", "id", m->id, "name", m->name, "audio",
		                      m->audio_on, "video", m->video_on);
		if (m == self)
			json_object_set_new(o, "self", json_true());
		json_array_append_new(arr, o);
	}
	return arr;
}

static void broadcast_roster(struct room *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct session *m = r->members[i];
		send_json(
		    m, json_pack("{s:s, s:o}", "type", "roster", "participants", roster_json(r, m)),
		    0);
	}
}

/* ---- subscribe side ---- */

static void fill_local(struct signal *sig, struct sdp_local *l, const char *ufrag, const char *pwd,
                       uint64_t version)
{
	memset(l, 0, sizeof(*l));
	l->ice_ufrag = ufrag;
	l->ice_pwd = pwd;
	l->fingerprint = media_fingerprint(sig->media);
	l->addr = media_announce(sig->media);
	l->port = media_port(sig->media);
	l->session_id = 1;
	l->session_version = version;
}

static int has_out(struct session *se, uint64_t publisher, uint32_t ssrc)
{
	for (size_t i = 0; i < se->nouts; i++) {
		struct out_track *o = &se->outs[i];
		if (o->active && o->publisher == publisher && o->ssrc == ssrc)
			return 1;
	}
	return 0;
}

static int wanted(struct session *se, const struct out_track *o)
{
	struct room *r = se->room;
	for (size_t i = 0; i < r->n; i++) {
		struct session *m = r->members[i];
		if (m != se && m->handle == o->publisher && m->published &&
		    m->ssrc[o->kind] == o->ssrc)
			return 1;
	}
	return 0;
}

/* Brings the subscribe offer in line with who publishes in the room. */
static void renegotiate(struct session *se)
{
	struct signal *sig = se->sig;
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
		for (int k = MEDIA_AUDIO; k <= MEDIA_VIDEO; k++) {
			if (!m->ssrc[k] || has_out(se, m->handle, m->ssrc[k]))
				continue;
			if (se->nouts == LIM_SUB_TRACKS) {
				log_warn("signal", "subscriber track limit reached");
				continue;
			}
			struct out_track *o = &se->outs[se->nouts++];
			memset(o, 0, sizeof(*o));
			snprintf(o->mid, sizeof(o->mid), "%u", se->next_mid++);
			o->kind = (enum media_kind)k;
			o->active = 1;
			o->ssrc = m->ssrc[k];
			o->publisher = m->handle;
			memcpy(o->stream_id, m->id, sizeof(o->stream_id));
			snprintf(o->track_id, sizeof(o->track_id), "%c-%s",
			         k == MEDIA_AUDIO ? 'a' : 'v', m->id);
			changed = 1;
		}
	}
	if (!changed && !se->offer_dirty)
		return;
	if (se->nouts == 0)
		return;
	if (se->offer_pending) {
		se->offer_dirty = 1;
		return;
	}
	se->offer_dirty = 0;
	if (!se->sub_ufrag[0] && media_ice_credentials(se->sub_ufrag, se->sub_pwd) != 0) {
		send_error(se, "internal", "no randomness", 1);
		return;
	}
	struct sdp_out_track t[LIM_SUB_TRACKS];
	json_t *tracks = json_array();
	for (size_t i = 0; i < se->nouts; i++) {
		struct out_track *o = &se->outs[i];
		t[i] = (struct sdp_out_track){
		    .kind = o->kind == MEDIA_AUDIO ? SDP_AUDIO : SDP_VIDEO,
		    .mid = o->mid,
		    .active = o->active,
		    .ssrc = o->ssrc,
		    .stream_id = o->stream_id,
		    .track_id = o->track_id,
		    .cname = o->stream_id,
		};
		if (o->active)
			json_array_append_new(
			    tracks,
			    json_pack("{s:s, s:s, s:s}", "mid", o->mid, "participant", o->stream_id,
			              "kind", o->kind == MEDIA_AUDIO ? "audio" : "video"));
	}
	struct sdp_local l;
	fill_local(sig, &l, se->sub_ufrag, se->sub_pwd, ++se->sub_version);
	int n = sdp_write_subscribe_offer(sig->sdp_buf, SDP_BUF, t, se->nouts, &l);
	if (n < 0) {
		json_decref(tracks);
		log_error("signal", "cannot write a subscribe offer: %s", err_str(n));
		return;
	}
	se->offer_pending = 1;
	send_json(se,
	          json_pack("{s:s, s:s%, s:o}", "type", "subscribe_offer", "sdp", sig->sdp_buf,
	                    (size_t)n, "tracks", tracks),
	          0);
}

static void renegotiate_others(struct session *se)
{
	struct room *r = se->room;
	for (size_t i = 0; i < r->n; i++) {
		if (r->members[i] != se)
			renegotiate(r->members[i]);
	}
}

static void push_subscriptions(struct session *se)
{
	struct media_sub_spec s[LIM_SUB_TRACKS];
	size_t n = 0;
	for (size_t i = 0; i < se->nouts; i++) {
		struct out_track *o = &se->outs[i];
		if (!o->active)
			continue;
		s[n++] = (struct media_sub_spec){
		    .publisher = o->publisher,
		    .ssrc = o->ssrc,
		    .out_pt = o->kind == MEDIA_AUDIO ? OUT_PT_OPUS : OUT_PT_VP8,
		};
	}
	if (media_subscribe(se->sig->media, se->handle, s, n) != 0)
		log_warn("signal", "media queue full");
}

static struct sdp *parse_sdp(struct session *se, const struct msg *m)
{
	struct sdp *sdp = malloc(sizeof(*sdp));
	const char *why = "out of memory";
	if (!sdp || sdp_parse(sdp, m->sdp, m->sdp_len, &why) != 0) {
		char text[160];
		snprintf(text, sizeof(text), "bad SDP: %s", why ? why : "malformed");
		send_error(se, "bad_request", text, 0);
		free(sdp);
		return NULL;
	}
	if (!sdp->has_fingerprint || !sdp->ice_ufrag[0]) {
		send_error(se, "bad_request", "bad SDP: no ICE credentials or fingerprint", 0);
		free(sdp);
		return NULL;
	}
	return sdp;
}

static void on_subscribe_answer(struct session *se, const struct msg *m)
{
	if (!se->offer_pending) {
		send_error(se, "state", "no subscribe offer is outstanding", 0);
		return;
	}
	struct sdp *sdp = parse_sdp(se, m);
	if (!sdp)
		return;
	se->offer_pending = 0;
	if (!se->sub_conn_added) {
		struct media_conn_spec c = {.participant = se->handle, .role = MEDIA_SUB};
		memcpy(c.ufrag, se->sub_ufrag, sizeof(c.ufrag));
		memcpy(c.pwd, se->sub_pwd, sizeof(c.pwd));
		memcpy(c.peer_fp, sdp->fingerprint, 32);
		if (media_conn_add(se->sig->media, &c) == 0)
			se->sub_conn_added = 1;
	}
	free(sdp);
	push_subscriptions(se);
	if (se->offer_dirty)
		renegotiate(se);
}

/* The first audio section with Opus and the first video section with VP8 become the tracks. */
static void on_publish(struct session *se, const struct msg *m)
{
	struct signal *sig = se->sig;
	struct sdp *offer = parse_sdp(se, m);
	if (!offer)
		return;
	struct media_track_spec t[2];
	size_t nt = 0;
	uint32_t ssrc[2] = {0, 0};
	for (size_t i = 0; i < offer->nmedia; i++) {
		const struct sdp_media *md = &offer->media[i];
		int k = md->kind == SDP_AUDIO   ? MEDIA_AUDIO
		        : md->kind == SDP_VIDEO ? MEDIA_VIDEO
		                                : -1;
		if (k < 0 || ssrc[k] || md->port == 0 || md->nssrcs == 0)
			continue;
		const struct sdp_codec *c = sdp_find_codec(md, k == MEDIA_AUDIO ? "opus" : "VP8");
		if (!c)
			continue;
		ssrc[k] = md->ssrcs[0];
		t[nt++] = (struct media_track_spec){
		    .kind = (enum media_kind)k,
		    .ssrc = md->ssrcs[0],
		    .pt = c->pt,
		    .audio_level_ext =
		        sdp_find_ext(md, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
		    .clock = c->clock,
		};
	}
	if (nt == 0) {
		free(offer);
		send_error(se, "bad_request",
		           "the offer has neither Opus audio nor VP8 video with an SSRC", 0);
		return;
	}
	struct media_conn_spec c = {.participant = se->handle, .role = MEDIA_PUB};
	if (media_ice_credentials(c.ufrag, c.pwd) != 0) {
		free(offer);
		send_error(se, "internal", "no randomness", 1);
		return;
	}
	memcpy(c.peer_fp, offer->fingerprint, 32);
	struct sdp_local l;
	fill_local(sig, &l, c.ufrag, c.pwd, 1);
	int n = sdp_write_publish_answer(sig->sdp_buf, SDP_BUF, offer, &l);
	free(offer);
	if (n < 0) {
		send_error(se, "bad_request", "cannot answer this offer", 0);
		return;
	}
	if (media_conn_add(sig->media, &c) != 0 ||
	    media_publish(sig->media, se->handle, t, nt) != 0) {
		send_error(se, "limit", "the media server is busy", 0);
		return;
	}
	se->published = 1;
	se->ssrc[MEDIA_AUDIO] = ssrc[MEDIA_AUDIO];
	se->ssrc[MEDIA_VIDEO] = ssrc[MEDIA_VIDEO];
	send_json(
	    se, json_pack("{s:s, s:s%}", "type", "publish_answer", "sdp", sig->sdp_buf, (size_t)n),
	    0);
	renegotiate_others(se);
}

/* ---- rooms ---- */

static struct room *room_find(struct signal *sig, const char *id)
{
	for (struct room *r = sig->rooms; r; r = r->next) {
		if (strcmp(r->id, id) == 0)
			return r;
	}
	return NULL;
}

static void room_leave(struct session *se)
{
	struct signal *sig = se->sig;
	struct room *r = se->room;
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		if (r->members[i] == se) {
			memmove(&r->members[i], &r->members[i + 1],
			        (r->n - i - 1) * sizeof(r->members[0]));
			r->n--;
			break;
		}
	}
	sig->nparticipants--;
	if (media_remove(sig->media, se->handle) != 0)
		log_error("signal", "media queue full: a participant was not removed");
	se->room = NULL;
	se->published = 0;
	if (r->n == 0) {
		for (struct room **pp = &sig->rooms; *pp; pp = &(*pp)->next) {
			if (*pp == r) {
				*pp = r->next;
				break;
			}
		}
		sig->nrooms--;
		free(r);
		return;
	}
	broadcast_roster(r);
	for (size_t i = 0; i < r->n; i++)
		renegotiate(r->members[i]);
}

static void on_join(struct session *se, const struct msg *m)
{
	struct signal *sig = se->sig;
	char title[LIM_TITLE + 1];
	/* S2: a malformed id and an unknown one get the same answer. */
	if (!rnd_id_valid(m->meeting, strlen(m->meeting)) ||
	    db_meeting_get(sig->db, m->meeting, title, sizeof(title)) != 0) {
		send_error(se, "not_found", "meeting not found", 1);
		return;
	}
	struct room *r = room_find(sig, m->meeting);
	if (!r) {
		if (sig->nrooms >= LIM_ROOMS) {
			send_error(se, "limit", "the server hosts as many meetings as it can", 1);
			return;
		}
		r = calloc(1, sizeof(*r));
		if (!r) {
			send_error(se, "internal", "out of memory", 1);
			return;
		}
		memcpy(r->id, m->meeting, sizeof(r->id));
		memcpy(r->title, title, sizeof(r->title));
		r->next = sig->rooms;
		sig->rooms = r;
		sig->nrooms++;
	}
	if (r->n == LIM_ROOM_PARTICIPANTS) {
		send_error(se, "limit", "the meeting is full", 1);
		return;
	}
	if (rnd_id(se->id) != 0) {
		send_error(se, "internal", "no randomness", 1);
		return;
	}
	memcpy(se->name, m->name, sizeof(se->name));
	se->handle = sig->next_handle++;
	se->audio_on = se->video_on = 1;
	se->room = r;
	se->state = S_JOINED;
	r->members[r->n++] = se;
	sig->nparticipants++;
	send_json(se,
	          json_pack("{s:s, s:s, s:{s:s, s:s}, s:o}", "type", "joined", "id", se->id,
	                    "meeting", "id", r->id, "title", r->title, "participants",
	                    roster_json(r, se)),
	          0);
	broadcast_roster(r);
	renegotiate(se);
}

struct session *session_open(struct signal *s, session_send_fn send, void *ctx,
                             const struct session_peer *peer)
{
	struct session *se = calloc(1, sizeof(*se));
	if (!se)
		return NULL;
	se->sig = s;
	se->send = send;
	se->ctx = ctx;
	se->state = S_NEW;
	se->peer = *peer;
	return se;
}

void session_on_message(struct session *se, const char *data, size_t len)
{
	struct msg m;
	const char *why = NULL;
	if (msg_parse(&m, data, len, &why) != 0) {
		send_error(se, "bad_request", why ? why : "malformed message", 0);
		return;
	}
	if (se->state == S_NEW && m.type != MSG_JOIN) {
		send_error(se, "state", "join first", 0);
		goto done;
	}
	switch (m.type) {
	case MSG_JOIN:
		if (se->state != S_NEW)
			send_error(se, "state", "already joined", 0);
		else
			on_join(se, &m);
		break;
	case MSG_PUBLISH: on_publish(se, &m); break;
	case MSG_SUBSCRIBE_ANSWER: on_subscribe_answer(se, &m); break;
	case MSG_STATE:
		se->audio_on = m.audio;
		se->video_on = m.video;
		broadcast_roster(se->room);
		break;
	case MSG_LEAVE:
		room_leave(se);
		se->state = S_NEW;
		send_json(se, json_pack("{s:s}", "type", "left"), 1);
		break;
	}
done:
	msg_free(&m);
}

void session_close(struct session *se)
{
	if (!se)
		return;
	room_leave(se);
	free(se);
}
