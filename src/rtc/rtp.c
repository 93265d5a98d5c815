/* rtp.c - RTP header parsing (RFC 3550), header extensions (RFC 8285), audio level
 * (RFC 6464) and VP8 key frame detection (RFC 7741). */
#include "rtc/rtp.h"

#include <string.h>

/* The fixed header, CSRC list and extension block; padding is left to the caller. */
static int rtp_parse_common(struct rtp_hdr *h, const uint8_t *p, size_t len)
{
	memset(h, 0, sizeof(*h));
	if (len < RTP_HDR_LEN) /* RFC 3550 5.1: 12-byte fixed header */
		return ERR_PROTO;
	if ((p[0] >> 6) != 2) /* RFC 3550 5.1: version 2 */
		return ERR_PROTO;
	h->csrc_count = p[0] & 0x0f;
	h->has_ext = (p[0] >> 4) & 1;
	h->marker = p[1] >> 7;
	h->pt = p[1] & 0x7f;
	h->seq = rd16(p + 2);
	h->ts = rd32(p + 4);
	h->ssrc = rd32(p + 8);

	size_t off = RTP_HDR_LEN + 4 * (size_t)h->csrc_count;
	if (off > len) /* RFC 3550 5.1: CC 32-bit CSRC identifiers follow */
		return ERR_PROTO;
	if (h->has_ext) {
		/* RFC 3550 5.3.1: 16 bits by profile, 16 bits length in words, then the data. */
		if (len - off < 4)
			return ERR_PROTO;
		h->ext_profile = rd16(p + off);
		h->ext_len = 4 * (size_t)rd16(p + off + 2);
		h->ext_off = off + 4;
		if (h->ext_len > len - h->ext_off)
			return ERR_PROTO;
		off = h->ext_off + h->ext_len;
	}
	h->header_len = off;
	h->payload_off = off;
	h->payload_len = len - off;
	return 0;
}

int rtp_parse(struct rtp_hdr *h, const uint8_t *p, size_t len)
{
	int rc = rtp_parse_common(h, p, len);
	if (rc)
		return rc;
	if (p[0] & 0x20) {
		/* RFC 3550 5.1: the last octet counts the padding, itself included, so it is at
		   least 1; A.1: it must fit after the header. All padding is allowed. */
		uint8_t pad = p[len - 1];
		if (pad == 0 || pad > h->payload_len)
			return ERR_PROTO;
		h->pad_len = pad;
		h->payload_len -= pad;
	}
	return 0;
}

int rtp_parse_hdr(struct rtp_hdr *h, const uint8_t *p, size_t len)
{
	return rtp_parse_common(h, p, len);
}

int rtp_is_rtcp(const uint8_t *p, size_t len)
{
	/* RFC 5761 4: RTCP packet types 192..223 collide with RTP PT 64..95 plus marker. */
	if (len < 2 || (p[0] >> 6) != 2)
		return 0;
	return p[1] >= 192 && p[1] <= 223;
}

/* Walk a one-byte-header block (RFC 8285 4.2). */
static int rtp_ext_find_one(const uint8_t *e, size_t n, uint8_t id, const uint8_t **val,
                            size_t *vlen)
{
	size_t i = 0;

	while (i < n) {
		uint8_t b = e[i];
		if (b == 0) { /* RFC 8285 4.1.2: a zero byte is padding, skip it */
			i++;
			continue;
		}
		uint8_t eid = b >> 4;
		size_t l = (size_t)(b & 0x0f) + 1; /* RFC 8285 4.2: length minus one */
		if (eid == 15) /* RFC 8285 4.2: reserved, stop processing the block here */
			return ERR_NOTFOUND;
		if (eid == 0) /* RFC 8285 4.2: IDs are 1..14; only a whole zero byte pads */
			return ERR_PROTO;
		if (l > n - i - 1) /* RFC 8285 4.2: the data must fit in the block */
			return ERR_PROTO;
		if (eid == id) {
			*val = e + i + 1;
			*vlen = l;
			return 0;
		}
		i += 1 + l;
	}
	return ERR_NOTFOUND;
}

/* Walk a two-byte-header block (RFC 8285 4.3). */
static int rtp_ext_find_two(const uint8_t *e, size_t n, uint8_t id, const uint8_t **val,
                            size_t *vlen)
{
	size_t i = 0;

	while (i < n) {
		if (e[i] == 0) { /* RFC 8285 4.1.2: padding byte, no length follows */
			i++;
			continue;
		}
		if (n - i < 2) /* RFC 8285 4.3: ID byte and length byte */
			return ERR_PROTO;
		size_t l = e[i + 1]; /* RFC 8285 4.3: 0..255 data bytes, no minus one */
		if (l > n - i - 2)
			return ERR_PROTO;
		if (e[i] == id) {
			*val = e + i + 2;
			*vlen = l;
			return 0;
		}
		i += 2 + l;
	}
	return ERR_NOTFOUND;
}

int rtp_ext_find(const struct rtp_hdr *h, const uint8_t *p, uint8_t id, const uint8_t **val,
                 size_t *vlen)
{
	if (!h->has_ext || id == 0)
		return ERR_NOTFOUND;
	const uint8_t *e = p + h->ext_off;
	if (h->ext_profile == RTP_EXT_ONEBYTE)
		return id > 14 ? ERR_NOTFOUND : rtp_ext_find_one(e, h->ext_len, id, val, vlen);
	if ((h->ext_profile & 0xfff0) == RTP_EXT_TWOBYTE)
		return rtp_ext_find_two(e, h->ext_len, id, val, vlen);
	return ERR_NOTFOUND; /* not RFC 8285: opaque to us */
}

int rtp_audio_level(const struct rtp_hdr *h, const uint8_t *p, uint8_t id, uint8_t *level,
                    int *voice)
{
	const uint8_t *v;
	size_t n;
	int rc = rtp_ext_find(h, p, id, &v, &n);
	if (rc)
		return rc;
	if (n != 1) /* RFC 6464 3: one byte, V flag and a 7-bit level */
		return ERR_PROTO;
	*voice = v[0] >> 7;
	*level = v[0] & 0x7f;
	return 0;
}

int vp8_is_keyframe(const uint8_t *payload, size_t len)
{
	size_t i = 1;

	if (len < 1)
		return 0;
	uint8_t b = payload[0];
	/* RFC 7741 4.2: a frame starts in the packet with S=1 and partition index 0. */
	if (!(b & 0x10) || (b & 0x0f) != 0)
		return 0;
	if (b & 0x80) { /* X: the extension byte with I, L, T, K */
		if (len < 2)
			return 0;
		uint8_t x = payload[1];
		i = 2;
		if (x & 0x80) { /* I: PictureID, 15 bits if M is set */
			if (len <= i)
				return 0;
			i += (payload[i] & 0x80) ? 2 : 1;
		}
		if (x & 0x40) /* L: TL0PICIDX */
			i++;
		if (x & 0x30) /* T or K: one byte of TID, Y, KEYIDX */
			i++;
	}
	if (len <= i) /* RFC 7741 4.3: the payload header follows the descriptor */
		return 0;
	return !(payload[i] & 0x01); /* RFC 6386 9.1: P, 0 for a key frame */
}
