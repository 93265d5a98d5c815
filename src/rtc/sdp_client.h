/* sdp_client.h - the SDP a WebRTC client writes (JSEP RFC 8829): a publish offer with Opus
 * and VP8, and answers to a server's offers; and the host candidate a server announces.
 * kamer-load uses these; kamerd's own SDP is in sdp.h. */
#ifndef KAMER_RTC_SDP_CLIENT_H
#define KAMER_RTC_SDP_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/err.h"
#include "rtc/sdp.h"

#define SDP_CLIENT_PT_OPUS  111
#define SDP_CLIENT_PT_VP8   96
#define SDP_URI_AUDIO_LEVEL "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

/* What a client puts in its SDP. Strings are required unless marked optional. */
struct sdp_client_local {
	const char *ice_ufrag, *ice_pwd; /* RFC 8839 5.4: 4..256 and 22..256 ice-chars */
	const char *fingerprint;         /* "AB:CD:..." sha-256 */
	const char *cname;               /* 1..63 token characters */
	const char *stream_id;           /* msid stream id, 1..64 token characters */
	const char *cand_addr;           /* optional: a host candidate's IPv4/IPv6 literal */
	uint16_t cand_port;
	uint64_t session_id;
};

/* Publish offer: BUNDLE of mid "0" (audio, if audio_ssrc) and "1" (video, if video_ssrc),
   each sendonly with a=setup:actpass, rtcp-mux, rtcp-rsize, the ICE credentials and
   fingerprint, a=msid and a=ssrc cname/msid; audio offers opus/48000/2 as PT 111 with
   the ssrc-audio-level extmap as id audio_level_ext (1..14); video offers VP8/90000 as
   PT 96 with nack, nack pli, ccm fir and goog-remb. With cand_addr, one host candidate.
   Returns the length of the NUL-terminated text, ERR_INVAL for a bad argument (no ssrc
   at all, a bad id or string), ERR_LIMIT if it does not fit (buf then holds ""). */
int sdp_write_client_offer(char *buf, size_t cap, const struct sdp_client_local *l,
                           uint32_t audio_ssrc, uint32_t video_ssrc,
                           uint8_t audio_level_ext) WARN_UNUSED;

/* Answer to a server's offer: every m-section in order with its mid; those with a port,
   UDP/TLS/RTP/SAVPF, rtcp-mux, and opus (audio) or VP8 (video) are accepted: recvonly
   (inactive when the offer's section is recvonly or inactive), that one codec with its
   PT, rtpmap and fmtp, nack and nack pli for VP8, rtcp-mux, rtcp-rsize if offered, and
   a=setup:active unless the offer says a=setup:active (then passive); the rest gets port
   0. BUNDLE of the accepted mids in the offer's order. Returns the length, ERR_PROTO if
   nothing can be accepted, ERR_INVAL, or ERR_LIMIT (buf then holds ""). */
int sdp_write_client_answer(char *buf, size_t cap, const struct sdp *offer,
                            const struct sdp_client_local *l) WARN_UNUSED;

/* The first a=candidate in text (NUL not required) that is UDP, component 1, with an
   IPv4 or IPv6 literal address and a port 1..65535 (RFC 8839 5.1): 0 and *out set, or
   ERR_NOTFOUND if there is none. Malformed candidate lines are skipped. len over
   LIM_SDP_LEN is ERR_LIMIT. Pure: reads only text[0..len). */
int sdp_find_candidate(const char *text, size_t len, struct sockaddr_storage *out) WARN_UNUSED;

#endif
