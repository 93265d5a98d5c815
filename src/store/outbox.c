/* outbox.c - webhook settings and the queue of events to deliver. */
#include "store/outbox.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "store/sql.h"

static const char *const steps[] = {
    "CREATE TABLE webhooks ("
    " tenant TEXT PRIMARY KEY NOT NULL, url TEXT NOT NULL, secret TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE outbox ("
    " id TEXT NOT NULL, tenant TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,"
    " delivered_at INTEGER, last_error TEXT NOT NULL DEFAULT '',"
    " PRIMARY KEY (id, tenant)) WITHOUT ROWID;"
    "CREATE INDEX outbox_due ON outbox(delivered_at, next_at);",
};

int outbox_init(struct db *d, char *why, size_t cap)
{
	return db_migrate(d, "outbox", steps, sizeof(steps) / sizeof(steps[0]), why, cap);
}

int webhook_config_set(struct db *d, const char *tenant, const char *url,
                       char secret[WEBHOOK_SECRET_HEX + 1])
{
	uint8_t raw[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(secret, WEBHOOK_SECRET_HEX + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	sqlite3_stmt *st = sql_prep(d, "INSERT OR REPLACE INTO webhooks (tenant, url, secret)"
	                               " VALUES (?,?,?)");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, tenant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, secret, -1, SQLITE_STATIC);
	return sql_done(st);
}

int webhook_config_get(struct db *d, const char *tenant, char url[WEBHOOK_URL_MAX + 1],
                       char secret[WEBHOOK_SECRET_HEX + 1])
{
	sqlite3_stmt *st = sql_prep(d, "SELECT url, secret FROM webhooks WHERE tenant = ?");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, tenant, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sql_col(st, 0, url, WEBHOOK_URL_MAX + 1);
		sql_col(st, 1, secret, WEBHOOK_SECRET_HEX + 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND : ERR_IO;
}

int outbox_queue(struct db *d, const char *tenant, const char event_id[RND_ID_CHARS + 1],
                 const char *body)
{
	sqlite3_stmt *st = sql_prep(d, "INSERT INTO outbox (id, tenant, body, created_at, next_at)"
	                               " SELECT ?1, ?2, ?3, ?4, ?4 WHERE EXISTS"
	                               " (SELECT 1 FROM webhooks WHERE tenant = ?2)");
	if (!st)
		return ERR_IO;
	int64_t now = sql_now();
	sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, tenant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	return sql_done(st);
}

long outbox_pending(struct db *d)
{
	sqlite3_stmt *st = sql_prep(d, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL");
	long n = -1;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}
