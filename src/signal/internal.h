/* internal.h - what the signal/ modules share: sessions, rooms and the registry.
 *
 * Everything here runs on the control thread. A session is one participant's seat:
 * created when a socket opens, in a room's lobby or roster after join, kept for a while
 * without a socket when the network drops (so that it can come back, docs/PROTOCOL.md),
 * and freed when it leaves or the grace period ends. */
#ifndef KAMER_SIGNAL_INTERNAL_H
#define KAMER_SIGNAL_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "base/limits.h"
#include "base/rnd.h"
#include "sfu/media.h"
#include "signal/json.h"
#include "signal/session.h"
#include "signal/speaker.h"

#define OUT_PT_OPUS 111
#define OUT_PT_VP8  96
#define SDP_BUF     (LIM_SDP_LEN)

/* How long a seat waits for its participant to come back after the socket dropped. */
#define RESUME_GRACE_MS 30000

enum source { SRC_MIC = 0, SRC_CAMERA = 1, SRC_SCREEN = 2, SRC_COUNT };
enum kind { KIND_ACCOUNT, KIND_GUEST, KIND_PHONE, KIND_RECORDER };

enum state {
	S_NEW,    /* socket open, not yet joined */
	S_LOBBY,  /* waiting for a host */
	S_JOINED, /* on the roster */
	S_GONE,   /* replaced by a resumed session or removed; waits for its socket to close */
};

struct room;

struct out_track {
	char mid[12];
	enum source source;
	int active;
	int offered_inactive; /* inactive in the offer last sent */
	int reusable;         /* inactive in an offer the browser answered: may carry a new track */
	uint32_t ssrc;
	uint64_t publisher;
	char stream_id[RND_ID_CHARS + 1]; /* the publisher's participant id */
	char track_id[RND_ID_CHARS + 3];
};

struct session {
	struct signal *sig;
	session_send_fn send; /* NULL while the socket is gone */
	void *ctx;
	struct session_peer peer;
	enum state state;
	struct room *room;
	char id[RND_ID_CHARS + 1];     /* participant id, shown to others */
	char resume[RND_ID_CHARS + 1]; /* secret that takes the seat back (S1) */
	uint64_t handle;               /* media plane's name for this participant */
	char name[LIM_NAME + 1];
	char user_id[RND_ID_CHARS + 1]; /* "" for guests */
	char tenant[RND_ID_CHARS + 1];
	enum kind kind;
	int host;
	int audio_on, video_on, hand;
	int host_muted[2];   /* by media_kind: the media plane holds this track back */
	int64_t detached_at; /* ms, while the socket is gone */
	int64_t chat_window_ms;
	unsigned chat_in_window;

	int published;
	uint32_t ssrc[SRC_COUNT]; /* 0 = not published */

	char sub_ufrag[MEDIA_UFRAG_LEN + 1], sub_pwd[MEDIA_PWD_LEN + 1];
	int sub_conn_added;
	int sub_fp_wanted; /* the transport waits for the fingerprint in the browser's answer */
	int offer_pending, offer_dirty;
	int64_t last_offer_ms; /* when the last subscribe offer left; 0 = none yet */
	uint64_t sub_version;
	unsigned next_mid;
	struct out_track outs[LIM_SUB_TRACKS];
	size_t nouts;
};

struct room {
	char id[RND_ID_CHARS + 1]; /* the meeting's id */
	char title[LIM_TITLE + 1];
	char tenant[RND_ID_CHARS + 1];
	char level[24]; /* slug, docs/CLASSIFICATION.md */
	int locked, lobby;
	struct session *members[LIM_ROOM_PARTICIPANTS];
	size_t n;
	struct session *waiting[LIM_ROOM_PARTICIPANTS];
	size_t nwaiting;
	struct speaker spk; /* who speaks, by media handle */
	unsigned worker;    /* the room's media worker: its members' while it is small */
	struct room *next;
};

struct signal {
	struct db *db;
	struct media *media;
	struct room *rooms;
	size_t nrooms, nparticipants;
	uint64_t next_handle;
	char *sdp_buf;
	int64_t now_ms;             /* control-thread clock, set by each entry point */
	int ceiling;                /* enum level: the highest level this server carries */
	struct media_level *levels; /* scratch for speaker detection */
	struct guard *guard;
	/* Room placement (room.c): pack new rooms onto the first worker that has room, or
	   spread them over all; each worker's share of a core over the last sample. */
	int spread;
	double busy[LIM_MEDIA_WORKERS], cpu_seen[LIM_MEDIA_WORKERS];
	int64_t busy_at_ms;
	/* Who joins a room of this many members or more goes to the worker with the fewest of
	   them (signal/place.h); 0: never. */
	size_t spread_at;
	/* Work put off for a moment (subscribe.c: the next offer of a subscriber that had one
	   just now): when signal_run_due should run next (0 = nothing waits), and the
	   transport's timer that calls it. */
	int64_t due_ms;
	void (*wake)(void *ctx, unsigned ms);
	void *wake_ctx;
};

/* session.c */
/* Asks for signal_run_due at at_ms (control-thread clock), unless it is asked sooner. */
void signal_due_at(struct signal *sig, int64_t at_ms);
void send_json(struct session *se, json_t *j, int close_after);
void send_error(struct session *se, const char *code, const char *message, int fatal);
/* The SDP of a publish or subscribe_answer, or NULL after telling the client why. */
struct sdp *session_parse_sdp(struct session *se, const struct msg *m);

/* room.c */
struct room *room_find(struct signal *sig, const char *id);
/* Samples each media worker's CPU time, for placement (each control tick). */
void room_sample_workers(struct signal *sig);
struct room *room_open(struct signal *sig, const char *id);
/* The worker for a member about to be given a handle: the room's own while it is small,
   then the one that carries the fewest of its members (place_member). Members are counted
   on the worker their handle names; those without a handle (a seat being taken back) are
   not counted. */
unsigned room_member_worker(const struct signal *sig, const struct room *r);
json_t *room_meeting_json(const struct room *r);
json_t *room_roster_json(const struct room *r, const struct session *self);
void room_broadcast(struct room *r, json_t *j); /* to every attached member; takes j */
void room_broadcast_roster(struct room *r);
void room_send_waiting(struct room *r); /* to the hosts */
int room_add_member(struct room *r, struct session *se);
int room_add_waiting(struct room *r, struct session *se);
void room_drop_waiting(struct room *r, struct session *se);
/* Leaves the room (roster or lobby), cuts media, frees the room when empty. */
void room_leave(struct session *se);
struct session *room_member(struct room *r, const char *participant_id);
struct session *room_waiting(struct room *r, const char *participant_id);

/* access.c: who may join, as what (docs/PROTOCOL.md "Who may join"). */
struct access {
	char meeting[RND_ID_CHARS + 1];
	char title[LIM_TITLE + 1];
	char tenant[RND_ID_CHARS + 1];
	char level[24];
	int locked, lobby, guests_allowed;
	char user_id[RND_ID_CHARS + 1]; /* "" for a guest */
	char name[LIM_NAME + 1];        /* the account's name; "" for a guest */
	enum kind kind;
	int host;
};
/* 0 with out filled, or ERR_NOTFOUND for every meeting the caller may not see (S2). */
int access_join(struct signal *sig, const struct session_peer *peer, const struct msg *m,
                struct access *out);

/* The audit log (and, when security is set, the tenant's security contact). */
void signal_audit(struct signal *sig, const char *kind, const struct session *se,
                  const char *subject, int security);

/* subscribe.c */
void sub_renegotiate(struct session *se);
void sub_renegotiate_others(struct session *se);
void sub_on_answer(struct session *se, const struct msg *m);
void sub_forget(struct session *se); /* after media_remove: the next offer starts afresh */

#endif
