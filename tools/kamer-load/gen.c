/* gen.c - synthetic media of one participant: Opus-like audio (50 packets/s, ~100-byte
 * payload, RFC 6464 audio level) and VP8-like video (RFC 7741 payloads, key frames every
 * 3 s and on PLI) paced out as a browser paces it, sender reports, and answers to NACKs
 * from a small history. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/limits.h"
#include "base/rnd.h"
#include "load.h"
#include "rtc/rtcp.h"
#include "rtc/rtp.h"
#include "rtc/sdp_client.h"

#define AUDIO_EVERY_NS  20000000ull
#define VIDEO_EVERY_NS  (1000000000ull / 30)
#define KEY_EVERY_NS    3000000000ull
#define SR_EVERY_NS     1000000000ull
#define AUDIO_PAYLOAD   100
#define KEY_RATIO       6  /* a key frame is this many delta frames */
#define FRAMES_PER_GOP  90 /* 3 s at 30 frames/s */
#define VP8_DESC_LEN    4  /* X, I and a 15-bit picture id (RFC 7741 4.2) */
#define MAX_FRAME_BYTES 200000
#define PACE_BURST_NS   5000000ull /* budget an idle pacer keeps: one 5 ms interval */

uint64_t load_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void gen_init(struct gen *g, uint32_t sender, unsigned video_kbps, int audio_only, uint64_t now_ns)
{
	memset(g, 0, sizeof(*g));
	g->sender = sender;
	g->audio_ssrc = rnd_u32();
	g->video_ssrc = audio_only ? 0 : rnd_u32();
	g->video_kbps = video_kbps;
	/* Below 2^15, as libwebrtc starts them: a receiver takes the first packet it
	   authenticates for rollover 0 (RFC 3711 3.3.1), so a stream that wrapped before its
	   first packets got through, lost to a server not yet ready, would never decrypt. */
	g->audio_seq = (uint16_t)(rnd_u32() & 0x7fff);
	g->video_seq = (uint16_t)(rnd_u32() & 0x7fff);
	g->audio_ts = rnd_u32();
	g->video_ts = rnd_u32();
	g->picture_id = (uint16_t)(rnd_u32() & 0x7fff);
	/* Each participant's capture clocks start at a random phase, as real devices' do:
	   participants that joined a period apart would otherwise send in the same instant,
	   a worst case no meeting has. The first video frame is still a key frame. */
	g->next_audio_ns = now_ns + rnd_u32() % AUDIO_EVERY_NS;
	g->next_video_ns = now_ns + rnd_u32() % VIDEO_EVERY_NS;
	g->next_sr_ns = now_ns;
	g->next_key_ns = g->next_video_ns;
	g->paced_seq = g->video_seq;
	g->pace_last_ns = now_ns;
}

/* The send time is read now, not at the tick: a thread with many participants builds the
   last one's packets later in the tick than the first one's. */
static void put_trailer(struct gen *g, uint8_t *end, uint8_t flags)
{
	uint8_t *t = end - LOAD_TRAILER_LEN;
	wr32(t, LOAD_MAGIC);
	wr32(t + 4, g->sender);
	wr64(t + 8, load_now_ns());
	t[16] = flags;
	t[17] = t[18] = t[19] = 0;
}

static void put_header(uint8_t *p, int ext, int marker, uint8_t pt, uint16_t seq, uint32_t ts,
                       uint32_t ssrc)
{
	p[0] = (uint8_t)(0x80 | (ext ? 0x10 : 0));
	p[1] = (uint8_t)((marker ? 0x80 : 0) | pt);
	wr16(p + 2, seq);
	wr32(p + 4, ts);
	wr32(p + 8, ssrc);
}

/* Filler that does not compress to nothing: one random block made once, copied from an
   offset that changes with each packet (a per-byte generator cost 5% of the tool's CPU). */
static uint8_t g_noise[2 * LOAD_MAX_RTP];

static pthread_once_t g_noise_once = PTHREAD_ONCE_INIT;

static void noise_init(void)
{
	uint32_t x = 0x9e3779b9u;
	for (size_t i = 0; i < sizeof(g_noise); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		g_noise[i] = (uint8_t)x;
	}
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	pthread_once(&g_noise_once, noise_init);
	if (n > LOAD_MAX_RTP)
		n = LOAD_MAX_RTP;
	memcpy(p, g_noise + (seed * 61u) % LOAD_MAX_RTP, n);
}

static void send_audio(struct gen *g, uint64_t now_ns, const struct pkt_sink *out)
{
	uint8_t *p = out->slot(out->arg);
	put_header(p, 1, 0, SDP_CLIENT_PT_OPUS, g->audio_seq, g->audio_ts, g->audio_ssrc);
	/* RFC 8285 one-byte extension block: ssrc-audio-level, then padding to 4 bytes. */
	wr16(p + 12, RTP_EXT_ONEBYTE);
	wr16(p + 14, 1);
	/* A talker every few seconds in turn, so that speaker detection has work: voice at
	   -20 dBov while talking, -90 dBov otherwise (RFC 6464 3). */
	int talking = ((now_ns / 4000000000ull) % 8) == g->sender % 8;
	p[16] = (uint8_t)(LOAD_AUDIO_LEVEL_EXT << 4);
	p[17] = talking ? (uint8_t)(0x80 | 20) : 90;
	p[18] = p[19] = 0;
	uint8_t *pl = p + 20;
	pl[0] = 0xfc; /* an Opus TOC byte: SILK/CELT hybrid 20 ms, one frame (RFC 6716 3.1) */
	fill(pl + 1, AUDIO_PAYLOAD - 1 - LOAD_TRAILER_LEN, g->audio_seq);
	put_trailer(g, pl + AUDIO_PAYLOAD, 0);
	size_t len = 20 + AUDIO_PAYLOAD;
	out->commit(out->arg, len, 0);
	g->audio_seq++;
	g->audio_ts += 960; /* 20 ms at 48 kHz */
	g->audio_packets++;
	g->audio_octets += AUDIO_PAYLOAD;
	g->sent++;
}

static size_t frame_bytes(struct gen *g, int key)
{
	/* kbps over a group of 89 delta frames and one key frame of KEY_RATIO deltas. */
	uint64_t per_gop = (uint64_t)g->video_kbps * 1000 / 8 * FRAMES_PER_GOP / 30;
	uint64_t delta = per_gop / (FRAMES_PER_GOP - 1 + KEY_RATIO);
	/* +-12% so that packet counts vary as with a real encoder. */
	uint32_t x = (uint32_t)g->video_seq * 2654435761u;
	delta = delta * (88 + (x >> 24) % 25) / 100;
	uint64_t n = key ? delta * KEY_RATIO : delta;
	if (n < 64)
		n = 64;
	return n > MAX_FRAME_BYTES ? MAX_FRAME_BYTES : (size_t)n;
}

static void make_frame(struct gen *g, uint64_t now_ns)
{
	int key = g->key_wanted || now_ns >= g->next_key_ns;
	if (key) {
		g->key_wanted = 0;
		g->next_key_ns = now_ns + KEY_EVERY_NS;
		g->keyframes++;
	}
	size_t size = frame_bytes(g, key);
	const size_t room = LOAD_MAX_RTP - RTP_HDR_LEN - VP8_DESC_LEN;
	size_t npkt = (size + room - 1) / room;
	size_t per = (size + npkt - 1) / npkt;
	if (per < 10 + LOAD_TRAILER_LEN)
		per = 10 + LOAD_TRAILER_LEN;
	for (size_t i = 0; i < npkt; i++) {
		struct gen_pkt *h = &g->hist[g->video_seq % LOAD_RTX_HISTORY];
		uint8_t *p = h->data;
		put_header(p, 0, i + 1 == npkt, SDP_CLIENT_PT_VP8, g->video_seq, g->video_ts,
		           g->video_ssrc);
		uint8_t *d = p + RTP_HDR_LEN;
		d[0] = (uint8_t)(0x80 | (i == 0 ? 0x10 : 0));  /* X, S on the first, PID 0 */
		d[1] = 0x80;                                   /* I: a picture id follows */
		d[2] = (uint8_t)(0x80 | (g->picture_id >> 8)); /* M: 15 bits */
		d[3] = (uint8_t)g->picture_id;
		uint8_t *pl = d + VP8_DESC_LEN;
		size_t used = 0;
		if (i == 0) {
			/* RFC 6386 9.1 frame tag: P (0 = key frame), version 0, show_frame, and the
			   first partition's size; a key frame adds the start code and 640x360. */
			uint32_t part = (uint32_t)(per / 2);
			pl[0] = (uint8_t)(((part & 7) << 5) | 0x10 | (key ? 0 : 1));
			pl[1] = (uint8_t)(part >> 3);
			pl[2] = (uint8_t)(part >> 11);
			used = 3;
			if (key) {
				static const uint8_t kf[7] = {0x9d, 0x01, 0x2a, 0x80,
				                              0x02, 0x68, 0x01};
				memcpy(pl + 3, kf, sizeof(kf));
				used = 10;
			}
		}
		fill(pl + used, per - used - LOAD_TRAILER_LEN, g->video_seq);
		put_trailer(g, pl + per, 0);
		size_t len = RTP_HDR_LEN + VP8_DESC_LEN + per;
		h->seq = g->video_seq;
		h->len = (uint16_t)len;
		g->video_seq++;
		g->video_packets++;
		g->video_octets += (uint32_t)(len - RTP_HDR_LEN);
	}
	g->picture_id = (uint16_t)((g->picture_id + 1) & 0x7fff);
	g->video_ts += 90000 / 30;
}

static void send_sr(struct gen *g, const struct pkt_sink *out)
{
	uint8_t *p = out->slot(out->arg);
	uint64_t ntp = clock_ntp();
	size_t cap = LIM_PACKET - 64, len = 0;
	int n = rtcp_write_sr(p, cap, g->audio_ssrc, ntp, g->audio_ts, g->audio_packets,
	                      g->audio_octets, NULL, 0);
	if (n < 0)
		return;
	len = (size_t)n;
	if (g->video_ssrc) {
		n = rtcp_write_sr(p + len, cap - len, g->video_ssrc, ntp, g->video_ts,
		                  g->video_packets, g->video_octets, NULL, 0);
		if (n < 0)
			return;
		len += (size_t)n;
	}
	out->commit(out->arg, len, 1);
}

/* Sends the waiting video packets that the budget allows, each stamped as it leaves. A
   queue about to overrun the history goes at once. */
static void pace(struct gen *g, uint64_t now_ns, const struct pkt_sink *out)
{
	const int64_t rate =
	    (int64_t)g->video_kbps * 1000 / 8 * LOAD_PACE_PERCENT / 100; /* bytes/s */
	uint64_t dt = now_ns - g->pace_last_ns;
	g->pace_last_ns = now_ns;
	if (dt > 1000000000ull)
		dt = 1000000000ull;
	g->pace_budget += (int64_t)((uint64_t)rate * dt / 1000000000ull);
	while (g->paced_seq != g->video_seq) {
		uint16_t waiting = (uint16_t)(g->video_seq - g->paced_seq);
		if (g->pace_budget <= 0 && waiting < LOAD_RTX_HISTORY - 32)
			break;
		struct gen_pkt *h = &g->hist[g->paced_seq % LOAD_RTX_HISTORY];
		/* Stamped in the history too, so that a resend is the same bytes. */
		wr64(h->data + h->len - LOAD_TRAILER_LEN + 8, load_now_ns());
		uint8_t *p = out->slot(out->arg);
		memcpy(p, h->data, h->len);
		out->commit(out->arg, h->len, 0);
		g->pace_budget -= h->len;
		g->paced_seq++;
		g->sent++;
	}
	const int64_t burst = (int64_t)((uint64_t)rate * PACE_BURST_NS / 1000000000ull);
	if (g->paced_seq == g->video_seq && g->pace_budget > burst)
		g->pace_budget = burst;
}

void gen_tick(struct gen *g, uint64_t now_ns, const struct pkt_sink *out)
{
	/* After a stall, catch up by at most 100 ms instead of a burst. */
	if (now_ns > g->next_audio_ns + 100000000ull)
		g->next_audio_ns = now_ns;
	if (now_ns > g->next_video_ns + 100000000ull)
		g->next_video_ns = now_ns;
	while (now_ns >= g->next_audio_ns) {
		send_audio(g, now_ns, out);
		g->next_audio_ns += AUDIO_EVERY_NS;
	}
	while (g->video_ssrc && g->video_kbps && now_ns >= g->next_video_ns) {
		make_frame(g, now_ns);
		g->next_video_ns += VIDEO_EVERY_NS;
	}
	pace(g, now_ns, out);
	if (now_ns >= g->next_sr_ns) {
		g->next_sr_ns = now_ns + SR_EVERY_NS;
		send_sr(g, out);
	}
}

static void resend(struct gen *g, uint16_t seq, const struct pkt_sink *out)
{
	struct gen_pkt *h = &g->hist[seq % LOAD_RTX_HISTORY];
	/* Only what has left: a packet still in the pacer's queue goes in its turn. */
	if (h->len == 0 || h->seq != seq || (int16_t)(seq - g->paced_seq) >= 0)
		return;
	/* The same bytes under the same sequence number, as a browser without RTX resends:
	   SRTP-GCM seals a used index again only for the bytes it sealed before (any other
	   would reuse the nonce). The receiver tells it by its old sequence number. */
	uint8_t *p = out->slot(out->arg);
	memcpy(p, h->data, h->len);
	out->commit(out->arg, h->len, 0);
	g->resent++;
}

void gen_on_rtcp(struct gen *g, const uint8_t *p, size_t len, const struct pkt_sink *out)
{
	struct rtcp_iter it;
	struct rtcp_pkt k;
	rtcp_iter_init(&it, p, len);
	while (rtcp_iter_next(&it, &k) == 1) {
		uint32_t sender, media;
		if (k.pt == RTCP_PSFB && (k.count == RTCP_FB_PLI || k.count == RTCP_FB_FIR)) {
			if (rtcp_parse_fb(&k, &sender, &media) != 0)
				continue;
			/* FIR names the stream in its FCI; one video stream here, so any FIR is
			 * ours. */
			if (media == g->video_ssrc || k.count == RTCP_FB_FIR) {
				g->key_wanted = 1;
				g->plis++;
			}
		} else if (k.pt == RTCP_RTPFB && k.count == RTCP_FB_NACK) {
			if (rtcp_parse_fb(&k, &sender, &media) != 0 || media != g->video_ssrc)
				continue;
			uint16_t seqs[LIM_NACK_SEQS];
			int n = rtcp_nack_expand(&k, seqs, LIM_NACK_SEQS);
			g->nacks++;
			for (int i = 0; i < n; i++)
				resend(g, seqs[i], out);
		}
	}
}
