/* ratelimit.c - fixed-window failure counters in a preallocated table. */
#include "auth/ratelimit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char key[RL_KEY_MAX];
	int64_t window; /* start of the current window, 0 = free slot */
	unsigned count;
};

struct ratelimit {
	struct entry *e;
	size_t cap;
	unsigned limit;
	int window_s;
};

struct ratelimit *rl_new(size_t cap, unsigned limit, int window_s)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	rl->e = calloc(cap, sizeof(*rl->e));
	if (!rl->e) {
		free(rl);
		return NULL;
	}
	rl->cap = cap;
	rl->limit = limit;
	rl->window_s = window_s;
	return rl;
}

void rl_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	free(rl->e);
	free(rl);
}

static struct entry *find(struct ratelimit *rl, const char *key, int create, int64_t now)
{
	struct entry *oldest = NULL;
	for (size_t i = 0; i < rl->cap; i++) {
		struct entry *e = &rl->e[i];
		if (e->window && strncmp(e->key, key, sizeof(e->key)) == 0)
			return e;
		if (!oldest || e->window < oldest->window)
			oldest = e;
	}
	if (!create || !oldest)
		return NULL;
	snprintf(oldest->key, sizeof(oldest->key), "%s", key);
	oldest->window = now;
	oldest->count = 0;
	return oldest;
}

static void roll(struct ratelimit *rl, struct entry *e, int64_t now)
{
	if (now - e->window >= rl->window_s) {
		e->window = now;
		e->count = 0;
	}
}

int rl_fail(struct ratelimit *rl, const char *key, int64_t now, int *retry_after, int *tripped)
{
	struct entry *e = find(rl, key, 1, now);
	*tripped = 0;
	*retry_after = 0;
	if (!e)
		return 0;
	roll(rl, e, now);
	if (e->count < UINT32_MAX)
		e->count++;
	if (e->count <= rl->limit)
		return 0;
	*tripped = e->count == rl->limit + 1;
	*retry_after = (int)(e->window + rl->window_s - now);
	if (*retry_after < 1)
		*retry_after = 1;
	return ERR_LIMIT;
}

int rl_check(struct ratelimit *rl, const char *key, int64_t now, int *retry_after)
{
	struct entry *e = find(rl, key, 0, now);
	*retry_after = 0;
	if (!e)
		return 0;
	roll(rl, e, now);
	if (e->count <= rl->limit)
		return 0;
	*retry_after = (int)(e->window + rl->window_s - now);
	if (*retry_after < 1)
		*retry_after = 1;
	return ERR_LIMIT;
}
