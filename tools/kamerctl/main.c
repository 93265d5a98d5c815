/* kamerctl - administer a kamer store: tenants, users, meetings, the audit log.
 *
 *   kamerctl --data-dir DIR GROUP COMMAND [ARGS]
 *
 * It opens the same SQLite store as kamerd (WAL mode lets both run at once). */
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "auth/password.h"
#include "kamerctl.h"
#include "store/db.h"

/* One line per group; each group lives in its own file. */
extern const struct kamerctl_cmd kamerctl_tenant, kamerctl_user, kamerctl_meeting, kamerctl_audit,
    kamerctl_webhook;

static const struct kamerctl_cmd *const groups[] = {
    &kamerctl_tenant, &kamerctl_user, &kamerctl_meeting, &kamerctl_audit, &kamerctl_webhook,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: kamerctl [--data-dir DIR] GROUP COMMAND [ARGS]\n"
	           "  --data-dir DIR   the store kamerd uses (default ./data)\n");
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (groups[i])
			fprintf(f, "%s", groups[i]->usage);
	}
}

int main(int argc, char **argv)
{
	const char *dir = "./data";
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "kamerctl: unknown option %s\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	const struct kamerctl_cmd *cmd = NULL;
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		if (groups[g] && strcmp(groups[g]->name, argv[i]) == 0)
			cmd = groups[g];
	}
	if (!cmd) {
		fprintf(stderr, "kamerctl: unknown command %s\n", argv[i]);
		usage(stderr);
		return 2;
	}
	struct db *d;
	char why[256] = "";
	if (sodium_init() < 0)
		return 2;
	if (getenv("KAMER_TEST_CHEAP_PASSWORDS")) {
		/* Tests only: Argon2 under ASan is slow. Never set this in production. */
		fprintf(stderr, "kamerctl: KAMER_TEST_CHEAP_PASSWORDS is set: weak test hashes\n");
		password_set_cost(PASSWORD_COST_TEST);
	}
	if (db_open(&d, dir, why, sizeof(why)) != 0) {
		fprintf(stderr, "kamerctl: %s\n", why);
		return 2;
	}
	int rc = cmd->run(d, dir, argc - i - 1, argv + i + 1);
	db_close(d);
	return rc;
}
