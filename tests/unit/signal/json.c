/* tests/unit/signal/json.c - quoting text as a JSON string without jansson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "signal/json.h"

/* "<quoted>" as json_quote writes it. */
static char *quoted(const char *s, size_t n)
{
	size_t q = json_quoted_len(s, n);
	char *out = malloc(q + 3);
	assert_non_null(out);
	out[0] = '"';
	assert_int_equal(json_quote(out + 1, s, n), q);
	out[q + 1] = '"';
	out[q + 2] = '\0';
	return out;
}

/* Every byte jansson takes as a string, and a multi-byte character: the same text as
   jansson writes, and it reads back as the same bytes. */
static void same_bytes_as_jansson(void **state)
{
	(void)state;
	char s[160];
	size_t n = 0;
	for (int c = 1; c < 0x80; c++)
		s[n++] = (char)c;
	memcpy(s + n, "\xc3\xa9\xe2\x82\xac", 5); /* é € */
	n += 5;
	json_t *v = json_stringn(s, n);
	assert_non_null(v);
	char *want = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	char *got = quoted(s, n);
	assert_string_equal(got, want);
	json_error_t err;
	json_t *back = json_loads(got, JSON_DECODE_ANY, &err);
	assert_non_null(back);
	assert_int_equal(json_string_length(back), n);
	assert_memory_equal(json_string_value(back), s, n);
	json_decref(back);
	json_decref(v);
	free(want);
	free(got);
}

static void sdp_lines(void **state)
{
	(void)state;
	static const char sdp[] = "v=0\r\na=msid-semantic: WMS *\r\na=mid:0\r\n";
	size_t n = sizeof(sdp) - 1;
	assert_int_equal(json_quoted_len(sdp, n), n + 6);
	char *got = quoted(sdp, n);
	assert_string_equal(got, "\"v=0\\r\\na=msid-semantic: WMS *\\r\\na=mid:0\\r\\n\"");
	free(got);
	assert_int_equal(json_quoted_len("", 0), 0);
	assert_int_equal(json_quoted_len("\x01\"", 2), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(same_bytes_as_jansson),
	    cmocka_unit_test(sdp_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
