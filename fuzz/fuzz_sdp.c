/* fuzz_sdp.c - sdp_parse on any bytes; what parses is answered as a publish offer and offered
 * back as subscribe tracks, and the server's own SDP must parse and say what was meant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The core library is built without coverage instrumentation, which would leave libFuzzer
   blind to the parser; compiled here with -fsanitize=fuzzer it is guided. The library's
   copy is then not linked: every sdp_ symbol is already defined. */
#include "rtc/sdp.c"

static const struct sdp_local local = {
    .ice_ufrag = "kMr1",
    .ice_pwd = "Zm9vYmFyYmF6cXV4cXV1eDEy",
    .fingerprint = "06:EE:91:06:55:FC:05:73:67:E8:A5:CA:6F:7B:5B:FD:E1:7C:16:2A:52:38:23:01:"
                   "6D:91:FD:70:C6:89:50:CE",
    .addr = "192.0.2.1",
    .port = 40000,
    .session_id = 1,
    .session_version = 1,
};

static struct sdp offer, back;
static char out[8 * LIM_SDP_LEN];

/* Our own output failing our own parser is a bug, not bad input. What is over LIM_SDP_LEN
   the parser refuses by design. */
static void reparse(int n)
{
	if (n < 0 || (size_t)n != strlen(out))
		abort();
	int rc = sdp_parse(&back, out, (size_t)n, NULL);
	if ((size_t)n > LIM_SDP_LEN ? rc != ERR_LIMIT : rc != 0)
		abort();
}

static void check_answer(void)
{
	int n = sdp_write_publish_answer(out, sizeof(out), &offer, &local);
	if (n == ERR_PROTO || n == ERR_INVAL)
		return;
	reparse(n);
	if ((size_t)n > LIM_SDP_LEN)
		return;
	if (back.nmedia != offer.nmedia || back.setup != SDP_SETUP_PASSIVE)
		abort();
	for (size_t i = 0; i < offer.nmedia; i++) {
		const struct sdp_media *o = &offer.media[i], *a = &back.media[i];
		int acc = sdp_publish_accepts(&offer, i);
		if (strcmp(o->mid, a->mid) != 0 || (a->port != 0) != acc)
			abort();
		if (!acc)
			continue;
		/* Exactly the one codec, as the offer had it under that payload type. */
		const char *name = o->kind == SDP_AUDIO ? "opus" : "VP8";
		const struct sdp_codec *c = sdp_find_codec(a, name);
		if (a->kind != o->kind || a->ncodecs != 1 || !c || a->dir == SDP_SENDONLY ||
		    a->dir == SDP_SENDRECV)
			abort();
		size_t k = 0;
		while (k < o->ncodecs && o->codecs[k].pt != c->pt)
			k++;
		if (k == o->ncodecs || strcmp(o->codecs[k].name, c->name) ||
		    o->codecs[k].clock != c->clock || strcmp(o->codecs[k].fmtp, c->fmtp))
			abort();
	}
}

static void check_offer(void)
{
	static struct sdp_out_track t[LIM_SDP_MEDIA];
	size_t n = 0;
	for (size_t i = 0; i < offer.nmedia; i++) {
		const struct sdp_media *m = &offer.media[i];
		if (m->kind != SDP_AUDIO && m->kind != SDP_VIDEO)
			continue;
		t[n++] = (struct sdp_out_track){
		    .kind = m->kind,
		    .mid = m->mid,
		    .active = m->nssrcs > 0,
		    .ssrc = m->nssrcs ? m->ssrcs[0] : 0,
		    .stream_id = m->msid_stream,
		    .track_id = m->msid_track[0] ? m->msid_track : "t",
		    .cname = m->cname,
		};
	}
	if (n == 0)
		return;
	int len = sdp_write_subscribe_offer(out, sizeof(out), t, n, &local);
	if (len == ERR_INVAL)
		return; /* an empty or duplicate mid, or ids the writer will not put on a line */
	reparse(len);
	if ((size_t)len > LIM_SDP_LEN)
		return;
	if (back.nmedia != n || back.nbundle != n)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct sdp_media *m = &back.media[i];
		if (strcmp(m->mid, t[i].mid) || m->kind != t[i].kind ||
		    (t[i].active && (m->nssrcs != 1 || m->ssrcs[0] != t[i].ssrc ||
		                     strcmp(m->msid_stream, t[i].stream_id))))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	int rc = sdp_parse(&offer, (const char *)data, size, &why);
	if (rc != 0) {
		if (!why || (rc != ERR_PROTO && rc != ERR_LIMIT))
			abort();
		return 0;
	}
	for (size_t i = 0; i < offer.nmedia; i++) {
		(void)sdp_find_codec(&offer.media[i], "opus");
		(void)sdp_find_ext(&offer.media[i], "urn:ietf:params:rtp-hdrext:sdes:mid");
	}
	check_answer();
	check_offer();
	return 0;
}
