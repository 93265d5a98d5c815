/* rtp.h - RTP packets (RFC 3550): header, RFC 8285 extensions, audio level, VP8 key frames. */
#ifndef KAMER_RTC_RTP_H
#define KAMER_RTC_RTP_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "base/err.h"

#define RTP_HDR_LEN     12     /* fixed header (RFC 3550 5.1) */
#define RTP_EXT_ONEBYTE 0xBEDE /* RFC 8285 4.2 */
#define RTP_EXT_TWOBYTE 0x1000 /* RFC 8285 4.3: 0x100 and 4 appbits */

/* A parsed header. Offsets are into the buffer it was parsed from, which must outlive it. */
struct rtp_hdr {
	uint8_t marker, pt, csrc_count, has_ext;
	uint16_t seq;
	uint32_t ts, ssrc;
	size_t header_len;       /* 12 + 4*CC + extension block, i.e. offset of the payload */
	uint16_t ext_profile;    /* 0xBEDE or 0x100x, if has_ext (anything else is opaque) */
	size_t ext_off, ext_len; /* extension data after its 4-byte header (0, 0 without one) */
	size_t payload_off, payload_len; /* payload without padding */
	uint8_t pad_len;                 /* padding bytes at the end, count byte included */
};

/* Pure, zero-copy parse of a plaintext RTP packet. 0, or ERR_PROTO (then *h is unspecified)
   unless: version 2, the CSRC list and extension block fit, and when P is set the last
   byte counts 1..(len - header_len) padding bytes. A padding-only packet (payload_len 0)
   is valid: it is how senders probe bandwidth. */
int rtp_parse(struct rtp_hdr *h, const uint8_t *p, size_t len) WARN_UNUSED;

/* As rtp_parse, for a packet still under SRTP: its padding count is encrypted and its
   tail is the authentication tag (RFC 3711 3.1), so padding is not examined: pad_len is 0
   and the "payload" runs to the end of the packet. For reading the clear header only. */
int rtp_parse_hdr(struct rtp_hdr *h, const uint8_t *p, size_t len) WARN_UNUSED;

/* RFC 5761 4: with rtcp-mux, version 2 and a second byte of 192..223 (RTCP packet types
   64..95 with the marker bit position set) mean RTCP. 1 if RTCP, 0 if not (RTP or junk). */
int rtp_is_rtcp(const uint8_t *p, size_t len);

/* Find extension element `id` (1..14 in the one-byte form, 1..255 in the two-byte form).
   0 with *val pointing into p and *vlen its length (0 is possible in the two-byte form),
   ERR_NOTFOUND if absent (also without an extension block, for other profiles, and for
   id 0), or ERR_PROTO if the block is malformed before the element is found. As RFC 8285
   4.2 asks for ID 15, elements before a malformed one are still found. */
int rtp_ext_find(const struct rtp_hdr *h, const uint8_t *p, uint8_t id, const uint8_t **val,
                 size_t *vlen) WARN_UNUSED;

/* ssrc-audio-level (RFC 6464 3) from element `id`: *level in -dBov 0..127 (127 = silence)
   and *voice the V flag. 0, ERR_NOTFOUND, or ERR_PROTO if the element is not one byte. */
int rtp_audio_level(const struct rtp_hdr *h, const uint8_t *p, uint8_t id, uint8_t *level,
                    int *voice) WARN_UNUSED;

/* 1 if this VP8 RTP payload starts a key frame, else 0 (also when truncated): the RFC 7741
   4.2 descriptor has S=1 and PID=0, and the first byte after it, the VP8 frame tag
   (RFC 7741 4.3, RFC 6386 9.1), has P (inverse key frame flag) == 0. */
int vp8_is_keyframe(const uint8_t *payload, size_t len);

/* In-place rewrites of a packet that rtp_parse accepted (so at least 12 bytes). */
static inline void rtp_set_pt(uint8_t *p, uint8_t pt) /* keeps the marker bit */
{
	p[1] = (uint8_t)((p[1] & 0x80) | (pt & 0x7f));
}
static inline void rtp_set_seq(uint8_t *p, uint16_t seq)
{
	wr16(p + 2, seq);
}
static inline void rtp_set_ts(uint8_t *p, uint32_t ts)
{
	wr32(p + 4, ts);
}
static inline void rtp_set_ssrc(uint8_t *p, uint32_t ssrc)
{
	wr32(p + 8, ssrc);
}

/* Serial-number arithmetic for 16-bit sequence numbers (RFC 1982 3.2, as RFC 3550 A.1
   uses it): 1 if a is newer than b, i.e. a - b mod 2^16 is in 1..32767. Half a cycle
   apart is undefined by RFC 1982 and is "not newer" either way. */
static inline int seq_newer(uint16_t a, uint16_t b)
{
	uint16_t d = (uint16_t)(a - b);
	return d != 0 && d < 0x8000;
}

#endif
