/* Tests for src/signal/place.c: packed rooms fill the first worker that is neither full nor
 * busy; when every worker is, and when spreading, the one with the fewest people wins; an
 * empty room weighs one. A room's members stay on its worker until it has spread_at of
 * them, then go to the worker with the fewest of them (home first, then the lowest index). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/limits.h"
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

static void test_a_small_room_stays_home(void **state)
{
	(void)state;
	/* Worker 2 is the room's; the others are emptier, but the room is small. */
	size_t in_room[4] = {0, 0, 7, 0};
	for (size_t size = 0; size < PLACE_SPREAD_AT; size++)
		assert_int_equal(place_member(in_room, 4, 2, size, PLACE_SPREAD_AT), 2);
	assert_int_equal(place_member(in_room, 4, 2, 4, 5), 2);
}

static void test_from_spread_at_on_the_emptiest_worker(void **state)
{
	(void)state;
	size_t in_room[4] = {3, 5, 1, 2};
	assert_int_equal(place_member(in_room, 4, 1, 11, 11), 2);
	assert_int_equal(place_member(in_room, 4, 1, 40, 11), 2);
	assert_int_equal(place_member(in_room, 4, 0, PLACE_SPREAD_AT, PLACE_SPREAD_AT), 2);
	/* The emptiest may be the last or the first. */
	size_t last[3] = {4, 4, 0};
	assert_int_equal(place_member(last, 3, 1, 16, 8), 2);
	size_t first[3] = {0, 4, 4};
	assert_int_equal(place_member(first, 3, 2, 16, 8), 0);
}

static void test_a_room_opens_a_worker_for_every_spread_at_members(void **state)
{
	(void)state;
	/* Two workers in use and 8 members: the third stays closed until 16. */
	size_t in_room[4] = {4, 4, 0, 0};
	assert_int_equal(place_member(in_room, 4, 1, 8, 8), 1);
	assert_int_equal(place_member(in_room, 4, 1, 15, 8), 1);
	assert_int_equal(place_member(in_room, 4, 1, 16, 8), 2); /* the next after home */
	size_t ends[4] = {0, 4, 4, 0}; /* all four open: of the emptiest, the lowest index */
	assert_int_equal(place_member(ends, 4, 2, 16, 4), 0);
}

static void test_a_room_of_64_on_64_workers_uses_few_of_them(void **state)
{
	(void)state;
	/* On a machine of many cores a big room must not put one member on each worker, each
	   then relaying every packet to 63 others: it opens a worker per PLACE_SPREAD_AT. */
	size_t in_room[64] = {0};
	for (size_t size = 0; size < 64; size++)
		in_room[place_member(in_room, 64, 10, size, PLACE_SPREAD_AT)]++;
	size_t used = 0, fewest = 64;
	for (size_t i = 0; i < 64; i++) {
		if (in_room[i] == 0)
			continue;
		used++;
		if (in_room[i] < fewest)
			fewest = in_room[i];
	}
	assert_int_equal(used, 64 / PLACE_SPREAD_AT);
	assert_true(fewest >= PLACE_SPREAD_AT - 1);
	assert_int_equal(in_room[10], PLACE_SPREAD_AT); /* home */
	assert_true(in_room[11] > 0 && in_room[9] == 0);
}

static void test_ties_go_home_then_to_the_lowest_index(void **state)
{
	(void)state;
	size_t even[4] = {3, 3, 3, 3};
	assert_int_equal(place_member(even, 4, 2, 12, 8), 2);
	assert_int_equal(place_member(even, 4, 3, 12, 8), 3);
	/* Home is not among the emptiest: the lowest of them. */
	size_t two[4] = {4, 2, 5, 2};
	assert_int_equal(place_member(two, 4, 2, 13, 8), 1);
	assert_int_equal(place_member(two, 4, 0, 13, 8), 1);
}

static void test_zero_never_spreads(void **state)
{
	(void)state;
	size_t in_room[2] = {LIM_ROOM_PARTICIPANTS - 1, 0};
	assert_int_equal(place_member(in_room, 2, 0, LIM_ROOM_PARTICIPANTS - 1, 0), 0);
	assert_int_equal(place_member(in_room, 2, 0, 1, 0), 0);
}

static void test_one_worker_never_spreads(void **state)
{
	(void)state;
	/* What lies beyond the n workers is not looked at. */
	size_t in_room[2] = {40, 0};
	assert_int_equal(place_member(in_room, 1, 0, 40, 8), 0);
	assert_int_equal(place_member(in_room, 1, 0, 40, 1), 0);
	assert_int_equal(place_member(in_room, 2, 0, 40, 8), 1);
}

static void test_a_room_of_30_on_2_workers_ends_15_15(void **state)
{
	(void)state;
	/* Home is worker 1: the first PLACE_SPREAD_AT join it, then the others fill worker 0
	   up to them, then the two take turns. */
	size_t in_room[2] = {0, 0};
	for (size_t size = 0; size < 30; size++) {
		size_t w = place_member(in_room, 2, 1, size, PLACE_SPREAD_AT);
		assert_true(w < 2);
		if (size < PLACE_SPREAD_AT)
			assert_int_equal(w, 1);
		in_room[w]++;
		if (size == 2 * PLACE_SPREAD_AT - 1) {
			assert_int_equal(in_room[0], PLACE_SPREAD_AT);
			assert_int_equal(in_room[1], PLACE_SPREAD_AT);
		}
	}
	assert_int_equal(in_room[0], 15);
	assert_int_equal(in_room[1], 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_an_empty_room_weighs_one),
	    cmocka_unit_test(test_packed_fills_the_first_worker),
	    cmocka_unit_test(test_when_all_are_full_or_busy_the_fewest_people),
	    cmocka_unit_test(test_spread_takes_the_fewest_people),
	    cmocka_unit_test(test_a_small_room_stays_home),
	    cmocka_unit_test(test_from_spread_at_on_the_emptiest_worker),
	    cmocka_unit_test(test_a_room_opens_a_worker_for_every_spread_at_members),
	    cmocka_unit_test(test_a_room_of_64_on_64_workers_uses_few_of_them),
	    cmocka_unit_test(test_ties_go_home_then_to_the_lowest_index),
	    cmocka_unit_test(test_zero_never_spreads),
	    cmocka_unit_test(test_one_worker_never_spreads),
	    cmocka_unit_test(test_a_room_of_30_on_2_workers_ends_15_15),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
