#include "signal/json.h"

#include <jansson.h>
#include <string.h>

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
	if (strcmp(type, "join") == 0) {
		out->type = MSG_JOIN;
		if (copy_str(out->meeting, sizeof(out->meeting), json_object_get(root, "meeting"),
		             0) != 0) {
			*why = "join needs a meeting id";
			goto fail;
		}
		if (copy_str(out->name, sizeof(out->name), json_object_get(root, "name"), 0) != 0) {
			*why = "name must be 1 to 64 bytes without control characters";
			goto fail;
		}
	} else if (strcmp(type, "publish") == 0 || strcmp(type, "subscribe_answer") == 0) {
		out->type = type[0] == 'p' ? MSG_PUBLISH : MSG_SUBSCRIBE_ANSWER;
		json_t *sdp = json_object_get(root, "sdp");
		if (!json_is_string(sdp) || json_string_length(sdp) == 0 ||
		    json_string_length(sdp) > LIM_SDP_LEN) {
			*why = "sdp must be a non-empty string";
			goto fail;
		}
		out->sdp = json_string_value(sdp);
		out->sdp_len = json_string_length(sdp);
	} else if (strcmp(type, "state") == 0) {
		out->type = MSG_STATE;
		json_t *a = json_object_get(root, "audio"), *v = json_object_get(root, "video");
		if (!json_is_boolean(a) || !json_is_boolean(v)) {
			*why = "state needs audio and video booleans";
			goto fail;
		}
		out->audio = json_is_true(a);
		out->video = json_is_true(v);
	} else if (strcmp(type, "leave") == 0) {
		out->type = MSG_LEAVE;
	} else {
		*why = "unknown message type";
		goto fail;
	}
	return 0;
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
