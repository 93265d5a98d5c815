/* rtxbuf.h - per-stream retransmission buffer: the last packets sent, so NACKs
 * (RFC 4585 6.2.1) are answered by the server (RFC 4588 retransmission). */
#ifndef KAMER_SFU_RTXBUF_H
#define KAMER_SFU_RTXBUF_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define RTXBUF_MAX_SLOTS 32768 /* half the seq space: more could not be told apart */
#define RTXBUF_MAX_BYTES (64u << 20)

/* Opaque. All memory is allocated by rtxbuf_new(); put and get allocate nothing. */
struct rtxbuf;

/* At most slots (1..RTXBUF_MAX_SLOTS, e.g. LIM_RTX_PACKETS) packets of up to LIM_PACKET
   bytes each, and at most bytes (LIM_PACKET..RTXBUF_MAX_BYTES, e.g. LIM_RTX_BYTES) of them
   in all: the newest packets are kept. NULL on no memory or a bad size. The caller owns it
   and frees it with rtxbuf_free(), which accepts NULL. */
struct rtxbuf *rtxbuf_new(size_t slots, size_t bytes);
void rtxbuf_free(struct rtxbuf *b);

/* Copy in a plaintext RTP packet with sequence number seq; len 0 or over LIM_PACKET is
   ignored. Out-of-order puts are fine. A seq `slots` or more behind the newest is too old
   to keep and is ignored, unless the next put is the seq after it: as in RFC 3550 A.1,
   two such in sequence mean the stream jumped back, and it starts over from them. */
void rtxbuf_put(struct rtxbuf *b, uint16_t seq, const uint8_t *pkt, size_t len);

/* 0 and the packet (pointing into the buffer, valid until the next put), or ERR_NOTFOUND
   if seq is not held: never put, overwritten by a later seq in its slot or by the bytes
   of later packets, or no longer among the last `slots` seqs before the newest (so a
   slot left from 65536 seqs ago is never mistaken for it). */
int rtxbuf_get(const struct rtxbuf *b, uint16_t seq, const uint8_t **pkt, size_t *len) WARN_UNUSED;

#endif
