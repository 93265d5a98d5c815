/* Tests for src/store/account.c and src/store/websess.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "auth/password.h"
#include "store/account.h"
#include "store/websess.h"
#include "tmpstore.h"

static struct db *db_of(void **state)
{
	return ((struct tmpstore *)*state)->db;
}

static void tenants_and_users(void **state)
{
	struct db *d = db_of(state);
	struct tenant t;
	char tid[RND_ID_CHARS + 1], uid[RND_ID_CHARS + 1], hash[PASSWORD_HASH_LEN];
	assert_int_equal(account_tenant_add(d, "Ministerie", tid), 0);
	assert_int_equal(account_tenant_add(d, "Ministerie", tid), ERR_BADSTATE); /* unique */
	assert_int_equal(account_tenant_find(d, "Ministerie", &t), 0);
	assert_true(rnd_id_valid(t.id, strlen(t.id)));
	assert_int_equal(account_tenant_find(d, t.id, &t), 0);
	struct user u = {.roles = ROLE_MEMBER | ROLE_HOST};
	memcpy(u.tenant, t.id, sizeof(u.tenant));
	strcpy(u.login, "alice");
	strcpy(u.name, "Alice");
	assert_int_equal(password_hash("correct horse battery", 21, hash), 0);
	assert_int_equal(account_user_add(d, &u, hash, uid), 0);
	assert_int_equal(account_user_add(d, &u, hash, uid), ERR_BADSTATE); /* login unique */
	struct user got;
	char stored[PASSWORD_HASH_LEN];
	assert_int_equal(account_user_by_login(d, "alice", &got, stored, sizeof(stored)), 0);
	assert_string_equal(got.name, "Alice");
	assert_int_equal(got.roles, ROLE_MEMBER | ROLE_HOST);
	assert_int_equal(password_verify(stored, "correct horse battery", 21), 0);
	assert_int_equal(password_verify(stored, "correct horse batterx", 21), ERR_AUTH);
	assert_int_equal(account_user_count(d), 1);
	/* A disabled tenant disables its users. */
	assert_int_equal(account_tenant_disable(d, t.id), 0);
	assert_int_equal(account_user_get(d, got.id, &got), 0);
	assert_true(got.disabled);
	assert_int_equal(account_user_by_login(d, "nobody", &got, NULL, 0), ERR_NOTFOUND);
}

static void roles_round_trip(void **state)
{
	(void)state;
	unsigned bit;
	char out[96];
	assert_int_equal(role_parse("security-officer", &bit), 0);
	assert_int_equal(bit, ROLE_SECURITY);
	assert_int_equal(role_parse("root", &bit), -1);
	role_format(ROLE_MEMBER | ROLE_TENANT_ADMIN, out, sizeof(out));
	assert_string_equal(out, "member,tenant-admin");
}

static void bootstrap_once_and_redeem_once(void **state)
{
	struct db *d = db_of(state);
	char token[RND_ID_CHARS + 1], again[RND_ID_CHARS + 1], uid[RND_ID_CHARS + 1];
	char hash[PASSWORD_HASH_LEN];
	assert_int_equal(account_bootstrap(d, 1000, token), 0);
	assert_int_equal(account_bootstrap(d, 1000, again), ERR_BADSTATE);
	struct user u;
	char stored[PASSWORD_HASH_LEN];
	assert_int_equal(account_user_by_login(d, "admin", &u, stored, sizeof(stored)), 0);
	assert_string_equal(stored, ""); /* no usable password until the setup link is used */
	assert_int_equal(password_hash("a new admin password", 20, hash), 0);
	assert_int_equal(
	    account_setup_redeem(d, "wrongwrongwrongwrongwrongwrong22", 1001, hash, uid),
	    ERR_NOTFOUND);
	assert_int_equal(account_setup_redeem(d, token, 1000 + 24 * 3600 + 1, hash, uid),
	                 ERR_NOTFOUND); /* expired */
	assert_int_equal(account_setup_redeem(d, token, 1001, hash, uid), 0);
	assert_string_equal(uid, u.id);
	assert_int_equal(account_setup_redeem(d, token, 1002, hash, uid), ERR_NOTFOUND); /* once */
}

static void sessions_expire_and_end(void **state)
{
	struct db *d = db_of(state);
	char token[WEBSESS_TOKEN_LEN + 1], t2[WEBSESS_TOKEN_LEN + 1];
	struct websess ws, got;
	assert_int_equal(websess_create(d, "user1", 1000, token, &ws), 0);
	assert_true(rnd_id_valid(token, strlen(token)));
	assert_string_not_equal(token, ws.csrf);
	assert_int_equal(websess_lookup(d, token, 1010, &got), 0);
	assert_string_equal(got.user_id, "user1");
	assert_string_equal(got.csrf, ws.csrf);
	/* Idle too long. */
	assert_int_equal(websess_lookup(d, token, 1010 + WEBSESS_IDLE + 1, &got), ERR_NOTFOUND);
	/* Used often, but past its lifetime. */
	assert_int_equal(websess_create(d, "user1", 1000, t2, &ws), 0);
	for (int64_t t = 1000; t < 1000 + WEBSESS_LIFETIME; t += WEBSESS_IDLE / 2)
		assert_int_equal(websess_lookup(d, t2, t, &got), 0);
	assert_int_equal(websess_lookup(d, t2, 1000 + WEBSESS_LIFETIME + 1, &got), ERR_NOTFOUND);
	/* Logout and disabling end sessions. */
	assert_int_equal(websess_create(d, "user2", 5000, token, &ws), 0);
	assert_int_equal(websess_delete(d, token), 0);
	assert_int_equal(websess_lookup(d, token, 5001, &got), ERR_NOTFOUND);
	assert_int_equal(websess_create(d, "user2", 5000, token, &ws), 0);
	assert_int_equal(websess_delete_user(d, "user2"), 0);
	assert_int_equal(websess_lookup(d, token, 5001, &got), ERR_NOTFOUND);
	assert_int_equal(websess_lookup(d, "not-a-token", 5001, &got), ERR_NOTFOUND);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	password_set_cost(PASSWORD_COST_TEST);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(tenants_and_users, tmpstore_open, tmpstore_close),
	    cmocka_unit_test(roles_round_trip),
	    cmocka_unit_test_setup_teardown(bootstrap_once_and_redeem_once, tmpstore_open,
	                                    tmpstore_close),
	    cmocka_unit_test_setup_teardown(sessions_expire_and_end, tmpstore_open, tmpstore_close),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
