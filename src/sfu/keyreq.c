#include "sfu/keyreq.h"

void keyreq_tick(struct keyreq_budget *b)
{
	b->left = KEYREQ_COPIES_PER_TICK;
}

/* Whether the tick has room for a request of this many copies: the first of a tick always
   has, however big its room. */
static int fits(const struct keyreq_budget *b, unsigned copies)
{
	return b->left > 0 && (copies <= b->left || b->left == KEYREQ_COPIES_PER_TICK);
}

int keyreq_ask(struct keyreq *k, struct keyreq_budget *b, uint64_t now_us, int must,
               unsigned copies)
{
	if (k->last_us && now_us - k->last_us < KEYREQ_INTERVAL_US) {
		k->waiting |= must;
		return 0;
	}
	if (!fits(b, copies)) {
		k->waiting = 1; /* nothing asked for this key frame yet: ask at a later tick */
		return 0;
	}
	b->left = copies < b->left ? b->left - copies : 0;
	k->last_us = now_us;
	k->waiting = 0;
	return 1;
}

int keyreq_due(struct keyreq *k, struct keyreq_budget *b, uint64_t now_us, unsigned copies)
{
	return k->waiting && keyreq_ask(k, b, now_us, 1, copies);
}
