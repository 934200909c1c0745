"""What attendance reads of the other areas of volunteering: an application as an
``Engagement`` (``Engagements``; ``attendance.StoredEngagements`` reads the applications
area's store) and an opportunity (``OpportunitySource``: ``Opportunities.get``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from jumo_orgs.errors import NotFoundError
from jumo_orgs.opportunity_model import Opportunity


class ApplicationNotFound(NotFoundError):
    """No such application (or not the caller's)."""

    slug = "application-not-found"


class OpportunityNotFound(NotFoundError):
    """No such opportunity."""

    slug = "opportunity-not-found"


@dataclass(frozen=True)
class Engagement:
    """An application as attendance sees it."""

    application_id: str
    opportunity_id: str
    org_id: str
    volunteer_id: str
    slot_id: str
    status: str


class Engagements(Protocol):
    """The applications area, as far as attendance and the figures need it."""

    async def engagement(self, application_id: str) -> Engagement | None:
        """An application by id."""
        ...


class OpportunitySource(Protocol):
    """The opportunities area (``Opportunities.get``)."""

    async def get(self, opportunity_id: str) -> Opportunity | None:
        """An opportunity by id."""
        ...
