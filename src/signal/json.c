#include "signal/json.h"

#include <jansson.h>
#include <string.h>

/* What each byte becomes: 0 as it is, a letter for its two-byte escape, 'u' for \u00XX. */
static char escape_of(unsigned char c)
{
	switch (c) {
	case '"': return '"';
	case '\\': return '\\';
	case '\b': return 'b';
	case '\f': return 'f';
	case '\n': return 'n';
	case '\r': return 'r';
	case '\t': return 't';
	default: return c < 0x20 ? 'u' : 0;
	}
}

size_t json_quoted_len(const char *s, size_t n)
{
	size_t len = n;
	for (size_t i = 0; i < n; i++) {
		char e = escape_of((unsigned char)s[i]);
		len += e == 'u' ? 5 : e ? 1 : 0;
	}
	return len;
}

size_t json_quote(char *out, const char *s, size_t n)
{
	char *start = out;
	static const char hex[] = "0123456789ABCDEF"; /* as jansson writes them */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e = escape_of(c);
		if (!e) {
			*out++ = (char)c;
		} else if (e == 'u') {
			memcpy(out, "\\u00", 4);
			out[4] = hex[c >> 4];
			out[5] = hex[c & 15];
			out += 6;
		} else {
			out[0] = '\\';
			out[1] = e;
			out += 2;
		}
	}
	return (size_t)(out - start);
}

int json_depth(const void *v)
{
	const json_t *j = v;
	int max = 0;
	if (json_is_object(j)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)j, k, x)
		{
			int d = json_depth(x);
			if (d > max)
				max = d;
			if (max > LIM_JSON_DEPTH)
				break;
		}
		return max + 1;
	}
	if (json_is_array(j)) {
		size_t i;
		json_t *x;
		json_array_foreach(j, i, x)
		{
			int d = json_depth(x);
			if (d > max)
				max = d;
			if (max > LIM_JSON_DEPTH)
				break;
		}
		return max + 1;
	}
	return 1;
}

static int copy_str(char *dst, size_t cap, json_t *v, int allow_empty)
{
	if (!json_is_string(v))
		return ERR_PROTO;
	size_t n = json_string_length(v);
	const char *s = json_string_value(v);
	if (n >= cap || (n == 0 && !allow_empty) || memchr(s, '\0', n))
		return ERR_PROTO;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return ERR_PROTO;
	}
	memcpy(dst, s, n + 1);
	return 0;
}

/* An optional string field: absent is fine, present must be valid. */
static int opt_str(char *dst, size_t cap, json_t *root, const char *key)
{
	json_t *v = json_object_get(root, key);
	dst[0] = '\0';
	return v ? copy_str(dst, cap, v, 0) : 0;
}

static int get_bool(int *out, json_t *root, const char *key)
{
	json_t *v = json_object_get(root, key);
	if (!json_is_boolean(v))
		return ERR_PROTO;
	*out = json_is_true(v);
	return 0;
}

static int parse_join(struct msg *m, json_t *root, const char **why)
{
	if (opt_str(m->meeting, sizeof(m->meeting), root, "meeting") != 0 ||
	    opt_str(m->invitation, sizeof(m->invitation), root, "invitation") != 0 ||
	    opt_str(m->resume, sizeof(m->resume), root, "resume") != 0) {
		*why = "meeting, invitation and resume must be identifiers";
		return ERR_PROTO;
	}
	if (!m->meeting[0] && !m->invitation[0]) {
		*why = "join needs a meeting id or an invitation";
		return ERR_PROTO;
	}
	if (opt_str(m->name, sizeof(m->name), root, "name") != 0) {
		*why = "name must be 1 to 64 bytes without control characters";
		return ERR_PROTO;
	}
	return 0;
}

static int parse_sdp(struct msg *m, json_t *root, const char **why)
{
	json_t *sdp = json_object_get(root, "sdp");
	if (!json_is_string(sdp) || json_string_length(sdp) == 0 ||
	    json_string_length(sdp) > LIM_SDP_LEN) {
		*why = "sdp must be a non-empty string";
		return ERR_PROTO;
	}
	m->sdp = json_string_value(sdp);
	m->sdp_len = json_string_length(sdp);
	if (m->type == MSG_PUBLISH &&
	    opt_str(m->screen_mid, sizeof(m->screen_mid), root, "screen_mid") != 0) {
		*why = "screen_mid must be a short string";
		return ERR_PROTO;
	}
	return 0;
}

static int parse_chat(struct msg *m, json_t *root, const char **why)
{
	json_t *t = json_object_get(root, "text");
	size_t n = json_string_length(t);
	const char *s = json_string_value(t);
	*why = "chat text must be 1 to 2000 bytes";
	if (!s || n == 0 || n > LIM_CHAT || memchr(s, '\0', n))
		return ERR_PROTO;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\n') || c == 0x7f)
			return ERR_PROTO;
	}
	m->text = s;
	m->text_len = n;
	return 0;
}

static int parse_target(struct msg *m, json_t *root, const char **why)
{
	if (copy_str(m->participant, sizeof(m->participant), json_object_get(root, "participant"),
	             0) != 0) {
		*why = "participant must be a participant id";
		return ERR_PROTO;
	}
	if (m->type != MSG_MUTE)
		return 0;
	const char *kind = json_string_value(json_object_get(root, "kind"));
	if (kind && strcmp(kind, "audio") == 0)
		m->audio = 1;
	else if (kind && strcmp(kind, "video") == 0)
		m->video = 1;
	else {
		*why = "kind must be audio or video";
		return ERR_PROTO;
	}
	return 0;
}

static int parse_state(struct msg *m, json_t *root, const char **why)
{
	if (get_bool(&m->audio, root, "audio") != 0 || get_bool(&m->video, root, "video") != 0) {
		*why = "state needs audio and video booleans";
		return ERR_PROTO;
	}
	return 0;
}

static int parse_flag(struct msg *m, json_t *root, const char **why)
{
	const char *key = m->type == MSG_HAND ? "raised" : "locked";
	if (get_bool(&m->flag, root, key) != 0) {
		*why = m->type == MSG_HAND ? "hand needs raised (boolean)"
		                           : "lock needs locked (boolean)";
		return ERR_PROTO;
	}
	return 0;
}

static int parse_none(struct msg *m, json_t *root, const char **why)
{
	(void)m, (void)root, (void)why;
	return 0;
}

static const struct {
	const char *name;
	enum msg_type type;
	int (*parse)(struct msg *m, json_t *root, const char **why);
} kinds[] = {
    {"join", MSG_JOIN, parse_join},
    {"publish", MSG_PUBLISH, parse_sdp},
    {"subscribe_answer", MSG_SUBSCRIBE_ANSWER, parse_sdp},
    {"state", MSG_STATE, parse_state},
    {"leave", MSG_LEAVE, parse_none},
    {"hand", MSG_HAND, parse_flag},
    {"chat", MSG_CHAT, parse_chat},
    {"admit", MSG_ADMIT, parse_target},
    {"deny", MSG_DENY, parse_target},
    {"mute", MSG_MUTE, parse_target},
    {"ask_unmute", MSG_ASK_UNMUTE, parse_target},
    {"remove", MSG_REMOVE, parse_target},
    {"lock", MSG_LOCK, parse_flag},
    {"end", MSG_END, parse_none},
};

int msg_parse(struct msg *out, const char *buf, size_t len, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	memset(out, 0, sizeof(*out));
	if (len > LIM_WS_MESSAGE) {
		*why = "message too large";
		return ERR_PROTO;
	}
	json_error_t err;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		*why = "malformed JSON";
		return ERR_PROTO;
	}
	out->root = root;
	if (!json_is_object(root)) {
		*why = "a message is a JSON object";
		goto fail;
	}
	if (json_depth(root) > LIM_JSON_DEPTH) {
		*why = "JSON nested too deeply";
		goto fail;
	}
	const char *type = json_string_value(json_object_get(root, "type"));
	if (!type) {
		*why = "missing type";
		goto fail;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(type, kinds[i].name) == 0) {
			out->type = kinds[i].type;
			if (kinds[i].parse(out, root, why) != 0)
				goto fail;
			return 0;
		}
	}
	*why = "unknown message type";
fail:
	json_decref(root);
	out->root = NULL;
	return ERR_PROTO;
}

void msg_free(struct msg *m)
{
	json_decref(m->root);
	m->root = NULL;
}
