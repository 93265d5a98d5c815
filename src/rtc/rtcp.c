/* rtcp.c - RTCP compound iteration, typed parsers and builders (RFC 3550 6, RFC 4585,
 * RFC 5104, draft-alvestrand-rmcat-remb-03). */
#include "rtc/rtcp.h"

#include <string.h>

#include "base/bytes.h"

#define RTCP_FB_LEN    12          /* header + sender SSRC + media SSRC (RFC 4585 6.1) */
#define RTCP_SR_LEN    28          /* header + SSRC + sender info (RFC 3550 6.4.1) */
#define RTCP_RR_LEN    8           /* header + SSRC (RFC 3550 6.4.2) */
#define RTCP_MAX_LEN   (4 * 65536) /* a 16-bit length in words, minus one */
#define REMB_MAX_MANT  0x3ffffu    /* 18-bit mantissa */
#define REMB_MAX_SSRCS 255         /* 8-bit count */

void rtcp_iter_init(struct rtcp_iter *it, const uint8_t *p, size_t len)
{
	it->p = p;
	it->len = len;
	it->off = 0;
}

/* RFC 3550 6.4.1: padding counts itself in its last byte, and fits in the body. */
static int rtcp_pad_ok(const uint8_t *p, size_t plen)
{
	uint8_t pad = p[plen - 1];
	return pad != 0 && pad <= plen - RTCP_HDR_LEN;
}

int rtcp_iter_next(struct rtcp_iter *it, struct rtcp_pkt *out)
{
	if (it->off >= it->len)
		return 0;
	const uint8_t *p = it->p + it->off;
	size_t rest = it->len - it->off;
	/* A malformed packet leaves off where it is, so every later call fails too. */
	if (rest < RTCP_HDR_LEN) /* RFC 3550 A.2: lengths must add up to the whole */
		return ERR_PROTO;
	if ((p[0] >> 6) != 2) /* RFC 3550 6.4.1: version 2 */
		return ERR_PROTO;
	size_t plen = 4 * ((size_t)rd16(p + 2) + 1); /* RFC 3550 6.4.1: words minus one */
	if (plen > rest)
		return ERR_PROTO;
	/* RFC 3550 6.4.1 wants padding only on the last packet; see rtcp.h for why any
	   packet may carry it here, as long as it fits in that packet. */
	if ((p[0] & 0x20) && !rtcp_pad_ok(p, plen))
		return ERR_PROTO;
	out->pt = p[1];
	out->count = p[0] & 0x1f;
	out->p = p;
	out->len = plen;
	it->off += plen;
	return 1;
}

/* Re-checks one packet's header (RFC 3550 6.4.1) and gives the length without padding. */
static int rtcp_body(const struct rtcp_pkt *k, size_t *n)
{
	const uint8_t *p = k->p;

	if (!p || k->len < RTCP_HDR_LEN || (p[0] >> 6) != 2)
		return ERR_PROTO;
	if (4 * ((size_t)rd16(p + 2) + 1) != k->len)
		return ERR_PROTO;
	*n = k->len;
	if (p[0] & 0x20) {
		if (!rtcp_pad_ok(p, k->len))
			return ERR_PROTO;
		*n -= p[k->len - 1];
	}
	return 0;
}

/* A feedback packet of type pt and FMT fmt (RFC 4585 6.1), its body length in *n. */
static int rtcp_fb_body(const struct rtcp_pkt *k, uint8_t pt, uint8_t fmt, size_t *n)
{
	int rc = rtcp_body(k, n);
	if (rc)
		return rc;
	if (k->p[1] != pt || (k->p[0] & 0x1f) != fmt)
		return ERR_INVAL;
	if (*n < RTCP_FB_LEN) /* RFC 4585 6.1: both SSRCs are always there */
		return ERR_PROTO;
	return 0;
}

int rtcp_parse_sr(const struct rtcp_pkt *k, struct rtcp_sr *out)
{
	size_t n;
	int rc = rtcp_body(k, &n);
	if (rc)
		return rc;
	const uint8_t *p = k->p;
	if (p[1] != RTCP_SR)
		return ERR_INVAL;
	out->nblocks = p[0] & 0x1f;
	/* RFC 3550 6.4.1: sender info, then RC blocks; profile extensions may follow. */
	if (n < RTCP_SR_LEN + RTCP_BLOCK_LEN * (size_t)out->nblocks)
		return ERR_PROTO;
	out->ssrc = rd32(p + 4);
	out->ntp = rd64(p + 8);
	out->rtp_ts = rd32(p + 16);
	out->packets = rd32(p + 20);
	out->octets = rd32(p + 24);
	out->blocks = p + RTCP_SR_LEN;
	return 0;
}

int rtcp_parse_rr(const struct rtcp_pkt *k, struct rtcp_rr *out)
{
	size_t n;
	int rc = rtcp_body(k, &n);
	if (rc)
		return rc;
	const uint8_t *p = k->p;
	if (p[1] != RTCP_RR)
		return ERR_INVAL;
	out->nblocks = p[0] & 0x1f;
	/* RFC 3550 6.4.2: SSRC, then RC blocks; profile extensions may follow. */
	if (n < RTCP_RR_LEN + RTCP_BLOCK_LEN * (size_t)out->nblocks)
		return ERR_PROTO;
	out->ssrc = rd32(p + 4);
	out->blocks = p + RTCP_RR_LEN;
	return 0;
}

void rtcp_report_block_read(const uint8_t *blocks, size_t i, struct rtcp_report_block *out)
{
	const uint8_t *b = blocks + RTCP_BLOCK_LEN * i;
	uint32_t lost = rd24(b + 5);

	out->ssrc = rd32(b);
	out->fraction_lost = b[4];
	/* RFC 3550 6.4.1: cumulative lost is a signed 24-bit number. */
	out->cumulative_lost = (int32_t)(lost ^ 0x800000u) - 0x800000;
	out->highest_seq = rd32(b + 8);
	out->jitter = rd32(b + 12);
	out->lsr = rd32(b + 16);
	out->dlsr = rd32(b + 20);
}

int rtcp_parse_fb(const struct rtcp_pkt *k, uint32_t *sender_ssrc, uint32_t *media_ssrc)
{
	size_t n;
	int rc = rtcp_body(k, &n);
	if (rc)
		return rc;
	if (k->p[1] != RTCP_RTPFB && k->p[1] != RTCP_PSFB)
		return ERR_INVAL;
	if (n < RTCP_FB_LEN) /* RFC 4585 6.1 */
		return ERR_PROTO;
	*sender_ssrc = rd32(k->p + 4);
	*media_ssrc = rd32(k->p + 8);
	return 0;
}

int rtcp_nack_expand(const struct rtcp_pkt *k, uint16_t *seqs, size_t cap)
{
	size_t n, cnt = 0;
	int rc = rtcp_fb_body(k, RTCP_RTPFB, RTCP_FB_NACK, &n);
	if (rc)
		return rc;
	size_t fci = n - RTCP_FB_LEN;
	/* RFC 4585 6.2.1: one or more 4-byte PID+BLP entries. */
	if (fci == 0 || fci % 4)
		return ERR_PROTO;
	for (const uint8_t *e = k->p + RTCP_FB_LEN; e < k->p + n && cnt < cap; e += 4) {
		uint16_t pid = rd16(e), blp = rd16(e + 2);
		seqs[cnt++] = pid;
		/* RFC 4585 6.2.1: bit i of BLP reports PID + i + 1 lost too. */
		for (unsigned i = 0; i < 16 && cnt < cap; i++)
			if (blp & (1u << i))
				seqs[cnt++] = (uint16_t)(pid + i + 1);
	}
	return (int)cnt;
}

int rtcp_fir_count(const struct rtcp_pkt *k)
{
	size_t n;
	int rc = rtcp_fb_body(k, RTCP_PSFB, RTCP_FB_FIR, &n);
	if (rc)
		return rc;
	size_t fci = n - RTCP_FB_LEN;
	/* RFC 5104 4.3.1.2: one or more 8-byte entries (SSRC, seq nr, 24 reserved bits). */
	if (fci == 0 || fci % 8)
		return ERR_PROTO;
	return (int)(fci / 8);
}

int rtcp_fir_get(const struct rtcp_pkt *k, size_t i, uint32_t *ssrc, uint8_t *seqnr)
{
	int cnt = rtcp_fir_count(k);
	if (cnt < 0)
		return cnt;
	if (i >= (size_t)cnt)
		return ERR_NOTFOUND;
	const uint8_t *e = k->p + RTCP_FB_LEN + 8 * i;
	*ssrc = rd32(e);
	*seqnr = e[4];
	return 0;
}

int rtcp_parse_remb(const struct rtcp_pkt *k, uint64_t *bitrate, uint32_t *ssrcs, size_t cap,
                    size_t *n)
{
	size_t len;
	int rc = rtcp_fb_body(k, RTCP_PSFB, RTCP_FB_AFB, &len);
	if (rc == ERR_INVAL && k->p[1] == RTCP_PSFB)
		return ERR_NOTFOUND; /* another PSFB: not an AFB, so not REMB */
	if (rc)
		return rc;
	const uint8_t *p = k->p;
	/* draft-alvestrand-rmcat-remb-03 2.2: AFB whose FCI starts with "REMB". */
	if (len < RTCP_FB_LEN + 4 || memcmp(p + RTCP_FB_LEN, "REMB", 4) != 0)
		return ERR_NOTFOUND;
	/* 2.2: Num SSRC (8 bits), BR Exp (6), BR Mantissa (18), then the SSRCs. */
	if (len < RTCP_FB_LEN + 8)
		return ERR_PROTO;
	size_t num = p[16];
	unsigned exp = p[17] >> 2;
	uint64_t mant = ((uint64_t)(p[17] & 3) << 16) | rd16(p + 18);
	if (len < RTCP_FB_LEN + 8 + 4 * num)
		return ERR_PROTO;
	if (exp > 46 && (mant >> (64 - exp)) != 0) /* 2.2: mantissa * 2^exp must fit */
		return ERR_PROTO;
	*bitrate = mant << exp;
	*n = num < cap ? num : cap;
	for (size_t i = 0; i < *n; i++)
		ssrcs[i] = rd32(p + 20 + 4 * i);
	return 0;
}

/* RFC 3550 6.4.1: V=2, no padding, count/FMT, type, length in words minus one. */
static void rtcp_write_hdr(uint8_t *b, uint8_t count, uint8_t pt, size_t len)
{
	b[0] = (uint8_t)(0x80 | count);
	b[1] = pt;
	wr16(b + 2, (uint16_t)(len / 4 - 1));
}

static void rtcp_write_block(uint8_t *b, const struct rtcp_report_block *r)
{
	int32_t lost = r->cumulative_lost;

	/* RFC 3550 A.3: clamp to what 24 signed bits hold. */
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	if (lost < -0x800000)
		lost = -0x800000;
	wr32(b, r->ssrc);
	b[4] = r->fraction_lost;
	wr24(b + 5, (uint32_t)lost & 0xffffffu);
	wr32(b + 8, r->highest_seq);
	wr32(b + 12, r->jitter);
	wr32(b + 16, r->lsr);
	wr32(b + 20, r->dlsr);
}

int rtcp_write_sr(uint8_t *buf, size_t cap, uint32_t ssrc, uint64_t ntp, uint32_t rtp_ts,
                  uint32_t packets, uint32_t octets, const struct rtcp_report_block *blocks,
                  size_t n)
{
	if (n > RTCP_MAX_RC) /* RFC 3550 6.4.1: RC is 5 bits */
		return ERR_LIMIT;
	size_t len = RTCP_SR_LEN + RTCP_BLOCK_LEN * n;
	if (cap < len)
		return ERR_LIMIT;
	rtcp_write_hdr(buf, (uint8_t)n, RTCP_SR, len);
	wr32(buf + 4, ssrc);
	wr64(buf + 8, ntp);
	wr32(buf + 16, rtp_ts);
	wr32(buf + 20, packets);
	wr32(buf + 24, octets);
	for (size_t i = 0; i < n; i++)
		rtcp_write_block(buf + RTCP_SR_LEN + RTCP_BLOCK_LEN * i, &blocks[i]);
	return (int)len;
}

int rtcp_write_rr(uint8_t *buf, size_t cap, uint32_t ssrc, const struct rtcp_report_block *blocks,
                  size_t n)
{
	if (n > RTCP_MAX_RC) /* RFC 3550 6.4.2: RC is 5 bits */
		return ERR_LIMIT;
	size_t len = RTCP_RR_LEN + RTCP_BLOCK_LEN * n;
	if (cap < len)
		return ERR_LIMIT;
	rtcp_write_hdr(buf, (uint8_t)n, RTCP_RR, len);
	wr32(buf + 4, ssrc);
	for (size_t i = 0; i < n; i++)
		rtcp_write_block(buf + RTCP_RR_LEN + RTCP_BLOCK_LEN * i, &blocks[i]);
	return (int)len;
}

/* RFC 4585 6.1: the common feedback header. */
static void rtcp_write_fb(uint8_t *buf, uint8_t fmt, uint8_t pt, size_t len, uint32_t sender,
                          uint32_t media)
{
	rtcp_write_hdr(buf, fmt, pt, len);
	wr32(buf + 4, sender);
	wr32(buf + 8, media);
}

int rtcp_write_pli(uint8_t *buf, size_t cap, uint32_t sender, uint32_t media)
{
	if (cap < RTCP_FB_LEN) /* RFC 4585 6.3.1: PLI has no FCI */
		return ERR_LIMIT;
	rtcp_write_fb(buf, RTCP_FB_PLI, RTCP_PSFB, RTCP_FB_LEN, sender, media);
	return RTCP_FB_LEN;
}

int rtcp_write_fir(uint8_t *buf, size_t cap, uint32_t sender, uint32_t media, uint8_t seqnr)
{
	size_t len = RTCP_FB_LEN + 8;
	if (cap < len)
		return ERR_LIMIT;
	/* RFC 5104 4.3.1.2: media SSRC 0; the FCI names the source, then seq nr, reserved 0. */
	rtcp_write_fb(buf, RTCP_FB_FIR, RTCP_PSFB, len, sender, 0);
	wr32(buf + 12, media);
	buf[16] = seqnr;
	buf[17] = buf[18] = buf[19] = 0;
	return (int)len;
}

int rtcp_write_nack(uint8_t *buf, size_t cap, uint32_t sender, uint32_t media, const uint16_t *seqs,
                    size_t n)
{
	size_t len = RTCP_FB_LEN;
	uint8_t *e = NULL;

	if (n == 0) /* RFC 4585 6.2.1: at least one NACK */
		return ERR_INVAL;
	for (size_t i = 0; i < n; i++) {
		if (e) {
			uint16_t d = (uint16_t)(seqs[i] - rd16(e));
			if (d == 0)
				continue;
			if (d <= 16) { /* RFC 4585 6.2.1: BLP bit d-1 is PID + d */
				wr16(e + 2, (uint16_t)(rd16(e + 2) | (1u << (d - 1))));
				continue;
			}
		}
		if (cap < len + 4 || len + 4 > RTCP_MAX_LEN)
			return ERR_LIMIT;
		e = buf + len;
		wr16(e, seqs[i]);
		wr16(e + 2, 0);
		len += 4;
	}
	rtcp_write_fb(buf, RTCP_FB_NACK, RTCP_RTPFB, len, sender, media);
	return (int)len;
}

int rtcp_write_remb(uint8_t *buf, size_t cap, uint32_t sender, uint64_t bitrate,
                    const uint32_t *ssrcs, size_t n)
{
	unsigned exp = 0;

	if (n > REMB_MAX_SSRCS) /* draft-alvestrand-rmcat-remb-03 2.2: 8-bit Num SSRC */
		return ERR_LIMIT;
	size_t len = RTCP_FB_LEN + 8 + 4 * n;
	if (cap < len)
		return ERR_LIMIT;
	/* 2.2: bitrate = mantissa * 2^exp; the smallest exp keeps the most precision. */
	while ((bitrate >> exp) > REMB_MAX_MANT)
		exp++;
	uint32_t mant = (uint32_t)(bitrate >> exp);
	/* 2.2: the media SSRC is 0; the SSRCs the estimate applies to follow. */
	rtcp_write_fb(buf, RTCP_FB_AFB, RTCP_PSFB, len, sender, 0);
	memcpy(buf + 12, "REMB", 4);
	buf[16] = (uint8_t)n;
	buf[17] = (uint8_t)((exp << 2) | (mant >> 16));
	wr16(buf + 18, (uint16_t)mant);
	for (size_t i = 0; i < n; i++)
		wr32(buf + 20 + 4 * i, ssrcs[i]);
	return (int)len;
}
