/* Tests for src/base/hashidx.c: items are found under their hash and key, colliding hashes
 * and runs across the table's end, removal by backward shift (no slot stays taken by a
 * removed item, however long the churn), and the half-full cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "base/err.h"
#include "base/hashidx.h"

struct item {
	uint32_t key;
	uint32_t hash;
	int in;
};

static int match(const void *item, const void *key)
{
	return ((const struct item *)item)->key == *(const uint32_t *)key;
}

static struct item *find(const struct hashidx *x, const struct item *it)
{
	return hashidx_find(x, it->hash, match, &it->key);
}

static size_t taken(const struct hashidx *x)
{
	size_t n = 0;
	for (size_t i = 0; i <= x->mask; i++)
		n += x->slot[i].item != NULL;
	return n;
}

static void test_find_add_del(void **state)
{
	(void)state;
	struct hashidx x;
	assert_int_equal(hashidx_init(&x, 16), 0);
	struct item a = {.key = 1, .hash = 5}, b = {.key = 2, .hash = 5}, c = {.key = 3, .hash = 6};
	assert_null(find(&x, &a));
	assert_int_equal(hashidx_add(&x, a.hash, &a), 0);
	assert_int_equal(hashidx_add(&x, b.hash, &b), 0); /* same hash, other key */
	assert_int_equal(hashidx_add(&x, c.hash, &c), 0); /* its home is taken by b */
	assert_ptr_equal(find(&x, &a), &a);
	assert_ptr_equal(find(&x, &b), &b);
	assert_ptr_equal(find(&x, &c), &c);
	struct item other = {.key = 9, .hash = 5};
	assert_null(find(&x, &other));
	/* Removing the head of the run moves b and then c back: both are still found. */
	assert_int_equal(hashidx_del(&x, a.hash, &a), 0);
	assert_null(find(&x, &a));
	assert_ptr_equal(find(&x, &b), &b);
	assert_ptr_equal(find(&x, &c), &c);
	assert_ptr_equal(x.slot[5].item, &b);
	assert_ptr_equal(x.slot[6].item, &c);
	assert_int_equal(hashidx_del(&x, a.hash, &a), ERR_NOTFOUND);
	assert_int_equal(x.n, 2);
	hashidx_free(&x);
}

static void test_run_across_the_end(void **state)
{
	(void)state;
	struct hashidx x;
	assert_int_equal(hashidx_init(&x, 8), 0);
	/* Homes 6, 7, 7, 6: the run wraps to slots 0 and 1. */
	struct item it[4] = {{.key = 1, .hash = 6},
	                     {.key = 2, .hash = 7},
	                     {.key = 3, .hash = 15},
	                     {.key = 4, .hash = 14}};
	for (int i = 0; i < 4; i++)
		assert_int_equal(hashidx_add(&x, it[i].hash, &it[i]), 0);
	assert_ptr_equal(x.slot[0].item, &it[2]);
	assert_ptr_equal(x.slot[1].item, &it[3]);
	/* Removing the item at 7 moves the one at 0 (home 7) into 7 and the one at 1 (home 6)
	   into 0: nothing may move to before its home. */
	assert_int_equal(hashidx_del(&x, it[1].hash, &it[1]), 0);
	assert_ptr_equal(x.slot[7].item, &it[2]);
	assert_ptr_equal(x.slot[0].item, &it[3]);
	assert_null(x.slot[1].item);
	for (int i = 0; i < 4; i++)
		assert_ptr_equal(find(&x, &it[i]), i == 1 ? NULL : &it[i]);
	/* An item at its home stays there when the one before it goes. */
	struct item d = {.key = 5, .hash = 1};
	assert_int_equal(hashidx_add(&x, d.hash, &d), 0);
	assert_int_equal(hashidx_del(&x, it[3].hash, &it[3]), 0);
	assert_ptr_equal(x.slot[1].item, &d);
	assert_null(x.slot[0].item);
	hashidx_free(&x);
}

static void test_half_full_is_full(void **state)
{
	(void)state;
	struct hashidx x;
	assert_int_equal(hashidx_init(&x, 8), 0);
	struct item it[5];
	for (uint32_t i = 0; i < 5; i++) {
		it[i] = (struct item){.key = i, .hash = 3};
		assert_int_equal(hashidx_add(&x, it[i].hash, &it[i]), i < 4 ? 0 : ERR_LIMIT);
	}
	assert_int_equal(hashidx_del(&x, 3, &it[0]), 0);
	assert_int_equal(hashidx_add(&x, it[4].hash, &it[4]), 0);
	assert_ptr_equal(find(&x, &it[4]), &it[4]);
	hashidx_free(&x);
	assert_int_equal(hashidx_init(&x, 12), ERR_INVAL);
	assert_null(find(&x, &it[0]));
	assert_int_equal(hashidx_add(&x, 1, &it[0]), ERR_LIMIT);
}

/* A long life: many more insertions than slots, in random order, with crowded hashes. */
static void test_churn_leaves_no_trace(void **state)
{
	(void)state;
	enum { SLOTS = 256, ITEMS = 128, ROUNDS = 200000 };
	struct hashidx x;
	assert_int_equal(hashidx_init(&x, SLOTS), 0);
	static struct item it[ITEMS];
	uint32_t seed = 12345, next_key = 1;
	size_t live = 0;
	for (int r = 0; r < ROUNDS; r++) {
		seed = seed * 1103515245u + 12345u;
		struct item *t = &it[(seed >> 8) % ITEMS];
		if (t->in) {
			assert_int_equal(hashidx_del(&x, t->hash, t), 0);
			t->in = 0;
			live--;
		} else {
			t->key = next_key++;
			/* A quarter of the table's homes only, so runs are long and wrap. */
			t->hash = hashidx_fnv(HASHIDX_FNV_INIT, &t->key, sizeof(t->key)) %
			          (SLOTS / 4) * 4;
			assert_int_equal(hashidx_add(&x, t->hash, t), 0);
			t->in = 1;
			live++;
		}
		if (r % 997 == 0) {
			for (int i = 0; i < ITEMS; i++)
				assert_ptr_equal(find(&x, &it[i]), it[i].in ? &it[i] : NULL);
		}
	}
	assert_int_equal(x.n, live);
	/* The table holds the live items and nothing else. */
	assert_int_equal(taken(&x), live);
	for (int i = 0; i < ITEMS; i++) {
		if (it[i].in)
			assert_int_equal(hashidx_del(&x, it[i].hash, &it[i]), 0);
	}
	assert_int_equal(taken(&x), 0);
	hashidx_free(&x);
}

static void test_fnv(void **state)
{
	(void)state;
	/* FNV-1a 32 of "a" and "foobar" (the reference test vectors). */
	assert_int_equal(hashidx_fnv(HASHIDX_FNV_INIT, "a", 1), 0xe40c292cu);
	assert_int_equal(hashidx_fnv(HASHIDX_FNV_INIT, "foobar", 6), 0xbf9cf968u);
	assert_int_equal(hashidx_fnv(hashidx_fnv(HASHIDX_FNV_INIT, "foo", 3), "bar", 3),
	                 0xbf9cf968u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_find_add_del),
	    cmocka_unit_test(test_run_across_the_end),
	    cmocka_unit_test(test_half_full_is_full),
	    cmocka_unit_test(test_churn_leaves_no_trace),
	    cmocka_unit_test(test_fnv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
