/* Tests for tools/kamer-load/gen.c and stats.c: the synthetic media is what kamerd's parsers
 * expect (RTP, RFC 6464 audio level, RFC 7741 VP8 key frames, sizes and rates), PLIs and
 * NACKs are answered, and the receiver's loss, duplicates and delay are counted right. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../tools/kamer-load/load.h"
#include "rtc/rtcp.h"
#include "rtc/rtp.h"
#include "rtc/srtp.h"

#define MAXPKT 4096

struct capture {
	uint8_t slot[LIM_PACKET];
	uint8_t pkt[MAXPKT][LIM_PACKET];
	size_t len[MAXPKT];
	int rtcp[MAXPKT];
	size_t n;
};

static uint8_t *cap_slot(void *arg)
{
	struct capture *c = arg;
	return c->slot;
}

static void cap_commit(void *arg, size_t len, int rtcp)
{
	struct capture *c = arg;
	assert_true(c->n < MAXPKT);
	memcpy(c->pkt[c->n], c->slot, len);
	c->len[c->n] = len;
	c->rtcp[c->n] = rtcp;
	c->n++;
}

static struct capture *cap;
static struct gen *g;

static int setup(void **state)
{
	(void)state;
	cap = calloc(1, sizeof(*cap));
	g = calloc(1, sizeof(*g));
	return cap && g ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(cap);
	free(g);
	return 0;
}

static const uint64_t MS = 1000000ull;

/* Runs the generator for `ms` milliseconds of simulated time in 2 ms ticks. */
static void run_for(uint64_t start, uint64_t ms, const struct pkt_sink *out)
{
	for (uint64_t t = 0; t <= ms; t += 2)
		gen_tick(g, start + t * MS, out);
}

static void audio_and_video_as_kamerd_reads_them(void **state)
{
	(void)state;
	struct pkt_sink out = {cap_slot, cap_commit, cap};
	cap->n = 0;
	const uint64_t t0 = 1000 * MS;
	gen_init(g, 7, 1000, 0, t0);
	const uint64_t real0 = load_now_ns();
	run_for(t0, 999, &out);
	const uint64_t real1 = load_now_ns();
	size_t audio = 0, video = 0, frames = 0, keys = 0, sr = 0;
	uint64_t video_bytes = 0;
	for (size_t i = 0; i < cap->n; i++) {
		const uint8_t *p = cap->pkt[i];
		if (cap->rtcp[i]) {
			struct rtcp_iter it;
			struct rtcp_pkt k;
			rtcp_iter_init(&it, p, cap->len[i]);
			while (rtcp_iter_next(&it, &k) == 1)
				sr += k.pt == RTCP_SR;
			continue;
		}
		struct rtp_hdr h;
		assert_int_equal(rtp_parse(&h, p, cap->len[i]), 0);
		assert_true(cap->len[i] <= LOAD_MAX_RTP);
		const uint8_t *t = p + h.payload_off + h.payload_len - LOAD_TRAILER_LEN;
		assert_int_equal(rd32(t), LOAD_MAGIC);
		assert_int_equal(rd32(t + 4), 7);
		uint64_t sent = rd64(t + 8); /* the real clock when the packet was built */
		assert_true(sent >= real0 && sent <= real1);
		if (h.ssrc == g->audio_ssrc) {
			audio++;
			assert_int_equal(h.pt, 111);
			assert_int_equal(h.payload_len, 100);
			uint8_t level;
			int voice;
			assert_int_equal(
			    rtp_audio_level(&h, p, LOAD_AUDIO_LEVEL_EXT, &level, &voice), 0);
			assert_true(level <= 127);
		} else {
			assert_int_equal(h.ssrc, g->video_ssrc);
			assert_int_equal(h.pt, 96);
			video++;
			video_bytes += h.payload_len;
			const uint8_t *pl = p + h.payload_off;
			if (pl[0] & 0x10) /* S: a frame starts */
				keys += (size_t)vp8_is_keyframe(pl, h.payload_len);
			frames += h.marker;
		}
	}
	/* One second: 50 audio packets and 30 frames (the clocks start at a random phase, so
	   the last frame may fall just outside; the pacer may still hold its tail), the first
	   a key frame, SRs for both. */
	assert_true(audio >= 49 && audio <= 50);
	assert_true(frames >= 28 && frames <= 30);
	assert_int_equal(keys, 1);
	assert_true(sr >= 2);
	/* About 1 Mbit/s: the key frame makes the first second a little heavier. */
	assert_true(video_bytes * 8 > 900000 && video_bytes * 8 < 1400000);
	assert_true(video > 30);
}

static void streams_start_below_half_their_numbers(void **state)
{
	(void)state;
	/* As libwebrtc's: a server that misses a stream's first packets must not meet its
	   first rollover before it has one (64 participants; by chance, 2^-128). */
	for (uint32_t k = 0; k < 64; k++) {
		gen_init(g, k, 1000, 0, 1000 * MS);
		assert_true(g->audio_seq < 32768);
		assert_true(g->video_seq < 32768);
	}
}

static void key_frames_every_three_seconds_and_on_pli(void **state)
{
	(void)state;
	struct pkt_sink out = {cap_slot, cap_commit, cap};
	const uint64_t t0 = 5000 * MS;
	gen_init(g, 1, 1000, 0, t0);
	cap->n = 0;
	run_for(t0, 3100, &out); /* key frames at 0 s and at 3 s */
	size_t keys = 0;
	size_t key_bytes = 0, delta_bytes = 0, deltas = 0, cur = 0;
	int cur_key = 0;
	for (size_t i = 0; i < cap->n; i++) {
		struct rtp_hdr h;
		if (cap->rtcp[i] || rtp_parse(&h, cap->pkt[i], cap->len[i]) != 0 ||
		    h.ssrc != g->video_ssrc)
			continue;
		const uint8_t *pl = cap->pkt[i] + h.payload_off;
		if (pl[0] & 0x10) {
			cur = 0;
			cur_key = vp8_is_keyframe(pl, h.payload_len);
			keys += (size_t)cur_key;
		}
		cur += h.payload_len;
		if (h.marker) {
			if (cur_key) {
				key_bytes = cur;
			} else {
				delta_bytes += cur;
				deltas++;
			}
		}
	}
	assert_int_equal(keys, 2);
	size_t mean_delta = delta_bytes / deltas;
	assert_true(key_bytes > 4 * mean_delta && key_bytes < 9 * mean_delta);

	/* A PLI for our video makes the next frame a key frame. */
	uint8_t pli[64];
	int n = rtcp_write_pli(pli, sizeof(pli), 99, g->video_ssrc);
	assert_true(n > 0);
	gen_on_rtcp(g, pli, (size_t)n, &out);
	cap->n = 0;
	gen_tick(g, t0 + 3200 * MS, &out);
	int found = 0;
	for (size_t i = 0; i < cap->n; i++) {
		struct rtp_hdr h;
		if (!cap->rtcp[i] && rtp_parse(&h, cap->pkt[i], cap->len[i]) == 0 &&
		    h.ssrc == g->video_ssrc && (cap->pkt[i][h.payload_off] & 0x10))
			found |= vp8_is_keyframe(cap->pkt[i] + h.payload_off, h.payload_len);
	}
	assert_true(found);
	/* A PLI for someone else's stream does nothing. */
	n = rtcp_write_pli(pli, sizeof(pli), 99, g->video_ssrc + 1);
	gen_on_rtcp(g, pli, (size_t)n, &out);
	assert_false(g->key_wanted);
}

/* Video leaves at 2.5 times its rate, as a browser's pacer sends it: a key frame is spread
   over tens of milliseconds, and no tick sends more than the budget allows. Audio is not
   held. Each packet is stamped when it leaves. */
static void video_is_paced(void **state)
{
	(void)state;
	struct pkt_sink out = {cap_slot, cap_commit, cap};
	const uint64_t t0 = 7000 * MS;
	gen_init(g, 2, 1000, 0, t0);
	const uint64_t rate = 1000 * 1000 / 8 * LOAD_PACE_PERCENT / 100; /* bytes/s */
	const uint64_t most = rate * 2 / 1000 + rate * 5 / 1000 + LOAD_MAX_RTP;
	uint64_t first_key = 0, last_key = 0, prev_stamp = 0;
	uint32_t key_ts = 0;
	size_t key_pkts = 0;
	for (uint64_t t = 0; t <= 400; t += 2) {
		cap->n = 0;
		gen_tick(g, t0 + t * MS, &out);
		uint64_t bytes = 0;
		for (size_t i = 0; i < cap->n; i++) {
			struct rtp_hdr h;
			if (cap->rtcp[i] || rtp_parse(&h, cap->pkt[i], cap->len[i]) != 0 ||
			    h.ssrc != g->video_ssrc)
				continue;
			bytes += cap->len[i];
			const uint8_t *tr =
			    cap->pkt[i] + h.payload_off + h.payload_len - LOAD_TRAILER_LEN;
			uint64_t stamp = rd64(tr + 8);
			assert_true(stamp >= prev_stamp);
			prev_stamp = stamp;
			/* The first frame is the key frame: from its first packet to its marker. */
			if (key_pkts == 0)
				key_ts = h.ts;
			if (h.ts == key_ts) {
				if (key_pkts++ == 0)
					first_key = t;
				if (h.marker)
					last_key = t;
			}
		}
		assert_true(bytes <= most);
	}
	assert_true(key_pkts > 10);
	/* ~24 kB at 312.5 kB/s: about 75 ms, not one instant. */
	assert_true(last_key - first_key >= 50);
	assert_true(last_key - first_key <= 120);
	/* The queue keeps up: at most the frame of the last tick still waits. */
	assert_true((uint16_t)(g->video_seq - g->paced_seq) < 8);
}

static void nack_is_answered_from_history(void **state)
{
	(void)state;
	struct pkt_sink out = {cap_slot, cap_commit, cap};
	const uint64_t t0 = 100 * MS;
	gen_init(g, 3, 1000, 0, t0);
	cap->n = 0;
	run_for(t0, 200, &out);
	/* Pick a video packet and ask for it, and for one never sent. */
	struct rtp_hdr h;
	size_t idx = SIZE_MAX;
	for (size_t i = 0; i < cap->n && idx == SIZE_MAX; i++) {
		if (!cap->rtcp[i] && rtp_parse(&h, cap->pkt[i], cap->len[i]) == 0 &&
		    h.ssrc == g->video_ssrc)
			idx = i;
	}
	assert_true(idx != SIZE_MAX);
	uint16_t seqs[2] = {h.seq, (uint16_t)(g->video_seq + 5)};
	uint8_t nack[64];
	int n = rtcp_write_nack(nack, sizeof(nack), 99, g->video_ssrc, seqs, 2);
	assert_true(n > 0);
	size_t before = cap->n;
	gen_on_rtcp(g, nack, (size_t)n, &out);
	assert_int_equal(cap->n, before + 1);
	assert_int_equal(cap->len[before], cap->len[idx]);
	struct rtp_hdr r;
	assert_int_equal(rtp_parse(&r, cap->pkt[before], cap->len[before]), 0);
	assert_int_equal(r.seq, h.seq);
	/* The same bytes: SRTP-GCM seals a used index again for those only. */
	assert_memory_equal(cap->pkt[before], cap->pkt[idx], cap->len[idx]);
	assert_int_equal(g->resent, 1);
	struct dtls_keys k = {.profile = DTLS_SRTP_AEAD_AES_128_GCM, .key_len = 16, .salt_len = 12};
	memset(k.local_key, 7, sizeof(k.local_key));
	memset(k.local_salt, 9, sizeof(k.local_salt));
	struct srtp_sess *srtp = srtp_sess_new(&k);
	assert_non_null(srtp);
	uint8_t first[LIM_PACKET], again[LIM_PACKET];
	size_t n1 = cap->len[idx], n2 = cap->len[before];
	memcpy(first, cap->pkt[idx], n1);
	memcpy(again, cap->pkt[before], n2);
	assert_int_equal(srtp_sess_protect_rtp(srtp, first, &n1), 0);
	assert_int_equal(srtp_sess_protect_rtp(srtp, again, &n2), 0);
	assert_memory_equal(first, again, n1);
	srtp_sess_free(srtp);
}

/* A minimal packet with the trailer, as gen.c makes them. */
static size_t make_pkt(uint8_t *p, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
                       uint32_t sender, uint64_t sent_ns)
{
	memset(p, 0, 64);
	p[0] = 0x80;
	p[1] = pt;
	wr16(p + 2, seq);
	wr32(p + 4, ts);
	wr32(p + 8, ssrc);
	uint8_t *t = p + 12 + 10;
	wr32(t, LOAD_MAGIC);
	wr32(t + 4, sender);
	wr64(t + 8, sent_ns);
	return 12 + 10 + LOAD_TRAILER_LEN;
}

static void receiver_counts_loss_dups_and_delay(void **state)
{
	(void)state;
	struct rx_state *rx = calloc(1, sizeof(*rx));
	assert_non_null(rx);
	uint8_t p[128];
	struct rx_gap gap;
	uint64_t now = 10000 * MS;
	/* seqs 100..119 except 105 and 110; 112 twice. */
	for (uint16_t s = 100; s < 120; s++) {
		if (s == 105 || s == 110)
			continue;
		size_t n = make_pkt(p, 111, s, s * 960u, 0xabc, 4, now - 300000);
		rx_on_rtp(rx, 0, p, n, now, &gap);
		assert_int_equal(gap.n, 0); /* audio: no NACKs */
		if (s == 112)
			rx_on_rtp(rx, 0, p, n, now, &gap);
		now += 20 * MS;
	}
	assert_int_equal(rx->n, 1);
	const struct rx_stream *st = &rx->s[0];
	assert_int_equal(st->sender, 4);
	assert_false(st->video);
	assert_int_equal(st->packets, 18);
	assert_int_equal(st->dups, 1);
	assert_int_equal(rx->packets, 18);
	uint64_t ext_max = st->st.cycles + st->st.max_seq;
	uint64_t expected = ext_max - st->st.base_seq + 1 + (st->packets - st->st.received);
	assert_int_equal(expected, 20);
	/* 300 us each, within the histogram's resolution. */
	assert_int_equal(rx->delay.n, 18);
	uint64_t p50 = hist_quantile(&rx->delay, 0.5);
	assert_true(p50 >= 300 && p50 <= 300 + 300 / 16 + 1);
	assert_int_equal(rx->delay.max_us, 300);
	assert_true(rx->first_media_ns != 0);
	/* Not ours: no trailer. */
	memset(p, 0, sizeof(p));
	p[0] = 0x80;
	p[1] = 96;
	rx_on_rtp(rx, 0, p, 60, now, &gap);
	assert_int_equal(rx->bad, 1);
	/* A receiver report names the stream. */
	uint8_t rr[256];
	int n = rx_write_rr(rx, 0, 77, rr, sizeof(rr), now);
	assert_int_equal(n, 8 + 24);
	struct rtcp_iter it;
	struct rtcp_pkt k;
	rtcp_iter_init(&it, rr, (size_t)n);
	assert_int_equal(rtcp_iter_next(&it, &k), 1);
	struct rtcp_rr r;
	assert_int_equal(rtcp_parse_rr(&k, &r), 0);
	assert_int_equal(r.nblocks, 1);
	struct rtcp_report_block b;
	rtcp_report_block_read(r.blocks, 0, &b);
	assert_int_equal(b.ssrc, 0xabc);
	assert_int_equal(b.cumulative_lost, 2);
	free(rx);
}

/* What a reading socket dropped unread counts over the run, and in the steady part what a
   read reported from its start on: the server sent those packets too. */
static void drops_count_apart_in_the_steady_part(void **state)
{
	(void)state;
	struct rx_state *rx = calloc(1, sizeof(*rx));
	assert_non_null(rx);
	uint64_t steady = 5000 * MS;
	atomic_store(&load_steady_ns, 0);
	rx_count_drops(rx, 4, 1000 * MS); /* not steady yet */
	atomic_store(&load_steady_ns, steady);
	rx_count_drops(rx, 3, steady - 1); /* reported before it began */
	rx_count_drops(rx, 5, steady);
	rx_count_drops(rx, 2, steady + 900 * MS);
	assert_int_equal(rx->drops, 14);
	assert_int_equal(rx->drops_steady, 7);
	assert_int_equal(rx->packets, 0); /* dropped, not received */
	atomic_store(&load_steady_ns, 0);
	free(rx);
}

/* A join's time divides into its phases, which add up to the whole even where a boundary
   is missing or out of order. */
static void join_time_divides_into_phases(void **state)
{
	(void)state;
	uint64_t us[JOIN_PHASES];
	const uint64_t at[JOIN_PHASES + 1] = {1000 * MS, 1012 * MS, 1300 * MS,
	                                      1310 * MS, 1350 * MS, 1390 * MS};
	assert_int_equal(join_phases(at, us), 0);
	assert_int_equal(us[JOIN_SIGNALLING], 12000);
	assert_int_equal(us[JOIN_OFFER], 288000);
	assert_int_equal(us[JOIN_ICE], 10000);
	assert_int_equal(us[JOIN_DTLS], 40000);
	assert_int_equal(us[JOIN_MEDIA], 40000);

	/* No keys known: DTLS counts as nothing, the media phase as all after ICE. */
	const uint64_t nokeys[JOIN_PHASES + 1] = {1000 * MS, 1012 * MS, 1300 * MS,
	                                          1310 * MS, 0,         1390 * MS};
	assert_int_equal(join_phases(nokeys, us), 0);
	assert_int_equal(us[JOIN_DTLS], 0);
	assert_int_equal(us[JOIN_MEDIA], 80000);

	/* A boundary past the first packet is held at it; the sum is still the whole. */
	const uint64_t late[JOIN_PHASES + 1] = {1000 * MS, 1500 * MS, 1300 * MS,
	                                        1310 * MS, 1600 * MS, 1400 * MS};
	assert_int_equal(join_phases(late, us), 0);
	assert_int_equal(us[JOIN_SIGNALLING], 400000);
	assert_int_equal(us[JOIN_OFFER] + us[JOIN_ICE] + us[JOIN_DTLS] + us[JOIN_MEDIA], 0);

	/* Without a first request or a first packet there is no join to divide. */
	const uint64_t nostart[JOIN_PHASES + 1] = {0,         1012 * MS, 1300 * MS,
	                                           1310 * MS, 1350 * MS, 1390 * MS};
	const uint64_t nomedia[JOIN_PHASES + 1] = {1000 * MS, 1012 * MS, 1300 * MS,
	                                           1310 * MS, 1350 * MS, 0};
	assert_int_equal(join_phases(nostart, us), -1);
	assert_int_equal(join_phases(nomedia, us), -1);
}

/* A participant without media yet is in the first phase whose end has not come. */
static void a_join_that_stalls_says_where(void **state)
{
	(void)state;
	uint64_t at[JOIN_PHASES + 1] = {1000 * MS, 0, 0, 0, 0, 0};
	assert_int_equal(join_stuck(at), JOIN_SIGNALLING);
	at[1] = 1012 * MS;
	assert_int_equal(join_stuck(at), JOIN_OFFER);
	at[2] = 1300 * MS;
	assert_int_equal(join_stuck(at), JOIN_ICE);
	at[3] = 1310 * MS;
	assert_int_equal(join_stuck(at), JOIN_DTLS);
	at[4] = 1350 * MS;
	assert_int_equal(join_stuck(at), JOIN_MEDIA);
	at[5] = 1390 * MS;
	assert_int_equal(join_stuck(at), JOIN_PHASES);
	/* Media that came counts as joined whatever else is missing. */
	const uint64_t media_only[JOIN_PHASES + 1] = {1000 * MS, 1012 * MS, 0, 0, 0, 1390 * MS};
	assert_int_equal(join_stuck(media_only), JOIN_PHASES);
}

static void video_gaps_become_nacks(void **state)
{
	(void)state;
	struct rx_state *rx = calloc(1, sizeof(*rx));
	assert_non_null(rx);
	uint8_t p[128];
	struct rx_gap gap;
	const uint16_t seqs[] = {65530, 65531, 65532, 65535, 2, 1, 3, 200};
	size_t ngaps[] = {0, 0, 0, 2, 2, 0, 0, 0}; /* 65533-4; 0-1 (1 comes late); 196 is too far */
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		size_t n = make_pkt(p, 96, seqs[i], 1000, 0xdef, 2, 1);
		rx_on_rtp(rx, 0, p, n, 10 * MS, &gap);
		assert_int_equal(gap.n, ngaps[i]);
		if (seqs[i] == 65535) {
			assert_int_equal(gap.seqs[0], 65533);
			assert_int_equal(gap.seqs[1], 65534);
		}
		if (seqs[i] == 2) {
			assert_int_equal(gap.ssrc, 0xdef);
			assert_int_equal(gap.seqs[0], 0);
			assert_int_equal(gap.seqs[1], 1);
		}
	}
	assert_int_equal(rx->nacks, 2);
	assert_int_equal(rx->rtx, 1);     /* seq 1 came late: a retransmission */
	assert_int_equal(rx->delay.n, 7); /* 8 packets; the late one gave no delay sample */
	free(rx);
}

static void histogram_quantiles(void **state)
{
	(void)state;
	struct delay_hist *h = calloc(1, sizeof(*h));
	assert_non_null(h);
	assert_int_equal(hist_quantile(h, 0.5), 0);
	for (uint64_t v = 1; v <= 1000; v++)
		hist_add(h, v * 100); /* 100 us .. 100 ms */
	uint64_t p50 = hist_quantile(h, 0.5), p99 = hist_quantile(h, 0.99);
	assert_true(p50 >= 50000 && p50 <= 50000 + 50000 / 16 + 1);
	assert_true(p99 >= 99000 && p99 <= 99000 + 99000 / 16 + 1);
	assert_int_equal(hist_quantile(h, 1.0), 100000);
	struct delay_hist *h2 = calloc(1, sizeof(*h2));
	hist_add(h2, 5000000000ull); /* far beyond the last bucket: clamped, max kept */
	hist_merge(h, h2);
	assert_int_equal(h->n, 1001);
	assert_int_equal(h->max_us, 5000000000ull);
	assert_int_equal(hist_quantile(h, 1.0), 5000000000ull);
	free(h);
	free(h2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(audio_and_video_as_kamerd_reads_them),
	    cmocka_unit_test(streams_start_below_half_their_numbers),
	    cmocka_unit_test(key_frames_every_three_seconds_and_on_pli),
	    cmocka_unit_test(video_is_paced),
	    cmocka_unit_test(nack_is_answered_from_history),
	    cmocka_unit_test(receiver_counts_loss_dups_and_delay),
	    cmocka_unit_test(drops_count_apart_in_the_steady_part),
	    cmocka_unit_test(join_time_divides_into_phases),
	    cmocka_unit_test(a_join_that_stalls_says_where),
	    cmocka_unit_test(video_gaps_become_nacks),
	    cmocka_unit_test(histogram_quantiles),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
