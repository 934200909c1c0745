"""The rules of opportunities as pure plans: what a new one is, what an edit and each state
transition change, and the events each causes. No I/O.

States: ``draft`` → ``open`` (publish) ⇄ ``paused`` (pause / resume); ``open`` ⇄ ``filled``
(the applications area, which knows when every place is taken); any → ``closed`` (the
organization, or by itself past its deadline or last date). ``closed`` is final.
A draft publishes no event; from ``open`` on, every change says so (``opportunity.updated``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from jumo_common.change import Change
from jumo_common.events.opportunities import CloseReason
from jumo_common.events.orgs import OrgCard
from jumo_common.mongo import Document
from jumo_orgs import opportunity_events as events
from jumo_orgs.errors import Conflict, Invalid, NotFoundError
from jumo_orgs.opportunity_model import (
    Opportunity,
    Place,
    Question,
    Slot,
    Status,
    WeeklyPattern,
    opportunity_of,
)
from jumo_orgs.schemas.opportunities import (
    Commitment,
    OneOff,
    OpportunityDraft,
    PlaceIn,
    QuestionIn,
    Recurring,
)

# The fields a PATCH may change, as the model names them.
EDITABLE = ("title", "description", "causes", "skills_wanted", "skills_required", "commitment",
            "time_zone", "place", "remote", "minimum_age", "prerequisites", "questions",
            "deadline")  # fmt: skip
NewId = Callable[[], str]


class OpportunityNotFound(NotFoundError):
    """No such opportunity (or the caller may not see it)."""

    slug = "opportunity-not-found"


class WrongState(Conflict):
    """The opportunity's status does not allow this."""

    slug = "opportunity-state"


class PlacesTaken(Conflict):
    """A slot cannot lose places (or go) below what applications already hold."""

    slug = "places-taken"


def new_id() -> str:
    """A fresh 32-hex id (opportunities and slots)."""
    return uuid.uuid4().hex


# ---- building ------------------------------------------------------------------------------


def slots_of(
    commitment: Commitment, time_zone: str, keep: Sequence[Slot], make_id: NewId = new_id
) -> tuple[tuple[Slot, ...], WeeklyPattern | None]:
    """The slots (and weekly pattern) a commitment makes; ``keep``: the current slots, whose ids
    a one-off's slots may name and whose first id a recurring or ongoing one keeps."""
    if isinstance(commitment, OneOff):
        known = {s.id for s in keep}
        if unknown := [s.id for s in commitment.slots if s.id and s.id not in known]:
            raise Invalid(f"unknown slot id {unknown[0]}")
        slots = (
            Slot(s.id or make_id(), s.starts_at, s.ends_at, s.places) for s in commitment.slots
        )
        return tuple(sorted(slots, key=lambda s: (s.starts_at, s.id))), None
    slot_id = keep[0].id if keep else make_id()
    if isinstance(commitment, Recurring):
        pattern = WeeklyPattern(
            days=tuple(commitment.days), start_time=commitment.start_time,
            end_time=commitment.end_time, hours_per_session=commitment.hours_per_session,
            starts_on=commitment.starts_on, ends_on=commitment.ends_on,
        )  # fmt: skip
        starts, ends = pattern_span(pattern, time_zone)
        return (Slot(slot_id, starts, ends, commitment.places),), pattern
    return (Slot(slot_id, None, None, commitment.places),), None


def pattern_span(pattern: WeeklyPattern, time_zone: str) -> tuple[datetime, datetime]:
    """From the first day's start time to the last day's end time, in UTC."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(time_zone)
    starts = datetime.combine(pattern.starts_on, pattern.start_time, zone)
    ends = datetime.combine(pattern.ends_on, pattern.end_time, zone)
    return starts.astimezone(ZoneInfo("UTC")), ends.astimezone(ZoneInfo("UTC"))


def place_of(place: PlaceIn | None) -> Place | None:
    """The domain place of a request's."""
    if place is None:
        return None
    return Place(address=place.address, city=place.city, country=place.country, lat=place.lat,
                 lng=place.lng)  # fmt: skip


def questions_of(sent: Sequence[QuestionIn], current: Sequence[Question]) -> tuple[Question, ...]:
    """Questions as stored; one sent with an ``id`` keeps it (applications' answers name it)."""
    known = {q.id for q in current}
    if unknown := [q.id for q in sent if q.id and q.id not in known]:
        raise Invalid(f"unknown question id {unknown[0]}")
    return tuple(Question(q.id or new_id()[:12], q.text, q.required) for q in sent)


def new_opportunity(
    opp_id: str, org_id: str, creator: str, draft: OpportunityDraft, now: datetime
) -> Opportunity:
    """A draft just written (``publish`` is a transition of its own)."""
    slots, pattern = slots_of(draft.commitment, draft.time_zone, ())
    opp = Opportunity(
        id=opp_id, org_id=org_id, status="draft", title=draft.title,
        description=draft.description, causes=tuple(draft.causes),
        skills_wanted=tuple(draft.skills_wanted), skills_required=tuple(draft.skills_required),
        commitment=draft.commitment.kind, time_zone=draft.time_zone,
        place=place_of(draft.place), remote=draft.remote, slots=slots, pattern=pattern,
        minimum_age=draft.minimum_age, prerequisites=tuple(draft.prerequisites),
        questions=questions_of(draft.questions, ()), deadline=draft.deadline,
        created_by=creator, created_at=now, updated_at=now,
    )  # fmt: skip
    check_times(opp, now)
    return opp


def check_times(opp: Opportunity, now: datetime) -> None:
    """Invalid when a slot or the deadline is already past."""
    if any(s.ends_at is not None and s.ends_at <= now for s in opp.slots):
        raise Invalid("every slot ends in the future")
    if opp.deadline is not None and opp.deadline <= now:
        raise Invalid("the application deadline is in the future")


# ---- transitions ---------------------------------------------------------------------------


def _require(opp: Opportunity, allowed: Sequence[Status], action: str) -> None:
    if opp.status not in allowed:
        raise WrongState(f"An opportunity that is {opp.status} cannot be {action}.")


def publish(doc: Document, org: OrgCard, actor: str, now: datetime) -> Change | None:
    """draft → open: opportunity.published (nothing when it already is open)."""
    opp = opportunity_of(doc)
    if opp.status == "open":
        return None
    _require(opp, ("draft",), "published")
    check_times(opp, now)
    after = replace(opp, status="open", published_at=now, updated_at=now)
    return events.changed_to(opp, after, org, actor, events.published)


def set_status(
    doc: Document, to: Status, allowed: Sequence[Status], org: OrgCard, actor: str | None,
    now: datetime, action: str,
) -> Change | None:  # fmt: skip
    """A move between published states (pause, resume, filled, open again):
    opportunity.updated; nothing when it already is so."""
    opp = opportunity_of(doc)
    if opp.status == to:
        return None
    _require(opp, allowed, action)
    after = replace(opp, status=to, updated_at=now)
    return events.changed_to(opp, after, org, actor, events.updated(("status",)))


def close(
    doc: Document, org: OrgCard, actor: str | None, now: datetime, reason: CloseReason
) -> Change | None:
    """Any → closed: opportunity.closed (a draft closes silently: nobody heard of it)."""
    opp = opportunity_of(doc)
    if opp.status == "closed":
        return None
    after = replace(opp, status="closed", closed_at=now, updated_at=now)
    emit = None if opp.status == "draft" else events.closed(reason)
    return events.changed_to(opp, after, org, actor, emit)


def close_reason(doc: Document, now: datetime) -> CloseReason:
    """Why a due opportunity closes by itself: its deadline passed, or its last date did."""
    opp = opportunity_of(doc)
    return "deadline" if opp.deadline is not None and opp.deadline <= now else "ended"


# ---- editing -------------------------------------------------------------------------------


def edit(
    doc: Document, sent: Mapping[str, Any], org: OrgCard, taken: Mapping[str, int],
    actor: str, now: datetime,
) -> Change | None:  # fmt: skip
    """An editor's PATCH: the fields that differ; opportunity.updated once published."""
    opp = opportunity_of(doc)
    if opp.status == "closed":
        raise WrongState("A closed opportunity cannot be edited.")
    after = replace(opp, **_edited_fields(opp, sent), updated_at=now)
    if after.commitment != opp.commitment and opp.status != "draft":
        raise WrongState("The kind of commitment changes only while a draft.")
    if after.place is None and not after.remote:
        raise Invalid("an opportunity has a place, or is remote, or both")
    check_places(opp.slots, after.slots, taken)
    if "deadline" in sent or "commitment" in sent:
        check_times(after, now)
    changed = tuple(name for name in EDITABLE if name in sent and _differs(opp, after, name))
    emit = None if opp.status == "draft" else events.updated(changed)
    return events.changed_to(opp, after, org, actor, emit) if changed else None


def _differs(before: Opportunity, after: Opportunity, name: str) -> bool:
    if name == "commitment":
        return (before.commitment, before.slots, before.pattern) != (
            after.commitment, after.slots, after.pattern,
        )  # fmt: skip
    return bool(getattr(before, name) != getattr(after, name))


def _edited_fields(opp: Opportunity, sent: Mapping[str, Any]) -> dict[str, Any]:
    """The model's fields from a PATCH's (commitment → kind, slots, pattern)."""
    fields: dict[str, Any] = {}
    for name, value in sent.items():
        if name == "place":
            fields["place"] = place_of(value)
        elif name == "questions":
            fields["questions"] = questions_of(value, opp.questions)
        elif name in ("causes", "skills_wanted", "skills_required", "prerequisites"):
            fields[name] = tuple(value)
        elif name != "commitment":
            fields[name] = value
    zone = sent.get("time_zone", opp.time_zone)
    if "commitment" in sent:
        slots, pattern = slots_of(sent["commitment"], zone, opp.slots)
        fields |= {"commitment": sent["commitment"].kind, "slots": slots, "pattern": pattern}
    elif "time_zone" in sent and opp.pattern is not None:  # the same wall clock, elsewhere
        starts, ends = pattern_span(opp.pattern, zone)
        fields["slots"] = (replace(opp.slots[0], starts_at=starts, ends_at=ends),)
    return fields


def check_places(before: Sequence[Slot], after: Sequence[Slot], taken: Mapping[str, int]) -> None:
    """PlacesTaken when a slot would go, or hold fewer places than applications took."""
    kept = {s.id: s for s in after}
    for slot in before:
        held = taken.get(slot.id, 0)
        if held and slot.id not in kept:
            raise PlacesTaken(f"Slot {slot.id} holds {held} accepted volunteers; it cannot go.")
        if slot.id in kept and kept[slot.id].places < held:
            raise PlacesTaken(f"Slot {slot.id} holds {held} accepted volunteers already.")


def places_added(before: Document, after: Document) -> list[tuple[str, int]]:
    """(slot id, how many places it gained) for each slot of ``before`` that grew."""
    old = {s["id"]: int(s["places"]) for s in before.get("slots", ())}
    new = {s["id"]: int(s["places"]) for s in after.get("slots", ())}
    return [(sid, new[sid] - n) for sid, n in old.items() if new.get(sid, 0) > n]


def forget_creator(doc: Document, user_id: str) -> Change | None:
    """Its creator left Jumo: the opportunity stays the organization's, without their id."""
    if doc.get("created_by") != user_id:
        return None
    # Its unsent events (the publication) still go out, without the creator as their actor.
    return Change(unset=frozenset({"created_by"}), scrub_actor=user_id)
