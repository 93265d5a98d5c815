/* json.h - the signalling messages (docs/PROTOCOL.md), typed from JSON. */
#ifndef KAMER_SIGNAL_JSON_H
#define KAMER_SIGNAL_JSON_H

#include <stddef.h>

#include "base/err.h"
#include "base/limits.h"

enum msg_type { MSG_JOIN, MSG_PUBLISH, MSG_SUBSCRIBE_ANSWER, MSG_STATE, MSG_LEAVE };

struct msg {
	enum msg_type type;
	char meeting[LIM_ID_LEN + 1]; /* join */
	char name[LIM_NAME + 1];      /* join */
	const char *sdp;              /* publish, subscribe_answer: points into root */
	size_t sdp_len;
	int audio, video; /* state */
	void *root;       /* the parsed document (json_t), owned */
};

/* Parses one client message. 0, or ERR_PROTO with a static reason in *why. On success
   call msg_free(). Names must be 1..LIM_NAME bytes without control characters. */
int msg_parse(struct msg *out, const char *buf, size_t len, const char **why) WARN_UNUSED;
void msg_free(struct msg *m);

/* Depth of nesting in a JSON value (1 for a scalar). */
int json_depth(const void *json_value);

#endif
