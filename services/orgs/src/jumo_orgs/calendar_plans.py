"""Calendar events, pure: the stored document, its card, its events, and the plans of its
writes (no I/O; ``calendar`` runs them).

Times are stored in UTC with the calendar event's IANA ``time_zone``; a time sent without an
offset is a local time there. A place keeps its point to 2 decimals (about a kilometre: the
address is public, the precision is not needed to find it on a map).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jumo_common.change import Change
from jumo_common.events import Envelope, make_event
from jumo_common.events.calendar import (
    CalendarEventCard,
    EventCancelled,
    EventScheduled,
    EventUpdated,
)
from jumo_common.logging import current_trace_id
from jumo_common.mongo import Document, as_utc
from jumo_orgs.cards import card
from jumo_orgs.errors import Invalid

PRODUCER = "orgs"
MAX_LENGTH = timedelta(days=31)
REMINDER_BEFORE = timedelta(hours=24)
EDITABLE = ("title", "description", "starts_at", "ends_at", "time_zone", "place", "online_url",
            "capacity", "opportunity_id")  # fmt: skip


class BadTimes(Invalid):
    """The end is not after the start, the event is too long, or it starts in the past."""

    slug = "bad-event-times"


class NowhereToBe(Invalid):
    """Neither a place nor an online link would remain."""

    slug = "event-needs-place-or-link"


def to_utc(value: datetime, zone: str) -> datetime:
    """``value`` in UTC; a time without an offset is a local time in ``zone``."""
    local = value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(zone))
    try:
        return local.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 pushed past the calendar's ends
        raise BadTimes("A calendar event's times are within the years 1 to 9999.") from None


def place_document(place: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A place as stored: its point rounded to 2 decimals."""
    if place is None:
        return None
    return {"address": place["address"], "city": place["city"],
            "lat": round(float(place["lat"]), 2), "lng": round(float(place["lng"]), 2)}  # fmt: skip


def stored_fields(sent: Mapping[str, Any], zone: str) -> dict[str, Any]:
    """The editable fields sent, as stored (times in UTC, the place rounded)."""
    fields = {k: v for k, v in sent.items() if k in EDITABLE}
    for name in ("starts_at", "ends_at"):
        if fields.get(name) is not None:
            fields[name] = to_utc(fields[name], zone)
    if "place" in fields:
        fields["place"] = place_document(fields["place"])
    return fields


def check_times(doc: Mapping[str, Any], now: datetime) -> None:
    """BadTimes unless it ends after it starts, within 31 days, and starts after ``now``."""
    starts, ends = as_utc(doc["starts_at"]), as_utc(doc["ends_at"])
    if ends <= starts or ends - starts > MAX_LENGTH:
        raise BadTimes("A calendar event ends after it starts, within 31 days.")
    if starts <= now:
        raise BadTimes("A calendar event starts in the future.")


def check_somewhere(doc: Mapping[str, Any]) -> None:
    """NowhereToBe unless a place or an online link remains."""
    if doc.get("place") is None and doc.get("online_url") is None:
        raise NowhereToBe("A calendar event needs a place or an online link.")


def event_document(
    event_id: str, org_id: str, sent: Mapping[str, Any], *, by: str, now: datetime
) -> Document:
    """A new calendar event as stored."""
    fields = dict.fromkeys(("place", "online_url", "opportunity_id"))
    fields |= stored_fields(sent, sent["time_zone"])
    return {"_id": event_id, "org_id": org_id, **fields, "status": "scheduled",
            "created_by": by, "created_at": now, "updated_at": now}  # fmt: skip


def event_card(doc: Mapping[str, Any], org: Mapping[str, Any], base_url: str) -> CalendarEventCard:
    """The snapshot of a calendar event that events carry."""
    place = doc.get("place")
    return CalendarEventCard(
        event_id=doc["_id"], org=card(org), title=doc["title"],
        starts_at=as_utc(doc["starts_at"]), ends_at=as_utc(doc["ends_at"]),
        time_zone=doc["time_zone"], city=place["city"] if place else None,
        online=doc.get("online_url") is not None, capacity=doc["capacity"],
        opportunity_id=doc.get("opportunity_id"), status=doc.get("status", "scheduled"),
        url=f"{base_url.rstrip('/')}/events/{doc['_id']}",
    )  # fmt: skip


def _event(data: Any, *, actor: str | None, subject: str) -> Envelope[Any]:
    return make_event(
        data, producer=PRODUCER, actor_id=actor, subject_id=subject, trace_id=current_trace_id()
    )


def scheduled_event(snapshot: CalendarEventCard, by: str) -> Envelope[Any]:
    """event.scheduled (version 1: a new document)."""
    data = EventScheduled(event=snapshot, by=by, version=1)
    return _event(data, actor=by, subject=snapshot.event_id)


def update_plan(
    doc: Document, sent: Mapping[str, Any], org: Document, *, by: str, now: datetime, base: str
) -> Change | None:
    """The fields sent that differ, and event.updated naming them (None: nothing differs).
    Raises when the result would not be a valid calendar event."""
    if doc.get("status") != "scheduled":
        return None
    zone = sent.get("time_zone") or doc["time_zone"]
    fields = stored_fields(sent, zone)
    changed = tuple(k for k in EDITABLE if k in fields and fields[k] != _comparable(doc, k))
    if not changed:
        return None
    after = {**doc, **fields}
    check_somewhere(after)
    if {"starts_at", "ends_at", "time_zone"} & set(changed):
        check_times(after, now)
    snapshot = event_card(after, org, base)

    def events(version: int) -> list[Envelope[Any]]:
        data = EventUpdated(event=snapshot, by=by, changed=changed, version=version)
        return [_event(data, actor=by, subject=doc["_id"])]

    return Change(set={**{k: fields[k] for k in changed}, "updated_at": now}, events=events)


def _comparable(doc: Mapping[str, Any], name: str) -> Any:
    value = doc.get(name)
    return as_utc(value) if isinstance(value, datetime) else value


def cancel_plan(
    doc: Document, org: Document, *, by: str, going: int, now: datetime, base: str
) -> Change | None:
    """Cancel a scheduled calendar event (None: cancelled already)."""
    if doc.get("status") != "scheduled":
        return None
    snapshot = event_card({**doc, "status": "cancelled"}, org, base)

    def events(version: int) -> list[Envelope[Any]]:
        data = EventCancelled(event=snapshot, by=by, going=going, version=version)
        return [_event(data, actor=by, subject=doc["_id"])]

    return Change(set={"status": "cancelled", "updated_at": now}, events=events)


def reminder_due(doc: Mapping[str, Any]) -> datetime:
    """When a calendar event's reminder is due: a day before it starts."""
    return as_utc(doc["starts_at"]) - REMINDER_BEFORE
