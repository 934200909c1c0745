"""An opportunity as readers see it: the places remaining in each slot. No I/O."""

from __future__ import annotations

from collections.abc import Mapping

from jumo_common.mongo import Document
from jumo_orgs.cards import card
from jumo_orgs.opportunity_model import Opportunity, WeeklyPattern, opportunity_of
from jumo_orgs.schemas.opportunities import (
    OpportunityOut,
    PatternOut,
    PlaceOut,
    QuestionOut,
    SlotOut,
)


def _pattern(pattern: WeeklyPattern | None) -> PatternOut | None:
    if pattern is None:
        return None
    return PatternOut(
        days=list(pattern.days), start_time=pattern.start_time.strftime("%H:%M"),
        end_time=pattern.end_time.strftime("%H:%M"), hours_per_session=pattern.hours_per_session,
        starts_on=pattern.starts_on, ends_on=pattern.ends_on,
    )  # fmt: skip


def slots_out(opp: Opportunity, taken: Mapping[str, int]) -> list[SlotOut]:
    """Each slot with its places taken and remaining (never below zero)."""
    return [
        SlotOut(id=s.id, starts_at=s.starts_at, ends_at=s.ends_at, places=s.places,
                taken=taken.get(s.id, 0), remaining=max(0, s.places - taken.get(s.id, 0)))
        for s in opp.slots
    ]  # fmt: skip


def view(doc: Document, org: Document, taken: Mapping[str, int]) -> OpportunityOut:
    """The opportunity of a stored document, with its organization's card."""
    opp = opportunity_of(doc)
    slots = slots_out(opp, taken)
    place = opp.place
    return OpportunityOut(
        id=opp.id, org=card(org), status=opp.status, title=opp.title,
        description=opp.description, causes=list(opp.causes),
        skills_wanted=list(opp.skills_wanted), skills_required=list(opp.skills_required),
        commitment=opp.commitment, pattern=_pattern(opp.pattern), time_zone=opp.time_zone,
        place=PlaceOut(**place.__dict__) if place else None, remote=opp.remote, slots=slots,
        places=opp.places, remaining=sum(s.remaining for s in slots),
        minimum_age=opp.minimum_age, prerequisites=list(opp.prerequisites),
        questions=[QuestionOut(id=q.id, text=q.text, required=q.required) for q in opp.questions],
        deadline=opp.deadline, created_at=opp.created_at or doc["created_at"],
        updated_at=opp.updated_at or doc["updated_at"], published_at=opp.published_at,
        closed_at=opp.closed_at, url_path=f"/opportunities/{opp.id}", version=opp.version,
    )  # fmt: skip
