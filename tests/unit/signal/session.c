/* Tests for src/signal/: the session state machine, rooms, lobby and host controls,
 * driven through session_on_message() with a fake transport and a real media plane on
 * loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "net/udp.h"
#include "rtc/srtp.h"
#include "sfu/media.h"
#include "signal/session.h"
#include "store/db.h"
#include "fixture_signal.h"
#include <sodium.h>

#define MAX_MSGS 256

/* A fake socket: what the server sent, and whether it asked to close. */
struct client {
	struct session *se;
	json_t *msgs[MAX_MSGS];
	size_t n;
	int closed;
};

struct world {
	char dir[64];
	struct db *db;
	struct media *media;
	struct signal *sig;
};

static void fake_send(void *ctx, const char *json, size_t len, int close_after)
{
	struct client *c = ctx;
	json_error_t err;
	if (c->n < MAX_MSGS)
		c->msgs[c->n++] = json_loadb(json, len, 0, &err);
	if (close_after)
		c->closed = 1;
}

static void client_open(struct world *w, struct client *c)
{
	memset(c, 0, sizeof(*c));
	struct session_peer peer = {.source = "127.0.0.1"};
	c->se = session_open(w->sig, fake_send, c, &peer);
	assert_non_null(c->se);
}

static void client_with_cookie(struct world *w, struct client *c, const char *cookie)
{
	memset(c, 0, sizeof(*c));
	struct session_peer peer = {.source = "127.0.0.1"};
	snprintf(peer.cookie, sizeof(peer.cookie), "%s", cookie);
	c->se = session_open(w->sig, fake_send, c, &peer);
	assert_non_null(c->se);
}

static void client_drop(struct client *c)
{
	for (size_t i = 0; i < c->n; i++)
		json_decref(c->msgs[i]);
	c->n = 0;
}

static void client_close(struct client *c)
{
	if (c->se)
		session_close(c->se);
	c->se = NULL;
	client_drop(c);
}

static void say(struct client *c, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	session_on_message(c->se, buf, strlen(buf));
}

/* The last message of a type, or NULL. */
static json_t *last(struct client *c, const char *type)
{
	for (size_t i = c->n; i-- > 0;) {
		const char *t = json_string_value(json_object_get(c->msgs[i], "type"));
		if (t && strcmp(t, type) == 0)
			return c->msgs[i];
	}
	return NULL;
}

static const char *error_code(struct client *c)
{
	json_t *e = last(c, "error");
	return e ? json_string_value(json_object_get(e, "code")) : NULL;
}

static size_t roster_size(struct client *c)
{
	json_t *r = last(c, "roster");
	return r ? json_array_size(json_object_get(r, "participants")) : 0;
}

static json_t *roster_entry(struct client *c, const char *id)
{
	json_t *r = last(c, "roster");
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(r, "participants"), i, p)
	{
		if (strcmp(json_string_value(json_object_get(p, "id")), id) == 0)
			return p;
	}
	return NULL;
}

static const char *my_id(struct client *c)
{
	return json_string_value(json_object_get(last(c, "joined"), "id"));
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	char why[256];
	snprintf(w->dir, sizeof(w->dir), "/tmp/kamer-signal-test-XXXXXX");
	if (!mkdtemp(w->dir) || db_open(&w->db, w->dir, why, sizeof(why)) != 0)
		return -1;
	struct media_config mc;
	memset(&mc, 0, sizeof(mc));
	socklen_t len;
	if (addr_parse("127.0.0.1:0", &mc.bind, &len) != 0)
		return -1;
	w->media = media_start(&mc, why, sizeof(why));
	w->sig = w->media ? signal_new(w->db, w->media) : NULL;
	if (!w->sig)
		return -1;
	if (fixture_signal_setup(w->db) != 0)
		return -1;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	signal_free(w->sig);
	media_stop(w->media);
	db_close(w->db);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", w->dir);
	free(w);
	return system(cmd) == 0 ? 0 : -1;
}

static void join_as(struct world *w, struct client *c, int host, const char *name)
{
	client_with_cookie(w, c, host ? fixture_host_cookie() : fixture_member_cookie());
	say(c, "{\"type\":\"join\",\"meeting\":\"%s\",\"name\":\"%s\"}", fixture_meeting(), name);
}

/* The roster broadcast is put together from entries written once (room.c): each member
   must get what jansson writes for them, their own entry and only theirs marked "self". */
static void roster_marks_each_member_self(void **state)
{
	struct world *w = *state;
	struct client a, b;
	join_as(w, &a, 1, "Alice");
	join_as(w, &b, 0, "Bob");
	struct client *cs[2] = {&a, &b};
	for (int k = 0; k < 2; k++) {
		json_t *list = json_object_get(last(cs[k], "roster"), "participants");
		assert_int_equal(json_array_size(list), 2);
		size_t i, selves = 0;
		json_t *p;
		json_array_foreach(list, i, p)
		{
			if (json_object_get(p, "self")) {
				assert_true(json_is_true(json_object_get(p, "self")));
				assert_string_equal(json_string_value(json_object_get(p, "id")),
				                    my_id(cs[k]));
				selves++;
			}
		}
		assert_int_equal(selves, 1);
	}
	/* Bob's "joined" carries room_roster_json for him; the broadcast right after it, with
	   the same people, must be equal to it. */
	json_t *joined = json_object_get(last(&b, "joined"), "participants");
	assert_true(json_equal(joined, json_object_get(last(&b, "roster"), "participants")));
	client_close(&a);
	client_close(&b);
}

static void unknown_meeting_is_not_found(void **state)
{
	struct world *w = *state;
	struct client c;
	client_with_cookie(w, &c, fixture_host_cookie());
	say(&c,
	    "{\"type\":\"join\",\"meeting\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"name\":\"x\"}");
	assert_string_equal(error_code(&c), "not_found");
	assert_true(c.closed);
	client_close(&c);
	client_open(w, &c);
	say(&c, "{\"type\":\"join\",\"meeting\":\"not-an-id\",\"name\":\"x\"}");
	assert_string_equal(error_code(&c), "not_found");
	client_close(&c);
}

static void messages_before_join_are_refused(void **state)
{
	struct world *w = *state;
	struct client c;
	client_open(w, &c);
	say(&c, "{\"type\":\"chat\",\"text\":\"hi\"}");
	assert_string_equal(error_code(&c), "state");
	assert_false(c.closed);
	say(&c, "{\"type\":\"nonsense\"}");
	assert_string_equal(error_code(&c), "bad_request");
	client_close(&c);
}

static void two_join_and_chat(void **state)
{
	struct world *w = *state;
	struct client a, b;
	join_as(w, &a, 1, "Alice");
	assert_non_null(last(&a, "joined"));
	join_as(w, &b, 0, "Bob");
	assert_non_null(last(&b, "joined"));
	assert_int_equal(roster_size(&a), 2);
	assert_int_equal(roster_size(&b), 2);
	assert_int_equal(signal_participants(w->sig), 2);
	say(&b, "{\"type\":\"chat\",\"text\":\"Goedemorgen\"}");
	json_t *m = last(&a, "chat");
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "text")), "Goedemorgen");
	assert_string_equal(json_string_value(json_object_get(m, "from")), my_id(&b));
	say(&b, "{\"type\":\"hand\",\"raised\":true}");
	assert_true(json_is_true(json_object_get(roster_entry(&a, my_id(&b)), "hand")));
	client_close(&a);
	client_close(&b);
}

static void only_hosts_control(void **state)
{
	struct world *w = *state;
	struct client a, b;
	join_as(w, &a, 1, "Alice");
	join_as(w, &b, 0, "Bob");
	char aid[64];
	snprintf(aid, sizeof(aid), "%s", my_id(&a));
	say(&b, "{\"type\":\"remove\",\"participant\":\"%s\"}", aid);
	assert_string_equal(error_code(&b), "forbidden");
	assert_false(a.closed);
	say(&b, "{\"type\":\"lock\",\"locked\":true}");
	assert_string_equal(error_code(&b), "forbidden");
	client_close(&a);
	client_close(&b);
}

static void host_removes_and_mutes(void **state)
{
	struct world *w = *state;
	struct client a, b;
	join_as(w, &a, 1, "Alice");
	join_as(w, &b, 0, "Bob");
	char bid[64];
	snprintf(bid, sizeof(bid), "%s", my_id(&b));
	say(&a, "{\"type\":\"mute\",\"participant\":\"%s\",\"kind\":\"audio\"}", bid);
	assert_non_null(last(&b, "muted"));
	assert_false(json_is_true(json_object_get(roster_entry(&a, bid), "audio")));
	say(&a, "{\"type\":\"remove\",\"participant\":\"%s\"}", bid);
	assert_non_null(last(&b, "removed"));
	assert_true(b.closed);
	assert_int_equal(roster_size(&a), 1);
	assert_null(roster_entry(&a, bid));
	client_close(&b); /* the transport closes the removed socket */
	say(&a, "{\"type\":\"leave\"}");
	client_close(&a);
	assert_int_equal(signal_participants(w->sig), 0);
	assert_int_equal(signal_rooms(w->sig), 0);
}

static void locked_meeting_refuses_newcomers(void **state)
{
	struct world *w = *state;
	struct client a, b;
	join_as(w, &a, 1, "Alice");
	say(&a, "{\"type\":\"lock\",\"locked\":true}");
	assert_true(json_is_true(
	    json_object_get(json_object_get(last(&a, "meeting"), "meeting"), "locked")));
	join_as(w, &b, 0, "Bob");
	assert_string_equal(error_code(&b), "locked");
	assert_true(b.closed);
	assert_int_equal(roster_size(&a), 1);
	client_close(&b);
	say(&a, "{\"type\":\"lock\",\"locked\":false}");
	client_close(&a);
}

static void dropped_socket_keeps_seat_and_resumes(void **state)
{
	struct world *w = *state;
	struct client a, b, b2;
	join_as(w, &a, 1, "Alice");
	join_as(w, &b, 0, "Bob");
	char bid[64], resume[64];
	snprintf(bid, sizeof(bid), "%s", my_id(&b));
	snprintf(resume, sizeof(resume), "%s",
	         json_string_value(json_object_get(last(&b, "joined"), "resume")));
	client_close(&b); /* the network dropped */
	assert_int_equal(roster_size(&a), 2);
	assert_true(json_is_true(json_object_get(roster_entry(&a, bid), "reconnecting")));
	client_with_cookie(w, &b2, fixture_member_cookie());
	say(&b2, "{\"type\":\"join\",\"meeting\":\"%s\",\"resume\":\"%s\"}", fixture_meeting(),
	    resume);
	assert_non_null(last(&b2, "joined"));
	assert_string_equal(my_id(&b2), bid);
	assert_int_equal(roster_size(&a), 2);
	assert_false(json_is_true(json_object_get(roster_entry(&a, bid), "reconnecting")));
	/* The secret is single-use: the old one no longer takes the seat. */
	assert_string_not_equal(json_string_value(json_object_get(last(&b2, "joined"), "resume")),
	                        resume);
	client_close(&b2);
	client_close(&a);
}

static void set_lobby(struct world *w, int on)
{
	struct meeting m;
	assert_int_equal(meeting_get(w->db, fixture_meeting(), (int64_t)time(NULL), &m), 0);
	m.lobby = on;
	assert_int_equal(meeting_update(w->db, &m), 0);
}

static void lobby_tells_nothing_until_admitted(void **state)
{
	struct world *w = *state;
	struct client a, b;
	set_lobby(w, 1);
	join_as(w, &a, 1, "Alice"); /* hosts walk in */
	assert_non_null(last(&a, "joined"));
	join_as(w, &b, 0, "Bob");
	assert_non_null(last(&b, "lobby"));
	assert_null(last(&b, "joined"));
	assert_null(last(&b, "roster"));
	for (size_t i = 0; i < b.n; i++) { /* S5: no title, no names */
		char *txt = json_dumps(b.msgs[i], 0);
		assert_null(strstr(txt, "Overleg"));
		assert_null(strstr(txt, "alice"));
		free(txt);
	}
	say(&b, "{\"type\":\"chat\",\"text\":\"let me in\"}");
	assert_string_equal(error_code(&b), "state");
	assert_null(last(&a, "chat"));
	json_t *wt = last(&a, "waiting");
	assert_non_null(wt);
	assert_int_equal(json_array_size(json_object_get(wt, "participants")), 1);
	const char *bid = json_string_value(
	    json_object_get(json_array_get(json_object_get(wt, "participants"), 0), "id"));
	say(&a, "{\"type\":\"admit\",\"participant\":\"%s\"}", bid);
	assert_non_null(last(&b, "joined"));
	assert_int_equal(roster_size(&a), 2);
	set_lobby(w, 0);
	client_close(&a);
	client_close(&b);
}

static void leave_frees_everything(void **state)
{
	struct world *w = *state;
	struct client a;
	join_as(w, &a, 1, "Alice");
	say(&a, "{\"type\":\"leave\"}");
	assert_non_null(last(&a, "left"));
	assert_true(a.closed);
	assert_int_equal(signal_participants(w->sig), 0);
	client_close(&a);
	assert_int_equal(signal_rooms(w->sig), 0);
}

/* A publish offer with one Opus track of the given SSRC (the transport at session level). */
static void publish(struct client *c, unsigned ssrc)
{
	say(c,
	    "{\"type\":\"publish\",\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 "
	    "0\\r\\na=group:BUNDLE "
	    "a\\r\\na=ice-ufrag:abcd\\r\\na=ice-pwd:abcdefghijklmnopqrstuv\\r\\n"
	    "a=fingerprint:sha-256 "
	    "06:EE:91:06:55:FC:05:73:67:E8:A5:CA:6F:7B:5B:FD:E1:7C:16:2A:52:38:23:01:6D:91:FD:70:"
	    "C6:"
	    "89:50:CE\\r\\na=setup:actpass\\r\\nm=audio 9 UDP/TLS/RTP/SAVPF 111\\r\\nc=IN IP4 "
	    "0.0.0.0\\r\\na=mid:a\\r\\na=sendonly\\r\\na=rtcp-mux\\r\\na=rtpmap:111 "
	    "opus/48000/2\\r\\na=ssrc:%u cname:x\\r\\n\"}",
	    ssrc);
	assert_non_null(last(c, "publish_answer"));
}

/* Answers the last subscribe offer (what is in the answer does not matter here). */
static void answer(struct client *c)
{
	say(c,
	    "{\"type\":\"subscribe_answer\",\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 "
	    "127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\na=group:BUNDLE 0\\r\\na=ice-ufrag:abcd\\r\\n"
	    "a=ice-pwd:abcdefghijklmnopqrstuv\\r\\na=fingerprint:sha-256 "
	    "06:EE:91:06:55:FC:05:73:67:E8:A5:CA:6F:7B:5B:FD:E1:7C:16:2A:52:38:23:01:6D:91:FD:70:"
	    "C6:89:50:CE\\r\\na=setup:active\\r\\nm=audio 9 UDP/TLS/RTP/SAVPF 111\\r\\nc=IN IP4 "
	    "0.0.0.0\\r\\na=mid:0\\r\\na=recvonly\\r\\na=rtcp-mux\\r\\na=rtpmap:111 "
	    "opus/48000/2\\r\\n\"}");
	assert_null(error_code(c));
}

static size_t count(struct client *c, const char *type)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++) {
		const char *t = json_string_value(json_object_get(c->msgs[i], "type"));
		n += t && strcmp(t, type) == 0;
	}
	return n;
}

static unsigned waker_calls, waker_ms;
static void fake_waker(void *ctx, unsigned ms)
{
	(void)ctx;
	waker_calls++;
	waker_ms = ms;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* A crowd that joins within a moment: the one already in gets one offer for the next two
   newcomers, after the gap, with both in it; the newcomers' own first offers leave at
   once. */
static void offers_to_one_subscriber_are_spaced(void **state)
{
	struct world *w = *state;
	struct client a, b, c, d;
	waker_calls = 0;
	signal_set_waker(w->sig, fake_waker, NULL);
	join_as(w, &a, 1, "Alice");
	publish(&a, 1111);
	join_as(w, &b, 0, "Bob");
	assert_int_equal(count(&b, "subscribe_offer"), 1); /* Alice's track, at once */
	publish(&b, 2222);
	assert_int_equal(count(&a, "subscribe_offer"), 1); /* Bob's, at once: her first */
	answer(&a);
	join_as(w, &c, 0, "Carol");
	publish(&c, 3333);
	join_as(w, &d, 0, "Dave");
	publish(&d, 4444);
	assert_int_equal(count(&c, "subscribe_offer"), 1);
	assert_int_equal(count(&d, "subscribe_offer"), 1);
	/* Alice had an offer just now: Carol and Dave wait, and the timer is asked for. */
	assert_int_equal(count(&a, "subscribe_offer"), 1);
	assert_true(waker_calls >= 1);
	assert_true(waker_ms > 0 && waker_ms <= 150);
	signal_run_due(w->sig); /* early: nothing yet */
	assert_int_equal(count(&a, "subscribe_offer"), 1);
	sleep_ms(160);
	signal_run_due(w->sig);
	assert_int_equal(count(&a, "subscribe_offer"), 2);
	json_t *tracks = json_object_get(last(&a, "subscribe_offer"), "tracks");
	assert_int_equal(json_array_size(tracks), 3); /* Bob, Carol and Dave */
	const char *sdp = json_string_value(json_object_get(last(&a, "subscribe_offer"), "sdp"));
	assert_non_null(strstr(sdp, "a=ssrc:3333 "));
	assert_non_null(strstr(sdp, "a=ssrc:4444 "));
	/* Nothing more waits: another run sends nothing. */
	signal_run_due(w->sig);
	assert_int_equal(count(&a, "subscribe_offer"), 2);
	signal_set_waker(w->sig, NULL, NULL);
	client_close(&d);
	client_close(&c);
	client_close(&b);
	client_close(&a);
}

int main(void)
{
	if (sodium_init() < 0 || srtp_sess_global_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(unknown_meeting_is_not_found, setup, teardown),
	    cmocka_unit_test_setup_teardown(messages_before_join_are_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(two_join_and_chat, setup, teardown),
	    cmocka_unit_test_setup_teardown(roster_marks_each_member_self, setup, teardown),
	    cmocka_unit_test_setup_teardown(only_hosts_control, setup, teardown),
	    cmocka_unit_test_setup_teardown(host_removes_and_mutes, setup, teardown),
	    cmocka_unit_test_setup_teardown(locked_meeting_refuses_newcomers, setup, teardown),
	    cmocka_unit_test_setup_teardown(dropped_socket_keeps_seat_and_resumes, setup, teardown),
	    cmocka_unit_test_setup_teardown(leave_frees_everything, setup, teardown),
	    cmocka_unit_test_setup_teardown(offers_to_one_subscriber_are_spaced, setup, teardown),
	    cmocka_unit_test_setup_teardown(lobby_tells_nothing_until_admitted, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	srtp_sess_global_done();
	return rc;
}
