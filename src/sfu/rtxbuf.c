/* rtxbuf.c - the last packets of a stream, indexed by extended sequence number: an index
 * ring of slots, and the packets themselves end to end in a byte ring, so that a stream's
 * history costs the bytes it sent, not LIM_PACKET per packet. */
#include "sfu/rtxbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "base/limits.h"

#define SEQ_MOD 65536u
#define LINE    64u /* each packet starts on a cache line of its own */

static size_t span(size_t len)
{
	return (len + LINE - 1) & ~(size_t)(LINE - 1);
}

struct rtxbuf_slot {
	uint64_t ext; /* extended seq of the packet held */
	uint64_t at;  /* where its bytes start, counted over everything ever written */
	uint16_t len; /* 0 = empty */
};

struct rtxbuf {
	size_t slots;
	int have;            /* a packet has been put */
	uint16_t newest_seq; /* highest seq put, and its extended value */
	uint64_t newest_ext;
	uint32_t bad_seq; /* a too-old seq expects this one next to restart */
	size_t bytes;     /* of data */
	uint64_t head;    /* bytes ever written (and skipped at the ring's end) */
	uint8_t *data;    /* aligned to LINE */
	struct rtxbuf_slot slot[];
};

struct rtxbuf *rtxbuf_new(size_t slots, size_t bytes)
{
	if (slots == 0 || slots > RTXBUF_MAX_SLOTS || bytes < LIM_PACKET ||
	    bytes > RTXBUF_MAX_BYTES)
		return NULL;
	size_t meta = sizeof(struct rtxbuf) + slots * sizeof(struct rtxbuf_slot);
	bytes = span(bytes);
	struct rtxbuf *b = calloc(1, meta + LINE + bytes);
	if (!b)
		return NULL;
	b->slots = slots;
	b->bytes = bytes;
	b->data = (uint8_t *)(((uintptr_t)b + meta + LINE - 1) & ~(uintptr_t)(LINE - 1));
	b->bad_seq = SEQ_MOD + 1; /* matches no seq */
	return b;
}

void rtxbuf_free(struct rtxbuf *b)
{
	free(b);
}

/* How far seq is behind the newest (0 = it is the newest), or -1 if it is newer. */
static long rtxbuf_behind(const struct rtxbuf *b, uint16_t seq)
{
	uint16_t d = (uint16_t)(seq - b->newest_seq);
	if (d != 0 && d < 0x8000) /* RFC 1982 serial arithmetic, as seq_newer() */
		return -1;
	return (long)((SEQ_MOD - d) % SEQ_MOD);
}

/* The copy a NACK may never ask for goes around the caches (non-temporal stores): a
   stream's history would otherwise push the sessions' state out of them at every packet.
   dst is aligned to LINE and has room up to span(len). */
static void copy_around_cache(uint8_t *dst, const uint8_t *src, size_t len)
{
#if defined(__SSE2__)
	size_t i = 0;
	for (; i + 16 <= len; i += 16)
		_mm_stream_si128((__m128i *)(void *)(dst + i),
		                 _mm_loadu_si128((const __m128i *)(const void *)(src + i)));
	if (i < len) {
		uint8_t tail[16] = {0};
		memcpy(tail, src + i, len - i);
		_mm_stream_si128((__m128i *)(void *)(dst + i),
		                 _mm_loadu_si128((const __m128i *)tail));
	}
#else
	memcpy(dst, src, len);
#endif
}

void rtxbuf_put(struct rtxbuf *b, uint16_t seq, const uint8_t *pkt, size_t len)
{
	uint64_t ext;

	if (len == 0 || len > LIM_PACKET)
		return;
	if (!b->have) {
		/* Start high so seqs before the first one have room below. */
		b->have = 1;
		b->newest_seq = seq;
		b->newest_ext = (uint64_t)1 << 32;
	}
	long behind = rtxbuf_behind(b, seq);
	if (behind < 0) {
		b->newest_ext += (uint16_t)(seq - b->newest_seq);
		b->newest_seq = seq;
		ext = b->newest_ext;
	} else if ((size_t)behind < b->slots) {
		ext = b->newest_ext - (uint64_t)behind;
	} else if (seq == b->bad_seq) {
		/* The stream jumped back: re-anchor past every slot so none can match again. */
		b->newest_ext += SEQ_MOD;
		b->newest_seq = seq;
		b->bad_seq = SEQ_MOD + 1;
		ext = b->newest_ext;
	} else {
		b->bad_seq = (uint16_t)(seq + 1);
		return;
	}
	/* A packet stays in one piece: one that would not fit before the ring's end starts
	   at its beginning. */
	size_t off = (size_t)(b->head % b->bytes);
	if (off + span(len) > b->bytes) {
		b->head += b->bytes - off;
		off = 0;
	}
	/* Within the window every slot index is distinct, so this evicts only older seqs. */
	struct rtxbuf_slot *s = &b->slot[ext % b->slots];
	s->ext = ext;
	s->at = b->head;
	s->len = (uint16_t)len;
	copy_around_cache(b->data + off, pkt, len);
	b->head += span(len);
}

int rtxbuf_get(const struct rtxbuf *b, uint16_t seq, const uint8_t **pkt, size_t *len)
{
	if (!b->have)
		return ERR_NOTFOUND;
	long behind = rtxbuf_behind(b, seq);
	if (behind < 0 || (size_t)behind >= b->slots)
		return ERR_NOTFOUND;
	uint64_t ext = b->newest_ext - (uint64_t)behind;
	const struct rtxbuf_slot *s = &b->slot[ext % b->slots];
	if (!s->len || s->ext != ext) /* empty, or holding another seq */
		return ERR_NOTFOUND;
	if (b->head - s->at > b->bytes) /* later packets wrote over its bytes */
		return ERR_NOTFOUND;
	*pkt = b->data + s->at % b->bytes;
	*len = s->len;
	return 0;
}
