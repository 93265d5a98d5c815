/* session.h - one WebSocket signalling session and the meetings' live rooms.
 *
 * The transport (api/http.c) owns the socket; it hands complete messages to
 * session_on_message() and receives outgoing JSON through the send callback.
 * Everything here runs on the control thread. */
#ifndef KAMER_SIGNAL_SESSION_H
#define KAMER_SIGNAL_SESSION_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct media;

/* Queues text for the client. close_after: close the socket once it is sent. */
typedef void (*session_send_fn)(void *ctx, const char *json, size_t len, int close_after);

struct signal;
struct signal *signal_new(struct db *db, struct media *media);
/* How new rooms find their media worker. Packed (the default): the first worker that holds
   fewer than PACK_PEOPLE people and is busy less than half the time, so that a lightly
   loaded server wakes one core, not all; when none is, the one with the fewest people.
   Spread: always the one with the fewest people. */
void signal_set_spread(struct signal *s, int spread);
/* How a room's members find their media worker. While a room has fewer than spread_at
   members, newcomers join the room's worker; from then on the worker that carries the
   fewest of its members (signal/place.h). Default PLACE_SPREAD_AT; 0: never spread. */
void signal_set_room_spread(struct signal *s, size_t spread_at);
void signal_free(struct signal *s);
/* The highest classification level (enum level) the server carries; default Dep.V. */
void signal_set_ceiling(struct signal *s, int level);
/* Failed joins count against the anti-automation limits (auth/guard.h). */
struct guard;
void signal_set_guard(struct signal *s, struct guard *g);
/* Participants present in all rooms, and rooms open. */
size_t signal_participants(const struct signal *s);
size_t signal_rooms(const struct signal *s);

/* What the transport knows of the client when the socket opens. */
struct session_peer {
	char cookie[1024]; /* the upgrade request's Cookie header ("" if none) */
	char source[64];   /* the peer's address */
};

struct session;
struct session *session_open(struct signal *s, session_send_fn send, void *ctx,
                             const struct session_peer *peer);
void session_on_message(struct session *se, const char *data, size_t len);
/* The socket is gone. A participant on the roster keeps the seat for a while (it may
   come back with its resume secret); anyone else leaves. The transport must not use
   se afterwards. */
void session_close(struct session *se);

/* The store changed a meeting: new_id after a rotation (else NULL); ended when it was
   cancelled. Its live room, if any, follows. */
void signal_meeting_changed(struct signal *s, const char *id, const char *new_id, int ended);

/* Called a few times a second on the control thread: ends seats whose participant did
   not come back in time, and runs what signal_run_due would if its timer was late. */
void signal_tick(struct signal *s);

/* Some work waits a moment: a subscriber that was just sent an offer gets the next one no
   sooner than OFFER_GAP_MS later (signal/subscribe.c), with every change of that time in
   it. The transport gives a timer: wake(ctx, ms) asks it to call signal_run_due() on the
   control thread in ms milliseconds (a later request for sooner replaces it); NULL stops
   asking (before the transport goes away). Without one, signal_tick runs what waits. */
void signal_set_waker(struct signal *s, void (*wake)(void *ctx, unsigned ms), void *ctx);
void signal_run_due(struct signal *s);

#endif
