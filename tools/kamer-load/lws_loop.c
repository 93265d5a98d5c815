/* lws_loop.c - see lws_loop.h. */
#include "lws_loop.h"

/* lws_service() ignores its timeout (since lws 3.2) and sleeps until the next of its timers
   or a network event, so a timer bounds the wait. The timer wakes the poll rather than
   merely firing: with a callback that did nothing, 60 Janus participants' signalling had
   the poll wait 25.7 s (gdb: poll() with a timeout of 25723 ms) although this timer was
   10 ms away, and 2 of 5 runs of 20 s lasted 30; the timer must have come due before lws
   computed its wait, which then ran to the next timer. Waking the poll: 10 runs, none over. */
static void time_up(lws_sorted_usec_list_t *sul)
{
	struct lws_loop *l = lws_container_of(sul, struct lws_loop, bound);
	lws_cancel_service(l->ctx);
}

void lws_loop_service(struct lws_loop *l, struct lws_context *ctx, int timeout_ms)
{
	l->ctx = ctx;
	lws_sul_schedule(ctx, 0, &l->bound, time_up, (lws_usec_t)timeout_ms * 1000);
	lws_service(ctx, 0);
}
