/* db.h - the store: SQLite behind one interface. Used from the control thread only. */
#ifndef KAMER_STORE_DB_H
#define KAMER_STORE_DB_H

#include <stddef.h>

#include "base/err.h"
#include "base/rnd.h"

struct db;

/* Opens (creating if needed) DIR/kamer.db and brings its schema up to date.
   0, or a negative ERR_* with a reason in why. */
int db_open(struct db **out, const char *dir, char *why, size_t why_cap) WARN_UNUSED;
void db_close(struct db *d);

/* For store/ modules only: the SQLite handle, and schema migrations kept per module
   in the table schema_versions. steps[v] takes the module from version v to v + 1,
   each in its own transaction. 0, or a negative ERR_* with a reason in why. */
struct sqlite3;
struct sqlite3 *db_sqlite(struct db *d);
int db_migrate(struct db *d, const char *module, const char *const *steps, size_t n, char *why,
               size_t cap) WARN_UNUSED;

#endif
