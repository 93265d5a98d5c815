/* srtp.h - SRTP and SRTCP sessions keyed from DTLS (RFC 5764): AEAD_AES_128_GCM (RFC 7714)
 * on OpenSSL EVP (srtp_gcm.h), AES-CM-128-HMAC-SHA1-80 on libsrtp2. */
#ifndef KAMER_RTC_SRTP_H
#define KAMER_RTC_SRTP_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "rtc/dtls.h"

/* Bytes an SRTP/SRTCP packet may grow by when protected (tag + SRTCP index + MKI). */
#define SRTP_SESS_OVERHEAD 32

/* Call once per process before any session, and srtp_sess_global_done() at exit. */
int srtp_sess_global_init(void) WARN_UNUSED;
void srtp_sess_global_done(void);

struct srtp_sess;
/* An inbound and an outbound context from DTLS keys; NULL on failure. */
struct srtp_sess *srtp_sess_new(const struct dtls_keys *k);
void srtp_sess_free(struct srtp_sess *s);

/* In place. *len is updated. 0; ERR_AUTH when authentication fails; ERR_REPLAY when an
   authentic packet fails the replay check; ERR_PROTO when the packet is malformed;
   ERR_LIMIT or ERR_NOMEM when a new SSRC cannot be kept (the GCM profile). */
int srtp_sess_unprotect_rtp(struct srtp_sess *s, uint8_t *p, size_t *len) WARN_UNUSED;
int srtp_sess_unprotect_rtcp(struct srtp_sess *s, uint8_t *p, size_t *len) WARN_UNUSED;
/* In place; p must have room for *len + SRTP_SESS_OVERHEAD bytes. */
int srtp_sess_protect_rtp(struct srtp_sess *s, uint8_t *p, size_t *len) WARN_UNUSED;
int srtp_sess_protect_rtcp(struct srtp_sess *s, uint8_t *p, size_t *len) WARN_UNUSED;

#endif
