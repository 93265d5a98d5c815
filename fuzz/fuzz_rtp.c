/* fuzz_rtp.c - rtp_parse on any bytes; what parses must stay in bounds, every extension id
 * is looked up, the audio level and VP8 key frame checks run, rewrites keep the packet
 * parseable, and the packet goes through an rtxbuf and back unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "rtc/rtp.h"
#include "sfu/rtxbuf.h"

/* A broken invariant is a bug in our code, not bad input: abort so libFuzzer reports it. */
static void must(int ok)
{
	if (!ok)
		abort();
}

static void check_hdr(const struct rtp_hdr *h, size_t size)
{
	must(h->header_len >= RTP_HDR_LEN + 4 * (size_t)h->csrc_count);
	must(h->header_len <= size);
	must(h->payload_off == h->header_len);
	must(h->payload_off + h->payload_len + h->pad_len == size);
	must(h->pt < 128 && h->marker < 2 && h->csrc_count < 16);
	if (h->has_ext)
		must(h->ext_off + h->ext_len == h->header_len && h->ext_len % 4 == 0);
	else
		must(h->ext_len == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t copy[1 << 16];
	struct rtp_hdr h, h2;

	(void)rtp_is_rtcp(data, size);
	if (rtp_parse_hdr(&h, data, size) == 0) {
		check_hdr(&h, size);
		must(h.pad_len == 0);
	}
	if (rtp_parse(&h, data, size) != 0)
		return 0;
	check_hdr(&h, size);
	must(rtp_parse_hdr(&h2, data, size) == 0 && h2.header_len == h.header_len);

	for (unsigned id = 0; id < 256; id++) {
		const uint8_t *v = NULL;
		size_t n = 0;
		int rc = rtp_ext_find(&h, data, (uint8_t)id, &v, &n);
		must(rc == 0 || rc == ERR_NOTFOUND || rc == ERR_PROTO);
		if (rc == 0) {
			must(id != 0 && (h.ext_profile != RTP_EXT_ONEBYTE || id < 15));
			must(v >= data + h.ext_off && v + n <= data + h.ext_off + h.ext_len);
		}
		uint8_t level = 0;
		int voice = -1;
		rc = rtp_audio_level(&h, data, (uint8_t)id, &level, &voice);
		must(rc == 0 || rc == ERR_NOTFOUND || rc == ERR_PROTO);
		if (rc == 0)
			must(level <= 127 && (voice == 0 || voice == 1));
	}
	int key = vp8_is_keyframe(data + h.payload_off, h.payload_len);
	must(key == 0 || key == 1);

	/* Rewriting PT, seq, ts and SSRC changes nothing else. */
	if (size <= sizeof(copy)) {
		memcpy(copy, data, size);
		rtp_set_pt(copy, (uint8_t)(h.pt ^ 0x55));
		rtp_set_seq(copy, (uint16_t)(h.seq + 1));
		rtp_set_ts(copy, h.ts + 1);
		rtp_set_ssrc(copy, ~h.ssrc);
		must(rtp_parse(&h2, copy, size) == 0);
		must(h2.pt == (uint8_t)((h.pt ^ 0x55) & 0x7f) && h2.marker == h.marker);
		must(h2.seq == (uint16_t)(h.seq + 1) && h2.ts == h.ts + 1 && h2.ssrc == ~h.ssrc);
		must(h2.header_len == h.header_len && h2.payload_len == h.payload_len);
		must(seq_newer(h2.seq, h.seq) && !seq_newer(h.seq, h2.seq));
	}

	/* Through a retransmission buffer and back; the slot's next user evicts it. */
	struct rtxbuf *rb = rtxbuf_new(4, 4 * LIM_PACKET);
	const uint8_t *got;
	size_t glen;
	must(rb != NULL);
	rtxbuf_put(rb, h.seq, data, size);
	int rc = rtxbuf_get(rb, h.seq, &got, &glen);
	if (size <= LIM_PACKET) {
		must(rc == 0 && glen == size && memcmp(got, data, size) == 0);
		rtxbuf_put(rb, (uint16_t)(h.seq + 4), data, size);
		must(rtxbuf_get(rb, h.seq, &got, &glen) == ERR_NOTFOUND);
		must(rtxbuf_get(rb, (uint16_t)(h.seq + 4), &got, &glen) == 0 && glen == size);
	} else {
		must(rc == ERR_NOTFOUND);
	}
	rtxbuf_free(rb);
	return 0;
}
