"""iCalendar (RFC 5545) text of calendar events, written here (no dependency needed).

A VCALENDAR of VEVENTs, each with UID, DTSTAMP, DTSTART/DTEND in UTC form (``…Z``: every
calendar app reads it and shows it in its user's zone; a TZID would need a VTIMEZONE block
kept in step with the tz database), SUMMARY, DESCRIPTION, LOCATION and GEO or URL, STATUS,
SEQUENCE, and X-JUMO-TZID naming the event's IANA zone. Text values are escaped (backslash,
semicolon, comma, newline) and lines folded at 75 octets without splitting a UTF-8 character
(§3.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from jumo_common.mongo import as_utc

PRODID = "-//Jumo//orgs calendar//EN"
MAX_OCTETS = 75


def escape(text: str) -> str:
    """A TEXT value (§3.3.11): backslash, semicolon, comma and newlines escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """A content line folded at 75 octets (continuations start with a space), never inside a
    UTF-8 character."""
    parts: list[str] = []
    current, size, limit = "", 0, MAX_OCTETS
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            parts.append(current)
            current, size, limit = "", 0, MAX_OCTETS - 1  # the leading space counts
        current += char
        size += octets
    parts.append(current)
    return "\r\n ".join(parts)


def utc_stamp(value: datetime) -> str:
    """A DATE-TIME in UTC form: ``20300501T120000Z``."""
    return as_utc(value).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def vevent(event: Mapping[str, Any], *, org_name: str, base_url: str, now: datetime) -> list[str]:
    """The lines of one calendar event's VEVENT."""
    url = f"{base_url.rstrip('/')}/events/{event['_id']}"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event['_id']}@jumo-orgs",
        f"DTSTAMP:{utc_stamp(now)}",
        f"DTSTART:{utc_stamp(event['starts_at'])}",
        f"DTEND:{utc_stamp(event['ends_at'])}",
        f"SUMMARY:{escape(event['title'])}",
        f"DESCRIPTION:{escape(_description(event, org_name))}",
        f"X-JUMO-TZID:{event['time_zone']}",
        f"STATUS:{'CANCELLED' if event.get('status') == 'cancelled' else 'CONFIRMED'}",
        f"SEQUENCE:{int(event.get('version', 1)) - 1}",
    ]
    place = event.get("place")
    if place:
        lines.append(f"LOCATION:{escape(place['address'] + ', ' + place['city'])}")
        lines.append(f"GEO:{place['lat']};{place['lng']}")
    lines.append(f"URL:{event.get('online_url') or url}")
    lines.append("END:VEVENT")
    return lines


def _description(event: Mapping[str, Any], org_name: str) -> str:
    text = str(event.get("description") or "")
    return f"{org_name}\n\n{text}" if text else org_name


def calendar(vevents: Iterable[list[str]], *, name: str) -> str:
    """A VCALENDAR of these VEVENTs, CRLF line ends, folded."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(name)}"]  # fmt: skip
    for event_lines in vevents:
        lines.extend(event_lines)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
