"""RSVPs, pure: the plans of a person's answer to a calendar event and its events.

An RSVP is one document per (calendar event, person) whose version is the pair's ``seq``::

    going      a place for the person and each guest (seats claimed first)  status going
               no place (or people wait already)                            status waiting
    maybe      no place held                                                status maybe
    declined   no place held                                                status declined
    delete     no answer any more                                           status removed
    promote    waiting → going when places free, first come first served   promoted: true
    forget     (the person was deleted) a tombstone carrying ``removed``, deleted once sent

Every plan is tied to the version its caller read (``expected``): the places were claimed for
that state, so a concurrent write of the same RSVP makes the plan refuse, and the caller frees
what it claimed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from jumo_common.change import Change
from jumo_common.events import Envelope, make_event
from jumo_common.events.calendar import CalendarEventCard, EventRsvped
from jumo_common.logging import current_trace_id
from jumo_common.mongo import Document
from jumo_common.outbox import UpsertPlan

PRODUCER = "orgs"
Fields = dict[str, Any]
ANSWER_FIELDS = ("answer", "status", "guests", "seats", "since", "waiting_since")


def version_of(doc: Document | None) -> int:
    """The version of a stored RSVP (0: none)."""
    return int(doc.get("version", 0)) if doc else 0


def rsvped_event(
    doc: Document, seq: int, card: CalendarEventCard | None, *, actor: str | None,
    promoted: bool = False,
) -> Envelope[Any]:  # fmt: skip
    """event.rsvped for an RSVP as it now stands."""
    data = EventRsvped(
        event_id=doc["event_id"], org_id=card.org.org_id if card else "", user_id=doc["user_id"],
        answer=doc.get("answer"), status=doc["status"], guests=int(doc.get("guests", 0)),
        promoted=promoted, event=card, seq=seq,
    )  # fmt: skip
    return make_event(
        data, producer=PRODUCER, actor_id=actor, subject_id=doc["event_id"],
        trace_id=current_trace_id(),
    )  # fmt: skip


def answer_plan(
    pair: tuple[str, str], expected: int, fields: dict[str, Any], card: CalendarEventCard,
    *, actor: str | None, promoted: bool = False,
) -> UpsertPlan:  # fmt: skip
    """Set the RSVP's answer fields (None: it changed since it was read, or nothing differs)."""
    event_id, user_id = pair

    def plan(doc: Document | None) -> Change | None:
        if version_of(doc) != expected or (doc is not None and doc.get("deleted")):
            return None
        current = {k: (doc or {}).get(k) for k in ANSWER_FIELDS}
        if all(current[k] == fields.get(k) for k in ("answer", "status", "guests", "seats")):
            return None
        after = {"event_id": event_id, "user_id": user_id, **fields}
        unset = frozenset(k for k in ANSWER_FIELDS if k not in fields and current[k] is not None)
        return Change(
            set=after, unset=unset,
            events=lambda seq: [rsvped_event(after, seq, card, actor=actor, promoted=promoted)],
        )  # fmt: skip

    return plan


def going_fields(guests: int, seats: Sequence[int], since: datetime) -> dict[str, Any]:
    """An answer ``going`` with a place for each."""
    return {"answer": "going", "status": "going", "guests": guests, "seats": list(seats),
            "since": since}  # fmt: skip


def waiting_fields(guests: int, since: datetime, waiting_since: datetime) -> dict[str, Any]:
    """An answer ``going`` on the waiting list (its place in line is ``waiting_since``)."""
    return {"answer": "going", "status": "waiting", "guests": guests, "seats": [],
            "since": since, "waiting_since": waiting_since}  # fmt: skip


def plain_fields(answer: str, guests: int, since: datetime) -> dict[str, Any]:
    """``maybe`` or ``declined``: no place held."""
    return {"answer": answer, "status": answer, "guests": guests, "seats": [], "since": since}


def removed_fields(since: datetime) -> dict[str, Any]:
    """No answer any more (the RSVP was deleted)."""
    return {"status": "removed", "guests": 0, "seats": [], "since": since}


def forgotten(card: CalendarEventCard | None) -> UpsertPlan:
    """A deleted person's RSVP becomes a tombstone carrying ``removed`` (if it was not)."""

    def plan(doc: Document | None) -> Change | None:
        if doc is None or doc.get("deleted"):
            return None
        gone = frozenset(
            k for k in doc if not k.startswith("_") and k not in ("version", "user_id", "_id")
        )
        after = {"event_id": doc["event_id"], "user_id": doc["user_id"], "status": "removed"}
        events = (
            (lambda seq: [rsvped_event(after, seq, card, actor=None)])
            if doc.get("status") != "removed"
            else ()
        )
        return Change(set={"deleted": True}, unset=gone, events=events)

    return plan
