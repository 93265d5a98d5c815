/* fuzz_srtp_gcm.c - SRTP-GCM (rtc/srtp_gcm.c) with a fixed key. Any bytes are unprotected
 * as SRTP and as SRTCP: they fail with a known code or authenticate (the seeds do) and
 * shrink by the tag. Then the same bytes, read as a script of packets, go through a
 * protecting and an unprotecting context: each comes back as it went, protecting it
 * again gives the same bytes, one flipped bit fails, and replays are refused exactly when
 * a simple model of the window says so. Protect refuses other bytes under an index it
 * sealed before, and anything 1024 or more behind its newest, also as the model says. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "rtc/srtp_gcm.h"

/* The seeds in fuzz/corpus/srtp_gcm were protected with this key and salt. */
static const uint8_t key[SRTP_GCM_KEY_LEN] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t salt[SRTP_GCM_SALT_LEN] = {16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27};

#define SSRCS  4
#define SCRIPT 256 /* packets at most per input */

/* A broken invariant is a bug in our code, not bad input: abort so libFuzzer reports it. */
static void must(int ok)
{
	if (!ok)
		abort();
}

static int known(int rc)
{
	return rc == 0 || rc == ERR_PROTO || rc == ERR_AUTH || rc == ERR_REPLAY;
}

/* 1 if the bytes authenticated as SRTP or SRTCP. */
static int unprotect_any(struct srtp_gcm *rx, const uint8_t *data, size_t size)
{
	static uint8_t buf[1 << 17];
	if (size > sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	size_t len = size;
	int rtp = srtp_gcm_unprotect_rtp(rx, buf, &len);
	must(known(rtp));
	must(rtp != 0 || (len + SRTP_GCM_RTP_OVERHEAD == size && len >= 12));
	memcpy(buf, data, size);
	len = size;
	int rtcp = srtp_gcm_unprotect_rtcp(rx, buf, &len);
	must(known(rtcp));
	must(rtcp != 0 || (len + SRTP_GCM_RTCP_OVERHEAD == size && len >= 8));
	return rtp == 0 || rtcp == 0;
}

/* What the unprotecting side should have accepted: per SSRC, the highest packet index and
   every index taken (a list: the script is short). */
struct model {
	uint64_t top[SSRCS];
	int any[SSRCS];
	uint64_t seen[SSRCS][SCRIPT];
	size_t nseen[SSRCS];
	/* the protecting side: what it sealed, by index and a hash of the bytes */
	uint64_t tx_top[SSRCS];
	uint64_t sealed[SSRCS][SCRIPT], sealed_hash[SSRCS][SCRIPT];
	size_t nsealed[SSRCS];
};

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* 1 if protect should seal idx with these bytes (and records it), 0 if it should refuse. */
static int model_seals(struct model *m, int s, uint64_t idx, const uint8_t *p, size_t n)
{
	uint64_t h = fnv(p, n);
	if (m->nsealed[s] > 0 && idx < m->tx_top[s] && m->tx_top[s] - idx >= 1024)
		return 0;
	for (size_t i = 0; i < m->nsealed[s]; i++) {
		if (m->sealed[s][i] == idx)
			return m->sealed_hash[s][i] == h;
	}
	if (m->nsealed[s] == 0 || idx > m->tx_top[s])
		m->tx_top[s] = idx;
	m->sealed[s][m->nsealed[s]] = idx;
	m->sealed_hash[s][m->nsealed[s]++] = h;
	return 1;
}

static int model_accepts(struct model *m, int s, uint64_t idx)
{
	int fresh = !m->any[s] || idx > m->top[s] || m->top[s] - idx < 1024;
	for (size_t i = 0; fresh && i < m->nseen[s]; i++)
		fresh = m->seen[s][i] != idx;
	if (fresh) {
		if (!m->any[s] || idx > m->top[s])
			m->top[s] = idx;
		m->any[s] = 1;
		m->seen[s][m->nseen[s]++] = idx;
	}
	return fresh;
}

/* Records of 3 bytes and a payload: b0 = SSRC (bits 0-1), RTCP (bit 2), an extension (bit
   3), CSRCs (bits 4-5); b1 = the step of the sequence number, -128..127, which keeps the
   index easy to follow; b2 = the payload length (0..63) and where to flip a bit. */
static void script(const uint8_t *data, size_t size)
{
	static uint8_t plain[2048], a[2048], b[2048];
	struct srtp_gcm *tx = srtp_gcm_new(SRTP_GCM_PROTECT, key, salt);
	struct srtp_gcm *rx = srtp_gcm_new(SRTP_GCM_UNPROTECT, key, salt);
	static struct model m;
	uint64_t idx[SSRCS];
	must(tx && rx);
	memset(&m, 0, sizeof(m));
	for (int s = 0; s < SSRCS; s++)
		idx[s] = 64000 +
		         300 * (uint64_t)s; /* ROC 0 first, as a new stream has; a wrap is near */

	for (size_t at = 0, k = 0; at + 3 <= size && k < SCRIPT; k++) {
		uint8_t b0 = data[at], b2 = data[at + 2];
		int step = (int8_t)data[at + 1], s = b0 & 3, rtcp = b0 & 4, cc = (b0 >> 4) & 3;
		size_t n = b2 & 63;
		at += 3;
		if (n > size - at)
			n = size - at;
		const uint8_t *pay = data + at;
		at += n;
		uint32_t ssrc = 0x1000u * (uint32_t)s + 7;

		size_t len = 0;
		if (rtcp) {
			plain[0] = 0x80;
			plain[1] = 200;
			wr16(plain + 2, (uint16_t)(n / 4 + 1));
			wr32(plain + 4, ssrc);
			len = 8;
		} else {
			if (step <= 0 && idx[s] < (uint64_t)-step)
				step = 1;
			idx[s] += (uint64_t)(int64_t)step;
			plain[0] = (uint8_t)(0x80 | (b0 & 8 ? 0x10 : 0) | cc);
			plain[1] = 111;
			wr16(plain + 2, (uint16_t)idx[s]);
			wr32(plain + 4, (uint32_t)k);
			wr32(plain + 8, ssrc);
			len = 12;
			for (int i = 0; i < cc; i++, len += 4)
				wr32(plain + len, (uint32_t)i);
			if (b0 & 8) {
				wr16(plain + len, 0xBEDE);
				wr16(plain + len + 2, 1);
				memcpy(plain + len + 4, "\x10\xff\x00\x00", 4);
				len += 8;
			}
		}
		memcpy(plain + len, pay, n);
		len += n;

		/* Protected twice: the same bytes, unless SRTCP's index moved on. */
		size_t la = len, lb = len;
		memcpy(a, plain, len);
		memcpy(b, plain, len);
		if (rtcp) {
			must(srtp_gcm_protect_rtcp(tx, a, &la) == 0);
			must(la == len + SRTP_GCM_RTCP_OVERHEAD);
		} else {
			int seal = model_seals(&m, s, idx[s], plain, len);
			must(srtp_gcm_protect_rtp(tx, a, &la) == (seal ? 0 : ERR_REPLAY));
			if (!seal)
				continue;
			must(srtp_gcm_protect_rtp(tx, b, &lb) == 0);
			must(la == len + SRTP_GCM_RTP_OVERHEAD && memcmp(a, b, la) == 0);
		}

		/* One flipped bit: refused, and nothing learnt from it. */
		memcpy(b, a, la);
		lb = la;
		b[(b2 * 7u + k) % la] ^= (uint8_t)(1u << (b2 % 8));
		int rc =
		    rtcp ? srtp_gcm_unprotect_rtcp(rx, b, &lb) : srtp_gcm_unprotect_rtp(rx, b, &lb);
		must(rc != 0 && known(rc));

		rc =
		    rtcp ? srtp_gcm_unprotect_rtcp(rx, a, &la) : srtp_gcm_unprotect_rtp(rx, a, &la);
		int want = rtcp || model_accepts(&m, s, idx[s]);
		must(rc == (want ? 0 : ERR_REPLAY));
		if (rc == 0)
			must(la == len && memcmp(a, plain, len) == 0);
	}
	srtp_gcm_free(tx);
	srtp_gcm_free(rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct srtp_gcm *rx = srtp_gcm_new(SRTP_GCM_UNPROTECT, key, salt);
	must(rx != NULL);
	if (unprotect_any(rx, data, size))
		must(!unprotect_any(rx, data, size)); /* a replay now */
	srtp_gcm_free(rx);
	script(data, size);
	return 0;
}
