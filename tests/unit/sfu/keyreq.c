/* Tests for src/sfu/keyreq.c: one key-frame request per stream in an interval, a newcomer's
 * request kept until it may leave, at most KEYREQ_PER_TICK per tick, and everyone served. */
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
	struct keyreq_budget b;
	keyreq_tick(&b);
	assert_int_equal(keyreq_ask(&k, &b, T0, 0), 1);
	/* A subscriber's own request inside the interval is dropped... */
	assert_int_equal(keyreq_ask(&k, &b, T0 + 1000, 0), 0);
	assert_false(k.waiting);
	assert_int_equal(keyreq_due(&k, &b, T0 + KEYREQ_INTERVAL_US), 0);
	/* ...a newcomer's waits for the interval's end, and leaves once. */
	assert_int_equal(keyreq_ask(&k, &b, T0 + 2000, 1), 0);
	assert_true(k.waiting);
	assert_int_equal(keyreq_due(&k, &b, T0 + KEYREQ_INTERVAL_US - 1), 0);
	assert_int_equal(keyreq_due(&k, &b, T0 + KEYREQ_INTERVAL_US), 1);
	assert_false(k.waiting);
	assert_int_equal(keyreq_due(&k, &b, T0 + 2 * KEYREQ_INTERVAL_US), 0);
	/* After the interval a subscriber's request leaves at once. */
	assert_int_equal(keyreq_ask(&k, &b, T0 + 2 * KEYREQ_INTERVAL_US, 0), 1);
}

/* A newcomer to a room of 35 asks 34 publishers at once: KEYREQ_PER_TICK leave in each
   tick, none twice, and all within ceil(34 / KEYREQ_PER_TICK) ticks. */
static void test_spread_over_ticks(void **state)
{
	(void)state;
	enum { N = 34, TICK_US = 20000 };
	struct keyreq k[N] = {{0}};
	struct keyreq_budget b;
	keyreq_tick(&b);
	int sent[N] = {0}, now_sent = 0;
	for (int i = 0; i < N; i++) {
		int s = keyreq_ask(&k[i], &b, T0, 1);
		sent[i] += s;
		now_sent += s;
	}
	assert_int_equal(now_sent, KEYREQ_PER_TICK);
	int ticks = 0, left = N - now_sent;
	while (left > 0 && ticks < 100) {
		ticks++;
		keyreq_tick(&b);
		int in_tick = 0;
		for (int i = 0; i < N; i++) {
			int s = keyreq_due(&k[i], &b, T0 + (uint64_t)ticks * TICK_US);
			sent[i] += s;
			in_tick += s;
		}
		assert_true(in_tick <= KEYREQ_PER_TICK);
		left -= in_tick;
	}
	assert_int_equal(left, 0);
	assert_int_equal(ticks, (N + KEYREQ_PER_TICK - 1) / KEYREQ_PER_TICK - 1);
	for (int i = 0; i < N; i++)
		assert_int_equal(sent[i], 1);
}

/* A subscriber's own request that the tick's budget holds back is not lost. */
static void test_budget_keeps_a_request(void **state)
{
	(void)state;
	struct keyreq k[KEYREQ_PER_TICK + 1] = {{0}};
	struct keyreq_budget b;
	keyreq_tick(&b);
	for (int i = 0; i < KEYREQ_PER_TICK; i++)
		assert_int_equal(keyreq_ask(&k[i], &b, T0, 1), 1);
	assert_int_equal(keyreq_ask(&k[KEYREQ_PER_TICK], &b, T0, 0), 0);
	assert_true(k[KEYREQ_PER_TICK].waiting);
	keyreq_tick(&b);
	assert_int_equal(keyreq_due(&k[KEYREQ_PER_TICK], &b, T0 + 20000), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_interval),
	    cmocka_unit_test(test_spread_over_ticks),
	    cmocka_unit_test(test_budget_keeps_a_request),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
