/* Tests for src/net/udp.c's send queue: every datagram arrives, whole and in the order it
 * was queued for its destination; datagrams of one size to one address share a UDP GSO
 * message (up to the kernel's segment and byte limits); a queue without GSO sends them
 * one by one. Real sockets on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/udp.h"

struct rig {
	int tx;
	int rx[3];
	struct sockaddr_storage addr[3];
	struct udp_out *out;
};

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	r->out = calloc(1, sizeof(*r->out));
	assert_non_null(r->out);
	struct sockaddr_storage any;
	socklen_t len;
	assert_int_equal(addr_parse("127.0.0.1:0", &any, &len), 0);
	r->tx = udp_bind((struct sockaddr *)&any, len);
	assert_true(r->tx >= 0);
	for (int i = 0; i < 3; i++) {
		r->rx[i] = udp_bind((struct sockaddr *)&any, len);
		assert_true(r->rx[i] >= 0);
		socklen_t alen = sizeof(r->addr[i]);
		assert_int_equal(getsockname(r->rx[i], (struct sockaddr *)&r->addr[i], &alen), 0);
	}
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;
	close(r->tx);
	for (int i = 0; i < 3; i++)
		close(r->rx[i]);
	free(r->out);
	free(r);
	return 0;
}

/* Queues a datagram of len bytes to receiver dst, stamped with (dst, nth). */
static void queue(struct rig *r, int dst, uint16_t nth, size_t len)
{
	uint8_t *p = udp_out_slot(r->tx, r->out);
	memset(p, 0xa5, len);
	p[0] = (uint8_t)dst;
	p[1] = (uint8_t)(nth >> 8);
	p[2] = (uint8_t)nth;
	udp_out_commit(r->out, len, (struct sockaddr *)&r->addr[dst]);
}

/* Receives n datagrams at dst and checks that they are 0..n-1 in order, with the lengths
   that lens gives (NULL: all of len0). */
static void expect(struct rig *r, int dst, size_t n, const size_t *lens, size_t len0)
{
	uint8_t buf[2048];
	for (size_t k = 0; k < n; k++) {
		ssize_t got = recv(r->rx[dst], buf, sizeof(buf), MSG_DONTWAIT);
		assert_int_equal(got, (ssize_t)(lens ? lens[k] : len0));
		assert_int_equal(buf[0], dst);
		assert_int_equal((buf[1] << 8) | buf[2], k);
		assert_int_equal(buf[got - 1], 0xa5);
	}
	assert_true(recv(r->rx[dst], buf, sizeof(buf), MSG_DONTWAIT) < 0); /* nothing more */
}

static void test_mixed_queue_arrives_in_order(void **state)
{
	struct rig *r = *state;
	/* Receiver 0: 5 of 1000 bytes, one of 400, 3 of 1000 again (a new message each time
	   the size changes). Receiver 1: 70 of 200 (more than one message can carry).
	   Receiver 2: a different size each time, between the others. */
	size_t lens0[9], lens2[20];
	uint16_t n0 = 0, n1 = 0, n2 = 0;
	for (int round = 0; round < 70; round++) {
		if (n0 < 9) {
			lens0[n0] = n0 == 5 ? 400 : 1000;
			queue(r, 0, n0, lens0[n0]);
			n0++;
		}
		queue(r, 1, n1++, 200);
		if (n2 < 20 && round % 3 == 0) {
			lens2[n2] = 100 + 37u * n2;
			queue(r, 2, n2, lens2[n2]);
			n2++;
		}
	}
	size_t total = (size_t)n0 + n1 + n2;
	udp_out_flush(r->tx, r->out);
	assert_int_equal(r->out->sent, total);
	assert_int_equal(r->out->failed, 0);
	assert_int_equal(r->out->calls, 1);
	/* Receiver 0: 3 messages; receiver 1: 2 (64 + 6); receiver 2: 20 single datagrams. */
	assert_int_equal(r->out->gso_msgs, 2 + 2);
	expect(r, 0, n0, lens0, 0);
	expect(r, 1, n1, NULL, 200);
	expect(r, 2, n2, lens2, 0);
}

static void test_a_message_stays_under_64k(void **state)
{
	struct rig *r = *state;
	/* 60 of 1400 bytes are 84,000 bytes: two messages. */
	for (uint16_t k = 0; k < 60; k++)
		queue(r, 0, k, 1400);
	udp_out_flush(r->tx, r->out);
	assert_int_equal(r->out->sent, 60);
	assert_int_equal(r->out->gso_msgs, 2);
	expect(r, 0, 60, NULL, 1400);
}

static void test_a_full_queue_flushes_itself(void **state)
{
	struct rig *r = *state;
	uint16_t n = LIM_OUT + 10;
	for (uint16_t k = 0; k < n; k++)
		queue(r, (k & 1) ? 1 : 0, k / 2, 100);
	assert_int_equal(r->out->n, 10); /* the first LIM_OUT went when the queue was full */
	udp_out_flush(r->tx, r->out);
	assert_int_equal(r->out->sent, n);
	assert_int_equal(r->out->calls, 2);
	expect(r, 0, n / 2, NULL, 100);
	expect(r, 1, n / 2, NULL, 100);
}

static void test_without_gso_each_datagram_alone(void **state)
{
	struct rig *r = *state;
	r->out->no_gso = 1;
	for (uint16_t k = 0; k < 10; k++)
		queue(r, 2, k, 500);
	udp_out_flush(r->tx, r->out);
	assert_int_equal(r->out->sent, 10);
	assert_int_equal(r->out->gso_msgs, 0);
	expect(r, 2, 10, NULL, 500);
}

static void test_a_path_that_refuses_gso_gets_datagrams(void **state)
{
	struct rig *r = *state;
	/* Without UDP checksums (SO_NO_CHECK) the kernel refuses GSO: the queue sends the
	   refused message's datagrams one by one, and asks no more. */
	int one = 1;
	assert_int_equal(setsockopt(r->tx, SOL_SOCKET, SO_NO_CHECK, &one, sizeof(one)), 0);
	for (uint16_t k = 0; k < 6; k++)
		queue(r, 1, k, 700);
	udp_out_flush(r->tx, r->out);
	assert_int_equal(r->out->sent, 6);
	assert_int_equal(r->out->failed, 0);
	assert_int_equal(r->out->gso_msgs, 0);
	assert_true(r->out->no_gso);
	expect(r, 1, 6, NULL, 700);
	for (uint16_t k = 0; k < 4; k++)
		queue(r, 1, k, 700);
	udp_out_flush(r->tx, r->out);
	assert_int_equal(r->out->sent, 10);
	expect(r, 1, 4, NULL, 700);
}

static void test_an_empty_flush_sends_nothing(void **state)
{
	struct rig *r = *state;
	udp_out_flush(r->tx, r->out);
	assert_int_equal(r->out->calls, 0);
	assert_int_equal(r->out->sent, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_mixed_queue_arrives_in_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_message_stays_under_64k, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_full_queue_flushes_itself, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_without_gso_each_datagram_alone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_path_that_refuses_gso_gets_datagrams, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_an_empty_flush_sends_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
