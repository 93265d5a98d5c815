/* Tests for src/sfu/seqmap.c: sequence numbers start below 2^15 and keep their steps until a
 * pause, then run on from the last one sent; late packets from before a pause are not sent; NACKs
 * map back within the epoch only; the 16-bit wrap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sfu/seqmap.h"

static void test_unchanged_until_a_pause(void **state)
{
	(void)state;
	/* A publisher in the lower half of its numbers: they pass through unchanged. */
	struct seqmap m = {0};
	for (uint16_t s = 7; s < 7 + 2000; s++)
		assert_int_equal(seqmap_out(&m, s), s);
	/* Reordered and lost packets keep their numbers. */
	assert_int_equal(seqmap_out(&m, 3000), 3000);
	assert_int_equal(seqmap_out(&m, 2998), 2998);
	assert_int_equal(seqmap_in(&m, 2998), 2998);
	/* A pause before anything was sent changes nothing. */
	struct seqmap fresh = {0};
	seqmap_pause(&fresh);
	assert_int_equal(seqmap_out(&fresh, 7), 7);
}

static void test_starts_below_half(void **state)
{
	(void)state;
	/* A publisher six packets short of its wrap: the subscriber's numbers start 2^15
	   lower, so that they do not wrap with the publisher's, and a receiver that loses the
	   first six does not take the seventh for rollover 0 (RFC 3711 3.3.1). */
	struct seqmap m = {0};
	for (uint32_t s = 65530; s < 65530 + 2000; s++)
		assert_int_equal(seqmap_out(&m, (uint16_t)s), (uint16_t)(s - 32768));
	assert_int_equal(seqmap_out(&m, 4000), 4000 + 32768);
	assert_int_equal(seqmap_out(&m, 3998), 3998 + 32768);
	/* NACKs map back to the publisher's numbers. */
	assert_int_equal(seqmap_in(&m, 32762), 65530);
	assert_int_equal(seqmap_in(&m, 3998 + 32768), 3998);
	/* The first number is below 2^15 wherever the publisher is. */
	for (uint32_t first = 0; first < 65536; first += 4099) {
		struct seqmap f = {0};
		assert_true(seqmap_out(&f, (uint16_t)first) < 32768);
	}
}

static void test_runs_on_after_a_pause(void **state)
{
	(void)state;
	struct seqmap m = {0};
	for (uint16_t s = 100; s <= 200; s++)
		assert_int_equal(seqmap_out(&m, s), s);
	/* Muted for 50,000 packets: far enough to fool a rollover guess. */
	seqmap_pause(&m);
	uint16_t in = 200 + 50000;
	assert_int_equal(seqmap_out(&m, in), 201);
	assert_int_equal(seqmap_out(&m, (uint16_t)(in + 1)), 202);
	assert_int_equal(seqmap_out(&m, (uint16_t)(in + 3)), 204); /* a loss stays a gap */
	assert_int_equal(seqmap_out(&m, (uint16_t)(in + 2)), 203); /* late within the epoch */
	/* A packet from before the pause, late: not sent. */
	assert_int_equal(seqmap_out(&m, (uint16_t)(in - 100)), -1);
	assert_int_equal(seqmap_out(&m, (uint16_t)(in - 1)), -1);
	/* NACKs: ours back to the publisher's, in this epoch; nothing for the old one, nothing
	   not yet sent. */
	assert_int_equal(seqmap_in(&m, 203), (uint16_t)(in + 2));
	assert_int_equal(seqmap_in(&m, 201), in);
	assert_int_equal(seqmap_in(&m, 150), -1);
	assert_int_equal(seqmap_in(&m, 205), -1);
	/* A second pause, across the wrap of our numbers. */
	for (uint32_t k = 4; k < 70000; k++)
		assert_true(seqmap_out(&m, (uint16_t)(in + k)) >= 0);
	int32_t last = (uint16_t)(201 + 70000 - 1);
	seqmap_pause(&m);
	assert_int_equal(seqmap_out(&m, 12345), (uint16_t)(last + 1));
}

static void test_old_epoch_does_not_wrap(void **state)
{
	(void)state;
	/* Long after its start, an epoch takes every packet (the comparison with its first
	   seq would wrap). */
	struct seqmap m = {0};
	seqmap_out(&m, 10);
	for (uint32_t k = 1; k < 40000; k++)
		assert_int_equal(seqmap_out(&m, (uint16_t)(10 + k)), (uint16_t)(10 + k));
	assert_int_equal(seqmap_out(&m, 5), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unchanged_until_a_pause),
	    cmocka_unit_test(test_starts_below_half),
	    cmocka_unit_test(test_runs_on_after_a_pause),
	    cmocka_unit_test(test_old_epoch_does_not_wrap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
