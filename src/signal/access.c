/* access.c - who may join which meeting, and as what (docs/PROTOCOL.md "Who may join").
 *
 * Every way of failing ends in the same ERR_NOTFOUND, after the same look-ups, so that a
 * meeting the caller may not see cannot be told from one that does not exist (S2). */
#include <stdio.h>
#include <string.h>

#include "auth/policy.h"
#include "base/clock.h"
#include "signal/internal.h"
#include "store/account.h"
#include "store/meeting.h"
#include "store/websess.h"
#include "auth/cookie.h"

/* The logged-in user behind the socket's cookie, if any. */
static int whoami(struct signal *sig, const struct session_peer *peer, int64_t now, struct user *u)
{
	char token[WEBSESS_TOKEN_LEN + 1];
	struct websess ws;
	if (cookie_get(peer->cookie, "kamer_session", token, sizeof(token)) != 0 ||
	    websess_lookup(sig->db, token, now, &ws) != 0 ||
	    account_user_get(sig->db, ws.user_id, u) != 0 || u->disabled)
		return ERR_NOTFOUND;
	return 0;
}

static int fill(struct signal *sig, const struct meeting *m, struct access *out)
{
	enum level l;
	if (level_parse(m->level, &l) != 0 || !level_allowed(l, (enum level)sig->ceiling))
		return ERR_NOTFOUND; /* a level the server no longer carries (S6, S8) */
	const struct level_policy *p = policy_of(l);
	memcpy(out->meeting, m->id, sizeof(out->meeting));
	memcpy(out->title, m->title, sizeof(out->title));
	memcpy(out->tenant, m->tenant, sizeof(out->tenant));
	snprintf(out->level, sizeof(out->level), "%s", m->level);
	out->locked = m->locked;
	out->lobby = m->lobby || p->lobby_forced;
	out->guests_allowed = m->guests && p->guests_allowed;
	return 0;
}

int access_join(struct signal *sig, const struct session_peer *peer, const struct msg *m,
                struct access *out)
{
	int64_t now = clock_unix();
	struct user u;
	struct meeting mt;
	memset(out, 0, sizeof(*out));
	int authed = whoami(sig, peer, now, &u) == 0;
	if (m->invitation[0]) {
		struct invitation inv;
		if (invitation_find(sig->db, m->invitation, now, &inv) != 0 ||
		    meeting_get(sig->db, inv.meeting, now, &mt) != 0 || fill(sig, &mt, out) != 0)
			return ERR_NOTFOUND;
		if (inv.user_id[0]) {
			/* An account's personal link still needs that account's login. */
			if (!authed || strcmp(u.id, inv.user_id) != 0)
				return ERR_NOTFOUND;
		} else if (!out->guests_allowed) {
			return ERR_NOTFOUND; /* guests are not allowed at this level or meeting */
		} else {
			out->kind = KIND_GUEST;
			return 0;
		}
	} else {
		int found = rnd_id_valid(m->meeting, strlen(m->meeting)) &&
		            meeting_get(sig->db, m->meeting, now, &mt) == 0;
		/* The role look-up runs either way: the same work for unknown and forbidden. */
		int role =
		    meeting_person_role(sig->db, found ? mt.id : m->meeting, authed ? u.id : "");
		if (!found || !authed || role == MEETING_NONE || fill(sig, &mt, out) != 0)
			return ERR_NOTFOUND;
	}
	out->kind = KIND_ACCOUNT;
	out->host = meeting_person_role(sig->db, mt.id, u.id) == MEETING_HOST;
	memcpy(out->user_id, u.id, sizeof(out->user_id));
	memcpy(out->name, u.name, sizeof(out->name));
	return 0;
}
