/* sdp.h - the SDP that WebRTC needs (RFC 8866, JSEP RFC 8829): parse Chromium's offers and
 * answers into a fixed-size struct, and write kamer's publish answers and subscribe offers. */
#ifndef KAMER_RTC_SDP_H
#define KAMER_RTC_SDP_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/limits.h"

enum sdp_kind { SDP_AUDIO, SDP_VIDEO, SDP_APPLICATION, SDP_OTHER };
enum sdp_dir { SDP_SENDRECV, SDP_SENDONLY, SDP_RECVONLY, SDP_INACTIVE };
enum sdp_setup { SDP_SETUP_NONE, SDP_SETUP_ACTPASS, SDP_SETUP_ACTIVE, SDP_SETUP_PASSIVE };

/* Bytes of "AB:CD:..." for a SHA-256 fingerprint, without the NUL. */
#define SDP_FINGERPRINT_LEN 95

/* One payload type of an RTP m-section, from the m= line and its rtpmap/fmtp/rtcp-fb. */
struct sdp_codec {
	uint8_t pt;
	char name[16];    /* rtpmap encoding name as written ("opus", "VP8"); "" if none */
	uint32_t clock;   /* rtpmap clock rate; 0 if no rtpmap */
	uint8_t channels; /* rtpmap channels; 1 for audio and 0 otherwise if not given */
	char fmtp[128];   /* a=fmtp parameters, verbatim */
	uint8_t apt_of;   /* for rtx: the apt= payload type, else 0 (RFC 4588 8.1) */
	unsigned fb_nack : 1, fb_pli : 1, fb_fir : 1, fb_remb : 1, fb_twcc : 1;
};

struct sdp_ext {
	uint8_t id; /* 1..255 (RFC 8285 5) */
	char uri[96];
};

struct sdp_media {
	enum sdp_kind kind;
	char type[16]; /* the m= media token ("audio", "text"), echoed when rejecting */
	uint16_t port; /* 0 = rejected */
	char proto[32];
	char fmt0[32]; /* the first <fmt> of the m= line, echoed when rejecting */
	char mid[32];  /* "" if absent */
	enum sdp_dir dir;
	int rtcp_mux, rtcp_rsize;
	char ice_ufrag[64], ice_pwd[128]; /* own, else the session's */
	uint8_t fingerprint[32];          /* sha-256 only; own, else the session's */
	int has_fingerprint;
	enum sdp_setup setup;                /* own, else the session's */
	struct sdp_codec codecs[LIM_SDP_PT]; /* in m= line order; only for RTP protos */
	size_t ncodecs;
	struct sdp_ext exts[LIM_SDP_EXT];
	size_t nexts;
	uint32_t ssrcs[LIM_SDP_SSRC]; /* a=ssrc and a=ssrc-group, in order of first appearance */
	size_t nssrcs;
	uint32_t rtx_ssrc_of[LIM_SDP_SSRC];   /* ssrc-group:FID: rtx ssrc of ssrcs[i], 0 if none */
	char cname[64];                       /* the first a=ssrc cname */
	char msid_stream[65], msid_track[65]; /* a=msid, else the first a=ssrc msid (RFC 8830) */
	int has_simulcast;                    /* a=simulcast or a=rid present */
};

struct sdp {
	char ice_ufrag[64], ice_pwd[128]; /* session level, else the media's if all agree */
	uint8_t fingerprint[32];          /* likewise */
	int has_fingerprint;
	enum sdp_setup setup;           /* likewise */
	char bundle[LIM_SDP_MEDIA][32]; /* mids of the first a=group:BUNDLE */
	size_t nbundle;
	struct sdp_media media[LIM_SDP_MEDIA];
	size_t nmedia;
};

/* Parses an offer or answer (about 0.9 MB: allocate it, never put it on a stack).
   Everything is copied into *out, so text may be freed afterwards; text need not be
   NUL-terminated. Returns 0, or a negative ERR_* with a short static reason in *why
   (why may be NULL; set to NULL on success); *out is then unspecified.
   - ERR_LIMIT: len over LIM_SDP_LEN; over LIM_SDP_MEDIA m-sections, LIM_SDP_PT payload
     types, LIM_SDP_EXT extmaps or LIM_SDP_SSRC ssrcs in one section; a value longer than
     its field (mid, ice-ufrag, ice-pwd, fmtp, cname, proto, media token). Extmap URIs and
     rtpmap names too long for their field are skipped instead: nothing kamer uses is.
   - ERR_PROTO: first line not "v=0"; a line not of the form "x=..." with a known type
     letter, or holding a NUL or a bare CR; malformed m=, rtpmap, extmap, ssrc, mid,
     setup, ice-ufrag/ice-pwd (RFC 8839 5.4 characters and lengths), sha-256 fingerprint
     (other hashes are ignored); a repeated mid, ice-ufrag, ice-pwd, sha-256 fingerprint,
     setup, direction or rtpmap in one scope; a mid used twice.
   Lines end in "\r\n" or "\n"; the last may be unterminated. Unknown attributes are
   ignored (RFC 8866 5.13). Session-level ICE credentials, fingerprint, setup and
   direction apply to media that lack their own; media-level values, if all that are
   given agree, fill the empty session fields. Session-level extmaps are ignored. */
int sdp_parse(struct sdp *out, const char *text, size_t len, const char **why) WARN_UNUSED;

/* The first codec named name (case-insensitive: "opus", "VP8") in m, or NULL. */
const struct sdp_codec *sdp_find_codec(const struct sdp_media *m, const char *name);

/* The extmap id for uri (exact match) in m, or 0. */
uint8_t sdp_find_ext(const struct sdp_media *m, const char *uri);

/* What the server puts in its own SDP. All strings are required. */
struct sdp_local {
	const char *ice_ufrag, *ice_pwd; /* RFC 8839 5.4: 4..63 and 22..127 ice-chars */
	const char *fingerprint;         /* "AB:CD:..." sha-256, as from sdp_fingerprint_format */
	const char *addr;                /* candidate address, an IPv4 or IPv6 literal */
	uint16_t port;                   /* the one media UDP port */
	uint64_t session_id, session_version;
};

/* 1 if sdp_write_publish_answer accepts offer->media[i]: port not 0, UDP/TLS/RTP/SAVPF,
   a=rtcp-mux, its mid in the offer's BUNDLE group, and audio with opus/48000/2 or video
   with VP8/90000. The caller should publish tracks only from these sections. */
int sdp_publish_accepts(const struct sdp *offer, size_t i);

/* Answer to a publish offer (JSEP 5.3): session-level a=ice-lite; BUNDLE of the accepted
   mids in the order of the offer's group; every m-section in offer order with its mid.
   Accepted sections (sdp_publish_accepts) carry ice-ufrag/ice-pwd/fingerprint,
   setup:passive, rtcp-mux, recvonly (inactive if the offer is recvonly or inactive), and
   only opus (its PT, rtpmap and fmtp from the offer, no rtcp-fb) or only VP8 (its PT,
   rtpmap, fmtp, and those of nack, nack pli, ccm fir, goog-remb that were offered; no
   RTX); the offer's ssrc-audio-level, sdes:mid and abs-send-time extmaps if their ids are
   one-byte (1..14, as no extmap-allow-mixed is answered); one host candidate and
   a=end-of-candidates. Other sections get port 0, their mid and a=inactive.
   Writes NUL-terminated text to buf and returns its length. ERR_LIMIT if it does not fit
   (buf then holds ""), ERR_INVAL for a bad l, ERR_PROTO if the offer has nothing to
   accept or an accepted section insists on a=setup:passive (kamer is always the DTLS
   server, RFC 8842 5.3). */
int sdp_write_publish_answer(char *buf, size_t cap, const struct sdp *offer,
                             const struct sdp_local *l) WARN_UNUSED;

/* One m-section the server offers to a subscriber. */
struct sdp_out_track {
	enum sdp_kind kind;    /* SDP_AUDIO or SDP_VIDEO */
	const char *mid;       /* token of 1..31 chars, stable for the life of the connection */
	int active;            /* 1 = sendonly with the ssrc/msid below, 0 = a=inactive */
	uint32_t ssrc;         /* publisher's ssrc, forwarded unchanged */
	const char *stream_id; /* msid stream id = publisher's participant id (1..64 token chars) */
	const char *track_id;  /* msid track id (1..64 token chars) */
	const char *cname;     /* 1..255 visible characters */
};

/* Subscribe offer: c=, a=ice-lite, the ICE credentials, the fingerprint and a=setup:actpass
   at session level, BUNDLE of all mids, rtcp-mux, rtcp-rsize;
   audio offers opus PT 111 (48000/2, minptime=10;useinbandfec=1), video VP8 PT 96 with
   nack, nack pli, ccm fir, goog-remb; no extmaps (forwarded packets keep the publisher's
   extension ids, which the subscriber must ignore); active sections are sendonly with
   a=msid and a=ssrc cname, inactive ones only a=inactive; every section keeps the real
   port, and the first one has the host candidate. stream_id, track_id and cname are needed
   only for active tracks. Returns the length, ERR_INVAL for ntracks == 0, a bad track (bad kind,
   mid, ids; a mid used twice) or a bad l, ERR_LIMIT for over LIM_SDP_MEDIA tracks (the
   answer could not be parsed) or output that does not fit (buf then holds ""). */
int sdp_write_subscribe_offer(char *buf, size_t cap, const struct sdp_out_track *t, size_t ntracks,
                              const struct sdp_local *l) WARN_UNUSED;

/* "AB:CD:..." (upper-case hex, RFC 8122 5) for a SHA-256 digest: returns 95, or ERR_LIMIT
   if cap < 96. */
int sdp_fingerprint_format(char *out, size_t cap, const uint8_t sha256[32]);

#endif
