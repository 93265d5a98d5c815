/* Tests for src/sfu/handshake.c: DTLS handshakes on their own thread, with our own client
 * role (rtc/dtls) as the peer, results coming back through the deliver callback as they do
 * to a media worker. */
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "base/err.h"
#include "sfu/handshake.h"

/* The "worker": results in arrival order, taken under a lock. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct hs_out *head, *tail;
static pthread_t deliverer;
static int delivered_off_thread;

/* A test may hold the gate to keep the handshake thread inside deliver. */
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static atomic_int at_gate;

static void deliver(void *arg, struct hs_out *o)
{
	(void)arg;
	atomic_store(&at_gate, 1);
	pthread_mutex_lock(&gate);
	pthread_mutex_unlock(&gate);
	atomic_store(&at_gate, 0);
	pthread_mutex_lock(&lock);
	if (!pthread_equal(pthread_self(), deliverer))
		delivered_off_thread = 1;
	o->next = NULL;
	if (tail)
		tail->next = o;
	else
		head = o;
	tail = o;
	pthread_mutex_unlock(&lock);
}

static struct hs_out *take(void)
{
	pthread_mutex_lock(&lock);
	struct hs_out *o = head;
	if (o) {
		head = o->next;
		if (!head)
			tail = NULL;
	}
	pthread_mutex_unlock(&lock);
	return o;
}

/* Datagrams the client sent, waiting for the server. */
static uint8_t cq[16][1500];
static size_t cqlen[16], cqn;

static void to_server(void *arg, const uint8_t *p, size_t len)
{
	(void)arg;
	assert_true(cqn < 16);
	memcpy(cq[cqn], p, len);
	cqlen[cqn++] = len;
}

/* The SHA-256 digest of the context's certificate, from its "AB:CD:..." fingerprint. */
static void fp_bytes(const struct dtls_ctx *ctx, uint8_t out[32])
{
	const char *s = dtls_ctx_fingerprint(ctx);
	for (int i = 0; i < 32; i++) {
		unsigned v;
		assert_int_equal(sscanf(s + 3 * i, "%2X", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

/* Each test: a server context with its handshake thread, a client context, and both
   fingerprints. */
struct fx {
	struct dtls_ctx *sctx, *cctx;
	uint8_t sfp[32], cfp[32];
	struct hs_thread *t; /* NULL once a test stopped it */
};

static int fx_setup(void **state)
{
	static unsigned index;
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	deliverer = pthread_self();
	f->sctx = dtls_ctx_new();
	f->cctx = dtls_ctx_new_peer();
	assert_non_null(f->sctx);
	assert_non_null(f->cctx);
	fp_bytes(f->sctx, f->sfp);
	fp_bytes(f->cctx, f->cfp);
	f->t = hs_thread_start(index++, f->sctx, deliver, NULL);
	assert_non_null(f->t);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	hs_thread_stop(f->t);
	struct hs_out *o;
	while ((o = take()) != NULL)
		hs_out_free(o);
	dtls_ctx_free(f->sctx);
	dtls_ctx_free(f->cctx);
	free(f);
	return 0;
}

/* A client that has sent its ClientHello (waiting in cq). */
static struct dtls *client_started(struct fx *f)
{
	struct dtls *client = dtls_new_client(f->cctx, f->sfp, to_server, NULL);
	assert_non_null(client);
	assert_int_equal(dtls_start(client), DTLS_HANDSHAKING);
	return client;
}

/* Runs a client against h until the server reports a final state or 5 s pass; the
   server's final state, its keys in *keys. */
static enum dtls_state run(struct dtls *client, struct hs *h, struct dtls_keys *keys, int *outs)
{
	enum dtls_state server = DTLS_HANDSHAKING;
	struct dtls_keys ck;
	for (int i = 0; i < 5000 && server == DTLS_HANDSHAKING; i++) {
		for (size_t k = 0; k < cqn; k++)
			assert_int_equal(hs_feed(h, cq[k], cqlen[k]), 0);
		cqn = 0;
		struct hs_out *o;
		while ((o = take()) != NULL) {
			(*outs)++;
			assert_ptr_equal(o->h, h);
			for (size_t k = 0; k < o->n; k++)
				(void)dtls_feed(client, o->data[k], o->len[k], &ck);
			if (o->changed) {
				server = o->state;
				if (server == DTLS_CONNECTED)
					*keys = o->keys;
			}
			hs_out_free(o);
		}
		if (server == DTLS_HANDSHAKING)
			sleep_ms(1);
	}
	return server;
}

static void handshake_on_its_own_thread(void **state)
{
	struct fx *f = *state;
	int owner;
	struct hs *h = hs_new(f->t, f->cfp, &owner);
	assert_non_null(h);
	assert_ptr_equal(hs_owner(h), &owner);
	struct dtls *client = client_started(f);

	struct dtls_keys keys;
	int outs = 0;
	assert_int_equal(run(client, h, &keys, &outs), DTLS_CONNECTED);
	assert_true(outs >= 2); /* the server's two flights */
	assert_int_equal(delivered_off_thread, 1);
	/* The client's last step: its keys mirror ours. */
	for (int i = 0; i < 100 && dtls_state(client) == DTLS_HANDSHAKING; i++)
		sleep_ms(1);
	assert_int_equal(dtls_state(client), DTLS_CONNECTED);
	assert_int_equal(keys.profile, DTLS_SRTP_AEAD_AES_128_GCM);
	assert_true(hs_thread_cpu_seconds(f->t) > 0);
	hs_drop(h);
	dtls_free(client);
}

static void wrong_certificate_fails(void **state)
{
	struct fx *f = *state;
	uint8_t wrong[32];
	memset(wrong, 0x5a, sizeof(wrong));
	int owner;
	struct hs *h = hs_new(f->t, wrong, &owner);
	struct dtls *client = client_started(f);
	struct dtls_keys keys;
	int outs = 0;
	assert_int_equal(run(client, h, &keys, &outs), DTLS_FAILED);
	hs_drop(h);
	dtls_free(client);
}

/* Owners go away at each point of a connection's life: while its records are queued
 * (a third), after the thread answered (a third: the thread's sweep lets go of them), and
 * after the thread stopped (the rest). Nothing leaks and nothing is used after it was
 * freed (ASan runs these tests), and results that arrive late find no owner. */
static void drop_at_every_point(void **state)
{
	struct fx *f = *state;
	enum { N = 12 };
	struct hs *hs[N];
	int owners[N];
	for (int i = 0; i < N; i++) {
		hs[i] = hs_new(f->t, f->cfp, &owners[i]);
		assert_non_null(hs[i]);
		struct dtls *client = client_started(f);
		for (size_t k = 0; k < cqn; k++)
			assert_int_equal(hs_feed(hs[i], cq[k], cqlen[k]), 0);
		cqn = 0;
		dtls_free(client);
	}
	for (int i = 0; i < N; i += 3)
		hs_drop(hs[i]);
	/* The others answer their ClientHello; a third are dropped once they have. */
	int answered = 0;
	for (int i = 0; i < 2000 && answered < 2 * N / 3; i++) {
		struct hs_out *o;
		while ((o = take()) != NULL) {
			void *owner = hs_owner(o->h);
			for (int k = 0; k < N; k += 3)
				assert_true(o->h != hs[k] || owner == NULL);
			if (owner) {
				answered++;
				int k = (int *)owner - owners;
				assert_ptr_equal(o->h, hs[k]);
				if (k % 3 == 1)
					hs_drop(hs[k]);
			}
			hs_out_free(o);
		}
		sleep_ms(1);
	}
	assert_int_equal(answered, 2 * N / 3);
	/* The thread's sweep (every 50 ms) lets go of the dropped ones. */
	sleep_ms(150);
	/* The thread stops first, as a worker stops it; the last owners let go afterwards. */
	hs_thread_stop(f->t);
	f->t = NULL;
	for (int i = 2; i < N; i += 3) {
		assert_ptr_equal(hs_owner(hs[i]), &owners[i]);
		hs_drop(hs[i]);
	}
}

/* A thread that cannot keep up refuses records beyond its queue (LIM_QUEUE) instead of
   holding ever more of them; the peer retransmits, the worker counts the drop. */
static void full_queue_refuses(void **state)
{
	struct fx *f = *state;
	int owner;
	pthread_mutex_lock(&gate);
	struct hs *h = hs_new(f->t, f->cfp, &owner);
	assert_non_null(h);
	struct dtls *client = client_started(f);
	assert_int_equal(hs_feed(h, cq[0], cqlen[0]), 0);
	/* The thread answers the ClientHello and stops at the gate. */
	for (int i = 0; i < 5000 && !atomic_load(&at_gate); i++)
		sleep_ms(1);
	assert_true(atomic_load(&at_gate));
	int rc = 0, taken = 0;
	while (taken <= LIM_QUEUE && (rc = hs_feed(h, cq[0], cqlen[0])) == 0)
		taken++;
	assert_int_equal(rc, ERR_LIMIT);
	assert_int_equal(taken, LIM_QUEUE);
	cqn = 0;
	pthread_mutex_unlock(&gate);
	hs_drop(h);
	dtls_free(client);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(handshake_on_its_own_thread, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(wrong_certificate_fails, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(drop_at_every_point, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(full_queue_refuses, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
