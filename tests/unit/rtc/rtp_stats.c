/* Tests for src/rtc/rtp_stats.c: RFC 3550 A.1 probation and sequence validation, A.3
 * loss accounting, A.8 jitter, and LSR/DLSR for receiver report blocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "rtc/rtp_stats.h"

#define SSRC 0x5eed5eedu

/* Feed seqs first..last (inclusive, wrapping) with 20 ms audio spacing. */
static void feed(struct rtp_rx_stats *s, uint16_t first, uint16_t last, uint64_t *t)
{
	for (uint16_t q = first;; q++) {
		rtp_stats_update(s, q, (uint32_t)q * 960, *t);
		*t += 20000;
		if (q == last)
			break;
	}
}

static void report(struct rtp_rx_stats *s, struct rtcp_report_block *b)
{
	rtp_stats_report(s, SSRC, 0, b);
	assert_int_equal(b->ssrc, SSRC);
}

static void test_in_order(void **state)
{
	(void)state;
	struct rtp_rx_stats s;
	struct rtcp_report_block b;
	uint64_t t = 1000000;

	rtp_stats_init(&s, 48000);
	feed(&s, 1000, 1099, &t);
	report(&s, &b);
	/* A.1: the first packet is probation and not counted; the base is the second. */
	assert_int_equal(s.received, 99);
	assert_int_equal(b.highest_seq, 1099);
	assert_int_equal(b.cumulative_lost, 0);
	assert_int_equal(b.fraction_lost, 0);
	assert_int_equal(b.jitter, 0);
	assert_int_equal(b.lsr, 0);
	assert_int_equal(b.dlsr, 0);
}

static void test_gap(void **state)
{
	(void)state;
	struct rtp_rx_stats s;
	struct rtcp_report_block b;
	uint64_t t = 0;

	rtp_stats_init(&s, 48000);
	feed(&s, 0, 9, &t);
	feed(&s, 15, 49, &t); /* 10..14 lost */
	report(&s, &b);
	/* Expected 49 (1..49), received 44: 5 lost, 5 * 256 / 49 = 26. */
	assert_int_equal(b.highest_seq, 49);
	assert_int_equal(b.cumulative_lost, 5);
	assert_int_equal(b.fraction_lost, 26);

	feed(&s, 50, 59, &t);
	feed(&s, 62, 99, &t); /* 60, 61 lost */
	report(&s, &b);
	/* This interval: expected 50, received 48: 2 * 256 / 50 = 10. */
	assert_int_equal(b.highest_seq, 99);
	assert_int_equal(b.cumulative_lost, 7);
	assert_int_equal(b.fraction_lost, 10);

	/* Nothing new: no fraction, same total. */
	report(&s, &b);
	assert_int_equal(b.cumulative_lost, 7);
	assert_int_equal(b.fraction_lost, 0);

	/* 60 arrives late: counted, loss goes down; fraction cannot go negative. */
	assert_int_equal(rtp_stats_update(&s, 60, 60 * 960, t), 0);
	report(&s, &b);
	assert_int_equal(b.cumulative_lost, 6);
	assert_int_equal(b.fraction_lost, 0);
	assert_int_equal(b.highest_seq, 99);

	/* Duplicates are answered 1 and not counted: loss never goes negative from them. */
	assert_int_equal(rtp_stats_update(&s, 60, 60 * 960, t), 1);
	assert_int_equal(rtp_stats_update(&s, 99, 99 * 960, t), 1);
	assert_int_equal(rtp_stats_update(&s, 50, 50 * 960, t), 1);
	report(&s, &b);
	assert_int_equal(b.cumulative_lost, 6);
}

static void test_all_lost_in_interval(void **state)
{
	(void)state;
	struct rtp_rx_stats s;
	struct rtcp_report_block b;
	uint64_t t = 0;

	rtp_stats_init(&s, 48000);
	feed(&s, 0, 10, &t);
	report(&s, &b);
	assert_int_equal(b.cumulative_lost, 0);
	/* 11..19 lost, 20 arrives: expected 10, received 1 -> 9 * 256 / 10 = 230. */
	feed(&s, 20, 20, &t);
	report(&s, &b);
	assert_int_equal(b.fraction_lost, 230);
	assert_int_equal(b.cumulative_lost, 9);
}

static void test_wrap(void **state)
{
	(void)state;
	struct rtp_rx_stats s;
	struct rtcp_report_block b;
	uint64_t t = 0;

	rtp_stats_init(&s, 48000);
	feed(&s, 65530, 65533, &t);
	feed(&s, 65535, 10, &t); /* 65534 missing, then across the wrap */
	report(&s, &b);
	assert_int_equal(b.highest_seq, (1u << 16) | 10);
	assert_int_equal(b.cumulative_lost, 1);
	/* 65534 arrives late, after the wrap: counted, no extra cycle. */
	assert_int_equal(rtp_stats_update(&s, 65534, 0, t), 0);
	report(&s, &b);
	assert_int_equal(b.highest_seq, (1u << 16) | 10);
	assert_int_equal(b.cumulative_lost, 0);

	/* Another full cycle and a bit: cycles count 2. */
	feed(&s, 11, 65535, &t);
	feed(&s, 0, 5, &t);
	report(&s, &b);
	assert_int_equal(b.highest_seq, (2u << 16) | 5);
	assert_int_equal(b.cumulative_lost, 0);
	assert_int_equal(b.fraction_lost, 0);
}

/* The duplicate window spans two 64-bit words: shifts across the boundary keep bits. */
static void test_window(void **state)
{
	(void)state;
	struct rtp_rx_stats s;
	struct rtcp_report_block b;
	uint64_t t = 0;

	rtp_stats_init(&s, 48000);
	feed(&s, 0, 10, &t);
	feed(&s, 12, 12, &t); /* 11 missing */
	/* Advance by 70 (more than a word) then by 40: 12 is now 110 behind, 11 is 111. */
	assert_int_equal(rtp_stats_update(&s, 82, 0, t), 0);
	assert_int_equal(rtp_stats_update(&s, 122, 0, t), 0);
	report(&s, &b);
	assert_int_equal(b.cumulative_lost, 1 + 69 + 39);
	/* More than MAX_MISORDER (100) behind: refused whether seen or not. */
	assert_int_equal(rtp_stats_update(&s, 12, 0, t), 1);
	assert_int_equal(rtp_stats_update(&s, 11, 0, t), 1);
	/* Within it: 82 was seen (40 behind), 81 and 30 were not, 30 only once. */
	assert_int_equal(rtp_stats_update(&s, 82, 0, t), 1);
	assert_int_equal(rtp_stats_update(&s, 81, 0, t), 0);
	assert_int_equal(rtp_stats_update(&s, 30, 0, t), 0);
	assert_int_equal(rtp_stats_update(&s, 30, 0, t), 1);
	assert_int_equal(rtp_stats_update(&s, 122, 0, t), 1);
	report(&s, &b);
	assert_int_equal(b.cumulative_lost, 1 + 69 + 39 - 2);
	/* Every one of 22..121 (22 is 100 behind, just outside A.1's window): all but 22 are
	   counted once; the second time round all are refused. Lost: 11 and 13..22. */
	for (uint16_t q = 22; q < 122; q++)
		rtp_stats_update(&s, q, 0, t);
	for (uint16_t q = 22; q < 122; q++)
		assert_int_equal(rtp_stats_update(&s, q, 0, t), 1);
	report(&s, &b);
	assert_int_equal(b.cumulative_lost, 11);
}

static void test_probation(void **state)
{
	(void)state;
	struct rtp_rx_stats s;
	struct rtcp_report_block b;

	rtp_stats_init(&s, 90000);
	report(&s, &b);
	assert_int_equal(b.highest_seq, 0);
	assert_int_equal(b.cumulative_lost, 0);

	/* Out of sequence during probation restarts it; packets are still "new" (0). */
	assert_int_equal(rtp_stats_update(&s, 5, 0, 0), 0);
	report(&s, &b);
	assert_int_equal(b.highest_seq, 0); /* not valid yet */
	assert_int_equal(rtp_stats_update(&s, 9, 0, 0), 0);
	assert_int_equal(rtp_stats_update(&s, 10, 0, 0), 0);
	report(&s, &b);
	assert_int_equal(b.highest_seq, 10);
	assert_int_equal(s.received, 1);
	assert_int_equal(rtp_stats_update(&s, 11, 0, 0), 0);
	report(&s, &b);
	assert_int_equal(b.highest_seq, 11);
	assert_int_equal(b.cumulative_lost, 0);
	assert_int_equal(s.received, 2);
}

static void test_jump(void **state)
{
	(void)state;
	struct rtp_rx_stats s;
	struct rtcp_report_block b;
	uint64_t t = 0;

	rtp_stats_init(&s, 48000);
	feed(&s, 100, 110, &t);
	/* A.1: a jump of MAX_DROPOUT or more is refused once... */
	assert_int_equal(rtp_stats_update(&s, 20000, 0, t), 1);
	/* ...and an in-order packet after it carries on as if it never came. */
	assert_int_equal(rtp_stats_update(&s, 111, 0, t), 0);
	report(&s, &b);
	assert_int_equal(b.highest_seq, 111);
	assert_int_equal(b.cumulative_lost, 0);
	/* A jump confirmed by the next seq restarts the stream (counts reset). */
	assert_int_equal(rtp_stats_update(&s, 5000, 0, t), 1);
	assert_int_equal(rtp_stats_update(&s, 5001, 0, t), 0);
	assert_int_equal(rtp_stats_update(&s, 5002, 0, t), 0);
	report(&s, &b);
	assert_int_equal(b.highest_seq, 5002);
	assert_int_equal(b.cumulative_lost, 0);
	assert_int_equal(s.received, 2);
	/* A gap just under MAX_DROPOUT is a loss, not a jump. */
	assert_int_equal(rtp_stats_update(&s, 5002 + 2999, 0, t), 0);
	report(&s, &b);
	assert_int_equal(b.cumulative_lost, 2998);
	/* More than MAX_MISORDER behind: too old, refused, not counted. */
	assert_int_equal(rtp_stats_update(&s, 5002 + 2999 - 101, 0, t), 1);
	/* Within it and never seen: late, counted. */
	assert_int_equal(rtp_stats_update(&s, 5002 + 2999 - 99, 0, t), 0);
	report(&s, &b);
	assert_int_equal(b.cumulative_lost, 2997);
}

static void test_lost_clamp(void **state)
{
	(void)state;
	struct rtp_rx_stats s;
	struct rtcp_report_block b;
	uint16_t q = 0;

	rtp_stats_init(&s, 48000);
	rtp_stats_update(&s, q, 0, 0);
	rtp_stats_update(&s, ++q, 0, 0);
	/* 2999 steps of 2999: 2998 lost each, 8.99 million in all. */
	for (int i = 0; i < 2999; i++) {
		q = (uint16_t)(q + 2999);
		assert_int_equal(rtp_stats_update(&s, q, 0, 0), 0);
	}
	report(&s, &b);
	assert_int_equal(b.cumulative_lost, 0x7fffff); /* A.3: clamped to 24 bits */
	assert_int_equal(b.highest_seq, 1 + 2999u * 2999u);
	assert_int_equal(b.fraction_lost, 255); /* 8991002 * 256 / 8994002 */
}

static void test_jitter(void **state)
{
	(void)state;
	struct rtp_rx_stats s;
	struct rtcp_report_block b;

	/* Two packets at 8 kHz: 40 ms apart in time, 20 ms apart in timestamp: D = 160 units,
	   J = 160 / 16 = 10. */
	rtp_stats_init(&s, 8000);
	rtp_stats_update(&s, 1, 0, 0);
	rtp_stats_update(&s, 2, 160, 40000);
	report(&s, &b);
	assert_int_equal(b.jitter, 10);

	/* Constant spacing: jitter decays to 0. */
	uint64_t t = 40000;
	for (uint16_t q = 3; q < 300; q++) {
		t += 20000;
		rtp_stats_update(&s, q, (uint32_t)(q - 2) * 160 + 160, t);
	}
	report(&s, &b);
	assert_int_equal(b.jitter, 0);

	/* Alternating 10 ms / 30 ms arrivals of 20 ms packets: |D| = 10 ms = 900 units at
	   90 kHz; J converges to 900. */
	rtp_stats_init(&s, 90000);
	t = 0;
	uint32_t jprev = 0;
	for (uint16_t q = 0; q < 500; q++) {
		t += (q & 1) ? 30000 : 10000;
		rtp_stats_update(&s, q, (uint32_t)q * 1800, t);
		if (q == 20) {
			report(&s, &b);
			jprev = b.jitter;
			assert_true(jprev > 300);
		}
	}
	report(&s, &b);
	assert_true(b.jitter > jprev);
	assert_in_range(b.jitter, 880, 900);

	/* Video: 5 packets per frame share a timestamp and arrive 1 ms apart; frames are
	   3000 units (33.3 ms) apart and so are their first packets. Only the first packet of
	   each frame is used, so jitter stays ~0 though packets are not evenly spaced. */
	rtp_stats_init(&s, 90000);
	uint16_t q = 0;
	for (int f = 0; f < 100; f++) {
		for (int i = 0; i < 5; i++)
			rtp_stats_update(&s, q++, (uint32_t)f * 3000,
			                 (uint64_t)f * 100000 / 3 + 1000u * i);
	}
	report(&s, &b);
	assert_in_range(b.jitter, 0, 1);

	/* A clock rate of 0 leaves jitter at 0. */
	rtp_stats_init(&s, 0);
	for (q = 0; q < 50; q++)
		rtp_stats_update(&s, q, (uint32_t)q * 7777, (uint64_t)q * q * 1000);
	report(&s, &b);
	assert_int_equal(b.jitter, 0);
	assert_int_equal(b.highest_seq, 49);

	/* Late packets do not feed jitter. */
	rtp_stats_init(&s, 90000);
	t = 0;
	for (q = 0; q < 100; q++) {
		t += 20000;
		if (q == 50)
			continue;
		rtp_stats_update(&s, q, (uint32_t)q * 1800, t);
	}
	assert_int_equal(rtp_stats_update(&s, 50, 50 * 1800, t + 5000000), 0);
	report(&s, &b);
	assert_int_equal(b.jitter, 0);
}

static void test_lsr_dlsr(void **state)
{
	(void)state;
	struct rtp_rx_stats s;
	struct rtcp_report_block b;

	rtp_stats_init(&s, 48000);
	rtp_stats_report(&s, SSRC, 5000000, &b);
	assert_int_equal(b.lsr, 0);
	assert_int_equal(b.dlsr, 0);

	rtp_stats_on_sr(&s, 0x0123456789abcdefull, 1000000);
	rtp_stats_report(&s, SSRC, 1500000, &b);
	assert_int_equal(b.lsr, 0x456789ab);
	assert_int_equal(b.dlsr, 32768); /* 0.5 s */
	rtp_stats_report(&s, SSRC, 3250000, &b);
	assert_int_equal(b.dlsr, 147456); /* 2.25 s */
	rtp_stats_report(&s, SSRC, 1000000, &b);
	assert_int_equal(b.dlsr, 0);
	rtp_stats_report(&s, SSRC, 999999, &b); /* clock before the SR: 0, not huge */
	assert_int_equal(b.dlsr, 0);
	rtp_stats_report(&s, SSRC, 1000000 + 70000ull * 1000000, &b);
	assert_int_equal(b.dlsr, UINT32_MAX);
	rtp_stats_report(&s, SSRC, 1000000 + 1000, &b); /* 1 ms = 65.536 units */
	assert_int_equal(b.dlsr, 65);

	/* A newer SR replaces it. */
	rtp_stats_on_sr(&s, 0xffffeeeeddddccccull, 9000000);
	rtp_stats_report(&s, SSRC, 10000000, &b);
	assert_int_equal(b.lsr, 0xeeeedddd);
	assert_int_equal(b.dlsr, 65536);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_in_order),
	    cmocka_unit_test(test_gap),
	    cmocka_unit_test(test_all_lost_in_interval),
	    cmocka_unit_test(test_wrap),
	    cmocka_unit_test(test_window),
	    cmocka_unit_test(test_probation),
	    cmocka_unit_test(test_jump),
	    cmocka_unit_test(test_lost_clamp),
	    cmocka_unit_test(test_jitter),
	    cmocka_unit_test(test_lsr_dlsr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
