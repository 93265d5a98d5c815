/* Tests for src/rtc/dtls.c and src/rtc/srtp.c: a real DTLS 1.2 handshake with an
 * OpenSSL client in memory, the fingerprint check, and SRTP keyed from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "rtc/dtls.h"
#include "rtc/srtp.h"

/* Datagrams the server sent, waiting for the client. */
static uint8_t q[64][1500];
static size_t qlen[64], qn;

static void to_client(void *arg, const uint8_t *p, size_t len)
{
	(void)arg;
	assert_true(qn < 64);
	assert_true(len <= 1500);
	memcpy(q[qn], p, len);
	qlen[qn++] = len;
}

struct client {
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *in, *out;
	uint8_t fp[32];
};

static void client_new(struct client *c)
{
	c->ctx = SSL_CTX_new(DTLS_client_method());
	assert_non_null(c->ctx);
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"client", -1, -1,
	                           0);
	X509_set_issuer_name(x, n);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	unsigned len = 0;
	assert_true(X509_digest(x, EVP_sha256(), c->fp, &len));
	SSL_CTX_use_certificate(c->ctx, x);
	SSL_CTX_use_PrivateKey(c->ctx, key);
	X509_free(x);
	EVP_PKEY_free(key);
	SSL_CTX_set_tlsext_use_srtp(c->ctx, "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80");
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
	c->ssl = SSL_new(c->ctx);
	c->in = BIO_new(BIO_s_mem());
	c->out = BIO_new(BIO_s_mem());
	BIO_set_mem_eof_return(c->in, -1);
	SSL_set_bio(c->ssl, c->in, c->out);
	SSL_set_connect_state(c->ssl);
}

static void client_free(struct client *c)
{
	SSL_free(c->ssl);
	SSL_CTX_free(c->ctx);
}

/* Runs the handshake until both sides stop; returns the server's final state. */
static enum dtls_state handshake(struct client *c, struct dtls *d, struct dtls_keys *keys)
{
	enum dtls_state st = DTLS_HANDSHAKING;
	for (int round = 0; round < 20 && st == DTLS_HANDSHAKING; round++) {
		SSL_do_handshake(c->ssl);
		uint8_t buf[4096];
		int n;
		/* A memory BIO keeps one record per write; hand them over one by one. */
		while ((n = BIO_read(c->out, buf, sizeof(buf))) > 0)
			st = dtls_feed(d, buf, (size_t)n, keys);
		for (size_t i = 0; i < qn; i++)
			BIO_write(c->in, q[i], (int)qlen[i]);
		qn = 0;
	}
	SSL_do_handshake(c->ssl);
	return st;
}

static void good_handshake_and_srtp(void **state)
{
	(void)state;
	struct dtls_ctx *ctx = dtls_ctx_new();
	assert_non_null(ctx);
	assert_int_equal(strlen(dtls_ctx_fingerprint(ctx)), 95);
	struct client c;
	client_new(&c);
	struct dtls *d = dtls_new(ctx, c.fp, to_client, NULL);
	struct dtls_keys keys;
	assert_int_equal(handshake(&c, d, &keys), DTLS_CONNECTED);
	assert_int_equal(SSL_is_init_finished(c.ssl), 1);
	assert_int_equal(keys.profile, DTLS_SRTP_AEAD_AES_128_GCM); /* GCM preferred */

	/* The client derives the same material: its local key is our remote key. */
	uint8_t m[56];
	static const char label[] = "EXTRACTOR-dtls_srtp";
	assert_int_equal(
	    SSL_export_keying_material(c.ssl, m, 56, label, sizeof(label) - 1, NULL, 0, 0), 1);
	assert_memory_equal(m, keys.remote_key, 16);
	assert_memory_equal(m + 16, keys.local_key, 16);
	assert_memory_equal(m + 32, keys.remote_salt, 12);
	assert_memory_equal(m + 44, keys.local_salt, 12);

	/* SRTP: the client protects with its keys, we unprotect with ours. */
	struct dtls_keys ck = keys;
	memcpy(ck.local_key, keys.remote_key, 16);
	memcpy(ck.local_salt, keys.remote_salt, 12);
	memcpy(ck.remote_key, keys.local_key, 16);
	memcpy(ck.remote_salt, keys.local_salt, 12);
	assert_int_equal(srtp_sess_global_init(), 0);
	struct srtp_sess *server = srtp_sess_new(&keys), *client = srtp_sess_new(&ck);
	assert_non_null(server);
	assert_non_null(client);
	uint8_t pkt[200] = {0x80, 96, 0x12, 0x34, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef};
	for (size_t i = 12; i < 112; i++)
		pkt[i] = (uint8_t)i;
	uint8_t orig[112];
	memcpy(orig, pkt, 112);
	size_t len = 112;
	assert_int_equal(srtp_sess_protect_rtp(client, pkt, &len), 0);
	assert_int_equal(len, 112 + 16);
	assert_memory_not_equal(pkt + 12, orig + 12, 100);
	uint8_t copy[200];
	memcpy(copy, pkt, len);
	size_t copy_len = len;
	assert_int_equal(srtp_sess_unprotect_rtp(server, pkt, &len), 0);
	assert_int_equal(len, 112);
	assert_memory_equal(pkt, orig, 112);
	/* A replayed packet and a tampered one are refused. */
	assert_int_equal(srtp_sess_unprotect_rtp(server, copy, &copy_len), ERR_REPLAY);
	memcpy(pkt, orig, 112);
	pkt[3] = 0x35;
	len = 112;
	assert_int_equal(srtp_sess_protect_rtp(client, pkt, &len), 0);
	pkt[50] ^= 1;
	assert_int_equal(srtp_sess_unprotect_rtp(server, pkt, &len), ERR_AUTH);
	srtp_sess_free(server);
	srtp_sess_free(client);
	srtp_sess_global_done();

	dtls_free(d);
	client_free(&c);
	dtls_ctx_free(ctx);
}

static void fingerprint_mismatch_fails(void **state)
{
	(void)state;
	struct dtls_ctx *ctx = dtls_ctx_new();
	struct client c;
	client_new(&c);
	uint8_t wrong[32];
	memcpy(wrong, c.fp, 32);
	wrong[31] ^= 0x01;
	struct dtls *d = dtls_new(ctx, wrong, to_client, NULL);
	struct dtls_keys keys;
	assert_int_equal(handshake(&c, d, &keys), DTLS_FAILED);
	assert_non_null(dtls_why(d));
	dtls_free(d);
	client_free(&c);
	dtls_ctx_free(ctx);
}

static void garbage_is_refused(void **state)
{
	(void)state;
	struct dtls_ctx *ctx = dtls_ctx_new();
	uint8_t fp[32] = {0};
	struct dtls *d = dtls_new(ctx, fp, to_client, NULL);
	struct dtls_keys keys;
	uint8_t junk[64];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37);
	junk[0] = 22; /* handshake content type, then nonsense */
	enum dtls_state st = dtls_feed(d, junk, sizeof(junk), &keys);
	assert_true(st == DTLS_HANDSHAKING || st == DTLS_FAILED);
	assert_int_not_equal(st, DTLS_CONNECTED);
	qn = 0;
	dtls_free(d);
	dtls_ctx_free(ctx);
}

/* Both ends through this module: dtls_new_client against dtls_new. */
struct wire {
	uint8_t q[64][1500];
	size_t len[64], n;
};

static void to_wire(void *arg, const uint8_t *p, size_t len)
{
	struct wire *w = arg;
	assert_true(w->n < 64);
	assert_true(len <= 1500);
	memcpy(w->q[w->n], p, len);
	w->len[w->n++] = len;
}

static void fp_parse(const char *hex, uint8_t out[32])
{
	for (size_t i = 0; i < 32; i++) {
		unsigned v = 0;
		assert_int_equal(sscanf(hex + 3 * i, "%2X", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* Delivers every queued datagram to d; returns the last state. */
static enum dtls_state deliver(struct wire *w, struct dtls *d, struct dtls_keys *k)
{
	enum dtls_state st = dtls_state(d);
	struct wire copy = *w;
	w->n = 0;
	for (size_t i = 0; i < copy.n; i++)
		st = dtls_feed(d, copy.q[i], copy.len[i], k);
	return st;
}

static void client_role_against_server(void **state)
{
	(void)state;
	struct dtls_ctx *sctx = dtls_ctx_new(), *cctx = dtls_ctx_new_peer();
	assert_non_null(sctx);
	assert_non_null(cctx);
	assert_string_not_equal(dtls_ctx_fingerprint(sctx), dtls_ctx_fingerprint(cctx));
	uint8_t sfp[32], cfp[32];
	fp_parse(dtls_ctx_fingerprint(sctx), sfp);
	fp_parse(dtls_ctx_fingerprint(cctx), cfp);
	static struct wire to_s, to_c;
	to_s.n = to_c.n = 0;
	/* A server-only context cannot make clients. */
	assert_null(dtls_new_client(sctx, sfp, to_wire, &to_s));
	struct dtls *cl = dtls_new_client(cctx, sfp, to_wire, &to_s);
	struct dtls *sv = dtls_new(sctx, cfp, to_wire, &to_c);
	assert_non_null(cl);
	assert_non_null(sv);
	struct dtls_keys ck, sk;
	memset(&ck, 0, sizeof(ck));
	memset(&sk, 0, sizeof(sk));
	assert_int_equal(to_s.n, 0); /* nothing before dtls_start */
	assert_int_equal(dtls_start(cl), DTLS_HANDSHAKING);
	assert_true(to_s.n > 0); /* the ClientHello */
	enum dtls_state cs = DTLS_HANDSHAKING, ss = DTLS_HANDSHAKING;
	for (int round = 0; round < 20 && (cs != DTLS_CONNECTED || ss != DTLS_CONNECTED); round++) {
		ss = deliver(&to_s, sv, &sk);
		cs = deliver(&to_c, cl, &ck);
	}
	assert_int_equal(cs, DTLS_CONNECTED);
	assert_int_equal(ss, DTLS_CONNECTED);
	assert_int_equal(ck.profile, DTLS_SRTP_AEAD_AES_128_GCM);
	assert_int_equal(ck.profile, sk.profile);
	/* Each side's local key is the other's remote key. */
	assert_memory_equal(ck.local_key, sk.remote_key, ck.key_len);
	assert_memory_equal(ck.remote_key, sk.local_key, ck.key_len);
	assert_memory_equal(ck.local_salt, sk.remote_salt, ck.salt_len);
	assert_memory_equal(ck.remote_salt, sk.local_salt, ck.salt_len);
	assert_memory_not_equal(ck.local_key, ck.remote_key, ck.key_len);

	/* SRTP both ways with keys from the two roles. */
	assert_int_equal(srtp_sess_global_init(), 0);
	struct srtp_sess *a = srtp_sess_new(&ck), *b = srtp_sess_new(&sk);
	assert_non_null(a);
	assert_non_null(b);
	uint8_t pkt[200] = {0x80, 111, 0, 1, 0, 0, 0, 9, 1, 2, 3, 4};
	for (size_t i = 12; i < 60; i++)
		pkt[i] = (uint8_t)(i * 3);
	uint8_t orig[60];
	memcpy(orig, pkt, 60);
	size_t len = 60;
	assert_int_equal(srtp_sess_protect_rtp(a, pkt, &len), 0);
	assert_int_equal(srtp_sess_unprotect_rtp(b, pkt, &len), 0);
	assert_int_equal(len, 60);
	assert_memory_equal(pkt, orig, 60);
	len = 60;
	assert_int_equal(srtp_sess_protect_rtp(b, pkt, &len), 0);
	assert_int_equal(srtp_sess_unprotect_rtp(a, pkt, &len), 0);
	assert_memory_equal(pkt, orig, 60);
	srtp_sess_free(a);
	srtp_sess_free(b);
	srtp_sess_global_done();
	/* A second start does nothing. */
	size_t before = to_s.n;
	assert_int_equal(dtls_start(cl), DTLS_CONNECTED);
	assert_int_equal(to_s.n, before);
	dtls_free(cl);
	dtls_free(sv);
	dtls_ctx_free(cctx);
	dtls_ctx_free(sctx);
}

static void client_checks_server_fingerprint(void **state)
{
	(void)state;
	struct dtls_ctx *sctx = dtls_ctx_new(), *cctx = dtls_ctx_new_peer();
	uint8_t sfp[32], cfp[32];
	fp_parse(dtls_ctx_fingerprint(sctx), sfp);
	fp_parse(dtls_ctx_fingerprint(cctx), cfp);
	sfp[0] ^= 0x80;
	static struct wire to_s, to_c;
	to_s.n = to_c.n = 0;
	struct dtls *cl = dtls_new_client(cctx, sfp, to_wire, &to_s);
	struct dtls *sv = dtls_new(sctx, cfp, to_wire, &to_c);
	struct dtls_keys ck, sk;
	dtls_start(cl);
	enum dtls_state cs = DTLS_HANDSHAKING;
	for (int round = 0; round < 20 && cs == DTLS_HANDSHAKING; round++) {
		deliver(&to_s, sv, &sk);
		cs = deliver(&to_c, cl, &ck);
	}
	assert_int_equal(cs, DTLS_FAILED);
	assert_non_null(dtls_why(cl));
	dtls_free(cl);
	dtls_free(sv);
	dtls_ctx_free(cctx);
	dtls_ctx_free(sctx);
}

/* A client whose answer says a=setup:active plays the server on its peer context. */
static void peer_context_takes_either_role(void **state)
{
	(void)state;
	struct dtls_ctx *a = dtls_ctx_new_peer(), *b = dtls_ctx_new_peer();
	assert_non_null(a);
	assert_non_null(b);
	uint8_t afp[32], bfp[32];
	fp_parse(dtls_ctx_fingerprint(a), afp);
	fp_parse(dtls_ctx_fingerprint(b), bfp);
	static struct wire to_a, to_b;
	to_a.n = to_b.n = 0;
	struct dtls *srv = dtls_new(a, bfp, to_wire, &to_b);
	struct dtls *cl = dtls_new_client(b, afp, to_wire, &to_a);
	assert_non_null(srv);
	assert_non_null(cl);
	assert_int_equal(dtls_start(srv), DTLS_HANDSHAKING); /* a server does not start */
	assert_int_equal(to_b.n, 0);
	dtls_start(cl);
	struct dtls_keys sk, ck;
	enum dtls_state ss = DTLS_HANDSHAKING, cs = DTLS_HANDSHAKING;
	for (int round = 0; round < 20 && (cs != DTLS_CONNECTED || ss != DTLS_CONNECTED); round++) {
		ss = deliver(&to_a, srv, &sk);
		cs = deliver(&to_b, cl, &ck);
	}
	assert_int_equal(ss, DTLS_CONNECTED);
	assert_int_equal(cs, DTLS_CONNECTED);
	assert_memory_equal(sk.local_key, ck.remote_key, sk.key_len);
	assert_memory_equal(sk.remote_salt, ck.local_salt, sk.salt_len);
	dtls_free(srv);
	dtls_free(cl);
	dtls_ctx_free(a);
	dtls_ctx_free(b);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A peer context's client whose ClientHello gets no answer sends it again after 50 ms, as
   libwebrtc does on a short round trip, not after OpenSSL's 1 s; then it waits longer. */
static void peer_resends_as_a_browser_does(void **state)
{
	(void)state;
	struct dtls_ctx *cctx = dtls_ctx_new_peer();
	assert_non_null(cctx);
	uint8_t fp[32] = {0};
	static struct wire out;
	out.n = 0;
	struct dtls *cl = dtls_new_client(cctx, fp, to_wire, &out);
	assert_non_null(cl);
	uint64_t t0 = mono_ms();
	assert_int_equal(dtls_start(cl), DTLS_HANDSHAKING);
	size_t first = out.n;
	assert_true(first > 0);
	uint64_t resent_at[2] = {0, 0};
	int resends = 0;
	while (resends < 2 && mono_ms() - t0 < 900) {
		struct timespec ts = {0, 2 * 1000000L};
		nanosleep(&ts, NULL);
		if (dtls_tick(cl)) {
			resent_at[resends++] = mono_ms() - t0;
			out.n = 0; /* room for the next flight */
		}
	}
	/* Two resends within 900 ms: the first 50 ms after the ClientHello, the second 100 ms
	   after the first. OpenSSL fires a timer with under 15 ms left, and a busy machine can
	   only make them later. */
	assert_int_equal(resends, 2);
	assert_true(resent_at[0] >= 50 - 15);
	assert_true(resent_at[1] - resent_at[0] >= 100 - 15);
	dtls_free(cl);
	dtls_ctx_free(cctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(good_handshake_and_srtp),
	    cmocka_unit_test(fingerprint_mismatch_fails),
	    cmocka_unit_test(garbage_is_refused),
	    cmocka_unit_test(client_role_against_server),
	    cmocka_unit_test(client_checks_server_fingerprint),
	    cmocka_unit_test(peer_context_takes_either_role),
	    cmocka_unit_test(peer_resends_as_a_browser_does),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
