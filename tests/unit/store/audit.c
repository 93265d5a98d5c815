/* Tests for src/store/audit.c and src/store/outbox.c. Tampering is done the way an
 * insider would: raw SQL on the file, triggers dropped first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/audit.h"
#include "store/outbox.h"
#include "tmpstore.h"

static struct db *db_of(void **state)
{
	return ((struct tmpstore *)*state)->db;
}

struct found {
	int64_t seqs[16];
	int n;
};

static void note(void *arg, int64_t seq, const char *what)
{
	struct found *f = arg;
	(void)what;
	if (f->n < 16)
		f->seqs[f->n++] = seq;
}

static void fill(struct db *d, int n)
{
	for (int i = 0; i < n; i++) {
		char subject[16];
		snprintf(subject, sizeof(subject), "m%d", i);
		assert_int_equal(audit_append(d,
		                              &(struct audit_rec){.tenant = "t",
		                                                  .actor = "a",
		                                                  .kind = "meeting.viewed",
		                                                  .subject = subject,
		                                                  .source = "127.0.0.1"},
		                              NULL, NULL),
		                 0);
	}
}

static int64_t verify(struct db *d, struct found *f)
{
	int64_t records, problems;
	memset(f, 0, sizeof(*f));
	assert_int_equal(audit_verify(d, note, f, &records, &problems), 0);
	return problems;
}

static void tamper(struct db *d, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db_sqlite(d),
	                      "DROP TRIGGER IF EXISTS audit_no_update;"
	                      "DROP TRIGGER IF EXISTS audit_no_delete;",
	                      NULL, NULL, &err);
	assert_int_equal(rc, SQLITE_OK);
	rc = sqlite3_exec(db_sqlite(d), sql, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		fail_msg("%s", err);
}

static void intact_chain_verifies(void **state)
{
	struct db *d = db_of(state);
	struct found f;
	fill(d, 6);
	assert_int_equal(verify(d, &f), 0);
	int64_t seq;
	char head[AUDIT_HASH_HEX + 1];
	assert_int_equal(audit_head(d, &seq, head), 0);
	assert_int_equal(seq, 6);
	assert_int_equal(strlen(head), 64);
}

static void triggers_refuse_changes(void **state)
{
	struct db *d = db_of(state);
	fill(d, 2);
	assert_int_not_equal(sqlite3_exec(db_sqlite(d), "UPDATE audit SET kind = 'x' WHERE seq = 1",
	                                  NULL, NULL, NULL),
	                     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_sqlite(d), "DELETE FROM audit", NULL, NULL, NULL),
	                     SQLITE_OK);
}

static void a_changed_record_is_found(void **state)
{
	struct db *d = db_of(state);
	struct found f;
	fill(d, 6);
	tamper(d, "UPDATE audit SET actor = 'someone else' WHERE seq = 3");
	assert_true(verify(d, &f) >= 1);
	assert_int_equal(f.seqs[0], 3);
}

static void a_removed_record_is_found(void **state)
{
	struct db *d = db_of(state);
	struct found f;
	fill(d, 6);
	tamper(d, "DELETE FROM audit WHERE seq = 4");
	assert_true(verify(d, &f) >= 1);
	assert_int_equal(f.seqs[0], 5);
}

static void reordered_records_are_found(void **state)
{
	struct db *d = db_of(state);
	struct found f;
	fill(d, 6);
	tamper(d, "UPDATE audit SET seq = -1 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3;"
	          " UPDATE audit SET seq = 3 WHERE seq = -1;");
	assert_true(verify(d, &f) >= 2);
	assert_int_equal(f.seqs[0], 2);
}

static void a_rehashed_forgery_still_breaks_at_the_next_record(void **state)
{
	struct db *d = db_of(state);
	struct found f;
	fill(d, 4);
	/* The forger changes record 2 and sets its hash to anything: record 3 no longer follows. */
	tamper(d, "UPDATE audit SET subject = 'forged', hash = prev WHERE seq = 2");
	assert_true(verify(d, &f) >= 1);
}

static void outbox_queues_only_for_configured_webhooks(void **state)
{
	struct db *d = db_of(state);
	char secret[WEBHOOK_SECRET_HEX + 1], url[WEBHOOK_URL_MAX + 1],
	    again[WEBHOOK_SECRET_HEX + 1];
	assert_int_equal(outbox_queue(d, "t1", "eventid0000000000000000000000001", "{}"), 0);
	assert_int_equal(outbox_pending(d), 0);
	assert_int_equal(webhook_config_set(d, "t1", "http://127.0.0.1:9/hook", secret), 0);
	assert_int_equal(strlen(secret), 64);
	assert_int_equal(webhook_config_get(d, "t1", url, again), 0);
	assert_string_equal(url, "http://127.0.0.1:9/hook");
	assert_string_equal(again, secret);
	assert_int_equal(outbox_queue(d, "t1", "eventid0000000000000000000000002", "{}"), 0);
	assert_int_equal(outbox_pending(d), 1);
	assert_int_equal(webhook_config_get(d, "t2", url, again), ERR_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(intact_chain_verifies, tmpstore_open, tmpstore_close),
	    cmocka_unit_test_setup_teardown(triggers_refuse_changes, tmpstore_open, tmpstore_close),
	    cmocka_unit_test_setup_teardown(a_changed_record_is_found, tmpstore_open,
	                                    tmpstore_close),
	    cmocka_unit_test_setup_teardown(a_removed_record_is_found, tmpstore_open,
	                                    tmpstore_close),
	    cmocka_unit_test_setup_teardown(reordered_records_are_found, tmpstore_open,
	                                    tmpstore_close),
	    cmocka_unit_test_setup_teardown(a_rehashed_forgery_still_breaks_at_the_next_record,
	                                    tmpstore_open, tmpstore_close),
	    cmocka_unit_test_setup_teardown(outbox_queues_only_for_configured_webhooks,
	                                    tmpstore_open, tmpstore_close),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
