/* Tests for src/rtc/sdp_client.c: the client's offer is what kamerd's parser and publish
 * answer accept, the client's answer to kamerd's subscribe offer parses back with the
 * right roles and codecs, and the candidate finder takes the first good UDP candidate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "rtc/sdp.h"
#include "rtc/sdp_client.h"

#define FP                                                                                         \
	"06:EE:91:06:55:FC:05:73:67:E8:A5:CA:6F:7B:5B:FD:E1:7C:16:2A:52:38:23:01:6D:91:FD:70:C6:"  \
	"89:50:CE"

static struct sdp *s1, *s2;
static char buf[LIM_SDP_LEN], buf2[LIM_SDP_LEN];

static int setup(void **state)
{
	(void)state;
	s1 = malloc(sizeof(*s1));
	s2 = malloc(sizeof(*s2));
	return s1 && s2 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(s1);
	free(s2);
	return 0;
}

static const struct sdp_client_local client = {
    .ice_ufrag = "cliUfrag",
    .ice_pwd = "abcdefghijklmnopqrstuvwx",
    .fingerprint = FP,
    .cname = "load-0-1",
    .stream_id = "load-0-1",
    .cand_addr = "127.0.0.1",
    .cand_port = 40000,
    .session_id = 7,
};

static const struct sdp_local server = {
    .ice_ufrag = "srvUfrag",
    .ice_pwd = "ABCDEFGHIJKLMNOPQRSTUVWX",
    .fingerprint = FP,
    .addr = "127.0.0.1",
    .port = 10000,
    .session_id = 1,
    .session_version = 1,
};

static void offer_is_accepted_by_kamerd(void **state)
{
	(void)state;
	int n = sdp_write_client_offer(buf, sizeof(buf), &client, 1111, 2222, 1);
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	const char *why = NULL;
	assert_int_equal(sdp_parse(s1, buf, (size_t)n, &why), 0);
	assert_int_equal(s1->nmedia, 2);
	assert_int_equal(s1->nbundle, 2);
	assert_string_equal(s1->ice_ufrag, "cliUfrag");
	assert_true(s1->has_fingerprint);
	assert_int_equal(s1->setup, SDP_SETUP_ACTPASS);
	const struct sdp_media *a = &s1->media[0], *v = &s1->media[1];
	assert_int_equal(a->kind, SDP_AUDIO);
	assert_int_equal(a->dir, SDP_SENDONLY);
	assert_true(a->rtcp_mux);
	assert_int_equal(a->nssrcs, 1);
	assert_int_equal(a->ssrcs[0], 1111);
	const struct sdp_codec *opus = sdp_find_codec(a, "opus");
	assert_non_null(opus);
	assert_int_equal(opus->pt, 111);
	assert_int_equal(opus->clock, 48000);
	assert_int_equal(opus->channels, 2);
	assert_int_equal(sdp_find_ext(a, SDP_URI_AUDIO_LEVEL), 1);
	assert_int_equal(v->kind, SDP_VIDEO);
	assert_int_equal(v->ssrcs[0], 2222);
	const struct sdp_codec *vp8 = sdp_find_codec(v, "VP8");
	assert_non_null(vp8);
	assert_int_equal(vp8->pt, 96);
	assert_true(vp8->fb_nack && vp8->fb_pli && vp8->fb_fir && vp8->fb_remb);
	assert_true(sdp_publish_accepts(s1, 0));
	assert_true(sdp_publish_accepts(s1, 1));
	/* kamerd answers it, and the answer names kamerd the DTLS server. */
	n = sdp_write_publish_answer(buf2, sizeof(buf2), s1, &server);
	assert_true(n > 0);
	assert_int_equal(sdp_parse(s2, buf2, (size_t)n, &why), 0);
	assert_int_equal(s2->setup, SDP_SETUP_PASSIVE);
	struct sockaddr_storage ss;
	assert_int_equal(sdp_find_candidate(buf2, (size_t)n, &ss), 0);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 10000);
}

static void audio_only_offer(void **state)
{
	(void)state;
	int n = sdp_write_client_offer(buf, sizeof(buf), &client, 1111, 0, 3);
	assert_true(n > 0);
	assert_int_equal(sdp_parse(s1, buf, (size_t)n, NULL), 0);
	assert_int_equal(s1->nmedia, 1);
	assert_int_equal(sdp_find_ext(&s1->media[0], SDP_URI_AUDIO_LEVEL), 3);
	assert_null(strstr(buf, "m=video"));
}

static void offer_refuses_bad_input(void **state)
{
	(void)state;
	assert_int_equal(sdp_write_client_offer(buf, sizeof(buf), &client, 0, 0, 1), ERR_INVAL);
	assert_int_equal(sdp_write_client_offer(buf, sizeof(buf), &client, 1, 2, 15), ERR_INVAL);
	struct sdp_client_local bad = client;
	bad.ice_pwd = "short";
	assert_int_equal(sdp_write_client_offer(buf, sizeof(buf), &bad, 1, 2, 1), ERR_INVAL);
	bad = client;
	bad.cname = "has space";
	assert_int_equal(sdp_write_client_offer(buf, sizeof(buf), &bad, 1, 2, 1), ERR_INVAL);
	bad = client;
	bad.cand_addr = "not-an-address";
	assert_int_equal(sdp_write_client_offer(buf, sizeof(buf), &bad, 1, 2, 1), ERR_INVAL);
	/* Too small: nothing half-written is left. */
	assert_int_equal(sdp_write_client_offer(buf, 100, &client, 1, 2, 1), ERR_LIMIT);
	assert_string_equal(buf, "");
}

static void answer_to_subscribe_offer(void **state)
{
	(void)state;
	const struct sdp_out_track t[3] = {
	    {.kind = SDP_AUDIO,
	     .mid = "0",
	     .active = 1,
	     .ssrc = 10,
	     .stream_id = "p1",
	     .track_id = "a-p1",
	     .cname = "p1"},
	    {.kind = SDP_VIDEO,
	     .mid = "1",
	     .active = 1,
	     .ssrc = 11,
	     .stream_id = "p1",
	     .track_id = "v-p1",
	     .cname = "p1"},
	    {.kind = SDP_VIDEO, .mid = "2", .active = 0},
	};
	int n = sdp_write_subscribe_offer(buf, sizeof(buf), t, 3, &server);
	assert_true(n > 0);
	assert_int_equal(sdp_parse(s1, buf, (size_t)n, NULL), 0);
	n = sdp_write_client_answer(buf2, sizeof(buf2), s1, &client);
	assert_true(n > 0);
	const char *why = NULL;
	assert_int_equal(sdp_parse(s2, buf2, (size_t)n, &why), 0);
	assert_int_equal(s2->nmedia, 3);
	assert_int_equal(s2->setup, SDP_SETUP_ACTIVE); /* we are the DTLS client */
	assert_string_equal(s2->ice_ufrag, "cliUfrag");
	assert_string_equal(s2->media[0].mid, "0");
	assert_string_equal(s2->media[2].mid, "2");
	assert_int_equal(s2->media[0].dir, SDP_RECVONLY);
	assert_int_equal(s2->media[2].dir, SDP_INACTIVE); /* inactive offered, inactive answered */
	assert_non_null(sdp_find_codec(&s2->media[0], "opus"));
	const struct sdp_codec *vp8 = sdp_find_codec(&s2->media[1], "VP8");
	assert_non_null(vp8);
	assert_true(vp8->fb_nack && vp8->fb_pli);
	assert_int_equal(s2->nbundle, 3);
}

static void answer_to_an_active_offer_is_passive(void **state)
{
	(void)state;
	const char *offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	                    "a=group:BUNDLE a\r\n"
	                    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
	                    "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
	                    "a=fingerprint:sha-256 " FP "\r\na=setup:active\r\na=mid:a\r\n"
	                    "a=sendonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
	                    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:d\r\n";
	assert_int_equal(sdp_parse(s1, offer, strlen(offer), NULL), 0);
	int n = sdp_write_client_answer(buf2, sizeof(buf2), s1, &client);
	assert_true(n > 0);
	assert_int_equal(sdp_parse(s2, buf2, (size_t)n, NULL), 0);
	assert_int_equal(s2->media[0].setup, SDP_SETUP_PASSIVE);
	assert_int_equal(s2->media[1].port, 0); /* the data channel is refused */
	assert_string_equal(s2->media[1].mid, "d");
}

static void answer_with_nothing_to_accept(void **state)
{
	(void)state;
	const char *offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	                    "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\n"
	                    "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
	                    "a=fingerprint:sha-256 " FP "\r\na=mid:a\r\na=rtcp-mux\r\n"
	                    "a=rtpmap:0 PCMU/8000\r\n";
	assert_int_equal(sdp_parse(s1, offer, strlen(offer), NULL), 0);
	assert_int_equal(sdp_write_client_answer(buf2, sizeof(buf2), s1, &client), ERR_PROTO);
}

static void candidates(void **state)
{
	(void)state;
	struct sockaddr_storage ss;
	const char *t1 = "v=0\r\na=candidate:1 2 udp 1 10.0.0.1 5000 typ host\r\n"      /* RTCP */
	                 "a=candidate:2 1 tcp 1 10.0.0.2 5001 typ host\r\n"             /* TCP */
	                 "a=candidate:3 1 udp 1 nonsense.local 5002 typ host\r\n"       /* mDNS */
	                 "a=candidate:4 1 udp 1 10.0.0.4 70000 typ host\r\n"            /* port */
	                 "a=candidate:5 1 UDP 2130706431 192.0.2.7 40123 typ host\r\n"; /* good */
	assert_int_equal(sdp_find_candidate(t1, strlen(t1), &ss), 0);
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)&ss;
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(a4->sin_port), 40123);
	assert_int_equal(ntohl(a4->sin_addr.s_addr), 0xC0000207);
	const char *t6 = "a=candidate:1 1 udp 5 2001:db8::1 9 typ host";
	assert_int_equal(sdp_find_candidate(t6, strlen(t6), &ss), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	/* Only text[0..len) counts. */
	assert_int_equal(sdp_find_candidate(t1, 40, &ss), ERR_NOTFOUND);
	assert_int_equal(sdp_find_candidate("", 0, &ss), ERR_NOTFOUND);
	const char *t7 = "a=candidate:1 1 udp 5 127.0.0.1 9 typ";
	assert_int_equal(sdp_find_candidate(t7, strlen(t7), &ss), ERR_NOTFOUND);
	assert_int_equal(sdp_find_candidate(t1, LIM_SDP_LEN + 1, &ss), ERR_LIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(offer_is_accepted_by_kamerd),
	    cmocka_unit_test(audio_only_offer),
	    cmocka_unit_test(offer_refuses_bad_input),
	    cmocka_unit_test(answer_to_subscribe_offer),
	    cmocka_unit_test(answer_to_an_active_offer_is_passive),
	    cmocka_unit_test(answer_with_nothing_to_accept),
	    cmocka_unit_test(candidates),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
