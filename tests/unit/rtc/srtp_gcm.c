/* Tests for src/rtc/srtp_gcm.c: RFC 7714's AEAD_AES_128_GCM vectors (sections 16 and 17),
 * RFC 3711's key derivation vectors (B.3), interoperation with libsrtp2 both ways (RTP
 * with and without CSRCs and extensions, RTCP, ROC rollover), replays, tampering,
 * repeated protection, malformed input, the SSRC cap; and srtp_sess choosing it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <srtp2/srtp.h>

#include "base/bytes.h"
#include "base/limits.h"
#include "rtc/srtp.h"
#include "rtc/srtp_gcm.h"

#define BUF 1600

static void unhex(uint8_t *out, size_t n, const char *hex)
{
	size_t i = 0;
	for (const char *c = hex; *c; c++) {
		if (*c == ' ')
			continue;
		unsigned v;
		assert_int_equal(sscanf(c, "%2x", &v), 1);
		assert_true(i < n);
		out[i++] = (uint8_t)v;
		c++;
	}
	assert_int_equal(i, n);
}

/* ---- RFC 3711 Appendix B.3: the AES-CM PRF ---- */

static void kdf_rfc3711_b3(void **state)
{
	(void)state;
	uint8_t key[16], salt[14], want[94], got[94];
	unhex(key, 16, "E1F97A0D3E018BE0D64FA32C06DE4139");
	unhex(salt, 14, "0EC675AD498AFEEBB6960B3AABE6");

	unhex(want, 16, "C61E7A93744F39EE10734AFE3FF7A087");
	assert_int_equal(srtp_gcm_kdf(got, 16, key, salt, 14, 0x00), 0);
	assert_memory_equal(got, want, 16);

	unhex(want, 14, "30CBBC08863D8C85D49DB34A9AE1");
	assert_int_equal(srtp_gcm_kdf(got, 14, key, salt, 14, 0x02), 0);
	assert_memory_equal(got, want, 14);

	/* The authentication key, all 94 bytes of the appendix: six blocks of keystream. */
	unhex(want, 94,
	      "CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE"
	      "E049646C43D9327AD175578EF7227098 6371C10C9A369AC2F94A8C5FBCDDDC25"
	      "6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2");
	assert_int_equal(srtp_gcm_kdf(got, 94, key, salt, 14, 0x01), 0);
	assert_memory_equal(got, want, 94);

	/* A 12-byte salt is the 14-byte one with its last two bytes zero. */
	uint8_t a[16], b[16], salt0[14];
	memcpy(salt0, salt, 12);
	salt0[12] = salt0[13] = 0;
	assert_int_equal(srtp_gcm_kdf(a, 16, key, salt, 12, 0x03), 0);
	assert_int_equal(srtp_gcm_kdf(b, 16, key, salt0, 14, 0x03), 0);
	assert_memory_equal(a, b, 16);
	assert_int_equal(srtp_gcm_kdf(a, 16, key, salt, 15, 0x00), ERR_INVAL);
}

/* ---- RFC 7714 sections 16 and 17 ---- */

/* Section 16: key 00..0f, salt "Quid pro quo", for SRTP and SRTCP alike. */
static struct srtp_gcm_keys rfc7714_keys(void)
{
	struct srtp_gcm_keys k;
	unhex(k.rtp_key, 16, "000102030405060708090a0b0c0d0e0f");
	unhex(k.rtp_salt, 12, "517569642070726f2071756f");
	memcpy(k.rtcp_key, k.rtp_key, 16);
	memcpy(k.rtcp_salt, k.rtp_salt, 12);
	return k;
}

/* SSRC 0x5501a0b2, SEQ 0xf17b, ROC 0; "Gallia est omnis divisa in partes tres". */
static const char RTP_PLAIN[] = "8040f17b8041f8d35501a0b2"
                                "47616c6c696120657374206f6d6e69732064697669736120696e"
                                "207061727465732074726573";
static const char RTP_SEALED[] = "8040f17b8041f8d35501a0b2"
                                 "f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5"
                                 "f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce";
/* SSRC "Mars", SRTCP index 0x5d4. */
static const char RTCP_PLAIN[] = "81c8000d4d6172734e5450314e545032525450200000042a0000e930"
                                 "4c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";
static const char RTCP_SEALED[] = "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f7"
                                  "6c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275b"
                                  "c84aa45896cf4d2fc5abf87245d9eade800005d4";
/* Section 17.3: the same packet authenticated only (E = 0). */
static const char RTCP_TAGGED[] = "81c8000d4d6172734e5450314e545032525450200000042a0000e930"
                                  "4c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef"
                                  "841dd9683dd78ec92ae58790125f62b3000005d4";

static void rfc7714_srtp(void **state)
{
	(void)state;
	struct srtp_gcm_keys k = rfc7714_keys();
	struct srtp_gcm *tx = srtp_gcm_new_session(SRTP_GCM_PROTECT, &k);
	struct srtp_gcm *rx = srtp_gcm_new_session(SRTP_GCM_UNPROTECT, &k);
	assert_non_null(tx);
	assert_non_null(rx);
	uint8_t plain[50], sealed[66], p[BUF];
	unhex(plain, sizeof(plain), RTP_PLAIN);
	unhex(sealed, sizeof(sealed), RTP_SEALED);

	/* 16.1.1: encryption */
	memcpy(p, plain, sizeof(plain));
	size_t len = sizeof(plain);
	assert_int_equal(srtp_gcm_protect_rtp(tx, p, &len), 0);
	assert_int_equal(len, sizeof(sealed));
	assert_memory_equal(p, sealed, sizeof(sealed));
	/* 16.1.2: decryption */
	assert_int_equal(srtp_gcm_unprotect_rtp(rx, p, &len), 0);
	assert_int_equal(len, sizeof(plain));
	assert_memory_equal(p, plain, sizeof(plain));
	srtp_gcm_free(tx);
	srtp_gcm_free(rx);
}

static void rfc7714_srtcp(void **state)
{
	(void)state;
	struct srtp_gcm_keys k = rfc7714_keys();
	struct srtp_gcm *tx = srtp_gcm_new_session(SRTP_GCM_PROTECT, &k);
	struct srtp_gcm *rx = srtp_gcm_new_session(SRTP_GCM_UNPROTECT, &k);
	assert_non_null(tx);
	assert_non_null(rx);
	uint8_t plain[52], sealed[72], tagged[72], p[BUF];
	unhex(plain, sizeof(plain), RTCP_PLAIN);
	unhex(sealed, sizeof(sealed), RTCP_SEALED);
	unhex(tagged, sizeof(tagged), RTCP_TAGGED);

	/* 17.1: encryption. SRTCP indexes start at 0 (RFC 3711 3.3.2), so the 0x5d4th. */
	size_t len;
	for (uint32_t i = 0; i <= 0x5d4; i++) {
		memcpy(p, plain, sizeof(plain));
		len = sizeof(plain);
		assert_int_equal(srtp_gcm_protect_rtcp(tx, p, &len), 0);
		assert_int_equal(rd32(p + len - 4), 0x80000000u | i);
	}
	assert_int_equal(len, sizeof(sealed));
	assert_memory_equal(p, sealed, sizeof(sealed));
	/* 17.1 backwards: decryption */
	assert_int_equal(srtp_gcm_unprotect_rtcp(rx, p, &len), 0);
	assert_int_equal(len, sizeof(plain));
	assert_memory_equal(p, plain, sizeof(plain));
	/* 17.3: tagged, not encrypted; as index 0x5d4 was taken, it is a replay of it. */
	memcpy(p, tagged, sizeof(tagged));
	len = sizeof(tagged);
	assert_int_equal(srtp_gcm_unprotect_rtcp(rx, p, &len), ERR_REPLAY);
	srtp_gcm_free(rx);
	rx = srtp_gcm_new_session(SRTP_GCM_UNPROTECT, &k);
	memcpy(p, tagged, sizeof(tagged));
	len = sizeof(tagged);
	assert_int_equal(srtp_gcm_unprotect_rtcp(rx, p, &len), 0);
	assert_int_equal(len, sizeof(plain));
	assert_memory_equal(p, plain, sizeof(plain));
	/* E is authenticated: clearing it on an encrypted packet breaks the tag. */
	memcpy(p, sealed, sizeof(sealed));
	p[sizeof(sealed) - 4] &= 0x7f;
	len = sizeof(sealed);
	assert_int_equal(srtp_gcm_unprotect_rtcp(rx, p, &len), ERR_AUTH);
	srtp_gcm_free(tx);
	srtp_gcm_free(rx);
}

/* ---- against libsrtp2 ---- */

static const uint8_t MKEY[16] = {0x3c, 0x1f, 0x8a, 0x55, 0x02, 0xe7, 0x91, 0x4d,
                                 0xb6, 0x20, 0x7e, 0xc3, 0x18, 0xaa, 0x64, 0xf9};
static const uint8_t MSALT[12] = {0x9d, 0x41, 0x07, 0xe2, 0x5b, 0xc8,
                                  0x33, 0x7a, 0x10, 0xfe, 0x86, 0x2c};

static srtp_t lib_new(int inbound)
{
	srtp_policy_t pol;
	uint8_t key[28];
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
	srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
	memcpy(key, MKEY, 16);
	memcpy(key + 16, MSALT, 12);
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	pol.key = key;
	pol.window_size = 1024;
	pol.allow_repeat_tx = 1;
	srtp_t s = NULL;
	assert_int_equal(srtp_create(&s, &pol), srtp_err_status_ok);
	return s;
}

static struct srtp_gcm *ours(enum srtp_gcm_dir dir)
{
	struct srtp_gcm *g = srtp_gcm_new(dir, MKEY, MSALT);
	assert_non_null(g);
	return g;
}

/* An RTP packet with cc CSRCs, an extension block of ext words (none if ext < 0) and n
   payload bytes; its length. */
static size_t mk_rtp(uint8_t *p, uint32_t ssrc, uint16_t seq, int cc, int ext, size_t n)
{
	size_t o = 12;
	p[0] = (uint8_t)(0x80 | (ext >= 0 ? 0x10 : 0) | cc);
	p[1] = 96;
	wr16(p + 2, seq);
	wr32(p + 4, 0x1000u * seq);
	wr32(p + 8, ssrc);
	for (int i = 0; i < cc; i++, o += 4)
		wr32(p + o, 0xc0000000u + (uint32_t)i);
	if (ext >= 0) {
		wr16(p + o, 0xBEDE);
		wr16(p + o + 2, (uint16_t)ext);
		o += 4;
		for (int i = 0; i < 4 * ext; i++)
			p[o++] = (uint8_t)(0x10 + i);
	}
	for (size_t i = 0; i < n; i++)
		p[o++] = (uint8_t)(seq + i * 7);
	return o;
}

/* A compound RTCP packet: an SR from ssrc and an SDES with a CNAME. */
static size_t mk_rtcp(uint8_t *p, uint32_t ssrc, uint32_t salt)
{
	static const uint8_t sr[28] = {0x80, 200, 0, 6};
	static const uint8_t sdes[12] = {0x81, 202, 0, 2, 0, 0, 0, 0, 1, 2, 'k', 'm'};
	memcpy(p, sr, sizeof(sr));
	wr32(p + 4, ssrc);
	wr32(p + 8, salt);
	memcpy(p + 28, sdes, sizeof(sdes));
	wr32(p + 32, ssrc);
	return 40;
}

/* libsrtp protects, we unprotect; then we protect, libsrtp unprotects; both ways the
   packet comes out as it went in, and our protection is libsrtp's byte for byte. */
static void rtp_both_ways(srtp_t lib_tx, struct srtp_gcm *rx, struct srtp_gcm *tx, srtp_t lib_rx,
                          const uint8_t *plain, size_t len)
{
	uint8_t a[BUF], b[BUF];
	memcpy(a, plain, len);
	int n = (int)len;
	assert_int_equal(srtp_protect(lib_tx, a, &n), srtp_err_status_ok);
	assert_int_equal(n, (int)len + 16);
	memcpy(b, plain, len);
	size_t m = len;
	assert_int_equal(srtp_gcm_protect_rtp(tx, b, &m), 0);
	assert_int_equal(m, (size_t)n);
	assert_memory_equal(a, b, m);

	assert_int_equal(srtp_gcm_unprotect_rtp(rx, a, &m), 0);
	assert_int_equal(m, len);
	assert_memory_equal(a, plain, len);
	assert_int_equal(srtp_unprotect(lib_rx, b, &n), srtp_err_status_ok);
	assert_int_equal(n, (int)len);
	assert_memory_equal(b, plain, len);
}

struct pair {
	srtp_t lib_tx, lib_rx;
	struct srtp_gcm *tx, *rx;
};

static struct pair pair_new(void)
{
	return (struct pair){lib_new(0), lib_new(1), ours(SRTP_GCM_PROTECT),
	                     ours(SRTP_GCM_UNPROTECT)};
}

static void pair_free(struct pair *q)
{
	srtp_dealloc(q->lib_tx);
	srtp_dealloc(q->lib_rx);
	srtp_gcm_free(q->tx);
	srtp_gcm_free(q->rx);
}

static void libsrtp_rtp_shapes(void **state)
{
	(void)state;
	struct pair q = pair_new();
	uint8_t p[BUF];
	uint16_t seq = 100;
	/* header only, CSRCs, an extension, both, the largest, an empty payload, and 1200 */
	const int shapes[][3] = {{0, -1, 160}, {2, -1, 160}, {0, 3, 160},  {15, 8, 300},
	                         {0, 0, 1},    {3, 2, 0},    {0, 3, 1200}, {1, -1, 1200}};
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		for (uint32_t ssrc = 0x11111111; ssrc <= 0x33333333; ssrc += 0x11111111) {
			size_t len = mk_rtp(p, ssrc, seq++, shapes[s][0], shapes[s][1],
			                    (size_t)shapes[s][2]);
			rtp_both_ways(q.lib_tx, q.rx, q.tx, q.lib_rx, p, len);
		}
	}
	/* Padding (P set, the count last) is payload to SRTP. */
	size_t len = mk_rtp(p, 0x11111111, seq, 0, 1, 40);
	p[0] |= 0x20;
	p[len - 1] = 4;
	rtp_both_ways(q.lib_tx, q.rx, q.tx, q.lib_rx, p, len);
	pair_free(&q);
}

static void libsrtp_rtcp(void **state)
{
	(void)state;
	struct pair q = pair_new();
	uint8_t plain[64], a[BUF], b[BUF];
	for (uint32_t i = 0; i < 300; i++) {
		uint32_t ssrc = i % 3 == 0 ? 0xabcdef01 : 0x1234 + i % 3;
		size_t len = mk_rtcp(plain, ssrc, i);
		/* libsrtp -> ours */
		memcpy(a, plain, len);
		int n = (int)len;
		assert_int_equal(srtp_protect_rtcp(q.lib_tx, a, &n), srtp_err_status_ok);
		assert_int_equal(n, (int)len + 20);
		size_t m = (size_t)n;
		assert_int_equal(srtp_gcm_unprotect_rtcp(q.rx, a, &m), 0);
		assert_int_equal(m, len);
		assert_memory_equal(a, plain, len);
		/* ours -> libsrtp */
		memcpy(b, plain, len);
		m = len;
		assert_int_equal(srtp_gcm_protect_rtcp(q.tx, b, &m), 0);
		assert_int_equal(m, len + 20);
		assert_true(b[m - 4] & 0x80); /* encrypted */
		n = (int)m;
		assert_int_equal(srtp_unprotect_rtcp(q.lib_rx, b, &n), srtp_err_status_ok);
		assert_int_equal(n, (int)len);
		assert_memory_equal(b, plain, len);
	}
	pair_free(&q);
}

/* Sequence numbers wrap from 65535 to 0 and the ROC follows, both ways, with packets of
   either side of the wrap arriving late. */
static void roc_rollover(void **state)
{
	(void)state;
	struct pair q = pair_new();
	uint8_t p[BUF];
	const uint32_t ssrc = 0xfeedbeef;
	/* From 65000 past two wraps, in order but for neighbours swapped every 700 packets
	   and at each wrap, so that 65535 comes after 0. */
	const uint32_t held = 131072 - 200; /* ROC 1; sent only after the second wrap */
	uint32_t s = 65000;
	for (; s < 131072 + 300; s++) {
		uint32_t send = s;
		if (s == held)
			continue;
		if (s % 65536 == 65535 || s % 700 == 0)
			send = s + 1;
		else if (s % 65536 == 0 || s % 700 == 1)
			send = s - 1;
		size_t len = mk_rtp(p, ssrc, (uint16_t)send, 0, 1, 20);
		rtp_both_ways(q.lib_tx, q.rx, q.tx, q.lib_rx, p, len);
	}
	/* The ROC is 2 now; one from before the wrap comes late, within the window. */
	size_t len = mk_rtp(p, ssrc, (uint16_t)held, 0, 1, 20);
	rtp_both_ways(q.lib_tx, q.rx, q.tx, q.lib_rx, p, len);
	/* One that came before is a replay to both. */
	uint8_t a[BUF];
	len = mk_rtp(p, ssrc, (uint16_t)(131072 - 100), 0, 1, 20); /* the same bytes again */
	size_t m = len;
	memcpy(a, p, len);
	int n = (int)len;
	assert_int_equal(srtp_protect(q.lib_tx, a, &n), srtp_err_status_ok);
	assert_int_equal(srtp_gcm_protect_rtp(q.tx, p, &m), 0);
	assert_memory_equal(a, p, m);
	assert_int_equal(srtp_gcm_unprotect_rtp(q.rx, p, &m), ERR_REPLAY);
	assert_int_equal(srtp_unprotect(q.lib_rx, a, &n), srtp_err_status_replay_fail);
	pair_free(&q);
}

/* A stream whose numbers began a few short of 2^16 and whose first packets were lost: the
   first to arrive is past the wrap (rollover 1), and it and all after it are still heard.
   A damaged packet of a new stream fails under both rollovers and leaves nothing behind. */
static void first_packets_past_the_wrap(void **state)
{
	(void)state;
	struct srtp_gcm *tx = ours(SRTP_GCM_PROTECT), *rx = ours(SRTP_GCM_UNPROTECT);
	uint8_t p[BUF], want[BUF], first[BUF];
	const uint32_t ssrc = 0x0badf00d;
	size_t first_len = 0;
	for (uint32_t s = 65530; s < 65536 + 40; s++) {
		size_t len = mk_rtp(p, ssrc, (uint16_t)s, 0, 1, 20);
		size_t want_len = len;
		memcpy(want, p, len);
		assert_int_equal(srtp_gcm_protect_rtp(tx, p, &len), 0);
		if (s < 65536)
			continue; /* lost on the way */
		if (!first_len) {
			first_len = len;
			memcpy(first, p, len);
		}
		size_t m = len;
		assert_int_equal(srtp_gcm_unprotect_rtp(rx, p, &m), 0);
		assert_int_equal(m, want_len);
		assert_memory_equal(p, want, m);
	}
	size_t m = first_len;
	assert_int_equal(srtp_gcm_unprotect_rtp(rx, first, &m), ERR_REPLAY);

	size_t len = mk_rtp(p, 0x5eed, 3, 0, 1, 20);
	assert_int_equal(srtp_gcm_protect_rtp(tx, p, &len), 0);
	memcpy(first, p, len);
	p[len - 1] ^= 0x01;
	m = len;
	assert_int_equal(srtp_gcm_unprotect_rtp(rx, p, &m), ERR_AUTH);
	m = len;
	assert_int_equal(srtp_gcm_unprotect_rtp(rx, first, &m), 0); /* rollover 0 comes first */
	srtp_gcm_free(tx);
	srtp_gcm_free(rx);
}

static void replays(void **state)
{
	(void)state;
	struct pair q = pair_new();
	uint8_t p[BUF], first[BUF], again[BUF];
	size_t len, m;
	const uint32_t ssrc = 0x0a0b0c0d;

	/* A packet, then the same packet again. */
	len = mk_rtp(p, ssrc, 5000, 0, 1, 100);
	m = len;
	assert_int_equal(srtp_gcm_protect_rtp(q.tx, p, &m), 0);
	memcpy(first, p, m);
	size_t first_len = m;
	assert_int_equal(srtp_gcm_unprotect_rtp(q.rx, p, &m), 0);
	memcpy(p, first, first_len);
	m = first_len;
	assert_int_equal(srtp_gcm_unprotect_rtp(q.rx, p, &m), ERR_REPLAY);

	/* Up to 1023 behind the newest: new ones pass once; 1024 behind is too old. The
	   sealed packets are kept: protect will not seal an index that far back again. */
	static uint8_t kept[1100][BUF];
	static size_t kept_len[1100];
	for (uint16_t s = 5001; s <= 5000 + 1100; s++) {
		len = mk_rtp(p, ssrc, s, 0, -1, 10);
		assert_int_equal(srtp_gcm_protect_rtp(q.tx, p, &len), 0);
		memcpy(kept[s - 5001], p, len);
		kept_len[s - 5001] = len;
		if (s % 2)
			assert_int_equal(srtp_gcm_unprotect_rtp(q.rx, p, &len), 0);
	}
	uint16_t top = 5000 + 1099; /* the newest received */
	for (uint16_t back = 1; back <= 1030; back++) {
		uint16_t s = (uint16_t)(top - back);
		len = kept_len[s - 5001];
		memcpy(p, kept[s - 5001], len);
		memcpy(again, p, len);
		m = len;
		int want = back >= 1024 || s % 2 ? ERR_REPLAY : 0;
		if (srtp_gcm_unprotect_rtp(q.rx, p, &m) != want)
			fail_msg("back %u", back);
		if (want == 0) {
			memcpy(p, again, len);
			m = len;
			assert_int_equal(srtp_gcm_unprotect_rtp(q.rx, p, &m), ERR_REPLAY);
		}
	}
	/* libsrtp agrees on what is a replay. */
	memcpy(p, first, first_len);
	int n = (int)first_len;
	assert_int_equal(srtp_unprotect(q.lib_rx, p, &n), srtp_err_status_ok);
	memcpy(p, first, first_len);
	n = (int)first_len;
	assert_int_equal(srtp_unprotect(q.lib_rx, p, &n), srtp_err_status_replay_fail);

	/* SRTCP: the same index twice, and one 128 behind the newest. */
	uint8_t r[BUF], r0[BUF];
	len = mk_rtcp(r, ssrc, 1);
	assert_int_equal(srtp_gcm_protect_rtcp(q.tx, r, &len), 0);
	memcpy(r0, r, len);
	size_t r0_len = len;
	m = len;
	assert_int_equal(srtp_gcm_unprotect_rtcp(q.rx, r, &m), 0);
	memcpy(r, r0, r0_len);
	m = r0_len;
	assert_int_equal(srtp_gcm_unprotect_rtcp(q.rx, r, &m), ERR_REPLAY);
	uint8_t late[BUF];
	size_t late_len = 0;
	for (int i = 1; i <= 130; i++) {
		len = mk_rtcp(r, ssrc, 1);
		assert_int_equal(srtp_gcm_protect_rtcp(q.tx, r, &len), 0);
		if (i == 2) {
			memcpy(late, r, len); /* index 2, kept back */
			late_len = len;
			continue;
		}
		assert_int_equal(srtp_gcm_unprotect_rtcp(q.rx, r, &len), 0);
	}
	/* The newest is 130; 2 is 128 behind: too old. */
	assert_int_equal(srtp_gcm_unprotect_rtcp(q.rx, late, &late_len), ERR_REPLAY);
	pair_free(&q);
}

static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 8;
}

/* Packets late, early, repeated and too old, around wraps: we and libsrtp take the same
   ones. Our protection is libsrtp's byte for byte (above), so ours feeds both. */
static void replay_matches_libsrtp(void **state)
{
	(void)state;
	struct pair q = pair_new();
	uint8_t p[BUF], a[BUF];
	uint32_t x = 7, top = 60000, ok = 0, refused = 0;
	for (int i = 0; i < 40000; i++) {
		uint32_t r = lcg(&x) % 100, s;
		if (r < 60)
			s = top + 1 + lcg(&x) % 3; /* onwards, with small gaps */
		else if (r < 90)
			s = top - lcg(&x) % 64; /* late, or again */
		else
			s = top - lcg(&x) % 1100; /* around the edge of the window */
		if (s > top)
			top = s;
		size_t len = mk_rtp(p, 0xd00d, (uint16_t)s, 0, -1, 16), m;
		int sealed = srtp_gcm_protect_rtp(q.tx, p, &len);
		if (sealed == ERR_REPLAY && top - s >= 1024)
			continue; /* protect seals nothing that far back, used or not */
		assert_int_equal(sealed, 0);
		memcpy(a, p, len);
		int n = (int)len;
		srtp_err_status_t e = srtp_unprotect(q.lib_rx, a, &n);
		m = len;
		int rc = srtp_gcm_unprotect_rtp(q.rx, p, &m);
		if (e == srtp_err_status_ok) {
			assert_int_equal(rc, 0);
			assert_memory_equal(a, p, m);
			ok++;
		} else {
			assert_true(e == srtp_err_status_replay_fail ||
			            e == srtp_err_status_replay_old);
			assert_int_equal(rc, ERR_REPLAY);
			refused++;
		}
	}
	assert_true(ok > 20000 && refused > 1000);

	/* SRTCP: indexes 0..599 in a shuffled order with repeats. */
	static uint8_t pk[600][64];
	static size_t pl[600];
	for (int i = 0; i < 600; i++) {
		pl[i] = mk_rtcp(pk[i], 0xd00d, (uint32_t)i);
		assert_int_equal(srtp_gcm_protect_rtcp(q.tx, pk[i], &pl[i]), 0);
	}
	ok = refused = 0;
	int hi = 0;
	for (int i = 0; i < 3000; i++) {
		int k = hi - (int)(lcg(&x) % 160);
		if (lcg(&x) % 2 && hi < 599)
			k = ++hi;
		if (k < 0)
			k = 0;
		memcpy(p, pk[k], pl[k]);
		memcpy(a, pk[k], pl[k]);
		int n = (int)pl[k];
		size_t m = pl[k];
		srtp_err_status_t e = srtp_unprotect_rtcp(q.lib_rx, a, &n);
		int rc = srtp_gcm_unprotect_rtcp(q.rx, p, &m);
		if (e == srtp_err_status_ok) {
			assert_int_equal(rc, 0);
			ok++;
		} else {
			assert_true(e == srtp_err_status_replay_fail ||
			            e == srtp_err_status_replay_old);
			assert_int_equal(rc, ERR_REPLAY);
			refused++;
		}
	}
	assert_true(ok >= 590 && refused > 1000);
	pair_free(&q);
}

/* Any changed bit in header, payload, tag or trailer fails authentication, and leaves
   nothing in OpenSSL's error queue. */
static void tampering(void **state)
{
	(void)state;
	struct srtp_gcm *tx = ours(SRTP_GCM_PROTECT), *rx = ours(SRTP_GCM_UNPROTECT);
	uint8_t p[BUF], sealed[BUF];
	size_t len = mk_rtp(p, 0x5eed, 7, 2, 2, 64);
	const size_t hdr = 12 + 8 + 4; /* up to the extension's length */
	assert_int_equal(srtp_gcm_protect_rtp(tx, p, &len), 0);
	memcpy(sealed, p, len);
	ERR_clear_error();
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(p, sealed, len);
			p[i] ^= (uint8_t)(1u << bit);
			size_t m = len;
			int rc = srtp_gcm_unprotect_rtp(rx, p, &m);
			/* The first byte and the extension length may make it malformed. */
			if (i == 0 || i == hdr - 2 || i == hdr - 1)
				assert_true(rc == ERR_PROTO || rc == ERR_AUTH);
			else
				assert_int_equal(rc, ERR_AUTH);
		}
	}
	assert_int_equal(ERR_peek_error(), 0);
	size_t m = len;
	memcpy(p, sealed, len);
	assert_int_equal(srtp_gcm_unprotect_rtp(rx, p, &m), 0); /* the original still is fine */

	len = mk_rtcp(p, 0x5eed, 3);
	assert_int_equal(srtp_gcm_protect_rtcp(tx, p, &len), 0);
	memcpy(sealed, p, len);
	for (size_t i = 0; i < len; i++) {
		memcpy(p, sealed, len);
		p[i] ^= i == 0 ? 0x01 : 0x80;
		m = len;
		assert_int_equal(srtp_gcm_unprotect_rtcp(rx, p, &m), ERR_AUTH);
	}
	/* Truncated: the tag moves. */
	memcpy(p, sealed, len);
	m = len - 1;
	assert_int_not_equal(srtp_gcm_unprotect_rtcp(rx, p, &m), 0);
	assert_int_equal(ERR_peek_error(), 0);
	srtp_gcm_free(tx);
	srtp_gcm_free(rx);
}

/* kamerd answers a NACK by protecting the same packet again: same bytes, and the
   receiver takes the first copy it gets. */
static void repeat_protect(void **state)
{
	(void)state;
	struct pair q = pair_new();
	uint8_t plain[BUF], a[BUF], b[BUF], c[BUF];
	size_t len = mk_rtp(plain, 0x77, 9, 0, 1, 500), la, lb, lc;
	memcpy(a, plain, len);
	la = len;
	assert_int_equal(srtp_gcm_protect_rtp(q.tx, a, &la), 0);
	for (uint16_t s = 10; s < 200; s++) { /* it goes on meanwhile */
		lc = mk_rtp(c, 0x77, s, 0, 1, 500);
		assert_int_equal(srtp_gcm_protect_rtp(q.tx, c, &lc), 0);
	}
	memcpy(b, plain, len);
	lb = len;
	assert_int_equal(srtp_gcm_protect_rtp(q.tx, b, &lb), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	int n = (int)lb;
	assert_int_equal(srtp_unprotect(q.lib_rx, b, &n), srtp_err_status_ok);
	assert_memory_equal(b, plain, len);
	assert_int_equal(srtp_gcm_unprotect_rtp(q.rx, a, &la), 0);
	assert_memory_equal(a, plain, len);
	pair_free(&q);
}

/* Different bytes under an index already used would reuse GCM's nonce (and give away the
   authentication key): protect refuses and leaves nothing readable behind. The same bytes
   again (a NACK answered) are fine, and so is a late index never used. */
static void nonce_reuse_refused(void **state)
{
	(void)state;
	struct pair q = pair_new();
	uint8_t a[BUF], b[BUF], zero[BUF];
	size_t la = mk_rtp(a, 0x51, 100, 0, 1, 300), lb = mk_rtp(b, 0x51, 100, 0, 1, 301);
	assert_int_equal(srtp_gcm_protect_rtp(q.tx, a, &la), 0);
	size_t before = lb;
	assert_int_equal(srtp_gcm_protect_rtp(q.tx, b, &lb), ERR_REPLAY);
	assert_int_equal(lb, before);
	memset(zero, 0, sizeof(zero));
	assert_memory_equal(b, zero, lb + SRTP_GCM_RTP_OVERHEAD);
	/* The same packet again seals to the same bytes. */
	lb = mk_rtp(b, 0x51, 100, 0, 1, 300);
	assert_int_equal(srtp_gcm_protect_rtp(q.tx, b, &lb), 0);
	assert_memory_equal(a, b, la);
	/* A header that differs counts too (it is authenticated). */
	lb = mk_rtp(b, 0x51, 100, 0, 1, 300);
	b[1] = 97;
	assert_int_equal(srtp_gcm_protect_rtp(q.tx, b, &lb), ERR_REPLAY);
	/* Onwards, then a late one never used, then one too far back to know. */
	for (uint16_t s = 101; s <= 1200; s++) {
		if (s == 150 || s == 1100)
			continue;
		lb = mk_rtp(b, 0x51, s, 0, 1, 30);
		assert_int_equal(srtp_gcm_protect_rtp(q.tx, b, &lb), 0);
	}
	lb = mk_rtp(b, 0x51, 1000, 0, 1, 31);
	assert_int_equal(srtp_gcm_protect_rtp(q.tx, b, &lb), ERR_REPLAY);
	lb = mk_rtp(b, 0x51, 150, 0, 1, 30);
	assert_int_equal(srtp_gcm_protect_rtp(q.tx, b, &lb), ERR_REPLAY); /* 1050 back */
	lb = mk_rtp(b, 0x51, 1100, 0, 1, 99);                             /* late, first time */
	assert_int_equal(srtp_gcm_protect_rtp(q.tx, b, &lb), 0);
	lb = mk_rtp(b, 0x51, 1190, 0, 1, 30);
	assert_int_equal(srtp_gcm_protect_rtp(q.tx, b, &lb), 0);
	pair_free(&q);
}

/* Unprotect from an exact-size heap copy, so ASan sees any read past the end. */
static int unprotect_copy(struct srtp_gcm *rx, int rtcp, const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);
	assert_non_null(c);
	memcpy(c, p, len);
	size_t m = len;
	int rc = rtcp ? srtp_gcm_unprotect_rtcp(rx, c, &m) : srtp_gcm_unprotect_rtp(rx, c, &m);
	free(c);
	return rc;
}

static void malformed(void **state)
{
	(void)state;
	struct srtp_gcm *tx = ours(SRTP_GCM_PROTECT), *rx = ours(SRTP_GCM_UNPROTECT);
	uint8_t p[BUF];
	size_t len;
	memset(p, 0, sizeof(p));
	for (size_t n = 0; n < 28; n++) { /* shorter than a header and a tag */
		memset(p, 0, n);
		if (n > 0)
			p[0] = 0x80;
		assert_int_equal(unprotect_copy(rx, 0, p, n), ERR_PROTO);
	}
	assert_int_equal(unprotect_copy(rx, 0, p, 28), ERR_AUTH); /* 12 + 16: fits */
	len = mk_rtp(p, 1, 1, 0, -1, 100);
	p[0] = 0x40; /* version 1 */
	assert_int_equal(unprotect_copy(rx, 0, p, len), ERR_PROTO);
	/* CSRCs or an extension that reach into the tag */
	len = mk_rtp(p, 1, 1, 4, -1, 0);
	assert_int_equal(unprotect_copy(rx, 0, p, len + 15), ERR_PROTO);
	assert_int_equal(unprotect_copy(rx, 0, p, len + 16), ERR_AUTH);
	len = mk_rtp(p, 1, 1, 0, 5, 0);
	assert_int_equal(unprotect_copy(rx, 0, p, len + 15), ERR_PROTO);
	assert_int_equal(unprotect_copy(rx, 0, p, len + 16), ERR_AUTH);
	/* SRTCP: header, tag and trailer at least; version 2 */
	for (size_t n = 0; n < 28; n++) {
		memset(p, 0, n);
		if (n > 0)
			p[0] = 0x80;
		assert_int_equal(unprotect_copy(rx, 1, p, n), ERR_PROTO);
	}
	memset(p, 0, 28);
	p[0] = 0x80;
	assert_int_equal(unprotect_copy(rx, 1, p, 28), ERR_AUTH);
	p[0] = 0xc0;
	assert_int_equal(unprotect_copy(rx, 1, p, 28), ERR_PROTO);

	/* Protect: not RTP, RTCP too short, and the wrong direction. */
	len = 11;
	p[0] = 0x80;
	assert_int_equal(srtp_gcm_protect_rtp(tx, p, &len), ERR_PROTO);
	len = mk_rtp(p, 1, 1, 0, -1, 10);
	p[0] = 0x00;
	assert_int_equal(srtp_gcm_protect_rtp(tx, p, &len), ERR_PROTO);
	len = 7;
	p[0] = 0x80;
	assert_int_equal(srtp_gcm_protect_rtcp(tx, p, &len), ERR_PROTO);
	len = mk_rtp(p, 1, 1, 0, -1, 10);
	assert_int_equal(srtp_gcm_protect_rtp(rx, p, &len), ERR_INVAL);
	assert_int_equal(srtp_gcm_unprotect_rtp(tx, p, &len), ERR_INVAL);
	assert_int_equal(srtp_gcm_protect_rtcp(rx, p, &len), ERR_INVAL);
	assert_int_equal(srtp_gcm_unprotect_rtcp(tx, p, &len), ERR_INVAL);
	srtp_gcm_free(tx);
	srtp_gcm_free(rx);
	srtp_gcm_free(NULL);
}

/* LIM_SRTP_SSRCS streams, kept apart while the table grows; then no more. A forged packet
   from a new SSRC takes no room. */
static void ssrc_cap(void **state)
{
	(void)state;
	struct pair q = pair_new();
	uint8_t p[BUF], keep[BUF];
	size_t len, keep_len = 0;
	for (uint32_t i = 0; i < LIM_SRTP_SSRCS; i++) {
		uint32_t ssrc = i * 0x10000u; /* the same low bits: a poor hash would suffer */
		len = mk_rtp(p, ssrc, (uint16_t)(40000 + i), 0, -1, 8);
		assert_int_equal(srtp_gcm_protect_rtp(q.tx, p, &len), 0);
		if (i == 0) {
			memcpy(keep, p, len);
			keep_len = len;
		}
		/* a forgery first: it must not take a stream */
		uint8_t f[BUF];
		memcpy(f, p, len);
		f[len - 1] ^= 1;
		size_t fl = len;
		assert_int_equal(srtp_gcm_unprotect_rtp(q.rx, f, &fl), ERR_AUTH);
		assert_int_equal(srtp_gcm_unprotect_rtp(q.rx, p, &len), 0);
	}
	/* All still known, each with its own window. */
	assert_int_equal(srtp_gcm_unprotect_rtp(q.rx, keep, &keep_len), ERR_REPLAY);
	for (uint32_t i = 0; i < LIM_SRTP_SSRCS; i++) {
		len = mk_rtp(p, i * 0x10000u, (uint16_t)(40001 + i), 0, -1, 8);
		assert_int_equal(srtp_gcm_protect_rtp(q.tx, p, &len), 0);
		assert_int_equal(srtp_gcm_unprotect_rtp(q.rx, p, &len), 0);
		len = mk_rtcp(p, i * 0x10000u, i);
		assert_int_equal(srtp_gcm_protect_rtcp(q.tx, p, &len), 0);
		assert_int_equal(srtp_gcm_unprotect_rtcp(q.rx, p, &len), 0);
	}
	len = mk_rtp(p, 0xffffffff, 1, 0, -1, 8);
	assert_int_equal(srtp_gcm_protect_rtp(q.tx, p, &len), ERR_LIMIT);
	len = mk_rtcp(p, 0xffffffff, 1);
	assert_int_equal(srtp_gcm_protect_rtcp(q.tx, p, &len), ERR_LIMIT);
	/* libsrtp made the packet; we have no room for its SSRC */
	len = mk_rtp(p, 0xffffffff, 1, 0, -1, 8);
	int n = (int)len;
	assert_int_equal(srtp_protect(q.lib_tx, p, &n), srtp_err_status_ok);
	len = (size_t)n;
	assert_int_equal(srtp_gcm_unprotect_rtp(q.rx, p, &len), ERR_LIMIT);
	pair_free(&q);
}

/* srtp_sess takes the GCM profile here, AES-CM to libsrtp, and tells replays apart. */
static void sess_dispatch(void **state)
{
	(void)state;
	struct dtls_keys k = {.profile = DTLS_SRTP_AEAD_AES_128_GCM, .key_len = 16, .salt_len = 12};
	memcpy(k.local_key, MKEY, 16);
	memcpy(k.local_salt, MSALT, 12);
	memcpy(k.remote_key, MKEY, 16);
	memcpy(k.remote_salt, MSALT, 12);
	struct srtp_sess *s = srtp_sess_new(&k);
	assert_non_null(s);
	srtp_t lib_rx = lib_new(1);
	uint8_t plain[BUF], p[BUF], q[BUF];
	size_t len = mk_rtp(plain, 42, 1, 0, 1, 200), m = len;
	memcpy(p, plain, len);
	assert_int_equal(srtp_sess_protect_rtp(s, p, &m), 0);
	memcpy(q, p, m);
	int n = (int)m;
	assert_int_equal(srtp_unprotect(lib_rx, q, &n), srtp_err_status_ok);
	assert_memory_equal(q, plain, len);
	memcpy(q, p, m);
	size_t m2 = m;
	assert_int_equal(srtp_sess_unprotect_rtp(s, p, &m), 0);
	assert_int_equal(srtp_sess_unprotect_rtp(s, q, &m2), ERR_REPLAY);
	len = mk_rtcp(p, 42, 0);
	assert_int_equal(srtp_sess_protect_rtcp(s, p, &len), 0);
	assert_int_equal(srtp_sess_unprotect_rtcp(s, p, &len), 0);
	srtp_sess_free(s);
	srtp_dealloc(lib_rx);

	k.profile = DTLS_SRTP_AES128_CM_SHA1_80;
	k.salt_len = 14;
	s = srtp_sess_new(&k);
	assert_non_null(s);
	len = mk_rtp(p, 42, 1, 0, 1, 200);
	assert_int_equal(srtp_sess_protect_rtp(s, p, &len), 0);
	memcpy(q, p, len);
	m2 = len;
	assert_int_equal(srtp_sess_unprotect_rtp(s, p, &len), 0);
	assert_int_equal(srtp_sess_unprotect_rtp(s, q, &m2), ERR_REPLAY);
	len = mk_rtp(p, 42, 2, 0, 1, 200);
	assert_int_equal(srtp_sess_protect_rtp(s, p, &len), 0);
	p[20] ^= 1;
	assert_int_equal(srtp_sess_unprotect_rtp(s, p, &len), ERR_AUTH);
	srtp_sess_free(s);

	k.profile = DTLS_SRTP_AEAD_AES_128_GCM; /* with the wrong salt length */
	assert_null(srtp_sess_new(&k));
}

static int setup(void **state)
{
	(void)state;
	return srtp_sess_global_init();
}

static int teardown(void **state)
{
	(void)state;
	srtp_sess_global_done();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(kdf_rfc3711_b3),
	    cmocka_unit_test(rfc7714_srtp),
	    cmocka_unit_test(rfc7714_srtcp),
	    cmocka_unit_test(libsrtp_rtp_shapes),
	    cmocka_unit_test(libsrtp_rtcp),
	    cmocka_unit_test(roc_rollover),
	    cmocka_unit_test(first_packets_past_the_wrap),
	    cmocka_unit_test(replays),
	    cmocka_unit_test(replay_matches_libsrtp),
	    cmocka_unit_test(tampering),
	    cmocka_unit_test(repeat_protect),
	    cmocka_unit_test(nonce_reuse_refused),
	    cmocka_unit_test(malformed),
	    cmocka_unit_test(ssrc_cap),
	    cmocka_unit_test(sess_dispatch),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
