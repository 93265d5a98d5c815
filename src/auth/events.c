/* events.c - audit record, webhook queue and syslog in one place. */
#include "auth/events.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "auth/webhook.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/rnd.h"
#include "store/outbox.h"

static struct webhook *sender;

void events_attach(struct webhook *w)
{
	sender = w;
}

static char *event_body(const char *id, const struct audit_rec *r, int64_t seq, const char *hash)
{
	json_error_t err;
	json_t *detail = json_loads(r->detail ? r->detail : "{}", 0, &err);
	if (!detail)
		detail = json_object();
	json_t *j =
	    json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:{s:I, s:s}}", "id", id, "kind",
	              r->kind, "at", (json_int_t)clock_unix_ms(), "tenant",
	              r->tenant ? r->tenant : "", "actor", r->actor ? r->actor : "", "subject",
	              r->subject ? r->subject : "", "source", r->source ? r->source : "", "detail",
	              detail, "audit", "seq", (json_int_t)seq, "hash", hash);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return s;
}

int event_record(struct db *d, const struct audit_rec *r)
{
	int64_t seq = 0;
	char hash[AUDIT_HASH_HEX + 1] = "";
	int rc = audit_append(d, r, &seq, hash);
	if (rc != 0)
		log_error("events", "could not write %s to the audit log", r->kind);
	if (!r->security)
		return rc;
	/* Only kinds, identifiers and addresses: never secrets (they never reach here). */
	syslog(LOG_AUTH | LOG_WARNING,
	       "kamerd security event %s tenant=%s actor=%s subject=%s source=%s", r->kind,
	       r->tenant ? r->tenant : "", r->actor ? r->actor : "", r->subject ? r->subject : "",
	       r->source ? r->source : "");
	char id[RND_ID_CHARS + 1];
	if (rnd_id(id) != 0)
		return ERR_IO;
	char *body = event_body(id, r, seq, hash);
	if (!body)
		return ERR_NOMEM;
	const char *tenant = r->tenant ? r->tenant : "";
	if (outbox_queue(d, tenant, id, body) != 0)
		rc = ERR_IO;
	if (tenant[0] && outbox_queue(d, "", id, body) != 0) /* the server's own contact */
		rc = ERR_IO;
	free(body);
	webhook_kick(sender);
	return rc;
}
