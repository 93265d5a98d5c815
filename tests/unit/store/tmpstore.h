/* tmpstore.h - a store in a fresh temporary directory, for tests of store/ modules. */
#ifndef KAMER_TESTS_TMPSTORE_H
#define KAMER_TESTS_TMPSTORE_H

#include <stdio.h>
#include <stdlib.h>

#include "store/db.h"

struct tmpstore {
	char dir[64];
	struct db *db;
};

static inline int tmpstore_open(void **state)
{
	struct tmpstore *t = calloc(1, sizeof(*t));
	char why[200];
	snprintf(t->dir, sizeof(t->dir), "/tmp/kamer-store-test-XXXXXX");
	if (!mkdtemp(t->dir) || db_open(&t->db, t->dir, why, sizeof(why)) != 0) {
		fprintf(stderr, "tmpstore: %s\n", why);
		return -1;
	}
	*state = t;
	return 0;
}

static inline int tmpstore_close(void **state)
{
	struct tmpstore *t = *state;
	char cmd[128];
	db_close(t->db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", t->dir);
	int rc = system(cmd);
	free(t);
	return rc == 0 ? 0 : -1;
}

#endif
