#include "store/db.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/clock.h"
#include "base/log.h"
#include "store/account.h"
#include "store/audit.h"
#include "store/meeting.h"
#include "store/outbox.h"
#include "store/websess.h"

struct db {
	sqlite3 *h;
};

sqlite3 *db_sqlite(struct db *d)
{
	return d->h;
}

static int module_version(sqlite3 *h, const char *module, int *version)
{
	sqlite3_stmt *st;
	*version = 0;
	if (sqlite3_prepare_v2(h, "SELECT version FROM schema_versions WHERE module = ?", -1, &st,
	                       NULL) != SQLITE_OK)
		return ERR_IO;
	sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ERR_IO;
}

int db_migrate(struct db *d, const char *module, const char *const *steps, size_t n, char *why,
               size_t cap)
{
	sqlite3 *h = d->h;
	int version;
	if (sqlite3_exec(h,
	                 "CREATE TABLE IF NOT EXISTS schema_versions ("
	                 " module TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL"
	                 ") WITHOUT ROWID;",
	                 NULL, NULL, NULL) != SQLITE_OK ||
	    module_version(h, module, &version) != 0) {
		snprintf(why, cap, "cannot read the schema version: %s", sqlite3_errmsg(h));
		return ERR_IO;
	}
	if ((size_t)version > n) {
		snprintf(why, cap, "the store's %s schema (%d) is newer than this kamerd's (%zu)",
		         module, version, n);
		return ERR_BADSTATE;
	}
	for (size_t v = (size_t)version; v < n; v++) {
		char *err = NULL;
		sqlite3_stmt *st = NULL;
		int ok =
		    sqlite3_exec(h, "BEGIN", NULL, NULL, &err) == SQLITE_OK &&
		    sqlite3_exec(h, steps[v], NULL, NULL, &err) == SQLITE_OK &&
		    sqlite3_prepare_v2(h,
		                       "INSERT OR REPLACE INTO schema_versions (module, version)"
		                       " VALUES (?, ?)",
		                       -1, &st, NULL) == SQLITE_OK;
		if (ok) {
			sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, (sqlite3_int64)v + 1);
			ok = sqlite3_step(st) == SQLITE_DONE &&
			     sqlite3_exec(h, "COMMIT", NULL, NULL, &err) == SQLITE_OK;
		}
		sqlite3_finalize(st);
		if (!ok) {
			snprintf(why, cap, "%s schema migration %zu failed: %s", module, v + 1,
			         err ? err : sqlite3_errmsg(h));
			sqlite3_free(err);
			sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
			return ERR_IO;
		}
	}
	return 0;
}

/* Each store module brings its own tables up to date; one line each. */
static int (*const module_inits[])(struct db *d, char *why, size_t cap) = {
    meeting_init, account_init, websess_init, audit_init, outbox_init,
};

int db_open(struct db **out, const char *dir, char *why, size_t cap)
{
	char path[PATH_MAX];
	*out = NULL;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(why, cap, "cannot create %s: %s", dir, strerror(errno));
		return ERR_IO;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/kamer.db", dir) >= sizeof(path)) {
		snprintf(why, cap, "data directory path too long");
		return ERR_INVAL;
	}
	struct db *d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	if (sqlite3_open_v2(path, &d->h,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK) {
		snprintf(why, cap, "cannot open %s: %s", path, sqlite3_errmsg(d->h));
		goto fail;
	}
	sqlite3_busy_timeout(d->h, 2000);
	sqlite3_exec(d->h,
	             "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;",
	             NULL, NULL, NULL);
	for (size_t i = 0; i < sizeof(module_inits) / sizeof(module_inits[0]); i++) {
		if (module_inits[i] && module_inits[i](d, why, cap) != 0)
			goto fail;
	}
	*out = d;
	return 0;
fail:
	db_close(d);
	return ERR_IO;
}

void db_close(struct db *d)
{
	if (!d)
		return;
	sqlite3_close(d->h);
	free(d);
}
