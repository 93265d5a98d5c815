/* websess.h - login sessions: the browser holds a random token in an HttpOnly cookie;
 * the store keeps only its SHA-256, so a copy of the database opens no session. */
#ifndef KAMER_STORE_WEBSESS_H
#define KAMER_STORE_WEBSESS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/rnd.h"

struct db;

#define WEBSESS_TOKEN_LEN RND_ID_CHARS /* 160 bits, base32 */
#define WEBSESS_LIFETIME  (12 * 3600)  /* seconds from login, at most */
#define WEBSESS_IDLE      3600         /* seconds without use */

struct websess {
	char user_id[RND_ID_CHARS + 1];
	char csrf[RND_ID_CHARS + 1]; /* sent with every state-changing request */
	int64_t created, expires, last_used;
};

int websess_init(struct db *d, char *why, size_t cap);
int websess_create(struct db *d, const char *user_id, int64_t now,
                   char token[WEBSESS_TOKEN_LEN + 1], struct websess *out) WARN_UNUSED;
/* ERR_NOTFOUND for an unknown, expired or idle session; refreshes last_used. */
int websess_lookup(struct db *d, const char *token, int64_t now, struct websess *out) WARN_UNUSED;
int websess_delete(struct db *d, const char *token);
int websess_delete_user(struct db *d, const char *user_id);
int websess_purge(struct db *d, int64_t now);

#endif
