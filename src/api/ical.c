/* ical.c - RFC 5545 text: CRLF line ends, content lines folded at 75 octets (3.1) without
 * splitting a UTF-8 sequence, and TEXT values escaped (3.3.11). */
#include "api/ical.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct out {
	FILE *f;
};

/* One content line "name:value", folded. The value is written as given. */
static void line(FILE *f, const char *name, const char *value)
{
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "%s:%s", name, value);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	size_t col = 0;
	for (size_t i = 0; i < len;) {
		size_t ch = 1;
		unsigned char c = (unsigned char)buf[i];
		if (c >= 0xf0)
			ch = 4;
		else if (c >= 0xe0)
			ch = 3;
		else if (c >= 0xc0)
			ch = 2;
		if (i + ch > len)
			ch = len - i;
		if (col + ch > 75) {
			fputs("\r\n ", f);
			col = 1;
		}
		fwrite(buf + i, 1, ch, f);
		col += ch;
		i += ch;
	}
	fputs("\r\n", f);
}

/* TEXT escaping: backslash, semicolon, comma and newline. */
static void escape(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	for (; *s && o + 3 < cap; s++) {
		if (*s == '\\' || *s == ';' || *s == ',') {
			out[o++] = '\\';
			out[o++] = *s;
		} else if (*s == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (*s != '\r') {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

static void utc(int64_t t, char out[20])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 20, "%Y%m%dT%H%M%SZ", &tm);
}

char *ical_invite(const struct ical_event *e)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	if (!f)
		return NULL;
	char t[20], v[2048], name[256];
	line(f, "BEGIN", "VCALENDAR");
	line(f, "VERSION", "2.0");
	line(f, "PRODID", "-//kamer//kamer 0.1//NL");
	line(f, "CALSCALE", "GREGORIAN");
	line(f, "METHOD", e->cancelled ? "CANCEL" : "REQUEST");
	line(f, "BEGIN", "VEVENT");
	line(f, "UID", e->uid);
	snprintf(v, sizeof(v), "%u", e->sequence);
	line(f, "SEQUENCE", v);
	utc(e->stamp, t);
	line(f, "DTSTAMP", t);
	utc(e->start, t);
	line(f, "DTSTART", t);
	utc(e->end, t);
	line(f, "DTEND", t);
	if (e->repeat_days > 0 && e->repeat_count > 1) {
		snprintf(v, sizeof(v), "FREQ=%s;COUNT=%d", e->repeat_days == 1 ? "DAILY" : "WEEKLY",
		         e->repeat_count);
		line(f, "RRULE", v);
	}
	escape(e->summary, v, sizeof(v));
	line(f, "SUMMARY", v);
	escape(e->description, v, sizeof(v));
	line(f, "DESCRIPTION", v);
	escape(e->url, v, sizeof(v));
	line(f, "LOCATION", v);
	line(f, "URL", e->url);
	escape(e->organizer_name, v, sizeof(v));
	/* A CN with a comma or colon must be quoted (RFC 5545 3.2); quotes are not allowed in it.
	 */
	for (char *c = v; *c; c++) {
		if (*c == '"')
			*c = '\'';
	}
	snprintf(name, sizeof(name), "ORGANIZER;CN=\"%.200s\"", v);
	snprintf(v, sizeof(v), "mailto:%s", e->organizer_email);
	line(f, name, v);
	if (e->attendee_email && e->attendee_email[0]) {
		snprintf(v, sizeof(v), "mailto:%s", e->attendee_email);
		line(f, "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE", v);
	}
	line(f, "STATUS", e->cancelled ? "CANCELLED" : "CONFIRMED");
	line(f, "TRANSP", "OPAQUE");
	line(f, "END", "VEVENT");
	line(f, "END", "VCALENDAR");
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
