/* fixture_signal.h - a meeting with a host and an invited member, and their cookies. */
#ifndef KAMER_TESTS_FIXTURE_SIGNAL_H
#define KAMER_TESTS_FIXTURE_SIGNAL_H

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/account.h"
#include "store/meeting.h"
#include "store/websess.h"

static char fx_meeting[RND_ID_CHARS + 1];
static char fx_host_cookie[64], fx_member_cookie[64];

static inline int fixture_user(struct db *d, const char *tenant, const char *login, unsigned roles,
                               char id[RND_ID_CHARS + 1], char *cookie, size_t cap)
{
	struct user u = {.roles = roles};
	struct websess ws;
	char token[WEBSESS_TOKEN_LEN + 1];
	snprintf(u.tenant, sizeof(u.tenant), "%s", tenant);
	snprintf(u.login, sizeof(u.login), "%s", login);
	if (account_user_add(d, &u, NULL, id) != 0 ||
	    websess_create(d, id, (int64_t)time(NULL), token, &ws) != 0)
		return -1;
	snprintf(cookie, cap, "kamer_session=%s", token);
	return 0;
}

static inline int fixture_signal_setup(struct db *d)
{
	char tenant[RND_ID_CHARS + 1], host[RND_ID_CHARS + 1], member[RND_ID_CHARS + 1];
	if (account_tenant_add(d, "Ministerie", tenant) != 0 ||
	    fixture_user(d, tenant, "alice", ROLE_MEMBER | ROLE_HOST, host, fx_host_cookie,
	                 sizeof(fx_host_cookie)) != 0 ||
	    fixture_user(d, tenant, "bob", ROLE_MEMBER, member, fx_member_cookie,
	                 sizeof(fx_member_cookie)) != 0)
		return -1;
	struct meeting m = {.start = (int64_t)time(NULL), .end = (int64_t)time(NULL) + 3600};
	snprintf(m.tenant, sizeof(m.tenant), "%s", tenant);
	snprintf(m.creator, sizeof(m.creator), "%s", host);
	snprintf(m.title, sizeof(m.title), "Overleg");
	snprintf(m.level, sizeof(m.level), "ongerubriceerd");
	if (meeting_create(d, &m) != 0 || meeting_person_add(d, m.id, host, NULL, 1) != 0 ||
	    meeting_person_add(d, m.id, member, NULL, 0) != 0)
		return -1;
	memcpy(fx_meeting, m.id, sizeof(fx_meeting));
	return 0;
}

static inline const char *fixture_meeting(void)
{
	return fx_meeting;
}
static inline const char *fixture_host_cookie(void)
{
	return fx_host_cookie;
}
static inline const char *fixture_member_cookie(void)
{
	return fx_member_cookie;
}

#endif
