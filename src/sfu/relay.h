/* relay.h - messages between media workers, for a room spread over several of them.
 *
 * A big room's participants may sit on different workers (signal/place.h). A publisher's
 * worker hands each of its packets, decrypted, to every worker that carries subscribers
 * of it; that worker keeps a mirror of the track and protects and sends the copies for
 * its own subscribers. Feedback goes the other way: which tracks a worker wants, key-frame
 * requests, NACKs it could not answer from its own buffer.
 *
 * Between each ordered pair of workers there is one single-producer, single-consumer ring
 * of fixed slots, allocated on first use by its producer. A message that finds its ring full
 * is dropped and counted (the consumer is that far behind). A producer wakes the consumer
 * (its eventfd) when it puts a message into a ring the consumer had emptied. */
#ifndef KAMER_SFU_RELAY_H
#define KAMER_SFU_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"

#define RELAY_SLOTS 1024 /* a power of two: about 0.4 s of a room of 30's relayed media */

enum relay_type {
	RELAY_RTP,      /* publisher -> mirror: a decrypted RTP packet in data */
	RELAY_SR,       /* publisher -> mirror: a sender report's NTP (8 bytes) and RTP time (4) */
	RELAY_WANT,     /* mirror -> publisher: send me this track (data: my subscribers, u16) */
	RELAY_UNWANT,   /* mirror -> publisher: I no longer have subscribers of it */
	RELAY_KEYFRAME, /* mirror -> publisher: ask for a key frame (flag: a newcomer needs one) */
	RELAY_NACK,     /* mirror -> publisher: these sequence numbers (16-bit each) are missing */
};

struct relay_msg {
	uint8_t type;              /* enum relay_type */
	uint8_t flag;              /* RTP: the stream resumed after a pause; KEYFRAME: must */
	uint16_t len;              /* bytes used in data */
	uint16_t seq, payload_len; /* RTP: as the publisher's worker parsed them */
	uint32_t ssrc;
	uint64_t publisher; /* the publisher's media handle */
	uint8_t data[LIM_PACKET];
};

struct relay;

/* For n workers; NULL when out of memory. */
struct relay *relay_new(size_t n);
/* After every worker has stopped. */
void relay_free(struct relay *r);
/* The eventfd that wakes worker i (-1: none yet). */
void relay_set_waker(struct relay *r, unsigned worker, int evfd);

/* The producer's side, on worker from's thread only: a slot to fill for worker to, or NULL
   when the ring is full (or cannot be allocated); relay_put publishes it and wakes the
   consumer if it had emptied the ring. */
struct relay_msg *relay_slot(struct relay *r, unsigned from, unsigned to);
void relay_put(struct relay *r, unsigned from, unsigned to);

/* The consumer's side, on worker to's thread only: the oldest message from worker from, or
   NULL; relay_pop frees its slot. */
const struct relay_msg *relay_peek(struct relay *r, unsigned from, unsigned to);
void relay_pop(struct relay *r, unsigned from, unsigned to);

size_t relay_workers(const struct relay *r);

#endif
