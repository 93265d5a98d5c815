/* events.h - one call to record what happened: the audit log, and for security events
 * also the tenant's webhook queue and syslog (S7). */
#ifndef KAMER_AUTH_EVENTS_H
#define KAMER_AUTH_EVENTS_H

#include "store/audit.h"

struct db;
struct webhook;

/* kamerd attaches its sender so that queued events go out at once. */
void events_attach(struct webhook *w);
/* Records r. Never fails silently: an event that cannot be stored is logged as an error. */
int event_record(struct db *d, const struct audit_rec *r);

#endif
