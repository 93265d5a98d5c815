/* srtp_gcm.h - SRTP and SRTCP with AEAD_AES_128_GCM (RFC 7714) on OpenSSL EVP.
 *
 * One context protects or unprotects one direction of a DTLS-SRTP association, for any
 * number of SSRCs up to LIM_SRTP_SSRCS. Its two cipher contexts (SRTP, SRTCP) are keyed
 * once, so a packet costs no allocation: a context allocates only when it meets an SSRC
 * it does not know yet (on unprotect, after the packet authenticated).
 *
 * Per SSRC it keeps the highest packet index (RFC 3711 3.3.1, ROC estimation as in its
 * Appendix A; a new stream's packet with SEQ below 2^15 that fails under ROC 0 is tried
 * under ROC 1 too, for a sender that began just short of the wrap and lost its first
 * packets) and, on unprotect, replay windows of 1024 SRTP and 128 SRTCP indexes, the
 * sizes libsrtp uses for kamer. On protect the same packet may be protected again and
 * gives the same bytes (libsrtp's allow_repeat_tx): kamerd answers NACKs that way.
 * Different bytes under an SSRC and index used before would reuse GCM's nonce: protect
 * keeps 4 bytes of each tag of the last 1024 indexes and refuses (ERR_REPLAY, the
 * output wiped) a packet whose tag differs from the one sealed before under its index,
 * and any index further back than that. */
#ifndef KAMER_RTC_SRTP_GCM_H
#define KAMER_RTC_SRTP_GCM_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define SRTP_GCM_KEY_LEN  16 /* master and session key (RFC 7714 14.2) */
#define SRTP_GCM_SALT_LEN 12 /* master and session salt (RFC 7714 11) */
#define SRTP_GCM_TAG_LEN  16 /* AEAD_AES_128_GCM's full tag (RFC 7714 12) */
/* What protecting adds: the tag; for SRTCP also the E flag and index (RFC 7714 9.1). */
#define SRTP_GCM_RTP_OVERHEAD  SRTP_GCM_TAG_LEN
#define SRTP_GCM_RTCP_OVERHEAD (SRTP_GCM_TAG_LEN + 4)

enum srtp_gcm_dir { SRTP_GCM_PROTECT, SRTP_GCM_UNPROTECT };

/* Session keys and salts (RFC 3711 4.3), as srtp_gcm_new derives them. */
struct srtp_gcm_keys {
	uint8_t rtp_key[SRTP_GCM_KEY_LEN], rtp_salt[SRTP_GCM_SALT_LEN];
	uint8_t rtcp_key[SRTP_GCM_KEY_LEN], rtcp_salt[SRTP_GCM_SALT_LEN];
};

struct srtp_gcm;
/* A context from a DTLS-SRTP master key and salt (RFC 5764 4.2): session keys are derived
   with the AES-CM PRF, key_derivation_rate 0. NULL on failure. The caller keeps (and
   wipes) its copies. */
struct srtp_gcm *srtp_gcm_new(enum srtp_gcm_dir dir, const uint8_t key[SRTP_GCM_KEY_LEN],
                              const uint8_t salt[SRTP_GCM_SALT_LEN]);
/* A context from session keys directly (RFC 7714's test vectors give those). */
struct srtp_gcm *srtp_gcm_new_session(enum srtp_gcm_dir dir, const struct srtp_gcm_keys *k);
/* Wipes the keys and frees; NULL is fine. */
void srtp_gcm_free(struct srtp_gcm *g);

/* In place; p must have room for *len + SRTP_GCM_RTP_OVERHEAD (RTCP_OVERHEAD) bytes, and
   *len is updated. 0; ERR_PROTO if p is not an RTP packet (RTCP: shorter than 8 bytes or
   not version 2); ERR_LIMIT when the context already keeps LIM_SRTP_SSRCS other SSRCs, or
   an index would wrap (2^48 SRTP, 2^31 SRTCP packets: the keys must be changed); ERR_REPLAY
   (RTP) for an index used before with other bytes, or too far back (see above);
   ERR_NOMEM; ERR_INVAL on an unprotect context. */
int srtp_gcm_protect_rtp(struct srtp_gcm *g, uint8_t *p, size_t *len) WARN_UNUSED;
int srtp_gcm_protect_rtcp(struct srtp_gcm *g, uint8_t *p, size_t *len) WARN_UNUSED;

/* In place; *len is updated on success. 0; ERR_PROTO if malformed (too short for its
   header and tag); ERR_AUTH if the tag does not verify (forged, damaged, other keys);
   ERR_REPLAY if it verifies but its index was accepted before or is older than the
   window; ERR_LIMIT or ERR_NOMEM for a new SSRC that cannot be kept; ERR_INVAL on a
   protect context. On any failure the bytes at p are unspecified. SRTCP packets that are
   authenticated but not encrypted (E = 0, RFC 7714 9.3) are accepted, as libsrtp does. */
int srtp_gcm_unprotect_rtp(struct srtp_gcm *g, uint8_t *p, size_t *len) WARN_UNUSED;
int srtp_gcm_unprotect_rtcp(struct srtp_gcm *g, uint8_t *p, size_t *len) WARN_UNUSED;

/* The AES-CM PRF of RFC 3711 4.3.1/4.3.3 with key_derivation_rate 0: n bytes for label
   from a 16-byte master key and a master salt of salt_len <= 14 bytes; a shorter salt (RFC
   7714's 12 bytes) is padded with zeros on the right, as libsrtp does. 0 or ERR_INVAL,
   ERR_NOMEM. */
int srtp_gcm_kdf(uint8_t *out, size_t n, const uint8_t key[SRTP_GCM_KEY_LEN], const uint8_t *salt,
                 size_t salt_len, uint8_t label) WARN_UNUSED;

#endif
