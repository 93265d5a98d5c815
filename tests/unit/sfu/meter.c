/* Tests for src/sfu/meter.c: a transport's bytes and datagrams per second, a second's worth
 * of burst, the refill, and no limit where a rate is 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sfu/meter.h"

#define T0 1000000000ull /* any clock reading, in µs */

/* How many datagrams of len bytes, offered every gap_us from t, the meter lets through in
   n offers; *t moves on. */
static unsigned offer(struct meter *m, const struct meter_rate *r, size_t len, uint64_t gap_us,
                      unsigned n, uint64_t *t)
{
	unsigned ok = 0;
	for (unsigned i = 0; i < n; i++, *t += gap_us)
		ok += (unsigned)meter_take(m, r, len, *t);
	return ok;
}

/* 80 kbit/s is 10,000 bytes a second: a full bucket pays for ten 1000-byte datagrams at
   once, the eleventh is over; then one more every 100 ms. */
static void test_bytes(void **state)
{
	(void)state;
	const struct meter_rate r = {.kbps = 80, .pps = 0};
	struct meter m;
	meter_init(&m, &r, T0);
	uint64_t t = T0;
	assert_int_equal(offer(&m, &r, 1000, 0, 10, &t), 10);
	assert_int_equal(meter_take(&m, &r, 1000, t), 0);
	assert_int_equal(meter_take(&m, &r, 1000, t + 99999), 0);
	assert_int_equal(meter_take(&m, &r, 1000, t + 100000), 1);
	assert_int_equal(meter_take(&m, &r, 1000, t + 100000), 0);
	/* A smaller datagram can still fit where a bigger one did not. */
	assert_int_equal(meter_take(&m, &r, 500, t + 150000), 1);
	assert_int_equal(meter_take(&m, &r, 1000, t + 150000), 0);
}

/* Sent at twice the rate for ten seconds, half gets through (within one second's burst). */
static void test_steady_overload(void **state)
{
	(void)state;
	const struct meter_rate r = {.kbps = 8000, .pps = 0}; /* 1,000,000 bytes/s */
	struct meter m;
	meter_init(&m, &r, T0);
	uint64_t t = T0;
	/* 1000-byte datagrams every 500 µs: 2,000,000 bytes/s. */
	unsigned ok = offer(&m, &r, 1000, 500, 20000, &t);
	assert_in_range(ok, 10000, 11000);
}

/* The datagram bucket: 50 a second, whatever their size; a quiet spell refills at most a
   second's worth. */
static void test_packets_and_refill_cap(void **state)
{
	(void)state;
	const struct meter_rate r = {.kbps = 0, .pps = 50};
	struct meter m;
	meter_init(&m, &r, T0);
	uint64_t t = T0;
	assert_int_equal(offer(&m, &r, 1, 0, 60, &t), 50);
	t += 3 * 1000000ull; /* three quiet seconds: still only 50 */
	assert_int_equal(offer(&m, &r, 1400, 0, 60, &t), 50);
	/* 20 ms later, one. */
	t += 20000;
	assert_int_equal(offer(&m, &r, 1400, 0, 3, &t), 1);
	/* A bucket that was not empty still holds no more than a second's worth. */
	assert_int_equal(offer(&m, &r, 1, 0, 10, &t), 0);
	t += 200000; /* 10 */
	assert_int_equal(offer(&m, &r, 1, 0, 5, &t), 5);
	t += 1000000; /* 5 left, and a second's 50: still 50 */
	assert_int_equal(offer(&m, &r, 1, 0, 60, &t), 50);
}

/* Either bucket running dry stops a datagram, and it then costs neither. */
static void test_both(void **state)
{
	(void)state;
	const struct meter_rate r = {.kbps = 800, .pps = 10}; /* 100,000 bytes/s, 10/s */
	struct meter m;
	meter_init(&m, &r, T0);
	uint64_t t = T0;
	assert_int_equal(offer(&m, &r, 100, 0, 20, &t), 10); /* datagrams run out first */
	meter_init(&m, &r, T0);
	assert_int_equal(meter_take(&m, &r, 99000, T0), 1);
	assert_int_equal(meter_take(&m, &r, 1001, T0), 0); /* bytes run out first */
	assert_int_equal(meter_take(&m, &r, 1000, T0), 1); /* the refused one took nothing */
}

/* Rates of 0 never refuse; a clock that goes back refills nothing and breaks nothing. */
static void test_unlimited_and_clock(void **state)
{
	(void)state;
	const struct meter_rate none = {0, 0};
	struct meter m;
	meter_init(&m, &none, T0);
	uint64_t t = T0;
	assert_int_equal(offer(&m, &none, 1500, 0, 100000, &t), 100000);
	const struct meter_rate r = {.kbps = 0, .pps = 2};
	meter_init(&m, &r, T0);
	assert_int_equal(meter_take(&m, &r, 1, T0), 1);
	assert_int_equal(meter_take(&m, &r, 1, T0), 1);
	assert_int_equal(meter_take(&m, &r, 1, T0 - 5000000), 0);
	assert_int_equal(meter_take(&m, &r, 1, T0 + 499999), 0);
	assert_int_equal(meter_take(&m, &r, 1, T0 + 500000), 1);
	/* The largest rates neither overflow nor refuse a datagram they can pay for. */
	const struct meter_rate big = {.kbps = UINT32_MAX, .pps = UINT32_MAX};
	meter_init(&m, &big, T0);
	t = T0;
	assert_int_equal(offer(&m, &big, 1500, 1000000, 20, &t), 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_steady_overload),
	    cmocka_unit_test(test_packets_and_refill_cap),
	    cmocka_unit_test(test_both),
	    cmocka_unit_test(test_unlimited_and_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
