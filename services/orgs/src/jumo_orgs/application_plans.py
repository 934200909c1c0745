"""The lifecycle of an application as pure plans, and the events each step causes. No I/O.

::

    pending ──accept──▶ accepted ──withdraw (volunteer) / cancel (organization)──▶ ...
       │ ╲──waitlist──▶ waitlisted ──promote (a place freed)──▶ accepted
       │    ╲             │ ╲──accept / decline / withdraw
       ├──decline──▶ declined           (final: the organization said no)
       ├──withdraw──▶ withdrawn         (final; the volunteer may apply again)
       └──expire───▶ expired            (no answer in time; they may apply again)

A plan returns None when the application is no longer in a state the step applies to (it
changed meanwhile): the caller then undoes what it prepared (a seat it claimed). The events
carry ``seq``, the application's version, and the ``Notice`` (what a notification shows).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jumo_common.change import Change
from jumo_common.events import Envelope, make_event
from jumo_common.events.applications import (
    ApplicationAccepted,
    ApplicationCancelled,
    ApplicationDeclined,
    ApplicationExpired,
    ApplicationPromoted,
    ApplicationSubmitted,
    ApplicationWaitlisted,
    ApplicationWithdrawn,
)
from jumo_common.logging import current_trace_id
from jumo_common.mongo import Document, as_utc

LIVE = frozenset({"pending", "waitlisted", "accepted"})
ANSWERABLE = frozenset({"pending", "waitlisted"})  # the organization may accept or decline
# What erasure keeps of an application: the organization's anonymous figures.
TOMBSTONE_FIELDS = frozenset({"_id", "opportunity_id", "org_id", "slot_id", "slot_key",
                              "status", "submitted_at", "answered_at", "accepted_at",
                              "expired_at", "withdrawn_at", "cancelled_at", "waitlisted_at",
                              "promoted", "version"})  # fmt: skip


@dataclass(frozen=True)
class Notice:
    """What a notification of an application shows without calling orgs back."""

    opportunity_title: str
    org_name: str


@dataclass(frozen=True)
class Decision:
    """Who answered for the organization, when, and (declining, cancelling) why."""

    by: str | None
    at: datetime
    reason: str = "other"
    text: str | None = None


def _events(
    doc: Mapping[str, Any], status: str, notice: Notice, at: datetime, build: Callable[..., Any],
    actor_id: str | None, **extra: Any,
) -> Callable[[int], list[Envelope[Any]]]:  # fmt: skip
    def events(version: int) -> list[Envelope[Any]]:
        data = build(
            application_id=doc["_id"], opportunity_id=doc["opportunity_id"],
            org_id=doc["org_id"], volunteer_id=doc["volunteer_id"], slot_id=doc["slot_id"],
            status=status, seq=version, opportunity_title=notice.opportunity_title,
            org_name=notice.org_name, at=at, **extra,
        )  # fmt: skip
        return [make_event(data, producer="orgs", actor_id=actor_id, subject_id=doc["_id"],
                           trace_id=current_trace_id())]  # fmt: skip

    return events


def submitted(fresh: Document, notice: Notice) -> Change:
    """A new application (``fresh``: its fields, ``_id`` included): application.submitted."""
    fields = {k: v for k, v in fresh.items() if k != "_id"} | {"status": "pending"}
    events = _events(fresh, "pending", notice, fresh["submitted_at"], ApplicationSubmitted,
                     fresh["volunteer_id"], expires_at=fresh.get("expires_at"))  # fmt: skip
    return Change(set=fields, events=events)


def expiry(submitted_at: datetime, days: int) -> datetime:
    """When an application submitted at ``submitted_at`` expires unanswered."""
    return submitted_at + timedelta(days=days)


def _answered(doc: Mapping[str, Any], decision: Decision) -> dict[str, Any]:
    """The organization's first answer is what its response figures count."""
    if doc.get("answered_at"):
        return {}
    return {"answered_at": decision.at, "answered_by": decision.by}


def accept(doc: Document, seat_id: str, decision: Decision, notice: Notice) -> Change | None:
    """The organization accepts a pending or waitlisted application on ``seat_id``."""
    if doc.get("status") not in ANSWERABLE:
        return None
    fields = {"status": "accepted", "seat_id": seat_id, "accepted_at": decision.at,
              "updated_at": decision.at, **_answered(doc, decision)}  # fmt: skip
    events = _events(doc, "accepted", notice, decision.at, ApplicationAccepted, decision.by,
                     by=decision.by)  # fmt: skip
    return Change(set=fields, events=events)


def promote(doc: Document, seat_id: str, at: datetime, notice: Notice) -> Change | None:
    """A place freed: the first waiting application takes ``seat_id``."""
    if doc.get("status") != "waitlisted":
        return None
    fields = {"status": "accepted", "seat_id": seat_id, "accepted_at": at, "promoted": True,
              "updated_at": at}  # fmt: skip
    return Change(
        set=fields, events=_events(doc, "accepted", notice, at, ApplicationPromoted, None)
    )


def decline(doc: Document, decision: Decision, notice: Notice) -> Change | None:
    """The organization declines a pending or waitlisted application, with its reason."""
    if doc.get("status") not in ANSWERABLE:
        return None
    fields = {"status": "declined", "decline": {"reason": decision.reason, "text": decision.text},
              "declined_at": decision.at, "updated_at": decision.at,
              **_answered(doc, decision)}  # fmt: skip
    events = _events(doc, "declined", notice, decision.at, ApplicationDeclined, decision.by,
                     reason=decision.reason, reason_text=decision.text, by=decision.by)  # fmt: skip
    return Change(set=fields, events=events)


def waitlist(doc: Document, decision: Decision, notice: Notice) -> Change | None:
    """The organization puts a pending application on its slot's waiting list (its place in
    line: the time of this, then its id)."""
    if doc.get("status") != "pending":
        return None
    fields = {"status": "waitlisted", "waitlisted_at": decision.at, "updated_at": decision.at,
              **_answered(doc, decision)}  # fmt: skip
    events = _events(doc, "waitlisted", notice, decision.at, ApplicationWaitlisted, decision.by,
                     by=decision.by)  # fmt: skip
    return Change(set=fields, events=events)


def withdraw(doc: Document, at: datetime, notice: Notice, *, erased: bool = False) -> Change | None:
    """The volunteer withdraws a live application (an accepted one frees its place)."""
    if doc.get("status") not in LIVE:
        return None
    fields = {"status": "withdrawn", "withdrawn_at": at, "updated_at": at}
    events = _events(doc, "withdrawn", notice, at, ApplicationWithdrawn, doc["volunteer_id"],
                     was=doc["status"], erased=erased)  # fmt: skip
    return Change(set=fields, unset=frozenset({"seat_id"}), events=events)


def cancel(doc: Document, decision: Decision, notice: Notice) -> Change | None:
    """The organization cancels an accepted application (its place frees), with a reason."""
    if doc.get("status") != "accepted":
        return None
    fields = {"status": "cancelled", "cancelled_at": decision.at, "updated_at": decision.at,
              "decline": {"reason": decision.reason, "text": decision.text}}  # fmt: skip
    events = _events(doc, "cancelled", notice, decision.at, ApplicationCancelled, decision.by,
                     reason=decision.reason, reason_text=decision.text, by=decision.by)  # fmt: skip
    return Change(set=fields, unset=frozenset({"seat_id"}), events=events)


def is_due(doc: Mapping[str, Any], now: datetime) -> bool:
    """Whether a pending application's answer was due by ``now``."""
    due = doc.get("expires_at")
    return doc.get("status") == "pending" and due is not None and as_utc(due) <= now


def expire(doc: Document, now: datetime, notice: Notice) -> Change | None:
    """A pending application unanswered past its expiry: application.expired (a notice to both
    sides); the figures count it as unanswered (``expired_at``, no ``answered_at``)."""
    if not is_due(doc, now):
        return None
    fields = {"status": "expired", "expired_at": now, "updated_at": now}
    events = _events(doc, "expired", notice, now, ApplicationExpired, None,
                     submitted_at=doc["submitted_at"])  # fmt: skip
    return Change(set=fields, events=events)


def erase(doc: Document, at: datetime, notice: Notice) -> Change | None:
    """Erasure: a tombstone without the volunteer, their answers or message, kept for the
    organization's anonymous figures; a live application is withdrawn (application.withdrawn,
    ``erased``). Unsent events (they name the volunteer's answers' context) go with it."""
    if doc.get("erased"):
        return None
    live = doc.get("status") in LIVE
    events = (_events(doc, "withdrawn", notice, at, ApplicationWithdrawn, None,
                      was=doc["status"], erased=True) if live else ())  # fmt: skip
    return Change(set={"erased": True, "status": "withdrawn" if live else doc["status"]},
                  unset=frozenset(doc) - TOMBSTONE_FIELDS, events=events,
                  forget_pending=True)  # fmt: skip
