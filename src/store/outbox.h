/* outbox.h - the queue of security events for tenants' webhooks, kept in the store so
 * that nothing is lost when kamerd restarts or a receiver is down. */
#ifndef KAMER_STORE_OUTBOX_H
#define KAMER_STORE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/rnd.h"

struct db;

#define WEBHOOK_SECRET_HEX 64 /* 32 random bytes; the HMAC key is this text */
#define WEBHOOK_URL_MAX    512

int outbox_init(struct db *d, char *why, size_t cap);

/* Sets a tenant's webhook ("" is the server's own) with a fresh secret, shown once. */
int webhook_config_set(struct db *d, const char *tenant, const char *url,
                       char secret[WEBHOOK_SECRET_HEX + 1]) WARN_UNUSED;
/* ERR_NOTFOUND when the tenant has none. */
int webhook_config_get(struct db *d, const char *tenant, char url[WEBHOOK_URL_MAX + 1],
                       char secret[WEBHOOK_SECRET_HEX + 1]) WARN_UNUSED;

/* Queues an event body for a tenant's webhook, if it has one (0 either way). */
int outbox_queue(struct db *d, const char *tenant, const char event_id[RND_ID_CHARS + 1],
                 const char *body) WARN_UNUSED;
/* Events not yet delivered (for tests and kamerctl). */
long outbox_pending(struct db *d);

#endif
