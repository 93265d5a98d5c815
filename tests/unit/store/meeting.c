/* Tests for src/store/meeting.c: meetings, people, invitations, rotation and expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "store/meeting.h"
#include "tmpstore.h"

static struct db *db_of(void **state)
{
	return ((struct tmpstore *)*state)->db;
}

static void make(struct db *d, struct meeting *m, int64_t start)
{
	memset(m, 0, sizeof(*m));
	strcpy(m->tenant, "tenant1");
	strcpy(m->creator, "host1");
	strcpy(m->title, "Wekelijks overleg");
	m->start = start;
	m->end = start + 3600;
	strcpy(m->level, "depv");
	m->lobby = 1;
	assert_int_equal(meeting_create(d, m), 0);
	assert_int_equal(meeting_person_add(d, m->id, "host1", NULL, 1), 0);
}

static void create_get_update(void **state)
{
	struct db *d = db_of(state);
	struct meeting m, got, other;
	make(d, &m, 100000);
	make(d, &other, 100000);
	assert_true(rnd_id_valid(m.id, strlen(m.id)));
	assert_string_not_equal(m.id, other.id);
	assert_int_equal(meeting_get(d, m.id, 100000, &got), 0);
	assert_string_equal(got.title, "Wekelijks overleg");
	assert_string_equal(got.level, "depv");
	assert_int_equal(got.sequence, 0);
	strcpy(got.title, "Ander onderwerp");
	got.locked = 1;
	assert_int_equal(meeting_update(d, &got), 0);
	assert_int_equal(got.sequence, 1);
	assert_int_equal(meeting_get(d, m.id, 100000, &got), 0);
	assert_string_equal(got.title, "Ander onderwerp");
	assert_true(got.locked);
	assert_int_equal(meeting_get(d, "abcdefghijklmnopqrstuvwxyz234567", 100000, &got),
	                 ERR_NOTFOUND);
}

static void roles_and_lists(void **state)
{
	struct db *d = db_of(state);
	struct meeting m;
	make(d, &m, 100000);
	assert_int_equal(meeting_person_add(d, m.id, "bob", NULL, 0), 0);
	assert_int_equal(meeting_person_add(d, m.id, NULL, "gast@example.org", 0), 0);
	assert_int_equal(meeting_person_role(d, m.id, "host1"), MEETING_HOST);
	assert_int_equal(meeting_person_role(d, m.id, "bob"), MEETING_INVITEE);
	assert_int_equal(meeting_person_role(d, m.id, "mallory"), MEETING_NONE);
	assert_int_equal(meeting_person_role(d, m.id, ""), MEETING_NONE); /* guests have no user */
	assert_int_equal(meeting_person_remove(d, m.id, "bob", NULL), 0);
	assert_int_equal(meeting_person_role(d, m.id, "bob"), MEETING_NONE);
	assert_int_equal(meeting_invitees_clear(d, m.id), 0);
	assert_int_equal(meeting_person_role(d, m.id, "host1"), MEETING_HOST); /* hosts stay */
}

static int count_cb(void *arg, const struct meeting *m, int role)
{
	(void)m;
	(void)role;
	(*(int *)arg)++;
	return 0;
}

static int role_cb(void *arg, const struct meeting *m, int role)
{
	(void)m;
	*(int *)arg = role;
	return 0;
}

static void list_for_user_sees_only_own(void **state)
{
	struct db *d = db_of(state);
	struct meeting a, b;
	make(d, &a, 100000);
	make(d, &b, 100000);
	assert_int_equal(meeting_person_add(d, b.id, "bob", NULL, 0), 0);
	int n = 0;
	assert_int_equal(meeting_list_for_user(d, "bob", 100000, count_cb, &n), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(meeting_list_for_user(d, "mallory", 100000, count_cb, &n), 0);
	assert_int_equal(n, 0);
	int role = -1;
	assert_int_equal(meeting_list_for_user(d, "bob", 100000, role_cb, &role), 0);
	assert_int_equal(role, MEETING_INVITEE);
	assert_int_equal(meeting_list_for_user(d, "host1", 100000, role_cb, &role), 0);
	assert_int_equal(role, MEETING_HOST); /* the list says who hosts */
}

static void rotation_moves_everything_and_kills_the_old_id(void **state)
{
	struct db *d = db_of(state);
	struct meeting m, got;
	struct invitation inv, found;
	make(d, &m, 100000);
	assert_int_equal(meeting_person_add(d, m.id, "bob", NULL, 0), 0);
	assert_int_equal(invitation_create(d, m.id, "bob", NULL, &inv), 0);
	char fresh[RND_ID_CHARS + 1];
	assert_int_equal(meeting_rotate(d, m.id, fresh), 0);
	assert_string_not_equal(fresh, m.id);
	assert_int_equal(meeting_get(d, m.id, 100000, &got), ERR_NOTFOUND);
	assert_int_equal(meeting_get(d, fresh, 100000, &got), 0);
	assert_int_equal(meeting_person_role(d, fresh, "bob"), MEETING_INVITEE);
	assert_int_equal(meeting_person_role(d, m.id, "bob"), MEETING_NONE);
	assert_int_equal(invitation_find(d, inv.secret, 100000, &found), 0);
	assert_string_equal(found.meeting, fresh);
}

static void invitations_revoke_and_expire(void **state)
{
	struct db *d = db_of(state);
	struct meeting m;
	struct invitation a, b, found;
	make(d, &m, 100000);
	assert_int_equal(invitation_create(d, m.id, NULL, "gast@example.org", &a), 0);
	assert_int_equal(invitation_create(d, m.id, NULL, "ander@example.org", &b), 0);
	assert_true(rnd_id_valid(a.secret, strlen(a.secret)));
	assert_string_not_equal(a.secret, b.secret);
	assert_string_not_equal(a.secret, a.id);
	assert_int_equal(invitation_find(d, a.secret, 100000, &found), 0);
	assert_string_equal(found.email, "gast@example.org");
	assert_int_equal(invitation_revoke(d, m.id, a.id), 0);
	assert_int_equal(invitation_find(d, a.secret, 100000, &found), ERR_NOTFOUND);
	assert_int_equal(invitation_revoke(d, m.id, a.id), ERR_NOTFOUND);
	/* Retention: kept a set time after the end, then gone with its links. */
	meeting_set_retention(d, 7200);
	assert_int_equal(meeting_expire(d, m.end + 7200), 0);
	assert_int_equal(invitation_find(d, b.secret, m.end + 7200, &found), 0);
	assert_int_equal(invitation_find(d, b.secret, m.end + 7201, &found), ERR_NOTFOUND);
	assert_int_equal(meeting_expire(d, m.end + 7201), 1);
	assert_int_equal(invitation_find(d, b.secret, 0, &found), ERR_NOTFOUND);
	struct meeting got;
	assert_int_equal(meeting_get(d, m.id, 0, &got), ERR_NOTFOUND);
	meeting_set_retention(d, 7 * 24 * 3600);
}

static void a_series_is_kept_until_its_last_occurrence(void **state)
{
	struct db *d = db_of(state);
	struct meeting m, got;
	memset(&m, 0, sizeof(m));
	strcpy(m.title, "Weekstart");
	strcpy(m.level, "depv");
	m.start = 100000;
	m.end = 103600;
	m.repeat_days = 7;
	m.repeat_count = 4;
	assert_int_equal(meeting_create(d, &m), 0);
	meeting_set_retention(d, 3600);
	int64_t last_end = m.end + 3 * 7 * 86400;
	/* Long after the first occurrence, the series is still there... */
	assert_int_equal(meeting_get(d, m.id, m.end + 7 * 86400, &got), 0);
	assert_int_equal(got.repeat_days, 7);
	assert_int_equal(got.repeat_count, 4);
	assert_int_equal(meeting_expire(d, last_end + 3600), 0);
	/* ...and goes with its last one. */
	assert_int_equal(meeting_expire(d, last_end + 3601), 1);
	assert_int_equal(meeting_get(d, m.id, 0, &got), ERR_NOTFOUND);
	meeting_set_retention(d, 7 * 24 * 3600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(create_get_update, tmpstore_open, tmpstore_close),
	    cmocka_unit_test_setup_teardown(roles_and_lists, tmpstore_open, tmpstore_close),
	    cmocka_unit_test_setup_teardown(list_for_user_sees_only_own, tmpstore_open,
	                                    tmpstore_close),
	    cmocka_unit_test_setup_teardown(rotation_moves_everything_and_kills_the_old_id,
	                                    tmpstore_open, tmpstore_close),
	    cmocka_unit_test_setup_teardown(invitations_revoke_and_expire, tmpstore_open,
	                                    tmpstore_close),
	    cmocka_unit_test_setup_teardown(a_series_is_kept_until_its_last_occurrence,
	                                    tmpstore_open, tmpstore_close),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
