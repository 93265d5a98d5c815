/* guard.c - three failure counters and the events they raise. */
#include "auth/guard.h"

#include <stdio.h>
#include <stdlib.h>

#include "auth/events.h"
#include "auth/ratelimit.h"
#include "base/clock.h"
#include "base/limits.h"

struct guard {
	struct db *db;
	struct ratelimit *source, *account, *global;
};

struct guard *guard_new(struct db *d, const struct guard_limits *l)
{
	struct guard *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->db = d;
	g->source = rl_new(LIM_RATE_KEYS, l->per_source, l->window_s);
	g->account = rl_new(LIM_RATE_KEYS, l->per_account, l->window_s);
	g->global = rl_new(1, l->global, l->window_s);
	if (!g->source || !g->account || !g->global) {
		guard_free(g);
		return NULL;
	}
	return g;
}

void guard_free(struct guard *g)
{
	if (!g)
		return;
	rl_free(g->source);
	rl_free(g->account);
	rl_free(g->global);
	free(g);
}

static int worst(int a, int b)
{
	return a > b ? a : b;
}

int guard_check(struct guard *g, const char *source, const char *account, int *retry_after)
{
	int64_t now = clock_unix();
	int r1 = 0, r2 = 0, r3 = 0;
	int over = rl_check(g->source, source, now, &r1) != 0;
	over |= account && account[0] && rl_check(g->account, account, now, &r2) != 0;
	over |= rl_check(g->global, "global", now, &r3) != 0;
	*retry_after = worst(r1, worst(r2, r3));
	return over ? ERR_LIMIT : 0;
}

static void tripped(struct guard *g, const char *what, const char *key, const char *source)
{
	char detail[200];
	snprintf(detail, sizeof(detail), "{\"limit\":\"%s\"}", what);
	event_record(g->db, &(struct audit_rec){.kind = "ratelimit.tripped",
	                                        .subject = key,
	                                        .source = source,
	                                        .detail = detail,
	                                        .security = 1});
}

int guard_fail(struct guard *g, const char *kind, const char *source, const char *account,
               const char *subject, int *retry_after)
{
	int64_t now = clock_unix();
	int r1 = 0, r2 = 0, r3 = 0, t = 0, over = 0;
	event_record(g->db,
	             &(struct audit_rec){
	                 .kind = kind, .actor = account, .subject = subject, .source = source});
	if (rl_fail(g->source, source, now, &r1, &t) != 0) {
		over = 1;
		if (t)
			tripped(g, "source", source, source);
	}
	if (account && account[0] && rl_fail(g->account, account, now, &r2, &t) != 0) {
		over = 1;
		if (t)
			tripped(g, "account", account, source);
	}
	if (rl_fail(g->global, "global", now, &r3, &t) != 0) {
		over = 1;
		if (t)
			tripped(g, "global", "global", source);
	}
	*retry_after = worst(r1, worst(r2, r3));
	return over ? ERR_LIMIT : 0;
}
