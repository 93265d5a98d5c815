/* Tests for src/signal/speaker.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "signal/speaker.h"

static int step(struct speaker *s, uint8_t a, uint8_t b, uint8_t c)
{
	const struct speaker_input in[] = {{1, a}, {2, b}, {3, c}};
	return speaker_update(s, in, 3);
}

static void silence_elects_nobody(void **state)
{
	(void)state;
	struct speaker s = {0};
	for (int i = 0; i < 10; i++)
		assert_int_equal(step(&s, 10, 0, 30), 0);
	assert_int_equal(s.current, 0);
}

static void a_speaker_must_lead_for_a_while(void **state)
{
	(void)state;
	struct speaker s = {0};
	assert_int_equal(step(&s, 0, 90, 0), 0); /* one update is not enough */
	assert_int_equal(s.current, 0);
	assert_int_equal(step(&s, 0, 90, 0), 1);
	assert_int_equal(s.current, 2);
	/* A single loud blip from someone else does not take over. */
	assert_int_equal(step(&s, 0, 60, 100), 0);
	assert_int_equal(step(&s, 0, 60, 0), 0);
	assert_int_equal(s.current, 2);
}

static void a_pause_keeps_the_speaker_silence_ends_it(void **state)
{
	(void)state;
	struct speaker s = {0};
	step(&s, 80, 0, 0);
	step(&s, 80, 0, 0);
	assert_int_equal(s.current, 1);
	/* A breath between words changes nothing. */
	for (int i = 0; i < SPEAKER_QUIET - 1; i++)
		assert_int_equal(step(&s, 0, 0, 0), 0);
	assert_int_equal(step(&s, 80, 0, 0), 0);
	assert_int_equal(s.current, 1);
	/* A longer silence (or a muted microphone) ends it. */
	for (int i = 0; i < SPEAKER_QUIET - 1; i++)
		assert_int_equal(step(&s, 0, 0, 0), 0);
	assert_int_equal(step(&s, 0, 0, 0), 1);
	assert_int_equal(s.current, 0);
	assert_int_equal(step(&s, 0, 0, 70), 0);
	assert_int_equal(step(&s, 0, 0, 70), 1);
	assert_int_equal(s.current, 3);
}

static void close_levels_do_not_flip(void **state)
{
	(void)state;
	struct speaker s = {0};
	step(&s, 80, 0, 0);
	step(&s, 80, 0, 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(step(&s, 80, 84, 0), 0); /* within the margin */
	assert_int_equal(s.current, 1);
	step(&s, 70, 90, 0);
	assert_int_equal(step(&s, 70, 90, 0), 1);
	assert_int_equal(s.current, 2);
}

static void a_speaker_who_leaves_is_forgotten(void **state)
{
	(void)state;
	struct speaker s = {0};
	step(&s, 80, 0, 0);
	step(&s, 80, 0, 0);
	const struct speaker_input rest[] = {{2, 0}, {3, 0}};
	assert_int_equal(speaker_update(&s, rest, 2), 1);
	assert_int_equal(s.current, 0);
	assert_int_equal(speaker_update(&s, rest, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(silence_elects_nobody),
	    cmocka_unit_test(a_speaker_must_lead_for_a_while),
	    cmocka_unit_test(a_pause_keeps_the_speaker_silence_ends_it),
	    cmocka_unit_test(close_levels_do_not_flip),
	    cmocka_unit_test(a_speaker_who_leaves_is_forgotten),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
