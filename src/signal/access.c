/* access.c - who may join which meeting, and as what (docs/PROTOCOL.md "Who may join"). */
#include <stdio.h>
#include <string.h>

#include "signal/internal.h"
#include "store/db.h"

int access_join(struct signal *sig, const struct session_peer *peer, const struct msg *m,
                struct access *out)
{
	(void)peer;
	memset(out, 0, sizeof(*out));
	/* S2: a malformed id and an unknown one take the same path to the same answer. */
	if (!rnd_id_valid(m->meeting, strlen(m->meeting)) ||
	    db_meeting_get(sig->db, m->meeting, out->title, sizeof(out->title)) != 0)
		return ERR_NOTFOUND;
	memcpy(out->meeting, m->meeting, sizeof(out->meeting));
	snprintf(out->level, sizeof(out->level), "ongerubriceerd");
	out->kind = KIND_GUEST;
	return 0;
}
