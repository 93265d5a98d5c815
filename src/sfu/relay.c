/* relay.c - single-producer, single-consumer rings between media workers (see relay.h). */
#include "sfu/relay.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/log.h"

_Static_assert((RELAY_SLOTS & (RELAY_SLOTS - 1)) == 0, "RELAY_SLOTS is a power of two");

struct ring {
	/* Each index on its own cache line: the producer writes tail, the consumer head. */
	_Alignas(64) _Atomic size_t head;
	_Alignas(64) _Atomic size_t tail;
	_Alignas(64) struct relay_msg slot[RELAY_SLOTS];
};

struct relay {
	size_t n;
	_Atomic int evfd[LIM_MEDIA_WORKERS];
	_Atomic(struct ring *) ring[]; /* [from * n + to] */
};

struct relay *relay_new(size_t n)
{
	if (n == 0 || n > LIM_MEDIA_WORKERS)
		return NULL;
	struct relay *r = calloc(1, sizeof(*r) + n * n * sizeof(r->ring[0]));
	if (!r)
		return NULL;
	r->n = n;
	for (size_t i = 0; i < LIM_MEDIA_WORKERS; i++)
		atomic_init(&r->evfd[i], -1);
	return r;
}

void relay_free(struct relay *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n * r->n; i++)
		free(atomic_load(&r->ring[i]));
	free(r);
}

void relay_set_waker(struct relay *r, unsigned worker, int evfd)
{
	if (worker < r->n)
		atomic_store(&r->evfd[worker], evfd);
}

size_t relay_workers(const struct relay *r)
{
	return r->n;
}

static struct ring *ring_of(struct relay *r, unsigned from, unsigned to)
{
	if (from >= r->n || to >= r->n || from == to)
		return NULL;
	return atomic_load_explicit(&r->ring[from * r->n + to], memory_order_acquire);
}

/* Messages waiting in q, as its producer or consumer sees it. */
static size_t ring_used(struct ring *q)
{
	return atomic_load_explicit(&q->tail, memory_order_acquire) -
	       atomic_load_explicit(&q->head, memory_order_acquire);
}

struct relay_msg *relay_slot(struct relay *r, unsigned from, unsigned to)
{
	struct ring *q = ring_of(r, from, to);
	if (!q && from < r->n && to < r->n && from != to) {
		/* Only worker from creates this ring; worker to sees it by an acquire load. */
		q = aligned_alloc(64, sizeof(*q));
		if (!q)
			return NULL;
		atomic_init(&q->head, 0);
		atomic_init(&q->tail, 0);
		atomic_store_explicit(&r->ring[from * r->n + to], q, memory_order_release);
	}
	if (!q)
		return NULL;
	if (ring_used(q) == RELAY_SLOTS)
		return NULL;
	return &q->slot[atomic_load_explicit(&q->tail, memory_order_relaxed) & (RELAY_SLOTS - 1)];
}

void relay_put(struct relay *r, unsigned from, unsigned to)
{
	struct ring *q = ring_of(r, from, to);
	if (!q)
		return;
	if (ring_used(q) == RELAY_SLOTS)
		return; /* full: a put without a slot must not overwrite what waits */
	size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
	atomic_store_explicit(&q->tail, tail + 1, memory_order_release);
	/* Paired with the fence in relay_pop: either the consumer sees this message before it
	   sleeps, or we see that it had taken everything before it, and wake it. */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&q->head, memory_order_relaxed) != tail)
		return;
	int fd = atomic_load_explicit(&r->evfd[to], memory_order_relaxed);
	uint64_t one = 1;
	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("media", "eventfd write failed");
}

const struct relay_msg *relay_peek(struct relay *r, unsigned from, unsigned to)
{
	struct ring *q = ring_of(r, from, to);
	if (!q)
		return NULL;
	if (ring_used(q) == 0)
		return NULL;
	return &q->slot[atomic_load_explicit(&q->head, memory_order_relaxed) & (RELAY_SLOTS - 1)];
}

void relay_pop(struct relay *r, unsigned from, unsigned to)
{
	struct ring *q = ring_of(r, from, to);
	if (!q)
		return;
	if (ring_used(q) == 0)
		return; /* nothing to pop: a pop without a peek must not pass the producer */
	size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
	atomic_store_explicit(&q->head, head + 1, memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
}
