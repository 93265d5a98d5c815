/* seqmap.h - a forwarded stream's sequence numbers, continuous across pauses.
 *
 * kamerd forwards a publisher's packets with the publisher's sequence numbers, minus an
 * offset: at first the one that brings the first number below 2^15 (0 or 2^15), then one
 * that changes only when forwarding resumes after a pause (a host's mute), so that the
 * subscriber sees the next number after the last it got. Its SRTP context therefore
 * never guesses a rollover wrong (RFC 3711 3.3.1 needs gaps under 2^15) nor meets an index
 * it used before, and its jitter buffer sees no jump. A pause starts an epoch; packets
 * from before it are not sent, and NACKs for them are not answered, since the mapping
 * they were sent under is gone. */
#ifndef KAMER_SFU_SEQMAP_H
#define KAMER_SFU_SEQMAP_H

#include <stdint.h>

struct seqmap {
	int started, resync;
	uint16_t off;        /* publisher's seq - ours */
	uint16_t epoch_in;   /* the publisher's first seq of this epoch */
	uint16_t last_out;   /* the newest seq sent */
	uint32_t epoch_sent; /* packets sent in this epoch, counted up to a bound */
};

/* Forwarding stopped for a while; the next packet starts an epoch. */
void seqmap_pause(struct seqmap *m);
/* Our seq for the publisher's seq in, or -1 for a packet not to send (from before the
   current epoch). */
int32_t seqmap_out(struct seqmap *m, uint16_t in);
/* The publisher's seq for a seq we sent in this epoch (a NACK), or -1. */
int32_t seqmap_in(const struct seqmap *m, uint16_t out);

#endif
