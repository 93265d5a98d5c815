/* meeting.h - meetings with their access policy, their people and invitations.
 *
 * A meeting stores its level's slug only; what the level allows is looked up in
 * auth/policy.c at the time of use (S8). Every identifier is rnd_id() (S1). A recurring
 * meeting is one record with a rule, not a record per occurrence: nothing is kept per
 * occurrence (chat is never stored), and the record goes with its last occurrence. */
#ifndef KAMER_STORE_MEETING_H
#define KAMER_STORE_MEETING_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/rnd.h"

struct db;

struct meeting {
	char id[RND_ID_CHARS + 1];      /* the address */
	char tenant[RND_ID_CHARS + 1];  /* the organisation that owns it */
	char creator[RND_ID_CHARS + 1]; /* user id */
	char title[LIM_TITLE + 1];
	int64_t start, end, created; /* Unix seconds */
	char level[24];              /* slug, auth/policy.h */
	int guests, lobby, locked;
	uint32_t sequence; /* bumped on every change (iCalendar SEQUENCE) */
	/* A series: repeat_days apart (1 daily, 7 weekly; 0 = once), repeat_count times. The
	   series keeps one record, kept until its last occurrence's end + retention. */
	int repeat_days, repeat_count;
};

struct invitation {
	char id[RND_ID_CHARS + 1];
	char meeting[RND_ID_CHARS + 1];
	char secret[RND_ID_CHARS + 1];  /* the personal link /i/<secret> */
	char user_id[RND_ID_CHARS + 1]; /* an account, or "" */
	char email[LIM_EMAIL + 1];      /* a guest, or "" */
	int64_t created;
};

enum { MEETING_NONE = 0, MEETING_INVITEE = 1, MEETING_HOST = 2 };

int meeting_init(struct db *d, char *why, size_t cap);

/* Fills m->id and m->created. */
int meeting_create(struct db *d, struct meeting *m) WARN_UNUSED;
/* ERR_NOTFOUND also when the meeting has expired (end + retention < now) — see
   meeting_set_retention. */
int meeting_get(struct db *d, const char *id, int64_t now, struct meeting *out) WARN_UNUSED;
/* Writes every field but id, tenant, creator and created; bumps sequence. */
int meeting_update(struct db *d, struct meeting *m) WARN_UNUSED;
/* With its people and invitations. */
int meeting_delete(struct db *d, const char *id) WARN_UNUSED;
/* A new address; people and invitations move along and the old id is gone. */
int meeting_rotate(struct db *d, const char *old_id, char new_id[RND_ID_CHARS + 1]) WARN_UNUSED;

/* Hosts and invitees: a user (user_id) or a guest (email). */
int meeting_person_add(struct db *d, const char *meeting, const char *user_id, const char *email,
                       int host) WARN_UNUSED;
int meeting_people_clear(struct db *d, const char *meeting) WARN_UNUSED;
/* Removes everyone who is not a host. */
int meeting_invitees_clear(struct db *d, const char *meeting) WARN_UNUSED;
/* Removes one person (user_id or email; "" for the other). */
int meeting_person_remove(struct db *d, const char *meeting, const char *user_id,
                          const char *email) WARN_UNUSED;
/* MEETING_NONE, MEETING_INVITEE or MEETING_HOST. */
int meeting_person_role(struct db *d, const char *meeting, const char *user_id);
int meeting_people(struct db *d, const char *meeting,
                   int (*cb)(void *arg, const char *user_id, const char *email, int host),
                   void *arg);
/* The meetings a user hosts or is invited to, soonest first. */
int meeting_list_for_user(struct db *d, const char *user_id, int64_t now,
                          int (*cb)(void *arg, const struct meeting *m, int role), void *arg);
int meeting_list_all(struct db *d, int (*cb)(void *arg, const struct meeting *m), void *arg);

int invitation_create(struct db *d, const char *meeting, const char *user_id, const char *email,
                      struct invitation *out) WARN_UNUSED;
/* ERR_NOTFOUND for unknown or revoked secrets, and when the meeting is gone. */
int invitation_find(struct db *d, const char *secret, int64_t now,
                    struct invitation *out) WARN_UNUSED;
int invitation_get(struct db *d, const char *meeting, const char *inv_id,
                   struct invitation *out) WARN_UNUSED;
/* Revoking deletes: the secret then answers like one that never existed. */
int invitation_revoke(struct db *d, const char *meeting, const char *inv_id) WARN_UNUSED;
int invitation_revoke_all(struct db *d, const char *meeting) WARN_UNUSED;
int invitation_list(struct db *d, const char *meeting,
                    int (*cb)(void *arg, const struct invitation *inv), void *arg);

/* How long after its end a meeting is kept (default 7 days). */
void meeting_set_retention(struct db *d, int64_t seconds);
/* Deletes meetings whose end + retention has passed. How many, or ERR_IO. */
int meeting_expire(struct db *d, int64_t now);

#endif
