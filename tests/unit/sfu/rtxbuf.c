/* Tests for src/sfu/rtxbuf.c: put/get, overwritten slots, the 16-bit wrap, stale slots
 * from a previous cycle, size limits, stream restarts, and the byte budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/bytes.h"
#include "base/limits.h"
#include "sfu/rtxbuf.h"

/* A recognisable packet for seq: 12-byte header carrying seq, then len - 12 bytes of it. */
static size_t make_pkt(uint8_t *p, uint16_t seq, size_t len)
{
	memset(p, 0, len);
	p[0] = 0x80;
	p[1] = 96;
	wr16(p + 2, seq);
	for (size_t i = 12; i < len; i++)
		p[i] = (uint8_t)(seq + i);
	return len;
}

static size_t len_for(uint16_t seq)
{
	return 12 + seq % 200;
}

/* Room for `slots` packets of any size: only the slots limit what is held. */
static struct rtxbuf *by_slots(size_t slots)
{
	return rtxbuf_new(slots, slots * LIM_PACKET);
}

static void put(struct rtxbuf *b, uint16_t seq)
{
	uint8_t p[LIM_PACKET];
	rtxbuf_put(b, seq, p, make_pkt(p, seq, len_for(seq)));
}

static void expect_held(const struct rtxbuf *b, uint16_t seq)
{
	uint8_t want[LIM_PACKET];
	const uint8_t *got = NULL;
	size_t len = 0;
	size_t n = make_pkt(want, seq, len_for(seq));

	assert_int_equal(rtxbuf_get(b, seq, &got, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(got, want, n);
}

static void expect_gone(const struct rtxbuf *b, uint16_t seq)
{
	const uint8_t *got = NULL;
	size_t len = 0;
	assert_int_equal(rtxbuf_get(b, seq, &got, &len), ERR_NOTFOUND);
}

static void test_new_free(void **state)
{
	(void)state;
	assert_null(rtxbuf_new(0, LIM_PACKET));
	assert_null(rtxbuf_new(RTXBUF_MAX_SLOTS + 1, LIM_PACKET));
	assert_null(rtxbuf_new(1, LIM_PACKET - 1)); /* a packet must fit */
	assert_null(rtxbuf_new(1, RTXBUF_MAX_BYTES + 1));
	rtxbuf_free(NULL);
	struct rtxbuf *b = rtxbuf_new(1, LIM_PACKET);
	assert_non_null(b);
	expect_gone(b, 0); /* empty */
	put(b, 7);
	expect_held(b, 7);
	put(b, 8);
	expect_held(b, 8);
	expect_gone(b, 7);
	rtxbuf_free(b);
}

static void test_put_get(void **state)
{
	(void)state;
	struct rtxbuf *b = by_slots(LIM_RTX_PACKETS);
	assert_non_null(b);

	for (uint16_t q = 1000; q < 1100; q++)
		put(b, q);
	for (uint16_t q = 1000; q < 1100; q++)
		expect_held(b, q);
	expect_gone(b, 999);  /* never put */
	expect_gone(b, 1100); /* newer than anything put */
	expect_gone(b, 30000);

	/* A later put of the same seq replaces it. */
	uint8_t p[64];
	memset(p, 0xee, sizeof(p));
	rtxbuf_put(b, 1050, p, sizeof(p));
	const uint8_t *got;
	size_t len;
	assert_int_equal(rtxbuf_get(b, 1050, &got, &len), 0);
	assert_int_equal(len, 64);
	assert_memory_equal(got, p, 64);
	rtxbuf_free(b);
}

static void test_overwritten(void **state)
{
	(void)state;
	struct rtxbuf *b = by_slots(8);

	for (uint16_t q = 0; q <= 8; q++)
		put(b, q);
	/* 8 took 0's slot. */
	expect_gone(b, 0);
	for (uint16_t q = 1; q <= 8; q++)
		expect_held(b, q);
	/* With a gap in the puts: 20 evicts 12 (same slot) and makes 9..12 too old. */
	put(b, 20);
	expect_held(b, 20);
	for (uint16_t q = 0; q <= 12; q++)
		expect_gone(b, q);
	rtxbuf_free(b);
}

static void test_out_of_order(void **state)
{
	(void)state;
	struct rtxbuf *b = by_slots(16);

	put(b, 10);
	put(b, 12);
	put(b, 11); /* late, within the window */
	put(b, 9);  /* before the first put */
	for (uint16_t q = 9; q <= 12; q++)
		expect_held(b, q);
	/* Far behind the newest: ignored, and it evicts nothing. */
	put(b, (uint16_t)(12 - 16));
	expect_gone(b, (uint16_t)(12 - 16));
	for (uint16_t q = 9; q <= 12; q++)
		expect_held(b, q);
	rtxbuf_free(b);
}

static void test_wrap(void **state)
{
	(void)state;
	/* A power of two and a size that does not divide 65536. */
	const size_t sizes[] = {16, 10, LIM_RTX_PACKETS, 500};
	for (size_t i = 0; i < 4; i++) {
		size_t n = sizes[i];
		struct rtxbuf *b = by_slots(n);
		assert_non_null(b);
		uint16_t last = (uint16_t)(65530 + 3 * n); /* well past the wrap */
		for (uint16_t q = 65530; q != (uint16_t)(last + 1); q++)
			put(b, q);
		/* Exactly the last n seqs are held, on both sides of the wrap. */
		for (size_t k = 0; k < n; k++)
			expect_held(b, (uint16_t)(last - k));
		expect_gone(b, (uint16_t)(last - n));
		expect_gone(b, (uint16_t)(last + 1));
		rtxbuf_free(b);
	}

	/* A window straddling the wrap right now. */
	struct rtxbuf *b = by_slots(16);
	for (uint16_t q = 65528; q != 8; q++)
		put(b, q);
	for (uint16_t q = 65528; q != 8; q++)
		expect_held(b, q);
	expect_gone(b, 65527);
	expect_gone(b, 8);
	rtxbuf_free(b);
}

/* A slot still holding a seq from a previous 65536-cycle must not answer for the same seq
   now: with 4 slots, put every seq except those landing in one slot, for a whole cycle. */
static void test_stale_cycle(void **state)
{
	(void)state;
	struct rtxbuf *b = by_slots(4);

	put(b, 100);
	expect_held(b, 100);
	for (uint32_t k = 1; k <= 65536 + 1; k++) {
		if (k % 4 == 0)
			continue; /* the slot of 100 is never written again */
		put(b, (uint16_t)(100 + k));
	}
	/* The newest is 100 + 65537 = 101; seq 100 is one behind it, its slot holds the 100
	   of a cycle ago, and that is not the packet a NACK for 100 now means. */
	expect_held(b, 101);
	expect_gone(b, 100);
	rtxbuf_free(b);
}

static void test_lengths(void **state)
{
	(void)state;
	struct rtxbuf *b = by_slots(8);
	uint8_t p[LIM_PACKET + 1];
	const uint8_t *got;
	size_t len;

	make_pkt(p, 1, sizeof(p));
	rtxbuf_put(b, 1, p, LIM_PACKET + 1); /* too big: ignored */
	expect_gone(b, 1);
	rtxbuf_put(b, 1, p, 0); /* empty: ignored */
	expect_gone(b, 1);
	rtxbuf_put(b, 1, p, LIM_PACKET);
	assert_int_equal(rtxbuf_get(b, 1, &got, &len), 0);
	assert_int_equal(len, LIM_PACKET);
	assert_memory_equal(got, p, LIM_PACKET);
	/* An ignored put does not change what is held. */
	rtxbuf_put(b, 1, p, LIM_PACKET + 1);
	assert_int_equal(rtxbuf_get(b, 1, &got, &len), 0);
	assert_int_equal(len, LIM_PACKET);
	rtxbuf_free(b);
}

static void test_restart_backwards(void **state)
{
	(void)state;
	struct rtxbuf *b = by_slots(8);

	for (uint16_t q = 1000; q < 1010; q++)
		put(b, q);
	/* One seq far behind is ignored... */
	put(b, 200);
	expect_gone(b, 200);
	expect_held(b, 1009);
	/* ...two in sequence restart the stream there. */
	put(b, 201);
	expect_held(b, 201);
	expect_gone(b, 200);
	expect_gone(b, 1009); /* now "newer" than the newest */
	for (uint16_t q = 202; q < 220; q++)
		put(b, q);
	for (uint16_t q = 212; q < 220; q++)
		expect_held(b, q);
	expect_gone(b, 211);
	/* Old slots from before the restart never answer again, whatever the seq. */
	for (uint16_t q = 1000; q < 1010; q++)
		expect_gone(b, q);
	rtxbuf_free(b);
}

static void put_n(struct rtxbuf *b, uint16_t seq, size_t len)
{
	uint8_t p[LIM_PACKET];
	rtxbuf_put(b, seq, p, make_pkt(p, seq, len));
}

static void expect_held_n(const struct rtxbuf *b, uint16_t seq, size_t n)
{
	uint8_t want[LIM_PACKET];
	const uint8_t *got = NULL;
	size_t len = 0;
	make_pkt(want, seq, n);
	assert_int_equal(rtxbuf_get(b, seq, &got, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(got, want, n);
}

/* Packets take the bytes they have, rounded up to a 64-byte line; a packet that does not
   fit before the ring's end starts at its beginning, and whatever its bytes covered is
   gone, slots or not. */
static void test_bytes(void **state)
{
	(void)state;
	struct rtxbuf *b = rtxbuf_new(64, 1600); /* 25 lines */
	put_n(b, 1, 896);
	put_n(b, 2, 896); /* does not fit after 1 (1792 > 1600): at 0, over 1 */
	expect_gone(b, 1);
	expect_held_n(b, 2, 896);
	put_n(b, 3, 600); /* after 2, in 640 */
	put_n(b, 4, 64);  /* after 3, up to the end exactly */
	expect_held_n(b, 2, 896);
	expect_held_n(b, 3, 600);
	expect_held_n(b, 4, 64);
	put_n(b, 5, 50); /* at 0 again, over the start of 2 */
	expect_gone(b, 2);
	expect_held_n(b, 3, 600);
	expect_held_n(b, 4, 64);
	expect_held_n(b, 5, 50);
	rtxbuf_free(b);

	/* Many small packets: the slots, not the bytes, are the limit. */
	b = rtxbuf_new(8, LIM_PACKET * 4);
	for (uint16_t q = 0; q < 40; q++)
		put_n(b, q, 20);
	for (uint16_t q = 32; q < 40; q++)
		expect_held_n(b, q, 20);
	expect_gone(b, 31);
	rtxbuf_free(b);
}

/* Against a model, with sizes from 1 to LIM_PACKET: every packet a get returns is the one
   put under that seq, and the newest packets that fit in the budget (in 64-byte lines,
   less one packet for the end of the ring) are all held. */
static void test_bytes_model(void **state)
{
	(void)state;
	enum { SLOTS = 64, BYTES = 20000, PUTS = 5000 };
	static size_t lens[PUTS];
	struct rtxbuf *b = rtxbuf_new(SLOTS, BYTES);
	uint32_t x = 12345;
	for (size_t i = 0; i < PUTS; i++) {
		x = x * 1103515245u + 12345u;
		lens[i] = 1 + (x >> 8) % LIM_PACKET;
		uint16_t seq = (uint16_t)(65000 + i); /* across the 16-bit wrap */
		put_n(b, seq, lens[i]);
		size_t held_bytes = 0;
		for (size_t k = 0; k <= i && k < SLOTS + 4; k++) {
			uint16_t q = (uint16_t)(seq - k);
			held_bytes += (lens[i - k] + 63) & ~(size_t)63;
			const uint8_t *got;
			size_t len;
			int rc = rtxbuf_get(b, q, &got, &len);
			if (k < SLOTS && held_bytes <= BYTES - 2 * LIM_PACKET)
				assert_int_equal(rc, 0);
			if (k >= SLOTS)
				assert_int_equal(rc, ERR_NOTFOUND);
			if (rc == 0)
				expect_held_n(b, q, lens[i - k]);
		}
	}
	rtxbuf_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_free),    cmocka_unit_test(test_put_get),
	    cmocka_unit_test(test_overwritten), cmocka_unit_test(test_out_of_order),
	    cmocka_unit_test(test_wrap),        cmocka_unit_test(test_stale_cycle),
	    cmocka_unit_test(test_lengths),     cmocka_unit_test(test_restart_backwards),
	    cmocka_unit_test(test_bytes),       cmocka_unit_test(test_bytes_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
