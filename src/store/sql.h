/* sql.h - small helpers shared by the store modules (store/ only). */
#ifndef KAMER_STORE_SQL_H
#define KAMER_STORE_SQL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* A prepared statement, or NULL after logging why. */
sqlite3_stmt *sql_prep(struct db *d, const char *sql);
/* Steps a statement that returns no rows and finalizes it: 0, ERR_BADSTATE for a
   constraint (e.g. a duplicate name), ERR_IO otherwise. */
int sql_done(sqlite3_stmt *st);
/* Copies a text column (NUL-terminated, truncated to cap; "" for NULL). */
void sql_col(sqlite3_stmt *st, int col, char *out, size_t cap);
/* Unix seconds now. */
int64_t sql_now(void);
/* SHA-256 of a NUL-terminated secret: the store keeps hashes of tokens, not tokens. */
void sql_hash(const char *secret, uint8_t out[32]);

#endif
