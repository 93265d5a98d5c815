/* dtls.h - DTLS 1.2 for DTLS-SRTP (RFC 5764) on OpenSSL, without sockets: the server
 * role for kamerd, and the client role too for clients such as kamer-load.
 *
 * Records arrive through dtls_feed(); records to send leave through the send
 * callback, one datagram per call. After the handshake the peer's certificate
 * must match the fingerprint from its SDP (RFC 8122), or the connection fails. */
#ifndef KAMER_RTC_DTLS_H
#define KAMER_RTC_DTLS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* SRTP protection profiles (RFC 5764 s4.1.2, RFC 7714 s14.2). */
enum dtls_srtp_profile {
	DTLS_SRTP_NONE = 0,
	DTLS_SRTP_AES128_CM_SHA1_80 = 1,
	DTLS_SRTP_AEAD_AES_128_GCM = 7
};

/* Keying material (RFC 5764 s4.2): big enough for the largest profile we use. */
struct dtls_keys {
	enum dtls_srtp_profile profile;
	size_t key_len, salt_len;
	uint8_t local_key[32], local_salt[14];   /* what we protect with */
	uint8_t remote_key[32], remote_salt[14]; /* what the peer protects with */
};

/* One certificate and SSL_CTX shared by all connections. */
struct dtls_ctx;
/* A context for server connections only (kamerd). */
struct dtls_ctx *dtls_ctx_new(void);
/* A context whose connections may take either role, with one certificate: a client puts
   its fingerprint in an offer before the answer's a=setup tells it which role it plays.
   Its connections resend a flight as a browser does: first after 50 ms, then doubling. */
struct dtls_ctx *dtls_ctx_new_peer(void);
void dtls_ctx_free(struct dtls_ctx *c);
/* Our certificate's SHA-256 fingerprint as "AB:CD:..." for SDP. */
const char *dtls_ctx_fingerprint(const struct dtls_ctx *c);

typedef void (*dtls_send_fn)(void *arg, const uint8_t *p, size_t len);

struct dtls;
/* A server-side connection that expects a peer certificate with this SHA-256 digest. */
struct dtls *dtls_new(struct dtls_ctx *c, const uint8_t peer_fp[32], dtls_send_fn send, void *arg);
/* A client-side connection (needs a dtls_ctx_new_peer context, else NULL). Nothing is sent
   until dtls_start(). */
struct dtls *dtls_new_client(struct dtls_ctx *c, const uint8_t peer_fp[32], dtls_send_fn send,
                             void *arg);
void dtls_free(struct dtls *d);

enum dtls_state { DTLS_HANDSHAKING, DTLS_CONNECTED, DTLS_FAILED, DTLS_CLOSED };

/* Feeds one received datagram. Returns the new state. When it first becomes
   DTLS_CONNECTED, the keys are in *keys (and wiped from the connection): local_* are what
   this side protects with, in either role. */
enum dtls_state dtls_feed(struct dtls *d, const uint8_t *p, size_t len, struct dtls_keys *keys);
/* Client role: sends the ClientHello (through the send callback). Returns the state;
   calling it again, or on a server connection, does nothing. */
enum dtls_state dtls_start(struct dtls *d);
/* Retransmits the last flight if its timer expired; call every few tens of ms. 1 when it
   sent it again, else 0. */
int dtls_tick(struct dtls *d);
enum dtls_state dtls_state(const struct dtls *d);
/* Why the connection failed, a static string, or NULL. */
const char *dtls_why(const struct dtls *d);

#endif
