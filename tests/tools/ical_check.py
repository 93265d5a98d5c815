#!/usr/bin/python3
"""Reads an iCalendar file with an independent parser (Debian's python3-icalendar) and
prints what a calendar client would show, as JSON; exits 1 with a reason when the file is
not what Outlook and Thunderbird expect (RFC 5545 line rules, required properties)."""
import json
import sys

import icalendar

raw = sys.stdin.buffer.read()
problems = []
if b"\n" in raw.replace(b"\r\n", b""):
    problems.append("a line ends without CR")
for line in raw.split(b"\r\n"):
    if len(line) > 75:
        problems.append(f"a line of {len(line)} octets")
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        problems.append("a line that is not UTF-8 (a character split by folding)")
cal = icalendar.Calendar.from_ical(raw)
for prop in ("VERSION", "PRODID", "METHOD"):
    if prop not in cal:
        problems.append(f"no {prop}")
events = [c for c in cal.walk() if c.name == "VEVENT"]
if len(events) != 1:
    problems.append(f"{len(events)} events")
ev = events[0] if events else {}
for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "ORGANIZER", "URL", "SEQUENCE"):
    if prop not in ev:
        problems.append(f"no {prop}")
out = {
    "method": str(cal.get("METHOD")),
    "summary": str(ev.get("SUMMARY")),
    "description": str(ev.get("DESCRIPTION")),
    "url": str(ev.get("URL")),
    "location": str(ev.get("LOCATION")),
    "start": ev.decoded("DTSTART").isoformat() if "DTSTART" in ev else None,
    "end": ev.decoded("DTEND").isoformat() if "DTEND" in ev else None,
    "attendee": str(ev.get("ATTENDEE")) if "ATTENDEE" in ev else None,
    "organizer": str(ev.get("ORGANIZER")),
    "sequence": int(ev.get("SEQUENCE", -1)),
    "uid": str(ev.get("UID")),
    "rrule": ev["RRULE"].to_ical().decode() if "RRULE" in ev else None,
}
print(json.dumps(out))
if problems:
    print("; ".join(problems), file=sys.stderr)
    sys.exit(1)
