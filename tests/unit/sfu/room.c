/* Tests for src/sfu/room.c across two media workers: a publisher on worker 0, a subscriber
 * on each worker. The worker's side (its participant list, counters, key-frame budget and
 * relay) and the transports' sends are stand-ins defined here, so that what room.c sends,
 * and to whom, can be read back; the relay between the two is the real one (sfu/relay.c),
 * drained by hand as a worker's loop would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/clock.h"
#include "base/hashidx.h"
#include "rtc/rtcp.h"
#include "rtc/rtp.h"
#include "sfu/internal.h"
#include "sfu/keyreq.h"
#include "sfu/relay.h"

/* ---- the stand-ins for worker.c ---- */

struct worker {
	unsigned index;
	struct participant *parts;
	struct media_counters ctr;
	struct keyreq_budget kb;
	struct relay *relay;
	struct hashidx by_handle;
};

struct participant **worker_participants(struct worker *w)
{
	return &w->parts;
}
struct keyreq_budget *worker_keyreq_budget(struct worker *w)
{
	return &w->kb;
}
struct media_counters *worker_counters_rw(struct worker *w)
{
	return &w->ctr;
}
unsigned worker_index(const struct worker *w)
{
	return w->index;
}
struct hashidx *worker_by_handle(struct worker *w)
{
	return &w->by_handle;
}
struct relay *worker_relay(struct worker *w)
{
	return w->relay;
}
void worker_conn_release(struct conn *c)
{
	free(c);
}

/* What room.c sent through a transport. */
struct sent {
	const struct conn *c;
	int rtcp;
	uint8_t pt, rtcp_pt, fmt; /* fmt: RTCP feedback type (PLI 1, NACK 1 with pt 205) */
	uint16_t seq;
};
static struct sent sent[256];
static size_t nsent;
static uint8_t rtcp_last[512]; /* the last RTCP datagram room.c sent, whole */
static size_t rtcp_last_len;

void conn_send_rtp(struct conn *c, const uint8_t *plain, size_t len, uint8_t pt, uint16_t seq)
{
	(void)plain;
	(void)len;
	if (nsent < 256)
		sent[nsent++] = (struct sent){.c = c, .pt = pt, .seq = seq};
}

void conn_send_rtcp(struct conn *c, const uint8_t *plain, size_t len)
{
	rtcp_last_len = len < sizeof(rtcp_last) ? len : sizeof(rtcp_last);
	memcpy(rtcp_last, plain, rtcp_last_len);
	if (nsent < 256 && len >= 2)
		sent[nsent++] = (struct sent){
		    .c = c, .rtcp = 1, .rtcp_pt = plain[1], .fmt = (uint8_t)(plain[0] & 0x1f)};
}

static size_t count(const struct conn *c, int rtcp, uint8_t rtcp_pt)
{
	size_t n = 0;
	for (size_t i = 0; i < nsent; i++) {
		if (sent[i].c == c && sent[i].rtcp == rtcp && (!rtcp || sent[i].rtcp_pt == rtcp_pt))
			n++;
	}
	return n;
}

/* ---- a meeting over two workers ---- */

#define VIDEO_SSRC 0x1111
#define AUDIO_SSRC 0x2222
#define OUT_PT     96

struct fixture {
	struct relay *relay;
	struct worker w[2];
	struct participant *pub, *sub0, *sub1; /* pub and sub0 on worker 0, sub1 on 1 */
	struct conn *pub_c, *sub0_c, *sub1_c;
	uint64_t pub_handle;
	uint16_t seq;
};

static struct conn *ready_conn(struct worker *w, struct participant *p, enum media_role role)
{
	struct conn *c = calloc(1, sizeof(*c));
	c->w = w;
	c->role = role;
	c->srtp = (struct srtp_sess *)(uintptr_t)1; /* keyed; never used by room.c itself */
	room_set_conn(p, c);
	return c;
}

/* Runs what one worker has waiting from the other, as its loop does. */
static size_t drain(struct fixture *f, unsigned to)
{
	size_t n = 0;
	const struct relay_msg *m;
	while ((m = relay_peek(f->relay, 1 - to, to)) != NULL) {
		room_on_relay(&f->w[to], 1 - to, m);
		relay_pop(f->relay, 1 - to, to);
		n++;
	}
	return n;
}

static void subscribe(struct fixture *f, struct worker *w, struct participant *s, int on)
{
	struct media_sub_spec spec = {
	    .publisher = f->pub_handle, .ssrc = VIDEO_SSRC, .out_pt = OUT_PT, .kind = MEDIA_VIDEO};
	room_subscribe(w, s, &spec, on ? 1 : 0);
}

static void publish(struct fixture *f)
{
	struct media_track_spec t[2] = {
	    {.kind = MEDIA_VIDEO, .ssrc = VIDEO_SSRC, .pt = 100, .clock = 90000},
	    {.kind = MEDIA_AUDIO, .ssrc = AUDIO_SSRC, .pt = 111, .clock = 48000},
	};
	room_publish(&f->w[0], f->pub, t, 2);
}

/* The publisher sends one video packet of RTP timestamp ts, which kamerd read from its
   socket at arrival_us. */
static void send_video_at(struct fixture *f, uint32_t ts, uint64_t arrival_us)
{
	uint8_t pkt[200] = {0x80, 100};
	uint16_t seq = f->seq++;
	pkt[2] = (uint8_t)(seq >> 8);
	pkt[3] = (uint8_t)seq;
	for (int i = 0; i < 4; i++)
		pkt[4 + i] = (uint8_t)(ts >> (24 - 8 * i));
	pkt[8] = VIDEO_SSRC >> 24;
	pkt[9] = (VIDEO_SSRC >> 16) & 0xff;
	pkt[10] = (VIDEO_SSRC >> 8) & 0xff;
	pkt[11] = VIDEO_SSRC & 0xff;
	struct rtp_hdr h;
	assert_int_equal(rtp_parse(&h, pkt, sizeof(pkt)), 0);
	room_on_rtp(f->pub_c, pkt, sizeof(pkt), &h, arrival_us);
}

static void send_video(struct fixture *f)
{
	send_video_at(f, 0, clock_us());
}

/* The report block on the publisher's video in the last RTCP datagram sent, which must be
   a receiver report. */
static struct rtcp_report_block video_report(void)
{
	struct rtcp_iter it;
	struct rtcp_pkt k;
	struct rtcp_rr rr;
	struct rtcp_report_block b = {0};
	rtcp_iter_init(&it, rtcp_last, rtcp_last_len);
	assert_int_equal(rtcp_iter_next(&it, &k), 1);
	assert_int_equal(rtcp_parse_rr(&k, &rr), 0);
	for (size_t i = 0; i < rr.nblocks; i++) {
		rtcp_report_block_read(rr.blocks, i, &b);
		if (b.ssrc == VIDEO_SSRC)
			return b;
	}
	fail_msg("no report block on the video");
	return b;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->relay = relay_new(2);
	for (unsigned i = 0; i < 2; i++) {
		f->w[i].index = i;
		f->w[i].relay = f->relay;
		assert_int_equal(hashidx_init(&f->w[i].by_handle, 256), 0);
		keyreq_tick(&f->w[i].kb);
	}
	f->pub_handle = media_handle(1, 0);
	f->seq = 1000;
	f->pub = room_participant(&f->w[0], f->pub_handle, 1);
	f->sub0 = room_participant(&f->w[0], media_handle(2, 0), 1);
	f->sub1 = room_participant(&f->w[1], media_handle(3, 1), 1);
	f->pub_c = ready_conn(&f->w[0], f->pub, MEDIA_PUB);
	f->sub0_c = ready_conn(&f->w[0], f->sub0, MEDIA_SUB);
	f->sub1_c = ready_conn(&f->w[1], f->sub1, MEDIA_SUB);
	publish(f);
	subscribe(f, &f->w[0], f->sub0, 1);
	subscribe(f, &f->w[1], f->sub1, 1);
	drain(f, 0); /* worker 1's want and key-frame request */
	nsent = 0;
	*state = f;
	return 0;
}

static void free_conn(struct conn *c)
{
	free(c);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	for (unsigned i = 0; i < 2; i++) {
		room_free_all(&f->w[i], free_conn);
		assert_int_equal(f->w[i].by_handle.n, 0); /* every participant left the index */
		hashidx_free(&f->w[i].by_handle);
	}
	relay_free(f->relay);
	free(f);
	return 0;
}

static void test_a_packet_reaches_both_workers_subscribers(void **state)
{
	struct fixture *f = *state;
	send_video(f);
	assert_int_equal(count(f->sub0_c, 0, 0), 1); /* worker 0's own fan-out */
	assert_int_equal(count(f->sub1_c, 0, 0), 0); /* not sent by worker 0 */
	assert_int_equal(drain(f, 1), 1);            /* handed over once */
	assert_int_equal(count(f->sub1_c, 0, 0), 1);
	for (size_t i = 0; i < nsent; i++)
		assert_int_equal(sent[i].pt, OUT_PT);
	/* Worker 1 counts it as its own forwarding; the participants gauge counts no mirror. */
	assert_int_equal(f->w[0].ctr.forwarded, 1);
	assert_int_equal(f->w[1].ctr.forwarded, 1);
	assert_int_equal(f->w[1].ctr.participants, 1);
	assert_int_equal(f->w[0].ctr.relay_tx, 1);
	assert_int_equal(f->w[1].ctr.relay_rx, 1);
}

static void test_a_subscriber_on_the_other_worker_has_a_key_frame_asked_for(void **state)
{
	struct fixture *f = *state;
	/* A second publisher on worker 0, received only on worker 1. */
	uint64_t h2 = media_handle(5, 0);
	struct participant *pub2 = room_participant(&f->w[0], h2, 1);
	struct conn *pub2_c = ready_conn(&f->w[0], pub2, MEDIA_PUB);
	struct media_track_spec t = {.kind = MEDIA_VIDEO, .ssrc = 0x3333, .pt = 100};
	room_publish(&f->w[0], pub2, &t, 1);
	struct media_sub_spec subs[2] = {
	    {.publisher = f->pub_handle, .ssrc = VIDEO_SSRC, .out_pt = OUT_PT, .kind = MEDIA_VIDEO},
	    {.publisher = h2, .ssrc = 0x3333, .out_pt = OUT_PT, .kind = MEDIA_VIDEO},
	};
	room_subscribe(&f->w[1], f->sub1, subs, 2);
	/* Worker 1 cannot reach the publisher: it asks worker 0 (want, then key frame). */
	assert_int_equal(count(pub2_c, 1, RTCP_PSFB), 0);
	assert_int_equal(f->w[1].ctr.plis_tx, 0);
	assert_int_equal(drain(f, 0), 2);
	assert_int_equal(count(pub2_c, 1, RTCP_PSFB), 1);
	for (size_t i = 0; i < nsent; i++) {
		if (sent[i].c == pub2_c)
			assert_int_equal(sent[i].fmt, RTCP_FB_PLI);
	}
	/* And the key frame comes back through the relay. */
	uint8_t pkt[100] = {0x80, 100, 0, 1, 0, 0, 0, 0, 0, 0, 0x33, 0x33};
	struct rtp_hdr hd;
	assert_int_equal(rtp_parse(&hd, pkt, sizeof(pkt)), 0);
	room_on_rtp(pub2_c, pkt, sizeof(pkt), &hd, clock_us());
	assert_int_equal(drain(f, 1), 1);
	assert_int_equal(count(f->sub1_c, 0, 0), 1);
}

static void test_a_key_frame_is_charged_with_the_other_workers_subscribers(void **state)
{
	struct fixture *f = *state;
	/* A publisher on worker 0 with three subscribers on worker 1, none keyed yet. */
	uint64_t h2 = media_handle(5, 0);
	struct participant *pub2 = room_participant(&f->w[0], h2, 1);
	ready_conn(&f->w[0], pub2, MEDIA_PUB);
	struct media_track_spec t = {.kind = MEDIA_VIDEO, .ssrc = 0x3333, .pt = 100};
	room_publish(&f->w[0], pub2, &t, 1);
	struct media_sub_spec spec = {
	    .publisher = h2, .ssrc = 0x3333, .out_pt = OUT_PT, .kind = MEDIA_VIDEO};
	struct conn *c[3];
	for (int i = 0; i < 3; i++) {
		struct participant *s =
		    room_participant(&f->w[1], media_handle(10 + (uint64_t)i, 1), 1);
		c[i] = ready_conn(&f->w[1], s, MEDIA_SUB);
		c[i]->srtp = NULL;
		room_subscribe(&f->w[1], s, &spec, 1);
	}
	assert_int_equal(drain(f, 0), 3); /* wants for 1, 2 and 3 subscribers */
	/* One of them is keyed and needs a picture: its key frame goes to all three, and worker
	   0's budget of key-frame copies is charged for them, not for one handover. */
	keyreq_tick(&f->w[0].kb);
	c[0]->srtp = (struct srtp_sess *)(uintptr_t)1;
	room_on_ready(c[0]);
	assert_int_equal(drain(f, 0), 1);
	assert_int_equal(f->w[0].ctr.plis_tx, 2); /* setup's, and this one */
	assert_int_equal(f->w[0].kb.left, KEYREQ_COPIES_PER_TICK - 3);
	/* Two leave: worker 0 is told each time. */
	for (int i = 1; i < 3; i++)
		room_subscribe(&f->w[1], c[i]->part, NULL, 0);
	assert_int_equal(drain(f, 0), 2);
}

static void test_a_nack_worker_1_cannot_answer_reaches_the_publisher(void **state)
{
	struct fixture *f = *state;
	send_video(f); /* 1000 */
	f->seq++;      /* 1001 is lost on the way from the publisher */
	send_video(f); /* 1002 */
	assert_int_equal(drain(f, 1), 2);
	assert_int_equal(count(f->sub1_c, 0, 0), 2);
	uint16_t out = 0; /* what worker 1's subscriber knows 1000 by */
	for (size_t i = 0; i < nsent && !out; i++) {
		if (sent[i].c == f->sub1_c)
			out = sent[i].seq;
	}
	nsent = 0;
	/* It asks for 1000, which worker 1 keeps, and for 1001, which nobody had: only the
	   second goes to the publisher, through worker 0. */
	uint16_t seqs[2] = {out, (uint16_t)(out + 1)};
	uint8_t buf[64];
	int n = rtcp_write_nack(buf, sizeof(buf), 0xabc, VIDEO_SSRC, seqs, 2);
	assert_true(n > 0);
	room_on_rtcp(f->sub1_c, buf, (size_t)n, clock_us());
	assert_int_equal(count(f->sub1_c, 0, 0), 1); /* resent from worker 1's own buffer */
	assert_int_equal(sent[0].seq, out);
	assert_int_equal(count(f->pub_c, 1, RTCP_RTPFB), 0);
	assert_int_equal(drain(f, 0), 1);
	assert_int_equal(count(f->pub_c, 1, RTCP_RTPFB), 1); /* worker 0 asks the publisher */
}

static void test_sender_reports_reach_the_other_worker(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[64];
	int n =
	    rtcp_write_sr(buf, sizeof(buf), VIDEO_SSRC, 0x1122334455667788ull, 9000, 1, 2, NULL, 0);
	assert_true(n > 0);
	room_on_rtcp(f->pub_c, buf, (size_t)n, clock_us());
	assert_int_equal(count(f->sub0_c, 1, RTCP_SR), 1);
	assert_int_equal(drain(f, 1), 1);
	assert_int_equal(count(f->sub1_c, 1, RTCP_SR), 1);
}

/* The worker reads a batch of datagrams at once and hands each on with the time it read
   them: their jitter counts from there, not from when the packets before them in the batch
   were done with. */
static void test_jitter_counts_from_when_the_batch_was_read(void **state)
{
	struct fixture *f = *state;
	/* 100 ms of video apart (9000 at 90 kHz), read 100 ms apart: no jitter, however long
	   each took to handle. */
	for (uint32_t i = 0; i < 4; i++)
		send_video_at(f, 9000 * i, 1000000 + 100000 * (uint64_t)i);
	room_periodic(&f->w[0], 1400000);
	assert_int_equal(video_report().jitter, 0);
	/* One 10 ms late: |D| is 900 at 90 kHz, J = 900 / 16. */
	send_video_at(f, 9000 * 4, 1000000 + 400000 + 10000);
	room_periodic(&f->w[0], 1500000);
	assert_int_equal(video_report().jitter, 900 / 16);
}

/* A sender report's DLSR, in the receiver report after it, counts from when it was read. */
static void test_dlsr_counts_from_when_the_report_was_read(void **state)
{
	struct fixture *f = *state;
	for (uint32_t i = 0; i < 3; i++)
		send_video_at(f, 9000 * i, 1000000 + 100000 * (uint64_t)i);
	uint8_t buf[64];
	int n =
	    rtcp_write_sr(buf, sizeof(buf), VIDEO_SSRC, 0x1122334455667788ull, 9000, 1, 2, NULL, 0);
	assert_true(n > 0);
	room_on_rtcp(f->pub_c, buf, (size_t)n, 2000000);
	room_periodic(&f->w[0], 2500000); /* half a second later: 32768 in 1/65536 s */
	struct rtcp_report_block b = video_report();
	assert_int_equal(b.lsr, 0x33445566);
	assert_int_equal(b.dlsr, 32768);
}

static void test_the_last_subscriber_gone_the_relay_stops(void **state)
{
	struct fixture *f = *state;
	subscribe(f, &f->w[1], f->sub1, 0);
	assert_null(room_participant(&f->w[1], f->pub_handle, 0)); /* the mirror went */
	assert_int_equal(drain(f, 0), 1);                          /* unwant */
	send_video(f);
	assert_int_equal(drain(f, 1), 0);
	assert_int_equal(count(f->sub0_c, 0, 0), 1);
}

static void test_a_removed_subscriber_takes_its_mirror_with_it(void **state)
{
	struct fixture *f = *state;
	room_remove(&f->w[1], f->sub1, free_conn);
	assert_null(room_participant(&f->w[1], f->pub_handle, 0));
	assert_int_equal(drain(f, 0), 1);
	send_video(f);
	assert_int_equal(drain(f, 1), 0);
}

static void test_a_republished_track_is_asked_for_again(void **state)
{
	struct fixture *f = *state;
	publish(f); /* the tracks anew on worker 0: it forgot who wanted them */
	send_video(f);
	assert_int_equal(drain(f, 1), 0);
	/* A second later the mirror, hearing nothing, asks again. */
	room_periodic(&f->w[1], clock_us() + 1100000);
	assert_int_equal(drain(f, 0), 1);
	send_video(f);
	assert_int_equal(drain(f, 1), 1);
	assert_int_equal(count(f->sub1_c, 0, 0), 1);
}

static void test_a_muted_publisher_reaches_no_worker(void **state)
{
	struct fixture *f = *state;
	room_mute(f->pub, MEDIA_VIDEO, 1);
	send_video(f);
	assert_int_equal(drain(f, 1), 0);
	assert_int_equal(nsent, 0);
	room_mute(f->pub, MEDIA_VIDEO, 0);
	send_video(f);
	assert_int_equal(drain(f, 1), 1);
	assert_int_equal(count(f->sub1_c, 0, 0), 1);
}

static void test_a_full_ring_drops_and_counts(void **state)
{
	struct fixture *f = *state;
	for (size_t i = 0; i < RELAY_SLOTS + 3; i++)
		send_video(f);
	assert_int_equal(f->w[0].ctr.drop_relay_full, 3);
	assert_int_equal(drain(f, 1), RELAY_SLOTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_a_packet_reaches_both_workers_subscribers, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_a_subscriber_on_the_other_worker_has_a_key_frame_asked_for, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_a_key_frame_is_charged_with_the_other_workers_subscribers, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_a_nack_worker_1_cannot_answer_reaches_the_publisher, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sender_reports_reach_the_other_worker, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_jitter_counts_from_when_the_batch_was_read, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_dlsr_counts_from_when_the_report_was_read, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_the_last_subscriber_gone_the_relay_stops, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_a_removed_subscriber_takes_its_mirror_with_it,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_republished_track_is_asked_for_again, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_a_muted_publisher_reaches_no_worker, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_a_full_ring_drops_and_counts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
