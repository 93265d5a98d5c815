/* stun.c - STUN parsing, verification and writing for ICE-lite (RFC 5389, RFC 8445). */
#include "rtc/stun.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "base/bytes.h"
#include "base/ct.h"
#include "base/limits.h"

#define STUN_FINGERPRINT_XOR 0x5354554eu
#define STUN_HMAC_LEN        20
#define STUN_MAX_USERNAME    512 /* RFC 5389 15.3: less than 513 bytes */
#define STUN_MAX_REASON      763 /* RFC 5389 15.6: under 128 characters, at most 763 bytes */

static size_t stun_pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

int stun_is_message(const uint8_t *p, size_t len)
{
	/* RFC 7983 7: first byte 0..3 is STUN; RFC 5389 6: header, cookie, length. */
	if (len < STUN_HDR_LEN || p[0] > 3)
		return 0;
	if (rd32(p + 4) != STUN_MAGIC)
		return 0;
	return (size_t)rd16(p + 2) <= len - STUN_HDR_LEN;
}

/* XOR-MAPPED-ADDRESS value (RFC 5389 15.2) into a sockaddr. v is alen bytes. */
static int stun_parse_xor_addr(struct sockaddr_storage *ss, const uint8_t txid[12],
                               const uint8_t *v, size_t alen)
{
	memset(ss, 0, sizeof(*ss));
	if (alen == 8 && v[1] == 0x01) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)(rd16(v + 2) ^ (STUN_MAGIC >> 16)));
		sin->sin_addr.s_addr = htonl(rd32(v + 4) ^ STUN_MAGIC);
		return 0;
	}
	if (alen == 20 && v[1] == 0x02) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		uint8_t x[16];

		/* The IPv6 address is XORed with the cookie followed by the transaction ID. */
		wr32(x, STUN_MAGIC);
		memcpy(x + 4, txid, 12);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)(rd16(v + 2) ^ (STUN_MAGIC >> 16)));
		for (int i = 0; i < 16; i++)
			sin6->sin6_addr.s6_addr[i] = v[4 + i] ^ x[i];
		return 0;
	}
	return ERR_PROTO;
}

/* ERROR-CODE value (RFC 5389 15.6): 21 reserved bits, class 3..6, number 0..99, reason.
   The code, or ERR_PROTO. */
static int stun_parse_error_code(const uint8_t *v, size_t alen)
{
	if (alen < 4 || alen > 4 + STUN_MAX_REASON)
		return ERR_PROTO;
	int cls = v[2] & 0x07, num = v[3];
	if (cls < 3 || cls > 6 || num > 99)
		return ERR_PROTO;
	return cls * 100 + num;
}

/* Whether a comprehension-required type is one we understand (RFC 5389 7.3, 15). Those
   we understand but do not use (MAPPED-ADDRESS, REALM, NONCE, ...) are not counted. */
static int stun_known_required(uint16_t type)
{
	switch (type) {
	case STUN_ATTR_MAPPED_ADDRESS:
	case STUN_ATTR_USERNAME:
	case STUN_ATTR_MESSAGE_INTEGRITY:
	case STUN_ATTR_ERROR_CODE:
	case STUN_ATTR_UNKNOWN_ATTRIBUTES:
	case STUN_ATTR_REALM:
	case STUN_ATTR_NONCE:
	case STUN_ATTR_XOR_MAPPED_ADDRESS:
	case STUN_ATTR_PRIORITY:
	case STUN_ATTR_USE_CANDIDATE: return 1;
	default: return 0;
	}
}

/* One attribute before MESSAGE-INTEGRITY (or MESSAGE-INTEGRITY itself). */
static int stun_parse_attr(struct stun_msg *m, uint16_t type, const uint8_t *v, size_t alen,
                           size_t off)
{
	switch (type) {
	case STUN_ATTR_USERNAME:
		if (alen > STUN_MAX_USERNAME) /* RFC 5389 15.3 */
			return ERR_PROTO;
		if (!m->username) { /* RFC 5389 15: only the first occurrence counts */
			m->username = v;
			m->username_len = alen;
		}
		return 0;
	case STUN_ATTR_MESSAGE_INTEGRITY:
		if (alen != STUN_HMAC_LEN) /* RFC 5389 15.4: HMAC-SHA1 is 20 bytes */
			return ERR_PROTO;
		m->integrity_off = off;
		return 0;
	case STUN_ATTR_PRIORITY:
		if (alen != 4) /* RFC 8445 16.1: 32-bit unsigned integer */
			return ERR_PROTO;
		if (!m->has_priority) {
			m->has_priority = 1;
			m->priority = rd32(v);
		}
		return 0;
	case STUN_ATTR_USE_CANDIDATE:
		if (alen != 0) /* RFC 8445 16.1: no content */
			return ERR_PROTO;
		m->use_candidate = 1;
		return 0;
	case STUN_ATTR_ICE_CONTROLLED:
	case STUN_ATTR_ICE_CONTROLLING:
		if (alen != 8) /* RFC 8445 16.1: 64-bit tie-breaker */
			return ERR_PROTO;
		if (!m->has_controlled && !m->has_controlling)
			m->tiebreaker = rd64(v);
		if (type == STUN_ATTR_ICE_CONTROLLED)
			m->has_controlled = 1;
		else
			m->has_controlling = 1;
		return 0;
	case STUN_ATTR_ERROR_CODE: {
		int code = stun_parse_error_code(v, alen);
		if (code < 0)
			return ERR_PROTO;
		if (!m->error_code)
			m->error_code = code;
		return 0;
	}
	case STUN_ATTR_XOR_MAPPED_ADDRESS: {
		struct sockaddr_storage ss;
		if (stun_parse_xor_addr(&ss, m->txid, v, alen) < 0) /* RFC 5389 15.2 */
			return ERR_PROTO;
		if (!m->has_xor_mapped) {
			m->xor_mapped = ss;
			m->has_xor_mapped = 1;
		}
		return 0;
	}
	default:
		/* RFC 5389 15: 0x0000-0x7FFF are comprehension-required. */
		if (type < 0x8000 && !stun_known_required(type))
			m->unknown_required++;
		return 0;
	}
}

int stun_parse(struct stun_msg *m, const uint8_t *p, size_t len)
{
	memset(m, 0, sizeof(*m));
	if (len < STUN_HDR_LEN)
		return ERR_PROTO;
	/* RFC 5389 6: the two most significant bits are zero; the cookie is fixed. */
	if (p[0] & 0xC0)
		return ERR_PROTO;
	if (rd32(p + 4) != STUN_MAGIC)
		return ERR_PROTO;
	/* RFC 5389 6: the length excludes the header and is a multiple of 4, since every
	   attribute is padded. A datagram holds exactly one message. */
	size_t body = rd16(p + 2);
	if (body != len - STUN_HDR_LEN || body % 4)
		return ERR_PROTO;

	m->type = rd16(p);
	m->length = (uint16_t)body;
	memcpy(m->txid, p + 8, 12);

	size_t off = STUN_HDR_LEN;
	while (off < len) {
		/* off and len are both multiples of 4, so a whole attribute header is here. */
		uint16_t type = rd16(p + off);
		size_t alen = rd16(p + off + 2);
		const uint8_t *v = p + off + 4;
		/* RFC 5389 15: value padded to 4 bytes, all inside the message. */
		if (stun_pad4(alen) > len - off - 4)
			return ERR_PROTO;
		/* RFC 5389 15.5: FINGERPRINT is the last attribute. */
		if (m->fingerprint_off)
			return ERR_PROTO;

		if (type == STUN_ATTR_FINGERPRINT) {
			if (alen != 4) /* RFC 5389 15.5: 32-bit CRC */
				return ERR_PROTO;
			m->fingerprint_off = off;
		} else if (!m->integrity_off) {
			if (stun_parse_attr(m, type, v, alen, off) < 0)
				return ERR_PROTO;
		}
		/* else RFC 5389 15.4: after MESSAGE-INTEGRITY, all but FINGERPRINT are ignored. */
		off += 4 + stun_pad4(alen);
	}
	return 0;
}

int stun_verify_integrity(const struct stun_msg *m, const uint8_t *p, const void *key,
                          size_t key_len)
{
	uint8_t buf[LIM_PACKET];
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned mac_len = 0;
	size_t off = m->integrity_off;

	if (off < STUN_HDR_LEN || off + STUN_INTEGRITY_LEN > STUN_HDR_LEN + (size_t)m->length)
		return ERR_AUTH;
	/* The one-shot HMAC wants one buffer; packets we handle are at most LIM_PACKET. */
	if (off > sizeof(buf) || key_len > INT_MAX)
		return ERR_AUTH;
	if (rd16(p + off) != STUN_ATTR_MESSAGE_INTEGRITY || rd16(p + off + 2) != STUN_HMAC_LEN)
		return ERR_AUTH;
	/* RFC 5389 15.4: the HMAC covers the message up to the attribute, with the length
	   field as if MESSAGE-INTEGRITY were the last attribute. */
	memcpy(buf, p, off);
	wr16(buf + 2, (uint16_t)(off - STUN_HDR_LEN + STUN_INTEGRITY_LEN));
	if (!HMAC(EVP_sha1(), key, (int)key_len, buf, off, mac, &mac_len) ||
	    mac_len != STUN_HMAC_LEN)
		return ERR_AUTH;
	return ct_equal(mac, p + off + 4, STUN_HMAC_LEN) ? 0 : ERR_AUTH;
}

int stun_verify_fingerprint(const struct stun_msg *m, const uint8_t *p)
{
	size_t off = m->fingerprint_off;
	uint8_t want[4];

	/* RFC 5389 15.5: last attribute, so the header's length already covers it. */
	if (off < STUN_HDR_LEN || off + STUN_FINGERPRINT_LEN != STUN_HDR_LEN + (size_t)m->length)
		return ERR_AUTH;
	if (rd16(p + off) != STUN_ATTR_FINGERPRINT || rd16(p + off + 2) != 4)
		return ERR_AUTH;
	wr32(want, (uint32_t)crc32(0L, p, (uInt)off) ^ STUN_FINGERPRINT_XOR);
	return ct_equal(want, p + off + 4, 4) ? 0 : ERR_AUTH;
}

/* Room for n more bytes, within the buffer and the 16-bit length field (RFC 5389 6). */
static int stun_write_room(struct stun_writer *w, size_t n)
{
	if (w->err)
		return 0;
	if (n > w->cap - w->len || w->len + n - STUN_HDR_LEN > 0xFFFC) {
		w->err = ERR_LIMIT;
		return 0;
	}
	return 1;
}

void stun_write_begin(struct stun_writer *w, uint8_t *buf, size_t cap, uint16_t type,
                      const uint8_t txid[12])
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->err = 0;
	if (cap < STUN_HDR_LEN) {
		w->err = ERR_LIMIT;
		return;
	}
	wr16(buf, type & 0x3FFF); /* RFC 5389 6: top two bits zero */
	wr16(buf + 2, 0);
	wr32(buf + 4, STUN_MAGIC);
	memcpy(buf + 8, txid, 12);
	w->len = STUN_HDR_LEN;
}

/* Appends an attribute header and reserves its padded value; returns the value or NULL. */
static uint8_t *stun_write_hdr(struct stun_writer *w, uint16_t type, size_t len)
{
	if (len > 0xFFFF) {
		if (!w->err)
			w->err = ERR_LIMIT;
		return NULL;
	}
	size_t n = 4 + stun_pad4(len);
	if (!stun_write_room(w, n))
		return NULL;
	uint8_t *a = w->buf + w->len;
	wr16(a, type);
	wr16(a + 2, (uint16_t)len);
	memset(a + 4 + len, 0,
	       n - 4 - len); /* padding; RFC 5389 15 allows any, zero leaks nothing */
	w->len += n;
	wr16(w->buf + 2, (uint16_t)(w->len - STUN_HDR_LEN));
	return a + 4;
}

void stun_write_attr(struct stun_writer *w, uint16_t type, const void *val, size_t len)
{
	uint8_t *v = stun_write_hdr(w, type, len);
	if (v && len)
		memcpy(v, val, len);
}

void stun_write_xor_addr(struct stun_writer *w, uint16_t type, const struct sockaddr *sa)
{
	uint8_t *v;

	if (w->err)
		return;
	/* RFC 5389 15.2: port XOR the cookie's top half; address XOR cookie (+ txid for v6). */
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		v = stun_write_hdr(w, type, 8);
		if (!v)
			return;
		v[0] = 0;
		v[1] = 0x01;
		wr16(v + 2, (uint16_t)(ntohs(sin->sin_port) ^ (STUN_MAGIC >> 16)));
		wr32(v + 4, ntohl(sin->sin_addr.s_addr) ^ STUN_MAGIC);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		v = stun_write_hdr(w, type, 20);
		if (!v)
			return;
		v[0] = 0;
		v[1] = 0x02;
		wr16(v + 2, (uint16_t)(ntohs(sin6->sin6_port) ^ (STUN_MAGIC >> 16)));
		/* The cookie and txid sit at bytes 4..19 of the header we wrote. */
		for (int i = 0; i < 16; i++)
			v[4 + i] = sin6->sin6_addr.s6_addr[i] ^ w->buf[4 + i];
	} else {
		w->err = ERR_INVAL;
	}
}

void stun_write_integrity(struct stun_writer *w, const void *key, size_t key_len)
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned mac_len = 0;
	size_t off = w->len;

	if (!w->err && key_len > INT_MAX)
		w->err = ERR_INVAL;
	uint8_t *v = stun_write_hdr(w, STUN_ATTR_MESSAGE_INTEGRITY, STUN_HMAC_LEN);
	if (!v)
		return;
	/* RFC 5389 15.4: the length field already counts this attribute (set by
	   stun_write_hdr); the HMAC covers everything before it. */
	if (!HMAC(EVP_sha1(), key, (int)key_len, w->buf, off, mac, &mac_len) ||
	    mac_len != STUN_HMAC_LEN) {
		w->err = ERR_INVAL;
		return;
	}
	memcpy(v, mac, STUN_HMAC_LEN);
}

void stun_write_fingerprint(struct stun_writer *w)
{
	size_t off = w->len;
	uint8_t *v = stun_write_hdr(w, STUN_ATTR_FINGERPRINT, 4);

	if (!v)
		return;
	/* RFC 5389 15.5: CRC over everything before it, length field counting it. */
	wr32(v, (uint32_t)crc32(0L, w->buf, (uInt)off) ^ STUN_FINGERPRINT_XOR);
}

int stun_write_end(struct stun_writer *w)
{
	return w->err;
}

int stun_binding_response(uint8_t *out, size_t cap, const struct stun_msg *req,
                          const struct sockaddr *from, const void *pwd, size_t pwd_len)
{
	struct stun_writer w;

	if (req->type != STUN_BINDING_REQUEST)
		return ERR_INVAL;
	/* RFC 8445 7.3.1.1 and RFC 5389 10.1.2: same txid, XOR-MAPPED-ADDRESS of the source,
	   MESSAGE-INTEGRITY with the same short-term credential, then FINGERPRINT. */
	stun_write_begin(&w, out, cap, STUN_BINDING_SUCCESS, req->txid);
	stun_write_xor_addr(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, from);
	stun_write_integrity(&w, pwd, pwd_len);
	stun_write_fingerprint(&w);
	int err = stun_write_end(&w);
	return err ? err : (int)w.len;
}

static const char *stun_reason(int code)
{
	switch (code) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 420: return "Unknown Attribute";
	case 487: return "Role Conflict";
	case 500: return "Server Error";
	default: return "";
	}
}

int stun_binding_error(uint8_t *out, size_t cap, const struct stun_msg *req, int code,
                       const char *reason)
{
	uint8_t v[4 + STUN_MAX_REASON];
	struct stun_writer w;
	size_t rlen, chars = 0;

	if (req->type != STUN_BINDING_REQUEST)
		return ERR_INVAL;
	if (code < 300 || code > 699) /* RFC 5389 15.6: classes 3..6 */
		return ERR_INVAL;
	if (!reason)
		reason = stun_reason(code);
	rlen = strnlen(reason, STUN_MAX_REASON + 1);
	for (size_t i = 0; i < rlen; i++)
		chars += ((uint8_t)reason[i] & 0xC0) != 0x80;
	if (rlen > STUN_MAX_REASON || chars >= 128) /* RFC 5389 15.6 */
		return ERR_INVAL;
	v[0] = 0;
	v[1] = 0;
	v[2] = (uint8_t)(code / 100);
	v[3] = (uint8_t)(code % 100);
	memcpy(v + 4, reason, rlen);

	stun_write_begin(&w, out, cap, STUN_BINDING_ERROR, req->txid);
	stun_write_attr(&w, STUN_ATTR_ERROR_CODE, v, 4 + rlen);
	stun_write_fingerprint(&w);
	int err = stun_write_end(&w);
	return err ? err : (int)w.len;
}

int stun_binding_request(uint8_t *out, size_t cap, const struct stun_check *c)
{
	char user[520];
	int n = snprintf(user, sizeof(user), "%s:%s", c->remote_ufrag, c->local_ufrag);
	if (n < 0 || n > STUN_MAX_USERNAME) /* RFC 5389 15.3 */
		return ERR_LIMIT;
	uint8_t prio[4], tie[8];
	wr32(prio, c->priority);
	wr64(tie, c->tiebreaker);
	struct stun_writer w;
	stun_write_begin(&w, out, cap, STUN_BINDING_REQUEST, c->txid);
	stun_write_attr(&w, STUN_ATTR_USERNAME, user, (size_t)n);
	stun_write_attr(&w, STUN_ATTR_PRIORITY, prio, sizeof(prio));
	stun_write_attr(&w, c->controlling ? STUN_ATTR_ICE_CONTROLLING : STUN_ATTR_ICE_CONTROLLED,
	                tie, sizeof(tie));
	if (c->controlling && c->use_candidate)
		stun_write_attr(&w, STUN_ATTR_USE_CANDIDATE, NULL, 0);
	stun_write_integrity(&w, c->remote_pwd, strlen(c->remote_pwd));
	stun_write_fingerprint(&w);
	int rc = stun_write_end(&w);
	return rc != 0 ? rc : (int)w.len;
}
