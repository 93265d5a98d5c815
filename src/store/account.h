/* account.h - tenants (organisations) and their users, with roles. */
#ifndef KAMER_STORE_ACCOUNT_H
#define KAMER_STORE_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/rnd.h"

struct db;

enum role {
	ROLE_MEMBER = 1 << 0,
	ROLE_HOST = 1 << 1,
	ROLE_TENANT_ADMIN = 1 << 2,
	ROLE_SECURITY = 1 << 3,
};
#define ROLE_ALL (ROLE_MEMBER | ROLE_HOST | ROLE_TENANT_ADMIN | ROLE_SECURITY)

struct tenant {
	char id[RND_ID_CHARS + 1];
	char name[LIM_NAME + 1];
	int disabled;
};

struct user {
	char id[RND_ID_CHARS + 1];
	char tenant[RND_ID_CHARS + 1];
	char login[LIM_LOGIN + 1];
	char name[LIM_NAME + 1];
	char email[LIM_EMAIL + 1];
	unsigned roles; /* enum role bits */
	int disabled;   /* the user's, or the tenant's */
};

int account_init(struct db *d, char *why, size_t cap);

int account_tenant_add(struct db *d, const char *name, char id[RND_ID_CHARS + 1]) WARN_UNUSED;
/* By id or by name. */
int account_tenant_find(struct db *d, const char *id_or_name, struct tenant *out) WARN_UNUSED;
int account_tenant_list(struct db *d, int (*cb)(void *arg, const struct tenant *t), void *arg);
int account_tenant_disable(struct db *d, const char *id) WARN_UNUSED;

/* hash is a password_hash() string, or NULL for an account without a usable password. */
int account_user_add(struct db *d, const struct user *u, const char *hash,
                     char id[RND_ID_CHARS + 1]) WARN_UNUSED;
int account_user_get(struct db *d, const char *id, struct user *out) WARN_UNUSED;
/* hash (cap PASSWORD_HASH_LEN) gets the stored hash, "" when none. */
int account_user_by_login(struct db *d, const char *login, struct user *out, char *hash,
                          size_t hash_cap) WARN_UNUSED;
int account_user_list(struct db *d, const char *tenant, int (*cb)(void *arg, const struct user *u),
                      void *arg);
int account_user_disable(struct db *d, const char *id) WARN_UNUSED;
int account_user_set_password(struct db *d, const char *id, const char *hash) WARN_UNUSED;
/* Users on the server; -1 on error. */
long account_user_count(struct db *d);

/* "member,host" <-> bits. 0 or -1 for an unknown name. */
int role_parse(const char *name, unsigned *bit);
/* Writes the role names of bits, comma-separated. */
void role_format(unsigned roles, char *out, size_t cap);

/* First run: when no user exists, creates tenant "default" and user "admin" with every
   role and no usable password, and a one-time setup token (valid 24 h) that sets the
   password (account_setup_redeem). 0 with the token, or ERR_BADSTATE when users exist. */
int account_bootstrap(struct db *d, int64_t now, char token[RND_ID_CHARS + 1]) WARN_UNUSED;
/* Sets the password of the setup token's user and burns the token. ERR_NOTFOUND for an
   unknown, used or expired token. */
int account_setup_redeem(struct db *d, const char *token, int64_t now, const char *hash,
                         char user_id[RND_ID_CHARS + 1]) WARN_UNUSED;

#endif
