/* policy.h - classification levels and the one table of what each level allows (S6, S8).
 *
 * Meetings store only their level's slug; the policy is looked up here at the time of
 * use, so a change to this table applies to meetings that already exist.
 * docs/CLASSIFICATION.md explains the table. */
#ifndef KAMER_AUTH_POLICY_H
#define KAMER_AUTH_POLICY_H

enum level {
	LEVEL_ONGERUBRICEERD = 0,
	LEVEL_DEPV,
	LEVEL_STG_CONFIDENTIEEL,
	LEVEL_STG_GEHEIM,
	LEVEL_STG_ZEER_GEHEIM,
	LEVEL_COUNT
};

struct level_policy {
	const char *slug;     /* in the API and the store: "depv" */
	const char *label_nl; /* "Departementaal Vertrouwelijk (Dep.V.)" */
	const char *label_en;
	int guests_allowed;    /* people without an account, by invitation */
	int lobby_forced;      /* the lobby cannot be switched off */
	int dialin_allowed;    /* phone participants */
	int recording_allowed; /* recorders */
	int e2ee_required;     /* once kamer has end-to-end encryption */
};

/* The policy of a level (never NULL for a valid level). */
const struct level_policy *policy_of(enum level l);
/* 0 with *out set, or -1 for an unknown slug. */
int level_parse(const char *slug, enum level *out);
const char *level_slug(enum level l);
/* Whether a level may be used under a server's ceiling. */
int level_allowed(enum level l, enum level ceiling);

#endif
