/* handshake.c - each media worker's DTLS on a thread of its own (see handshake.h).
 *
 * A connection is shared by two threads and freed by whichever lets go of it last: the
 * worker (until hs_drop), the handshake thread's list, each queued record and each result
 * on its way to the worker hold a reference. Only the handshake thread touches the OpenSSL
 * connection while it lives; only the worker reads and clears the owner. */
#include "sfu/handshake.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/ct.h"
#include "base/err.h"
#include "base/log.h"
#include "base/prio.h"

#define SWEEP_MS 50 /* retransmission timers, and connections whose owner is gone */

struct hs {
	struct hs_thread *t;
	void *owner; /* the worker's; NULL after hs_drop */
	atomic_int refs;
	atomic_int dropped;
	uint8_t peer_fp[32];
	/* The handshake thread's own: */
	struct dtls *dtls;
	enum dtls_state reported; /* the state the worker was last told */
	struct dtls_keys keys;    /* from the step that connected until it is delivered */
	struct hs_out *out;       /* being filled by the send callback */
	struct hs *next;          /* in the thread's list */
};

struct job {
	struct job *next;
	struct hs *h;
	int start; /* make the OpenSSL connection; else feed the record */
	size_t len;
	uint8_t data[];
};

struct hs_thread {
	struct dtls_ctx *ctx;
	hs_deliver_fn deliver;
	void *arg;
	pthread_t thread;
	int running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *head, *tail; /* under lock */
	size_t njobs;            /* under lock */
	int stop;                /* under lock */
	struct hs *list;         /* the thread's own */
};

static void unref(struct hs *h)
{
	if (atomic_fetch_sub(&h->refs, 1) != 1)
		return;
	dtls_free(h->dtls);
	free(h->out);
	ct_wipe(h, sizeof(*h));
	free(h);
}

/* The send callback of every connection: records are collected for the worker to send. */
static void collect(void *arg, const uint8_t *p, size_t len)
{
	struct hs *h = arg;
	if (len > LIM_PACKET)
		return;
	if (!h->out && !(h->out = calloc(1, sizeof(*h->out))))
		return; /* the peer retransmits */
	if (h->out->n == HS_OUT_MAX) {
		log_warn("media", "a DTLS flight of more than %d datagrams was cut", HS_OUT_MAX);
		return;
	}
	memcpy(h->out->data[h->out->n], p, len);
	h->out->len[h->out->n++] = len;
}

/* Hands the worker what the last step produced: records to send and a new state. */
static void report(struct hs_thread *t, struct hs *h, enum dtls_state st)
{
	int changed = st != h->reported;
	if (!changed && !h->out)
		return;
	struct hs_out *o = h->out ? h->out : calloc(1, sizeof(*o));
	h->out = NULL;
	if (!o)
		return; /* the state is reported again at the next sweep */
	o->h = h;
	atomic_fetch_add(&h->refs, 1);
	o->changed = changed;
	o->state = st;
	if (changed && st == DTLS_CONNECTED) {
		o->keys = h->keys;
		ct_wipe(&h->keys, sizeof(h->keys));
	}
	if (changed && st == DTLS_FAILED)
		o->why = h->dtls ? dtls_why(h->dtls) : "out of memory";
	h->reported = st;
	t->deliver(t->arg, o);
}

static void run_job(struct hs_thread *t, struct job *j)
{
	struct hs *h = j->h;
	if (!atomic_load(&h->dropped)) {
		if (j->start) {
			h->dtls = dtls_new(t->ctx, h->peer_fp, collect, h);
			atomic_fetch_add(&h->refs, 1); /* the list's */
			h->next = t->list;
			t->list = h;
			if (!h->dtls)
				report(t, h, DTLS_FAILED);
		} else if (h->dtls) {
			report(t, h, dtls_feed(h->dtls, j->data, j->len, &h->keys));
		}
	}
	unref(h); /* the job's */
	free(j);
}

/* Retransmits flights whose timer expired, retries a report that found no memory, and
   lets go of the connections the worker dropped. */
static void sweep(struct hs_thread *t)
{
	for (struct hs **pp = &t->list; *pp;) {
		struct hs *h = *pp;
		if (atomic_load(&h->dropped)) {
			*pp = h->next;
			unref(h);
			continue;
		}
		if (h->dtls && dtls_state(h->dtls) == DTLS_HANDSHAKING)
			dtls_tick(h->dtls);
		report(t, h, h->dtls ? dtls_state(h->dtls) : DTLS_FAILED);
		pp = &h->next;
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void *hs_main(void *arg)
{
	struct hs_thread *t = arg;
	uint64_t next_sweep = now_ms() + SWEEP_MS;
	(void)prio_give_way(PRIO_CONTROL_NICE); /* a handshake can wait; the media cannot */
	pthread_mutex_lock(&t->lock);
	while (!t->stop) {
		while (!t->head && !t->stop && now_ms() < next_sweep) {
			struct timespec until = {.tv_sec = (time_t)(next_sweep / 1000u),
			                         .tv_nsec = (long)(next_sweep % 1000u) * 1000000L};
			if (pthread_cond_timedwait(&t->cond, &t->lock, &until) == ETIMEDOUT)
				break;
		}
		if (t->stop)
			break;
		struct job *jobs = t->head;
		t->head = t->tail = NULL;
		t->njobs = 0;
		pthread_mutex_unlock(&t->lock);
		while (jobs) {
			struct job *j = jobs;
			jobs = j->next;
			run_job(t, j);
		}
		if (now_ms() >= next_sweep) {
			sweep(t);
			next_sweep = now_ms() + SWEEP_MS;
		}
		pthread_mutex_lock(&t->lock);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static int push(struct hs_thread *t, struct job *j)
{
	pthread_mutex_lock(&t->lock);
	if (t->njobs >= LIM_QUEUE) {
		pthread_mutex_unlock(&t->lock);
		return ERR_LIMIT;
	}
	j->next = NULL;
	if (t->tail)
		t->tail->next = j;
	else
		t->head = j;
	t->tail = j;
	t->njobs++;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

struct hs_thread *hs_thread_start(unsigned index, struct dtls_ctx *ctx, hs_deliver_fn deliver,
                                  void *arg)
{
	struct hs_thread *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ctx = ctx;
	t->deliver = deliver;
	t->arg = arg;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&t->lock, NULL);
	if (pthread_create(&t->thread, NULL, hs_main, t) != 0) {
		hs_thread_stop(t);
		return NULL;
	}
	t->running = 1;
	char name[16];
	snprintf(name, sizeof(name), "kamer-dtls/%u", index);
	(void)pthread_setname_np(t->thread, name);
	return t;
}

void hs_thread_stop(struct hs_thread *t)
{
	if (!t)
		return;
	if (t->running) {
		pthread_mutex_lock(&t->lock);
		t->stop = 1;
		pthread_cond_signal(&t->cond);
		pthread_mutex_unlock(&t->lock);
		pthread_join(t->thread, NULL);
	}
	while (t->head) {
		struct job *j = t->head;
		t->head = j->next;
		unref(j->h);
		free(j);
	}
	while (t->list) {
		struct hs *h = t->list;
		t->list = h->next;
		unref(h);
	}
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

double hs_thread_cpu_seconds(const struct hs_thread *t)
{
	clockid_t cid;
	struct timespec ts;
	if (!t || !t->running || pthread_getcpuclockid(t->thread, &cid) != 0 ||
	    clock_gettime(cid, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct hs *hs_new(struct hs_thread *t, const uint8_t peer_fp[32], void *owner)
{
	struct hs *h = calloc(1, sizeof(*h));
	struct job *j = calloc(1, sizeof(*j));
	if (!h || !j) {
		free(h);
		free(j);
		return NULL;
	}
	h->t = t;
	h->owner = owner;
	memcpy(h->peer_fp, peer_fp, sizeof(h->peer_fp));
	h->reported = DTLS_HANDSHAKING;
	atomic_init(&h->refs, 2); /* the owner's and the start job's */
	j->h = h;
	j->start = 1;
	if (push(t, j) != 0) {
		free(j);
		free(h);
		return NULL;
	}
	return h;
}

int hs_feed(struct hs *h, const uint8_t *p, size_t len)
{
	if (len > LIM_PACKET)
		return ERR_INVAL;
	struct job *j = malloc(sizeof(*j) + len);
	if (!j)
		return ERR_NOMEM;
	j->h = h;
	j->start = 0;
	j->len = len;
	memcpy(j->data, p, len);
	atomic_fetch_add(&h->refs, 1);
	if (push(h->t, j) != 0) {
		atomic_fetch_sub(&h->refs, 1); /* the owner still holds one */
		free(j);
		return ERR_LIMIT;
	}
	return 0;
}

void *hs_owner(const struct hs *h)
{
	return h->owner;
}

void hs_drop(struct hs *h)
{
	if (!h)
		return;
	h->owner = NULL;
	atomic_store(&h->dropped, 1);
	unref(h);
}

void hs_out_free(struct hs_out *out)
{
	if (!out)
		return;
	struct hs *h = out->h;
	ct_wipe(&out->keys, sizeof(out->keys));
	free(out);
	if (h)
		unref(h);
}
