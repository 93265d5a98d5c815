/* json.h - the signalling messages (docs/PROTOCOL.md), typed from JSON. */
#ifndef KAMER_SIGNAL_JSON_H
#define KAMER_SIGNAL_JSON_H

#include <stddef.h>

#include "base/err.h"
#include "base/limits.h"

enum msg_type {
	MSG_JOIN,
	MSG_PUBLISH,
	MSG_SUBSCRIBE_ANSWER,
	MSG_STATE,
	MSG_LEAVE,
	MSG_HAND,
	MSG_CHAT,
	MSG_ADMIT,
	MSG_DENY,
	MSG_MUTE,
	MSG_ASK_UNMUTE,
	MSG_REMOVE,
	MSG_LOCK,
	MSG_END,
};

struct msg {
	enum msg_type type;
	char meeting[LIM_ID_LEN + 1];    /* join: a meeting id, or "" */
	char invitation[LIM_ID_LEN + 1]; /* join: an invitation secret, or "" */
	char resume[LIM_ID_LEN + 1];     /* join: a resume secret, or "" */
	char name[LIM_NAME + 1];         /* join: "" when absent */
	const char *sdp;                 /* publish, subscribe_answer: points into root */
	size_t sdp_len;
	char screen_mid[16];              /* publish: the screen's m-section, or "" */
	int audio, video;                 /* state; mute: which (audio 1 or video 1) */
	int flag;                         /* hand: raised; lock: locked */
	char participant[LIM_ID_LEN + 1]; /* admit, deny, mute, ask_unmute, remove */
	const char *text;                 /* chat: points into root */
	size_t text_len;
	void *root; /* the parsed document (json_t), owned */
};

/* Parses one client message. 0, or ERR_PROTO with a static reason in *why. On success
   call msg_free(). Names must be 1..LIM_NAME bytes without control characters; chat text
   1..LIM_CHAT bytes without control characters other than newline. */
int msg_parse(struct msg *out, const char *buf, size_t len, const char **why) WARN_UNUSED;
void msg_free(struct msg *m);

/* Text that kamerd wrote itself (an SDP, ids) as the body of a JSON string (RFC 8259 7),
   without building a JSON value: the body's length, and the body written into out (that
   many bytes, which json_quote returns). '"', '\\' and control characters are escaped;
   other bytes are copied as they are, so the text must be UTF-8. A subscribe offer for a
   room is tens of kilobytes sent to every member at every join, where jansson's checking
   copy and its writer cost several times as much. */
size_t json_quoted_len(const char *s, size_t n);
size_t json_quote(char *out, const char *s, size_t n);

/* Depth of nesting in a JSON value (1 for a scalar). */
int json_depth(const void *json_value);

#endif
