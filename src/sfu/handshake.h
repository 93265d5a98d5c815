/* handshake.h - each media worker's DTLS on a thread of its own.
 *
 * A DTLS handshake costs about 0.6 ms of CPU per transport (key exchange, signature,
 * the peer's certificate), in two steps of 0.2 and 0.4 ms. On the media thread every
 * join would hold up the packets of everyone else on that worker for that long. So the
 * worker keeps its socket, its transports and their SRTP, and hands each received DTLS
 * record to its handshake thread, which owns every OpenSSL connection; what the thread
 * produces (records to send, the keys, a failure) comes back to the worker through a
 * callback that queues it there.
 *
 * Threads: hs_new, hs_feed, hs_owner, hs_drop and hs_out_free belong to the worker's
 * thread; the deliver callback runs on the handshake thread. */
#ifndef KAMER_SFU_HANDSHAKE_H
#define KAMER_SFU_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "rtc/dtls.h"

#define HS_OUT_MAX 8 /* datagrams in one step's reply: a server flight is two or three */

struct hs_thread;
struct hs;

/* What one step of a handshake produced, for the worker. */
struct hs_out {
	struct hs *h;
	size_t n; /* datagrams to send, in order */
	size_t len[HS_OUT_MAX];
	uint8_t data[HS_OUT_MAX][LIM_PACKET];
	int changed; /* the state below is new: act on it */
	enum dtls_state state;
	struct dtls_keys keys; /* when state became DTLS_CONNECTED */
	const char *why;       /* when it became DTLS_FAILED: a static string */
	struct hs_out *next;   /* for the worker's queue */
};

/* Called on the handshake thread; the receiver owns out and frees it with hs_out_free. */
typedef void (*hs_deliver_fn)(void *arg, struct hs_out *out);

struct hs_thread *hs_thread_start(unsigned index, struct dtls_ctx *ctx, hs_deliver_fn deliver,
                                  void *arg);
/* Stops and joins the thread, and lets go of every connection it held; handles the
   worker still holds stay valid until hs_drop. */
void hs_thread_stop(struct hs_thread *t);
double hs_thread_cpu_seconds(const struct hs_thread *t);

/* A server-side connection for a transport (owner) whose peer certificate must have this
   SHA-256 digest. NULL without memory or when the thread's queue is full. */
struct hs *hs_new(struct hs_thread *t, const uint8_t peer_fp[32], void *owner);
/* Queues a copy of one received record. ERR_LIMIT when the queue is full (the peer
   retransmits), ERR_NOMEM. */
int hs_feed(struct hs *h, const uint8_t *p, size_t len);
/* The owner given to hs_new, or NULL once hs_drop was called. */
void *hs_owner(const struct hs *h);
/* The owner is gone: nothing more is fed, and results still on their way find no owner. */
void hs_drop(struct hs *h);
/* Wipes the keys in out and frees it. */
void hs_out_free(struct hs_out *out);

#endif
