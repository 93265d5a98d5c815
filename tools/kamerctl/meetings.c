/* meetings.c - kamerctl meeting ... (S8: rotating an address or revoking its
 * invitations is one command). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/events.h"
#include "base/clock.h"
#include "kamerctl.h"
#include "store/meeting.h"

static int print_meeting(void *arg, const struct meeting *m)
{
	(void)arg;
	printf("%s\t%s\t%lld\t%lld\t%s\t%s\n", m->id, m->level, (long long)m->start,
	       (long long)m->end, m->locked ? "locked" : "open", m->title);
	return 0;
}

static void admin_event(struct db *d, const char *tenant, const char *kind, const char *subject)
{
	event_record(d, &(struct audit_rec){.tenant = tenant,
	                                    .actor = "kamerctl",
	                                    .kind = kind,
	                                    .subject = subject,
	                                    .source = "local",
	                                    .security = 1});
}

static int meeting_run(struct db *d, const char *dir, int argc, char **argv)
{
	(void)dir;
	struct meeting m;
	if (argc == 1 && strcmp(argv[0], "list") == 0)
		return meeting_list_all(d, print_meeting, NULL) == 0 ? 0 : 2;
	if (argc == 2 &&
	    (strcmp(argv[0], "rotate") == 0 || strcmp(argv[0], "revoke-invitations") == 0)) {
		if (meeting_get(d, argv[1], clock_unix(), &m) != 0) {
			fprintf(stderr, "kamerctl: no meeting %s\n", argv[1]);
			return 2;
		}
		if (argv[0][0] == 'r' && argv[0][1] == 'o') {
			char id[RND_ID_CHARS + 1];
			if (meeting_rotate(d, m.id, id) != 0)
				return 2;
			admin_event(d, m.tenant, "meeting.rotated", id);
			printf("%s\n", id);
			return 0;
		}
		if (invitation_revoke_all(d, m.id) != 0)
			return 2;
		admin_event(d, m.tenant, "invitation.revoked", m.id);
		return 0;
	}
	if (argc >= 1 && strcmp(argv[0], "expire") == 0) {
		if (argc == 3 && strcmp(argv[1], "--retention-hours") == 0)
			meeting_set_retention(d, strtoll(argv[2], NULL, 10) * 3600);
		int n = meeting_expire(d, clock_unix());
		if (n < 0)
			return 2;
		printf("%d\n", n);
		return 0;
	}
	fprintf(stderr, "usage: kamerctl meeting list | rotate ID | revoke-invitations ID |"
	                " expire [--retention-hours H]\n");
	return 2;
}

const struct kamerctl_cmd kamerctl_meeting = {
    "meeting",
    "  meeting list | rotate ID | revoke-invitations ID | expire [--retention-hours H]\n",
    meeting_run};
