/* Tests for src/api/cookie.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth/cookie.h"

static void finds_value_among_others(void **state)
{
	(void)state;
	char v[64];
	assert_int_equal(cookie_get("a=1; kamer_session=abc; b=2", "kamer_session", v, sizeof(v)),
	                 0);
	assert_string_equal(v, "abc");
	assert_int_equal(cookie_get("kamer_session=xyz", "kamer_session", v, sizeof(v)), 0);
	assert_string_equal(v, "xyz");
	assert_int_equal(cookie_get("  kamer_session = q ;x=1", "kamer_session", v, sizeof(v)), 0);
	assert_string_equal(v, "q");
}

static void absent_and_prefix_names(void **state)
{
	(void)state;
	char v[64];
	assert_int_equal(cookie_get("", "kamer_session", v, sizeof(v)), ERR_NOTFOUND);
	assert_int_equal(
	    cookie_get("xkamer_session=1; kamer_sessionx=2", "kamer_session", v, sizeof(v)),
	    ERR_NOTFOUND);
	assert_int_equal(cookie_get("kamer_session; a=b", "kamer_session", v, sizeof(v)),
	                 ERR_NOTFOUND);
	assert_string_equal(v, "");
}

static void duplicate_is_refused(void **state)
{
	(void)state;
	char v[64];
	assert_int_equal(
	    cookie_get("kamer_session=a; kamer_session=b", "kamer_session", v, sizeof(v)),
	    ERR_PROTO);
}

static void bad_octets_and_size(void **state)
{
	(void)state;
	char v[4];
	assert_int_equal(cookie_get("kamer_session=a b", "kamer_session", v, sizeof(v)), ERR_PROTO);
	assert_int_equal(cookie_get("kamer_session=a\\b", "kamer_session", v, sizeof(v)),
	                 ERR_PROTO);
	assert_int_equal(cookie_get("kamer_session=abcd", "kamer_session", v, sizeof(v)),
	                 ERR_LIMIT);
	assert_int_equal(cookie_get("kamer_session=abc", "kamer_session", v, sizeof(v)), 0);
	assert_int_equal(cookie_get("kamer_session=", "kamer_session", v, sizeof(v)), 0);
	assert_string_equal(v, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(finds_value_among_others),
	    cmocka_unit_test(absent_and_prefix_names),
	    cmocka_unit_test(duplicate_is_refused),
	    cmocka_unit_test(bad_octets_and_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
