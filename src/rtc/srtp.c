#include "rtc/srtp.h"

#include <srtp2/srtp.h>
#include <stdlib.h>
#include <string.h>

#include "base/ct.h"
#include "rtc/srtp_gcm.h"

/* AEAD_AES_128_GCM runs on OpenSSL EVP (srtp_gcm.c), about twice as fast as Debian's
   libsrtp2 on NSS; AES-CM-HMAC-SHA1-80 stays on libsrtp2. */
struct srtp_sess {
	struct srtp_gcm *gin, *gout; /* the GCM profile */
	srtp_t in, out;              /* any other */
};

int srtp_sess_global_init(void)
{
	return srtp_init() == srtp_err_status_ok ? 0 : ERR_PROTO;
}

void srtp_sess_global_done(void)
{
	srtp_shutdown();
}

static int make(srtp_t *out, const struct dtls_keys *k, int inbound)
{
	srtp_policy_t pol;
	uint8_t key[32 + 14];
	memset(&pol, 0, sizeof(pol));
	if (k->profile != DTLS_SRTP_AES128_CM_SHA1_80)
		return ERR_PROTO;
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	const uint8_t *kk = inbound ? k->remote_key : k->local_key;
	const uint8_t *ss = inbound ? k->remote_salt : k->local_salt;
	memcpy(key, kk, k->key_len);
	memcpy(key + k->key_len, ss, k->salt_len);
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	pol.key = key;
	pol.window_size = 1024;
	/* NACKs are answered by sending the same packet again (RFC 4585 without RTX). */
	pol.allow_repeat_tx = 1;
	srtp_err_status_t e = srtp_create(out, &pol);
	ct_wipe(key, sizeof(key));
	return e == srtp_err_status_ok ? 0 : ERR_PROTO;
}

struct srtp_sess *srtp_sess_new(const struct dtls_keys *k)
{
	struct srtp_sess *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (k->profile == DTLS_SRTP_AEAD_AES_128_GCM) {
		if (k->key_len != SRTP_GCM_KEY_LEN || k->salt_len != SRTP_GCM_SALT_LEN)
			goto fail;
		s->gin = srtp_gcm_new(SRTP_GCM_UNPROTECT, k->remote_key, k->remote_salt);
		s->gout = srtp_gcm_new(SRTP_GCM_PROTECT, k->local_key, k->local_salt);
		if (!s->gin || !s->gout)
			goto fail;
		return s;
	}
	if (make(&s->in, k, 1) != 0 || make(&s->out, k, 0) != 0)
		goto fail;
	return s;
fail:
	srtp_sess_free(s);
	return NULL;
}

void srtp_sess_free(struct srtp_sess *s)
{
	if (!s)
		return;
	srtp_gcm_free(s->gin);
	srtp_gcm_free(s->gout);
	if (s->in)
		srtp_dealloc(s->in);
	if (s->out)
		srtp_dealloc(s->out);
	free(s);
}

static int map(srtp_err_status_t e)
{
	switch (e) {
	case srtp_err_status_ok: return 0;
	case srtp_err_status_auth_fail: return ERR_AUTH;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old: return ERR_REPLAY;
	default: return ERR_PROTO;
	}
}

int srtp_sess_unprotect_rtp(struct srtp_sess *s, uint8_t *p, size_t *len)
{
	if (s->gin)
		return srtp_gcm_unprotect_rtp(s->gin, p, len);
	int n = (int)*len;
	int rc = map(srtp_unprotect(s->in, p, &n));
	if (rc == 0)
		*len = (size_t)n;
	return rc;
}

int srtp_sess_unprotect_rtcp(struct srtp_sess *s, uint8_t *p, size_t *len)
{
	if (s->gin)
		return srtp_gcm_unprotect_rtcp(s->gin, p, len);
	int n = (int)*len;
	int rc = map(srtp_unprotect_rtcp(s->in, p, &n));
	if (rc == 0)
		*len = (size_t)n;
	return rc;
}

int srtp_sess_protect_rtp(struct srtp_sess *s, uint8_t *p, size_t *len)
{
	if (s->gout)
		return srtp_gcm_protect_rtp(s->gout, p, len);
	int n = (int)*len;
	int rc = map(srtp_protect(s->out, p, &n));
	if (rc == 0)
		*len = (size_t)n;
	return rc;
}

int srtp_sess_protect_rtcp(struct srtp_sess *s, uint8_t *p, size_t *len)
{
	if (s->gout)
		return srtp_gcm_protect_rtcp(s->gout, p, len);
	int n = (int)*len;
	int rc = map(srtp_protect_rtcp(s->out, p, &n));
	if (rc == 0)
		*len = (size_t)n;
	return rc;
}
