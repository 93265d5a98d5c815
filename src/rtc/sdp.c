/* sdp.c - parse Chromium's SDP into struct sdp, write kamer's answers and offers. */
#include "rtc/sdp.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The transport fields have the same sizes at both levels, so one parser fills either. */
#define UFRAG_CAP 64
#define PWD_CAP   128
_Static_assert(sizeof(((struct sdp *)0)->ice_ufrag) == UFRAG_CAP, "ufrag size");
_Static_assert(sizeof(((struct sdp_media *)0)->ice_ufrag) == UFRAG_CAP, "ufrag size");
_Static_assert(sizeof(((struct sdp *)0)->ice_pwd) == PWD_CAP, "pwd size");
_Static_assert(sizeof(((struct sdp_media *)0)->ice_pwd) == PWD_CAP, "pwd size");

#define MSID_MAX 64 /* RFC 8830 2: msid-id and msid-appdata are 1*64 token-char */

#define URI_LEVEL "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
#define URI_MID   "urn:ietf:params:rtp-hdrext:sdes:mid"
#define URI_AST   "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
#define PROTO     "UDP/TLS/RTP/SAVPF"

/* A slice of the input text. */
struct str {
	const char *p;
	size_t n;
};

static int str_eq(struct str s, const char *lit)
{
	return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static int str_ieq(struct str s, const char *lit)
{
	return s.n == strlen(lit) && strncasecmp(s.p, lit, s.n) == 0;
}

static struct str skip_sp(struct str s)
{
	while (s.n && s.p[0] == ' ') {
		s.p++;
		s.n--;
	}
	return s;
}

/* The next SP-separated word of *rest (empty at the end); *rest moves past it. */
static struct str next_word(struct str *rest)
{
	*rest = skip_sp(*rest);
	struct str w = {rest->p, 0};
	while (w.n < rest->n && rest->p[w.n] != ' ')
		w.n++;
	rest->p += w.n;
	rest->n -= w.n;
	return w;
}

/* Splits s at the first c: *head before it, s after it; 0 if c is absent (s is all head). */
static int split(struct str *s, char c, struct str *head)
{
	const char *at = memchr(s->p, c, s->n);
	if (!at) {
		*head = *s;
		s->p += s->n;
		s->n = 0;
		return 0;
	}
	head->p = s->p;
	head->n = (size_t)(at - s->p);
	s->n -= head->n + 1;
	s->p = at + 1;
	return 1;
}

static int parse_u32(struct str s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	if (s.n == 0 || s.n > 10)
		return -1;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	if (v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* RFC 8866 9: token-char. */
static int is_token(struct str s)
{
	static const char other[] = "!#$%&'*+-.^_`{|}~";
	if (s.n == 0)
		return 0;
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c && strchr(other, c))))
			return 0;
	}
	return 1;
}

/* RFC 8866 9: proto = token *("/" token). */
static int is_proto(struct str s)
{
	for (struct str part; s.n;) {
		int more = split(&s, '/', &part);
		if (!is_token(part) || (more && s.n == 0))
			return 0;
	}
	return 1;
}

/* RFC 8839 5.4: ice-char = ALPHA / DIGIT / "+" / "/". */
static int is_ice_chars(struct str s)
{
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      c == '+' || c == '/'))
			return 0;
	}
	return 1;
}

static struct str cstr(const char *s)
{
	return (struct str){s, strlen(s)};
}

static int copy(char *dst, size_t cap, struct str s)
{
	if (s.n >= cap)
		return ERR_LIMIT;
	memcpy(dst, s.p, s.n);
	dst[s.n] = '\0';
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* RFC 8122 5: 32 colon-separated hex pairs (upper case per the RFC; lower accepted). */
static int parse_fingerprint(struct str s, uint8_t out[32])
{
	if (s.n != SDP_FINGERPRINT_LEN)
		return -1;
	for (size_t i = 0; i < 32; i++) {
		int hi = hexval(s.p[3 * i]), lo = hexval(s.p[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 31 && s.p[3 * i + 2] != ':'))
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int sdp_fingerprint_format(char *out, size_t cap, const uint8_t sha256[32])
{
	static const char hex[] = "0123456789ABCDEF";
	if (!out || cap < SDP_FINGERPRINT_LEN + 1)
		return ERR_LIMIT;
	for (size_t i = 0; i < 32; i++) {
		out[3 * i] = hex[sha256[i] >> 4];
		out[3 * i + 1] = hex[sha256[i] & 15];
		out[3 * i + 2] = i < 31 ? ':' : '\0';
	}
	return SDP_FINGERPRINT_LEN;
}

/* ---- parser ---- */

/* Single-valued attributes seen in the current scope; repeating one is ambiguous. */
enum {
	SEEN_UFRAG = 1 << 0,
	SEEN_PWD = 1 << 1,
	SEEN_FP = 1 << 2,
	SEEN_SETUP = 1 << 3,
	SEEN_DIR = 1 << 4,
	SEEN_MID = 1 << 5,
	SEEN_MSID = 1 << 6,
};

struct parser {
	struct sdp *out;
	struct sdp_media *m; /* NULL at session level */
	unsigned seen;       /* SEEN_* of the current scope */
	int rtp;             /* the current m-section's fmts are payload types */
	enum sdp_dir sess_dir;
	const char *why;
};

static int fail(struct parser *ps, int err, const char *why)
{
	ps->why = why;
	return err;
}

static int once(struct parser *ps, unsigned bit, const char *why)
{
	if (ps->seen & bit)
		return fail(ps, ERR_PROTO, why);
	ps->seen |= bit;
	return 0;
}

/* The codec for a payload type of the current m-section; NULL if not listed (the attribute
   is then ignored). *err is set for a malformed number. */
static struct sdp_codec *codec_of(struct parser *ps, struct str pt, int *err)
{
	uint32_t v;
	*err = 0;
	if (parse_u32(pt, 127, &v) != 0) {
		*err = fail(ps, ERR_PROTO, "bad payload type");
		return NULL;
	}
	for (size_t i = 0; i < ps->m->ncodecs; i++) {
		if (ps->m->codecs[i].pt == v)
			return &ps->m->codecs[i];
	}
	return NULL;
}

/* The index of ssrc in the current section, added if new. */
static int ssrc_add(struct parser *ps, struct str s, size_t *idx)
{
	struct sdp_media *m = ps->m;
	uint32_t v;
	if (parse_u32(s, UINT32_MAX, &v) != 0)
		return fail(ps, ERR_PROTO, "bad ssrc");
	for (size_t i = 0; i < m->nssrcs; i++) {
		if (m->ssrcs[i] == v) {
			*idx = i;
			return 0;
		}
	}
	if (m->nssrcs == LIM_SDP_SSRC)
		return fail(ps, ERR_LIMIT, "too many ssrcs");
	*idx = m->nssrcs;
	m->ssrcs[m->nssrcs++] = v;
	return 0;
}

/* RFC 8866 5.14: m=<media> <port>[/<number>] <proto> <fmt> ... */
static int parse_m(struct parser *ps, struct str v)
{
	struct sdp *s = ps->out;
	if (s->nmedia == LIM_SDP_MEDIA)
		return fail(ps, ERR_LIMIT, "too many m-sections");
	struct sdp_media *m = &s->media[s->nmedia++];
	memset(m, 0, sizeof(*m));
	ps->m = m;
	ps->seen = 0;

	struct str type = next_word(&v), ports = next_word(&v), proto = next_word(&v);
	struct str fmt = next_word(&v), port;
	if (!is_token(type) || !is_proto(proto) || !is_token(fmt))
		return fail(ps, ERR_PROTO, "malformed m= line");
	m->kind = str_eq(type, "audio")         ? SDP_AUDIO
	          : str_eq(type, "video")       ? SDP_VIDEO
	          : str_eq(type, "application") ? SDP_APPLICATION
	                                        : SDP_OTHER;
	uint32_t p, count;
	int has_count = split(&ports, '/', &port);
	if (parse_u32(port, 65535, &p) != 0 || (has_count && parse_u32(ports, 65535, &count) != 0))
		return fail(ps, ERR_PROTO, "bad m= port");
	m->port = (uint16_t)p;
	if (copy(m->type, sizeof(m->type), type) || copy(m->proto, sizeof(m->proto), proto) ||
	    copy(m->fmt0, sizeof(m->fmt0), fmt))
		return fail(ps, ERR_LIMIT, "m= line field too long");

	/* RFC 8866 5.14: for RTP profiles the fmts are payload type numbers. */
	ps->rtp = strstr(m->proto, "RTP/") != NULL;
	for (; ps->rtp && fmt.n; fmt = next_word(&v)) {
		int err;
		if (codec_of(ps, fmt, &err))
			return fail(ps, ERR_PROTO, "payload type listed twice");
		if (err)
			return err;
		if (m->ncodecs == LIM_SDP_PT)
			return fail(ps, ERR_LIMIT, "too many payload types");
		struct sdp_codec *c = &m->codecs[m->ncodecs++];
		(void)parse_u32(fmt, 127, &p);
		c->pt = (uint8_t)p;
		c->channels = m->kind == SDP_AUDIO;
	}
	return 0;
}

/* RFC 8866 6.6: a=rtpmap:<pt> <name>/<clock>[/<channels>] */
static int parse_rtpmap(struct parser *ps, struct str v)
{
	int err;
	struct sdp_codec *c = codec_of(ps, next_word(&v), &err);
	if (!c)
		return err;
	struct str enc = next_word(&v), name, clock, chans;
	int has_chans;
	if (!split(&enc, '/', &name) || name.n == 0)
		return fail(ps, ERR_PROTO, "malformed rtpmap");
	has_chans = split(&enc, '/', &clock);
	chans = enc;
	uint32_t rate, ch = c->channels;
	if (parse_u32(clock, UINT32_MAX, &rate) != 0 || rate == 0 ||
	    (has_chans && (parse_u32(chans, 255, &ch) != 0 || ch == 0)))
		return fail(ps, ERR_PROTO, "malformed rtpmap");
	if (c->clock)
		return fail(ps, ERR_PROTO, "repeated rtpmap");
	c->clock = rate;
	c->channels = (uint8_t)ch;
	if (copy(c->name, sizeof(c->name), name) != 0)
		c->name[0] = '\0'; /* no codec kamer knows has so long a name */
	return 0;
}

/* RFC 8866 6.15: a=fmtp:<pt> <parameters>; RFC 4588 8.1: apt=<pt> for rtx. */
static int parse_fmtp(struct parser *ps, struct str v)
{
	int err;
	struct sdp_codec *c = codec_of(ps, next_word(&v), &err);
	if (!c)
		return err;
	v = skip_sp(v);
	if (copy(c->fmtp, sizeof(c->fmtp), v) != 0)
		return fail(ps, ERR_LIMIT, "fmtp too long");
	c->apt_of = 0;
	for (struct str rest = v, param; rest.n;) {
		split(&rest, ';', &param);
		param = skip_sp(param);
		struct str key;
		uint32_t apt;
		if (split(&param, '=', &key) && str_eq(key, "apt")) {
			if (parse_u32(param, 127, &apt) != 0)
				return fail(ps, ERR_PROTO, "bad apt");
			c->apt_of = (uint8_t)apt;
		}
	}
	return 0;
}

/* RFC 4585 4.2: a=rtcp-fb:<pt|*> <type> [<param>]; RFC 5104 7.1 ccm fir. */
static int parse_rtcp_fb(struct parser *ps, struct str v)
{
	struct str pt = next_word(&v), type = next_word(&v), param = next_word(&v);
	struct sdp_codec *only = NULL;
	int err;
	if (!str_eq(pt, "*") && !(only = codec_of(ps, pt, &err)))
		return err;
	for (size_t i = 0; i < ps->m->ncodecs; i++) {
		struct sdp_codec *c = &ps->m->codecs[i];
		if (only && c != only)
			continue;
		if (str_eq(type, "nack") && param.n == 0)
			c->fb_nack = 1;
		else if (str_eq(type, "nack") && str_eq(param, "pli"))
			c->fb_pli = 1;
		else if (str_eq(type, "ccm") && str_eq(param, "fir"))
			c->fb_fir = 1;
		else if (str_eq(type, "goog-remb"))
			c->fb_remb = 1;
		else if (str_eq(type, "transport-cc"))
			c->fb_twcc = 1;
	}
	return 0;
}

/* RFC 8285 8: a=extmap:<id>["/"<direction>] <uri> [<attributes>] */
static int parse_extmap(struct parser *ps, struct str v)
{
	struct sdp_media *m = ps->m;
	struct str idw = next_word(&v), uri = next_word(&v), id;
	uint32_t n;
	split(&idw, '/', &id);
	/* RFC 8285 5: 1-14 for one-byte headers, up to 255 with two-byte ones. */
	if (parse_u32(id, 255, &n) != 0 || n == 0 || uri.n == 0)
		return fail(ps, ERR_PROTO, "malformed extmap");
	for (size_t i = 0; i < m->nexts; i++) {
		if (m->exts[i].id == n)
			return fail(ps, ERR_PROTO, "extmap id used twice");
	}
	if (uri.n >= sizeof(m->exts[0].uri))
		return 0; /* not one kamer uses */
	if (m->nexts == LIM_SDP_EXT)
		return fail(ps, ERR_LIMIT, "too many extmaps");
	m->exts[m->nexts].id = (uint8_t)n;
	copy(m->exts[m->nexts].uri, sizeof(m->exts[0].uri), uri);
	m->nexts++;
	return 0;
}

/* RFC 8830 2: msid-value = msid-id [ SP msid-appdata ], each 1*64 token-char. */
static int parse_msid(struct parser *ps, struct str v, char *stream, char *track)
{
	struct str id = next_word(&v), app = next_word(&v), extra = next_word(&v);
	if (!is_token(id) || id.n > MSID_MAX || (app.n && (!is_token(app) || app.n > MSID_MAX)) ||
	    extra.n)
		return fail(ps, ERR_PROTO, "malformed msid");
	copy(stream, MSID_MAX + 1, id);
	copy(track, MSID_MAX + 1, app);
	return 0;
}

/* RFC 5576 4.1: a=ssrc:<ssrc-id> <attribute>[:<value>] */
static int parse_ssrc(struct parser *ps, struct str v)
{
	struct sdp_media *m = ps->m;
	size_t idx;
	int err = ssrc_add(ps, next_word(&v), &idx);
	struct str name;
	if (err)
		return err;
	v = skip_sp(v);
	int has_value = split(&v, ':', &name);
	if (name.n == 0)
		return fail(ps, ERR_PROTO, "malformed ssrc");
	if (str_eq(name, "cname") && has_value && !m->cname[0]) {
		if (copy(m->cname, sizeof(m->cname), v) != 0)
			return fail(ps, ERR_LIMIT, "cname too long");
	} else if (str_eq(name, "msid") && has_value && !(ps->seen & SEEN_MSID) &&
	           !m->msid_stream[0]) {
		return parse_msid(ps, v, m->msid_stream, m->msid_track);
	}
	return 0;
}

/* RFC 5576 4.2: a=ssrc-group:<semantics> *(SP ssrc-id); RFC 4588 8.1: FID pairs rtx. */
static int parse_ssrc_group(struct parser *ps, struct str v)
{
	struct str sem = next_word(&v), w;
	size_t idx[2], n = 0;
	int err;
	while ((w = next_word(&v)).n) {
		size_t i;
		if ((err = ssrc_add(ps, w, &i)) != 0)
			return err;
		if (n < 2)
			idx[n] = i;
		n++;
	}
	if (str_eq(sem, "FID")) {
		if (n != 2 || idx[0] == idx[1])
			return fail(ps, ERR_PROTO, "ssrc-group:FID needs two ssrcs");
		ps->m->rtx_ssrc_of[idx[0]] = ps->m->ssrcs[idx[1]];
	}
	return 0;
}

/* RFC 5888 5: a=group:BUNDLE <mid> ... (RFC 8843 7); the first group only. */
static int parse_group(struct parser *ps, struct sdp *s, struct str v)
{
	struct str sem = next_word(&v), mid;
	if (!str_eq(sem, "BUNDLE") || s->nbundle)
		return 0;
	while ((mid = next_word(&v)).n) {
		if (!is_token(mid))
			return fail(ps, ERR_PROTO, "bad mid in BUNDLE");
		if (s->nbundle == LIM_SDP_MEDIA)
			return fail(ps, ERR_LIMIT, "too many mids in BUNDLE");
		for (size_t i = 0; i < s->nbundle; i++) {
			if (str_eq(mid, s->bundle[i]))
				return fail(ps, ERR_PROTO, "mid twice in BUNDLE");
		}
		if (copy(s->bundle[s->nbundle++], sizeof(s->bundle[0]), mid) != 0)
			return fail(ps, ERR_LIMIT, "mid too long");
	}
	return 0;
}

/* ice-ufrag, ice-pwd, fingerprint and setup: the same at session and media level. */
static int parse_transport(struct parser *ps, struct str name, struct str v, int *done)
{
	struct sdp *s = ps->out;
	struct sdp_media *m = ps->m;
	char *ufrag = m ? m->ice_ufrag : s->ice_ufrag;
	char *pwd = m ? m->ice_pwd : s->ice_pwd;
	*done = 1;
	if (str_eq(name, "ice-ufrag")) {
		/* RFC 8839 5.4: ice-ufrag = 4*256ice-char */
		if (v.n < 4 || !is_ice_chars(v))
			return fail(ps, ERR_PROTO, "bad ice-ufrag");
		if (copy(ufrag, UFRAG_CAP, v) != 0)
			return fail(ps, ERR_LIMIT, "ice-ufrag too long");
		return once(ps, SEEN_UFRAG, "repeated ice-ufrag");
	}
	if (str_eq(name, "ice-pwd")) {
		/* RFC 8839 5.4: ice-pwd = 22*256ice-char */
		if (v.n < 22 || !is_ice_chars(v))
			return fail(ps, ERR_PROTO, "bad ice-pwd");
		if (copy(pwd, PWD_CAP, v) != 0)
			return fail(ps, ERR_LIMIT, "ice-pwd too long");
		return once(ps, SEEN_PWD, "repeated ice-pwd");
	}
	if (str_eq(name, "fingerprint")) {
		/* RFC 8122 5: hash names are case-insensitive; only sha-256 is used. */
		struct str hash = next_word(&v), fp = next_word(&v), extra = next_word(&v);
		if (!str_ieq(hash, "sha-256"))
			return 0;
		if (extra.n || parse_fingerprint(fp, m ? m->fingerprint : s->fingerprint) != 0)
			return fail(ps, ERR_PROTO, "bad sha-256 fingerprint");
		*(m ? &m->has_fingerprint : &s->has_fingerprint) = 1;
		return once(ps, SEEN_FP, "repeated sha-256 fingerprint");
	}
	if (str_eq(name, "setup")) {
		/* RFC 4145 4; holdconn has no meaning for WebRTC (RFC 8842 5). */
		enum sdp_setup st = str_eq(v, "actpass")   ? SDP_SETUP_ACTPASS
		                    : str_eq(v, "active")  ? SDP_SETUP_ACTIVE
		                    : str_eq(v, "passive") ? SDP_SETUP_PASSIVE
		                                           : SDP_SETUP_NONE;
		if (st == SDP_SETUP_NONE)
			return fail(ps, ERR_PROTO, "bad setup");
		*(m ? &m->setup : &s->setup) = st;
		return once(ps, SEEN_SETUP, "repeated setup");
	}
	*done = 0;
	return 0;
}

static int parse_attr(struct parser *ps, struct str line)
{
	struct sdp_media *m = ps->m;
	struct str name, v = line;
	int done, err;
	split(&v, ':', &name);
	if (!is_token(name))
		return fail(ps, ERR_PROTO, "malformed attribute");
	if ((err = parse_transport(ps, name, v, &done)) != 0 || done)
		return err;

	/* RFC 8866 6.7: direction, at either level; the session's is the media's default. */
	static const char *const dirs[] = {"sendrecv", "sendonly", "recvonly", "inactive"};
	for (size_t d = 0; d < 4; d++) {
		if (str_eq(name, dirs[d])) {
			*(m ? &m->dir : &ps->sess_dir) = (enum sdp_dir)d;
			return once(ps, SEEN_DIR, "repeated direction");
		}
	}
	if (!m)
		return str_eq(name, "group") ? parse_group(ps, ps->out, v) : 0;

	if (str_eq(name, "mid")) {
		/* RFC 5888 4: identification-tag = token, unique in the description. */
		if (!is_token(v))
			return fail(ps, ERR_PROTO, "bad mid");
		if (copy(m->mid, sizeof(m->mid), v) != 0)
			return fail(ps, ERR_LIMIT, "mid too long");
		for (struct sdp_media *o = ps->out->media; o < m; o++) {
			if (strcmp(o->mid, m->mid) == 0)
				return fail(ps, ERR_PROTO, "mid used twice");
		}
		return once(ps, SEEN_MID, "repeated mid");
	}
	if (str_eq(name, "rtcp-mux"))
		m->rtcp_mux = 1;
	else if (str_eq(name, "rtcp-rsize"))
		m->rtcp_rsize = 1;
	else if (str_eq(name, "rid") || str_eq(name, "simulcast"))
		m->has_simulcast = 1; /* RFC 8851, RFC 8853 */
	else if (str_eq(name, "extmap"))
		return parse_extmap(ps, v);
	else if (str_eq(name, "ssrc"))
		return parse_ssrc(ps, v);
	else if (str_eq(name, "ssrc-group"))
		return parse_ssrc_group(ps, v);
	else if (str_eq(name, "msid") && !(ps->seen & SEEN_MSID)) {
		ps->seen |= SEEN_MSID; /* RFC 8830 2 allows several; the first names the track */
		return parse_msid(ps, v, m->msid_stream, m->msid_track);
	} else if (ps->rtp && str_eq(name, "rtpmap"))
		return parse_rtpmap(ps, v);
	else if (ps->rtp && str_eq(name, "fmtp"))
		return parse_fmtp(ps, v);
	else if (ps->rtp && str_eq(name, "rtcp-fb"))
		return parse_rtcp_fb(ps, v);
	return 0;
}

/* Session-level values are defaults for the media (RFC 8866 5, RFC 8839 5.4, RFC 8122 5). */
static void finish_media(struct parser *ps)
{
	struct sdp *s = ps->out;
	struct sdp_media *m = ps->m;
	if (!m)
		return;
	if (!(ps->seen & SEEN_DIR))
		m->dir = ps->sess_dir;
	if (!m->ice_ufrag[0])
		memcpy(m->ice_ufrag, s->ice_ufrag, UFRAG_CAP);
	if (!m->ice_pwd[0])
		memcpy(m->ice_pwd, s->ice_pwd, PWD_CAP);
	if (!m->has_fingerprint && s->has_fingerprint) {
		memcpy(m->fingerprint, s->fingerprint, 32);
		m->has_fingerprint = 1;
	}
	if (m->setup == SDP_SETUP_NONE)
		m->setup = s->setup;
	for (size_t i = 0; i < m->ncodecs; i++) {
		if (strcasecmp(m->codecs[i].name, "rtx") != 0)
			m->codecs[i].apt_of = 0;
	}
}

/* Fills empty session fields from the live m-sections when all that have a value agree,
   which is how JSEP writes a BUNDLE transport (RFC 8843 7). */
static void fill_session(struct sdp *s)
{
	const struct sdp_media *u = NULL, *p = NULL, *f = NULL, *st = NULL;
	int u_ok = !s->ice_ufrag[0], p_ok = !s->ice_pwd[0], f_ok = !s->has_fingerprint;
	int st_ok = s->setup == SDP_SETUP_NONE;
	for (size_t i = 0; i < s->nmedia; i++) {
		const struct sdp_media *m = &s->media[i];
		if (m->port == 0)
			continue;
		if (m->ice_ufrag[0] && u && strcmp(u->ice_ufrag, m->ice_ufrag))
			u_ok = 0;
		if (m->ice_pwd[0] && p && strcmp(p->ice_pwd, m->ice_pwd))
			p_ok = 0;
		if (m->has_fingerprint && f && memcmp(f->fingerprint, m->fingerprint, 32))
			f_ok = 0;
		if (m->setup != SDP_SETUP_NONE && st && st->setup != m->setup)
			st_ok = 0;
		u = m->ice_ufrag[0] && !u ? m : u;
		p = m->ice_pwd[0] && !p ? m : p;
		f = m->has_fingerprint && !f ? m : f;
		st = m->setup != SDP_SETUP_NONE && !st ? m : st;
	}
	if (u_ok && u)
		memcpy(s->ice_ufrag, u->ice_ufrag, UFRAG_CAP);
	if (p_ok && p)
		memcpy(s->ice_pwd, p->ice_pwd, PWD_CAP);
	if (f_ok && f) {
		memcpy(s->fingerprint, f->fingerprint, 32);
		s->has_fingerprint = 1;
	}
	if (st_ok && st)
		s->setup = st->setup;
}

static int parse_line(struct parser *ps, struct str line, int first)
{
	/* RFC 8866 5: <type>=<value>, the type one lower-case letter, v=0 first. */
	if (line.n < 2 || line.p[1] != '=' || line.p[0] < 'a' || line.p[0] > 'z')
		return fail(ps, ERR_PROTO, "line is not <type>=<value>");
	if (memchr(line.p, '\r', line.n))
		return fail(ps, ERR_PROTO, "bare CR in a line");
	char type = line.p[0];
	struct str v = {line.p + 2, line.n - 2};
	if (first != (type == 'v'))
		return fail(ps, ERR_PROTO, first ? "first line is not v=" : "repeated v=");
	switch (type) {
	case 'v': return str_eq(v, "0") ? 0 : fail(ps, ERR_PROTO, "version is not 0");
	case 'm': finish_media(ps); return parse_m(ps, v);
	case 'a': return parse_attr(ps, v);
	default:
		/* RFC 8866 5: a description with an unknown type letter is to be rejected. */
		if (!strchr("osiuepcbtrzk", type))
			return fail(ps, ERR_PROTO, "unknown line type");
		return 0;
	}
}

int sdp_parse(struct sdp *out, const char *text, size_t len, const char **why)
{
	struct parser ps = {.out = out, .sess_dir = SDP_SENDRECV};
	int err = 0;
	/* The media array is cleared one section at a time as m= lines arrive. */
	memset(out, 0, offsetof(struct sdp, media));
	out->nmedia = 0;
	if (!text || len == 0)
		err = fail(&ps, ERR_PROTO, "empty");
	else if (len > LIM_SDP_LEN)
		err = fail(&ps, ERR_LIMIT, "SDP too long");
	else if (memchr(text, '\0', len))
		err = fail(&ps, ERR_PROTO, "NUL in SDP");
	for (struct str rest = {text, len}, line; !err && rest.n;) {
		int first = rest.p == text;
		split(&rest, '\n', &line);
		if (line.n && line.p[line.n - 1] == '\r')
			line.n--;
		err = parse_line(&ps, line, first);
	}
	if (!err) {
		finish_media(&ps);
		fill_session(out);
	}
	if (why)
		*why = err ? ps.why : NULL;
	return err;
}

const struct sdp_codec *sdp_find_codec(const struct sdp_media *m, const char *name)
{
	for (size_t i = 0; m && name && i < m->ncodecs; i++) {
		if (strcasecmp(m->codecs[i].name, name) == 0)
			return &m->codecs[i];
	}
	return NULL;
}

uint8_t sdp_find_ext(const struct sdp_media *m, const char *uri)
{
	for (size_t i = 0; m && uri && i < m->nexts; i++) {
		if (strcmp(m->exts[i].uri, uri) == 0)
			return m->exts[i].id;
	}
	return 0;
}

/* ---- writer ---- */

/* Text into a caller's buffer; the first error sticks and stops all further output. */
struct wr {
	char *buf;
	size_t cap, len;
	int err;
};

__attribute__((format(printf, 2, 3))) static void put(struct wr *w, const char *fmt, ...)
{
	va_list ap;
	if (w->err)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->cap - w->len)
		w->err = ERR_LIMIT;
	else
		w->len += (size_t)n;
}

static int wr_begin(struct wr *w, char *buf, size_t cap)
{
	*w = (struct wr){.buf = buf, .cap = cap};
	if (!buf)
		return ERR_INVAL;
	if (cap == 0)
		return ERR_LIMIT;
	buf[0] = '\0';
	return 0;
}

static int wr_end(struct wr *w)
{
	if (!w->err && w->len > INT_MAX)
		w->err = ERR_LIMIT;
	if (w->err) {
		w->buf[0] = '\0'; /* no half an SDP */
		return w->err;
	}
	return (int)w->len;
}

/* Checks what the server puts in its SDP so that no value can break a line. */
static int check_local(const struct sdp_local *l, char *ipver)
{
	uint8_t fp[32], a[16];
	if (!l || !l->ice_ufrag || !l->ice_pwd || !l->fingerprint || !l->addr || l->port == 0)
		return ERR_INVAL;
	struct str u = cstr(l->ice_ufrag), p = cstr(l->ice_pwd);
	if (u.n < 4 || u.n >= UFRAG_CAP || !is_ice_chars(u) || p.n < 22 || p.n >= PWD_CAP ||
	    !is_ice_chars(p) || parse_fingerprint(cstr(l->fingerprint), fp) != 0)
		return ERR_INVAL;
	if (inet_pton(AF_INET, l->addr, a) == 1)
		*ipver = '4';
	else if (inet_pton(AF_INET6, l->addr, a) == 1)
		*ipver = '6';
	else
		return ERR_INVAL;
	return 0;
}

/* v=, o=, s=, c= when ipver is set (RFC 8866 5: before t=), t= and a=ice-lite. */
static void put_session(struct wr *w, const struct sdp_local *l, char ipver)
{
	/* JSEP 5.2.1: o= with "-" and IN IP4 127.0.0.1; RFC 8839 5.3: ice-lite at session level. */
	put(w, "v=0\r\no=- %" PRIu64 " %" PRIu64 " IN IP4 127.0.0.1\r\ns=-\r\n", l->session_id,
	    l->session_version);
	if (ipver)
		put(w, "c=IN IP%c %s\r\n", ipver, l->addr);
	put(w, "t=0 0\r\na=ice-lite\r\n");
}

/* ICE credentials, fingerprint and DTLS role: at session or media level alike. */
static void put_credentials(struct wr *w, const struct sdp_local *l, const char *setup)
{
	put(w, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", l->ice_ufrag, l->ice_pwd);
	put(w, "a=fingerprint:sha-256 %s\r\na=setup:%s\r\n", l->fingerprint, setup);
}

static void put_transport(struct wr *w, const struct sdp_local *l, char ipver, const char *setup)
{
	put(w, "c=IN IP%c %s\r\n", ipver, l->addr);
	put_credentials(w, l, setup);
}

static void put_candidate(struct wr *w, const struct sdp_local *l)
{
	/* RFC 8839 5.1; priority (126 << 24) | (65535 << 8) | 255 for the one host candidate. */
	put(w, "a=candidate:1 1 udp 2130706431 %s %u typ host\r\na=end-of-candidates\r\n", l->addr,
	    (unsigned)l->port);
}

static void put_vp8_fb(struct wr *w, uint8_t pt, int remb, int fir, int nack, int pli)
{
	if (remb)
		put(w, "a=rtcp-fb:%u goog-remb\r\n", (unsigned)pt);
	if (fir)
		put(w, "a=rtcp-fb:%u ccm fir\r\n", (unsigned)pt);
	if (nack)
		put(w, "a=rtcp-fb:%u nack\r\n", (unsigned)pt);
	if (pli)
		put(w, "a=rtcp-fb:%u nack pli\r\n", (unsigned)pt);
}

/* Opus at 48000/2 (RFC 7587 7) or VP8 at 90000 (RFC 7741 6.1), the first one offered. */
static const struct sdp_codec *answer_codec(const struct sdp_media *m)
{
	int audio = m->kind == SDP_AUDIO;
	if (!audio && m->kind != SDP_VIDEO)
		return NULL;
	for (size_t i = 0; i < m->ncodecs; i++) {
		const struct sdp_codec *c = &m->codecs[i];
		if (strcasecmp(c->name, audio ? "opus" : "VP8") == 0 &&
		    c->clock == (audio ? 48000u : 90000u) && (!audio || c->channels == 2))
			return c;
	}
	return NULL;
}

static int in_bundle(const struct sdp *s, const char *mid)
{
	for (size_t i = 0; i < s->nbundle && i < LIM_SDP_MEDIA; i++) {
		if (strcmp(s->bundle[i], mid) == 0)
			return 1;
	}
	return 0;
}

int sdp_publish_accepts(const struct sdp *offer, size_t i)
{
	if (!offer || i >= offer->nmedia || i >= LIM_SDP_MEDIA)
		return 0;
	const struct sdp_media *m = &offer->media[i];
	/* JSEP 5.3.1: unsupported protos are rejected; RFC 8843 7.3: one BUNDLE transport,
	   which WebRTC always muxes (RFC 8829 5.1.3). */
	return m->port != 0 && strcmp(m->proto, PROTO) == 0 && m->rtcp_mux && m->mid[0] &&
	       in_bundle(offer, m->mid) && answer_codec(m) != NULL;
}

/* Anything echoed from the offer must hold no control characters: it came from sdp_parse,
   but the struct is the caller's. */
static int clean(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n == cap)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	}
	return 1;
}

static int put_answer_media(struct wr *w, const struct sdp *offer, size_t i,
                            const struct sdp_local *l, char ipver)
{
	const struct sdp_media *m = &offer->media[i];
	if (!clean(m->type, sizeof(m->type)) || !clean(m->proto, sizeof(m->proto)) ||
	    !clean(m->fmt0, sizeof(m->fmt0)) || !clean(m->mid, sizeof(m->mid)) || !m->type[0] ||
	    !m->proto[0] || !m->fmt0[0])
		return ERR_PROTO;
	if (!sdp_publish_accepts(offer, i)) {
		/* RFC 8829 5.3.1: a rejected section keeps its media, proto and a format. */
		put(w, "m=%s 0 %s %s\r\nc=IN IP4 0.0.0.0\r\n", m->type, m->proto, m->fmt0);
		if (m->mid[0])
			put(w, "a=mid:%s\r\n", m->mid);
		put(w, "a=inactive\r\n");
		return 0;
	}
	/* RFC 8842 5.3: kamer is always the DTLS server, so it cannot answer passive. */
	if (m->setup == SDP_SETUP_PASSIVE)
		return ERR_PROTO;
	const struct sdp_codec *c = answer_codec(m);
	unsigned pt = c->pt;
	if (!clean(c->name, sizeof(c->name)) || !clean(c->fmtp, sizeof(c->fmtp)))
		return ERR_PROTO;
	put(w, "m=%s %u %s %u\r\n", m->type, (unsigned)l->port, PROTO, pt);
	put_transport(w, l, ipver, "passive");
	put(w, "a=mid:%s\r\n", m->mid);
	/* No a=extmap-allow-mixed is answered, so only one-byte ids (RFC 8285 4.2, 6). */
	for (size_t e = 0; e < m->nexts; e++) {
		const char *u = m->exts[e].uri;
		if (m->exts[e].id > 14)
			continue;
		if (!strcmp(u, URI_LEVEL) || !strcmp(u, URI_MID) || !strcmp(u, URI_AST))
			put(w, "a=extmap:%u %s\r\n", (unsigned)m->exts[e].id, u);
	}
	/* RFC 3264 6.1: we only receive; a section the offerer does not send on goes idle. */
	int sends = m->dir == SDP_SENDONLY || m->dir == SDP_SENDRECV;
	put(w, "a=%s\r\na=rtcp-mux\r\n", sends ? "recvonly" : "inactive");
	if (m->kind == SDP_AUDIO)
		put(w, "a=rtpmap:%u %s/%" PRIu32 "/%u\r\n", pt, c->name, c->clock,
		    (unsigned)c->channels);
	else
		put(w, "a=rtpmap:%u %s/%" PRIu32 "\r\n", pt, c->name, c->clock);
	/* RFC 4585 4.2: an answer only keeps feedback that was offered. */
	if (m->kind == SDP_VIDEO)
		put_vp8_fb(w, c->pt, c->fb_remb, c->fb_fir, c->fb_nack, c->fb_pli);
	if (c->fmtp[0])
		put(w, "a=fmtp:%u %s\r\n", pt, c->fmtp);
	put_candidate(w, l);
	return 0;
}

int sdp_write_publish_answer(char *buf, size_t cap, const struct sdp *offer,
                             const struct sdp_local *l)
{
	struct wr w;
	char ipver;
	int err = wr_begin(&w, buf, cap);
	if (err)
		return err;
	if (!offer || offer->nmedia > LIM_SDP_MEDIA || offer->nbundle > LIM_SDP_MEDIA ||
	    check_local(l, &ipver) != 0)
		return ERR_INVAL;
	size_t accepted = 0;
	for (size_t i = 0; i < offer->nmedia; i++)
		accepted += (size_t)sdp_publish_accepts(offer, i);
	if (accepted == 0)
		return ERR_PROTO;

	put_session(&w, l, 0);
	/* RFC 8843 7.3: the answer's group is the accepted part of the offer's, in its order. */
	put(&w, "a=group:BUNDLE");
	for (size_t b = 0; b < offer->nbundle; b++) {
		for (size_t i = 0; i < offer->nmedia; i++) {
			if (!strcmp(offer->media[i].mid, offer->bundle[b]) &&
			    sdp_publish_accepts(offer, i))
				put(&w, " %s", offer->bundle[b]);
		}
	}
	put(&w, "\r\na=msid-semantic: WMS *\r\n");
	for (size_t i = 0; i < offer->nmedia; i++) {
		if ((err = put_answer_media(&w, offer, i, l, ipver)) != 0) {
			buf[0] = '\0';
			return err;
		}
	}
	return wr_end(&w);
}

/* A value the offer carries as one word: 1..max token characters (RFC 8866 9). */
static int good_token(const char *s, size_t max)
{
	return s && strnlen(s, max + 1) <= max && is_token(cstr(s));
}

static int check_track(const struct sdp_out_track *t)
{
	if (t->kind != SDP_AUDIO && t->kind != SDP_VIDEO)
		return ERR_INVAL;
	if (!good_token(t->mid, sizeof(((struct sdp_media *)0)->mid) - 1))
		return ERR_INVAL;
	if (!t->active)
		return 0;
	/* RFC 8830 2 for the ids; RFC 5576 4.1 with RFC 3550 6.5: cname up to 255 bytes. */
	if (!good_token(t->stream_id, MSID_MAX) || !good_token(t->track_id, MSID_MAX) ||
	    !t->cname || !t->cname[0] || strnlen(t->cname, 256) > 255)
		return ERR_INVAL;
	for (const char *c = t->cname; *c; c++) {
		if (*c <= ' ' || *c == 0x7f)
			return ERR_INVAL;
	}
	return 0;
}

/* One m-section of a subscribe offer. The transport (c=, ICE credentials, fingerprint,
   setup) is the session's; the host candidate goes in the first section only, whose
   transport BUNDLE makes everyone's (RFC 8843 7.1.3). An offer for a room carries a section
   per track of every other participant, and every join sends one to everyone: with the
   transport in each, it would be about twice as long. */
static void put_offer_media(struct wr *w, const struct sdp_out_track *t, const struct sdp_local *l,
                            int first)
{
	int audio = t->kind == SDP_AUDIO;
	put(w, "m=%s %u %s %u\r\n", audio ? "audio" : "video", (unsigned)l->port, PROTO,
	    audio ? 111u : 96u);
	put(w, "a=mid:%s\r\n", t->mid);
	if (t->active)
		put(w, "a=sendonly\r\na=msid:%s %s\r\n", t->stream_id, t->track_id);
	else
		put(w, "a=inactive\r\n");
	put(w, "a=rtcp-mux\r\na=rtcp-rsize\r\n");
	if (audio) {
		put(w, "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n");
	} else {
		put(w, "a=rtpmap:96 VP8/90000\r\n");
		put_vp8_fb(w, 96, 1, 1, 1, 1);
	}
	if (t->active) /* a=msid names the stream (RFC 8830); the SSRC needs only its cname */
		put(w, "a=ssrc:%" PRIu32 " cname:%s\r\n", t->ssrc, t->cname);
	if (first)
		put_candidate(w, l);
}

int sdp_write_subscribe_offer(char *buf, size_t cap, const struct sdp_out_track *t, size_t ntracks,
                              const struct sdp_local *l)
{
	struct wr w;
	char ipver;
	int err = wr_begin(&w, buf, cap);
	if (err)
		return err;
	if (!t || ntracks == 0 || check_local(l, &ipver) != 0)
		return ERR_INVAL;
	/* The answer has as many sections, and sdp_parse takes at most LIM_SDP_MEDIA. */
	if (ntracks > LIM_SDP_MEDIA)
		return ERR_LIMIT;
	for (size_t i = 0; i < ntracks; i++) {
		if (check_track(&t[i]) != 0)
			return ERR_INVAL;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(t[i].mid, t[j].mid) == 0)
				return ERR_INVAL; /* RFC 5888 4: mids are unique */
		}
	}

	put_session(&w, l, ipver);
	put_credentials(&w, l, "actpass");
	put(&w, "a=group:BUNDLE");
	for (size_t i = 0; i < ntracks; i++)
		put(&w, " %s", t[i].mid);
	put(&w, "\r\na=msid-semantic: WMS *\r\n");
	for (size_t i = 0; i < ntracks; i++)
		put_offer_media(&w, &t[i], l, i == 0);
	return wr_end(&w);
}
