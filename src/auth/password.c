/* password.c - Argon2id (RFC 9106) via crypto_pwhash_str, which stores salt and cost. */
#include "auth/password.h"

#include <sodium.h>
#include <string.h>

static unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
static char dummy[PASSWORD_HASH_LEN];

void password_set_cost(enum password_cost c)
{
	if (c == PASSWORD_COST_TEST) {
		ops = crypto_pwhash_OPSLIMIT_MIN;
		mem = crypto_pwhash_MEMLIMIT_MIN;
	} else {
		ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	}
	dummy[0] = '\0';
}

int password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_LEN])
{
	if (len < PASSWORD_MIN || len > PASSWORD_MAX)
		return ERR_INVAL;
	if (crypto_pwhash_str(out, pw, len, ops, mem) != 0)
		return ERR_NOMEM;
	return 0;
}

int password_verify(const char *hash, const char *pw, size_t len)
{
	if (len > PASSWORD_MAX)
		len = PASSWORD_MAX; /* still do the work; the answer stays "no" below */
	if (!hash) {
		if (!dummy[0]) {
			unsigned char r[16];
			randombytes_buf(r, sizeof(r));
			if (crypto_pwhash_str(dummy, (const char *)r, sizeof(r), ops, mem) != 0)
				return ERR_AUTH;
		}
		if (crypto_pwhash_str_verify(dummy, pw, len) == 0)
			return ERR_AUTH; /* a random password matched: still no */
		return ERR_AUTH;
	}
	if (crypto_pwhash_str_verify(hash, pw, len) != 0)
		return ERR_AUTH;
	return 0;
}
