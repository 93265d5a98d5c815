/* Tests for src/signal/place.c: packed rooms fill the first worker that is neither full nor
 * busy; when every worker is, and when spreading, the one with the fewest people wins; an
 * empty room weighs one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "signal/place.h"

static void test_an_empty_room_weighs_one(void **state)
{
	(void)state;
	assert_int_equal(place_weight(0), 1);
	assert_int_equal(place_weight(2), 2);
	assert_int_equal(place_weight(64), 64);
}

static void test_packed_fills_the_first_worker(void **state)
{
	(void)state;
	/* 43 rooms of two are 86 people: the first worker still takes more. */
	size_t people[3] = {0, 0, 0};
	double busy[3] = {0.1, 0, 0};
	for (int r = 0; r < 43; r++)
		people[place_pick(people, busy, 3, 0)] += place_weight(2);
	assert_int_equal(people[0], 86);
	assert_int_equal(place_pick(people, busy, 3, 0), 0);
	/* Full: the next one. */
	people[0] = PLACE_PACK_PEOPLE;
	assert_int_equal(place_pick(people, busy, 3, 0), 1);
	/* Busy (at or above the share): the next one too. */
	people[0] = 10;
	busy[0] = PLACE_PACK_BUSY;
	assert_int_equal(place_pick(people, busy, 3, 0), 1);
	busy[1] = 0.9;
	assert_int_equal(place_pick(people, busy, 3, 0), 2);
}

static void test_when_all_are_full_or_busy_the_fewest_people(void **state)
{
	(void)state;
	size_t people[3] = {200, 150, 180};
	double busy[3] = {0.1, 0.1, 0.1};
	assert_int_equal(place_pick(people, busy, 3, 0), 1);
	size_t few[3] = {10, 5, 20};
	double all_busy[3] = {0.9, 0.8, 0.7};
	assert_int_equal(place_pick(few, all_busy, 3, 0), 1);
}

static void test_spread_takes_the_fewest_people(void **state)
{
	(void)state;
	size_t people[4] = {6, 4, 4, 8};
	double busy[4] = {0, 0, 0, 0};
	assert_int_equal(place_pick(people, busy, 4, 1), 1); /* the first of a tie */
	assert_int_equal(place_pick(people, busy, 4, 0), 0);
	size_t one[1] = {500};
	double b1[1] = {1.0};
	assert_int_equal(place_pick(one, b1, 1, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_an_empty_room_weighs_one),
	    cmocka_unit_test(test_packed_fills_the_first_worker),
	    cmocka_unit_test(test_when_all_are_full_or_busy_the_fewest_people),
	    cmocka_unit_test(test_spread_takes_the_fewest_people),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
