"""Attendance's rules: which session a check-in is for, one-time codes, and how a check-in
changes (hours, the volunteer's answer). No I/O.

Sessions (the issue says "per session"; where it is silent):
- a one-off opportunity's session is the volunteer's slot (its id); it can be checked in from
  an hour before it starts (people arrive early), and any time after (a late record);
- a recurring one's session is a date (YYYY-MM-DD, in the opportunity's time zone) that the
  weekly pattern holds, between its first and last day, and not in the future;
- an ongoing one's session is any date up to today.
Hours are 0 < h ≤ 24 per session. The organization corrects hours until the volunteer
confirms them; correcting disputed hours clears the dispute (the volunteer answers again).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from jumo_common.change import Change
from jumo_common.events import Envelope
from jumo_common.mongo import Document, as_utc
from jumo_orgs.errors import Conflict, Invalid, NotAllowed, NotFoundError
from jumo_orgs.opportunity_model import WEEKDAYS, Opportunity

EARLY_CHECK_IN = timedelta(hours=1)
# Codes are read aloud or typed: no 0/O, 1/I/L. 8 of 31 symbols ≈ 40 bits, for minutes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_HOURS = 24.0
ANSWER_FIELDS = frozenset({"answer", "answered_at", "dispute_reason"})
# The events a write of a check-in publishes, given the document after it and its version.
EventsOf = Callable[[Document, int], list[Envelope[Any]]]


class CheckInNotFound(NotFoundError):
    """No such check-in (or not one the caller may see)."""

    slug = "check-in-not-found"


class NotAccepted(Conflict):
    """Only an accepted application is checked in."""

    slug = "not-accepted"


class InvalidSession(Invalid):
    """The session named is not one of this opportunity's (or the volunteer's)."""

    slug = "invalid-session"


class SessionNotStarted(Conflict):
    """Too early: the session has not begun."""

    slug = "session-not-started"


class InvalidCode(Invalid):
    """The code is unknown, expired, spent, or of another opportunity (one answer for all)."""

    slug = "invalid-code"


class OwnAttendance(NotAllowed):
    """Nobody checks themself in or attests their own hours."""

    slug = "own-attendance"


class NotAttested(Conflict):
    """The organization has not recorded hours for this session yet."""

    slug = "not-attested"


class HoursConfirmed(Conflict):
    """The volunteer confirmed these hours: they stand as attested."""

    slug = "hours-confirmed"


@dataclass(frozen=True)
class Session:
    """What a check-in is for: a slot, or a date of a recurring or ongoing opportunity."""

    key: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None


def session_for(opp: Opportunity, slot_id: str, requested: str | None, now: datetime) -> Session:
    """The session a check-in of a volunteer of slot ``slot_id`` is for (``requested``: the
    one named, else the slot or today); InvalidSession / SessionNotStarted otherwise."""
    if opp.commitment == "one_off":
        slot = opp.slot(slot_id)
        if slot is None or requested not in (None, slot_id):
            raise InvalidSession("A one-off opportunity's session is the volunteer's slot.")
        if slot.starts_at is not None and now < slot.starts_at - EARLY_CHECK_IN:
            raise SessionNotStarted("This session has not started yet.")
        return Session(slot.id, slot.starts_at, slot.ends_at)
    today = now.astimezone(opp.zone).date()
    day = _date(requested) if requested else today
    if day > today:
        raise SessionNotStarted("That day has not come yet.")
    pattern = opp.pattern
    if opp.commitment == "recurring" and pattern is not None:
        held = pattern.starts_on <= day <= pattern.ends_on
        if not held or WEEKDAYS[day.weekday()] not in pattern.days:
            raise InvalidSession("The opportunity has no session that day.")
        start = datetime.combine(day, pattern.start_time, opp.zone)
        return Session(day.isoformat(), start, datetime.combine(day, pattern.end_time, opp.zone))
    return Session(day.isoformat())


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidSession("A session of this opportunity is a date, YYYY-MM-DD.") from None


def new_code() -> str:
    """A fresh one-time code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_hash(opportunity_id: str, code: str) -> str:
    """What a code is stored and looked up by (the code itself is never stored)."""
    normalised = code.strip().upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(f"{opportunity_id}:{normalised}".encode()).hexdigest()


def usable_code(doc: Document | None, opportunity_id: str, now: datetime) -> Document:
    """The code's document if it may check someone in now; InvalidCode otherwise."""
    if doc is None or doc["opportunity_id"] != opportunity_id or now >= as_utc(doc["expires_at"]):
        raise InvalidCode("This code is not valid (it may have expired or been used).")
    return doc


def is_attested(doc: Document) -> bool:
    """Checked in, hours recorded, not disputed: it counts in the record and the figures."""
    return doc.get("hours") is not None and doc.get("answer") != "disputed"


# What an erased volunteer's check-in keeps: the organization's own facts, nobody's ids.
ERASED_KEEPS = frozenset({"_id", "application_id", "opportunity_id", "org_id", "session",
                          "starts_at", "ends_at", "snapshot", "version"})  # fmt: skip


def erased(doc: Document) -> Change | None:
    """An erased volunteer's check-in becomes an anonymous tombstone: the organization's
    figures still count the session (and its hours, if they were attested); its unsent
    events go with it."""
    if doc.get("erased"):
        return None
    keeps = ERASED_KEEPS | ({"hours"} if is_attested(doc) else frozenset())
    gone = frozenset(k for k in doc if k not in keeps and not k.startswith("_"))
    return Change(set={"erased": True}, unset=gone, forget_pending=True)


def hours_recorded(
    doc: Document, hours: float, *, by: str, now: datetime, events: EventsOf
) -> Change | None:
    """The organization records (or corrects) the hours of a session."""
    if doc.get("answer") == "confirmed":
        raise HoursConfirmed("The volunteer confirmed these hours; they can no longer change.")
    if doc.get("hours") == hours and doc.get("answer") is None:
        return None
    fields = {"hours": hours, "attested_by": by, "attested_at": now}
    after = {k: v for k, v in doc.items() if k not in ANSWER_FIELDS} | fields
    return Change(set=fields, unset=ANSWER_FIELDS, events=lambda version: events(after, version))


def answered(
    doc: Document, answer: str, *, now: datetime, reason: str | None, events: EventsOf
) -> Change | None:
    """The volunteer confirms or disputes recorded hours (again: no change)."""
    if doc.get("hours") is None:
        raise NotAttested("No hours were recorded for this session yet.")
    if doc.get("answer") == answer and doc.get("dispute_reason") == reason:
        return None
    if doc.get("answer") == "confirmed":
        raise HoursConfirmed("You confirmed these hours already.")
    fields: dict[str, object] = {"answer": answer, "answered_at": now}
    if reason is not None:
        fields["dispute_reason"] = reason
    after = doc | fields
    return Change(set=fields, events=lambda version: events(after, version))
