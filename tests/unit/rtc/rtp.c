/* Tests for src/rtc/rtp.c: hand-built headers, RFC 8285 extensions in both forms, audio
 * level, VP8 key frames, Chromium's SRTP packets from the fixtures, and malformed input. */
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
#include "rtc/rtp.h"

/* Parse from an exact-size heap copy, so ASan sees any read past the end. */
static int parse_copy(struct rtp_hdr *h, const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);
	assert_non_null(c);
	memcpy(c, p, len);
	int rc = rtp_parse(h, c, len);
	free(c);
	return rc;
}

/* clang-format off */
/* V=2 P=0 X=0 CC=0, M=1 PT=96, seq 0x1234, ts 0xdeadbeef, ssrc 0x01020304, 4 bytes. */
static const uint8_t plain[] = {
	0x80, 0xe0, 0x12, 0x34,
	0xde, 0xad, 0xbe, 0xef,
	0x01, 0x02, 0x03, 0x04,
	0xaa, 0xbb, 0xcc, 0xdd,
};

/* CC=2, X=1 one-byte block of 2 words, P=1 with 3 bytes of padding. */
static const uint8_t full[] = {
	0xb2, 0x6f, 0xff, 0xfe,  /* V=2 P=1 X=1 CC=2, M=0 PT=111, seq 65534 */
	0x00, 0x00, 0x03, 0xc0,  /* ts 960 */
	0xca, 0xfe, 0xba, 0xbe,  /* ssrc */
	0x11, 0x11, 0x11, 0x11,  /* CSRC 1 */
	0x22, 0x22, 0x22, 0x22,  /* CSRC 2 */
	0xbe, 0xde, 0x00, 0x02,  /* one-byte form, 2 words */
	0x10, 0x85, 0x22, 0x01,  /* id 1 L=0: 0x85; id 2 L=2: 01 02 03 */
	0x02, 0x03, 0x00, 0x00,  /* then padding */
	0x01, 0x02, 0x03, 0x04,  /* payload, 5 bytes */
	0x05, 0x00, 0x00, 0x03,  /* padding, count 3 */
};
/* clang-format on */

static void test_parse_plain(void **state)
{
	(void)state;
	struct rtp_hdr h;

	assert_int_equal(parse_copy(&h, plain, sizeof(plain)), 0);
	assert_int_equal(h.marker, 1);
	assert_int_equal(h.pt, 96);
	assert_int_equal(h.csrc_count, 0);
	assert_int_equal(h.has_ext, 0);
	assert_int_equal(h.seq, 0x1234);
	assert_int_equal(h.ts, 0xdeadbeef);
	assert_int_equal(h.ssrc, 0x01020304);
	assert_int_equal(h.header_len, 12);
	assert_int_equal(h.payload_off, 12);
	assert_int_equal(h.payload_len, 4);
	assert_int_equal(h.pad_len, 0);
	assert_int_equal(h.ext_len, 0);
}

static void test_parse_full(void **state)
{
	(void)state;
	struct rtp_hdr h;

	assert_int_equal(parse_copy(&h, full, sizeof(full)), 0);
	assert_int_equal(h.marker, 0);
	assert_int_equal(h.pt, 111);
	assert_int_equal(h.csrc_count, 2);
	assert_int_equal(h.has_ext, 1);
	assert_int_equal(h.seq, 65534);
	assert_int_equal(h.ts, 960);
	assert_int_equal(h.ssrc, 0xcafebabe);
	assert_int_equal(h.ext_profile, RTP_EXT_ONEBYTE);
	assert_int_equal(h.ext_off, 24);
	assert_int_equal(h.ext_len, 8);
	assert_int_equal(h.header_len, 32);
	assert_int_equal(h.payload_off, 32);
	assert_int_equal(h.payload_len, 5);
	assert_int_equal(h.pad_len, 3);
	assert_memory_equal(full + h.payload_off, "\x01\x02\x03\x04\x05", 5);
}

static void test_bad_version(void **state)
{
	(void)state;
	struct rtp_hdr h;
	uint8_t p[sizeof(plain)];

	for (unsigned v = 0; v < 4; v++) {
		memcpy(p, plain, sizeof(p));
		p[0] = (uint8_t)((p[0] & 0x3f) | (v << 6));
		assert_int_equal(parse_copy(&h, p, sizeof(p)), v == 2 ? 0 : ERR_PROTO);
		assert_int_equal(rtp_parse_hdr(&h, p, sizeof(p)), v == 2 ? 0 : ERR_PROTO);
	}
}

/* Without padding every prefix from the header on is a valid (shorter) packet; anything
   shorter than the header is not. */
static void test_truncated_every_length(void **state)
{
	(void)state;
	struct rtp_hdr h;
	uint8_t p[sizeof(full)];

	memcpy(p, full, sizeof(p));
	p[0] &= (uint8_t)~0x20; /* P=0 */
	for (size_t n = 0; n <= sizeof(p); n++) {
		int rc = parse_copy(&h, p, n);
		if (n < 32) {
			assert_int_equal(rc, ERR_PROTO);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(h.payload_len, n - 32);
		}
	}
	/* With padding, the last byte of a prefix is read as the count: whatever it says, the
	   result must stay within the packet. */
	for (size_t n = 0; n <= sizeof(full); n++) {
		if (parse_copy(&h, full, n) == 0) {
			assert_true(h.pad_len >= 1);
			assert_int_equal(h.payload_off + h.payload_len + h.pad_len, n);
		} else {
			assert_true(n < 32 || full[n - 1] == 0 || full[n - 1] > n - 32);
		}
	}
}

static void test_csrc_and_ext_overrun(void **state)
{
	(void)state;
	struct rtp_hdr h;
	uint8_t p[sizeof(full)];

	/* CC=15 needs 72 bytes of header. */
	memcpy(p, plain, sizeof(plain));
	p[0] = 0x8f;
	assert_int_equal(parse_copy(&h, p, sizeof(plain)), ERR_PROTO);

	/* Extension length field of 0xffff words. */
	memcpy(p, full, sizeof(full));
	p[0] &= (uint8_t)~0x20;
	wr16(p + 22, 0xffff);
	assert_int_equal(parse_copy(&h, p, sizeof(p)), ERR_PROTO);
	/* Exactly to the end: fits, empty payload. */
	wr16(p + 22, (uint16_t)((sizeof(p) - 24) / 4));
	assert_int_equal(parse_copy(&h, p, sizeof(p)), 0);
	assert_int_equal(h.payload_len, 0);
	assert_int_equal(h.header_len, sizeof(p));
	/* One word more than is there. */
	wr16(p + 22, (uint16_t)((sizeof(p) - 24) / 4 + 1));
	assert_int_equal(parse_copy(&h, p, sizeof(p)), ERR_PROTO);
	/* X set but the 4-byte extension header cut off. */
	assert_int_equal(parse_copy(&h, p, 23), ERR_PROTO);
	/* Zero-length extension block is valid. */
	wr16(p + 22, 0);
	assert_int_equal(parse_copy(&h, p, sizeof(p)), 0);
	assert_int_equal(h.ext_len, 0);
	assert_int_equal(h.header_len, 24);
}

static void test_padding(void **state)
{
	(void)state;
	struct rtp_hdr h;
	uint8_t p[40];

	/* Padding-only: all 28 bytes after the header are padding. */
	memset(p, 0, sizeof(p));
	memcpy(p, plain, 12);
	p[0] |= 0x20;
	p[39] = 28;
	assert_int_equal(parse_copy(&h, p, sizeof(p)), 0);
	assert_int_equal(h.payload_len, 0);
	assert_int_equal(h.pad_len, 28);
	/* One more than that would eat into the header. */
	p[39] = 29;
	assert_int_equal(parse_copy(&h, p, sizeof(p)), ERR_PROTO);
	/* Larger than the whole packet. */
	p[39] = 255;
	assert_int_equal(parse_copy(&h, p, sizeof(p)), ERR_PROTO);
	/* A count of 0 cannot count itself. */
	p[39] = 0;
	assert_int_equal(parse_copy(&h, p, sizeof(p)), ERR_PROTO);
	/* P set on a bare header: the count byte is the SSRC's last byte. */
	assert_int_equal(parse_copy(&h, p, 12), ERR_PROTO);
	/* rtp_parse_hdr does not look at padding (SRTP). */
	assert_int_equal(rtp_parse_hdr(&h, p, sizeof(p)), 0);
	assert_int_equal(h.pad_len, 0);
	assert_int_equal(h.payload_len, 28);
	/* Count 1: only the count byte itself. */
	p[39] = 1;
	assert_int_equal(parse_copy(&h, p, sizeof(p)), 0);
	assert_int_equal(h.payload_len, 27);
}

/* Build a packet with the given extension block (profile, data padded to words). */
static size_t build_ext(uint8_t *p, uint16_t profile, const uint8_t *ext, size_t n)
{
	size_t words = (n + 3) / 4;
	memcpy(p, plain, 12);
	p[0] |= 0x10;
	wr16(p + 12, profile);
	wr16(p + 14, (uint16_t)words);
	memset(p + 16, 0, words * 4);
	memcpy(p + 16, ext, n);
	memcpy(p + 16 + words * 4, "\x01\x02", 2);
	return 16 + words * 4 + 2;
}

static void expect_ext(const struct rtp_hdr *h, const uint8_t *p, uint8_t id, const void *want,
                       size_t wlen)
{
	const uint8_t *v = NULL;
	size_t n = 999;
	assert_int_equal(rtp_ext_find(h, p, id, &v, &n), 0);
	assert_int_equal(n, wlen);
	assert_true(v >= p + h->ext_off && v + n <= p + h->ext_off + h->ext_len);
	if (wlen)
		assert_memory_equal(v, want, wlen);
}

static int find_rc(const struct rtp_hdr *h, const uint8_t *p, uint8_t id)
{
	const uint8_t *v;
	size_t n;
	return rtp_ext_find(h, p, id, &v, &n);
}

static void test_ext_one_byte(void **state)
{
	(void)state;
	struct rtp_hdr h;
	uint8_t p[128];
	/* clang-format off */
	const uint8_t ext[] = {
		0x00, 0x00,                    /* leading padding */
		0x10, 0x85,                    /* id 1, 1 byte */
		0x00,                          /* padding between elements */
		0x22, 0xaa, 0xbb, 0xcc,        /* id 2, 3 bytes */
		0xef, 0, 1, 2, 3, 4, 5, 6, 7,  /* id 14, 16 bytes */
		8, 9, 10, 11, 12, 13, 14, 15,
		0x30, 0x42,                    /* id 3, 1 byte */
	};
	/* clang-format on */
	const uint8_t d14[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	size_t len = build_ext(p, RTP_EXT_ONEBYTE, ext, sizeof(ext));

	assert_int_equal(parse_copy(&h, p, len), 0);
	assert_int_equal(rtp_parse(&h, p, len), 0);
	assert_int_equal(h.ext_len, 28);
	expect_ext(&h, p, 1, "\x85", 1);
	expect_ext(&h, p, 2, "\xaa\xbb\xcc", 3);
	expect_ext(&h, p, 14, d14, 16);
	expect_ext(&h, p, 3, "\x42", 1);
	/* Absent, id 0, and ids only the two-byte form has. */
	assert_int_equal(find_rc(&h, p, 4), ERR_NOTFOUND);
	assert_int_equal(find_rc(&h, p, 0), ERR_NOTFOUND);
	assert_int_equal(find_rc(&h, p, 15), ERR_NOTFOUND);
	assert_int_equal(find_rc(&h, p, 16), ERR_NOTFOUND);
	assert_int_equal(find_rc(&h, p, 255), ERR_NOTFOUND);
	/* The first of a repeated id wins. */
	const uint8_t rep[] = {0x10, 0x01, 0x10, 0x02};
	len = build_ext(p, RTP_EXT_ONEBYTE, rep, sizeof(rep));
	assert_int_equal(rtp_parse(&h, p, len), 0);
	expect_ext(&h, p, 1, "\x01", 1);
}

static void test_ext_one_byte_id15(void **state)
{
	(void)state;
	struct rtp_hdr h;
	uint8_t p[64];
	/* RFC 8285 4.2: ID 15 stops processing; its length is ignored; what follows is not
	   considered even though it is well formed. */
	const uint8_t ext[] = {0x10, 0x85, 0xf3, 0x20, 0x55, 0x00, 0x00, 0x00};
	size_t len = build_ext(p, RTP_EXT_ONEBYTE, ext, sizeof(ext));

	assert_int_equal(rtp_parse(&h, p, len), 0);
	expect_ext(&h, p, 1, "\x85", 1);
	assert_int_equal(find_rc(&h, p, 2), ERR_NOTFOUND);
	assert_int_equal(find_rc(&h, p, 15), ERR_NOTFOUND);
}

static void test_ext_one_byte_malformed(void **state)
{
	(void)state;
	struct rtp_hdr h;
	uint8_t p[64];

	/* id 2 claims 16 bytes in a block of 8: elements before it are still found. */
	const uint8_t over[] = {0x10, 0x85, 0x2f, 1, 2, 3, 4, 5};
	size_t len = build_ext(p, RTP_EXT_ONEBYTE, over, sizeof(over));
	assert_int_equal(rtp_parse(&h, p, len), 0);
	expect_ext(&h, p, 1, "\x85", 1);
	assert_int_equal(find_rc(&h, p, 2), ERR_PROTO);
	assert_int_equal(find_rc(&h, p, 3), ERR_PROTO);

	/* A 6-byte element ending one byte past a 2-word block. */
	const uint8_t past[] = {0x10, 0x85, 0x25, 1, 2, 3, 4, 5, 6};
	len = build_ext(p, RTP_EXT_ONEBYTE, past, sizeof(past));
	wr16(p + 14, 2); /* shrink the block from 3 words to 2 */
	assert_int_equal(rtp_parse(&h, p, len), 0);
	assert_int_equal(h.ext_len, 8);
	expect_ext(&h, p, 1, "\x85", 1);
	assert_int_equal(find_rc(&h, p, 2), ERR_PROTO);
	/* Exactly filling the block is fine. */
	const uint8_t fits[] = {0x10, 0x85, 0x24, 1, 2, 3, 4, 5};
	len = build_ext(p, RTP_EXT_ONEBYTE, fits, sizeof(fits));
	assert_int_equal(rtp_parse(&h, p, len), 0);
	expect_ext(&h, p, 2, "\x01\x02\x03\x04\x05", 5);

	/* ID 0 with a non-zero length is not padding. */
	const uint8_t id0[] = {0x10, 0x85, 0x01, 0x20, 0x44, 0, 0, 0};
	len = build_ext(p, RTP_EXT_ONEBYTE, id0, sizeof(id0));
	assert_int_equal(rtp_parse(&h, p, len), 0);
	expect_ext(&h, p, 1, "\x85", 1);
	assert_int_equal(find_rc(&h, p, 2), ERR_PROTO);

	/* All padding: nothing to find, nothing wrong. */
	const uint8_t pad[] = {0, 0, 0, 0};
	len = build_ext(p, RTP_EXT_ONEBYTE, pad, sizeof(pad));
	assert_int_equal(rtp_parse(&h, p, len), 0);
	assert_int_equal(find_rc(&h, p, 1), ERR_NOTFOUND);
}

static void test_ext_two_byte(void **state)
{
	(void)state;
	struct rtp_hdr h;
	uint8_t p[400];
	uint8_t ext[300];
	/* clang-format off */
	const uint8_t head[] = {
		0x00,                  /* padding */
		1, 0,                  /* id 1, no data */
		0x00, 0x00,            /* padding */
		200, 3, 7, 8, 9,       /* id 200, 3 bytes */
		15, 2, 0xab, 0xcd,     /* id 15 is an ordinary id here */
		16, 255,               /* id 16, 255 bytes follow */
	};
	/* clang-format on */
	size_t n = sizeof(head);
	memcpy(ext, head, n);
	for (int i = 0; i < 255; i++)
		ext[n++] = (uint8_t)i;
	uint8_t d16[255];
	for (int i = 0; i < 255; i++)
		d16[i] = (uint8_t)i;

	for (uint16_t appbits = 0; appbits < 16; appbits += 15) {
		size_t len = build_ext(p, (uint16_t)(RTP_EXT_TWOBYTE | appbits), ext, n);
		assert_int_equal(parse_copy(&h, p, len), 0);
		assert_int_equal(rtp_parse(&h, p, len), 0);
		assert_int_equal(h.ext_profile, RTP_EXT_TWOBYTE | appbits);
		expect_ext(&h, p, 1, NULL, 0);
		expect_ext(&h, p, 200, "\x07\x08\x09", 3);
		expect_ext(&h, p, 15, "\xab\xcd", 2);
		expect_ext(&h, p, 16, d16, 255);
		assert_int_equal(find_rc(&h, p, 2), ERR_NOTFOUND);
		assert_int_equal(find_rc(&h, p, 0), ERR_NOTFOUND);
		assert_int_equal(find_rc(&h, p, 255), ERR_NOTFOUND);
	}

	/* An element overrunning the block, and an ID byte with no length byte. */
	const uint8_t over[] = {1, 1, 0x55, 2, 9, 1, 2, 3};
	size_t len = build_ext(p, RTP_EXT_TWOBYTE, over, sizeof(over));
	assert_int_equal(rtp_parse(&h, p, len), 0);
	expect_ext(&h, p, 1, "\x55", 1);
	assert_int_equal(find_rc(&h, p, 2), ERR_PROTO);
	const uint8_t nolen[] = {1, 1, 0x55, 9};
	len = build_ext(p, RTP_EXT_TWOBYTE, nolen, sizeof(nolen));
	assert_int_equal(rtp_parse(&h, p, len), 0);
	assert_int_equal(find_rc(&h, p, 9), ERR_PROTO);
	assert_int_equal(find_rc(&h, p, 4), ERR_PROTO);
}

static void test_ext_other(void **state)
{
	(void)state;
	struct rtp_hdr h;
	uint8_t p[64];
	const uint8_t ext[] = {0x10, 0x85, 0, 0};

	/* Not RFC 8285 (0x1010 is neither 0xBEDE nor 0x100x): opaque. */
	const uint16_t profiles[] = {0xabac, 0x1010, 0xbedf, 0x0000, 0x2000};
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		size_t len = build_ext(p, profiles[i], ext, sizeof(ext));
		assert_int_equal(rtp_parse(&h, p, len), 0);
		assert_int_equal(find_rc(&h, p, 1), ERR_NOTFOUND);
	}
	assert_int_equal(rtp_parse(&h, plain, sizeof(plain)), 0);
	assert_int_equal(find_rc(&h, plain, 1), ERR_NOTFOUND);
}

static void test_audio_level(void **state)
{
	(void)state;
	struct rtp_hdr h;
	uint8_t p[64], level = 0;
	int voice = -1;

	const uint8_t one[] = {0x10, 0x85, 0x20, 0x1e, 0x31, 0x7f, 0x7f};
	size_t len = build_ext(p, RTP_EXT_ONEBYTE, one, sizeof(one));
	assert_int_equal(rtp_parse(&h, p, len), 0);
	assert_int_equal(rtp_audio_level(&h, p, 1, &level, &voice), 0);
	assert_int_equal(level, 5);
	assert_int_equal(voice, 1);
	assert_int_equal(rtp_audio_level(&h, p, 2, &level, &voice), 0);
	assert_int_equal(level, 30);
	assert_int_equal(voice, 0);
	/* RFC 6464 3: one byte only. */
	assert_int_equal(rtp_audio_level(&h, p, 3, &level, &voice), ERR_PROTO);
	assert_int_equal(rtp_audio_level(&h, p, 4, &level, &voice), ERR_NOTFOUND);

	const uint8_t two[] = {5, 1, 0xff, 0, 6, 0, 7, 2, 0x80, 0};
	len = build_ext(p, RTP_EXT_TWOBYTE, two, sizeof(two));
	assert_int_equal(rtp_parse(&h, p, len), 0);
	assert_int_equal(rtp_audio_level(&h, p, 5, &level, &voice), 0);
	assert_int_equal(level, 127);
	assert_int_equal(voice, 1);
	assert_int_equal(rtp_audio_level(&h, p, 6, &level, &voice), ERR_PROTO);
	assert_int_equal(rtp_audio_level(&h, p, 7, &level, &voice), ERR_PROTO);
}

static void test_vp8_keyframe(void **state)
{
	(void)state;
	/* Minimal descriptor S=1 PID=0, then a key frame tag (P=0) and start code. */
	const uint8_t key[] = {0x10, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a};
	assert_int_equal(vp8_is_keyframe(key, sizeof(key)), 1);
	assert_int_equal(vp8_is_keyframe(key, 2), 1);
	assert_int_equal(vp8_is_keyframe(key, 1), 0);
	assert_int_equal(vp8_is_keyframe(key, 0), 0);
	/* Inter frame: P=1. */
	const uint8_t inter[] = {0x10, 0x51, 0x02, 0x00};
	assert_int_equal(vp8_is_keyframe(inter, sizeof(inter)), 0);
	/* Not the start of a frame, or not partition 0. */
	const uint8_t cont[] = {0x00, 0x50};
	assert_int_equal(vp8_is_keyframe(cont, sizeof(cont)), 0);
	const uint8_t pid1[] = {0x11, 0x50};
	assert_int_equal(vp8_is_keyframe(pid1, sizeof(pid1)), 0);
	/* N (non-reference) does not matter; R bits ignored. */
	const uint8_t nbit[] = {0x30, 0x50};
	assert_int_equal(vp8_is_keyframe(nbit, sizeof(nbit)), 1);

	/* X with I (15-bit M picture ID), L, T and K: descriptor of 6 bytes. */
	const uint8_t ext[] = {0x90, 0xf0, 0x80 | 0x12, 0x34, 0x07, 0x40, 0x50, 0x9d};
	assert_int_equal(vp8_is_keyframe(ext, sizeof(ext)), 1);
	for (size_t n = 0; n <= 6; n++)
		assert_int_equal(vp8_is_keyframe(ext, n), 0);
	assert_int_equal(vp8_is_keyframe(ext, 7), 1);
	/* Same with a 7-bit picture ID: the frame tag is one byte earlier. */
	const uint8_t ext7[] = {0x90, 0xf0, 0x12, 0x07, 0x40, 0x51};
	assert_int_equal(vp8_is_keyframe(ext7, sizeof(ext7)), 0); /* P=1 */
	const uint8_t ext7k[] = {0x90, 0xf0, 0x12, 0x07, 0x40, 0x50};
	assert_int_equal(vp8_is_keyframe(ext7k, sizeof(ext7k)), 1);
	/* Only T: one extra byte. */
	const uint8_t tonly[] = {0x90, 0x20, 0x40, 0x50};
	assert_int_equal(vp8_is_keyframe(tonly, sizeof(tonly)), 1);
	/* Only K. */
	const uint8_t konly[] = {0x90, 0x10, 0x40, 0x51};
	assert_int_equal(vp8_is_keyframe(konly, sizeof(konly)), 0);
	/* X with nothing set: the frame tag follows the extension byte. */
	const uint8_t xnone[] = {0x90, 0x00, 0x50};
	assert_int_equal(vp8_is_keyframe(xnone, sizeof(xnone)), 1);
	assert_int_equal(vp8_is_keyframe(xnone, 2), 0);
}

static void test_is_rtcp(void **state)
{
	(void)state;
	uint8_t p[4] = {0x80, 0, 0, 0};

	for (unsigned b = 0; b < 256; b++) {
		p[1] = (uint8_t)b;
		assert_int_equal(rtp_is_rtcp(p, sizeof(p)), b >= 192 && b <= 223);
	}
	p[1] = 200;
	assert_int_equal(rtp_is_rtcp(p, 2), 1);
	assert_int_equal(rtp_is_rtcp(p, 1), 0);
	assert_int_equal(rtp_is_rtcp(p, 0), 0);
	p[0] = 0x40; /* version 1 */
	assert_int_equal(rtp_is_rtcp(p, sizeof(p)), 0);
	p[0] = 0x00;
	assert_int_equal(rtp_is_rtcp(p, sizeof(p)), 0);
}

static void test_setters(void **state)
{
	(void)state;
	struct rtp_hdr h;
	uint8_t p[sizeof(full)];

	memcpy(p, full, sizeof(p));
	rtp_set_pt(p, 96 | 0x80); /* the high bit of pt must not leak into the marker */
	rtp_set_seq(p, 7);
	rtp_set_ts(p, 0x11223344);
	rtp_set_ssrc(p, 0x55667788);
	assert_int_equal(rtp_parse(&h, p, sizeof(p)), 0);
	assert_int_equal(h.marker, 0);
	assert_int_equal(h.pt, 96);
	assert_int_equal(h.seq, 7);
	assert_int_equal(h.ts, 0x11223344);
	assert_int_equal(h.ssrc, 0x55667788);
	assert_int_equal(h.csrc_count, 2);
	assert_int_equal(h.payload_len, 5);
	/* The marker survives a PT change. */
	memcpy(p, plain, sizeof(plain));
	rtp_set_pt(p, 100);
	assert_int_equal(p[1], 0x80 | 100);
	assert_int_equal(p[0], 0x80);
}

static void test_seq_newer(void **state)
{
	(void)state;
	assert_true(seq_newer(1, 0));
	assert_false(seq_newer(0, 1));
	assert_false(seq_newer(5, 5));
	assert_true(seq_newer(0, 65535));
	assert_false(seq_newer(65535, 0));
	assert_true(seq_newer(10, 65530));
	assert_true(seq_newer(0x7fff, 0));
	assert_false(seq_newer(0x8000, 0));
	assert_false(seq_newer(0, 0x8000));
	assert_true(seq_newer(0, 0x8001));
}

/* The SRTP fixtures: name pt<N>_x_<k>.bin. */
#define MAX_FIXTURES 32
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
	snprintf(dir, sizeof(dir), "%s/packets/srtp", root);
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
	return nfx == 8 ? 0 : -1;
}

static void test_fixtures(void **state)
{
	(void)state;
	assert_int_equal(nfx, 8);
	for (size_t i = 0; i < nfx; i++) {
		struct rtp_hdr h, h2;
		const uint8_t *p = fx[i].p, *v;
		size_t vlen;
		unsigned pt = (unsigned)atoi(fx[i].name + 2);

		assert_int_equal(rtp_parse_hdr(&h, p, fx[i].len), 0);
		assert_int_equal(h.pt, pt);
		assert_int_equal(h.seq, rd16(p + 2));
		assert_int_equal(h.ssrc, rd32(p + 8));
		assert_int_equal(h.csrc_count, 0);
		assert_int_equal(h.has_ext, 1);
		assert_int_equal(h.ext_profile, RTP_EXT_ONEBYTE);
		assert_false(rtp_is_rtcp(p, fx[i].len));
		/* Chromium's extmap: 3 transport-wide seq (2 bytes), 4 mid ("0" or "1"). */
		assert_int_equal(rtp_ext_find(&h, p, 3, &v, &vlen), 0);
		assert_int_equal(vlen, 2);
		assert_int_equal(rtp_ext_find(&h, p, 4, &v, &vlen), 0);
		assert_int_equal(vlen, 1);
		assert_int_equal(v[0], pt == 111 ? '0' : '1');
		for (unsigned id = 1; id < 256; id++) {
			int rc = rtp_ext_find(&h, p, (uint8_t)id, &v, &vlen);
			assert_true(rc == 0 || rc == ERR_NOTFOUND);
		}
		/* Where P is clear, rtp_parse agrees. */
		if (!(p[0] & 0x20)) {
			assert_int_equal(rtp_parse(&h2, p, fx[i].len), 0);
			assert_int_equal(h2.header_len, h.header_len);
			assert_int_equal(h2.payload_len, h.payload_len);
		}
		if (pt == 111) {
			uint8_t level;
			int voice;
			/* Both Opus packets carry level 127 with V=1 (0xff) under id 1. */
			assert_int_equal(rtp_audio_level(&h, p, 1, &level, &voice), 0);
			assert_int_equal(level, 127);
			assert_int_equal(voice, 1);
			assert_int_equal(h.marker, p[1] >> 7);
			assert_int_equal(h.header_len, 28);
		}
		if (pt == 119) { /* RTX with the 32-byte block: video-timing (id 7) of 13 bytes */
			assert_int_equal(h.header_len, 48);
			assert_int_equal(rtp_ext_find(&h, p, 7, &v, &vlen), 0);
			assert_int_equal(vlen, 13);
			assert_int_equal(rtp_ext_find(&h, p, 8, &v, &vlen), 0);
			assert_int_equal(vlen, 4);
			assert_int_equal(rtp_ext_find(&h, p, 13, &v, &vlen), 0);
			assert_int_equal(vlen, 1);
		}
		if (strcmp(fx[i].name, "pt111_x_1.bin") == 0) {
			assert_int_equal(h.seq, 0x58e4);
			assert_int_equal(h.ts, 0xc35f15d6);
			assert_int_equal(h.ssrc, 0x775f318e);
			assert_int_equal(h.marker, 1);
			assert_int_equal(h.payload_len, 70 - 28);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_plain),
	    cmocka_unit_test(test_parse_full),
	    cmocka_unit_test(test_bad_version),
	    cmocka_unit_test(test_truncated_every_length),
	    cmocka_unit_test(test_csrc_and_ext_overrun),
	    cmocka_unit_test(test_padding),
	    cmocka_unit_test(test_ext_one_byte),
	    cmocka_unit_test(test_ext_one_byte_id15),
	    cmocka_unit_test(test_ext_one_byte_malformed),
	    cmocka_unit_test(test_ext_two_byte),
	    cmocka_unit_test(test_ext_other),
	    cmocka_unit_test(test_audio_level),
	    cmocka_unit_test(test_vp8_keyframe),
	    cmocka_unit_test(test_is_rtcp),
	    cmocka_unit_test(test_setters),
	    cmocka_unit_test(test_seq_newer),
	    cmocka_unit_test(test_fixtures),
	};
	return cmocka_run_group_tests(tests, load_fixtures, NULL);
}
