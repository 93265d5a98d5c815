/* account.c - tenants and users in SQLite. */
#include "store/account.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/ct.h"
#include "base/log.h"
#include "store/db.h"
#include "store/sql.h"

static const char *const steps[] = {
    "CREATE TABLE tenants ("
    " id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL UNIQUE,"
    " disabled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE users ("
    " id TEXT PRIMARY KEY NOT NULL, tenant TEXT NOT NULL REFERENCES tenants(id),"
    " login TEXT NOT NULL UNIQUE, name TEXT NOT NULL, email TEXT NOT NULL DEFAULT '',"
    " password TEXT NOT NULL DEFAULT '', roles INTEGER NOT NULL,"
    " disabled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE setup_tokens ("
    " token_hash BLOB PRIMARY KEY NOT NULL, user_id TEXT NOT NULL, expires_at INTEGER NOT NULL"
    ") WITHOUT ROWID;",
};

int account_init(struct db *d, char *why, size_t cap)
{
	return db_migrate(d, "accounts", steps, sizeof(steps) / sizeof(steps[0]), why, cap);
}

static const char *const role_names[] = {"member", "host", "tenant-admin", "security-officer"};

int role_parse(const char *name, unsigned *bit)
{
	for (unsigned i = 0; i < 4; i++) {
		if (strcmp(role_names[i], name) == 0) {
			*bit = 1u << i;
			return 0;
		}
	}
	return -1;
}

void role_format(unsigned roles, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < 4; i++) {
		if (roles & (1u << i))
			n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", n ? "," : "",
			                      role_names[i]);
	}
}

int account_tenant_add(struct db *d, const char *name, char id[RND_ID_CHARS + 1])
{
	if (rnd_id(id) != 0)
		return ERR_IO;
	sqlite3_stmt *st = sql_prep(d, "INSERT INTO tenants (id, name, created_at) VALUES (?,?,?)");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, sql_now());
	return sql_done(st);
}

static void tenant_row(sqlite3_stmt *st, struct tenant *t)
{
	sql_col(st, 0, t->id, sizeof(t->id));
	sql_col(st, 1, t->name, sizeof(t->name));
	t->disabled = sqlite3_column_int(st, 2);
}

int account_tenant_find(struct db *d, const char *key, struct tenant *out)
{
	sqlite3_stmt *st =
	    sql_prep(d, "SELECT id, name, disabled FROM tenants WHERE id = ?1 OR name = ?1");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		tenant_row(st, out);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND : ERR_IO;
}

int account_tenant_list(struct db *d, int (*cb)(void *arg, const struct tenant *t), void *arg)
{
	sqlite3_stmt *st = sql_prep(d, "SELECT id, name, disabled FROM tenants ORDER BY name");
	if (!st)
		return ERR_IO;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tenant t;
		tenant_row(st, &t);
		if (cb(arg, &t) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ERR_IO;
}

int account_tenant_disable(struct db *d, const char *id)
{
	sqlite3_stmt *st = sql_prep(d, "UPDATE tenants SET disabled = 1 WHERE id = ?");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sql_done(st);
	return rc == 0 && sqlite3_changes(db_sqlite(d)) == 0 ? ERR_NOTFOUND : rc;
}

int account_user_add(struct db *d, const struct user *u, const char *hash,
                     char id[RND_ID_CHARS + 1])
{
	if (rnd_id(id) != 0)
		return ERR_IO;
	sqlite3_stmt *st =
	    sql_prep(d, "INSERT INTO users (id, tenant, login, name, email, password,"
	                " roles, created_at) VALUES (?,?,?,?,?,?,?,?)");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, u->tenant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, u->login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, u->name[0] ? u->name : u->login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, u->email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, hash ? hash : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, (int)u->roles);
	sqlite3_bind_int64(st, 8, sql_now());
	return sql_done(st);
}

#define USER_COLS                                                                                  \
	"u.id, u.tenant, u.login, u.name, u.email, u.roles, u.disabled OR t.disabled, u.password"
#define USER_FROM " FROM users u JOIN tenants t ON t.id = u.tenant "

static void user_row(sqlite3_stmt *st, struct user *u)
{
	sql_col(st, 0, u->id, sizeof(u->id));
	sql_col(st, 1, u->tenant, sizeof(u->tenant));
	sql_col(st, 2, u->login, sizeof(u->login));
	sql_col(st, 3, u->name, sizeof(u->name));
	sql_col(st, 4, u->email, sizeof(u->email));
	u->roles = (unsigned)sqlite3_column_int(st, 5);
	u->disabled = sqlite3_column_int(st, 6);
}

static int user_where(struct db *d, const char *where, const char *key, struct user *out,
                      char *hash, size_t hash_cap)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT " USER_COLS USER_FROM "WHERE %s = ?", where);
	sqlite3_stmt *st = sql_prep(d, sql);
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		user_row(st, out);
		if (hash)
			sql_col(st, 7, hash, hash_cap);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND : ERR_IO;
}

int account_user_get(struct db *d, const char *id, struct user *out)
{
	return user_where(d, "u.id", id, out, NULL, 0);
}

int account_user_by_login(struct db *d, const char *login, struct user *out, char *hash,
                          size_t hash_cap)
{
	return user_where(d, "u.login", login, out, hash, hash_cap);
}

int account_user_list(struct db *d, const char *tenant, int (*cb)(void *arg, const struct user *u),
                      void *arg)
{
	sqlite3_stmt *st = sql_prep(d, "SELECT " USER_COLS USER_FROM
	                               "WHERE ?1 IS NULL OR u.tenant = ?1 ORDER BY u.login");
	if (!st)
		return ERR_IO;
	if (tenant)
		sqlite3_bind_text(st, 1, tenant, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct user u;
		user_row(st, &u);
		if (cb(arg, &u) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ERR_IO;
}

int account_user_disable(struct db *d, const char *id)
{
	sqlite3_stmt *st = sql_prep(d, "UPDATE users SET disabled = 1 WHERE id = ?");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sql_done(st);
	return rc == 0 && sqlite3_changes(db_sqlite(d)) == 0 ? ERR_NOTFOUND : rc;
}

int account_user_set_password(struct db *d, const char *id, const char *hash)
{
	sqlite3_stmt *st = sql_prep(d, "UPDATE users SET password = ? WHERE id = ?");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	return sql_done(st);
}

long account_user_count(struct db *d)
{
	sqlite3_stmt *st = sql_prep(d, "SELECT count(*) FROM users");
	long n = -1;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int account_bootstrap(struct db *d, int64_t now, char token[RND_ID_CHARS + 1])
{
	if (account_user_count(d) != 0)
		return ERR_BADSTATE;
	struct user u = {.roles = ROLE_ALL};
	char uid[RND_ID_CHARS + 1];
	snprintf(u.login, sizeof(u.login), "admin");
	snprintf(u.name, sizeof(u.name), "Administrator");
	int rc = account_tenant_find(d, "default", &(struct tenant){0});
	struct tenant t;
	if (rc == ERR_NOTFOUND && account_tenant_add(d, "default", t.id) != 0)
		return ERR_IO;
	if (account_tenant_find(d, "default", &t) != 0)
		return ERR_IO;
	memcpy(u.tenant, t.id, sizeof(u.tenant));
	if (account_user_add(d, &u, NULL, uid) != 0 || rnd_id(token) != 0)
		return ERR_IO;
	uint8_t h[32];
	sql_hash(token, h);
	sqlite3_stmt *st = sql_prep(
	    d, "INSERT INTO setup_tokens (token_hash, user_id, expires_at) VALUES (?,?,?)");
	if (!st)
		return ERR_IO;
	sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_STATIC);
	sqlite3_bind_text(st, 2, uid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now + 24 * 3600);
	return sql_done(st);
}

int account_setup_redeem(struct db *d, const char *token, int64_t now, const char *hash,
                         char user_id[RND_ID_CHARS + 1])
{
	uint8_t h[32];
	sql_hash(token, h);
	sqlite3_stmt *st =
	    sql_prep(d, "DELETE FROM setup_tokens WHERE token_hash = ? AND expires_at > ?"
	                " RETURNING user_id");
	if (!st)
		return ERR_IO;
	sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		sql_col(st, 0, user_id, RND_ID_CHARS + 1);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return ERR_NOTFOUND;
	return account_user_set_password(d, user_id, hash);
}
