"""iCalendar text (RFC 5545): escaping of TEXT values, folding at 75 octets without cutting a
UTF-8 character, UTC times, and a VEVENT's properties."""

from __future__ import annotations

from datetime import UTC, datetime

from jumo_orgs import ical

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
EVENT = {"_id": "e1", "title": "Clean-up; beach, sea", "description": "Line one\nLine two",
         "starts_at": datetime(2030, 5, 8, 8, tzinfo=UTC),
         "ends_at": datetime(2030, 5, 8, 10, tzinfo=UTC), "time_zone": "Europe/Paris",
         "place": {"address": "1 quai", "city": "Marseille", "lat": 43.3, "lng": 5.37},
         "online_url": None, "status": "scheduled", "version": 3}  # fmt: skip


def test_text_is_escaped() -> None:
    assert ical.escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"


def test_lines_fold_at_75_octets_between_characters() -> None:
    line = "SUMMARY:" + "é" * 100
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(p.removeprefix(" ") for p in parts) == line  # unfolding gives it back


def test_a_vevent_has_its_properties() -> None:
    text = ical.calendar([ical.vevent(EVENT, org_name="Sea Friends", base_url="https://j.org/",
                                      now=NOW)], name="x")  # fmt: skip
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")
    for expected in ("UID:e1@jumo-orgs", "DTSTAMP:20300501T120000Z", "DTSTART:20300508T080000Z",
                     "DTEND:20300508T100000Z", "SUMMARY:Clean-up\\; beach\\, sea",
                     "DESCRIPTION:Sea Friends\\n\\nLine one\\nLine two", "STATUS:CONFIRMED",
                     "LOCATION:1 quai\\, Marseille", "GEO:43.3;5.37", "URL:https://j.org/events/e1",
                     "SEQUENCE:2", "X-JUMO-TZID:Europe/Paris"):  # fmt: skip
        assert expected + "\r\n" in text


def test_an_online_event_links_its_url_and_a_cancelled_one_says_so() -> None:
    online = EVENT | {"place": None, "online_url": "https://meet.example.org/x",
                      "status": "cancelled"}  # fmt: skip
    text = ical.calendar([ical.vevent(online, org_name="S", base_url="https://j.org", now=NOW)],
                         name="x")  # fmt: skip
    assert "URL:https://meet.example.org/x\r\n" in text
    assert "STATUS:CANCELLED\r\n" in text
    assert "LOCATION" not in text
