/* sdp_client.c - a WebRTC client's SDP: publish offers, answers, the server's candidate. */
#include "rtc/sdp_client.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/limits.h"

struct out {
	char *buf;
	size_t cap, len;
	int err;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	if (o->err)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->err = ERR_LIMIT;
		return;
	}
	o->len += (size_t)n;
}

static int finish(struct out *o)
{
	if (o->err) {
		if (o->cap)
			o->buf[0] = '\0';
		return o->err;
	}
	return (int)o->len;
}

/* RFC 8839 5.4 ice-char, and a token without spaces for ids. */
static int good_chars(const char *s, size_t min, size_t max, int ice)
{
	if (!s)
		return 0;
	size_t n = strlen(s);
	if (n < min || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int alnum =
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (alnum || c == '+' || c == '/')
			continue;
		if (!ice && (c == '-' || c == '_' || c == '.'))
			continue;
		return 0;
	}
	return 1;
}

static int check_local(const struct sdp_client_local *l)
{
	if (!l || !good_chars(l->ice_ufrag, 4, 256, 1) || !good_chars(l->ice_pwd, 22, 256, 1) ||
	    !l->fingerprint || strlen(l->fingerprint) != SDP_FINGERPRINT_LEN ||
	    !good_chars(l->cname, 1, 63, 0) || !good_chars(l->stream_id, 1, 64, 0))
		return ERR_INVAL;
	if (l->cand_addr) {
		struct in6_addr a;
		if (inet_pton(AF_INET, l->cand_addr, &a) != 1 &&
		    inet_pton(AF_INET6, l->cand_addr, &a) != 1)
			return ERR_INVAL;
	}
	return 0;
}

static void put_transport(struct out *o, const struct sdp_client_local *l, const char *setup)
{
	put(o, "c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n");
	put(o, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", l->ice_ufrag, l->ice_pwd);
	put(o, "a=fingerprint:sha-256 %s\r\na=setup:%s\r\n", l->fingerprint, setup);
}

static void put_candidate(struct out *o, const struct sdp_client_local *l)
{
	if (!l->cand_addr)
		return;
	/* RFC 8445 5.1.2.1: host type preference 126, local preference 65535, component 1. */
	put(o, "a=candidate:1 1 udp 2130706431 %s %u typ host\r\na=end-of-candidates\r\n",
	    l->cand_addr, (unsigned)l->cand_port);
}

static void put_session(struct out *o, const struct sdp_client_local *l)
{
	put(o, "v=0\r\no=- %" PRIu64 " 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", l->session_id);
}

int sdp_write_client_offer(char *buf, size_t cap, const struct sdp_client_local *l,
                           uint32_t audio_ssrc, uint32_t video_ssrc, uint8_t audio_level_ext)
{
	struct out o = {.buf = buf, .cap = cap};
	if (!buf || cap == 0)
		return ERR_LIMIT;
	buf[0] = '\0';
	if (check_local(l) != 0 || (!audio_ssrc && !video_ssrc) ||
	    (audio_ssrc && (audio_level_ext < 1 || audio_level_ext > 14)))
		return ERR_INVAL;
	put_session(&o, l);
	put(&o, "a=group:BUNDLE%s%s\r\n", audio_ssrc ? " 0" : "", video_ssrc ? " 1" : "");
	put(&o, "a=msid-semantic: WMS %s\r\n", l->stream_id);
	if (audio_ssrc) {
		put(&o, "m=audio 9 UDP/TLS/RTP/SAVPF %d\r\n", SDP_CLIENT_PT_OPUS);
		put_transport(&o, l, "actpass");
		put(&o, "a=mid:0\r\na=extmap:%u %s\r\na=sendonly\r\n", (unsigned)audio_level_ext,
		    SDP_URI_AUDIO_LEVEL);
		put(&o, "a=msid:%s a-%s\r\na=rtcp-mux\r\na=rtcp-rsize\r\n", l->stream_id,
		    l->stream_id);
		put(&o, "a=rtpmap:%d opus/48000/2\r\na=fmtp:%d minptime=10;useinbandfec=1\r\n",
		    SDP_CLIENT_PT_OPUS, SDP_CLIENT_PT_OPUS);
		put(&o, "a=ssrc:%" PRIu32 " cname:%s\r\na=ssrc:%" PRIu32 " msid:%s a-%s\r\n",
		    audio_ssrc, l->cname, audio_ssrc, l->stream_id, l->stream_id);
		put_candidate(&o, l);
	}
	if (video_ssrc) {
		put(&o, "m=video 9 UDP/TLS/RTP/SAVPF %d\r\n", SDP_CLIENT_PT_VP8);
		put_transport(&o, l, "actpass");
		put(&o, "a=mid:1\r\na=sendonly\r\n");
		put(&o, "a=msid:%s v-%s\r\na=rtcp-mux\r\na=rtcp-rsize\r\n", l->stream_id,
		    l->stream_id);
		put(&o, "a=rtpmap:%d VP8/90000\r\n", SDP_CLIENT_PT_VP8);
		put(&o, "a=rtcp-fb:%d goog-remb\r\na=rtcp-fb:%d ccm fir\r\n", SDP_CLIENT_PT_VP8,
		    SDP_CLIENT_PT_VP8);
		put(&o, "a=rtcp-fb:%d nack\r\na=rtcp-fb:%d nack pli\r\n", SDP_CLIENT_PT_VP8,
		    SDP_CLIENT_PT_VP8);
		put(&o, "a=ssrc:%" PRIu32 " cname:%s\r\na=ssrc:%" PRIu32 " msid:%s v-%s\r\n",
		    video_ssrc, l->cname, video_ssrc, l->stream_id, l->stream_id);
		put_candidate(&o, l);
	}
	return finish(&o);
}

static const struct sdp_codec *answer_codec(const struct sdp_media *m)
{
	if (m->port == 0 || strcmp(m->proto, "UDP/TLS/RTP/SAVPF") != 0 || !m->rtcp_mux)
		return NULL;
	if (m->kind == SDP_AUDIO)
		return sdp_find_codec(m, "opus");
	if (m->kind == SDP_VIDEO)
		return sdp_find_codec(m, "VP8");
	return NULL;
}

int sdp_write_client_answer(char *buf, size_t cap, const struct sdp *offer,
                            const struct sdp_client_local *l)
{
	struct out o = {.buf = buf, .cap = cap};
	if (!buf || cap == 0)
		return ERR_LIMIT;
	buf[0] = '\0';
	if (!offer || offer->nmedia > LIM_SDP_MEDIA || offer->nbundle > LIM_SDP_MEDIA ||
	    check_local(l) != 0)
		return ERR_INVAL;
	size_t accepted = 0;
	for (size_t i = 0; i < offer->nmedia; i++)
		accepted += answer_codec(&offer->media[i]) != NULL;
	if (accepted == 0)
		return ERR_PROTO;
	put_session(&o, l);
	put(&o, "a=group:BUNDLE");
	for (size_t i = 0; i < offer->nmedia; i++) {
		if (answer_codec(&offer->media[i]) && offer->media[i].mid[0])
			put(&o, " %s", offer->media[i].mid);
	}
	put(&o, "\r\na=msid-semantic: WMS\r\n");
	for (size_t i = 0; i < offer->nmedia; i++) {
		const struct sdp_media *m = &offer->media[i];
		const struct sdp_codec *c = answer_codec(m);
		if (!c) {
			put(&o, "m=%s 0 %s %s\r\nc=IN IP4 0.0.0.0\r\n",
			    m->type[0] ? m->type : "audio",
			    m->proto[0] ? m->proto : "UDP/TLS/RTP/SAVPF",
			    m->fmt0[0] ? m->fmt0 : "0");
			if (m->mid[0])
				put(&o, "a=mid:%s\r\n", m->mid);
			put(&o, "a=inactive\r\n");
			continue;
		}
		put(&o, "m=%s 9 UDP/TLS/RTP/SAVPF %u\r\n", m->kind == SDP_AUDIO ? "audio" : "video",
		    (unsigned)c->pt);
		/* RFC 8842 5.3: the answerer of actpass picks; a client is best the DTLS client. */
		put_transport(&o, l, m->setup == SDP_SETUP_ACTIVE ? "passive" : "active");
		if (m->mid[0])
			put(&o, "a=mid:%s\r\n", m->mid);
		int off = m->dir == SDP_RECVONLY || m->dir == SDP_INACTIVE;
		put(&o, "a=%s\r\na=rtcp-mux\r\n", off ? "inactive" : "recvonly");
		if (m->rtcp_rsize)
			put(&o, "a=rtcp-rsize\r\n");
		put(&o, "a=rtpmap:%u %s/%" PRIu32, (unsigned)c->pt, c->name, c->clock);
		if (m->kind == SDP_AUDIO)
			put(&o, "/%u", c->channels ? (unsigned)c->channels : 2u);
		put(&o, "\r\n");
		if (c->fmtp[0])
			put(&o, "a=fmtp:%u %s\r\n", (unsigned)c->pt, c->fmtp);
		if (m->kind == SDP_VIDEO && c->fb_nack)
			put(&o, "a=rtcp-fb:%u nack\r\n", (unsigned)c->pt);
		if (m->kind == SDP_VIDEO && c->fb_pli)
			put(&o, "a=rtcp-fb:%u nack pli\r\n", (unsigned)c->pt);
		put_candidate(&o, l);
	}
	return finish(&o);
}

/* a=candidate:<foundation> <component> <transport> <priority> <addr> <port> typ <type> ... */
static int parse_candidate(const char *line, size_t n, struct sockaddr_storage *out)
{
	char tmp[256];
	if (n >= sizeof(tmp))
		return ERR_PROTO;
	memcpy(tmp, line, n);
	tmp[n] = '\0';
	char *save = NULL, *f[8];
	size_t nf = 0;
	for (char *t = strtok_r(tmp, " ", &save); t && nf < 8; t = strtok_r(NULL, " ", &save))
		f[nf++] = t;
	if (nf < 8 || strcmp(f[1], "1") != 0 || strcasecmp(f[2], "udp") != 0 ||
	    strcmp(f[6], "typ") != 0)
		return ERR_PROTO;
	char *end = NULL;
	unsigned long port = strtoul(f[5], &end, 10);
	if (!*f[5] || *end || port == 0 || port > 65535 || strlen(f[5]) > 5)
		return ERR_PROTO;
	memset(out, 0, sizeof(*out));
	struct sockaddr_in *a4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
	if (inet_pton(AF_INET, f[4], &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, f[4], &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		return 0;
	}
	return ERR_PROTO;
}

int sdp_find_candidate(const char *text, size_t len, struct sockaddr_storage *out)
{
	static const char key[] = "a=candidate:";
	const size_t klen = sizeof(key) - 1;
	if (len > LIM_SDP_LEN)
		return ERR_LIMIT;
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && text[j] != '\n' && text[j] != '\r')
			j++;
		if (j - i > klen && memcmp(text + i, key, klen) == 0 &&
		    parse_candidate(text + i + klen, j - i - klen, out) == 0)
			return 0;
		i = j + 1;
	}
	return ERR_NOTFOUND;
}
