"""orgs' event contracts about volunteers' records (``volunteering.*``); edited by orgs' owners
(the record area).

``volunteering.attested`` is news for the feed ("attested volunteering of the people you
follow"): an organization recorded a volunteer's hours for a session they were checked in to.
It carries a snapshot the feed renders without calling orgs back, and only what the
volunteer's visibility allows: a private volunteer's engagements publish nothing, a public or
followers-only one's carry ``visibility`` so the feed shows them to the right people (it checks
visibility too). ``version`` is the check-in document's version: a consumer keeps the highest
it has seen (hours corrected later come again with a higher version; a dispute withdraws it).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime

from jumo_common.events.envelope import EventData, event_type
from jumo_common.events.orgs import OrgCard


@event_type("volunteering.attested", 1)
class VolunteeringAttested(EventData):
    """An organization attested a volunteer's hours for one session (or corrected them)."""

    check_in_id: str
    volunteer_id: str
    org: OrgCard
    opportunity_id: str
    opportunity_title: str
    causes: tuple[str, ...] = ()
    session: str
    starts_at: AwareDatetime | None = None
    hours: float
    attested_at: AwareDatetime
    visibility: Literal["public", "followers"]
    version: int


@event_type("volunteering.disputed", 1)
class VolunteeringDisputed(EventData):
    """The volunteer disputed the hours an organization recorded: the engagement is no longer
    attested (a feed drops it); the organization may correct the hours."""

    check_in_id: str
    volunteer_id: str
    org_id: str
    version: int
