"""orgs' event contracts about invitations to volunteering opportunities (matching); edited by
orgs' owners (the matching area).

An organization's admin invites a findable volunteer to an opportunity
(``opportunity.invited``: the notifier tells the volunteer); the volunteer accepts — which
applies and is accepted at once through the applications lifecycle (``application.submitted``
then ``application.accepted``), and ``opportunity.invitation_accepted`` names that application —
or declines (``opportunity.invitation_declined``: the notifier tells the organization). Every
event carries the invitation's ids, ``status`` after the change and ``seq``, the invitation
document's version (a consumer keeps the highest it has seen), and what a notice needs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime

from jumo_common.events.envelope import EventData, event_type

InvitationStatus = Literal["pending", "accepted", "declined"]


class InvitationEvent(EventData):
    """What every invitation event says."""

    invitation_id: str
    opportunity_id: str
    org_id: str
    volunteer_id: str
    slot_id: str | None = None
    status: InvitationStatus
    seq: int
    opportunity_title: str
    org_name: str
    at: AwareDatetime


@event_type("opportunity.invited", 1)
class OpportunityInvited(InvitationEvent):
    """An organization invited a volunteer (status ``pending``), with its message if any."""

    message: str | None = None


@event_type("opportunity.invitation_accepted", 1)
class InvitationAccepted(InvitationEvent):
    """The volunteer accepted: ``application_id`` is their application (accepted at once when
    a place was free, else pending for the organization to waitlist)."""

    application_id: str
    application_status: str


@event_type("opportunity.invitation_declined", 1)
class InvitationDeclined(InvitationEvent):
    """The volunteer declined the invitation."""
