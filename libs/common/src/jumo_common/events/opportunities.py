"""orgs' event contracts about volunteering opportunities (``opportunity.*``); edited by orgs'
owners (the opportunities area).

Each event carries ``version``, the opportunity document's version: a consumer keeps the
snapshot of the highest it has seen, so a late ``published`` never undoes a later ``closed``.
``OpportunitySnapshot`` is what a feed renders without calling orgs back: the organization's
card, the title, causes, where (city or remote), when (the first slot's dates, or none for an
ongoing one), places and the path of its page.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime

from jumo_common.events.envelope import EventData, event_type
from jumo_common.events.orgs import OrgCard

OpportunityStatus = Literal["draft", "open", "paused", "filled", "closed"]
CommitmentKind = Literal["one_off", "recurring", "ongoing"]
CloseReason = Literal["closed", "deadline", "ended"]


class OpportunitySnapshot(EventData):
    """An opportunity as a feed shows it."""

    opportunity_id: str
    org: OrgCard
    title: str
    excerpt: str
    status: OpportunityStatus
    commitment: CommitmentKind
    causes: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    city: str | None = None
    country: str | None = None
    # Where it happens, rounded to 2 decimals (about a kilometre); None when remote or unknown.
    lat: float | None = None
    lng: float | None = None
    remote: bool = False
    time_zone: str
    starts_at: AwareDatetime | None = None  # the first slot's start (None: ongoing)
    ends_at: AwareDatetime | None = None  # the last slot's end (None: ongoing)
    slots: int = 1
    places: int
    deadline: AwareDatetime | None = None
    url_path: str  # the opportunity's page, e.g. /opportunities/<id>


@event_type("opportunity.published", 1)
class OpportunityPublished(EventData):
    """An organization published an opportunity: it is open to applications."""

    opportunity: OpportunitySnapshot
    published_at: AwareDatetime
    version: int


@event_type("opportunity.updated", 1)
class OpportunityUpdated(EventData):
    """A published opportunity changed (its fields, or its status: paused, resumed, filled,
    open again); ``changed`` names what did."""

    opportunity: OpportunitySnapshot
    changed: tuple[str, ...] = ()
    version: int


@event_type("opportunity.closed", 1)
class OpportunityClosed(EventData):
    """An opportunity closed: by its organization (``closed``), past its application deadline
    (``deadline``) or past its last date (``ended``). It takes no more applications."""

    opportunity: OpportunitySnapshot
    reason: CloseReason
    closed_at: AwareDatetime
    version: int
