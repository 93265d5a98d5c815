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

struct db {
	sqlite3 *h;
	sqlite3_stmt *meeting_insert, *meeting_get;
};

/* Each step brings user_version from its index to index + 1. */
static const char *const migrations[] = {
    "CREATE TABLE meetings ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " title TEXT NOT NULL,"
    " created_at INTEGER NOT NULL"
    ") WITHOUT ROWID;",
};

static int migrate(sqlite3 *h, char *why, size_t cap)
{
	sqlite3_stmt *st;
	int version = 0;
	if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return ERR_IO;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	int n = (int)(sizeof(migrations) / sizeof(migrations[0]));
	if (version > n) {
		snprintf(why, cap, "the store is newer (schema %d) than this kamerd (%d)", version,
		         n);
		return ERR_BADSTATE;
	}
	for (int v = version; v < n; v++) {
		char *err = NULL;
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d;", v + 1);
		if (sqlite3_exec(h, "BEGIN", NULL, NULL, &err) != SQLITE_OK ||
		    sqlite3_exec(h, migrations[v], NULL, NULL, &err) != SQLITE_OK ||
		    sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK ||
		    sqlite3_exec(h, "COMMIT", NULL, NULL, &err) != SQLITE_OK) {
			snprintf(why, cap, "schema migration %d failed: %s", v + 1,
			         err ? err : "?");
			sqlite3_free(err);
			sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
			return ERR_IO;
		}
	}
	return 0;
}

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
	int rc = migrate(d->h, why, cap);
	if (rc != 0)
		goto fail;
	if (sqlite3_prepare_v2(d->h,
	                       "INSERT INTO meetings (id, title, created_at) VALUES (?, ?, ?)", -1,
	                       &d->meeting_insert, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->h, "SELECT title FROM meetings WHERE id = ?", -1, &d->meeting_get,
	                       NULL) != SQLITE_OK) {
		snprintf(why, cap, "cannot prepare statements: %s", sqlite3_errmsg(d->h));
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
	sqlite3_finalize(d->meeting_insert);
	sqlite3_finalize(d->meeting_get);
	sqlite3_close(d->h);
	free(d);
}

int db_meeting_create(struct db *d, const char *title, char id[RND_ID_CHARS + 1])
{
	if (rnd_id(id) != 0)
		return ERR_IO;
	sqlite3_stmt *st = d->meeting_insert;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, clock_unix());
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		log_error("store", "meeting insert failed: %s", sqlite3_errmsg(d->h));
		return ERR_IO;
	}
	return 0;
}

int db_meeting_get(struct db *d, const char *id, char *title, size_t cap)
{
	sqlite3_stmt *st = d->meeting_get;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	int ret = ERR_NOTFOUND;
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		snprintf(title, cap, "%s", t ? (const char *)t : "");
		ret = 0;
	} else if (rc != SQLITE_DONE) {
		ret = ERR_IO;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}
