/* srtp_gcm.c - SRTP/SRTCP AEAD_AES_128_GCM (RFC 7714) on OpenSSL EVP. */
#include "rtc/srtp_gcm.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/ct.h"
#include "base/limits.h"
#include "base/rnd.h"
#include "rtc/rtp.h"

/* RFC 3711 4.3.2 labels. */
#define LABEL_RTP_KEY   0x00
#define LABEL_RTP_SALT  0x02
#define LABEL_RTCP_KEY  0x03
#define LABEL_RTCP_SALT 0x05

/* A UDP payload cannot be longer; it also keeps every length an int for EVP. */
#define MAX_PACKET 65535

#define SEQ_MEDIAN  32768u       /* RFC 3711 A: half the sequence number space */
#define INDEX_LIMIT (1ull << 48) /* RFC 3711 3.2.1: the packet index is 48 bits */
#define SRTCP_LIMIT 0x80000000u  /* RFC 3711 3.3.2: the SRTCP index is 31 bits */
#define SRTCP_E     0x80000000u  /* RFC 3711 3.4: the E flag before the index */
#define RTP_WINDOW  1024         /* replay windows, as libsrtp's for kamer */
#define RTCP_WINDOW 128
#define RTP_RING    (RTP_WINDOW / 64 + 1)
#define RTCP_RING   (RTCP_WINDOW / 64 + 1)

/* A replay window over indexes as in RFC 6479: a ring of 64-bit blocks, one more than the
   window needs, so that moving the top clears whole blocks and never shifts bits. */
struct rx_stream {
	uint32_t ssrc;
	uint32_t rtcp_top; /* highest SRTCP index accepted */
	uint64_t rtp_top;  /* highest SRTP index accepted, ROC << 16 | SEQ */
	uint64_t rtp_ring[RTP_RING];
	uint64_t rtcp_ring[RTCP_RING];
};

/* What was sealed under the last TX_WINDOW indexes (the replay window, as libsrtp's
   allow_repeat_tx has it): protecting an index again is allowed only for the same bytes (a NACK
   answered), which give the same tag. Different bytes under a used index would reuse
   GCM's nonce: that is refused, and wiped, before anything leaves. Older indexes are
   refused. */
#define TX_WINDOW RTP_WINDOW
#define TX_TAG    4 /* bytes of the tag kept: 8 KiB per SSRC; different bytes pass 2^-32 */

struct tx_sealed {
	uint32_t idx1; /* low 32 bits of index + 1; 0 for an empty slot */
	uint8_t tag[TX_TAG];
};

struct tx_stream {
	uint32_t ssrc;
	uint32_t rtcp_next; /* SRTCP index of the next packet */
	uint64_t rtp_top;   /* highest SRTP index protected */
	struct tx_sealed sealed[TX_WINDOW];
};

struct srtp_gcm {
	enum srtp_gcm_dir dir;
	EVP_CIPHER_CTX *rtp, *rtcp; /* keyed once; each packet sets only the IV */
	uint8_t rtp_salt[SRTP_GCM_SALT_LEN], rtcp_salt[SRTP_GCM_SALT_LEN];
	/* Streams by SSRC: an open-addressing table (linear probing, never more than half
	   full, no deletions) of indexes into rx or tx, which grow on demand. */
	uint16_t *slot; /* 0 = empty, else stream index + 1 */
	unsigned shift; /* 32 - log2(number of slots) */
	uint32_t mult;  /* odd, random: the peer chooses SSRCs, not where they land */
	size_t n, cap;  /* streams in use, allocated */
	struct rx_stream *rx;
	struct tx_stream *tx;
};

static size_t nslots(const struct srtp_gcm *g)
{
	return (size_t)1 << (32 - g->shift);
}

static uint32_t stream_ssrc(const struct srtp_gcm *g, size_t i)
{
	return g->dir == SRTP_GCM_PROTECT ? g->tx[i].ssrc : g->rx[i].ssrc;
}

/* Multiplicative hashing: the top bits of the product. */
static size_t hash(const struct srtp_gcm *g, uint32_t ssrc, unsigned shift)
{
	return (uint32_t)(ssrc * g->mult) >> shift;
}

/* The stream index for ssrc, or -1; *free_slot is where it would go. */
static long stream_find(const struct srtp_gcm *g, uint32_t ssrc, size_t *free_slot)
{
	size_t mask = nslots(g) - 1;
	for (size_t i = hash(g, ssrc, g->shift);; i = (i + 1) & mask) {
		if (g->slot[i] == 0) {
			*free_slot = i;
			return -1;
		}
		if (stream_ssrc(g, g->slot[i] - 1u) == ssrc)
			return (long)g->slot[i] - 1;
	}
}

/* Room for one more stream: more slots before the table is half full, more streams. */
static int stream_reserve(struct srtp_gcm *g)
{
	if (g->n == LIM_SRTP_SSRCS)
		return ERR_LIMIT;
	if (2 * (g->n + 1) > nslots(g)) {
		unsigned shift = g->shift - 1;
		size_t cnt = (size_t)1 << (32 - shift), mask = cnt - 1;
		uint16_t *slot = calloc(cnt, sizeof(*slot));
		if (!slot)
			return ERR_NOMEM;
		for (size_t k = 0; k < g->n; k++) {
			size_t i = hash(g, stream_ssrc(g, k), shift);
			while (slot[i] != 0)
				i = (i + 1) & mask;
			slot[i] = (uint16_t)(k + 1);
		}
		free(g->slot);
		g->slot = slot;
		g->shift = shift;
	}
	if (g->n == g->cap) {
		size_t cap = g->cap * 2 < LIM_SRTP_SSRCS ? g->cap * 2 : LIM_SRTP_SSRCS;
		if (g->dir == SRTP_GCM_PROTECT) {
			struct tx_stream *tx = realloc(g->tx, cap * sizeof(*tx));
			if (!tx)
				return ERR_NOMEM;
			g->tx = tx;
		} else {
			struct rx_stream *rx = realloc(g->rx, cap * sizeof(*rx));
			if (!rx)
				return ERR_NOMEM;
			g->rx = rx;
		}
		g->cap = cap;
	}
	return 0;
}

/* A new zeroed stream for ssrc, which stream_find just did not find. Its index, or <0. */
static long stream_add(struct srtp_gcm *g, uint32_t ssrc)
{
	int rc = stream_reserve(g);
	if (rc != 0)
		return rc;
	size_t at;
	if (stream_find(g, ssrc, &at) >= 0) /* (for the free slot: the table may be new) */
		return ERR_INVAL;
	size_t i = g->n++;
	if (g->dir == SRTP_GCM_PROTECT)
		g->tx[i] = (struct tx_stream){.ssrc = ssrc};
	else
		g->rx[i] = (struct rx_stream){.ssrc = ssrc};
	g->slot[at] = (uint16_t)(i + 1);
	return (long)i;
}

/* RFC 3711 3.3.1 and Appendix A: the index of seq, given the highest index so far. As in
   libsrtp, nothing is guessed below half the sequence space, so that a stream's first
   packets have ROC 0 whatever their SEQ (srtp_gcm_unprotect_rtp tries 1 as well for a
   new stream's packet below SEQ_MEDIAN that fails under 0). INDEX_LIMIT or more when the
   ROC would wrap. */
static uint64_t index_guess(uint64_t top, uint16_t seq)
{
	if (top <= SEQ_MEDIAN)
		return seq;
	uint64_t roc = top >> 16;
	uint16_t s_l = (uint16_t)top;
	if (s_l < SEQ_MEDIAN) {
		if ((int)seq - (int)s_l > (int)SEQ_MEDIAN)
			roc--; /* top > SEQ_MEDIAN with s_l below it: roc >= 1 */
	} else if ((int)s_l - (int)SEQ_MEDIAN > (int)seq) {
		roc++;
	}
	return roc << 16 | seq;
}

/* Replay windows (RFC 3711 3.3.2): 1 if idx is new, i.e. above top, or within the window
   below it and not seen. */
static int replay_ok(const uint64_t *ring, size_t nring, uint64_t top, uint64_t idx)
{
	uint64_t window = 64 * (nring - 1);
	if (idx > top)
		return 1;
	if (top - idx >= window)
		return 0;
	return !((ring[(idx >> 6) % nring] >> (idx & 63)) & 1);
}

static void replay_add(uint64_t *ring, size_t nring, uint64_t *top, uint64_t idx)
{
	if (idx > *top) {
		/* Blocks the top moves into held indexes a whole ring older: clear them. */
		uint64_t from = (*top >> 6) + 1, to = idx >> 6;
		if (to >= from + nring)
			from = to - nring + 1;
		for (uint64_t b = from; b <= to; b++)
			ring[b % nring] = 0;
		*top = idx;
	}
	ring[(idx >> 6) % nring] |= (uint64_t)1 << (idx & 63);
}

/* RFC 7714 8.1: (0 || SSRC || ROC || SEQ) XOR salt. */
static void iv_rtp(uint8_t iv[12], const uint8_t salt[12], uint32_t ssrc, uint64_t idx)
{
	iv[0] = iv[1] = 0;
	wr32(iv + 2, ssrc);
	wr32(iv + 6, (uint32_t)(idx >> 16));
	wr16(iv + 10, (uint16_t)idx);
	for (size_t i = 0; i < 12; i++)
		iv[i] ^= salt[i];
}

/* RFC 7714 9.1: (0 || SSRC || 0 || 0 + SRTCP index) XOR salt. */
static void iv_rtcp(uint8_t iv[12], const uint8_t salt[12], uint32_t ssrc, uint32_t idx)
{
	iv[0] = iv[1] = iv[6] = iv[7] = 0;
	wr32(iv + 2, ssrc);
	wr32(iv + 8, idx & ~SRTCP_E);
	for (size_t i = 0; i < 12; i++)
		iv[i] ^= salt[i];
}

/* AES-GCM over p[0..n) in place with the AAD a1 || a2 (either may be empty); the tag goes
   to tag. */
static int gcm_seal(EVP_CIPHER_CTX *c, const uint8_t iv[12], const uint8_t *a1, size_t a1_len,
                    const uint8_t *a2, size_t a2_len, uint8_t *p, size_t n,
                    uint8_t tag[SRTP_GCM_TAG_LEN]) WARN_UNUSED;
static int gcm_seal(EVP_CIPHER_CTX *c, const uint8_t iv[12], const uint8_t *a1, size_t a1_len,
                    const uint8_t *a2, size_t a2_len, uint8_t *p, size_t n,
                    uint8_t tag[SRTP_GCM_TAG_LEN])
{
	int out;
	if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) != 1)
		return ERR_PROTO;
	if (a1_len > 0 && EVP_EncryptUpdate(c, NULL, &out, a1, (int)a1_len) != 1)
		return ERR_PROTO;
	if (a2_len > 0 && EVP_EncryptUpdate(c, NULL, &out, a2, (int)a2_len) != 1)
		return ERR_PROTO;
	if (n > 0 && EVP_EncryptUpdate(c, p, &out, p, (int)n) != 1)
		return ERR_PROTO;
	if (EVP_EncryptFinal_ex(c, p + n, &out) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, SRTP_GCM_TAG_LEN, tag) != 1)
		return ERR_PROTO;
	return 0;
}

/* The inverse: 0 if tag verifies, else ERR_AUTH (and p[0..n) is garbage). */
static int gcm_open(EVP_CIPHER_CTX *c, const uint8_t iv[12], const uint8_t *a1, size_t a1_len,
                    const uint8_t *a2, size_t a2_len, uint8_t *p, size_t n,
                    const uint8_t tag[SRTP_GCM_TAG_LEN]) WARN_UNUSED;
static int gcm_open(EVP_CIPHER_CTX *c, const uint8_t iv[12], const uint8_t *a1, size_t a1_len,
                    const uint8_t *a2, size_t a2_len, uint8_t *p, size_t n,
                    const uint8_t tag[SRTP_GCM_TAG_LEN])
{
	int out;
	if (EVP_DecryptInit_ex(c, NULL, NULL, NULL, iv) != 1)
		return ERR_AUTH;
	if (a1_len > 0 && EVP_DecryptUpdate(c, NULL, &out, a1, (int)a1_len) != 1)
		return ERR_AUTH;
	if (a2_len > 0 && EVP_DecryptUpdate(c, NULL, &out, a2, (int)a2_len) != 1)
		return ERR_AUTH;
	if (n > 0 && EVP_DecryptUpdate(c, p, &out, p, (int)n) != 1)
		return ERR_AUTH;
	/* OpenSSL copies the tag and compares it in constant time (CRYPTO_memcmp). */
	if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, SRTP_GCM_TAG_LEN, (void *)tag) != 1 ||
	    EVP_DecryptFinal_ex(c, p + n, &out) != 1)
		return ERR_AUTH;
	return 0;
}

int srtp_gcm_kdf(uint8_t *out, size_t n, const uint8_t key[SRTP_GCM_KEY_LEN], const uint8_t *salt,
                 size_t salt_len, uint8_t label)
{
	/* RFC 3711 4.3.1: x = key_id XOR master_salt, key_id = label || r (r = 0) right-aligned
	   in 112 bits, so the label meets salt byte 7; 4.3.3: AES-CM with IV = x * 2^16. */
	uint8_t iv[16] = {0};
	int rc = ERR_INVAL, len;
	EVP_CIPHER_CTX *c = NULL;
	if (salt_len > 14 || n > 1024)
		goto fail;
	memcpy(iv, salt, salt_len);
	iv[7] ^= label;
	memset(out, 0, n);
	rc = ERR_NOMEM;
	c = EVP_CIPHER_CTX_new();
	if (!c)
		goto fail;
	rc = ERR_PROTO;
	if (EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv) != 1 ||
	    EVP_EncryptUpdate(c, out, &len, out, (int)n) != 1 || (size_t)len != n)
		goto fail;
	rc = 0;
fail:
	EVP_CIPHER_CTX_free(c);
	ct_wipe(iv, sizeof(iv));
	return rc;
}

static EVP_CIPHER_CTX *gcm_ctx(enum srtp_gcm_dir dir, const uint8_t key[SRTP_GCM_KEY_LEN])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	if (!c)
		return NULL;
	/* The IV length is GCM's default, 12 bytes (RFC 7714 8.1). */
	int ok = dir == SRTP_GCM_PROTECT
	             ? EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, NULL)
	             : EVP_DecryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, NULL);
	if (ok != 1) {
		EVP_CIPHER_CTX_free(c);
		return NULL;
	}
	return c;
}

struct srtp_gcm *srtp_gcm_new_session(enum srtp_gcm_dir dir, const struct srtp_gcm_keys *k)
{
	struct srtp_gcm *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->dir = dir;
	g->mult = rnd_u32() | 1;
	g->shift = 32 - 3; /* 8 slots, 4 streams: a publisher's audio, video, RTX and RTCP */
	g->cap = 4;
	g->slot = calloc(nslots(g), sizeof(*g->slot));
	if (dir == SRTP_GCM_PROTECT)
		g->tx = calloc(g->cap, sizeof(*g->tx));
	else
		g->rx = calloc(g->cap, sizeof(*g->rx));
	g->rtp = gcm_ctx(dir, k->rtp_key);
	g->rtcp = gcm_ctx(dir, k->rtcp_key);
	if (!g->slot || (!g->tx && !g->rx) || !g->rtp || !g->rtcp) {
		srtp_gcm_free(g);
		return NULL;
	}
	memcpy(g->rtp_salt, k->rtp_salt, SRTP_GCM_SALT_LEN);
	memcpy(g->rtcp_salt, k->rtcp_salt, SRTP_GCM_SALT_LEN);
	return g;
}

struct srtp_gcm *srtp_gcm_new(enum srtp_gcm_dir dir, const uint8_t key[SRTP_GCM_KEY_LEN],
                              const uint8_t salt[SRTP_GCM_SALT_LEN])
{
	struct srtp_gcm_keys k;
	struct srtp_gcm *g = NULL;
	if (srtp_gcm_kdf(k.rtp_key, sizeof(k.rtp_key), key, salt, SRTP_GCM_SALT_LEN,
	                 LABEL_RTP_KEY) != 0 ||
	    srtp_gcm_kdf(k.rtp_salt, sizeof(k.rtp_salt), key, salt, SRTP_GCM_SALT_LEN,
	                 LABEL_RTP_SALT) != 0 ||
	    srtp_gcm_kdf(k.rtcp_key, sizeof(k.rtcp_key), key, salt, SRTP_GCM_SALT_LEN,
	                 LABEL_RTCP_KEY) != 0 ||
	    srtp_gcm_kdf(k.rtcp_salt, sizeof(k.rtcp_salt), key, salt, SRTP_GCM_SALT_LEN,
	                 LABEL_RTCP_SALT) != 0)
		goto fail;
	g = srtp_gcm_new_session(dir, &k);
fail:
	ct_wipe(&k, sizeof(k));
	return g;
}

void srtp_gcm_free(struct srtp_gcm *g)
{
	if (!g)
		return;
	/* EVP_CIPHER_CTX_free cleanses the key schedules. */
	EVP_CIPHER_CTX_free(g->rtp);
	EVP_CIPHER_CTX_free(g->rtcp);
	free(g->slot);
	free(g->rx);
	free(g->tx);
	ct_wipe(g, sizeof(*g));
	free(g);
}

int srtp_gcm_protect_rtp(struct srtp_gcm *g, uint8_t *p, size_t *len)
{
	struct rtp_hdr h;
	size_t at;
	uint8_t iv[12];
	if (g->dir != SRTP_GCM_PROTECT)
		return ERR_INVAL;
	if (*len > MAX_PACKET - SRTP_GCM_RTP_OVERHEAD || rtp_parse_hdr(&h, p, *len) != 0)
		return ERR_PROTO;
	long i = stream_find(g, h.ssrc, &at);
	if (i < 0 && (i = stream_add(g, h.ssrc)) < 0)
		return (int)i;
	struct tx_stream *s = &g->tx[i];
	uint64_t idx = index_guess(s->rtp_top, h.seq);
	if (idx >= INDEX_LIMIT)
		return ERR_LIMIT;
	/* Too old to know what was sealed under it. */
	if (idx + TX_WINDOW <= s->rtp_top)
		return ERR_REPLAY;
	iv_rtp(iv, g->rtp_salt, h.ssrc, idx);
	/* RFC 7714 8.2: the AAD is the header with CSRCs and extension; the payload (with any
	   padding) is encrypted, and the tag follows it. */
	size_t n = *len - h.header_len;
	int rc = gcm_seal(g->rtp, iv, p, h.header_len, NULL, 0, p + h.header_len, n, p + *len);
	if (rc != 0)
		return rc;
	struct tx_sealed *was = &s->sealed[idx % TX_WINDOW];
	if (was->idx1 == (uint32_t)(idx + 1) && !ct_equal(was->tag, p + *len, TX_TAG)) {
		ct_wipe(p, *len + SRTP_GCM_RTP_OVERHEAD);
		return ERR_REPLAY;
	}
	was->idx1 = (uint32_t)(idx + 1);
	memcpy(was->tag, p + *len, TX_TAG);
	if (idx > s->rtp_top)
		s->rtp_top = idx;
	*len += SRTP_GCM_RTP_OVERHEAD;
	return 0;
}

/* Opens the RTP packet p with header h and n payload bytes under index idx (gcm_open). */
static int open_rtp(struct srtp_gcm *g, uint8_t *p, const struct rtp_hdr *h, size_t n, uint64_t idx)
{
	uint8_t iv[12];
	iv_rtp(iv, g->rtp_salt, h->ssrc, idx);
	return gcm_open(g->rtp, iv, p, h->header_len, NULL, 0, p + h->header_len, n,
	                p + h->header_len + n);
}

int srtp_gcm_unprotect_rtp(struct srtp_gcm *g, uint8_t *p, size_t *len)
{
	struct rtp_hdr h;
	size_t at;
	if (g->dir != SRTP_GCM_UNPROTECT)
		return ERR_INVAL;
	/* RFC 3711 3.3: the header must be whole before the tag. */
	if (*len < SRTP_GCM_TAG_LEN || *len > MAX_PACKET ||
	    rtp_parse_hdr(&h, p, *len - SRTP_GCM_TAG_LEN) != 0)
		return ERR_PROTO;
	long i = stream_find(g, h.ssrc, &at);
	if (i < 0 && g->n == LIM_SRTP_SSRCS)
		return ERR_LIMIT;
	uint64_t idx = index_guess(i >= 0 ? g->rx[i].rtp_top : 0, h.seq);
	if (idx >= INDEX_LIMIT)
		return ERR_LIMIT;
	size_t n = *len - SRTP_GCM_TAG_LEN - h.header_len;
	int rc = open_rtp(g, p, &h, n, idx);
	if (rc == ERR_AUTH && i < 0 && h.seq < SEQ_MEDIAN) {
		/* A new stream's packet is taken for rollover 0 (RFC 3711 3.3.1). A sender whose
		   numbers began a few short of 2^16 and whose first packets were lost is past
		   its first wrap: under rollover 0 none of its packets would ever authenticate.
		   libwebrtc starts below 2^15 so that this cannot happen; not every sender does.
		   So it is tried once more under rollover 1. GCM encrypts by XOR with a key
		   stream (CTR), so the failed open is undone by running it once more under the
		   same index, which gives the bytes as they came. */
		(void)open_rtp(g, p, &h, n, idx);
		idx |= 1ull << 16;
		rc = open_rtp(g, p, &h, n, idx);
	}
	if (rc != 0)
		return rc;
	/* Authentic: now the replay check (RFC 3711 3.3.2), so that a forgery is never counted
	   as a replay, and state only for what authenticated. */
	if (i >= 0 && !replay_ok(g->rx[i].rtp_ring, RTP_RING, g->rx[i].rtp_top, idx))
		return ERR_REPLAY;
	if (i < 0 && (i = stream_add(g, h.ssrc)) < 0)
		return (int)i;
	replay_add(g->rx[i].rtp_ring, RTP_RING, &g->rx[i].rtp_top, idx);
	*len -= SRTP_GCM_TAG_LEN;
	return 0;
}

int srtp_gcm_protect_rtcp(struct srtp_gcm *g, uint8_t *p, size_t *len)
{
	size_t at;
	uint8_t iv[12], trailer[4];
	if (g->dir != SRTP_GCM_PROTECT)
		return ERR_INVAL;
	/* RFC 3550 6.4.1: a compound packet starts with a header and the sender's SSRC. */
	if (*len < 8 || *len > MAX_PACKET - SRTP_GCM_RTCP_OVERHEAD || p[0] >> 6 != 2)
		return ERR_PROTO;
	uint32_t ssrc = rd32(p + 4);
	long i = stream_find(g, ssrc, &at);
	if (i < 0 && (i = stream_add(g, ssrc)) < 0)
		return (int)i;
	struct tx_stream *s = &g->tx[i];
	if (s->rtcp_next >= SRTCP_LIMIT)
		return ERR_LIMIT;
	iv_rtcp(iv, g->rtcp_salt, ssrc, s->rtcp_next);
	wr32(trailer, SRTCP_E | s->rtcp_next);
	/* RFC 7714 9.2: the AAD is the first 8 bytes and E || index; the rest is encrypted;
	   the tag, then E || index, follow (9.1). */
	int rc = gcm_seal(g->rtcp, iv, p, 8, trailer, 4, p + 8, *len - 8, p + *len);
	if (rc != 0)
		return rc;
	memcpy(p + *len + SRTP_GCM_TAG_LEN, trailer, 4);
	s->rtcp_next++;
	*len += SRTP_GCM_RTCP_OVERHEAD;
	return 0;
}

int srtp_gcm_unprotect_rtcp(struct srtp_gcm *g, uint8_t *p, size_t *len)
{
	size_t at;
	uint8_t iv[12];
	int rc;
	if (g->dir != SRTP_GCM_UNPROTECT)
		return ERR_INVAL;
	if (*len < 8 + SRTP_GCM_RTCP_OVERHEAD || *len > MAX_PACKET || p[0] >> 6 != 2)
		return ERR_PROTO;
	size_t body = *len - SRTP_GCM_RTCP_OVERHEAD; /* header and payload */
	const uint8_t *trailer = p + *len - 4, *tag = p + body;
	uint32_t e_idx = rd32(trailer), idx = e_idx & ~SRTCP_E, ssrc = rd32(p + 4);
	long i = stream_find(g, ssrc, &at);
	if (i < 0 && g->n == LIM_SRTP_SSRCS)
		return ERR_LIMIT;
	iv_rtcp(iv, g->rtcp_salt, ssrc, idx);
	if (e_idx & SRTCP_E)
		rc = gcm_open(g->rtcp, iv, p, 8, trailer, 4, p + 8, body - 8, tag);
	else /* RFC 7714 9.3: all of it is AAD, nothing is encrypted */
		rc = gcm_open(g->rtcp, iv, p, body, trailer, 4, p + body, 0, tag);
	if (rc != 0)
		return rc;
	if (i >= 0 && !replay_ok(g->rx[i].rtcp_ring, RTCP_RING, g->rx[i].rtcp_top, idx))
		return ERR_REPLAY;
	if (i < 0 && (i = stream_add(g, ssrc)) < 0)
		return (int)i;
	uint64_t top = g->rx[i].rtcp_top;
	replay_add(g->rx[i].rtcp_ring, RTCP_RING, &top, idx);
	g->rx[i].rtcp_top = (uint32_t)top;
	*len = body;
	return 0;
}
