/* meeting_req.c - checking a meeting's fields before anything touches the store. */
#include "api/meeting_req.h"

#include <jansson.h>
#include <string.h>

#include "signal/json.h"

/* 2000-01-01 to 2100-01-01, and no meeting longer than a week. */
#define TIME_MIN     946684800LL
#define TIME_MAX     4102444800LL
#define DURATION_MAX (7LL * 24 * 3600)

int email_valid(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);
	if (len < 3 || len > LIM_EMAIL || !at || at == s ||
	    memchr(at + 1, '@', len - (size_t)(at - s) - 1))
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == ',' ||
		    c == ';' || c == '\\')
			return 0;
	}
	const char *dot = memchr(at + 1, '.', len - (size_t)(at - s) - 1);
	return dot && dot > at + 1 && dot < s + len - 1;
}

int login_valid(const char *s, size_t len)
{
	if (len == 0 || len > LIM_LOGIN)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

static int text_ok(const char *s, size_t n)
{
	if (memchr(s, '\0', n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

static int get_time(json_t *v, int64_t *out)
{
	if (!json_is_integer(v))
		return ERR_PROTO;
	json_int_t t = json_integer_value(v);
	if (t < TIME_MIN || t > TIME_MAX)
		return ERR_PROTO;
	*out = (int64_t)t;
	return 0;
}

static int get_flag(json_t *root, const char *key, unsigned bit, int *out, unsigned *has)
{
	json_t *v = json_object_get(root, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return ERR_PROTO;
	*out = json_is_true(v);
	*has |= bit;
	return 0;
}

static int parse_invitees(struct meeting_req *m, json_t *arr, const char **why)
{
	*why = "invitees must be a list of {\"user\": login} or {\"email\": address}";
	if (!json_is_array(arr))
		return ERR_PROTO;
	if (json_array_size(arr) > LIM_INVITEES) {
		*why = "too many invitees";
		return ERR_PROTO;
	}
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o)
	{
		struct meeting_invitee *inv = &m->invitees[m->ninvitees];
		json_t *u = json_object_get(o, "user"), *e = json_object_get(o, "email");
		if (!json_is_object(o) || json_object_size(o) != 1 || (!u == !e))
			return ERR_PROTO;
		json_t *v = u ? u : e;
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (!s || (u && !login_valid(s, n)) || (e && !email_valid(s, n)))
			return ERR_PROTO;
		memcpy(u ? inv->login : inv->email, s, n + 1);
		m->ninvitees++;
	}
	m->has |= MR_INVITEES;
	return 0;
}

static int parse_hosts(struct meeting_req *m, json_t *arr, const char **why)
{
	*why = "hosts must be a list of logins";
	if (!json_is_array(arr) || json_array_size(arr) > LIM_HOSTS)
		return ERR_PROTO;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (!s || !login_valid(s, n))
			return ERR_PROTO;
		memcpy(m->hosts[m->nhosts++], s, n + 1);
	}
	m->has |= MR_HOSTS;
	return 0;
}

static int check_fields(struct meeting_req *m, json_t *root, const char **why)
{
	static const char *const known[] = {"title", "start",  "end",      "level", "guests",
	                                    "lobby", "locked", "invitees", "hosts", "repeat"};
	const char *k;
	json_t *v;
	json_object_foreach(root, k, v)
	{
		size_t i = 0;
		while (i < sizeof(known) / sizeof(known[0]) && strcmp(known[i], k) != 0)
			i++;
		if (i == sizeof(known) / sizeof(known[0])) {
			*why = "unknown field in the meeting";
			return ERR_PROTO;
		}
	}
	json_t *t = json_object_get(root, "title");
	if (t) {
		const char *s = json_string_value(t);
		size_t n = json_string_length(t);
		if (!s || n == 0 || n > LIM_TITLE || !text_ok(s, n)) {
			*why =
			    "title must be a string of 1 to 200 bytes without control characters";
			return ERR_PROTO;
		}
		memcpy(m->title, s, n + 1);
		m->has |= MR_TITLE;
	}
	if (json_object_get(root, "start")) {
		if (get_time(json_object_get(root, "start"), &m->start) != 0) {
			*why = "start must be a time in Unix seconds";
			return ERR_PROTO;
		}
		m->has |= MR_START;
	}
	if (json_object_get(root, "end")) {
		if (get_time(json_object_get(root, "end"), &m->end) != 0) {
			*why = "end must be a time in Unix seconds";
			return ERR_PROTO;
		}
		m->has |= MR_END;
	}
	if ((m->has & MR_START) && (m->has & MR_END) &&
	    (m->end <= m->start || m->end - m->start > DURATION_MAX)) {
		*why = "end must come after start, at most a week later";
		return ERR_PROTO;
	}
	json_t *l = json_object_get(root, "level");
	if (l) {
		const char *s = json_string_value(l);
		size_t n = json_string_length(l);
		if (!s || n == 0 || n >= sizeof(m->level) || !text_ok(s, n)) {
			*why = "level must be one of the level names";
			return ERR_PROTO;
		}
		memcpy(m->level, s, n + 1);
		m->has |= MR_LEVEL;
	}
	*why = "guests, lobby and locked must be true or false";
	if (get_flag(root, "guests", MR_GUESTS, &m->guests, &m->has) != 0 ||
	    get_flag(root, "lobby", MR_LOBBY, &m->lobby, &m->has) != 0 ||
	    get_flag(root, "locked", MR_LOCKED, &m->locked, &m->has) != 0)
		return ERR_PROTO;
	json_t *rep = json_object_get(root, "repeat");
	if (rep) {
		*why =
		    "repeat must be null or {\"every\": \"day\" or \"week\", \"count\": 2 to 52}";
		m->repeat_count = 1;
		if (!json_is_null(rep)) {
			const char *every = json_string_value(json_object_get(rep, "every"));
			json_t *count = json_object_get(rep, "count");
			if (!json_is_object(rep) || json_object_size(rep) != 2 || !every ||
			    !json_is_integer(count) || json_integer_value(count) < 2 ||
			    json_integer_value(count) > LIM_REPEAT)
				return ERR_PROTO;
			if (strcmp(every, "day") == 0)
				m->repeat_days = 1;
			else if (strcmp(every, "week") == 0)
				m->repeat_days = 7;
			else
				return ERR_PROTO;
			m->repeat_count = (int)json_integer_value(count);
		}
		m->has |= MR_REPEAT;
	}
	json_t *inv = json_object_get(root, "invitees");
	if (inv && parse_invitees(m, inv, why) != 0)
		return ERR_PROTO;
	json_t *hosts = json_object_get(root, "hosts");
	if (hosts && parse_hosts(m, hosts, why) != 0)
		return ERR_PROTO;
	return 0;
}

int meeting_req_parse(struct meeting_req *out, const char *body, size_t len, const char **why)
{
	memset(out, 0, sizeof(*out));
	json_error_t err;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		*why = "body is not valid JSON";
		return ERR_PROTO;
	}
	int rc = ERR_PROTO;
	if (!json_is_object(root) || json_depth(root) > LIM_JSON_DEPTH)
		*why = "body must be a JSON object";
	else
		rc = check_fields(out, root, why);
	json_decref(root);
	return rc;
}
