/* policy.c - the classification table. Change it here, and only here. */
#include "auth/policy.h"

#include <string.h>

static const struct level_policy table[LEVEL_COUNT] = {
    [LEVEL_ONGERUBRICEERD] = {"ongerubriceerd", "Ongerubriceerd", "Unclassified", 1, 0, 1, 1, 0},
    [LEVEL_DEPV] = {"depv", "Departementaal Vertrouwelijk (Dep.V.)",
                    "Departmental Confidential (Dep.V.)", 0, 1, 0, 0, 1},
    [LEVEL_STG_CONFIDENTIEEL] = {"stg-confidentieel", "Stg. Confidentieel",
                                 "State Secret: Confidential", 0, 1, 0, 0, 1},
    [LEVEL_STG_GEHEIM] = {"stg-geheim", "Stg. Geheim", "State Secret: Secret", 0, 1, 0, 0, 1},
    [LEVEL_STG_ZEER_GEHEIM] = {"stg-zeer-geheim", "Stg. Zeer Geheim", "State Secret: Top Secret", 0,
                               1, 0, 0, 1},
};

const struct level_policy *policy_of(enum level l)
{
	if ((unsigned)l >= LEVEL_COUNT)
		l = LEVEL_STG_ZEER_GEHEIM; /* the strictest, should a bad value ever reach here */
	return &table[l];
}

int level_parse(const char *slug, enum level *out)
{
	for (int i = 0; i < LEVEL_COUNT; i++) {
		if (strcmp(table[i].slug, slug) == 0) {
			*out = (enum level)i;
			return 0;
		}
	}
	return -1;
}

const char *level_slug(enum level l)
{
	return policy_of(l)->slug;
}

int level_allowed(enum level l, enum level ceiling)
{
	return (unsigned)l < LEVEL_COUNT && l <= ceiling;
}
