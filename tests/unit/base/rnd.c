/* Tests for src/base/rnd.c: identifiers carry 160 bits from getrandom() (S1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/rnd.h"

static void id_shape(void **state)
{
	(void)state;
	char id[RND_ID_CHARS + 1];
	assert_int_equal(rnd_id(id), 0);
	assert_int_equal(strlen(id), RND_ID_CHARS);
	assert_true(rnd_id_valid(id, strlen(id)));
}

static void ids_differ(void **state)
{
	(void)state;
	enum { N = 2000 };
	static char ids[N][RND_ID_CHARS + 1];
	for (int i = 0; i < N; i++)
		assert_int_equal(rnd_id(ids[i]), 0);
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++)
			assert_string_not_equal(ids[i], ids[j]);
}

/* Every one of the 32 positions takes many values: no fixed prefix, no counter. */
static void ids_use_every_position(void **state)
{
	(void)state;
	int seen[RND_ID_CHARS][32];
	memset(seen, 0, sizeof(seen));
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz234567";
	for (int i = 0; i < 4000; i++) {
		char id[RND_ID_CHARS + 1];
		assert_int_equal(rnd_id(id), 0);
		for (int k = 0; k < RND_ID_CHARS; k++)
			seen[k][strchr(alpha, id[k]) - alpha] = 1;
	}
	for (int k = 0; k < RND_ID_CHARS; k++) {
		int distinct = 0;
		for (int v = 0; v < 32; v++)
			distinct += seen[k][v];
		assert_int_equal(distinct, 32);
	}
}

/* Bits are balanced: over 4000 ids of 160 bits, each bit is set about half the time. */
static void bits_balanced(void **state)
{
	(void)state;
	int ones[RND_ID_BYTES * 8];
	memset(ones, 0, sizeof(ones));
	for (int i = 0; i < 4000; i++) {
		uint8_t b[RND_ID_BYTES];
		assert_int_equal(rnd_bytes(b, sizeof(b)), 0);
		for (int k = 0; k < RND_ID_BYTES * 8; k++)
			ones[k] += (b[k / 8] >> (k % 8)) & 1;
	}
	for (int k = 0; k < RND_ID_BYTES * 8; k++) {
		assert_in_range(ones[k], 1700, 2300);
	}
}

static void valid_rejects(void **state)
{
	(void)state;
	assert_false(rnd_id_valid("", 0));
	assert_false(rnd_id_valid("abc", 3));
	assert_false(rnd_id_valid("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 32));
	assert_false(rnd_id_valid("abcdefghijklmnopqrstuvwxyz234568", 32));
	assert_false(rnd_id_valid("abcdefghijklmnopqrstuvwxyz23456/", 32));
	assert_false(rnd_id_valid("abcdefghijklmnopqrstuvwxyz2345671", 33));
	assert_true(rnd_id_valid("abcdefghijklmnopqrstuvwxyz234567", 32));
}

static void ice_strings(void **state)
{
	(void)state;
	char a[25], b[25];
	assert_int_equal(rnd_ice_string(a, 24), 0);
	assert_int_equal(rnd_ice_string(b, 24), 0);
	assert_int_equal(strlen(a), 24);
	assert_string_not_equal(a, b);
	assert_null(strchr(a, ':'));
	assert_int_not_equal(rnd_u32(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(id_shape),
	    cmocka_unit_test(ids_differ),
	    cmocka_unit_test(ids_use_every_position),
	    cmocka_unit_test(bits_balanced),
	    cmocka_unit_test(valid_rejects),
	    cmocka_unit_test(ice_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
