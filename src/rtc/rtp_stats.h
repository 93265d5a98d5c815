/* rtp_stats.h - receiver statistics for one incoming RTP stream (RFC 3550 A.1 sequence
 * validation, A.3 loss, A.8 jitter, 6.4.1 LSR/DLSR), to fill receiver report blocks. */
#ifndef KAMER_RTC_RTP_STATS_H
#define KAMER_RTC_RTP_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "rtc/rtcp.h"

#define RTP_STATS_WINDOW 128 /* seqs behind the highest checked for duplicates (> 100) */

/* Embedded by value in the owner (no allocation); fields are read-only outside rtp_stats.c. */
struct rtp_rx_stats {
	uint32_t clock_rate; /* RTP timestamp units per second */
	uint8_t started;     /* a packet has been seen */
	uint8_t probation;   /* sequential packets still needed before the source is valid */
	uint16_t max_seq;    /* highest seq seen */
	uint32_t bad_seq;    /* a large jump expects this seq next to restart (A.1) */
	uint64_t cycles;     /* wraps of seq, shifted left by 16 */
	uint64_t base_seq;   /* first counted seq (extended) */
	uint64_t received;   /* packets counted (duplicates are not) */
	uint64_t expected_prior, received_prior; /* at the last report */
	uint64_t seen[RTP_STATS_WINDOW / 64];    /* bit i: max_seq - i was received */
	uint8_t have_transit;
	uint32_t transit; /* arrival - timestamp of the last packet used for jitter */
	uint32_t jitter_ts;
	uint64_t jitter16; /* interarrival jitter, scaled by 16 (A.8) */
	uint8_t have_sr;
	uint32_t lsr;           /* middle 32 bits of the last SR's NTP timestamp */
	uint64_t sr_arrival_us; /* when it arrived */
};

/* clock_rate > 0 (48000 for Opus, 90000 for video); with 0, jitter stays 0. */
void rtp_stats_init(struct rtp_rx_stats *s, uint32_t clock_rate);

/* Account for one received packet, after SRTP authenticated it. Sequence validation is
   RFC 3550 A.1's (MIN_SEQUENTIAL 2, MAX_DROPOUT 3000, MAX_MISORDER 100), with this rule
   for A.3's "received": a packet is counted once; a duplicate of one of the last
   RTP_STATS_WINDOW seqs is not counted, so cumulative loss never goes negative.
   0 = a new packet: in order, after a gap, late but not seen before, during probation
   (A.1 does not count those yet), or the second packet of a seq jump (a restart).
   1 = a duplicate, or a packet A.1 rejects (a jump of 3000 or more, or more than 100
   behind, not yet confirmed by the next seq); neither is counted.
   Jitter (A.8) uses in-order packets whose timestamp differs from the last one used, so
   the packets of one video frame do not count as jitter. */
int rtp_stats_update(struct rtp_rx_stats *s, uint16_t seq, uint32_t rtp_ts, uint64_t arrival_us);

/* Remember a sender report for LSR/DLSR: sr_ntp is its 64-bit NTP timestamp. */
void rtp_stats_on_sr(struct rtp_rx_stats *s, uint64_t sr_ntp, uint64_t arrival_us);

/* Fill a report block for now and start a new reporting interval (A.3: fraction lost since
   the last call, 0 when nothing was expected or duplicates outnumber losses). Cumulative
   lost is clamped to 24 signed bits, DLSR (1/65536 s since the SR) to 32 bits. Before the
   source is valid only ssrc, lsr and dlsr are non-zero. */
void rtp_stats_report(struct rtp_rx_stats *s, uint32_t ssrc, uint64_t now_us,
                      struct rtcp_report_block *out);

#endif
