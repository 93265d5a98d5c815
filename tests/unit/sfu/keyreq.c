/* Tests for src/sfu/keyreq.c: one key-frame request per stream in an interval, a newcomer's
 * request kept until it may leave, at most KEYREQ_COPIES_PER_TICK copies per tick (and
 * always one request), and everyone served. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sfu/keyreq.h"

#define T0 1000000000ull /* any clock reading */

static void test_interval(void **state)
{
	(void)state;
	struct keyreq k = {0};
	struct keyreq_budget b = {0};
	keyreq_tick(&b);
	assert_int_equal(keyreq_ask(&k, &b, T0, 0, 1), 1);
	/* A subscriber's own request inside the interval is dropped... */
	assert_int_equal(keyreq_ask(&k, &b, T0 + 1000, 0, 1), 0);
	assert_false(k.waiting);
	assert_int_equal(keyreq_due(&k, &b, T0 + KEYREQ_INTERVAL_US, 1), 0);
	/* ...a newcomer's waits for the interval's end, and leaves once. */
	assert_int_equal(keyreq_ask(&k, &b, T0 + 2000, 1, 1), 0);
	assert_true(k.waiting);
	assert_int_equal(keyreq_due(&k, &b, T0 + KEYREQ_INTERVAL_US - 1, 1), 0);
	assert_int_equal(keyreq_due(&k, &b, T0 + KEYREQ_INTERVAL_US, 1), 1);
	assert_false(k.waiting);
	assert_int_equal(keyreq_due(&k, &b, T0 + 2 * KEYREQ_INTERVAL_US, 1), 0);
	/* After the interval a subscriber's request leaves at once. */
	assert_int_equal(keyreq_ask(&k, &b, T0 + 2 * KEYREQ_INTERVAL_US, 0, 1), 1);
}

/* A newcomer to a room of 35 asks 34 publishers at once, each key frame going to 34:
   one leaves in each tick (34 copies: the budget allows no second), none twice, all
   within 34 ticks. */
static void test_spread_over_ticks(void **state)
{
	(void)state;
	enum { N = 34, TICK_US = 20000 };
	struct keyreq k[N] = {{0}};
	struct keyreq_budget b = {0};
	keyreq_tick(&b);
	int sent[N] = {0}, now_sent = 0;
	for (int i = 0; i < N; i++) {
		int s = keyreq_ask(&k[i], &b, T0, 1, N);
		sent[i] += s;
		now_sent += s;
	}
	assert_int_equal(now_sent, 1);
	int ticks = 0, left = N - now_sent;
	while (left > 0 && ticks < 100) {
		ticks++;
		keyreq_tick(&b);
		int in_tick = 0;
		for (int i = 0; i < N; i++) {
			int s = keyreq_due(&k[i], &b, T0 + (uint64_t)ticks * TICK_US, N);
			sent[i] += s;
			in_tick += s;
		}
		assert_int_equal(in_tick, 1);
		left -= in_tick;
	}
	assert_int_equal(left, 0);
	assert_int_equal(ticks, N - 1);
	for (int i = 0; i < N; i++)
		assert_int_equal(sent[i], 1);
}

/* The budget counts copies: rooms of two are served KEYREQ_COPIES_PER_TICK at a time,
   rooms of six as many as fit, and a room bigger than the budget still one a tick. */
static void test_budget_counts_copies(void **state)
{
	(void)state;
	enum { N = KEYREQ_COPIES_PER_TICK + 8 };
	static const unsigned copies[] = {1, 5, 39, KEYREQ_COPIES_PER_TICK + 60};
	static const int fit[] = {KEYREQ_COPIES_PER_TICK, KEYREQ_COPIES_PER_TICK / 5, 1, 1};
	for (size_t c = 0; c < sizeof(copies) / sizeof(copies[0]); c++) {
		struct keyreq k[N] = {{0}};
		struct keyreq_budget b = {0};
		keyreq_tick(&b);
		int sent = 0;
		for (int i = 0; i < N; i++)
			sent += keyreq_ask(&k[i], &b, T0, 1, copies[c]);
		assert_int_equal(sent, fit[c]);
	}
	/* A small request still fits after a big one that left room. */
	struct keyreq k[2] = {{0}};
	struct keyreq_budget b = {0};
	keyreq_tick(&b);
	assert_int_equal(keyreq_ask(&k[0], &b, T0, 1, KEYREQ_COPIES_PER_TICK - 1), 1);
	assert_int_equal(keyreq_ask(&k[1], &b, T0, 1, 1), 1);
}

/* A subscriber's own request that the tick's budget holds back is not lost. */
static void test_budget_keeps_a_request(void **state)
{
	(void)state;
	struct keyreq k[2] = {{0}};
	struct keyreq_budget b = {0};
	keyreq_tick(&b);
	assert_int_equal(keyreq_ask(&k[0], &b, T0, 1, KEYREQ_COPIES_PER_TICK), 1);
	assert_int_equal(keyreq_ask(&k[1], &b, T0, 0, 1), 0);
	assert_true(k[1].waiting);
	keyreq_tick(&b);
	assert_int_equal(keyreq_due(&k[1], &b, T0 + 20000, 1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_interval),
	    cmocka_unit_test(test_spread_over_ticks),
	    cmocka_unit_test(test_budget_counts_copies),
	    cmocka_unit_test(test_budget_keeps_a_request),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
