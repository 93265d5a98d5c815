/* websess.c - login sessions in SQLite, keyed by the token's hash. */
#include "store/websess.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "store/sql.h"

static const char *const steps[] = {
    "CREATE TABLE websessions ("
    " token_hash BLOB PRIMARY KEY NOT NULL, user_id TEXT NOT NULL, csrf TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, last_used INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX websessions_user ON websessions(user_id);",
};

int websess_init(struct db *d, char *why, size_t cap)
{
	return db_migrate(d, "websessions", steps, sizeof(steps) / sizeof(steps[0]), why, cap);
}

int websess_create(struct db *d, const char *user_id, int64_t now,
                   char token[WEBSESS_TOKEN_LEN + 1], struct websess *out)
{
	memset(out, 0, sizeof(*out));
	if (rnd_id(token) != 0 || rnd_id(out->csrf) != 0)
		return ERR_IO;
	snprintf(out->user_id, sizeof(out->user_id), "%s", user_id);
	out->created = out->last_used = now;
	out->expires = now + WEBSESS_LIFETIME;
	uint8_t h[32];
	sql_hash(token, h);
	sqlite3_stmt *st = sql_prep(d, "INSERT INTO websessions (token_hash, user_id, csrf,"
	                               " created_at, expires_at, last_used) VALUES (?,?,?,?,?,?)");
	if (!st)
		return ERR_IO;
	sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, user_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, out->csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, out->expires);
	sqlite3_bind_int64(st, 6, now);
	return sql_done(st);
}

int websess_lookup(struct db *d, const char *token, int64_t now, struct websess *out)
{
	uint8_t h[32];
	if (!rnd_id_valid(token, strlen(token)))
		return ERR_NOTFOUND;
	sql_hash(token, h);
	sqlite3_stmt *st = sql_prep(d, "UPDATE websessions SET last_used = ?2 WHERE token_hash = ?1"
	                               " AND expires_at > ?2 AND last_used > ?2 - ?3"
	                               " RETURNING user_id, csrf, created_at, expires_at");
	if (!st)
		return ERR_IO;
	sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, WEBSESS_IDLE);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sql_col(st, 0, out->user_id, sizeof(out->user_id));
		sql_col(st, 1, out->csrf, sizeof(out->csrf));
		out->created = sqlite3_column_int64(st, 2);
		out->expires = sqlite3_column_int64(st, 3);
		out->last_used = now;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND : ERR_IO;
}

int websess_delete(struct db *d, const char *token)
{
	uint8_t h[32];
	sql_hash(token, h);
	sqlite3_stmt *st = sql_prep(d, "DELETE FROM websessions WHERE token_hash = ?");
	if (!st)
		return ERR_IO;
	sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_TRANSIENT);
	return sql_done(st);
}

int websess_delete_user(struct db *d, const char *user_id)
{
	sqlite3_stmt *st = sql_prep(d, "DELETE FROM websessions WHERE user_id = ?");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, user_id, -1, SQLITE_STATIC);
	return sql_done(st);
}

int websess_purge(struct db *d, int64_t now)
{
	sqlite3_stmt *st =
	    sql_prep(d, "DELETE FROM websessions WHERE expires_at <= ?1 OR last_used <= ?1 - ?2");
	if (!st)
		return ERR_IO;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, WEBSESS_IDLE);
	return sql_done(st);
}
