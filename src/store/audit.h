/* audit.h - the append-only audit log; each record carries the SHA-256 of the one before.
 *
 * hash(n) = SHA-256(hash(n-1) || seq || at || tenant || actor || kind || subject ||
 *                   source || detail || security), every field length-prefixed, so that
 * changing, removing or reordering a record breaks the chain at that record. Removing
 * the newest records is caught by comparing with a head the customer kept: every
 * security webhook event carries the head it was written at. */
#ifndef KAMER_STORE_AUDIT_H
#define KAMER_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct db;

#define AUDIT_HASH_HEX 64

struct audit_rec {
	const char *tenant;  /* whose event it is ("" for the server) */
	const char *actor;   /* user id, participant id, "kamerctl", "" */
	const char *kind;    /* "login.failed", "meeting.created", ... */
	const char *subject; /* what it is about: a meeting id, a login, ... */
	const char *source;  /* the client's address, or "" */
	const char *detail;  /* a JSON object as text, or NULL for {} */
	int security;        /* a security event: goes to the tenant's webhook and syslog */
};

/* A record as read back. */
struct audit_row {
	int64_t seq, at;
	char tenant[40], actor[40], kind[48], subject[300], source[64];
	char detail[1024];
	int security;
	char hash[AUDIT_HASH_HEX + 1];
};

int audit_init(struct db *d, char *why, size_t cap);
/* Appends; seq_out and hash_out (may be NULL) get the new record's. */
int audit_append(struct db *d, const struct audit_rec *r, int64_t *seq_out,
                 char hash_out[AUDIT_HASH_HEX + 1]) WARN_UNUSED;
/* Walks the whole chain; report(arg, seq, what) for each problem. *records and
 *problems are counted; 0 when the walk completed (problems or not), ERR_IO if not. */
int audit_verify(struct db *d, void (*report)(void *arg, int64_t seq, const char *what), void *arg,
                 int64_t *records, int64_t *problems) WARN_UNUSED;
/* The newest record's seq and hash (0 and "" when empty). */
int audit_head(struct db *d, int64_t *seq, char hash[AUDIT_HASH_HEX + 1]) WARN_UNUSED;
/* Newest first, at most limit, optionally one tenant's only. */
int audit_list(struct db *d, const char *tenant, int64_t limit,
               int (*cb)(void *arg, const struct audit_row *row), void *arg);

#endif
