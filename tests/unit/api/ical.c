/* Tests for src/api/ical.c (RFC 5545) and src/api/meeting_req.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/ical.h"
#include "api/meeting_req.h"

static struct ical_event event(const char *title)
{
	return (struct ical_event){
	    .uid = "u1-1795000000@kamer",
	    .sequence = 3,
	    .stamp = 1795000000,
	    .start = 1795003600,
	    .end = 1795007200,
	    .summary = title,
	    .description = "Join: http://kamer.example/m/abc\nDeelnemen",
	    .url = "http://kamer.example/i/abcdefghijklmnopqrstuvwxyz234567",
	    .organizer_name = "Alice, Ministerie",
	    .organizer_email = "alice@example.nl",
	    .attendee_email = "gast@example.org",
	};
}

static void structure_and_line_ends(void **state)
{
	(void)state;
	struct ical_event e = event("Overleg");
	char *t = ical_invite(&e);
	assert_non_null(t);
	assert_true(strncmp(t, "BEGIN:VCALENDAR\r\n", 17) == 0);
	const char *need[] = {
	    "VERSION:2.0\r\n",     "METHOD:REQUEST\r\n",           "UID:u1-1795000000@kamer\r\n",
	    "SEQUENCE:3\r\n",      "DTSTART:20261118T120640Z\r\n", "DTEND:20261118T130640Z\r\n",
	    "SUMMARY:Overleg\r\n", "STATUS:CONFIRMED\r\n",         "END:VCALENDAR\r\n"};
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		assert_non_null(strstr(t, need[i]));
	/* Every line ends in CRLF: no bare LF anywhere. */
	for (const char *p = t; *p; p++) {
		if (*p == '\n')
			assert_true(p > t && p[-1] == '\r');
	}
	free(t);
}

static void a_series_has_a_rule(void **state)
{
	(void)state;
	struct ical_event e = event("Weekstart");
	char *t = ical_invite(&e);
	assert_null(strstr(t, "RRULE"));
	free(t);
	e.repeat_days = 7;
	e.repeat_count = 12;
	t = ical_invite(&e);
	assert_non_null(strstr(t, "RRULE:FREQ=WEEKLY;COUNT=12\r\n"));
	free(t);
}

static void text_is_escaped(void **state)
{
	(void)state;
	struct ical_event e = event("Begroting; deel 1, 2\\3");
	char *t = ical_invite(&e);
	assert_non_null(strstr(t, "SUMMARY:Begroting\\; deel 1\\, 2\\\\3\r\n"));
	assert_non_null(strstr(t, "\\nDeelnemen"));
	assert_non_null(strstr(t, "ORGANIZER;CN=\"Alice\\, Ministerie\":mailto:alice@example.nl"));
	free(t);
}

static void long_lines_fold_at_75_octets_between_characters(void **state)
{
	(void)state;
	char title[400] = "";
	for (int i = 0; i < 60; i++)
		strcat(title, "é€"); /* 2- and 3-byte UTF-8 */
	struct ical_event e = event(title);
	char *t = ical_invite(&e);
	for (char *line = t; *line;) {
		char *end = strstr(line, "\r\n");
		assert_non_null(end);
		assert_true(end - line <= 75);
		/* A continuation never starts inside a UTF-8 sequence. */
		if (line[0] == ' ')
			assert_false(((unsigned char)line[1] & 0xc0) == 0x80);
		line = end + 2;
	}
	free(t);
}

static void meeting_requests(void **state)
{
	(void)state;
	struct meeting_req *q = malloc(sizeof(*q));
	const char *why = NULL;
	const char *ok = "{\"title\":\"Overleg\",\"start\":1795000000,\"end\":1795003600,"
	                 "\"level\":\"depv\",\"lobby\":true,\"invitees\":[{\"user\":\"bob\"},"
	                 "{\"email\":\"gast@example.org\"}],\"hosts\":[\"carol\"]}";
	assert_int_equal(meeting_req_parse(q, ok, strlen(ok), &why), 0);
	assert_int_equal(q->ninvitees, 2);
	assert_string_equal(q->invitees[1].email, "gast@example.org");
	assert_string_equal(q->hosts[0], "carol");
	assert_true(q->has & MR_LOBBY);
	const char *rep = "{\"repeat\":{\"every\":\"day\",\"count\":5}}";
	assert_int_equal(meeting_req_parse(q, rep, strlen(rep), &why), 0);
	assert_int_equal(q->repeat_days, 1);
	assert_int_equal(q->repeat_count, 5);
	const char *once = "{\"repeat\":null}";
	assert_int_equal(meeting_req_parse(q, once, strlen(once), &why), 0);
	assert_true(q->has & MR_REPEAT);
	assert_int_equal(q->repeat_days, 0);
	assert_false(q->has & MR_GUESTS);
	const char *bad[] = {
	    "{\"title\":\"\"}",
	    "{\"title\":\"x\",\"start\":1795003600,\"end\":1795000000}",
	    "{\"title\":\"x\",\"invitees\":[{\"email\":\"not an address\"}]}",
	    "{\"title\":\"x\",\"invitees\":[{\"user\":\"Bob Smith\"}]}",
	    "{\"title\":\"x\",\"invitees\":[{\"user\":\"bob\",\"email\":\"b@x.nl\"}]}",
	    "{\"title\":\"x\",\"surprise\":1}",
	    "{\"title\":\"x\",\"guests\":\"yes\"}",
	    "{\"title\":\"x\",\"start\":1}",
	    "[1]",
	    "{\"title\":\"a\",\"title\":\"b\"}",
	    "{\"repeat\":{\"every\":\"week\",\"count\":53}}",
	    "{\"repeat\":{\"every\":\"week\"}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(meeting_req_parse(q, bad[i], strlen(bad[i]), &why), ERR_PROTO);
		assert_non_null(why);
	}
	assert_true(email_valid("a.b@example.nl", 14));
	assert_false(email_valid("a@b", 3));
	assert_false(email_valid("a@@b.nl", 7));
	assert_true(login_valid("j.de-vries_2", 12));
	assert_false(login_valid("Jan", 3));
	free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(structure_and_line_ends),
	    cmocka_unit_test(text_is_escaped),
	    cmocka_unit_test(a_series_has_a_rule),
	    cmocka_unit_test(long_lines_fold_at_75_octets_between_characters),
	    cmocka_unit_test(meeting_requests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
