"""The events of opportunities and the Change that carries them. No I/O.

Each event carries ``version``, the version the write claims (``Change(events=lambda
version: ...)``), and an ``OpportunitySnapshot``: what a feed renders without calling back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jumo_common.change import Change
from jumo_common.events import Envelope, EventData, make_event
from jumo_common.events.opportunities import (
    CloseReason,
    OpportunityClosed,
    OpportunityPublished,
    OpportunitySnapshot,
    OpportunityUpdated,
)
from jumo_common.events.orgs import OrgCard
from jumo_common.logging import current_trace_id
from jumo_orgs.opportunity_model import Opportunity, Place, document_of
from jumo_orgs.plain_text import excerpt

Emit = Callable[[Opportunity, OrgCard, int, str | None], Envelope[Any]]


def snapshot(opp: Opportunity, org: OrgCard) -> OpportunitySnapshot:
    """What a feed renders of an opportunity."""
    place = opp.place or Place()
    return OpportunitySnapshot(
        opportunity_id=opp.id, org=org, title=opp.title, excerpt=excerpt(opp.description),
        status=opp.status, commitment=opp.commitment, causes=opp.causes, skills=opp.skills,
        city=place.city, country=place.country, lat=place.lat, lng=place.lng,
        remote=opp.remote, time_zone=opp.time_zone,
        starts_at=opp.starts_at, ends_at=opp.ends_at, slots=len(opp.slots), places=opp.places,
        deadline=opp.deadline, url_path=f"/opportunities/{opp.id}",
    )  # fmt: skip


def event(data: EventData, opp_id: str, actor_id: str | None) -> Envelope[Any]:
    """An envelope of orgs about an opportunity."""
    return make_event(
        data, producer="orgs", actor_id=actor_id, subject_id=opp_id, trace_id=current_trace_id()
    )


def changed_to(
    before: Opportunity, after: Opportunity, org: OrgCard, actor: str | None,
    emit: Emit | None,
) -> Change | None:  # fmt: skip
    """The Change from ``before`` to ``after`` (its event built for the version it claims)."""
    old, new = document_of(before), document_of(after)
    changed = {k: v for k, v in new.items() if old.get(k) != v}
    if not changed:
        return None
    if emit is None:
        return Change(set=changed)
    return Change(set=changed, events=lambda version: [emit(after, org, version, actor)])


def updated(changed: tuple[str, ...]) -> Callable[..., Envelope[Any]]:
    def emit(opp: Opportunity, org: OrgCard, version: int, actor: str | None) -> Envelope[Any]:
        data = OpportunityUpdated(opportunity=snapshot(opp, org), changed=changed, version=version)
        return event(data, opp.id, actor)

    return emit


def published(opp: Opportunity, org: OrgCard, version: int, actor: str | None) -> Envelope[Any]:
    assert opp.published_at is not None
    data = OpportunityPublished(
        opportunity=snapshot(opp, org), published_at=opp.published_at, version=version
    )
    return event(data, opp.id, actor)


def closed(reason: CloseReason) -> Callable[..., Envelope[Any]]:
    def emit(opp: Opportunity, org: OrgCard, version: int, actor: str | None) -> Envelope[Any]:
        assert opp.closed_at is not None
        data = OpportunityClosed(
            opportunity=snapshot(opp, org), reason=reason, closed_at=opp.closed_at,
            version=version,
        )  # fmt: skip
        return event(data, opp.id, actor)

    return emit
