/* Tests for src/rtc/sdp.c: Chromium 156's offers and answer from the fixtures, the server's
 * publish answer and subscribe offer read back by the parser, and malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>

#include <cmocka.h>

#include "rtc/sdp.h"

#define FP_TEXT                                                                                    \
	"06:EE:91:06:55:FC:05:73:67:E8:A5:CA:6F:7B:5B:FD:E1:7C:16:2A:52:38:23:01:6D:91:FD:70:C6:"  \
	"89:50:CE"
static const uint8_t fp_bytes[32] = {
    0x06, 0xEE, 0x91, 0x06, 0x55, 0xFC, 0x05, 0x73, 0x67, 0xE8, 0xA5, 0xCA, 0x6F, 0x7B, 0x5B, 0xFD,
    0xE1, 0x7C, 0x16, 0x2A, 0x52, 0x38, 0x23, 0x01, 0x6D, 0x91, 0xFD, 0x70, 0xC6, 0x89, 0x50, 0xCE};

#define URI_LEVEL "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
#define URI_MID   "urn:ietf:params:rtp-hdrext:sdes:mid"
#define URI_AST   "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
#define URI_TWCC  "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"

/* The fixtures, loaded once. */
enum { FX_PUBLISH, FX_SIMULCAST, FX_ANSWER, NFX };
static const char *const fx_names[NFX] = {
    "chromium156_publish_offer.sdp",
    "chromium156_publish_offer_simulcast.sdp",
    "chromium156_subscribe_answer.sdp",
};
static char fx[NFX][LIM_SDP_LEN];
static size_t fx_len[NFX];

/* struct sdp is large: two on the heap, shared by the tests. */
static struct sdp *s1, *s2;
static char out[4 * LIM_SDP_LEN];

static int setup_all(void **state)
{
	(void)state;
	const char *root = getenv("KAMER_FIXTURES");
	char path[1400];
	if (!root) {
		fprintf(stderr, "KAMER_FIXTURES is not set\n");
		return -1;
	}
	for (int i = 0; i < NFX; i++) {
		snprintf(path, sizeof(path), "%s/sdp/%s", root, fx_names[i]);
		FILE *f = fopen(path, "rb");
		if (!f) {
			fprintf(stderr, "cannot open %s\n", path);
			return -1;
		}
		fx_len[i] = fread(fx[i], 1, sizeof(fx[i]), f);
		fclose(f);
	}
	s1 = calloc(1, sizeof(*s1));
	s2 = calloc(1, sizeof(*s2));
	return s1 && s2 ? 0 : -1;
}

static int teardown_all(void **state)
{
	(void)state;
	free(s1);
	free(s2);
	return 0;
}

static int parse_str(struct sdp *s, const char *text)
{
	const char *why = "unset";
	int rc = sdp_parse(s, text, strlen(text), &why);
	if (rc == 0)
		assert_null(why);
	else
		assert_non_null(why);
	return rc;
}

static void parse_fx(struct sdp *s, int i)
{
	const char *why = NULL;
	int rc = sdp_parse(s, fx[i], fx_len[i], &why);
	if (rc != 0)
		fail_msg("%s: %d %s", fx_names[i], rc, why);
}

static const struct sdp_local local = {
    .ice_ufrag = "kMr1",
    .ice_pwd = "Zm9vYmFyYmF6cXV4cXV1eDEy",
    .fingerprint = FP_TEXT,
    .addr = "192.0.2.1",
    .port = 40000,
    .session_id = 4611686018427387904u,
    .session_version = 7,
};

/* ---- the fixtures ---- */

static void test_publish_offer(void **state)
{
	(void)state;
	struct sdp *s = s1;
	parse_fx(s, FX_PUBLISH);
	assert_int_equal(s->nmedia, 2);
	assert_int_equal(s->nbundle, 2);
	assert_string_equal(s->bundle[0], "0");
	assert_string_equal(s->bundle[1], "1");
	/* Only media-level values, all equal: they fill the session fields. */
	assert_string_equal(s->ice_ufrag, "04Ig");
	assert_string_equal(s->ice_pwd, "4kmHCBbc6Vd+Xv3adK/KB3kf");
	assert_true(s->has_fingerprint);
	assert_memory_equal(s->fingerprint, fp_bytes, 32);
	assert_int_equal(s->setup, SDP_SETUP_ACTPASS);

	const struct sdp_media *a = &s->media[0];
	assert_int_equal(a->kind, SDP_AUDIO);
	assert_string_equal(a->type, "audio");
	assert_int_equal(a->port, 33124);
	assert_string_equal(a->proto, "UDP/TLS/RTP/SAVPF");
	assert_string_equal(a->fmt0, "111");
	assert_string_equal(a->mid, "0");
	assert_int_equal(a->dir, SDP_SENDONLY);
	assert_true(a->rtcp_mux && a->rtcp_rsize);
	assert_string_equal(a->ice_ufrag, "04Ig");
	assert_memory_equal(a->fingerprint, fp_bytes, 32);
	assert_int_equal(a->setup, SDP_SETUP_ACTPASS);
	assert_int_equal(a->ncodecs, 8);
	const struct sdp_codec *opus = sdp_find_codec(a, "OPUS");
	assert_ptr_equal(opus, &a->codecs[0]);
	assert_int_equal(opus->pt, 111);
	assert_string_equal(opus->name, "opus");
	assert_int_equal(opus->clock, 48000);
	assert_int_equal(opus->channels, 2);
	assert_string_equal(opus->fmtp, "minptime=10;useinbandfec=1");
	assert_true(opus->fb_twcc);
	assert_false(opus->fb_nack || opus->fb_pli || opus->fb_fir || opus->fb_remb);
	const struct sdp_codec *g722 = sdp_find_codec(a, "g722");
	assert_non_null(g722);
	assert_int_equal(g722->pt, 9);
	assert_int_equal(g722->channels, 1);
	assert_int_equal(a->codecs[1].pt, 63);
	assert_string_equal(a->codecs[1].fmtp, "111/111");
	assert_int_equal(a->codecs[1].apt_of, 0);
	assert_null(sdp_find_codec(a, "VP8"));
	assert_int_equal(a->nexts, 4);
	assert_int_equal(sdp_find_ext(a, URI_LEVEL), 1);
	assert_int_equal(sdp_find_ext(a, URI_AST), 2);
	assert_int_equal(sdp_find_ext(a, URI_TWCC), 3);
	assert_int_equal(sdp_find_ext(a, URI_MID), 4);
	assert_int_equal(sdp_find_ext(a, "urn:ietf:params:rtp-hdrext:toffset"), 0);
	assert_int_equal(a->nssrcs, 1);
	assert_int_equal(a->ssrcs[0], 1558710401u);
	assert_int_equal(a->rtx_ssrc_of[0], 0);
	assert_string_equal(a->cname, "xNszIZgZBj6tv4OM");
	assert_string_equal(a->msid_stream, "912b402c-8973-4b38-98fe-c66e20efa0ea");
	assert_string_equal(a->msid_track, "3e89ca6f-70e2-4ad9-90d1-6f9b43dbefd4");
	assert_false(a->has_simulcast);

	const struct sdp_media *v = &s->media[1];
	assert_int_equal(v->kind, SDP_VIDEO);
	assert_int_equal(v->port, 9);
	assert_string_equal(v->mid, "1");
	assert_int_equal(v->dir, SDP_SENDONLY);
	assert_int_equal(v->ncodecs, 23);
	const struct sdp_codec *vp8 = sdp_find_codec(v, "vp8");
	assert_ptr_equal(vp8, &v->codecs[0]);
	assert_int_equal(vp8->pt, 96);
	assert_int_equal(vp8->clock, 90000);
	assert_int_equal(vp8->channels, 0);
	assert_string_equal(vp8->fmtp, "");
	assert_true(vp8->fb_nack && vp8->fb_pli && vp8->fb_fir && vp8->fb_remb && vp8->fb_twcc);
	assert_int_equal(vp8->apt_of, 0);
	/* rtx 97 -> 96, 103 -> 102, ... 119 -> 118 (RFC 4588 8.1). */
	static const uint8_t rtx[][2] = {{97, 96},   {103, 102}, {107, 104}, {109, 108},
	                                 {115, 114}, {117, 116}, {40, 39},   {46, 45},
	                                 {99, 98},   {101, 100}, {119, 118}};
	for (size_t i = 0; i < sizeof(rtx) / sizeof(rtx[0]); i++) {
		size_t j = 0;
		while (j < v->ncodecs && v->codecs[j].pt != rtx[i][0])
			j++;
		assert_true(j < v->ncodecs);
		assert_string_equal(v->codecs[j].name, "rtx");
		assert_int_equal(v->codecs[j].apt_of, rtx[i][1]);
		assert_int_equal(strncmp(v->codecs[j].fmtp, "apt=", 4), 0);
	}
	assert_int_equal(v->codecs[2].pt, 102);
	assert_string_equal(v->codecs[2].name, "H264");
	assert_string_equal(
	    v->codecs[2].fmtp,
	    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f");
	assert_int_equal(v->codecs[22].pt, 120);
	assert_string_equal(v->codecs[22].name, "ulpfec");
	assert_false(v->codecs[22].fb_nack);
	assert_int_equal(v->nexts, 11);
	assert_int_equal(sdp_find_ext(v, "urn:ietf:params:rtp-hdrext:toffset"), 14);
	assert_int_equal(sdp_find_ext(v, URI_MID), 4);
	assert_int_equal(sdp_find_ext(v, "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"),
	                 11);
	assert_int_equal(sdp_find_ext(v, URI_LEVEL), 0);
	assert_int_equal(v->nssrcs, 2);
	assert_int_equal(v->ssrcs[0], 3980662602u);
	assert_int_equal(v->ssrcs[1], 799637137u);
	assert_int_equal(v->rtx_ssrc_of[0], 799637137u);
	assert_int_equal(v->rtx_ssrc_of[1], 0);
	assert_string_equal(v->cname, "xNszIZgZBj6tv4OM");
	assert_string_equal(v->msid_stream, "912b402c-8973-4b38-98fe-c66e20efa0ea");
	assert_string_equal(v->msid_track, "c4fa058e-5af5-4bd0-9977-ed064e4fe878");
	assert_false(v->has_simulcast);
}

static void test_simulcast_offer(void **state)
{
	(void)state;
	struct sdp *s = s1;
	static const uint8_t fp0[4] = {0x39, 0x6A, 0x65, 0xC5};
	parse_fx(s, FX_SIMULCAST);
	assert_int_equal(s->nmedia, 2);
	assert_string_equal(s->ice_ufrag, "3sVv");
	assert_string_equal(s->ice_pwd, "jgbHeW76NPFIUIZt6A+O1LcB");
	assert_memory_equal(s->fingerprint, fp0, 4);
	assert_int_equal(s->fingerprint[31], 0x67);
	assert_false(s->media[0].has_simulcast);
	assert_int_equal(s->media[0].ssrcs[0], 2462712163u);
	assert_string_equal(s->media[0].cname, "2lW+PlswoU25WhQL");
	const struct sdp_media *v = &s->media[1];
	assert_true(v->has_simulcast);
	assert_int_equal(v->nssrcs, 0); /* layers are told apart by rid, not ssrc */
	assert_string_equal(v->cname, "");
	assert_string_equal(v->msid_track, "c4fa058e-5af5-4bd0-9977-ed064e4fe878");
	assert_int_equal(v->nexts, 13);
	assert_int_equal(sdp_find_ext(v, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"), 10);
	assert_int_equal(sdp_find_ext(v, "https://aomediacodec.github.io/av1-rtp-spec/"
	                                 "#dependency-descriptor-rtp-header-extension"),
	                 12);
	assert_int_equal(
	    sdp_find_ext(v,
	                 "http://www.webrtc.org/experiments/rtp-hdrext/video-layers-allocation00"),
	    9);
	const struct sdp_codec *vp8 = sdp_find_codec(v, "VP8");
	assert_non_null(vp8);
	assert_true(vp8->fb_nack && vp8->fb_pli && vp8->fb_fir && vp8->fb_remb);
}

static void test_subscribe_answer(void **state)
{
	(void)state;
	struct sdp *s = s1;
	parse_fx(s, FX_ANSWER);
	assert_int_equal(s->nmedia, 2);
	assert_string_equal(s->ice_ufrag, "nQ/a");
	assert_string_equal(s->ice_pwd, "bV+/LXQ3xLajXy7HO3IZlAT3");
	assert_int_equal(s->fingerprint[0], 0xCC);
	assert_int_equal(s->fingerprint[31], 0x50);
	assert_int_equal(s->setup, SDP_SETUP_ACTIVE);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(s->media[i].dir, SDP_RECVONLY);
		assert_int_equal(s->media[i].setup, SDP_SETUP_ACTIVE);
		assert_int_equal(s->media[i].nssrcs, 0);
		assert_string_equal(s->media[i].msid_stream, "");
	}
	const struct sdp_media *v = &s->media[1];
	assert_int_equal(v->codecs[1].pt, 97);
	assert_int_equal(v->codecs[1].apt_of, 96);
	assert_false(v->codecs[1].fb_nack || v->codecs[1].fb_remb);
	assert_int_equal(v->codecs[2].pt, 102);
	assert_true(v->codecs[2].fb_nack && v->codecs[2].fb_remb && v->codecs[2].fb_twcc);
	assert_int_equal(v->codecs[12].pt, 39);
	assert_true(v->codecs[12].fb_nack && v->codecs[12].fb_pli);
}

/* The same description with "\n" instead of "\r\n" parses to the same struct. */
static void test_lf_and_crlf(void **state)
{
	(void)state;
	static char lf[LIM_SDP_LEN];
	for (int i = 0; i < NFX; i++) {
		size_t n = 0;
		for (size_t k = 0; k < fx_len[i]; k++) {
			if (fx[i][k] != '\r')
				lf[n++] = fx[i][k];
		}
		assert_true(n < fx_len[i]);
		memset(s1, 0, sizeof(*s1));
		memset(s2, 0, sizeof(*s2));
		parse_fx(s1, i);
		assert_int_equal(sdp_parse(s2, lf, n, NULL), 0);
		assert_memory_equal(s1, s2, sizeof(*s1));
		/* An unterminated last line is accepted too. */
		memset(s2, 0, sizeof(*s2));
		assert_int_equal(sdp_parse(s2, lf, n - 1, NULL), 0);
		assert_memory_equal(s1, s2, sizeof(*s1));
	}
}

/* Cut anywhere: no crash, no read past the end (ASan in the fuzz build). */
static void test_truncated(void **state)
{
	(void)state;
	for (int i = 0; i < NFX; i++) {
		for (size_t n = 0; n <= fx_len[i]; n++) {
			char *copy = malloc(n ? n : 1);
			assert_non_null(copy);
			memcpy(copy, fx[i], n);
			const char *why = NULL;
			int rc = sdp_parse(s1, copy, n, &why);
			assert_true(rc == 0 || rc == ERR_PROTO || rc == ERR_LIMIT);
			assert_true(rc == 0 || why);
			if (n < 3)
				assert_int_not_equal(rc, 0);
			if (rc == 0) {
				int w = sdp_write_publish_answer(out, sizeof(out), s1, &local);
				assert_true(w > 0 || w == ERR_PROTO);
			}
			free(copy);
		}
	}
}

/* ---- the server's publish answer ---- */

static void test_publish_answer(void **state)
{
	(void)state;
	for (int f = FX_PUBLISH; f <= FX_SIMULCAST; f++) {
		parse_fx(s1, f);
		assert_true(sdp_publish_accepts(s1, 0));
		assert_true(sdp_publish_accepts(s1, 1));
		int n = sdp_write_publish_answer(out, sizeof(out), s1, &local);
		assert_true(n > 0);
		assert_int_equal((size_t)n, strlen(out));
		assert_non_null(strstr(out, "\r\no=- 4611686018427387904 7 IN IP4 127.0.0.1\r\n"));
		assert_non_null(strstr(out, "\r\na=ice-lite\r\n"));
		assert_non_null(strstr(out, "\r\na=group:BUNDLE 0 1\r\n"));
		assert_non_null(strstr(out, "\r\na=msid-semantic: WMS *\r\n"));
		assert_non_null(strstr(out, "\r\nm=audio 40000 UDP/TLS/RTP/SAVPF 111\r\n"));
		assert_non_null(strstr(out, "\r\nm=video 40000 UDP/TLS/RTP/SAVPF 96\r\n"));
		assert_non_null(strstr(out, "\r\nc=IN IP4 192.0.2.1\r\n"));
		assert_non_null(
		    strstr(out, "\r\na=candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host\r\n"
		                "a=end-of-candidates\r\n"));
		assert_null(strstr(out, "transport-cc"));
		assert_null(strstr(out, "rtx"));
		assert_null(strstr(out, "a=ssrc"));
		assert_null(strstr(out, "\n\n"));
		assert_null(strstr(out, "\r\r"));
		assert_int_equal(memcmp(out + n - 2, "\r\n", 2), 0);

		assert_int_equal(parse_str(s2, out), 0);
		assert_int_equal(s2->nmedia, 2);
		assert_string_equal(s2->ice_ufrag, "kMr1");
		assert_string_equal(s2->ice_pwd, local.ice_pwd);
		assert_memory_equal(s2->fingerprint, fp_bytes, 32);
		assert_int_equal(s2->setup, SDP_SETUP_PASSIVE);
		assert_int_equal(s2->nbundle, 2);
		for (size_t i = 0; i < 2; i++) {
			const struct sdp_media *m = &s2->media[i];
			assert_string_equal(m->mid, s1->media[i].mid);
			assert_int_equal(m->kind, s1->media[i].kind);
			assert_int_equal(m->port, 40000);
			assert_int_equal(m->dir, SDP_RECVONLY);
			assert_int_equal(m->setup, SDP_SETUP_PASSIVE);
			assert_true(m->rtcp_mux);
			assert_int_equal(m->ncodecs, 1);
			assert_int_equal(m->nssrcs, 0);
			assert_int_equal(sdp_find_ext(m, URI_MID), 4);
			assert_int_equal(sdp_find_ext(m, URI_AST), 2);
			assert_int_equal(sdp_find_ext(m, URI_TWCC), 0);
		}
		const struct sdp_codec *opus = sdp_find_codec(&s2->media[0], "opus");
		assert_non_null(opus);
		assert_int_equal(opus->pt, 111);
		assert_int_equal(opus->clock, 48000);
		assert_int_equal(opus->channels, 2);
		assert_string_equal(opus->fmtp, "minptime=10;useinbandfec=1");
		assert_false(opus->fb_twcc || opus->fb_nack);
		assert_int_equal(sdp_find_ext(&s2->media[0], URI_LEVEL), 1);
		assert_int_equal(s2->media[0].nexts, 3);
		const struct sdp_codec *vp8 = sdp_find_codec(&s2->media[1], "VP8");
		assert_non_null(vp8);
		assert_int_equal(vp8->pt, 96);
		assert_true(vp8->fb_nack && vp8->fb_pli && vp8->fb_fir && vp8->fb_remb);
		assert_false(vp8->fb_twcc);
		assert_int_equal(s2->media[1].nexts, 2);
	}
}

/* A third, data-channel section and a video section without VP8 are rejected with port 0. */
static void test_publish_answer_rejects(void **state)
{
	(void)state;
	static char text[LIM_SDP_LEN];
	/* Drop the VP8 rtpmap and add an application section to the BUNDLE. */
	const char *f = fx[FX_PUBLISH];
	const char *vp8 = strstr(f, "a=rtpmap:96 VP8/90000\r\n");
	const char *grp = strstr(f, "a=group:BUNDLE 0 1\r\n");
	assert_non_null(vp8);
	assert_non_null(grp);
	int n = snprintf(text, sizeof(text),
	                 "%.*sa=group:BUNDLE 0 1 2\r\n%.*s%s"
	                 "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
	                 "c=IN IP4 0.0.0.0\r\na=mid:2\r\na=sctp-port:5000\r\n",
	                 (int)(grp - f), f, (int)(vp8 - grp - 20), grp + 20,
	                 vp8 + strlen("a=rtpmap:96 VP8/90000\r\n"));
	assert_true(n > 0 && (size_t)n < sizeof(text));
	assert_int_equal(parse_str(s1, text), 0);
	assert_int_equal(s1->nmedia, 3);
	assert_int_equal(s1->media[2].kind, SDP_APPLICATION);
	assert_int_equal(s1->media[2].ncodecs, 0);
	assert_string_equal(s1->media[2].fmt0, "webrtc-datachannel");
	assert_true(sdp_publish_accepts(s1, 0));
	assert_false(sdp_publish_accepts(s1, 1));
	assert_false(sdp_publish_accepts(s1, 2));
	assert_false(sdp_publish_accepts(s1, 3));
	n = sdp_write_publish_answer(out, sizeof(out), s1, &local);
	assert_true(n > 0);
	assert_non_null(strstr(out, "a=group:BUNDLE 0\r\n"));
	assert_non_null(strstr(out, "\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\n"));
	assert_non_null(strstr(out, "\r\nm=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
	assert_int_equal(parse_str(s2, out), 0);
	assert_int_equal(s2->nmedia, 3);
	assert_int_equal(s2->media[0].port, 40000);
	for (size_t i = 1; i < 3; i++) {
		assert_int_equal(s2->media[i].port, 0);
		assert_int_equal(s2->media[i].dir, SDP_INACTIVE);
		assert_string_equal(s2->media[i].mid, s1->media[i].mid);
	}
	assert_int_equal(s2->media[2].kind, SDP_APPLICATION);
	/* Exactly one candidate: in the accepted section. */
	const char *c = strstr(out, "a=candidate:");
	assert_non_null(c);
	assert_null(strstr(c + 1, "a=candidate:"));
}

/* text with the first from replaced by to; four buffers in turn, so calls can nest. */
static char *replace(const char *text, const char *from, const char *to)
{
	static char bufs[4][LIM_SDP_LEN + 256];
	static size_t turn;
	char *buf = bufs[turn++ % 4];
	const char *at = strstr(text, from);
	assert_non_null(at);
	/* memcpy, not snprintf: text may be an earlier result, and gcc -O3 warns of overlap. */
	size_t head = (size_t)(at - text), mid = strlen(to), tail = strlen(at + strlen(from));
	assert_true(head + mid + tail < sizeof(bufs[0]));
	memcpy(buf, text, head);
	memcpy(buf + head, to, mid);
	memcpy(buf + head + mid, at + strlen(from), tail + 1);
	return buf;
}

/* A minimal offer: session-level transport, one audio section. */
#define MINI                                                                                       \
	"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE a\r\n"                  \
	"a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"                                 \
	"a=fingerprint:sha-256 " FP_TEXT "\r\na=setup:actpass\r\n"                                 \
	"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:a\r\na=sendonly\r\n"         \
	"a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"

static void test_publish_answer_errors(void **state)
{
	(void)state;
	assert_int_equal(parse_str(s1, MINI), 0);
	int n = sdp_write_publish_answer(out, sizeof(out), s1, &local);
	assert_true(n > 0);
	/* Every cap short of the text and its NUL is ERR_LIMIT, and leaves "". */
	for (size_t cap = 0; cap <= (size_t)n; cap++) {
		memset(out, 'x', sizeof(out));
		assert_int_equal(sdp_write_publish_answer(out, cap, s1, &local), ERR_LIMIT);
		assert_true(cap == 0 || out[0] == '\0');
	}
	assert_int_equal(sdp_write_publish_answer(out, (size_t)n + 1, s1, &local), n);

	/* The offerer must not insist on being the DTLS server. */
	assert_int_equal(parse_str(s1, replace(MINI, "setup:actpass", "setup:passive")), 0);
	assert_int_equal(sdp_write_publish_answer(out, sizeof(out), s1, &local), ERR_PROTO);
	/* Nothing acceptable: no mid in BUNDLE, no rtcp-mux, wrong proto, no opus. */
	const char *bad[][2] = {
	    {"BUNDLE a", "BUNDLE b"},
	    {"a=rtcp-mux\r\n", ""},
	    {"m=audio 9 UDP/TLS/RTP/SAVPF", "m=audio 9 RTP/SAVPF"},
	    {"opus/48000/2", "opus/48000"},
	    {"m=audio 9", "m=audio 0"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse_str(s1, replace(MINI, bad[i][0], bad[i][1])), 0);
		assert_false(sdp_publish_accepts(s1, 0));
		assert_int_equal(sdp_write_publish_answer(out, sizeof(out), s1, &local), ERR_PROTO);
	}
	/* Extmaps: only the three known URIs, and only with one-byte ids. */
	assert_int_equal(parse_str(s1, MINI "a=extmap:15 " URI_MID "\r\na=extmap:14 " URI_LEVEL
	                                    "\r\na=extmap:3 " URI_TWCC "\r\n"),
	                 0);
	assert_true(sdp_write_publish_answer(out, sizeof(out), s1, &local) > 0);
	assert_int_equal(parse_str(s2, out), 0);
	assert_int_equal(s2->media[0].nexts, 1);
	assert_int_equal(sdp_find_ext(&s2->media[0], URI_LEVEL), 14);

	/* A recvonly section is answered inactive. */
	assert_int_equal(parse_str(s1, replace(MINI, "a=sendonly", "a=recvonly")), 0);
	assert_true(sdp_write_publish_answer(out, sizeof(out), s1, &local) > 0);
	assert_int_equal(parse_str(s2, out), 0);
	assert_int_equal(s2->media[0].dir, SDP_INACTIVE);

	/* Bad local values cannot break a line. */
	assert_int_equal(parse_str(s1, MINI), 0);
	struct sdp_local l = local;
	l.fingerprint = "AB:CD";
	assert_int_equal(sdp_write_publish_answer(out, sizeof(out), s1, &l), ERR_INVAL);
	l = local;
	l.addr = "192.0.2.1\r\na=evil";
	assert_int_equal(sdp_write_publish_answer(out, sizeof(out), s1, &l), ERR_INVAL);
	l = local;
	l.ice_ufrag = "ab:cd";
	assert_int_equal(sdp_write_publish_answer(out, sizeof(out), s1, &l), ERR_INVAL);
	l = local;
	l.ice_pwd = "short";
	assert_int_equal(sdp_write_publish_answer(out, sizeof(out), s1, &l), ERR_INVAL);
	l = local;
	l.port = 0;
	assert_int_equal(sdp_write_publish_answer(out, sizeof(out), s1, &l), ERR_INVAL);
	assert_int_equal(sdp_write_publish_answer(out, sizeof(out), NULL, &local), ERR_INVAL);
	assert_int_equal(sdp_write_publish_answer(out, sizeof(out), s1, NULL), ERR_INVAL);
	/* IPv6 host candidate. */
	l = local;
	l.addr = "2001:db8::1";
	assert_true(sdp_write_publish_answer(out, sizeof(out), s1, &l) > 0);
	assert_non_null(strstr(out, "\r\nc=IN IP6 2001:db8::1\r\n"));
	assert_non_null(strstr(out, " udp 2130706431 2001:db8::1 40000 typ host\r\n"));
}

/* ---- the server's subscribe offer ---- */

static size_t occurrences(const char *text, const char *what)
{
	size_t n = 0;
	for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

static void test_subscribe_offer(void **state)
{
	(void)state;
	const struct sdp_out_track t[] = {
	    {SDP_AUDIO, "0", 1, 1111, "PARTICIPANTA", "a-PARTICIPANTA", "PARTICIPANTA"},
	    {SDP_VIDEO, "1", 1, 2222, "PARTICIPANTA", "v-PARTICIPANTA", "PARTICIPANTA"},
	    {SDP_AUDIO, "2", 1, 4294967295u, "PARTICIPANTB", "a-PARTICIPANTB", "cnameB"},
	    {SDP_VIDEO, "3", 1, 4444, "PARTICIPANTB", "v-PARTICIPANTB", "cnameB"},
	    {SDP_VIDEO, "4", 0, 5555, NULL, NULL, NULL},
	};
	int n = sdp_write_subscribe_offer(out, sizeof(out), t, 5, &local);
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(out));
	assert_non_null(strstr(out, "\r\na=ice-lite\r\n"));
	assert_non_null(strstr(out, "\r\na=group:BUNDLE 0 1 2 3 4\r\n"));
	assert_null(strstr(out, "a=extmap"));
	assert_null(strstr(out, "5555"));
	assert_non_null(strstr(out, "a=ssrc:4294967295 cname:cnameB\r\n"));
	/* The transport once, at session level; the candidate in the first section only. */
	assert_int_equal(occurrences(out, "a=ice-ufrag:"), 1);
	assert_int_equal(occurrences(out, "a=ice-pwd:"), 1);
	assert_int_equal(occurrences(out, "a=fingerprint:"), 1);
	assert_int_equal(occurrences(out, "a=setup:"), 1);
	assert_int_equal(occurrences(out, "\r\nc="), 1);
	assert_true(strstr(out, "a=ice-ufrag:") < strstr(out, "\r\nm="));
	assert_int_equal(occurrences(out, "a=candidate:"), 1);
	assert_true(strstr(out, "a=candidate:") < strstr(out, "\r\nm=video"));
	assert_int_equal(occurrences(out, "a=ssrc:"), 4);

	assert_int_equal(parse_str(s2, out), 0);
	assert_int_equal(s2->nmedia, 5);
	assert_int_equal(s2->nbundle, 5);
	assert_int_equal(s2->setup, SDP_SETUP_ACTPASS);
	assert_string_equal(s2->ice_ufrag, "kMr1");
	assert_memory_equal(s2->fingerprint, fp_bytes, 32);
	for (size_t i = 0; i < 5; i++) {
		const struct sdp_media *m = &s2->media[i];
		assert_int_equal(m->kind, t[i].kind);
		assert_string_equal(m->mid, t[i].mid);
		assert_string_equal(s2->bundle[i], t[i].mid);
		assert_int_equal(m->port, 40000);
		assert_true(m->rtcp_mux && m->rtcp_rsize);
		assert_int_equal(m->setup, SDP_SETUP_ACTPASS);
		assert_string_equal(m->ice_ufrag, "kMr1");
		assert_true(m->has_fingerprint);
		assert_memory_equal(m->fingerprint, fp_bytes, 32);
		assert_int_equal(m->nexts, 0);
		assert_int_equal(m->ncodecs, 1);
		if (!t[i].active) {
			assert_int_equal(m->dir, SDP_INACTIVE);
			assert_int_equal(m->nssrcs, 0);
			assert_string_equal(m->msid_stream, "");
			continue;
		}
		assert_int_equal(m->dir, SDP_SENDONLY);
		assert_int_equal(m->nssrcs, 1);
		assert_int_equal(m->ssrcs[0], t[i].ssrc);
		assert_string_equal(m->cname, t[i].cname);
		assert_string_equal(m->msid_stream, t[i].stream_id);
		assert_string_equal(m->msid_track, t[i].track_id);
	}
	const struct sdp_codec *opus = sdp_find_codec(&s2->media[0], "opus");
	assert_non_null(opus);
	assert_int_equal(opus->pt, 111);
	assert_int_equal(opus->channels, 2);
	assert_string_equal(opus->fmtp, "minptime=10;useinbandfec=1");
	const struct sdp_codec *vp8 = sdp_find_codec(&s2->media[4], "VP8");
	assert_non_null(vp8);
	assert_int_equal(vp8->pt, 96);
	assert_true(vp8->fb_nack && vp8->fb_pli && vp8->fb_fir && vp8->fb_remb);
	assert_false(vp8->fb_twcc);

	for (size_t cap = 0; cap <= (size_t)n; cap += 7)
		assert_int_equal(sdp_write_subscribe_offer(out, cap, t, 5, &local), ERR_LIMIT);
	assert_int_equal(sdp_write_subscribe_offer(out, (size_t)n, t, 5, &local), ERR_LIMIT);
	assert_int_equal(sdp_write_subscribe_offer(out, (size_t)n + 1, t, 5, &local), n);
}

static void test_subscribe_offer_errors(void **state)
{
	(void)state;
	struct sdp_out_track t[2] = {
	    {SDP_AUDIO, "0", 1, 1, "s", "t", "c"},
	    {SDP_VIDEO, "1", 1, 2, "s", "t2", "c"},
	};
	assert_true(sdp_write_subscribe_offer(out, sizeof(out), t, 2, &local) > 0);
	assert_int_equal(sdp_write_subscribe_offer(out, sizeof(out), t, 0, &local), ERR_INVAL);
	assert_int_equal(sdp_write_subscribe_offer(out, sizeof(out), NULL, 1, &local), ERR_INVAL);
	t[1].mid = "0";
	assert_int_equal(sdp_write_subscribe_offer(out, sizeof(out), t, 2, &local), ERR_INVAL);
	t[1].mid = "1 2";
	assert_int_equal(sdp_write_subscribe_offer(out, sizeof(out), t, 2, &local), ERR_INVAL);
	t[1].mid = "0123456789012345678901234567890123";
	assert_int_equal(sdp_write_subscribe_offer(out, sizeof(out), t, 2, &local), ERR_INVAL);
	t[1].mid = "1";
	t[1].track_id = "x\r\na=evil";
	assert_int_equal(sdp_write_subscribe_offer(out, sizeof(out), t, 2, &local), ERR_INVAL);
	t[1].track_id = NULL;
	assert_int_equal(sdp_write_subscribe_offer(out, sizeof(out), t, 2, &local), ERR_INVAL);
	t[1].active = 0; /* ids are not needed then */
	assert_true(sdp_write_subscribe_offer(out, sizeof(out), t, 2, &local) > 0);
	t[1].kind = SDP_APPLICATION;
	assert_int_equal(sdp_write_subscribe_offer(out, sizeof(out), t, 2, &local), ERR_INVAL);

	/* Over LIM_SDP_MEDIA sections the answer could not be parsed back. */
	static struct sdp_out_track many[LIM_SDP_MEDIA + 1];
	static char mids[LIM_SDP_MEDIA + 1][8];
	for (size_t i = 0; i <= LIM_SDP_MEDIA; i++) {
		snprintf(mids[i], sizeof(mids[i]), "%zu", i);
		many[i] = (struct sdp_out_track){SDP_AUDIO, mids[i], 0, 0, NULL, NULL, NULL};
	}
	assert_int_equal(
	    sdp_write_subscribe_offer(out, sizeof(out), many, LIM_SDP_MEDIA + 1, &local),
	    ERR_LIMIT);
	int n = sdp_write_subscribe_offer(out, sizeof(out), many, LIM_SDP_MEDIA, &local);
	assert_true(n > 0);
	/* The parser takes as many sections, but LIM_SDP_LEN decides whether the text is not
	   too long for it. */
	if ((size_t)n <= LIM_SDP_LEN) {
		assert_int_equal(parse_str(s2, out), 0);
		assert_int_equal(s2->nmedia, LIM_SDP_MEDIA);
	} else {
		assert_int_equal(parse_str(s2, out), ERR_LIMIT);
	}
}

/* A full room: the 63 others each send microphone, camera and screen, with ids as long as
   kamerd makes them. The offer fits LIM_SDP_LEN and the parser takes it back whole. */
static void test_full_room_offer(void **state)
{
	(void)state;
	enum { OTHERS = LIM_ROOM_PARTICIPANTS - 1, N = OTHERS * 3 };
	static struct sdp_out_track t[N];
	static char mids[N][8], ids[OTHERS][33], tracks[N][36];
	for (size_t i = 0; i < OTHERS; i++)
		snprintf(ids[i], sizeof(ids[i]), "%032zu", i * 7919u);
	for (size_t i = 0; i < N; i++) {
		snprintf(mids[i], sizeof(mids[i]), "%zu", i);
		snprintf(tracks[i], sizeof(tracks[i]), "%c-%s", "acs"[i % 3], ids[i / 3]);
		t[i] = (struct sdp_out_track){i % 3 ? SDP_VIDEO : SDP_AUDIO,
		                              mids[i],
		                              1,
		                              4000000000u - (uint32_t)i,
		                              ids[i / 3],
		                              tracks[i],
		                              ids[i / 3]};
	}
	int n = sdp_write_subscribe_offer(out, LIM_SDP_LEN, t, N, &local);
	assert_true(n > 0);
	assert_int_equal(parse_str(s2, out), 0);
	assert_int_equal(s2->nmedia, N);
	assert_string_equal(s2->media[N - 1].msid_track, tracks[N - 1]);
}

/* ---- malformed input ---- */

static void expect(const char *text, int want)
{
	const char *why = NULL;
	int rc = sdp_parse(s1, text, strlen(text), &why);
	if (rc != want)
		fail_msg("got %d (%s), want %d, for:\n%s", rc, why ? why : "-", want, text);
	if (want != 0)
		assert_non_null(why);
}

static void test_malformed(void **state)
{
	(void)state;
	expect(MINI, 0);
	assert_int_equal(sdp_parse(s1, "", 0, NULL), ERR_PROTO);
	assert_int_equal(sdp_parse(s1, NULL, 0, NULL), ERR_PROTO);
	expect("o=- 1 2 IN IP4 127.0.0.1\r\nv=0\r\n", ERR_PROTO);
	expect(replace(MINI, "v=0", "v=1"), ERR_PROTO);
	expect(replace(MINI, "s=-\r\n", "s=-\r\nv=0\r\n"), ERR_PROTO);
	expect(replace(MINI, "t=0 0\r\n", "t=0 0\r\ngarbage\r\n"), ERR_PROTO);
	expect(replace(MINI, "t=0 0\r\n", "t=0 0\r\n\r\n"), ERR_PROTO);
	expect(replace(MINI, "t=0 0\r\n", "t=0 0\r\nA=x\r\n"), ERR_PROTO);
	expect(replace(MINI, "t=0 0\r\n", "t=0 0\r\nx=unknown\r\n"), ERR_PROTO);
	expect(replace(MINI, "t=0 0\r\n", "t=0 0\r\na=\r\n"), ERR_PROTO);
	expect(replace(MINI, "s=-", "s=a\rb"), ERR_PROTO);
	expect(MINI "\r\n", ERR_PROTO);
	/* Lines we skip but know. */
	expect(replace(MINI, "t=0 0\r\n", "t=0 0\r\nb=AS:30\r\ni=x\r\na=whatever:1 2\r\n"), 0);

	/* m= lines. */
	expect(replace(MINI, "m=audio 9 UDP/TLS/RTP/SAVPF 111", "m=audio 9 UDP/TLS/RTP/SAVPF"),
	       ERR_PROTO);
	expect(replace(MINI, "m=audio 9", "m=audio 65536"), ERR_PROTO);
	expect(replace(MINI, "m=audio 9", "m=audio -1"), ERR_PROTO);
	expect(replace(MINI, "SAVPF 111", "SAVPF 128"), ERR_PROTO);
	expect(replace(MINI, "SAVPF 111", "SAVPF 111 0 111"), ERR_PROTO);
	expect(replace(MINI, "SAVPF 111", "SAVPF 1x"), ERR_PROTO);
	expect(replace(MINI, "m=audio 9", "m=audio 9/2"), 0);
	expect(replace(MINI, "m=audio", "m=audiovideotext-long"), ERR_LIMIT);

	/* Transport attributes (RFC 8839 5.4, RFC 8122 5, RFC 4145 4). */
	expect(replace(MINI, "ice-ufrag:abcd", "ice-ufrag:abc"), ERR_PROTO);
	expect(replace(MINI, "ice-ufrag:abcd", "ice-ufrag:ab:cd"), ERR_PROTO);
	expect(
	    replace(MINI, "ice-ufrag:abcd",
	            "ice-ufrag:0123456789012345678901234567890123456789012345678901234567890123"),
	    ERR_LIMIT);
	expect(replace(MINI, "ice-ufrag:abcd",
	               "ice-ufrag:012345678901234567890123456789012345678901234567890123456789012"),
	       0);
	expect(replace(MINI, "ice-pwd:abcdefghijklmnopqrstuv", "ice-pwd:abcdefghijklmnopqrstu"),
	       ERR_PROTO);
	expect(replace(MINI, "a=ice-ufrag:abcd\r\n", "a=ice-ufrag:abcd\r\na=ice-ufrag:abcd\r\n"),
	       ERR_PROTO);
	expect(replace(MINI, "FD:70:C6", "FD:70:G6"), ERR_PROTO);
	expect(replace(MINI, "FD:70:C6", "FD:70C6"), ERR_PROTO);
	expect(replace(MINI, "89:50:CE", "89:50:CE:00"), ERR_PROTO);
	expect(replace(MINI, "89:50:CE", "89:50:C"), ERR_PROTO);
	expect(replace(MINI, "89:50:CE", "89:50:CE extra"), ERR_PROTO);
	expect(replace(MINI, "89:50:CE", "89:50:ce"), 0);
	expect(replace(MINI, "sha-256", "SHA-256"), 0);
	/* Other hashes are skipped, whatever they hold. */
	expect(replace(MINI, "t=0 0\r\n", "t=0 0\r\na=fingerprint:sha-1 zz\r\n"), 0);
	expect(replace(MINI, "setup:actpass", "setup:holdconn"), ERR_PROTO);
	expect(replace(MINI, "setup:actpass", "setup:"), ERR_PROTO);

	/* Media attributes. */
	expect(replace(MINI, "a=mid:a", "a=mid:a b"), ERR_PROTO);
	expect(replace(MINI, "a=mid:a", "a=mid:"), ERR_PROTO);
	expect(replace(MINI, "a=mid:a", "a=mid:01234567890123456789012345678901"), ERR_LIMIT);
	expect(replace(MINI, "a=mid:a\r\n", "a=mid:a\r\na=mid:a\r\n"), ERR_PROTO);
	expect(replace(MINI, "a=sendonly\r\n", "a=sendonly\r\na=recvonly\r\n"), ERR_PROTO);
	expect(replace(MINI, "opus/48000/2", "opus"), ERR_PROTO);
	expect(replace(MINI, "opus/48000/2", "opus/0/2"), ERR_PROTO);
	expect(replace(MINI, "opus/48000/2", "opus/48000/256"), ERR_PROTO);
	expect(replace(MINI, "opus/48000/2", "/48000/2"), ERR_PROTO);
	expect(MINI "a=rtpmap:111 opus/48000/2\r\n", ERR_PROTO);
	expect(MINI "a=rtpmap:1111 x/1\r\n", ERR_PROTO);
	expect(MINI "a=rtpmap:112 not/listed\r\n", 0);
	expect(MINI "a=fmtp:111 apt=x\r\n", ERR_PROTO);
	expect(MINI "a=extmap:0 urn:x\r\n", ERR_PROTO);
	expect(MINI "a=extmap:256 urn:x\r\n", ERR_PROTO);
	expect(MINI "a=extmap:1\r\n", ERR_PROTO);
	expect(MINI "a=extmap:1 urn:x\r\na=extmap:1 urn:y\r\n", ERR_PROTO);
	expect(MINI "a=extmap:1/sendonly urn:x\r\n", 0);
	expect(MINI "a=ssrc:4294967296 cname:x\r\n", ERR_PROTO);
	expect(MINI "a=ssrc:1\r\n", ERR_PROTO);
	expect(MINI "a=ssrc:1 foo\r\n", 0);
	expect(
	    MINI
	    "a=ssrc:1 cname:0123456789012345678901234567890123456789012345678901234567890123\r\n",
	    ERR_LIMIT);
	expect(MINI "a=ssrc-group:FID 1\r\n", ERR_PROTO);
	expect(MINI "a=ssrc-group:FID 1 1\r\n", ERR_PROTO);
	expect(MINI "a=ssrc-group:FID 1 2 3\r\n", ERR_PROTO);
	expect(MINI "a=msid:a b c\r\n", ERR_PROTO);
	expect(MINI "a=msid:\r\n", ERR_PROTO);
	expect(MINI "a=msid:"
	            "01234567890123456789012345678901234567890123456789012345678901234\r\n",
	       ERR_PROTO);
	expect(MINI "a=msid:"
	            "0123456789012345678901234567890123456789012345678901234567890123 -\r\n",
	       0);
	assert_int_equal(strlen(s1->media[0].msid_stream), 64);
	expect(replace(MINI, "BUNDLE a", "BUNDLE a a"), ERR_PROTO);
	expect(MINI "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:a\r\n", ERR_PROTO);

	/* Over LIM_SDP_LEN, and NUL bytes. */
	static char big[LIM_SDP_LEN + 2];
	memset(big, 'x', sizeof(big));
	memcpy(big, MINI, strlen(MINI));
	assert_int_equal(sdp_parse(s1, big, LIM_SDP_LEN + 1, NULL), ERR_LIMIT);
	assert_int_equal(sdp_parse(s1, MINI, strlen(MINI) + 1, NULL), ERR_PROTO);
}

/* Build MINI plus count copies of line (with %zu for the index) in section 0. */
static const char *repeat(const char *head, const char *line, size_t count)
{
	static char buf[LIM_SDP_LEN + 1];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "%s", head);
	for (size_t i = 0; i < count; i++) {
		int k = snprintf(buf + n, sizeof(buf) - n, line, i + 1, i + 1);
		assert_true(k > 0 && (size_t)k < sizeof(buf) - n);
		n += (size_t)k;
	}
	return buf;
}

static void test_limits(void **state)
{
	(void)state;
	/* LIM_SDP_MEDIA m-sections fit; one more does not. */
	const char *m = "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:m%zu\r\n";
	expect(repeat(MINI, m, LIM_SDP_MEDIA - 1), 0);
	assert_int_equal(s1->nmedia, LIM_SDP_MEDIA);
	expect(repeat(MINI, m, LIM_SDP_MEDIA), ERR_LIMIT);

	static char line[4096];
	size_t n = (size_t)snprintf(line, sizeof(line), "m=video 9 UDP/TLS/RTP/SAVPF");
	for (size_t i = 0; i < LIM_SDP_PT; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %zu", i);
	snprintf(line + n, sizeof(line) - n, "\r\n");
	expect(repeat(MINI, line, 1), 0);
	assert_int_equal(s1->media[1].ncodecs, LIM_SDP_PT);
	snprintf(line + n, sizeof(line) - n, " 99\r\n");
	expect(repeat(MINI, line, 1), ERR_LIMIT);

	expect(repeat(MINI, "a=extmap:%zu urn:x%zu\r\n", LIM_SDP_EXT), 0);
	assert_int_equal(s1->media[0].nexts, LIM_SDP_EXT);
	expect(repeat(MINI, "a=extmap:%zu urn:x%zu\r\n", LIM_SDP_EXT + 1), ERR_LIMIT);
	expect(repeat(MINI, "a=ssrc:%zu cname:c%zu\r\n", LIM_SDP_SSRC), 0);
	assert_int_equal(s1->media[0].nssrcs, LIM_SDP_SSRC);
	expect(repeat(MINI, "a=ssrc:%zu cname:c%zu\r\n", LIM_SDP_SSRC + 1), ERR_LIMIT);
	static char mids[LIM_SDP_MEDIA * 8 + 64];
	n = (size_t)snprintf(mids, sizeof(mids), "BUNDLE a");
	for (size_t i = 0; i < LIM_SDP_MEDIA; i++)
		n += (size_t)snprintf(mids + n, sizeof(mids) - n, " b%zu", i);
	expect(replace(MINI, "BUNDLE a", mids), ERR_LIMIT);

	/* A long extmap URI or codec name is skipped, not refused; a long fmtp is refused. */
	static char uri[200];
	memset(uri, 'u', sizeof(uri) - 1);
	char *t = replace(MINI "a=extmap:1 urn:x\r\n", "urn:x", uri);
	expect(t, 0);
	assert_int_equal(s1->media[0].nexts, 0);
	expect(MINI "a=fmtp:111 minptime=10;useinbandfec=1\r\n", 0);
	expect(replace(MINI "a=fmtp:111 x\r\n", "fmtp:111 x", replace("fmtp:111 Y", "Y", uri)),
	       ERR_LIMIT);
	expect(replace(MINI, "opus/48000/2", "a-very-long-codec-name/48000/2"), 0);
	assert_string_equal(s1->media[0].codecs[0].name, "");
	assert_int_equal(s1->media[0].codecs[0].clock, 48000);
}

/* Session values reach media without their own; media values fill the session if equal. */
static void test_inheritance(void **state)
{
	(void)state;
	expect(MINI "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:b\r\n", 0);
	const struct sdp_media *v = &s1->media[1];
	assert_string_equal(v->ice_ufrag, "abcd");
	assert_string_equal(v->ice_pwd, "abcdefghijklmnopqrstuv");
	assert_true(v->has_fingerprint);
	assert_memory_equal(v->fingerprint, fp_bytes, 32);
	assert_int_equal(v->setup, SDP_SETUP_ACTPASS);
	assert_int_equal(v->dir, SDP_SENDRECV);
	assert_int_equal(s1->media[0].dir, SDP_SENDONLY);

	/* Session-level direction is the default (RFC 8866 6.7). */
	expect(replace(MINI, "t=0 0\r\n", "t=0 0\r\na=inactive\r\n"), 0);
	expect(replace(replace(MINI, "t=0 0\r\n", "t=0 0\r\na=recvonly\r\n"), "a=sendonly\r\n", ""),
	       0);
	assert_int_equal(s1->media[0].dir, SDP_RECVONLY);

	/* Media values that differ leave the session's empty. */
	const char *two =
	    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:aaaa\r\na=setup:active\r\n"
	    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:bbbb\r\na=setup:active\r\n"
	    "a=ice-pwd:abcdefghijklmnopqrstuv\r\n";
	expect(two, 0);
	assert_string_equal(s1->ice_ufrag, "");
	assert_string_equal(s1->ice_pwd, "abcdefghijklmnopqrstuv");
	assert_int_equal(s1->setup, SDP_SETUP_ACTIVE);
	assert_false(s1->has_fingerprint);
	assert_string_equal(s1->media[0].ice_pwd, "");
	/* A rejected section does not count. */
	expect(replace(two, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:bbbb",
	               "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:bbbb"),
	       0);
	assert_string_equal(s1->ice_ufrag, "aaaa");

	/* a=msid wins over a=ssrc msid; rtcp-fb * applies to every codec (RFC 4585 4.2). */
	expect(MINI "a=ssrc:5 msid:s1 t1\r\na=msid:s2 t2\r\na=rtcp-fb:* nack\r\n", 0);
	assert_string_equal(s1->media[0].msid_stream, "s2");
	assert_string_equal(s1->media[0].msid_track, "t2");
	assert_true(s1->media[0].codecs[0].fb_nack);
	expect(MINI "a=ssrc-group:SIM 3 4\r\na=ssrc-group:FID 3 5\r\na=ssrc:5 cname:x\r\n", 0);
	assert_int_equal(s1->media[0].nssrcs, 3);
	assert_int_equal(s1->media[0].ssrcs[2], 5);
	assert_int_equal(s1->media[0].rtx_ssrc_of[0], 5);
	assert_int_equal(s1->media[0].rtx_ssrc_of[1], 0);
	/* apt only for rtx. */
	expect(replace(MINI
	               "a=fmtp:111 apt=112\r\na=fmtp:112 apt=111\r\na=rtpmap:112 RTX/48000\r\n",
	               "SAVPF 111", "SAVPF 111 112"),
	       0);
	assert_int_equal(s1->media[0].codecs[0].apt_of, 0);
	assert_int_equal(s1->media[0].codecs[1].apt_of, 111);
	assert_ptr_equal(sdp_find_codec(&s1->media[0], "rtx"), &s1->media[0].codecs[1]);
}

/* Every seed and past crash in fuzz/corpus/sdp (tests run from the source root) still
   parses or fails cleanly, and what parses is answered. */
static void test_corpus(void **state)
{
	(void)state;
	static char text[LIM_SDP_LEN + 1];
	char path[512];
	size_t files = 0;
	DIR *d = opendir("fuzz/corpus/sdp");
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "fuzz/corpus/sdp/%s", e->d_name);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		size_t n = fread(text, 1, sizeof(text), f);
		fclose(f);
		const char *why = NULL;
		int rc = sdp_parse(s1, text, n, &why);
		assert_true(rc == 0 || ((rc == ERR_PROTO || rc == ERR_LIMIT) && why));
		if (rc == 0) {
			int w = sdp_write_publish_answer(out, sizeof(out), s1, &local);
			assert_true(w > 0 || w == ERR_PROTO);
		}
		files++;
	}
	closedir(d);
	assert_true(files >= 3);

	/* Chromium 156's own answer (headless, setRemoteDescription then createAnswer) to an
	   offer from this writer: two participants' audio and video, then one inactive video. */
	FILE *f = fopen("fuzz/corpus/sdp/chromium156_answer_to_kamer_offer.sdp", "rb");
	assert_non_null(f);
	size_t n = fread(text, 1, sizeof(text), f);
	fclose(f);
	assert_int_equal(sdp_parse(s1, text, n, NULL), 0);
	assert_int_equal(s1->nmedia, 5);
	assert_int_equal(s1->nbundle, 5);
	assert_int_equal(s1->setup, SDP_SETUP_ACTIVE);
	assert_true(s1->has_fingerprint);
	assert_string_equal(s1->ice_ufrag, "HE+t");
	for (size_t i = 0; i < 5; i++) {
		const struct sdp_media *m = &s1->media[i];
		char mid[2] = {(char)('0' + i), 0};
		assert_string_equal(m->mid, mid);
		assert_int_equal(m->kind, i % 2 == 0 && i < 4 ? SDP_AUDIO : SDP_VIDEO);
		assert_int_equal(m->dir, i < 4 ? SDP_RECVONLY : SDP_INACTIVE);
		assert_int_equal(m->ncodecs, 1);
		assert_int_equal(m->codecs[0].pt, m->kind == SDP_AUDIO ? 111 : 96);
		assert_true(m->rtcp_mux && m->rtcp_rsize);
	}
	assert_true(s1->media[1].codecs[0].fb_pli && !s1->media[1].codecs[0].fb_twcc);
}

static void test_fingerprint_format(void **state)
{
	(void)state;
	char buf[SDP_FINGERPRINT_LEN + 1];
	assert_int_equal(sdp_fingerprint_format(buf, sizeof(buf), fp_bytes), SDP_FINGERPRINT_LEN);
	assert_string_equal(buf, FP_TEXT);
	assert_int_equal(sdp_fingerprint_format(buf, sizeof(buf) - 1, fp_bytes), ERR_LIMIT);
	/* What it writes, the writer and parser take. */
	struct sdp_local l = local;
	l.fingerprint = buf;
	assert_int_equal(parse_str(s1, MINI), 0);
	assert_true(sdp_write_publish_answer(out, sizeof(out), s1, &l) > 0);
	assert_int_equal(parse_str(s2, out), 0);
	assert_memory_equal(s2->media[0].fingerprint, fp_bytes, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_publish_offer),
	    cmocka_unit_test(test_simulcast_offer),
	    cmocka_unit_test(test_subscribe_answer),
	    cmocka_unit_test(test_lf_and_crlf),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_publish_answer),
	    cmocka_unit_test(test_publish_answer_rejects),
	    cmocka_unit_test(test_publish_answer_errors),
	    cmocka_unit_test(test_subscribe_offer),
	    cmocka_unit_test(test_subscribe_offer_errors),
	    cmocka_unit_test(test_full_room_offer),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_inheritance),
	    cmocka_unit_test(test_corpus),
	    cmocka_unit_test(test_fingerprint_format),
	};
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
