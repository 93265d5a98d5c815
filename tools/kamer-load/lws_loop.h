/* lws_loop.h - runs an lws context's event loop for at most a given time: the signalling
 * adapters' service() (sig_kamer.c, sig_janus.c). */
#ifndef KAMER_LOAD_LWS_LOOP_H
#define KAMER_LOAD_LWS_LOOP_H

#include <libwebsockets.h>

struct lws_loop {
	struct lws_context *ctx;
	lws_sorted_usec_list_t bound; /* wakes the loop when the time is up */
};

/* One turn of ctx's loop, returning after at most about timeout_ms. */
void lws_loop_service(struct lws_loop *l, struct lws_context *ctx, int timeout_ms);

#endif
