/* webhook.h - the thread that delivers the outbox to tenants' webhooks.
 *
 * Each event is POSTed as JSON with
 *   X-Kamer-Event: <event id>
 *   X-Kamer-Timestamp: <Unix seconds>
 *   X-Kamer-Signature: sha256=<hex HMAC-SHA256(secret, timestamp "." body)>
 * and marked delivered on a 2xx answer; otherwise it is retried with backoff (1 s,
 * doubling, at most 60 s), forever. A receiver sees each event once, unless kamerd
 * stops between the receiver's 2xx and the store's commit: then the event comes again
 * with the same id, which the receiver can drop. */
#ifndef KAMER_AUTH_WEBHOOK_H
#define KAMER_AUTH_WEBHOOK_H

#include <stddef.h>

struct webhook;

/* Opens its own connection to DIR/kamer.db and starts the thread. NULL with why. */
struct webhook *webhook_start(const char *data_dir, char *why, size_t why_cap);
/* Something was queued: look now rather than at the next poll. */
void webhook_kick(struct webhook *w);
void webhook_stop(struct webhook *w);

/* The signature header's value for a body (for tests and receivers' documentation). */
void webhook_sign(const char *secret, const char *timestamp, const char *body, size_t len,
                  char out[72]);

#endif
