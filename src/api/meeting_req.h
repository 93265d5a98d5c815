/* meeting_req.h - the body of POST and PATCH /api/v1/meetings, typed and checked. */
#ifndef KAMER_API_MEETING_REQ_H
#define KAMER_API_MEETING_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/limits.h"

enum {
	MR_TITLE = 1 << 0,
	MR_START = 1 << 1,
	MR_END = 1 << 2,
	MR_LEVEL = 1 << 3,
	MR_GUESTS = 1 << 4,
	MR_LOBBY = 1 << 5,
	MR_LOCKED = 1 << 6,
	MR_INVITEES = 1 << 7,
	MR_HOSTS = 1 << 8,
	MR_REPEAT = 1 << 9,
};

struct meeting_invitee {
	char login[LIM_LOGIN + 1]; /* a user, or "" */
	char email[LIM_EMAIL + 1]; /* a guest, or "" */
};

struct meeting_req {
	unsigned has; /* MR_* for each field present */
	char title[LIM_TITLE + 1];
	int64_t start, end; /* Unix seconds */
	char level[24];     /* a slug; checked against the policy table by the caller */
	int guests, lobby, locked;
	int repeat_days,
	    repeat_count; /* "repeat": {"every": "day"|"week", "count": n}; null = once */
	struct meeting_invitee invitees[LIM_INVITEES];
	size_t ninvitees;
	char hosts[LIM_HOSTS][LIM_LOGIN + 1];
	size_t nhosts;
};

/* Parses and checks a body. 0, or ERR_PROTO with a static reason for people in *why. */
int meeting_req_parse(struct meeting_req *out, const char *body, size_t len,
                      const char **why) WARN_UNUSED;

/* Whether s is a plausible e-mail address (one '@', no spaces or controls, a dot after
   the '@'); kamer never sends mail, it only names guests by it. */
int email_valid(const char *s, size_t len);
/* Logins: 1..LIM_LOGIN of [a-z0-9._-]. */
int login_valid(const char *s, size_t len);

#endif
