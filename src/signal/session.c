/* session.c - one participant's signalling state machine (docs/PROTOCOL.md).
 *
 *   NEW --join--> LOBBY --admit--> JOINED --leave/remove/end--> GONE
 *            \___________________/
 *
 * In JOINED the publish side follows the client's offers and the subscribe side is
 * driven by the server (subscribe.c). When the socket drops, a JOINED seat waits
 * RESUME_GRACE_MS for its participant to come back with the resume secret. */
#include "signal/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/ct.h"
#include "auth/events.h"
#include "auth/guard.h"
#include "auth/policy.h"
#include "base/log.h"
#include "rtc/sdp.h"
#include "signal/internal.h"
#include "signal/place.h"
#include "store/db.h"
#include "store/meeting.h"

#define CHAT_PER_SECOND 5

struct signal *signal_new(struct db *db, struct media *media)
{
	struct signal *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->db = db;
	s->media = media;
	s->next_handle = 1;
	s->ceiling = LEVEL_DEPV;
	s->spread_at = PLACE_SPREAD_AT;
	s->sdp_buf = malloc(SDP_BUF);
	s->levels = calloc(LIM_CONNS, sizeof(*s->levels));
	if (!s->sdp_buf || !s->levels) {
		free(s->sdp_buf);
		free(s->levels);
		free(s);
		return NULL;
	}
	return s;
}

void signal_set_spread(struct signal *s, int spread)
{
	s->spread = spread;
}

void signal_set_room_spread(struct signal *s, size_t spread_at)
{
	s->spread_at = spread_at;
}

void signal_free(struct signal *s)
{
	if (!s)
		return;
	/* Sockets are closed by the transport before this; what is left are seats
	   waiting for their participant to come back. */
	while (s->rooms) {
		struct room *r = s->rooms;
		s->rooms = r->next;
		for (size_t i = 0; i < r->n; i++) {
			if (!r->members[i]->send)
				free(r->members[i]);
		}
		free(r);
	}
	free(s->sdp_buf);
	free(s->levels);
	free(s);
}

void signal_set_guard(struct signal *s, struct guard *g)
{
	s->guard = g;
}

void signal_set_ceiling(struct signal *s, int level)
{
	s->ceiling = level;
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

void send_json(struct session *se, json_t *j, int close_after)
{
	if (!se->send) {
		json_decref(j);
		return;
	}
	char *txt = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!txt)
		return;
	se->send(se->ctx, txt, strlen(txt), close_after);
	free(txt);
}

void send_error(struct session *se, const char *code, const char *message, int fatal)
{
	send_json(se,
	          json_pack("{s:s, s:s, s:s, s:b}", "type", "error", "code", code, "message",
	                    message, "fatal", fatal),
	          fatal);
}

void signal_audit(struct signal *sig, const char *kind, const struct session *se,
                  const char *subject, int security)
{
	char detail[160] = "{}";
	if (se && se->id[0])
		snprintf(detail, sizeof(detail), "{\"participant\":\"%s\",\"kind\":\"%s\"}", se->id,
		         se->kind == KIND_GUEST ? "guest" : "account");
	const char *tenant = se && se->room ? se->room->tenant : "";
	event_record(sig->db, &(struct audit_rec){.tenant = tenant,
	                                          .actor = se && se->user_id[0] ? se->user_id : "",
	                                          .kind = kind,
	                                          .subject = subject,
	                                          .source = se ? se->peer.source : "",
	                                          .detail = detail,
	                                          .security = security});
}

struct sdp *session_parse_sdp(struct session *se, const struct msg *m)
{
	struct sdp *sdp = malloc(sizeof(*sdp));
	const char *why = NULL;
	if (!sdp) {
		send_error(se, "internal", "out of memory", 0);
		return NULL;
	}
	if (sdp_parse(sdp, m->sdp, m->sdp_len, &why) != 0) {
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

/* ---- publishing ---- */

/* The first Opus audio section, the first VP8 video section that is not the screen, and
   the VP8 section named by screen_mid become the tracks. */
static void on_publish(struct session *se, const struct msg *m)
{
	struct signal *sig = se->sig;
	struct sdp *offer = session_parse_sdp(se, m);
	if (!offer)
		return;
	struct media_track_spec t[SRC_COUNT];
	size_t nt = 0;
	uint32_t ssrc[SRC_COUNT] = {0, 0, 0};
	for (size_t i = 0; i < offer->nmedia; i++) {
		const struct sdp_media *md = &offer->media[i];
		int src = md->kind == SDP_AUDIO ? SRC_MIC : md->kind == SDP_VIDEO ? SRC_CAMERA : -1;
		if (src == SRC_CAMERA && m->screen_mid[0] && strcmp(md->mid, m->screen_mid) == 0)
			src = SRC_SCREEN;
		if (src < 0 || ssrc[src] || md->port == 0 || md->nssrcs == 0)
			continue;
		const struct sdp_codec *c = sdp_find_codec(md, src == SRC_MIC ? "opus" : "VP8");
		if (!c)
			continue;
		ssrc[src] = md->ssrcs[0];
		t[nt++] = (struct media_track_spec){
		    .kind = src == SRC_MIC ? MEDIA_AUDIO : MEDIA_VIDEO,
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
	struct sdp_local l = {
	    .ice_ufrag = c.ufrag,
	    .ice_pwd = c.pwd,
	    .fingerprint = media_fingerprint(sig->media),
	    .addr = media_announce(sig->media),
	    .port = media_port(sig->media, se->handle),
	    .session_id = 1,
	    .session_version = 1,
	};
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
	memcpy(se->ssrc, ssrc, sizeof(ssrc));
	send_json(
	    se, json_pack("{s:s, s:s%}", "type", "publish_answer", "sdp", sig->sdp_buf, (size_t)n),
	    0);
	room_broadcast_roster(se->room);
	sub_renegotiate_others(se);
}

/* ---- joining ---- */

/* Who speaks now, for someone who just came in (changes are broadcast as they happen). */
static void send_speaker(struct session *se)
{
	struct room *r = se->room;
	for (size_t i = 0; r->spk.current && i < r->n; i++) {
		if (r->members[i]->handle == r->spk.current)
			send_json(se,
			          json_pack("{s:s, s:s}", "type", "speaker", "participant",
			                    r->members[i]->id),
			          0);
	}
}

static void send_joined(struct session *se)
{
	struct room *r = se->room;
	send_json(se,
	          json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "type", "joined", "id", se->id,
	                    "resume", se->resume, "role", se->host ? "host" : "participant",
	                    "meeting", room_meeting_json(r), "participants",
	                    room_roster_json(r, se)),
	          0);
}

/* From the lobby (or straight from join) onto the roster. */
static void admit(struct session *se, struct room *r)
{
	se->handle = media_handle(se->sig->next_handle++, room_member_worker(se->sig, r));
	se->audio_on = se->video_on = 1;
	if (room_add_member(r, se) != 0) {
		send_error(se, "limit", "the meeting is full", 1);
		se->state = S_GONE;
		se->room = NULL;
		return;
	}
	send_joined(se);
	send_speaker(se);
	room_broadcast_roster(r);
	if (se->host && r->nwaiting > 0)
		room_send_waiting(r);
	sub_renegotiate(se);
}

static struct session *find_by_resume(struct signal *sig, const char *token)
{
	struct session *found = NULL;
	if (!rnd_id_valid(token, strlen(token)))
		return NULL;
	for (struct room *r = sig->rooms; r; r = r->next) {
		for (size_t i = 0; i < r->n; i++) {
			if (ct_equal(r->members[i]->resume, token, RND_ID_CHARS))
				found = r->members[i];
		}
	}
	return found;
}

/* A participant comes back: the new socket takes the old seat, so the others keep one
   tile. Its media starts afresh (a new publish offer is the ICE restart). */
static int resume_seat(struct session *se, const char *token)
{
	struct signal *sig = se->sig;
	struct session *old = find_by_resume(sig, token);
	if (!old)
		return ERR_NOTFOUND;
	struct room *r = old->room;
	if (old->handle && media_remove(sig->media, old->handle) != 0)
		log_error("signal", "media queue full: an old transport was not cut");
	memcpy(se->id, old->id, sizeof(se->id));
	memcpy(se->name, old->name, sizeof(se->name));
	memcpy(se->user_id, old->user_id, sizeof(se->user_id));
	memcpy(se->tenant, old->tenant, sizeof(se->tenant));
	se->kind = old->kind;
	se->host = old->host;
	se->hand = old->hand;
	if (rnd_id(se->resume) != 0)
		return ERR_IO;
	se->audio_on = old->audio_on;
	se->video_on = old->video_on;
	/* The seat changes hands before its worker is chosen: the old handle, cut above, is
	   not counted, nor is the new one (0 until now). */
	for (size_t i = 0; i < r->n; i++) {
		if (r->members[i] == old)
			r->members[i] = se;
	}
	se->handle = media_handle(sig->next_handle++, room_member_worker(sig, r));
	se->room = r;
	se->state = S_JOINED;
	old->room = NULL;
	old->state = S_GONE;
	if (old->send)
		send_error(old, "state", "this seat was taken back by a new connection", 1);
	else
		free(old);
	signal_audit(sig, "join.resumed", se, r->id, 0);
	send_joined(se);
	send_speaker(se);
	room_broadcast_roster(r);
	if (se->host && r->nwaiting > 0)
		room_send_waiting(r);
	sub_renegotiate_others(se);
	sub_renegotiate(se);
	return 0;
}

static void on_join(struct session *se, const struct msg *m)
{
	struct signal *sig = se->sig;
	if (m->resume[0] && resume_seat(se, m->resume) == 0)
		return;
	struct access a;
	int retry = 0;
	if (sig->guard && guard_check(sig->guard, se->peer.source, NULL, &retry) != 0) {
		send_json(se,
		          json_pack("{s:s, s:s, s:s, s:b, s:i}", "type", "error", "code",
		                    "rate_limited", "message", "too many failed attempts", "fatal",
		                    1, "retry_after", retry),
		          1);
		se->state = S_GONE;
		return;
	}
	if (access_join(sig, &se->peer, m, &a) != 0) {
		const char *subject = m->meeting[0] ? m->meeting : "invitation";
		if (sig->guard)
			(void)guard_fail(sig->guard, "join.refused", se->peer.source, NULL, subject,
			                 &retry);
		send_error(se, "not_found", "meeting not found", 1);
		se->state = S_GONE;
		return;
	}
	if (a.locked && !a.host) {
		signal_audit(sig, "join.refused", se, a.meeting, 1);
		send_error(se, "locked", "the meeting is locked", 1);
		se->state = S_GONE;
		return;
	}
	if (a.kind == KIND_GUEST && !m->name[0]) {
		send_error(se, "bad_request", "a guest must give a name", 0);
		return;
	}
	struct room *r = room_open(sig, a.meeting);
	if (!r) {
		send_error(se, "limit", "the server hosts as many meetings as it can", 1);
		se->state = S_GONE;
		return;
	}
	/* The room follows the store on every join, so that changes apply at once (S8). */
	memcpy(r->title, a.title, sizeof(r->title));
	memcpy(r->tenant, a.tenant, sizeof(r->tenant));
	memcpy(r->level, a.level, sizeof(r->level));
	r->locked = a.locked;
	r->lobby = a.lobby;
	if (rnd_id(se->id) != 0 || rnd_id(se->resume) != 0) {
		send_error(se, "internal", "no randomness", 1);
		se->state = S_GONE;
		return;
	}
	snprintf(se->name, sizeof(se->name), "%s", a.kind == KIND_GUEST ? m->name : a.name);
	memcpy(se->user_id, a.user_id, sizeof(se->user_id));
	memcpy(se->tenant, a.tenant, sizeof(se->tenant));
	se->kind = a.kind;
	se->host = a.host;
	if (a.lobby && !a.host) {
		if (room_add_waiting(r, se) != 0) {
			send_error(se, "limit", "the lobby is full", 1);
			se->state = S_GONE;
			return;
		}
		signal_audit(sig, "lobby.waiting", se, r->id, 0);
		send_json(se, json_pack("{s:s}", "type", "lobby"), 0);
		room_send_waiting(r);
		return;
	}
	signal_audit(sig, "join.ok", se, r->id, 0);
	admit(se, r);
}

/* ---- host controls ---- */

static struct session *target(struct session *se, const struct msg *m, int waiting)
{
	struct session *t = waiting ? room_waiting(se->room, m->participant)
	                            : room_member(se->room, m->participant);
	if (!t)
		send_error(se, "bad_request",
		           waiting ? "nobody by that id is waiting"
		                   : "nobody by that id is in the meeting",
		           0);
	return t;
}

/* Cuts a participant out: the socket is closed and the media transports cut at once. */
static void expel(struct session *t, const char *type)
{
	room_leave(t);
	t->state = S_GONE;
	if (t->send)
		send_json(t, json_pack("{s:s}", "type", type), 1);
	else
		free(t);
}

/* Ends a room for everyone; last is expelled last (it may be NULL), since the last one
   out frees the room. */
static void end_room(struct room *r, struct session *last)
{
	while (r->nwaiting > 0) {
		struct session *w = r->waiting[0];
		room_drop_waiting(r, w);
		w->state = S_GONE;
		send_json(w, json_pack("{s:s}", "type", "ended"), 1);
	}
	struct session *all[LIM_ROOM_PARTICIPANTS];
	size_t n = r->n;
	memcpy(all, r->members, n * sizeof(all[0]));
	for (size_t i = 0; i < n; i++) {
		if (all[i] != last)
			expel(all[i], "ended");
	}
	if (last)
		expel(last, "ended");
}

static void end_meeting(struct session *se)
{
	signal_audit(se->sig, "meeting.ended", se, se->room->id, 0);
	end_room(se->room, se);
}

void signal_meeting_changed(struct signal *sig, const char *id, const char *new_id, int ended)
{
	struct room *r = room_find(sig, id);
	if (!r)
		return;
	sig->now_ms = clock_ms();
	if (ended) {
		end_room(r, NULL);
		return;
	}
	if (new_id)
		snprintf(r->id, sizeof(r->id), "%s", new_id);
	struct meeting m;
	if (meeting_get(sig->db, r->id, clock_unix(), &m) != 0)
		return;
	enum level l;
	memcpy(r->title, m.title, sizeof(r->title));
	snprintf(r->level, sizeof(r->level), "%s", m.level);
	r->locked = m.locked;
	r->lobby = m.lobby || (level_parse(m.level, &l) == 0 && policy_of(l)->lobby_forced);
	room_broadcast(r,
	               json_pack("{s:s, s:o}", "type", "meeting", "meeting", room_meeting_json(r)));
}

/* The lock is the meeting's, so it lasts and shows in the API. */
static void store_lock(struct signal *sig, const char *id, int locked)
{
	struct meeting m;
	if (meeting_get(sig->db, id, clock_unix(), &m) == 0) {
		m.locked = locked;
		if (meeting_update(sig->db, &m) != 0)
			log_warn("signal", "could not store a meeting's lock");
	}
}

static void on_host(struct session *se, const struct msg *m)
{
	struct signal *sig = se->sig;
	struct room *r = se->room;
	if (!se->host) {
		send_error(se, "forbidden", "only a host may do that", 0);
		return;
	}
	struct session *t;
	switch (m->type) {
	case MSG_ADMIT:
		if ((t = target(se, m, 1))) {
			room_drop_waiting(r, t);
			signal_audit(sig, "lobby.admitted", t, r->id, 0);
			admit(t, r);
		}
		break;
	case MSG_DENY:
		if ((t = target(se, m, 1))) {
			room_drop_waiting(r, t);
			t->state = S_GONE;
			signal_audit(sig, "lobby.denied", t, r->id, 1);
			send_error(t, "denied", "the host did not let you in", 1);
		}
		break;
	case MSG_MUTE:
		if ((t = target(se, m, 0))) {
			enum media_kind k = m->audio ? MEDIA_AUDIO : MEDIA_VIDEO;
			if (m->audio)
				t->audio_on = 0;
			else
				t->video_on = 0;
			/* Held back by the server too, not only asked of the client. */
			t->host_muted[k] = 1;
			if (media_mute(sig->media, t->handle, k, 1) != 0)
				log_warn("signal", "media queue full: a mute was not applied");
			signal_audit(sig, "participant.muted", t, r->id, 0);
			send_json(t,
			          json_pack("{s:s, s:s, s:s}", "type", "muted", "kind",
			                    m->audio ? "audio" : "video", "by", se->name),
			          0);
			room_broadcast_roster(r);
		}
		break;
	case MSG_ASK_UNMUTE:
		if ((t = target(se, m, 0)))
			send_json(t,
			          json_pack("{s:s, s:s}", "type", "unmute_request", "by", se->name),
			          0);
		break;
	case MSG_REMOVE:
		if ((t = target(se, m, 0))) {
			signal_audit(sig, "participant.removed", t, r->id, 1);
			expel(t, "removed");
		}
		break;
	case MSG_LOCK:
		r->locked = m->flag;
		store_lock(sig, r->id, m->flag);
		signal_audit(sig, m->flag ? "meeting.locked" : "meeting.unlocked", se, r->id, 0);
		room_broadcast(
		    r, json_pack("{s:s, s:o}", "type", "meeting", "meeting", room_meeting_json(r)));
		break;
	case MSG_END: end_meeting(se); break;
	default: break;
	}
}

/* ---- the rest ---- */

static void on_chat(struct session *se, const struct msg *m)
{
	int64_t now = se->sig->now_ms;
	if (now - se->chat_window_ms >= 1000) {
		se->chat_window_ms = now;
		se->chat_in_window = 0;
	}
	if (++se->chat_in_window > CHAT_PER_SECOND) {
		send_error(se, "limit", "too many chat messages; slow down", 0);
		return;
	}
	room_broadcast(se->room, json_pack("{s:s, s:s, s:s, s:s%, s:I}", "type", "chat", "from",
	                                   se->id, "name", se->name, "text", m->text, m->text_len,
	                                   "at", (json_int_t)clock_unix_ms()));
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
	se->sig->now_ms = clock_ms();
	if (se->state == S_GONE)
		return;
	if (msg_parse(&m, data, len, &why) != 0) {
		send_error(se, "bad_request", why ? why : "malformed message", 0);
		return;
	}
	if (se->state == S_NEW && m.type != MSG_JOIN) {
		send_error(se, "state", "join first", 0);
		goto done;
	}
	if (se->state == S_LOBBY && m.type != MSG_LEAVE) {
		send_error(se, "state", "wait for the host to let you in", 0);
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
	case MSG_SUBSCRIBE_ANSWER: sub_on_answer(se, &m); break;
	case MSG_STATE:
		se->audio_on = m.audio;
		se->video_on = m.video;
		for (int k = MEDIA_AUDIO; k <= MEDIA_VIDEO; k++) {
			int on = k == MEDIA_AUDIO ? m.audio : m.video;
			/* Turning one's own microphone back on lifts a host's mute. */
			if (on && se->host_muted[k] &&
			    media_mute(se->sig->media, se->handle, (enum media_kind)k, 0) == 0)
				se->host_muted[k] = 0;
		}
		room_broadcast_roster(se->room);
		break;
	case MSG_HAND:
		se->hand = m.flag;
		room_broadcast_roster(se->room);
		break;
	case MSG_CHAT: on_chat(se, &m); break;
	case MSG_ADMIT:
	case MSG_DENY:
	case MSG_MUTE:
	case MSG_ASK_UNMUTE:
	case MSG_REMOVE:
	case MSG_LOCK:
	case MSG_END: on_host(se, &m); break;
	case MSG_LEAVE:
		room_leave(se);
		se->state = S_GONE;
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
	struct signal *sig = se->sig;
	sig->now_ms = clock_ms();
	if (se->state == S_JOINED && se->room) {
		/* Keep the seat: the participant may come back (docs/PROTOCOL.md). */
		se->send = NULL;
		se->ctx = NULL;
		se->detached_at = sig->now_ms;
		room_broadcast_roster(se->room);
		return;
	}
	room_leave(se);
	free(se);
}

static int by_participant(const void *a, const void *b)
{
	const struct media_level *x = a, *y = b;
	return x->participant < y->participant ? -1 : x->participant > y->participant;
}

/* Speaker detection: the media plane measures, the rooms decide (speaker.c). */
static void update_speakers(struct signal *sig)
{
	size_t n = media_levels(sig->media, sig->levels, LIM_CONNS);
	qsort(sig->levels, n, sizeof(*sig->levels), by_participant);
	struct speaker_input in[LIM_ROOM_PARTICIPANTS];
	for (struct room *r = sig->rooms; r; r = r->next) {
		for (size_t i = 0; i < r->n; i++) {
			const struct session *m = r->members[i];
			struct media_level key = {.participant = m->handle};
			const struct media_level *l =
			    bsearch(&key, sig->levels, n, sizeof(*sig->levels), by_participant);
			in[i] = (struct speaker_input){
			    .handle = m->handle,
			    .loudness = l && m->audio_on ? l->loudness : 0,
			};
		}
		if (!speaker_update(&r->spk, in, r->n))
			continue;
		const char *id = NULL;
		for (size_t i = 0; i < r->n; i++) {
			if (r->members[i]->handle == r->spk.current)
				id = r->members[i]->id;
		}
		room_broadcast(r, json_pack("{s:s, s:s?}", "type", "speaker", "participant", id));
	}
}

void signal_set_waker(struct signal *s, void (*wake)(void *ctx, unsigned ms), void *ctx)
{
	s->wake = wake;
	s->wake_ctx = ctx;
}

void signal_due_at(struct signal *sig, int64_t at_ms)
{
	if (sig->due_ms && sig->due_ms <= at_ms)
		return;
	sig->due_ms = at_ms;
	if (sig->wake)
		sig->wake(sig->wake_ctx, at_ms > sig->now_ms ? (unsigned)(at_ms - sig->now_ms) : 0);
}

void signal_run_due(struct signal *sig)
{
	sig->now_ms = clock_ms();
	sig->due_ms = 0; /* what is still early asks again */
	for (struct room *r = sig->rooms; r; r = r->next) {
		for (size_t i = 0; i < r->n; i++) {
			if (r->members[i]->offer_dirty)
				sub_renegotiate(r->members[i]);
		}
	}
}

void signal_tick(struct signal *sig)
{
	sig->now_ms = clock_ms();
	if (sig->due_ms && sig->now_ms >= sig->due_ms)
		signal_run_due(sig);
	room_sample_workers(sig);
	update_speakers(sig);
	for (struct room *r = sig->rooms, *next; r; r = next) {
		next = r->next;
		/* room_leave may free r: find one expired seat at a time. */
		for (;;) {
			struct session *gone = NULL;
			for (size_t i = 0; i < r->n && !gone; i++) {
				struct session *m = r->members[i];
				if (!m->send && sig->now_ms - m->detached_at >= RESUME_GRACE_MS)
					gone = m;
			}
			if (!gone)
				break;
			int last = r->n == 1 && r->nwaiting == 0;
			signal_audit(sig, "participant.timed_out", gone, r->id, 0);
			room_leave(gone);
			free(gone);
			if (last)
				break;
		}
	}
}
