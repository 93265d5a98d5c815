/* Tests for src/rtc/rtcp.c: compound iteration, builder -> parser round trips for SR, RR,
 * PLI, FIR, NACK and REMB, hand-built packets with known bytes, Chromium's SRTCP headers
 * from the fixtures, and malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>

#include <cmocka.h>

#include "base/bytes.h"
#include "base/limits.h"
#include "rtc/rtcp.h"

/* Iterate an exact-size heap copy, so ASan sees any read past the end. Returns the last
   rtcp_iter_next() result and the packets seen. */
static int iterate(const uint8_t *p, size_t len, struct rtcp_pkt *out, size_t cap, size_t *n)
{
	uint8_t *c = malloc(len ? len : 1);
	struct rtcp_iter it;
	struct rtcp_pkt k;
	int rc;

	assert_non_null(c);
	memcpy(c, p, len);
	*n = 0;
	rtcp_iter_init(&it, c, len);
	while ((rc = rtcp_iter_next(&it, &k)) == 1) {
		assert_true(k.p >= c && k.p + k.len <= c + len);
		if (*n < cap) {
			out[*n] = k;
			out[*n].p = p + (k.p - c); /* point into the caller's buffer */
		}
		(*n)++;
	}
	/* Stops for good: another call gives the same answer. */
	assert_int_equal(rtcp_iter_next(&it, &k), rc);
	free(c);
	return rc;
}

static struct rtcp_pkt pkt_of(const uint8_t *p, size_t len)
{
	struct rtcp_pkt k = {.pt = p[1], .count = p[0] & 0x1f, .p = p, .len = len};
	return k;
}

/* A compound of SR (1 block), SDES, PLI and RR (0 blocks), built by hand. */
/* clang-format off */
static const uint8_t compound[] = {
	/* SR, RC=1, length 12 words */
	0x81, 0xc8, 0x00, 0x0c,
	0x11, 0x22, 0x33, 0x44,  /* sender SSRC */
	0xe1, 0x23, 0x45, 0x67,  /* NTP seconds */
	0x89, 0xab, 0xcd, 0xef,  /* NTP fraction */
	0x00, 0x01, 0x5f, 0x90,  /* RTP timestamp 90000 */
	0x00, 0x00, 0x03, 0xe8,  /* packets 1000 */
	0x00, 0x0f, 0x42, 0x40,  /* octets 1000000 */
	0x55, 0x66, 0x77, 0x88,  /* block: SSRC */
	0x40, 0xff, 0xff, 0xfe,  /* fraction 64, cumulative -2 */
	0x00, 0x02, 0x12, 0x34,  /* highest seq: 2 cycles, 0x1234 */
	0x00, 0x00, 0x00, 0x2a,  /* jitter 42 */
	0x23, 0x45, 0x67, 0x89,  /* LSR */
	0x00, 0x01, 0x80, 0x00,  /* DLSR 1.5 s */
	/* SDES, 1 chunk, CNAME "ab" */
	0x81, 0xca, 0x00, 0x02,
	0x11, 0x22, 0x33, 0x44,
	0x01, 0x02, 0x61, 0x62,
	/* PLI */
	0x81, 0xce, 0x00, 0x02,
	0x11, 0x22, 0x33, 0x44,
	0x55, 0x66, 0x77, 0x88,
	/* RR, no blocks */
	0x80, 0xc9, 0x00, 0x01,
	0x99, 0x99, 0x99, 0x99,
};
/* clang-format on */

static void test_iter_compound(void **state)
{
	(void)state;
	struct rtcp_pkt k[8];
	size_t n;

	assert_int_equal(iterate(compound, sizeof(compound), k, 8, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(k[0].pt, RTCP_SR);
	assert_int_equal(k[0].count, 1);
	assert_int_equal(k[0].len, 52);
	assert_ptr_equal(k[0].p, compound);
	assert_int_equal(k[1].pt, RTCP_SDES);
	assert_int_equal(k[1].len, 12);
	assert_int_equal(k[2].pt, RTCP_PSFB);
	assert_int_equal(k[2].count, RTCP_FB_PLI);
	assert_int_equal(k[2].len, 12);
	assert_int_equal(k[3].pt, RTCP_RR);
	assert_int_equal(k[3].count, 0);
	assert_int_equal(k[3].len, 8);
	assert_ptr_equal(k[3].p, compound + 76);

	/* Empty input: no packets, no error. */
	assert_int_equal(iterate(compound, 0, k, 8, &n), 0);
	assert_int_equal(n, 0);

	/* Typed parse of the hand-built SR. */
	struct rtcp_sr sr;
	struct rtcp_report_block b;
	assert_int_equal(rtcp_parse_sr(&k[0], &sr), 0);
	assert_int_equal(sr.ssrc, 0x11223344);
	assert_true(sr.ntp == 0xe123456789abcdefull);
	assert_int_equal(sr.rtp_ts, 90000);
	assert_int_equal(sr.packets, 1000);
	assert_int_equal(sr.octets, 1000000);
	assert_int_equal(sr.nblocks, 1);
	rtcp_report_block_read(sr.blocks, 0, &b);
	assert_int_equal(b.ssrc, 0x55667788);
	assert_int_equal(b.fraction_lost, 64);
	assert_int_equal(b.cumulative_lost, -2);
	assert_int_equal(b.highest_seq, 0x00021234);
	assert_int_equal(b.jitter, 42);
	assert_int_equal(b.lsr, 0x23456789);
	assert_int_equal(b.dlsr, 0x00018000);

	uint32_t s, m;
	assert_int_equal(rtcp_parse_fb(&k[2], &s, &m), 0);
	assert_int_equal(s, 0x11223344);
	assert_int_equal(m, 0x55667788);

	struct rtcp_rr rr;
	assert_int_equal(rtcp_parse_rr(&k[3], &rr), 0);
	assert_int_equal(rr.ssrc, 0x99999999);
	assert_int_equal(rr.nblocks, 0);
}

/* Every prefix: packet boundaries end cleanly, anything else is ERR_PROTO, and nothing is
   read past the prefix (the copy is exact-size). */
static void test_iter_truncated(void **state)
{
	(void)state;
	struct rtcp_pkt k[8];
	size_t n;
	const size_t bounds[] = {0, 52, 64, 76, 84};

	for (size_t len = 0; len <= sizeof(compound); len++) {
		int rc = iterate(compound, len, k, 8, &n);
		size_t whole = 0;
		int at_bound = 0;
		for (size_t i = 0; i < 5; i++) {
			if (bounds[i] <= len)
				whole = i;
			if (bounds[i] == len)
				at_bound = 1;
		}
		assert_int_equal(rc, at_bound ? 0 : ERR_PROTO);
		assert_int_equal(n, whole);
	}
}

static void test_iter_malformed(void **state)
{
	(void)state;
	struct rtcp_pkt k[8];
	uint8_t p[sizeof(compound) + 8];
	size_t n;

	/* Bad version in the second packet: the first still comes out. */
	for (unsigned v = 0; v < 4; v++) {
		memcpy(p, compound, sizeof(compound));
		p[52] = (uint8_t)((p[52] & 0x3f) | (v << 6));
		assert_int_equal(iterate(p, sizeof(compound), k, 8, &n), v == 2 ? 0 : ERR_PROTO);
		assert_int_equal(n, v == 2 ? 4 : 1);
	}
	/* Length field overrunning the compound. */
	memcpy(p, compound, sizeof(compound));
	wr16(p + 78, 2);
	assert_int_equal(iterate(p, sizeof(compound), k, 8, &n), ERR_PROTO);
	assert_int_equal(n, 3);
	wr16(p + 2, 0xffff);
	assert_int_equal(iterate(p, sizeof(compound), k, 8, &n), ERR_PROTO);
	assert_int_equal(n, 0);
	/* Trailing bytes shorter than a header. */
	memcpy(p, compound, sizeof(compound));
	memset(p + sizeof(compound), 0x80, 3);
	assert_int_equal(iterate(p, sizeof(compound) + 3, k, 8, &n), ERR_PROTO);
	assert_int_equal(n, 4);

	/* Padding (RFC 3550 6.4.1): 1..body bytes. On a packet that is not last (as libwebrtc
	   sends padded transport-cc packets back to back) it is accepted if it fits. */
	memcpy(p, compound, sizeof(compound));
	p[52] |= 0x20; /* P on the SDES: the count is 0x62, more than its 8-byte body */
	assert_int_equal(iterate(p, sizeof(compound), k, 8, &n), ERR_PROTO);
	assert_int_equal(n, 1);
	p[63] = 4; /* a count that fits: SDES padded, and the packets after it still come */
	assert_int_equal(iterate(p, sizeof(compound), k, 8, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(k[1].len, 12);
	assert_int_equal(k[2].pt, RTCP_PSFB);
	p[63] = 9; /* one more than the body */
	assert_int_equal(iterate(p, sizeof(compound), k, 8, &n), ERR_PROTO);
	assert_int_equal(n, 1);
	/* P on the last (RR + 4 bytes of padding). */
	memcpy(p, compound, sizeof(compound));
	p[76] |= 0x20;
	wr16(p + 78, 2);
	memcpy(p + 84, "\0\0\0\x04", 4);
	assert_int_equal(iterate(p, 88, k, 8, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(k[3].len, 12);
	struct rtcp_rr rr;
	assert_int_equal(rtcp_parse_rr(&k[3], &rr), 0);
	assert_int_equal(rr.ssrc, 0x99999999);
	/* The padding count covering the header too, the whole packet, or zero. */
	p[87] = 9;
	assert_int_equal(iterate(p, 88, k, 8, &n), ERR_PROTO);
	p[87] = 255;
	assert_int_equal(iterate(p, 88, k, 8, &n), ERR_PROTO);
	p[87] = 0;
	assert_int_equal(iterate(p, 88, k, 8, &n), ERR_PROTO);
	assert_int_equal(n, 3);
	p[87] = 8; /* all of the body: valid, but then the RR has no SSRC */
	assert_int_equal(iterate(p, 88, k, 8, &n), 0);
	assert_int_equal(rtcp_parse_rr(&k[3], &rr), ERR_PROTO);
}

static void test_typed_parsers_check_header(void **state)
{
	(void)state;
	struct rtcp_pkt k = pkt_of(compound, 52);
	struct rtcp_sr sr;
	struct rtcp_rr rr;
	uint32_t s, m;

	/* len not matching the length field. */
	k.len = 48;
	assert_int_equal(rtcp_parse_sr(&k, &sr), ERR_PROTO);
	k.len = 56;
	assert_int_equal(rtcp_parse_sr(&k, &sr), ERR_PROTO);
	k.len = 3;
	assert_int_equal(rtcp_parse_sr(&k, &sr), ERR_PROTO);
	k.len = 0;
	assert_int_equal(rtcp_parse_fb(&k, &s, &m), ERR_PROTO);
	assert_int_equal(rtcp_parse_rr(&k, &rr), ERR_PROTO);
	assert_int_equal(rtcp_fir_count(&k), ERR_PROTO);
	uint16_t sq[4];
	assert_int_equal(rtcp_nack_expand(&k, sq, 4), ERR_PROTO);
	uint64_t br;
	uint32_t ss[2];
	size_t nss;
	assert_int_equal(rtcp_parse_remb(&k, &br, ss, 2, &nss), ERR_PROTO);
	/* The wrong type for the parser. */
	k.len = 52;
	assert_int_equal(rtcp_parse_rr(&k, &rr), ERR_INVAL);
	assert_int_equal(rtcp_parse_fb(&k, &s, &m), ERR_INVAL);
	assert_int_equal(rtcp_fir_count(&k), ERR_INVAL);

	/* SR claiming 2 blocks in a packet with room for 1. */
	uint8_t p[52];
	memcpy(p, compound, sizeof(p));
	p[0] = 0x82;
	k = pkt_of(p, sizeof(p));
	assert_int_equal(rtcp_parse_sr(&k, &sr), ERR_PROTO);
	/* SR with no sender info at all. */
	p[0] = 0x80;
	wr16(p + 2, 1);
	k = pkt_of(p, 8);
	assert_int_equal(rtcp_parse_sr(&k, &sr), ERR_PROTO);
	/* RR claiming a block it does not have. */
	memcpy(p, compound + 76, 8);
	p[0] = 0x81;
	k = pkt_of(p, 8);
	assert_int_equal(rtcp_parse_rr(&k, &rr), ERR_PROTO);
	/* Feedback without the media SSRC. */
	memcpy(p, compound + 64, 12);
	wr16(p + 2, 1);
	k = pkt_of(p, 8);
	assert_int_equal(rtcp_parse_fb(&k, &s, &m), ERR_PROTO);

	/* No buffer, a bad version, and padding the iterator would have refused. */
	k.p = NULL;
	k.len = 12;
	assert_int_equal(rtcp_parse_fb(&k, &s, &m), ERR_PROTO);
	memcpy(p, compound + 64, 12);
	p[0] = 0x41;
	k = pkt_of(p, 12);
	assert_int_equal(rtcp_parse_fb(&k, &s, &m), ERR_PROTO);
	p[0] = 0xa1; /* P set: the count is the media SSRC's last byte, 0x88 > 8 */
	assert_int_equal(rtcp_parse_fb(&k, &s, &m), ERR_PROTO);
	p[11] = 0;
	assert_int_equal(rtcp_parse_fb(&k, &s, &m), ERR_PROTO);
	p[11] = 4; /* valid padding, but it eats the media SSRC */
	assert_int_equal(rtcp_parse_fb(&k, &s, &m), ERR_PROTO);
	uint16_t seqs[4];
	p[0] = 0xa1;
	p[1] = RTCP_RTPFB;
	assert_int_equal(rtcp_nack_expand(&k, seqs, 4), ERR_PROTO);
}

static void test_report_block_sign(void **state)
{
	(void)state;
	uint8_t b[2 * RTCP_BLOCK_LEN] = {0};
	struct rtcp_report_block r;

	wr24(b + 5, 0xffffff);
	wr24(b + RTCP_BLOCK_LEN + 5, 0x800000);
	rtcp_report_block_read(b, 0, &r);
	assert_int_equal(r.cumulative_lost, -1);
	rtcp_report_block_read(b, 1, &r);
	assert_int_equal(r.cumulative_lost, -8388608);
	wr24(b + 5, 0x7fffff);
	rtcp_report_block_read(b, 0, &r);
	assert_int_equal(r.cumulative_lost, 8388607);
}

static void block_equal(const struct rtcp_report_block *a, const struct rtcp_report_block *b)
{
	assert_int_equal(a->ssrc, b->ssrc);
	assert_int_equal(a->fraction_lost, b->fraction_lost);
	assert_int_equal(a->cumulative_lost, b->cumulative_lost);
	assert_int_equal(a->highest_seq, b->highest_seq);
	assert_int_equal(a->jitter, b->jitter);
	assert_int_equal(a->lsr, b->lsr);
	assert_int_equal(a->dlsr, b->dlsr);
}

static void test_sr_round_trip(void **state)
{
	(void)state;
	struct rtcp_report_block in[3] = {
	    {0xa1a2a3a4, 12, 345, 0x00011000, 77, 0xdeadbeef, 65536},
	    {0xb1b2b3b4, 255, -7, 0xffffffff, 0, 0, 0},
	    {0xc1c2c3c4, 0, 10000000, 5, 1, 2, 3}, /* clamped to 0x7fffff */
	};
	uint8_t buf[LIM_PACKET];
	int n = rtcp_write_sr(buf, sizeof(buf), 0x01020304, 0xe8000000c0000000ull, 123456, 42, 4200,
	                      in, 3);
	assert_int_equal(n, 28 + 3 * 24);
	assert_int_equal(buf[0], 0x83);
	assert_int_equal(buf[1], 200);
	assert_int_equal(rd16(buf + 2), (28 + 72) / 4 - 1);

	struct rtcp_pkt k[2];
	size_t cnt;
	assert_int_equal(iterate(buf, (size_t)n, k, 2, &cnt), 0);
	assert_int_equal(cnt, 1);
	struct rtcp_sr sr;
	assert_int_equal(rtcp_parse_sr(&k[0], &sr), 0);
	assert_int_equal(sr.ssrc, 0x01020304);
	assert_true(sr.ntp == 0xe8000000c0000000ull);
	assert_int_equal(sr.rtp_ts, 123456);
	assert_int_equal(sr.packets, 42);
	assert_int_equal(sr.octets, 4200);
	assert_int_equal(sr.nblocks, 3);
	for (size_t i = 0; i < 3; i++) {
		struct rtcp_report_block out, want = in[i];
		rtcp_report_block_read(sr.blocks, i, &out);
		if (i == 2)
			want.cumulative_lost = 0x7fffff;
		block_equal(&out, &want);
	}
	/* Negative clamp. */
	in[0].cumulative_lost = -9000000;
	n = rtcp_write_sr(buf, sizeof(buf), 1, 2, 3, 4, 5, in, 1);
	assert_int_equal(n, 52);
	struct rtcp_pkt one = pkt_of(buf, 52);
	assert_int_equal(rtcp_parse_sr(&one, &sr), 0);
	struct rtcp_report_block out;
	rtcp_report_block_read(sr.blocks, 0, &out);
	assert_int_equal(out.cumulative_lost, -0x800000);

	/* No blocks; too small a buffer at every size; too many blocks. */
	assert_int_equal(rtcp_write_sr(buf, 28, 1, 2, 3, 4, 5, NULL, 0), 28);
	for (size_t cap = 0; cap < 52; cap++)
		assert_int_equal(rtcp_write_sr(buf, cap, 1, 2, 3, 4, 5, in, 1), ERR_LIMIT);
	struct rtcp_report_block many[32] = {0};
	assert_int_equal(rtcp_write_sr(buf, sizeof(buf), 1, 2, 3, 4, 5, many, 32), ERR_LIMIT);
	assert_int_equal(rtcp_write_sr(buf, sizeof(buf), 1, 2, 3, 4, 5, many, 31), 28 + 31 * 24);
}

static void test_rr_round_trip(void **state)
{
	(void)state;
	struct rtcp_report_block in[31];
	uint8_t buf[LIM_PACKET];

	for (size_t i = 0; i < 31; i++) {
		in[i] = (struct rtcp_report_block){(uint32_t)(0x1000 + i), (uint8_t)(i * 8),
		                                   (int32_t)i - 15,        (uint32_t)(i << 16 | 7),
		                                   (uint32_t)i * 3,        (uint32_t)i * 5,
		                                   (uint32_t)i * 11};
	}
	for (size_t nb = 0; nb <= 31; nb += 1) {
		int n = rtcp_write_rr(buf, sizeof(buf), 0xfeedface, in, nb);
		assert_int_equal(n, 8 + 24 * nb);
		struct rtcp_pkt k[2];
		size_t cnt;
		assert_int_equal(iterate(buf, (size_t)n, k, 2, &cnt), 0);
		assert_int_equal(cnt, 1);
		assert_int_equal(k[0].pt, RTCP_RR);
		assert_int_equal(k[0].count, nb);
		struct rtcp_rr rr;
		assert_int_equal(rtcp_parse_rr(&k[0], &rr), 0);
		assert_int_equal(rr.ssrc, 0xfeedface);
		assert_int_equal(rr.nblocks, nb);
		for (size_t i = 0; i < nb; i++) {
			struct rtcp_report_block out;
			rtcp_report_block_read(rr.blocks, i, &out);
			block_equal(&out, &in[i]);
		}
		/* An RR is not an SR. */
		struct rtcp_sr sr;
		assert_int_equal(rtcp_parse_sr(&k[0], &sr), ERR_INVAL);
	}
	for (size_t cap = 0; cap < 32; cap++)
		assert_int_equal(rtcp_write_rr(buf, cap, 1, in, 1), ERR_LIMIT);
	struct rtcp_report_block many[32] = {0};
	assert_int_equal(rtcp_write_rr(buf, sizeof(buf), 1, many, 32), ERR_LIMIT);
}

static void test_pli(void **state)
{
	(void)state;
	uint8_t buf[64];
	const uint8_t want[] = {0x81, 0xce, 0x00, 0x02, 0x11, 0x11,
	                        0x11, 0x11, 0x22, 0x22, 0x22, 0x22};

	assert_int_equal(rtcp_write_pli(buf, sizeof(buf), 0x11111111, 0x22222222), 12);
	assert_memory_equal(buf, want, 12);
	struct rtcp_pkt k = pkt_of(buf, 12);
	uint32_t s = 0, m = 0;
	assert_int_equal(rtcp_parse_fb(&k, &s, &m), 0);
	assert_int_equal(s, 0x11111111);
	assert_int_equal(m, 0x22222222);
	/* A PLI is none of the others. */
	uint16_t seqs[4];
	uint64_t br;
	uint32_t ss[2];
	size_t n;
	assert_int_equal(rtcp_nack_expand(&k, seqs, 4), ERR_INVAL);
	assert_int_equal(rtcp_fir_count(&k), ERR_INVAL);
	assert_int_equal(rtcp_parse_remb(&k, &br, ss, 2, &n), ERR_NOTFOUND);
	for (size_t cap = 0; cap < 12; cap++)
		assert_int_equal(rtcp_write_pli(buf, cap, 1, 2), ERR_LIMIT);
}

static void test_fir(void **state)
{
	(void)state;
	uint8_t buf[64];
	const uint8_t want[] = {0x84, 0xce, 0x00, 0x04, 0x11, 0x11, 0x11, 0x11, 0, 0,
	                        0,    0,    0x33, 0x33, 0x33, 0x33, 0x07, 0,    0, 0};

	assert_int_equal(rtcp_write_fir(buf, sizeof(buf), 0x11111111, 0x33333333, 7), 20);
	assert_memory_equal(buf, want, 20);
	struct rtcp_pkt k = pkt_of(buf, 20);
	assert_int_equal(k.count, RTCP_FB_FIR);
	assert_int_equal(rtcp_fir_count(&k), 1);
	uint32_t ssrc = 0;
	uint8_t seqnr = 0;
	assert_int_equal(rtcp_fir_get(&k, 0, &ssrc, &seqnr), 0);
	assert_int_equal(ssrc, 0x33333333);
	assert_int_equal(seqnr, 7);
	assert_int_equal(rtcp_fir_get(&k, 1, &ssrc, &seqnr), ERR_NOTFOUND);
	uint32_t s, m;
	assert_int_equal(rtcp_parse_fb(&k, &s, &m), 0);
	assert_int_equal(s, 0x11111111);
	assert_int_equal(m, 0); /* RFC 5104 4.3.1.2 */
	for (size_t cap = 0; cap < 20; cap++)
		assert_int_equal(rtcp_write_fir(buf, cap, 1, 2, 3), ERR_LIMIT);

	/* Two entries by hand. */
	uint8_t two[28];
	memcpy(two, want, 20);
	wr16(two + 2, 6);
	memcpy(two + 20, "\x44\x44\x44\x44\xfe\0\0\0", 8);
	k = pkt_of(two, 28);
	assert_int_equal(rtcp_fir_count(&k), 2);
	assert_int_equal(rtcp_fir_get(&k, 1, &ssrc, &seqnr), 0);
	assert_int_equal(ssrc, 0x44444444);
	assert_int_equal(seqnr, 0xfe);
	/* RFC 5104 4.3.1.2: no entries, or a partial one. */
	wr16(two + 2, 2);
	k = pkt_of(two, 12);
	assert_int_equal(rtcp_fir_count(&k), ERR_PROTO);
	assert_int_equal(rtcp_fir_get(&k, 0, &ssrc, &seqnr), ERR_PROTO);
	wr16(two + 2, 3);
	k = pkt_of(two, 16);
	assert_int_equal(rtcp_fir_count(&k), ERR_PROTO);
}

static void nack_round_trip(const uint16_t *seqs, size_t n, size_t want_entries)
{
	uint8_t buf[LIM_PACKET];
	uint16_t out[1024];

	int len = rtcp_write_nack(buf, sizeof(buf), 0xabcdef01, 0x12345678, seqs, n);
	assert_int_equal(len, 12 + 4 * want_entries);
	struct rtcp_pkt k[2];
	size_t cnt;
	assert_int_equal(iterate(buf, (size_t)len, k, 2, &cnt), 0);
	assert_int_equal(cnt, 1);
	assert_int_equal(k[0].pt, RTCP_RTPFB);
	assert_int_equal(k[0].count, RTCP_FB_NACK);
	uint32_t s, m;
	assert_int_equal(rtcp_parse_fb(&k[0], &s, &m), 0);
	assert_int_equal(s, 0xabcdef01);
	assert_int_equal(m, 0x12345678);
	int got = rtcp_nack_expand(&k[0], out, 1024);
	assert_int_equal(got, n);
	assert_memory_equal(out, seqs, n * sizeof(uint16_t));
}

static void test_nack(void **state)
{
	(void)state;
	uint16_t seqs[64];
	size_t n = 0;

	/* 27 seqs across the wrap: 65530..65535, 0..20 -> PID 65530 (+16), PID 11 (+9). */
	for (uint16_t s = 65530; n < 27; s++)
		seqs[n++] = s;
	assert_int_equal(seqs[6], 0);
	nack_round_trip(seqs, n, 2);
	/* Hand-check the wire: first PID and its full BLP. */
	uint8_t buf[64];
	assert_int_equal(rtcp_write_nack(buf, sizeof(buf), 1, 2, seqs, n), 20);
	assert_int_equal(rd16(buf + 12), 65530);
	assert_int_equal(rd16(buf + 14), 0xffff);
	assert_int_equal(rd16(buf + 16), 11);
	assert_int_equal(rd16(buf + 18), 0x01ff);

	/* Scattered: 1; 100, 101, 116; 117, 133 -> 3 entries. */
	const uint16_t sc[] = {1, 100, 101, 116, 117, 133};
	nack_round_trip(sc, 6, 3);
	/* One seq, and a run of exactly 17 (one entry). */
	nack_round_trip(sc, 1, 1);
	for (n = 0; n < 17; n++)
		seqs[n] = (uint16_t)(65535 + n);
	nack_round_trip(seqs, 17, 1);
	/* 64 in a row: 4 entries. */
	for (n = 0; n < 64; n++)
		seqs[n] = (uint16_t)(40000 + n);
	nack_round_trip(seqs, 64, 4);

	/* A seq repeating the PID is dropped; going backwards starts a new entry. */
	const uint16_t dup[] = {10, 10, 12, 5};
	assert_int_equal(rtcp_write_nack(buf, sizeof(buf), 1, 2, dup, 4), 20);
	struct rtcp_pkt k = pkt_of(buf, 20);
	uint16_t out[8];
	assert_int_equal(rtcp_nack_expand(&k, out, 8), 3);
	assert_int_equal(out[0], 10);
	assert_int_equal(out[1], 12);
	assert_int_equal(out[2], 5);
	/* cap truncates. */
	assert_int_equal(rtcp_nack_expand(&k, out, 2), 2);
	assert_int_equal(rtcp_nack_expand(&k, out, 0), 0);

	/* Errors: nothing to NACK, no room. */
	assert_int_equal(rtcp_write_nack(buf, sizeof(buf), 1, 2, dup, 0), ERR_INVAL);
	for (size_t cap = 0; cap < 20; cap++)
		assert_int_equal(rtcp_write_nack(buf, cap, 1, 2, dup, 4), ERR_LIMIT);
	/* RFC 4585 6.2.1: at least one entry. */
	wr16(buf + 2, 2);
	k = pkt_of(buf, 12);
	assert_int_equal(rtcp_nack_expand(&k, out, 8), ERR_PROTO);
	/* Padding of 2 leaves half an entry. */
	buf[0] |= 0x20;
	wr16(buf + 2, 3);
	buf[15] = 2;
	k = pkt_of(buf, 16);
	assert_int_equal(rtcp_nack_expand(&k, out, 8), ERR_PROTO);
	/* Padding of 4 leaves none. */
	buf[15] = 4;
	assert_int_equal(rtcp_nack_expand(&k, out, 8), ERR_PROTO);
	/* TWCC (FMT 15) is not a NACK. */
	buf[0] = 0x8f;
	wr16(buf + 2, 4);
	k = pkt_of(buf, 20);
	assert_int_equal(rtcp_nack_expand(&k, out, 8), ERR_INVAL);
}

static void test_nack_limit_seqs(void **state)
{
	(void)state;
	/* 16 entries with all BLP bits: 272 seqs; LIM_NACK_SEQS of them come out. */
	uint8_t buf[12 + 16 * 4];
	uint16_t out[LIM_NACK_SEQS];

	assert_int_equal(rtcp_write_pli(buf, sizeof(buf), 1, 2), 12);
	buf[0] = 0x81;
	buf[1] = RTCP_RTPFB;
	wr16(buf + 2, (uint16_t)(sizeof(buf) / 4 - 1));
	for (int i = 0; i < 16; i++) {
		wr16(buf + 12 + 4 * i, (uint16_t)(i * 17));
		wr16(buf + 14 + 4 * i, 0xffff);
	}
	struct rtcp_pkt k = pkt_of(buf, sizeof(buf));
	assert_int_equal(rtcp_nack_expand(&k, out, LIM_NACK_SEQS), LIM_NACK_SEQS);
	for (int i = 0; i < LIM_NACK_SEQS; i++)
		assert_int_equal(out[i], i);
}

static void test_remb(void **state)
{
	(void)state;
	uint8_t buf[LIM_PACKET];
	const uint32_t ssrcs[3] = {0x10101010, 0x20202020, 0x30303030};
	uint32_t got[4];
	uint64_t br;
	size_t n;

	/* 1.5 Mbps: exp 3, mantissa 187500 = 0x2dc6c. */
	int len = rtcp_write_remb(buf, sizeof(buf), 0x0a0b0c0d, 1500000, ssrcs, 3);
	assert_int_equal(len, 32);
	const uint8_t want[] = {0x8f, 0xce, 0x00, 0x07, 0x0a, 0x0b, 0x0c, 0x0d, 0,    0,
	                        0,    0,    'R',  'E',  'M',  'B',  3,    0x0e, 0xdc, 0x6c};
	assert_memory_equal(buf, want, sizeof(want));
	struct rtcp_pkt k = pkt_of(buf, (size_t)len);
	assert_int_equal(rtcp_parse_remb(&k, &br, got, 4, &n), 0);
	assert_true(br == 1500000);
	assert_int_equal(n, 3);
	assert_memory_equal(got, ssrcs, sizeof(ssrcs));
	/* cap smaller than the count. */
	assert_int_equal(rtcp_parse_remb(&k, &br, got, 2, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(got[1], 0x20202020);

	/* Round trips: exact where the value fits the mantissa, else rounded down by less
	   than one part in 2^17. */
	const uint64_t rates[] = {
	    0,          1,          262143,          262144, 262145, 1000000007, 30000000000ull,
	    1ull << 63, UINT64_MAX, 0x3ffffull << 46};
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		len = rtcp_write_remb(buf, sizeof(buf), 1, rates[i], NULL, 0);
		assert_int_equal(len, 20);
		k = pkt_of(buf, 20);
		assert_int_equal(rtcp_parse_remb(&k, &br, got, 4, &n), 0);
		assert_int_equal(n, 0);
		assert_true(br <= rates[i]);
		assert_true(rates[i] - br <= rates[i] >> 17);
		if (rates[i] <= 262143 || rates[i] == (1ull << 63) || rates[i] == 0x3ffffull << 46)
			assert_true(br == rates[i]);
	}

	/* Hand-built exponents: 63 with mantissa 1 fits; 47 with a full mantissa does not. */
	buf[17] = (uint8_t)(63 << 2);
	wr16(buf + 18, 1);
	assert_int_equal(rtcp_parse_remb(&k, &br, got, 4, &n), 0);
	assert_true(br == 1ull << 63);
	buf[17] = (uint8_t)(47 << 2 | 3);
	wr16(buf + 18, 0xffff);
	assert_int_equal(rtcp_parse_remb(&k, &br, got, 4, &n), ERR_PROTO);
	buf[17] = (uint8_t)(46 << 2 | 3);
	assert_int_equal(rtcp_parse_remb(&k, &br, got, 4, &n), 0);
	assert_true(br == 0x3ffffull << 46);

	/* Num SSRC larger than the packet. */
	buf[16] = 1;
	assert_int_equal(rtcp_parse_remb(&k, &br, got, 4, &n), ERR_PROTO);
	/* Not "REMB": another AFB. */
	buf[16] = 0;
	memcpy(buf + 12, "REMX", 4);
	assert_int_equal(rtcp_parse_remb(&k, &br, got, 4, &n), ERR_NOTFOUND);
	/* "REMB" without the rest. */
	memcpy(buf + 12, "REMB", 4);
	wr16(buf + 2, 3);
	k = pkt_of(buf, 16);
	assert_int_equal(rtcp_parse_remb(&k, &br, got, 4, &n), ERR_PROTO);
	/* Too short even for the identifier. */
	wr16(buf + 2, 2);
	k = pkt_of(buf, 12);
	assert_int_equal(rtcp_parse_remb(&k, &br, got, 4, &n), ERR_NOTFOUND);
	/* RTPFB is the wrong type altogether. */
	buf[1] = RTCP_RTPFB;
	assert_int_equal(rtcp_parse_remb(&k, &br, got, 4, &n), ERR_INVAL);

	/* Builder limits. */
	static uint32_t many[256];
	assert_int_equal(rtcp_write_remb(buf, sizeof(buf), 1, 1, many, 256), ERR_LIMIT);
	assert_int_equal(rtcp_write_remb(buf, sizeof(buf), 1, 1, many, 255), 20 + 4 * 255);
	for (size_t cap = 0; cap < 32; cap++)
		assert_int_equal(rtcp_write_remb(buf, cap, 1, 1, ssrcs, 3), ERR_LIMIT);
}

/* A compound built from all the builders iterates back in order. */
static void test_builders_compound(void **state)
{
	(void)state;
	uint8_t buf[LIM_PACKET];
	size_t off = 0;
	struct rtcp_report_block b = {7, 1, 2, 3, 4, 5, 6};
	const uint16_t seqs[] = {1, 2, 3};
	const uint32_t ss[] = {9};
	int n;

	n = rtcp_write_rr(buf + off, sizeof(buf) - off, 1, &b, 1);
	off += (size_t)n;
	n = rtcp_write_pli(buf + off, sizeof(buf) - off, 1, 2);
	off += (size_t)n;
	n = rtcp_write_fir(buf + off, sizeof(buf) - off, 1, 2, 3);
	off += (size_t)n;
	n = rtcp_write_nack(buf + off, sizeof(buf) - off, 1, 2, seqs, 3);
	off += (size_t)n;
	n = rtcp_write_remb(buf + off, sizeof(buf) - off, 1, 123456, ss, 1);
	off += (size_t)n;
	assert_int_equal(off, 32 + 12 + 20 + 16 + 24);

	struct rtcp_pkt k[8];
	size_t cnt;
	assert_int_equal(iterate(buf, off, k, 8, &cnt), 0);
	assert_int_equal(cnt, 5);
	const uint8_t pts[] = {RTCP_RR, RTCP_PSFB, RTCP_PSFB, RTCP_RTPFB, RTCP_PSFB};
	const uint8_t counts[] = {1, RTCP_FB_PLI, RTCP_FB_FIR, RTCP_FB_NACK, RTCP_FB_AFB};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(k[i].pt, pts[i]);
		assert_int_equal(k[i].count, counts[i]);
	}
	uint64_t br;
	uint32_t got[2];
	size_t nss;
	assert_int_equal(rtcp_parse_remb(&k[4], &br, got, 2, &nss), 0);
	assert_true(br == 123456);
	assert_int_equal(rtcp_parse_remb(&k[2], &br, got, 2, &nss), ERR_NOTFOUND);
}

#define MAX_FIXTURES 16
static struct {
	char name[128];
	uint8_t p[1500];
	size_t len;
} fx[MAX_FIXTURES];
static size_t nfx;

static int load_fixtures(void **state)
{
	(void)state;
	const char *root = getenv("KAMER_FIXTURES");
	char dir[1024], path[1400];
	if (!root) {
		fprintf(stderr, "KAMER_FIXTURES is not set\n");
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/packets/srtcp", root);
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "cannot open %s\n", dir);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d)) && nfx < MAX_FIXTURES) {
		size_t n = strlen(e->d_name);
		if (n < 5 || n >= sizeof(fx[0].name) || strcmp(e->d_name + n - 4, ".bin"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		fx[nfx].len = fread(fx[nfx].p, 1, sizeof(fx[nfx].p), f);
		fclose(f);
		memcpy(fx[nfx].name, e->d_name, n + 1);
		nfx++;
	}
	closedir(d);
	return nfx == 6 ? 0 : -1;
}

/* SRTCP: only the first 8 bytes are clear (RFC 3711 3.4). The first packet's header and
   sender SSRC are checked on a copy of that packet with P cleared, since a padding count
   would be ciphertext (Chromium pads its TWCC feedback: the 205s have P set). The whole
   datagram, ciphertext and SRTCP trailer included, is iterated and every typed parser run
   on what comes out, for safety only. */
static void test_fixtures(void **state)
{
	(void)state;
	assert_int_equal(nfx, 6);
	for (size_t i = 0; i < nfx; i++) {
		unsigned pt = (unsigned)atoi(fx[i].name + 2);
		const uint8_t *p = fx[i].p;
		size_t plen = 4 * ((size_t)rd16(p + 2) + 1);
		struct rtcp_pkt k[8];
		size_t cnt;

		/* The trailer: E flag + SRTCP index (4), a 10-byte tag (HMAC-SHA1-80). */
		assert_true(plen + 14 <= fx[i].len);
		assert_false(p[0] & 0x20 && pt != RTCP_RTPFB);
		uint8_t first[1500];
		memcpy(first, p, plen);
		first[0] &= (uint8_t)~0x20;
		assert_int_equal(iterate(first, plen, k, 8, &cnt), 0);
		assert_int_equal(cnt, 1);
		assert_int_equal(k[0].pt, pt);
		assert_int_equal(k[0].len, plen);
		uint32_t sender = rd32(p + 4), s, m;
		if (pt == RTCP_SR) {
			struct rtcp_sr sr;
			assert_int_equal(k[0].count, 0);
			assert_int_equal(k[0].len, 28);
			assert_int_equal(rtcp_parse_sr(&k[0], &sr), 0);
			assert_int_equal(sr.ssrc, sender);
			assert_int_equal(sr.nblocks, 0);
		} else if (pt == RTCP_RR) {
			struct rtcp_rr rr;
			assert_int_equal(k[0].count, 2);
			assert_int_equal(k[0].len, 56);
			assert_int_equal(rtcp_parse_rr(&k[0], &rr), 0);
			assert_int_equal(rr.ssrc, 1); /* Chromium's receive-only SSRC */
			assert_int_equal(rr.nblocks, 2);
		} else {
			assert_int_equal(pt, RTCP_RTPFB);
			assert_int_equal(k[0].count, RTCP_FB_TWCC);
			assert_int_equal(rtcp_parse_fb(&k[0], &s, &m), 0);
			assert_int_equal(s, 0xfa17fa17);
			/* Reduced-size (RFC 5506): the feedback alone, then the SRTCP trailer. */
			assert_int_equal(plen + 14, fx[i].len);
		}

		int rc = iterate(p, fx[i].len, k, 8, &cnt);
		assert_true(rc == 0 || rc == ERR_PROTO);
		for (size_t j = 0; j < cnt && j < 8; j++) {
			struct rtcp_sr sr;
			struct rtcp_rr rr;
			uint16_t seqs[LIM_NACK_SEQS];
			uint64_t br;
			uint32_t ss[4], fs;
			size_t nss;
			uint8_t sn;
			(void)!rtcp_parse_sr(&k[j], &sr);
			(void)!rtcp_parse_rr(&k[j], &rr);
			(void)!rtcp_parse_fb(&k[j], &s, &m);
			(void)!rtcp_nack_expand(&k[j], seqs, LIM_NACK_SEQS);
			(void)!rtcp_fir_count(&k[j]);
			(void)!rtcp_fir_get(&k[j], 0, &fs, &sn);
			(void)!rtcp_parse_remb(&k[j], &br, ss, 4, &nss);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_iter_compound),
	    cmocka_unit_test(test_iter_truncated),
	    cmocka_unit_test(test_iter_malformed),
	    cmocka_unit_test(test_typed_parsers_check_header),
	    cmocka_unit_test(test_report_block_sign),
	    cmocka_unit_test(test_sr_round_trip),
	    cmocka_unit_test(test_rr_round_trip),
	    cmocka_unit_test(test_pli),
	    cmocka_unit_test(test_fir),
	    cmocka_unit_test(test_nack),
	    cmocka_unit_test(test_nack_limit_seqs),
	    cmocka_unit_test(test_remb),
	    cmocka_unit_test(test_builders_compound),
	    cmocka_unit_test(test_fixtures),
	};
	return cmocka_run_group_tests(tests, load_fixtures, NULL);
}
