/* rtcp.h - RTCP (RFC 3550 6): compound iteration, reports, feedback (RFC 4585, RFC 5104)
 * and REMB (draft-alvestrand-rmcat-remb), parsers and builders. */
#ifndef KAMER_RTC_RTCP_H
#define KAMER_RTC_RTCP_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Packet types (RFC 3550 12.1, RFC 4585 6.1, RFC 3611). */
enum {
	RTCP_SR = 200,
	RTCP_RR = 201,
	RTCP_SDES = 202,
	RTCP_BYE = 203,
	RTCP_APP = 204,
	RTCP_RTPFB = 205,
	RTCP_PSFB = 206,
	RTCP_XR = 207
};
/* Feedback message types in the FMT field: NACK and TWCC under RTPFB; PLI, FIR and AFB
   (which carries REMB) under PSFB (RFC 4585 6.2, 6.3; RFC 5104 4.3). */
enum { RTCP_FB_NACK = 1, RTCP_FB_TWCC = 15, RTCP_FB_PLI = 1, RTCP_FB_FIR = 4, RTCP_FB_AFB = 15 };

#define RTCP_HDR_LEN   4
#define RTCP_BLOCK_LEN 24 /* one report block (RFC 3550 6.4.1) */
#define RTCP_MAX_RC    31 /* 5-bit count */

/* One packet of a compound, pointing into the caller's buffer. */
struct rtcp_pkt {
	uint8_t pt, count; /* count is RC (reports) or FMT (feedback) */
	const uint8_t *p;
	size_t len; /* whole packet incl. header and any padding */
};

struct rtcp_iter {
	const uint8_t *p;
	size_t len, off;
};

/* Iterate a plaintext (already unprotected) compound packet. */
void rtcp_iter_init(struct rtcp_iter *it, const uint8_t *p, size_t len);
/* 1 = got one in *out, 0 = end, ERR_PROTO = malformed (stop; packets already returned
   were valid). Each packet: version 2, a length field that fits, and if P is set a padding
   count of 1..body bytes. Two RFC 3550 A.2 checks are left out on purpose: the first packet
   need not be SR or RR (reduced-size RTCP, RFC 5506, sends feedback alone), and padding is
   accepted on any packet, not only the last (6.4.1 asks senders for that, but libwebrtc pads
   each transport-cc packet and may send several in one compound). */
int rtcp_iter_next(struct rtcp_iter *it, struct rtcp_pkt *out) WARN_UNUSED;

/* The typed parsers below re-check the header themselves, so any rtcp_pkt with p/len
   valid for reading is safe. They return ERR_INVAL when handed the wrong packet type
   (a dispatch mistake), ERR_PROTO when the packet is malformed. */

struct rtcp_report_block {
	uint32_t ssrc;
	uint8_t fraction_lost;   /* fixed point, lost/expected * 256 */
	int32_t cumulative_lost; /* 24-bit signed on the wire; builders clamp (RFC 3550 A.3) */
	uint32_t highest_seq;    /* extended: cycles << 16 | seq */
	uint32_t jitter, lsr, dlsr;
};
struct rtcp_sr {
	uint32_t ssrc;
	uint64_t ntp;
	uint32_t rtp_ts, packets, octets;
	uint8_t nblocks;
	const uint8_t *blocks; /* nblocks * 24 bytes, read with rtcp_report_block_read() */
};
struct rtcp_rr {
	uint32_t ssrc;
	uint8_t nblocks;
	const uint8_t *blocks;
};
int rtcp_parse_sr(const struct rtcp_pkt *k, struct rtcp_sr *out) WARN_UNUSED;
int rtcp_parse_rr(const struct rtcp_pkt *k, struct rtcp_rr *out) WARN_UNUSED;
/* Block i of a parsed SR or RR; i < nblocks is the caller's to ensure. */
void rtcp_report_block_read(const uint8_t *blocks, size_t i, struct rtcp_report_block *out);

/* RTPFB/PSFB common header (RFC 4585 6.1): sender and media source SSRCs. */
int rtcp_parse_fb(const struct rtcp_pkt *k, uint32_t *sender_ssrc,
                  uint32_t *media_ssrc) WARN_UNUSED;
/* Generic NACK (RFC 4585 6.2.1): expand each PID+BLP into seqs in FCI order (duplicates
   from overlapping entries are kept). Returns the count, at most cap (the rest is dropped),
   or ERR_PROTO. */
int rtcp_nack_expand(const struct rtcp_pkt *k, uint16_t *seqs, size_t cap) WARN_UNUSED;
/* FIR (RFC 5104 4.3.1): number of FCI entries (>= 1) or an error; entry i (ERR_NOTFOUND
   past the end). */
int rtcp_fir_count(const struct rtcp_pkt *k) WARN_UNUSED;
int rtcp_fir_get(const struct rtcp_pkt *k, size_t i, uint32_t *ssrc, uint8_t *seqnr) WARN_UNUSED;
/* REMB: 0, the bitrate in bps, and up to cap of its SSRCs (*n = how many were written),
   or ERR_NOTFOUND if this PSFB/AFB is not REMB, or ERR_PROTO (truncated, or a bitrate
   that does not fit 64 bits). */
int rtcp_parse_remb(const struct rtcp_pkt *k, uint64_t *bitrate, uint32_t *ssrcs, size_t cap,
                    size_t *n) WARN_UNUSED;

/* Builders: return bytes written, or ERR_LIMIT if cap is too small or n exceeds what the
   packet can carry (31 report blocks, 255 REMB SSRCs); ERR_INVAL for n == 0 where at
   least one is required (NACK). Nothing is padded; lengths are multiples of 4. */
int rtcp_write_sr(uint8_t *buf, size_t cap, uint32_t ssrc, uint64_t ntp, uint32_t rtp_ts,
                  uint32_t packets, uint32_t octets, const struct rtcp_report_block *blocks,
                  size_t n) WARN_UNUSED;
int rtcp_write_rr(uint8_t *buf, size_t cap, uint32_t ssrc, const struct rtcp_report_block *blocks,
                  size_t n) WARN_UNUSED;
int rtcp_write_pli(uint8_t *buf, size_t cap, uint32_t sender, uint32_t media) WARN_UNUSED;
/* The FCI names `media`; the header's media SSRC is 0 (RFC 5104 4.3.1.2). */
int rtcp_write_fir(uint8_t *buf, size_t cap, uint32_t sender, uint32_t media,
                   uint8_t seqnr) WARN_UNUSED;
/* Packs seqs, in the order given, into PID/BLP pairs: a seq 1..16 after the current
   entry's PID joins its bitmask, any other starts a new entry. Sorted input (also across
   the 65535->0 wrap) packs tightest. */
int rtcp_write_nack(uint8_t *buf, size_t cap, uint32_t sender, uint32_t media, const uint16_t *seqs,
                    size_t n) WARN_UNUSED;
/* The mantissa is rounded down (never announces more than bitrate). */
int rtcp_write_remb(uint8_t *buf, size_t cap, uint32_t sender, uint64_t bitrate,
                    const uint32_t *ssrcs, size_t n) WARN_UNUSED;

#endif
