/* ical.h - an iCalendar (RFC 5545) invitation for one meeting. */
#ifndef KAMER_API_ICAL_H
#define KAMER_API_ICAL_H

#include <stdint.h>

struct ical_event {
	const char *uid;     /* stable across edits: the meeting's creation, not its address */
	uint32_t sequence;   /* bumped on every change */
	int64_t stamp;       /* DTSTAMP, Unix seconds */
	int64_t start, end;  /* Unix seconds, written in UTC */
	const char *summary; /* the title */
	const char *description;
	const char *url; /* the personal link */
	const char *organizer_name, *organizer_email;
	const char *attendee_email;    /* may be NULL */
	int cancelled;                 /* METHOD:CANCEL, STATUS:CANCELLED */
	int repeat_days, repeat_count; /* RRULE: every 1 or 7 days, so many times; 0 = once */
};

/* The calendar as a malloc'd string with CRLF line ends, or NULL. */
char *ical_invite(const struct ical_event *e);

#endif
