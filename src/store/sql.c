/* sql.c - small helpers shared by the store modules. */
#include "store/sql.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "store/db.h"

sqlite3_stmt *sql_prep(struct db *d, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db_sqlite(d), sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("store", "cannot prepare a statement: %s", sqlite3_errmsg(db_sqlite(d)));
		return NULL;
	}
	return st;
}

int sql_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	int ext = sqlite3_extended_errcode(sqlite3_db_handle(st));
	if (rc != SQLITE_DONE && rc != SQLITE_ROW && (ext & 0xff) != SQLITE_CONSTRAINT)
		log_error("store", "statement failed: %s", sqlite3_errmsg(sqlite3_db_handle(st)));
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	return (ext & 0xff) == SQLITE_CONSTRAINT ? ERR_BADSTATE : ERR_IO;
}

void sql_col(sqlite3_stmt *st, int col, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(out, cap, "%s", t ? (const char *)t : "");
}

int64_t sql_now(void)
{
	return clock_unix();
}

void sql_hash(const char *secret, uint8_t out[32])
{
	crypto_hash_sha256(out, (const unsigned char *)secret, strlen(secret));
}
