/* ratelimit.h - counting failures per key (a source address, an account, "global") in
 * fixed windows, in a table of bounded size that never grows (S3). */
#ifndef KAMER_AUTH_RATELIMIT_H
#define KAMER_AUTH_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define RL_KEY_MAX 96

struct ratelimit;

/* At most limit failures per key in each window of window_s seconds; cap keys tracked
   (when full, the key whose window started longest ago is forgotten). */
struct ratelimit *rl_new(size_t cap, unsigned limit, int window_s);
void rl_free(struct ratelimit *rl);

/* Records a failure. 0 while the key is within its limit, ERR_LIMIT once over it, with
   *retry_after the seconds until its window ends. *tripped is 1 only for the failure that
   crossed the limit (one security event per crossing). */
int rl_fail(struct ratelimit *rl, const char *key, int64_t now, int *retry_after, int *tripped);
/* Whether the key is over its limit now, without recording anything. */
int rl_check(struct ratelimit *rl, const char *key, int64_t now, int *retry_after);

#endif
