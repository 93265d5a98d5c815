/* audit.c - the hash-chained audit log. */
#include "store/audit.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "store/db.h"
#include "store/sql.h"

/* The chain starts from this value, so an empty prefix cannot be forged either. */
static const char genesis[] = "kamer audit log v1";

static const char *const steps[] = {
    "CREATE TABLE audit ("
    " seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, tenant TEXT NOT NULL, actor TEXT NOT NULL,"
    " kind TEXT NOT NULL, subject TEXT NOT NULL, source TEXT NOT NULL, detail TEXT NOT NULL,"
    " security INTEGER NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);"
    "CREATE INDEX audit_tenant ON audit(tenant, seq);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
};

int audit_init(struct db *d, char *why, size_t cap)
{
	return db_migrate(d, "audit", steps, sizeof(steps) / sizeof(steps[0]), why, cap);
}

static void put_u64(crypto_hash_sha256_state *h, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
	crypto_hash_sha256_update(h, b, 8);
}

static void put_str(crypto_hash_sha256_state *h, const char *s)
{
	size_t n = strlen(s);
	put_u64(h, n);
	crypto_hash_sha256_update(h, (const uint8_t *)s, n);
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	sodium_bin2hex(out, n * 2 + 1, b, n);
}

/* Fields in the order of the table, as text. */
struct fields {
	int64_t seq, at;
	const char *tenant, *actor, *kind, *subject, *source, *detail;
	int security;
};

static void chain_hash(const char *prev, const struct fields *f, char out[AUDIT_HASH_HEX + 1])
{
	crypto_hash_sha256_state h;
	uint8_t digest[32];
	crypto_hash_sha256_init(&h);
	put_str(&h, prev);
	put_u64(&h, (uint64_t)f->seq);
	put_u64(&h, (uint64_t)f->at);
	put_str(&h, f->tenant);
	put_str(&h, f->actor);
	put_str(&h, f->kind);
	put_str(&h, f->subject);
	put_str(&h, f->source);
	put_str(&h, f->detail);
	put_u64(&h, (uint64_t)f->security);
	crypto_hash_sha256_final(&h, digest);
	hex(digest, sizeof(digest), out);
}

static void genesis_hash(char out[AUDIT_HASH_HEX + 1])
{
	uint8_t digest[32];
	crypto_hash_sha256(digest, (const uint8_t *)genesis, strlen(genesis));
	hex(digest, sizeof(digest), out);
}

int audit_head(struct db *d, int64_t *seq, char hash[AUDIT_HASH_HEX + 1])
{
	*seq = 0;
	hash[0] = '\0';
	sqlite3_stmt *st = sql_prep(d, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
	if (!st)
		return ERR_IO;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		sql_col(st, 1, hash, AUDIT_HASH_HEX + 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ERR_IO;
}

int audit_append(struct db *d, const struct audit_rec *r, int64_t *seq_out,
                 char hash_out[AUDIT_HASH_HEX + 1])
{
	sqlite3 *h = db_sqlite(d);
	/* IMMEDIATE: kamerctl may append at the same time; the chain must not fork. */
	if (sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		log_error("audit", "cannot begin: %s", sqlite3_errmsg(h));
		return ERR_IO;
	}
	int64_t last;
	char prev[AUDIT_HASH_HEX + 1], hash[AUDIT_HASH_HEX + 1];
	if (audit_head(d, &last, prev) != 0)
		goto fail;
	if (last == 0)
		genesis_hash(prev);
	struct fields f = {
	    .seq = last + 1,
	    .at = clock_unix_ms(),
	    .tenant = r->tenant ? r->tenant : "",
	    .actor = r->actor ? r->actor : "",
	    .kind = r->kind,
	    .subject = r->subject ? r->subject : "",
	    .source = r->source ? r->source : "",
	    .detail = r->detail ? r->detail : "{}",
	    .security = r->security ? 1 : 0,
	};
	chain_hash(prev, &f, hash);
	sqlite3_stmt *st = sql_prep(d, "INSERT INTO audit (seq, at, tenant, actor, kind, subject,"
	                               " source, detail, security, prev, hash)"
	                               " VALUES (?,?,?,?,?,?,?,?,?,?,?)");
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, f.seq);
	sqlite3_bind_int64(st, 2, f.at);
	sqlite3_bind_text(st, 3, f.tenant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f.actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, f.kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, f.subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, f.source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, f.detail, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 9, f.security);
	sqlite3_bind_text(st, 10, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, hash, -1, SQLITE_STATIC);
	if (sql_done(st) != 0 || sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (seq_out)
		*seq_out = f.seq;
	if (hash_out)
		memcpy(hash_out, hash, sizeof(hash));
	return 0;
fail:
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	return ERR_IO;
}

static const char *text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? (const char *)t : "";
}

int audit_verify(struct db *d, void (*report)(void *arg, int64_t seq, const char *what), void *arg,
                 int64_t *records, int64_t *problems)
{
	*records = *problems = 0;
	sqlite3_stmt *st = sql_prep(d, "SELECT seq, at, tenant, actor, kind, subject, source,"
	                               " detail, security, prev, hash FROM audit ORDER BY seq");
	if (!st)
		return ERR_IO;
	char expect_prev[AUDIT_HASH_HEX + 1];
	genesis_hash(expect_prev);
	int64_t expect_seq = 1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct fields f = {
		    .seq = sqlite3_column_int64(st, 0),
		    .at = sqlite3_column_int64(st, 1),
		    .tenant = text(st, 2),
		    .actor = text(st, 3),
		    .kind = text(st, 4),
		    .subject = text(st, 5),
		    .source = text(st, 6),
		    .detail = text(st, 7),
		    .security = sqlite3_column_int(st, 8),
		};
		char prev[AUDIT_HASH_HEX + 1], stored[AUDIT_HASH_HEX + 1], got[AUDIT_HASH_HEX + 1];
		sql_col(st, 9, prev, sizeof(prev));
		sql_col(st, 10, stored, sizeof(stored));
		(*records)++;
		char what[160];
		if (f.seq != expect_seq) {
			snprintf(what, sizeof(what), "records %lld to %lld are missing",
			         (long long)expect_seq, (long long)f.seq - 1);
			report(arg, f.seq, what);
			(*problems)++;
		}
		if (strcmp(prev, expect_prev) != 0) {
			report(
			    arg, f.seq,
			    "does not follow the record before it (removed or reordered records)");
			(*problems)++;
		}
		chain_hash(prev, &f, got);
		if (strcmp(got, stored) != 0) {
			report(arg, f.seq, "was changed: its contents do not match its hash");
			(*problems)++;
		}
		memcpy(expect_prev, stored, sizeof(expect_prev));
		expect_seq = f.seq + 1;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : ERR_IO;
}

int audit_list(struct db *d, const char *tenant, int64_t limit,
               int (*cb)(void *arg, const struct audit_row *row), void *arg)
{
	sqlite3_stmt *st =
	    sql_prep(d, "SELECT seq, at, tenant, actor, kind, subject, source,"
	                " detail, security, hash FROM audit"
	                " WHERE ?1 IS NULL OR tenant = ?1 ORDER BY seq DESC LIMIT ?2");
	if (!st)
		return ERR_IO;
	if (tenant)
		sqlite3_bind_text(st, 1, tenant, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_row r;
		r.seq = sqlite3_column_int64(st, 0);
		r.at = sqlite3_column_int64(st, 1);
		sql_col(st, 2, r.tenant, sizeof(r.tenant));
		sql_col(st, 3, r.actor, sizeof(r.actor));
		sql_col(st, 4, r.kind, sizeof(r.kind));
		sql_col(st, 5, r.subject, sizeof(r.subject));
		sql_col(st, 6, r.source, sizeof(r.source));
		sql_col(st, 7, r.detail, sizeof(r.detail));
		r.security = sqlite3_column_int(st, 8);
		sql_col(st, 9, r.hash, sizeof(r.hash));
		if (cb(arg, &r) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ERR_IO;
}
