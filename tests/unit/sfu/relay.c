/* Tests for src/sfu/relay.c: order and contents across the ring's wrap, a full ring, one
 * ring per ordered pair of workers, the consumer's wake when its ring was empty (and only
 * then), a producer and a consumer on two threads with no message and no wake lost, and the
 * limits of relay_new. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/limits.h"
#include "sfu/relay.h"

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A recognisable message for i: every field and every data byte depend on it. */
static void fill(struct relay_msg *m, uint32_t i)
{
	m->type = (uint8_t)(i % (RELAY_NACK + 1));
	m->flag = (uint8_t)(i & 1);
	m->len = (uint16_t)((i * 37u) % (LIM_PACKET + 1));
	m->ssrc = i * 0x9e3779b9u;
	m->publisher = (uint64_t)i << 32 | (uint32_t)~i;
	for (size_t k = 0; k < m->len; k++)
		m->data[k] = (uint8_t)(i * 7u + k);
}

static void check(const struct relay_msg *m, uint32_t i)
{
	struct relay_msg want;
	fill(&want, i);
	assert_int_equal(m->type, want.type);
	assert_int_equal(m->flag, want.flag);
	assert_int_equal(m->len, want.len);
	assert_int_equal(m->ssrc, want.ssrc);
	assert_int_equal(m->publisher, want.publisher);
	assert_memory_equal(m->data, want.data, want.len);
}

static void put(struct relay *r, unsigned from, unsigned to, uint32_t i)
{
	struct relay_msg *m = relay_slot(r, from, to);
	assert_non_null(m);
	fill(m, i);
	relay_put(r, from, to);
}

static void pop(struct relay *r, unsigned from, unsigned to, uint32_t i)
{
	const struct relay_msg *m = relay_peek(r, from, to);
	assert_non_null(m);
	check(m, i);
	relay_pop(r, from, to);
}

/* The eventfd's count, or -1 with errno (EAGAIN: not readable). */
static int64_t wakes(int fd)
{
	uint64_t v;
	ssize_t got = read(fd, &v, sizeof(v));
	if (got < 0)
		return -1;
	assert_int_equal(got, sizeof(v));
	return (int64_t)v;
}

static void expect_no_wake(int fd)
{
	errno = 0;
	assert_int_equal(wakes(fd), -1);
	assert_int_equal(errno, EAGAIN);
}

/* Batches of varying size in and out, four times round the ring and a bit: every message
   comes out once, in order, as it went in. */
static void test_order_across_wrap(void **state)
{
	(void)state;
	enum { TOTAL = 4 * RELAY_SLOTS + 5 };
	struct relay *r = relay_new(2);
	assert_non_null(r);
	assert_null(relay_peek(r, 0, 1)); /* no ring yet */
	uint32_t in = 0, out = 0;
	for (unsigned round = 0; out < TOTAL; round++) {
		unsigned np = 1 + (round * 397) % 600, nc = 1 + (round * 211) % 600;
		for (unsigned k = 0; k < np && in < TOTAL && in - out < RELAY_SLOTS; k++)
			put(r, 0, 1, in++);
		/* Peeking again without a pop shows the same message. */
		const struct relay_msg *m = relay_peek(r, 0, 1);
		assert_non_null(m);
		assert_ptr_equal(relay_peek(r, 0, 1), m);
		check(m, out);
		for (unsigned k = 0; k < nc && out < in; k++)
			pop(r, 0, 1, out++);
		if (out == in)
			assert_null(relay_peek(r, 0, 1));
	}
	assert_int_equal(in, TOTAL);
	assert_null(relay_peek(r, 0, 1));
	relay_free(r);
}

/* RELAY_SLOTS messages fit and one more does not, also with the indices part-way round;
   one pop makes room for exactly one. */
static void test_full(void **state)
{
	(void)state;
	struct relay *r = relay_new(2);
	assert_non_null(r);
	uint32_t in = 0, out = 0;
	for (int pass = 0; pass < 2; pass++) {
		while (in - out < RELAY_SLOTS)
			put(r, 0, 1, in++);
		assert_null(relay_slot(r, 0, 1));
		assert_null(relay_slot(r, 0, 1));
		pop(r, 0, 1, out++);
		put(r, 0, 1, in++);
		assert_null(relay_slot(r, 0, 1));
		/* The full ring lost nothing. */
		for (int k = 0; k < 5 + pass * 300; k++)
			pop(r, 0, 1, out++);
	}
	while (out < in)
		pop(r, 0, 1, out++);
	assert_null(relay_peek(r, 0, 1));
	relay_free(r);
}

/* One ring per ordered pair: a message from 0 to 1 is seen only by peek(0, 1). */
static void test_pairs(void **state)
{
	(void)state;
	struct relay *r = relay_new(3);
	assert_non_null(r);
	assert_int_equal(relay_workers(r), 3);
	put(r, 0, 1, 11);
	assert_null(relay_peek(r, 1, 0));
	assert_null(relay_peek(r, 0, 2));
	assert_null(relay_peek(r, 2, 1));
	assert_null(relay_peek(r, 1, 2));
	assert_null(relay_peek(r, 2, 0));
	put(r, 1, 0, 22);
	put(r, 2, 1, 33);
	pop(r, 0, 1, 11);
	assert_null(relay_peek(r, 0, 1));
	pop(r, 1, 0, 22);
	pop(r, 2, 1, 33);
	for (unsigned i = 0; i < 3; i++) {
		for (unsigned j = 0; j < 3; j++)
			assert_null(relay_peek(r, i, j));
	}
	/* A worker has no ring to itself, and there is none beyond the last worker. */
	assert_null(relay_slot(r, 0, 0));
	assert_null(relay_slot(r, 2, 2));
	assert_null(relay_slot(r, 3, 0));
	assert_null(relay_slot(r, 0, 3));
	assert_null(relay_slot(r, 0, LIM_MEDIA_WORKERS));
	assert_null(relay_slot(r, (unsigned)-1, 1));
	assert_null(relay_peek(r, 1, 1));
	assert_null(relay_peek(r, 3, 0));
	assert_null(relay_peek(r, 0, 3));
	/* ...and putting or popping there changes nothing. */
	relay_put(r, 1, 1);
	relay_put(r, 3, 0);
	relay_pop(r, 0, 3);
	relay_pop(r, 1, 1);
	relay_set_waker(r, 3, -1);
	assert_null(relay_peek(r, 1, 0));
	put(r, 1, 0, 44);
	pop(r, 1, 0, 44);
	relay_free(r);
}

/* The consumer's eventfd is written when a message goes into the ring it had emptied, and
   not while a message is still waiting; another worker's eventfd is left alone. */
static void test_wake(void **state)
{
	(void)state;
	struct relay *r = relay_new(2);
	assert_non_null(r);
	int efd0 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int efd1 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(efd0 >= 0 && efd1 >= 0);
	relay_set_waker(r, 0, efd0);
	relay_set_waker(r, 1, efd1);

	put(r, 0, 1, 1);
	assert_int_equal(wakes(efd1), 1);
	expect_no_wake(efd0);
	put(r, 0, 1, 2); /* the first is still there */
	expect_no_wake(efd1);
	pop(r, 0, 1, 1);
	put(r, 0, 1, 3); /* the second is still there */
	expect_no_wake(efd1);
	pop(r, 0, 1, 2);
	pop(r, 0, 1, 3);
	assert_null(relay_peek(r, 0, 1));
	put(r, 0, 1, 4); /* into the emptied ring */
	assert_int_equal(wakes(efd1), 1);
	expect_no_wake(efd0);

	/* The other way wakes worker 0. */
	put(r, 1, 0, 5);
	assert_int_equal(wakes(efd0), 1);
	expect_no_wake(efd1);
	pop(r, 1, 0, 5);
	pop(r, 0, 1, 4);

	/* Without a waker a put wakes nobody (and does not fail). */
	relay_set_waker(r, 1, -1);
	put(r, 0, 1, 6);
	expect_no_wake(efd1);
	pop(r, 0, 1, 6);

	relay_free(r);
	close(efd0);
	close(efd1);
}

enum {
	THREAD_MSGS = 100000,
	THREAD_LIMIT_MS = 5000, /* for each side; the test takes well under a second */
	GRACE_MS = 1000,        /* for a wake that is on its way */
};

struct producer {
	struct relay *r;
	atomic_int stop; /* the consumer gave up */
	uint32_t sent;
	int timed_out;
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	uint64_t t0 = now_ms();
	while (p->sent < THREAD_MSGS) {
		struct relay_msg *m;
		while (!(m = relay_slot(p->r, 0, 1))) {
			if (atomic_load(&p->stop))
				return NULL;
			if (now_ms() - t0 > THREAD_LIMIT_MS) {
				p->timed_out = 1;
				return NULL;
			}
			sched_yield();
		}
		m->type = RELAY_RTP;
		m->len = sizeof(p->sent);
		m->ssrc = p->sent;
		m->publisher = ~(uint64_t)p->sent;
		memcpy(m->data, &p->sent, sizeof(p->sent));
		relay_put(p->r, 0, 1);
		p->sent++;
		/* A pause of 0 to 63 steps, so that the consumer often catches up, empties the ring
		   and sleeps: each time a chance for a wake to be lost. */
		for (volatile unsigned k = (p->sent * 2654435761u) >> 26; k > 0; k--)
			;
	}
	return NULL;
}

/* A producer and a consumer on their own threads: every message arrives, in order, and a
   consumer that found the ring empty and sleeps on its eventfd is always woken: when a
   message is there after a poll timed out, its wake must still come (it may be a moment
   behind the message), else it was lost. */
static void test_threads(void **state)
{
	(void)state;
	struct relay *r = relay_new(2);
	assert_non_null(r);
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(efd >= 0);
	relay_set_waker(r, 1, efd);
	struct producer p = {.r = r};
	atomic_init(&p.stop, 0);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, produce, &p), 0);

	const char *why = NULL; /* cmocka's asserts belong on this thread, after the join */
	uint32_t next = 0, bad = 0;
	unsigned sleeps = 0, timeouts = 0;
	uint64_t t0 = now_ms();
	while (next < THREAD_MSGS && !why) {
		const struct relay_msg *m = relay_peek(r, 0, 1);
		if (m) {
			uint32_t got;
			memcpy(&got, m->data, sizeof(got));
			if (m->len != sizeof(got) || got != next || m->ssrc != next ||
			    m->publisher != ~(uint64_t)next) {
				why = "a message out of order, lost, repeated or changed";
				bad = got;
				break;
			}
			relay_pop(r, 0, 1);
			next++;
			continue;
		}
		if (now_ms() - t0 > THREAD_LIMIT_MS) {
			why = "the consumer timed out";
			break;
		}
		sleeps++;
		struct pollfd pfd = {.fd = efd, .events = POLLIN};
		int ready = poll(&pfd, 1, 100);
		if (ready > 0) {
			(void)wakes(efd);
			continue;
		}
		if (ready < 0 || !relay_peek(r, 0, 1))
			continue;
		/* The ring was empty when we slept and has a message now, but nobody woke us. */
		timeouts++;
		pfd.revents = 0;
		if (poll(&pfd, 1, GRACE_MS) != 1) {
			why = "a wake was lost";
			break;
		}
		(void)wakes(efd);
	}
	atomic_store(&p.stop, 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	if (why)
		print_error("after %u of %u messages (got %u), %u sleeps, %u timeouts: %s\n",
		            (unsigned)next, (unsigned)p.sent, (unsigned)bad, sleeps, timeouts, why);
	assert_null(why);
	assert_false(p.timed_out);
	assert_int_equal(p.sent, THREAD_MSGS);
	assert_int_equal(next, THREAD_MSGS);
	assert_null(relay_peek(r, 0, 1));
	relay_free(r);
	close(efd);
}

static void test_new_free(void **state)
{
	(void)state;
	assert_null(relay_new(0));
	assert_null(relay_new(LIM_MEDIA_WORKERS + 1));
	assert_null(relay_new((size_t)-1));
	relay_free(NULL);
	struct relay *r = relay_new(1);
	assert_non_null(r);
	assert_int_equal(relay_workers(r), 1);
	assert_null(relay_slot(r, 0, 0));
	relay_free(r);
	r = relay_new(LIM_MEDIA_WORKERS);
	assert_non_null(r);
	assert_int_equal(relay_workers(r), LIM_MEDIA_WORKERS);
	put(r, LIM_MEDIA_WORKERS - 1, 0, 7);
	put(r, 0, LIM_MEDIA_WORKERS - 1, 8);
	pop(r, LIM_MEDIA_WORKERS - 1, 0, 7);
	relay_free(r); /* with a message still in a ring */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_across_wrap),
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_pairs),
	    cmocka_unit_test(test_wake),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_new_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
