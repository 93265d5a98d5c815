/* Tests for src/store/db.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/db.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/kamer-db-test-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void create_and_get(void **state)
{
	(void)state;
	struct db *d;
	char why[128];
	assert_int_equal(db_open(&d, dir, why, sizeof(why)), 0);
	char id[RND_ID_CHARS + 1], id2[RND_ID_CHARS + 1], title[64];
	assert_int_equal(db_meeting_create(d, "Wekelijks overleg", id), 0);
	assert_int_equal(db_meeting_create(d, "Second", id2), 0);
	assert_string_not_equal(id, id2);
	assert_true(rnd_id_valid(id, strlen(id)));
	assert_int_equal(db_meeting_get(d, id, title, sizeof(title)), 0);
	assert_string_equal(title, "Wekelijks overleg");
	assert_int_equal(db_meeting_get(d, "nosuchmeeting", title, sizeof(title)), ERR_NOTFOUND);
	/* SQL text in an id is data, not code. */
	assert_int_equal(db_meeting_get(d, "' OR 1=1 --", title, sizeof(title)), ERR_NOTFOUND);
	db_close(d);

	/* Survives a restart. */
	assert_int_equal(db_open(&d, dir, why, sizeof(why)), 0);
	assert_int_equal(db_meeting_get(d, id2, title, sizeof(title)), 0);
	assert_string_equal(title, "Second");
	db_close(d);
}

static void bad_dir(void **state)
{
	(void)state;
	struct db *d;
	char why[128] = "";
	assert_int_not_equal(db_open(&d, "/proc/kamer-cannot-be-here", why, sizeof(why)), 0);
	assert_null(d);
	assert_true(strlen(why) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(create_and_get, setup, teardown),
	    cmocka_unit_test(bad_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
