/* Tests for src/store/db.c: opening, per-module migrations, reopening. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

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

static int version_of(struct db *d, const char *module)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(db_sqlite(d), "SELECT version FROM schema_versions WHERE module = ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void modules_migrate_and_reopen(void **state)
{
	(void)state;
	struct db *d;
	char why[128];
	assert_int_equal(db_open(&d, dir, why, sizeof(why)), 0);
	assert_int_equal(version_of(d, "meetings"), 3);
	assert_int_equal(version_of(d, "accounts"), 1);
	assert_int_equal(version_of(d, "audit"), 1);
	db_close(d);
	assert_int_equal(db_open(&d, dir, why, sizeof(why)), 0);
	assert_int_equal(version_of(d, "meetings"), 3);
	db_close(d);
}

static void newer_schema_is_refused(void **state)
{
	(void)state;
	struct db *d;
	char why[128];
	static const char *const steps[] = {"CREATE TABLE t1 (x);", "CREATE TABLE t2 (x);"};
	assert_int_equal(db_open(&d, dir, why, sizeof(why)), 0);
	assert_int_equal(db_migrate(d, "probe", steps, 2, why, sizeof(why)), 0);
	assert_int_equal(version_of(d, "probe"), 2);
	/* An older kamerd knows only one step: it must not touch a newer store. */
	assert_int_equal(db_migrate(d, "probe", steps, 1, why, sizeof(why)), ERR_BADSTATE);
	assert_non_null(strstr(why, "newer"));
	db_close(d);
}

static void failed_step_rolls_back(void **state)
{
	(void)state;
	struct db *d;
	char why[128];
	static const char *const steps[] = {"CREATE TABLE ok1 (x);",
	                                    "CREATE TABLE ok2 (x); SYNTAX ERROR;"};
	assert_int_equal(db_open(&d, dir, why, sizeof(why)), 0);
	assert_int_equal(db_migrate(d, "broken", steps, 2, why, sizeof(why)), ERR_IO);
	assert_int_equal(version_of(d, "broken"), 1);
	db_close(d);
}

static void unwritable_dir_fails_cleanly(void **state)
{
	(void)state;
	struct db *d = (struct db *)1;
	char why[128] = "";
	assert_int_not_equal(db_open(&d, "/proc/kamer-cannot-exist/x", why, sizeof(why)), 0);
	assert_null(d);
	assert_true(strlen(why) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(modules_migrate_and_reopen, setup, teardown),
	    cmocka_unit_test_setup_teardown(newer_schema_is_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(failed_step_rolls_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(unwritable_dir_fails_cleanly, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
