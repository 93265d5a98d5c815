/* rtp_stats.c - RFC 3550 appendix A.1, A.3 and A.8 for one incoming stream. */
#include "rtc/rtp_stats.h"

#include <string.h>

#define RTP_SEQ_MOD    (1u << 16)
#define MIN_SEQUENTIAL 2    /* RFC 3550 A.1 */
#define MAX_DROPOUT    3000 /* RFC 3550 A.1 */
#define MAX_MISORDER   100  /* RFC 3550 A.1 */
#define WORDS          (RTP_STATS_WINDOW / 64)

_Static_assert(RTP_STATS_WINDOW % 64 == 0 && RTP_STATS_WINDOW > MAX_MISORDER,
               "the duplicate window must cover A.1's misorder range");

void rtp_stats_init(struct rtp_rx_stats *s, uint32_t clock_rate)
{
	memset(s, 0, sizeof(*s));
	s->clock_rate = clock_rate;
}

/* Duplicate window: shift by d as max_seq advances, bit 0 being max_seq itself. */
static void rtp_stats_shift(struct rtp_rx_stats *s, unsigned d)
{
	if (d >= RTP_STATS_WINDOW) {
		memset(s->seen, 0, sizeof(s->seen));
		return;
	}
	unsigned w = d / 64, b = d % 64;
	for (int i = WORDS - 1; i >= 0; i--) {
		uint64_t v = (unsigned)i >= w ? s->seen[i - w] << b : 0;
		if (b && (unsigned)i > w)
			v |= s->seen[i - w - 1] >> (64 - b);
		s->seen[i] = v;
	}
}

static int rtp_stats_test_set(struct rtp_rx_stats *s, unsigned back)
{
	uint64_t m = (uint64_t)1 << (back % 64);
	int was = (s->seen[back / 64] & m) != 0;
	s->seen[back / 64] |= m;
	return was;
}

/* RFC 3550 A.1 init_seq(). */
static void rtp_stats_init_seq(struct rtp_rx_stats *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1; /* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
	memset(s->seen, 0, sizeof(s->seen));
	s->seen[0] = 1;
}

/* RFC 3550 A.8, in RTP timestamp units. */
static void rtp_stats_jitter(struct rtp_rx_stats *s, uint32_t ts, uint64_t arrival_us)
{
	if (!s->clock_rate)
		return;
	if (s->have_transit && ts == s->jitter_ts)
		return; /* same frame: its packets share a timestamp but not a send time */
	uint64_t r = s->clock_rate;
	uint32_t arrival =
	    (uint32_t)((arrival_us / 1000000) * r + (arrival_us % 1000000) * r / 1000000);
	uint32_t transit = arrival - ts;
	if (s->have_transit) {
		uint32_t d = transit - s->transit;
		if (d & 0x80000000u)
			d = -d; /* |D(i-1,i)| in modular arithmetic */
		/* J += (|D| - J) / 16, kept scaled by 16 as A.8 suggests. */
		s->jitter16 += d;
		s->jitter16 -= (s->jitter16 - d + 8) >> 4;
	}
	s->transit = transit;
	s->jitter_ts = ts;
	s->have_transit = 1;
}

int rtp_stats_update(struct rtp_rx_stats *s, uint16_t seq, uint32_t rtp_ts, uint64_t arrival_us)
{
	if (!s->started) {
		/* A.1: a new source starts on probation, as if seq - 1 was the last seen. */
		rtp_stats_init_seq(s, seq);
		s->max_seq = (uint16_t)(seq - 1);
		s->probation = MIN_SEQUENTIAL;
		s->started = 1;
	}
	uint16_t udelta = (uint16_t)(seq - s->max_seq);

	if (s->probation) {
		/* A.1: MIN_SEQUENTIAL packets in sequence make the source valid. */
		if (seq == (uint16_t)(s->max_seq + 1)) {
			s->probation--;
			s->max_seq = seq;
			rtp_stats_jitter(s, rtp_ts, arrival_us);
			if (s->probation == 0) {
				rtp_stats_init_seq(s, seq);
				s->received++;
			}
		} else {
			s->probation = MIN_SEQUENTIAL - 1;
			s->max_seq = seq;
			s->have_transit = 0;
		}
		return 0;
	}
	if (udelta == 0)
		return 1; /* the highest seq again */
	if (udelta < MAX_DROPOUT) {
		/* A.1: in order, with a permissible gap; a smaller seq means it wrapped. */
		if (seq < s->max_seq)
			s->cycles += RTP_SEQ_MOD;
		s->max_seq = seq;
		rtp_stats_shift(s, udelta);
		s->seen[0] |= 1;
		rtp_stats_jitter(s, rtp_ts, arrival_us);
	} else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
		/* A.1: a very large jump; restart only if the next packet confirms it. */
		if (seq != s->bad_seq) {
			s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
			return 1;
		}
		rtp_stats_init_seq(s, seq);
		s->have_transit = 0;
		rtp_stats_jitter(s, rtp_ts, arrival_us);
	} else {
		/* A.1: late, within MAX_MISORDER; counted unless it is a duplicate. */
		if (rtp_stats_test_set(s, RTP_SEQ_MOD - udelta))
			return 1;
	}
	s->received++;
	return 0;
}

void rtp_stats_on_sr(struct rtp_rx_stats *s, uint64_t sr_ntp, uint64_t arrival_us)
{
	/* RFC 3550 6.4.1: LSR is the middle 32 bits of the SR's NTP timestamp. */
	s->lsr = (uint32_t)(sr_ntp >> 16);
	s->sr_arrival_us = arrival_us;
	s->have_sr = 1;
}

void rtp_stats_report(struct rtp_rx_stats *s, uint32_t ssrc, uint64_t now_us,
                      struct rtcp_report_block *out)
{
	memset(out, 0, sizeof(*out));
	out->ssrc = ssrc;
	if (s->have_sr) {
		/* RFC 3550 6.4.1: DLSR in units of 1/65536 s; 0 and 0 before any SR. */
		uint64_t d = now_us > s->sr_arrival_us ? now_us - s->sr_arrival_us : 0;
		uint64_t secs = d / 1000000, frac = ((d % 1000000) << 16) / 1000000;
		out->lsr = s->lsr;
		out->dlsr = secs >= 65536 ? UINT32_MAX : (uint32_t)((secs << 16) + frac);
	}
	if (!s->started || s->probation)
		return;

	/* RFC 3550 A.3. */
	uint64_t ext_max = s->cycles + s->max_seq;
	uint64_t expected = ext_max - s->base_seq + 1;
	int64_t lost = (int64_t)expected - (int64_t)s->received;
	if (lost > 0x7fffff) /* A.3: clamp to 24 signed bits */
		lost = 0x7fffff;
	if (lost < -0x800000)
		lost = -0x800000;
	uint64_t expected_interval = expected - s->expected_prior;
	uint64_t received_interval = s->received - s->received_prior;
	s->expected_prior = expected;
	s->received_prior = s->received;
	int64_t lost_interval = (int64_t)expected_interval - (int64_t)received_interval;
	uint64_t fraction = 0;
	if (expected_interval != 0 && lost_interval > 0)
		fraction = ((uint64_t)lost_interval << 8) / expected_interval;

	out->fraction_lost = fraction > 255 ? 255 : (uint8_t)fraction;
	out->cumulative_lost = (int32_t)lost;
	out->highest_seq = (uint32_t)ext_max; /* 6.4.1: cycles in the high 16 bits */
	uint64_t j = s->jitter16 >> 4;
	out->jitter = j > UINT32_MAX ? UINT32_MAX : (uint32_t)j;
}
