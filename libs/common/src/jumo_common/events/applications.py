"""orgs' event contracts about applications to volunteering opportunities (``application.*``);
edited by orgs' owners (the applications area).

Every event carries the application's ids (its opportunity, slot, organization and volunteer),
its ``status`` after the change and ``seq``, the application document's version: a consumer
keeps the state of the highest ``seq`` it has seen, so a late ``submitted`` never undoes a
later ``accepted``. Each also carries what a notification needs without calling orgs back (the
opportunity's title, the organization's name); the event IS the notice (the notifier turns
``accepted``, ``declined``, ``promoted`` and ``expired`` into messages to the volunteer, and
``submitted``, ``withdrawn`` and ``expired`` into messages to the organization's admins).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime

from jumo_common.events.envelope import EventData, event_type

ApplicationStatus = Literal[
    "pending", "accepted", "declined", "waitlisted", "withdrawn", "expired", "cancelled"
]
DeclineReason = Literal["not_a_fit", "no_places", "requirements_not_met", "other"]


class ApplicationEvent(EventData):
    """What every ``application.*`` event says."""

    application_id: str
    opportunity_id: str
    org_id: str
    volunteer_id: str
    slot_id: str
    status: ApplicationStatus
    seq: int
    opportunity_title: str
    org_name: str
    at: AwareDatetime


@event_type("application.submitted", 1)
class ApplicationSubmitted(ApplicationEvent):
    """A volunteer applied (status ``pending``); the organization answers by ``expires_at``."""

    expires_at: AwareDatetime | None = None


@event_type("application.accepted", 1)
class ApplicationAccepted(ApplicationEvent):
    """The organization accepted a volunteer (a place is theirs); ``by``: who accepted."""

    by: str | None = None


@event_type("application.declined", 1)
class ApplicationDeclined(ApplicationEvent):
    """The organization declined; the reason (and its text) are shown to the volunteer."""

    reason: DeclineReason
    reason_text: str | None = None
    by: str | None = None


@event_type("application.waitlisted", 1)
class ApplicationWaitlisted(ApplicationEvent):
    """The organization put a volunteer on the slot's waiting list."""

    by: str | None = None


@event_type("application.promoted", 1)
class ApplicationPromoted(ApplicationEvent):
    """A place freed and the first person waiting got it (status ``accepted``)."""


@event_type("application.withdrawn", 1)
class ApplicationWithdrawn(ApplicationEvent):
    """The volunteer withdrew (``was``: the status before; an accepted one frees a place).
    ``erased``: the volunteer's account was deleted."""

    was: ApplicationStatus
    erased: bool = False


@event_type("application.cancelled", 1)
class ApplicationCancelled(ApplicationEvent):
    """The organization cancelled an accepted application (the place frees); the reason is
    shown to the volunteer."""

    reason: DeclineReason
    reason_text: str | None = None
    by: str | None = None


@event_type("application.expired", 1)
class ApplicationExpired(ApplicationEvent):
    """A pending application had no answer in time: a notice to both sides, and a miss in the
    organization's response figures."""

    submitted_at: AwareDatetime
