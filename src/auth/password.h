/* password.h - Argon2id password hashes through libsodium. */
#ifndef KAMER_AUTH_PASSWORD_H
#define KAMER_AUTH_PASSWORD_H

#include <stddef.h>

#include "base/err.h"

#define PASSWORD_HASH_LEN 128 /* crypto_pwhash_STRBYTES */
#define PASSWORD_MIN      10  /* bytes */
#define PASSWORD_MAX      256 /* bytes; longer input is refused, not truncated */

/* Cost: PASSWORD_COST_SERVER in kamerd and kamerctl; tests may pick the cheapest. */
enum password_cost { PASSWORD_COST_SERVER, PASSWORD_COST_TEST };
void password_set_cost(enum password_cost c);

/* 0, ERR_INVAL for a password outside PASSWORD_MIN..PASSWORD_MAX, ERR_NOMEM. */
int password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_LEN]) WARN_UNUSED;
/* 0 when pw matches, else ERR_AUTH. With hash NULL (unknown user) it does the same work
   against a dummy hash and fails, so that timing does not tell whether a login exists. */
int password_verify(const char *hash, const char *pw, size_t len) WARN_UNUSED;

#endif
