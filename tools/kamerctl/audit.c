/* audit.c - kamerctl audit verify|list, and kamerctl webhook set|show|test. */
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "auth/events.h"
#include "kamerctl.h"
#include "store/account.h"
#include "store/audit.h"
#include "store/outbox.h"

static void report(void *arg, int64_t seq, const char *what)
{
	(void)arg;
	printf("audit: record %" PRId64 " %s\n", seq, what);
}

static int print_row(void *arg, const struct audit_row *r)
{
	(void)arg;
	printf("%" PRId64 "\t%" PRId64 "\t%s\t%s\t%s\t%s\t%s\t%s\n", r->seq, r->at, r->kind,
	       r->tenant, r->actor, r->subject, r->source, r->security ? "security" : "");
	return 0;
}

static int audit_run(struct db *d, const char *dir, int argc, char **argv)
{
	(void)dir;
	if (argc >= 1 && strcmp(argv[0], "verify") == 0) {
		int64_t records, problems, seq;
		char head[AUDIT_HASH_HEX + 1];
		if (audit_verify(d, report, NULL, &records, &problems) != 0 ||
		    audit_head(d, &seq, head) != 0) {
			fprintf(stderr, "kamerctl: cannot read the audit log\n");
			return 2;
		}
		/* A head the customer kept (e.g. from a webhook event) catches removed tail
		 * records. */
		if (argc == 3 && strcmp(argv[1], "--expect-head") == 0) {
			int64_t want;
			char hash[AUDIT_HASH_HEX + 1];
			if (sscanf(argv[2], "%" SCNd64 ":%64s", &want, hash) != 2) {
				fprintf(stderr, "kamerctl: --expect-head wants SEQ:HASH\n");
				return 2;
			}
			if (want > seq) {
				printf("audit: records %" PRId64 " to %" PRId64
				       " are missing from the end\n",
				       seq + 1, want);
				problems++;
			}
		}
		if (problems) {
			printf("audit: %" PRId64 " records, %" PRId64 " problem(s)\n", records,
			       problems);
			return 1;
		}
		printf("audit: %" PRId64 " records, chain intact, head %" PRId64 ":%s\n", records,
		       seq, head[0] ? head : "-");
		return 0;
	}
	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		const char *tenant = NULL;
		long long limit = 100;
		for (int i = 1; i + 1 < argc; i += 2) {
			if (strcmp(argv[i], "--tenant") == 0)
				tenant = argv[i + 1];
			else if (strcmp(argv[i], "--limit") == 0)
				limit = strtoll(argv[i + 1], NULL, 10);
		}
		return audit_list(d, tenant, limit, print_row, NULL) == 0 ? 0 : 2;
	}
	fprintf(stderr, "usage: kamerctl audit verify [--expect-head SEQ:HASH] | list [--tenant T]"
	                " [--limit N]\n");
	return 2;
}

static int webhook_run(struct db *d, const char *dir, int argc, char **argv)
{
	(void)dir;
	char url[WEBHOOK_URL_MAX + 1], secret[WEBHOOK_SECRET_HEX + 1];
	struct tenant t = {0};
	const char *tenant = "";
	/* "-" names the server's own security contact. */
	if (argc >= 2 && strcmp(argv[1], "-") != 0) {
		if (account_tenant_find(d, argv[1], &t) != 0) {
			fprintf(stderr, "kamerctl: no tenant %s\n", argv[1]);
			return 2;
		}
		tenant = t.id;
	}
	if (argc == 3 && strcmp(argv[0], "set") == 0) {
		if (strncmp(argv[2], "http://", 7) != 0 && strncmp(argv[2], "https://", 8) != 0) {
			fprintf(stderr,
			        "kamerctl: the webhook must be an http:// or https:// URL\n");
			return 2;
		}
		if (strlen(argv[2]) > WEBHOOK_URL_MAX ||
		    webhook_config_set(d, tenant, argv[2], secret) != 0)
			return 2;
		event_record(d, &(struct audit_rec){.tenant = tenant,
		                                    .actor = "kamerctl",
		                                    .kind = "admin.webhook_set",
		                                    .subject = argv[2],
		                                    .source = "local",
		                                    .security = 1});
		printf("%s\n", secret); /* shown once: the receiver needs it to check signatures */
		return 0;
	}
	if (argc == 2 && strcmp(argv[0], "show") == 0) {
		if (webhook_config_get(d, tenant, url, secret) != 0) {
			fprintf(stderr, "kamerctl: no webhook for %s\n", argv[1]);
			return 2;
		}
		printf("%s\t%ld pending\n", url, outbox_pending(d));
		return 0;
	}
	if (argc == 2 && strcmp(argv[0], "test") == 0) {
		return event_record(d, &(struct audit_rec){.tenant = tenant,
		                                           .actor = "kamerctl",
		                                           .kind = "webhook.test",
		                                           .source = "local",
		                                           .security = 1}) == 0
		           ? 0
		           : 2;
	}
	fprintf(stderr, "usage: kamerctl webhook set TENANT URL | show TENANT | test TENANT\n");
	return 2;
}

const struct kamerctl_cmd kamerctl_audit = {
    "audit", "  audit verify [--expect-head SEQ:HASH] | list [--tenant T] [--limit N]\n",
    audit_run};
const struct kamerctl_cmd kamerctl_webhook = {
    "webhook", "  webhook set TENANT URL | show TENANT | test TENANT   (TENANT - is the server)\n",
    webhook_run};
