/* guard.h - anti-automation (S3): failed look-ups, joins and logins are limited per
 * source address, per account and globally. Crossing a limit raises a security event. */
#ifndef KAMER_AUTH_GUARD_H
#define KAMER_AUTH_GUARD_H

#include "base/err.h"

struct db;
struct guard;

struct guard_limits {
	unsigned per_source, per_account, global; /* failures per window */
	int window_s;
};

struct guard *guard_new(struct db *d, const struct guard_limits *l);
void guard_free(struct guard *g);
/* 0, or ERR_LIMIT with *retry_after when source, account (may be NULL) or everyone is
   over the limit; nothing is recorded. */
int guard_check(struct guard *g, const char *source, const char *account, int *retry_after);
/* Records a failure of kind ("lookup.failed", "join.refused", "login.failed") in the
   audit log and the counters; a crossing becomes a "ratelimit.tripped" security event.
   ERR_LIMIT (with *retry_after) when the caller is now over a limit. */
int guard_fail(struct guard *g, const char *kind, const char *source, const char *account,
               const char *subject, int *retry_after);

#endif
