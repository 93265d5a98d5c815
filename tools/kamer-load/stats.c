/* stats.c - what a synthetic participant measures about the media it receives: loss per
 * SSRC (RFC 3550 A.1/A.3 through rtc/rtp_stats), jitter (A.8), one-way delay from the
 * send time in each payload's trailer, and the receiver reports it sends back. */
#include <stdatomic.h>
#include <string.h>

#include "base/bytes.h"
#include "load.h"
#include "rtc/rtcp.h"
#include "rtc/rtp.h"
#include "rtc/sdp_client.h"

_Atomic unsigned load_media_parts;
_Atomic uint64_t load_steady_ns;

/* Log-linear buckets: exact below 64 us, then 16 per power of two. */
static size_t bucket_of(uint64_t us)
{
	if (us < 64)
		return (size_t)us;
	unsigned e = 63u - (unsigned)__builtin_clzll(us); /* >= 6 */
	size_t i = 64 + (size_t)(e - 6) * 16 + (size_t)((us >> (e - 4)) & 15);
	return i < LOAD_DELAY_BUCKETS ? i : LOAD_DELAY_BUCKETS - 1;
}

static uint64_t bucket_top(size_t i)
{
	if (i < 64)
		return i;
	unsigned e = (unsigned)((i - 64) / 16) + 6;
	uint64_t m = (i - 64) % 16;
	return ((16 + m + 1) << (e - 4)) - 1;
}

void hist_add(struct delay_hist *h, uint64_t us)
{
	h->bucket[bucket_of(us)]++;
	h->n++;
	if (us > h->max_us)
		h->max_us = us;
}

void hist_merge(struct delay_hist *into, const struct delay_hist *h)
{
	for (size_t i = 0; i < LOAD_DELAY_BUCKETS; i++)
		into->bucket[i] += h->bucket[i];
	into->n += h->n;
	if (h->max_us > into->max_us)
		into->max_us = h->max_us;
}

uint64_t hist_quantile(const struct delay_hist *h, double q)
{
	if (h->n == 0)
		return 0;
	uint64_t want = (uint64_t)(q * (double)h->n);
	if (want >= h->n)
		want = h->n - 1;
	uint64_t seen = 0;
	for (size_t i = 0; i < LOAD_DELAY_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen > want) {
			uint64_t top = bucket_top(i);
			return top < h->max_us ? top : h->max_us;
		}
	}
	return h->max_us;
}

static struct rx_stream *stream_get(struct rx_state *rx, unsigned sub, uint32_t ssrc, uint8_t pt)
{
	for (size_t i = 0; i < rx->n; i++) {
		if (rx->s[i].ssrc == ssrc && rx->s[i].sub == sub)
			return &rx->s[i];
	}
	if (rx->n == LOAD_MAX_RX)
		return NULL;
	struct rx_stream *s = &rx->s[rx->n++];
	memset(s, 0, sizeof(*s));
	s->ssrc = ssrc;
	s->sub = (uint8_t)sub;
	s->video = pt != SDP_CLIENT_PT_OPUS;
	rtp_stats_init(&s->st, s->video ? 90000 : 48000);
	return s;
}

void rx_on_rtp(struct rx_state *rx, unsigned sub, const uint8_t *p, size_t len, uint64_t now_ns,
               struct rx_gap *gap)
{
	struct rtp_hdr h;
	gap->n = 0;
	if (rtp_parse(&h, p, len) != 0 || h.payload_len < LOAD_TRAILER_LEN) {
		rx->bad++;
		return;
	}
	const uint8_t *t = p + h.payload_off + h.payload_len - LOAD_TRAILER_LEN;
	if (rd32(t) != LOAD_MAGIC) {
		rx->bad++;
		return;
	}
	struct rx_stream *s = stream_get(rx, sub, h.ssrc, h.pt);
	if (!s) {
		rx->bad++;
		return;
	}
	s->sender = rd32(t + 4);
	int valid = s->st.started && !s->st.probation;
	uint16_t prev = s->st.max_seq;
	if (rtp_stats_update(&s->st, h.seq, h.ts, now_ns / 1000) != 0) {
		s->dups++;
		return;
	}
	uint16_t ahead = (uint16_t)(h.seq - prev);
	if (s->video && valid && ahead >= 2 && ahead <= LIM_NACK_SEQS + 1 &&
	    s->st.max_seq == h.seq) {
		gap->ssrc = h.ssrc;
		for (uint16_t q = (uint16_t)(prev + 1); q != h.seq; q++)
			gap->seqs[gap->n++] = q;
		rx->nacks++;
	}
	uint64_t sent = rd64(t + 8);
	/* A retransmission, from the publisher or from the server's own buffer, is an older
	   seq arriving late (loopback does not reorder) and carries the original's send time:
	   it is counted as recovered, not as a delay sample. */
	int late = valid && s->st.max_seq != h.seq;
	if (late)
		rx->rtx++;
	else if (now_ns >= sent) {
		hist_add(&rx->delay, (now_ns - sent) / 1000);
		uint64_t steady = atomic_load_explicit(&load_steady_ns, memory_order_relaxed);
		if (steady && sent >= steady)
			hist_add(&rx->delay_steady, (now_ns - sent) / 1000);
	}
	s->packets++;
	rx_count(rx, len, now_ns);
}

void rx_count(struct rx_state *rx, size_t len, uint64_t now_ns)
{
	if (!rx->first_media_ns) {
		rx->first_media_ns = now_ns;
		atomic_fetch_add_explicit(&load_media_parts, 1, memory_order_relaxed);
	}
	rx->packets++;
	rx->bytes += len;
}

int join_phases(const uint64_t at[JOIN_PHASES + 1], uint64_t us[JOIN_PHASES])
{
	if (!at[0] || at[JOIN_PHASES] < at[0])
		return -1;
	uint64_t from = at[0];
	for (int i = 0; i < JOIN_PHASES; i++) {
		uint64_t to = at[i + 1];
		if (to < from)
			to = from; /* not known, or before the phase began */
		else if (to > at[JOIN_PHASES])
			to = at[JOIN_PHASES];
		us[i] = to / 1000 - from / 1000;
		from = to;
	}
	return 0;
}

int join_stuck(const uint64_t at[JOIN_PHASES + 1])
{
	if (at[JOIN_PHASES])
		return JOIN_PHASES;
	int i = 0;
	while (i < JOIN_PHASES - 1 && at[i + 1])
		i++;
	return i;
}

void rx_count_drops(struct rx_state *rx, uint64_t n, uint64_t now_ns)
{
	rx->drops += n;
	uint64_t steady = atomic_load_explicit(&load_steady_ns, memory_order_relaxed);
	if (steady && now_ns >= steady)
		rx->drops_steady += n;
}

void rx_on_sr(struct rx_state *rx, uint32_t ssrc, uint64_t ntp, uint64_t now_ns)
{
	for (size_t i = 0; i < rx->n; i++) {
		if (rx->s[i].ssrc == ssrc)
			rtp_stats_on_sr(&rx->s[i].st, ntp, now_ns / 1000);
	}
}

int rx_write_rr(struct rx_state *rx, unsigned sub, uint32_t own_ssrc, uint8_t *buf, size_t cap,
                uint64_t now_ns)
{
	struct rtcp_report_block b[RTCP_MAX_RC];
	size_t n = 0, len = 0;
	for (size_t i = 0; i < rx->n; i++) {
		if (rx->s[i].sub != sub)
			continue;
		rtp_stats_report(&rx->s[i].st, rx->s[i].ssrc, now_ns / 1000, &b[n++]);
		if (n == RTCP_MAX_RC) {
			int w = rtcp_write_rr(buf + len, cap - len, own_ssrc, b, n);
			if (w < 0)
				return w;
			len += (size_t)w;
			n = 0;
		}
	}
	if (n > 0 || len == 0) {
		int w = rtcp_write_rr(buf + len, cap - len, own_ssrc, b, n);
		if (w < 0)
			return w;
		len += (size_t)w;
	}
	return (int)len;
}
