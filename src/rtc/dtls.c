#include "rtc/dtls.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ct.h"

/* Room left in a 1500-byte Ethernet frame for IP, UDP and a margin for tunnels. */
#define DTLS_MTU 1200

struct dtls_ctx {
	SSL_CTX *ssl;
	BIO_METHOD *out_method;
	char fingerprint[96];
	int peer; /* connections may be clients (DTLS_method) */
};

struct dtls {
	SSL *ssl;
	BIO *in;
	uint8_t peer_fp[32];
	dtls_send_fn send;
	void *arg;
	enum dtls_state state;
	const char *why;
	int client;  /* 1 in the client role */
	int started; /* client: ClientHello sent */
};

/* The outgoing BIO hands each write (one DTLS datagram) straight to the caller. */
static int out_write(BIO *b, const char *data, int len)
{
	struct dtls *d = BIO_get_data(b);
	if (len > 0 && d && d->send)
		d->send(d->arg, (const uint8_t *)data, (size_t)len);
	return len;
}

static long out_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH: return 1;
	case BIO_CTRL_DGRAM_QUERY_MTU: return DTLS_MTU;
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD: return 28; /* IPv4 + UDP headers */
	case BIO_CTRL_WPENDING:
	case BIO_CTRL_PENDING: return 0;
	default: return 0;
	}
}

static int out_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static int accept_any_cert(int ok, X509_STORE_CTX *ctx)
{
	/* WebRTC certificates are self-signed; the SDP fingerprint is checked after the handshake.
	 */
	(void)ok;
	(void)ctx;
	return 1;
}

static int make_cert(SSL_CTX *ssl, char *fp_out, size_t fp_cap)
{
	int rc = -1;
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name = NULL;
	if (!key || !x)
		goto fail;
	uint8_t serial[8];
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	BIGNUM *bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn)
		goto fail;
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	X509_set_version(x, 2);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400);
	name = X509_NAME_new();
	if (!name || !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                                         (const unsigned char *)"kamer", -1, -1, 0))
		goto fail;
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, key);
	if (!X509_sign(x, key, EVP_sha256()))
		goto fail;
	if (SSL_CTX_use_certificate(ssl, x) != 1 || SSL_CTX_use_PrivateKey(ssl, key) != 1)
		goto fail;
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (!X509_digest(x, EVP_sha256(), md, &mdlen) || mdlen != 32 || fp_cap < 96)
		goto fail;
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(fp_out + i * 3, 4, i + 1 < mdlen ? "%02X:" : "%02X", md[i]);
	rc = 0;
fail:
	X509_NAME_free(name);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

static struct dtls_ctx *ctx_new(const SSL_METHOD *method)
{
	struct dtls_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->ssl = SSL_CTX_new(method);
	if (!c->ssl)
		goto fail;
	SSL_CTX_set_min_proto_version(c->ssl, DTLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(c->ssl, DTLS1_2_VERSION);
	SSL_CTX_set_verify(c->ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
	                   accept_any_cert);
	SSL_CTX_set_options(c->ssl, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
	SSL_CTX_set_read_ahead(c->ssl, 1);
	if (SSL_CTX_set_cipher_list(c->ssl,
	                            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
	                            "ECDHE-ECDSA-CHACHA20-POLY1305") != 1)
		goto fail;
	/* GCM first: cheaper per packet on these machines (DESIGN.md "Media path"). */
	if (SSL_CTX_set_tlsext_use_srtp(c->ssl, "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80") !=
	    0)
		goto fail;
	if (make_cert(c->ssl, c->fingerprint, sizeof(c->fingerprint)) != 0)
		goto fail;
	c->out_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "kamer-dtls-out");
	if (!c->out_method)
		goto fail;
	BIO_meth_set_write(c->out_method, out_write);
	BIO_meth_set_ctrl(c->out_method, out_ctrl);
	BIO_meth_set_create(c->out_method, out_create);
	return c;
fail:
	dtls_ctx_free(c);
	return NULL;
}

struct dtls_ctx *dtls_ctx_new(void)
{
	return ctx_new(DTLS_server_method());
}

struct dtls_ctx *dtls_ctx_new_peer(void)
{
	struct dtls_ctx *c = ctx_new(DTLS_method());
	if (c)
		c->peer = 1;
	return c;
}

void dtls_ctx_free(struct dtls_ctx *c)
{
	if (!c)
		return;
	SSL_CTX_free(c->ssl);
	if (c->out_method)
		BIO_meth_free(c->out_method);
	free(c);
}

const char *dtls_ctx_fingerprint(const struct dtls_ctx *c)
{
	return c->fingerprint;
}

/* A browser's retransmission timer (libwebrtc: from the ICE round trip, at least 50 ms,
   doubling), for the peer contexts that play browsers; OpenSSL's own starts at 1 s. */
#define PEER_TIMER_FIRST_US 50000u
#define PEER_TIMER_MAX_US   60000000u

static unsigned peer_timer(SSL *ssl, unsigned timer_us)
{
	(void)ssl;
	if (timer_us == 0)
		return PEER_TIMER_FIRST_US;
	return timer_us >= PEER_TIMER_MAX_US / 2 ? PEER_TIMER_MAX_US : timer_us * 2;
}

static struct dtls *conn_new(struct dtls_ctx *c, const uint8_t peer_fp[32], dtls_send_fn send,
                             void *arg, int client)
{
	struct dtls *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	memcpy(d->peer_fp, peer_fp, 32);
	d->send = send;
	d->arg = arg;
	d->ssl = SSL_new(c->ssl);
	d->in = BIO_new(BIO_s_mem());
	BIO *out = BIO_new(c->out_method);
	if (!d->ssl || !d->in || !out) {
		BIO_free(out);
		goto fail;
	}
	BIO_set_mem_eof_return(d->in, -1);
	BIO_set_data(out, d);
	SSL_set_bio(d->ssl, d->in, out); /* the SSL owns both BIOs now */
	SSL_set_mtu(d->ssl, DTLS_MTU);
	DTLS_set_link_mtu(d->ssl, DTLS_MTU);
	if (c->peer)
		DTLS_set_timer_cb(d->ssl, peer_timer);
	if (client)
		SSL_set_connect_state(d->ssl);
	else
		SSL_set_accept_state(d->ssl);
	d->client = client;
	d->state = DTLS_HANDSHAKING;
	return d;
fail:
	if (d->ssl)
		SSL_free(d->ssl);
	else
		BIO_free(d->in);
	free(d);
	return NULL;
}

struct dtls *dtls_new(struct dtls_ctx *c, const uint8_t peer_fp[32], dtls_send_fn send, void *arg)
{
	return conn_new(c, peer_fp, send, arg, 0);
}

struct dtls *dtls_new_client(struct dtls_ctx *c, const uint8_t peer_fp[32], dtls_send_fn send,
                             void *arg)
{
	if (!c->peer)
		return NULL;
	return conn_new(c, peer_fp, send, arg, 1);
}

void dtls_free(struct dtls *d)
{
	if (!d)
		return;
	SSL_free(d->ssl);
	ct_wipe(d, sizeof(*d));
	free(d);
}

static void fail(struct dtls *d, const char *why)
{
	d->state = DTLS_FAILED;
	d->why = why;
	ERR_clear_error();
}

static int peer_matches(struct dtls *d)
{
	X509 *peer = SSL_get1_peer_certificate(d->ssl);
	if (!peer)
		return 0;
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int ok = X509_digest(peer, EVP_sha256(), md, &mdlen) && mdlen == 32 &&
	         ct_equal(md, d->peer_fp, 32);
	X509_free(peer);
	return ok;
}

static int export_keys(struct dtls *d, struct dtls_keys *k)
{
	const SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile(d->ssl);
	if (!p)
		return ERR_PROTO;
	memset(k, 0, sizeof(*k));
	if (p->id == SRTP_AEAD_AES_128_GCM) {
		k->profile = DTLS_SRTP_AEAD_AES_128_GCM;
		k->key_len = 16;
		k->salt_len = 12;
	} else if (p->id == SRTP_AES128_CM_SHA1_80) {
		k->profile = DTLS_SRTP_AES128_CM_SHA1_80;
		k->key_len = 16;
		k->salt_len = 14;
	} else {
		return ERR_PROTO;
	}
	/* RFC 5764 s4.2: client key, server key, client salt, server salt. */
	uint8_t m[2 * (16 + 14)];
	size_t need = 2 * (k->key_len + k->salt_len);
	static const char label[] = "EXTRACTOR-dtls_srtp";
	if (SSL_export_keying_material(d->ssl, m, need, label, sizeof(label) - 1, NULL, 0, 0) != 1)
		return ERR_PROTO;
	const uint8_t *ck = m, *sk = m + k->key_len, *cs = m + 2 * k->key_len,
	              *ss = m + 2 * k->key_len + k->salt_len;
	memcpy(k->local_key, d->client ? ck : sk, k->key_len);
	memcpy(k->local_salt, d->client ? cs : ss, k->salt_len);
	memcpy(k->remote_key, d->client ? sk : ck, k->key_len);
	memcpy(k->remote_salt, d->client ? ss : cs, k->salt_len);
	ct_wipe(m, sizeof(m));
	return 0;
}

/* One step of the handshake: 1 if it just finished (keys exported), else 0. */
static int handshake_step(struct dtls *d, struct dtls_keys *keys)
{
	int r = SSL_do_handshake(d->ssl);
	if (r == 1) {
		if (!peer_matches(d)) {
			fail(d, "peer certificate does not match the SDP fingerprint");
			return 0;
		}
		if (export_keys(d, keys) != 0) {
			fail(d, "no SRTP profile negotiated");
			return 0;
		}
		d->state = DTLS_CONNECTED;
		return 1;
	}
	int e = SSL_get_error(d->ssl, r);
	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
		fail(d, "handshake failed");
	return 0;
}

enum dtls_state dtls_start(struct dtls *d)
{
	if (!d->client || d->started || d->state != DTLS_HANDSHAKING)
		return d->state;
	d->started = 1;
	struct dtls_keys unused; /* the first flight cannot finish the handshake */
	if (handshake_step(d, &unused))
		fail(d, "handshake finished without a peer");
	ct_wipe(&unused, sizeof(unused));
	return d->state;
}

enum dtls_state dtls_feed(struct dtls *d, const uint8_t *p, size_t len, struct dtls_keys *keys)
{
	if (d->state == DTLS_FAILED || d->state == DTLS_CLOSED)
		return d->state;
	if (d->client && !d->started)
		return d->state; /* a client speaks first */
	if (BIO_write(d->in, p, (int)len) != (int)len) {
		fail(d, "buffer");
		return d->state;
	}
	if (d->state == DTLS_HANDSHAKING) {
		handshake_step(d, keys);
		return d->state;
	}
	/* Connected: WebRTC sends no application data over DTLS here; read to see alerts. */
	uint8_t buf[1500];
	int r = SSL_read(d->ssl, buf, sizeof(buf));
	if (r <= 0) {
		int e = SSL_get_error(d->ssl, r);
		if (e == SSL_ERROR_ZERO_RETURN)
			d->state = DTLS_CLOSED;
		else if (e != SSL_ERROR_WANT_READ)
			fail(d, "record error");
	}
	return d->state;
}

int dtls_tick(struct dtls *d)
{
	if (d->state != DTLS_HANDSHAKING)
		return 0;
	int rc = DTLSv1_handle_timeout(d->ssl);
	if (rc < 0)
		fail(d, "handshake timed out");
	return rc > 0;
}

enum dtls_state dtls_state(const struct dtls *d)
{
	return d->state;
}

const char *dtls_why(const struct dtls *d)
{
	return d->why;
}
