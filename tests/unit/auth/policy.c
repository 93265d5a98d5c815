/* Tests for src/auth/policy.c, ratelimit.c, password.c and the webhook signature. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "auth/password.h"
#include "auth/policy.h"
#include "auth/ratelimit.h"
#include "auth/webhook.h"

static void levels_and_ceiling(void **state)
{
	(void)state;
	enum level l;
	assert_int_equal(level_parse("depv", &l), 0);
	assert_int_equal(l, LEVEL_DEPV);
	assert_int_equal(level_parse("geheim", &l), -1);
	assert_true(level_allowed(LEVEL_ONGERUBRICEERD, LEVEL_DEPV));
	assert_true(level_allowed(LEVEL_DEPV, LEVEL_DEPV));
	assert_false(level_allowed(LEVEL_STG_CONFIDENTIEEL, LEVEL_DEPV));
	for (int i = 0; i < LEVEL_COUNT; i++) {
		assert_int_equal(level_parse(level_slug((enum level)i), &l), 0);
		assert_int_equal(l, i);
	}
	/* Dep.V.: no guests, lobby on, no dial-in, no recording, end-to-end encryption. */
	const struct level_policy *p = policy_of(LEVEL_DEPV);
	assert_false(p->guests_allowed);
	assert_true(p->lobby_forced);
	assert_false(p->dialin_allowed);
	assert_false(p->recording_allowed);
	assert_true(p->e2ee_required);
	/* Every level above Dep.V. is at least as strict. */
	for (int i = LEVEL_DEPV; i < LEVEL_COUNT; i++) {
		assert_false(policy_of((enum level)i)->guests_allowed);
		assert_true(policy_of((enum level)i)->lobby_forced);
	}
	assert_non_null(strstr(policy_of(LEVEL_DEPV)->label_nl, "Departementaal Vertrouwelijk"));
}

static void ratelimit_windows(void **state)
{
	(void)state;
	struct ratelimit *rl = rl_new(4, 3, 60);
	int retry, tripped;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(rl_fail(rl, "ip:1", 1000, &retry, &tripped), 0);
		assert_false(tripped);
	}
	assert_int_equal(rl_check(rl, "ip:1", 1000, &retry), 0);
	assert_int_equal(rl_fail(rl, "ip:1", 1010, &retry, &tripped), ERR_LIMIT);
	assert_true(tripped); /* the crossing, once */
	assert_int_equal(retry, 50);
	assert_int_equal(rl_fail(rl, "ip:1", 1011, &retry, &tripped), ERR_LIMIT);
	assert_false(tripped);
	assert_int_equal(rl_check(rl, "ip:1", 1011, &retry), ERR_LIMIT);
	assert_int_equal(rl_check(rl, "ip:2", 1011, &retry), 0); /* others unaffected */
	assert_int_equal(rl_check(rl, "ip:1", 1060, &retry), 0); /* a new window */
	/* The table never grows: the oldest key is forgotten. */
	for (int i = 0; i < 10; i++) {
		char key[16];
		snprintf(key, sizeof(key), "ip:x%d", i);
		assert_int_equal(rl_fail(rl, key, 2000 + i, &retry, &tripped), 0);
	}
	rl_free(rl);
}

static void passwords(void **state)
{
	(void)state;
	char hash[PASSWORD_HASH_LEN];
	assert_int_equal(password_hash("short", 5, hash), ERR_INVAL);
	assert_int_equal(password_hash("long enough password", 20, hash), 0);
	assert_non_null(strstr(hash, "$argon2id$"));
	assert_int_equal(password_verify(hash, "long enough password", 20), 0);
	assert_int_equal(password_verify(hash, "long enough passworD", 20), ERR_AUTH);
	assert_int_equal(password_verify(NULL, "long enough password", 20), ERR_AUTH);
}

static void webhook_signature_vector(void **state)
{
	(void)state;
	char sig[72];
	/* printf '1795000000.{"kind":"test"}' | openssl dgst -sha256 -hmac secret */
	webhook_sign("secret", "1795000000", "{\"kind\":\"test\"}", 15, sig);
	assert_string_equal(sig,
	                    "sha256="
	                    "3ab93d93264c257a91aea8ce31de003b50f245da842c7c03597cd4b8c57008c6");
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	password_set_cost(PASSWORD_COST_TEST);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(levels_and_ceiling),
	    cmocka_unit_test(ratelimit_windows),
	    cmocka_unit_test(passwords),
	    cmocka_unit_test(webhook_signature_vector),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
