#include "sfu/keyreq.h"

void keyreq_tick(struct keyreq_budget *b)
{
	b->left = KEYREQ_PER_TICK;
}

int keyreq_ask(struct keyreq *k, struct keyreq_budget *b, uint64_t now_us, int must)
{
	if (k->last_us && now_us - k->last_us < KEYREQ_INTERVAL_US) {
		k->waiting |= must;
		return 0;
	}
	if (b->left == 0) {
		k->waiting = 1; /* nothing asked for this key frame yet: ask at a later tick */
		return 0;
	}
	b->left--;
	k->last_us = now_us;
	k->waiting = 0;
	return 1;
}

int keyreq_due(struct keyreq *k, struct keyreq_budget *b, uint64_t now_us)
{
	return k->waiting && keyreq_ask(k, b, now_us, 1);
}
