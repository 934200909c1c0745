"""Invitations to opportunities: an organization's admin invites one findable volunteer; the
volunteer accepts — and is accepted at once, through the applications lifecycle (an
application submitted, then accepted on a seat claimed by an exclusive insert) — or declines.

Rules (where the issue is silent): only a live person who chose to be findable can be invited,
never one of the organization's own people, only to an open opportunity, once per opportunity
(a declined invitation stays declined: the organization does not ask again); the slot is
required when the opportunity has several. Accepting applies with the answers the
opportunity's questions need; when every place is taken meanwhile, the application stays
pending for the organization to waitlist, and the invitation is accepted all the same.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from jumo_common.change import Change
from jumo_common.events import Envelope, make_event
from jumo_common.events.matching import InvitationAccepted as InvitationAcceptedEvent
from jumo_common.events.matching import InvitationDeclined, OpportunityInvited
from jumo_common.jwt import Principal
from jumo_common.logging import current_trace_id
from jumo_common.mongo import Document
from jumo_orgs.application_rules import NoPlacesLeft
from jumo_orgs.applications import Applications
from jumo_orgs.candidate_index import findable
from jumo_orgs.deps import Deps
from jumo_orgs.errors import Conflict, Invalid, NotFoundError
from jumo_orgs.matching import Matching
from jumo_orgs.opportunity_invitations_store import invitation_id
from jumo_orgs.schemas.applications import ApplicationDraft
from jumo_orgs.schemas.matching import InvitationAnswer, InvitationDraft, InvitationOut


class InvitationNotFound(NotFoundError):
    """No such invitation (or not the caller's)."""

    slug = "invitation-not-found"


class NotFindable(Invalid):
    """The person did not choose to be findable (or is unknown)."""

    slug = "not-findable"


class AlreadyInvited(Conflict):
    """The volunteer was invited to this opportunity already."""

    slug = "already-invited"


class NotInvitable(Conflict):
    """The opportunity is not open, or the person is one of the organization's own."""

    slug = "not-invitable"


class InvitationAnswered(Conflict):
    """The invitation was answered already."""

    slug = "invitation-answered"


class SlotRequired(Invalid):
    """The opportunity has several slots: name one (or the slot is not one of it)."""

    slug = "invalid-slot"


def _event(data: Any, actor: str | None, subject: str) -> Envelope[Any]:
    return make_event(data, producer="orgs", actor_id=actor, subject_id=subject,
                      trace_id=current_trace_id())  # fmt: skip


def _fields(doc: Document, status: str, version: int, at: datetime) -> dict[str, Any]:
    return {"invitation_id": doc["_id"], "opportunity_id": doc["opportunity_id"],
            "org_id": doc["org_id"], "volunteer_id": doc["volunteer_id"],
            "slot_id": doc.get("slot_id"), "status": status, "seq": version,
            "opportunity_title": doc["opportunity_title"], "org_name": doc["org_name"],
            "at": at}  # fmt: skip


def invited(doc: Document) -> Callable[[Document], Change]:
    """The plan that publishes opportunity.invited for a fresh invitation."""

    def plan(current: Document) -> Change:
        return Change(set={"invited_at": doc["created_at"]}, events=lambda version: [_event(
            OpportunityInvited(**_fields(doc, "pending", version, doc["created_at"]),
                               message=doc.get("message")),
            doc["invited_by"], doc["volunteer_id"])])  # fmt: skip

    return plan


def answer(status: str, now: datetime, application: tuple[str, str] | None = None
           ) -> Callable[[Document], Change | None]:  # fmt: skip
    """The plan of the volunteer's answer (None: answered already)."""

    def plan(doc: Document) -> Change | None:
        if doc["status"] != "pending":
            return None
        fields: dict[str, Any] = {"status": status, "answered_at": now}
        if application is not None:
            fields["application_id"] = application[0]

        def events(version: int) -> list[Envelope[Any]]:
            base = _fields(doc, status, version, now)
            data = (InvitationAcceptedEvent(**base, application_id=application[0],
                                            application_status=application[1])
                    if application is not None else InvitationDeclined(**base))  # fmt: skip
            return [_event(data, doc["volunteer_id"], doc["volunteer_id"])]

        return Change(set=fields, events=events)

    return plan


def view(doc: Document) -> InvitationOut:
    """The answer for one invitation."""
    return InvitationOut(
        id=doc["_id"], opportunity_id=doc["opportunity_id"],
        opportunity_title=doc["opportunity_title"], org_id=doc["org_id"],
        org_name=doc["org_name"], volunteer_id=doc["volunteer_id"], slot_id=doc.get("slot_id"),
        message=doc.get("message"), status=doc["status"], created_at=doc["created_at"],
        answered_at=doc.get("answered_at"), application_id=doc.get("application_id"),
    )  # fmt: skip


class Invitations:
    """The use cases of invitations to opportunities."""

    def __init__(self, deps: Deps, matching: Matching, applications: Applications) -> None:
        self._deps = deps
        self._store = deps.stores.invitations
        self._matching = matching
        self._applications = applications

    async def invite(
        self, opportunity_id: str, caller: Principal, draft: InvitationDraft, now: datetime
    ) -> InvitationOut:
        """Invite one findable volunteer (the organization's admins): opportunity.invited."""
        opp, org = await self._matching.opportunity_of_inviter(opportunity_id, caller)
        volunteer = draft.volunteer_id
        if opp.get("status") != "open" or await self._deps.access.role(org["_id"], volunteer):
            raise NotInvitable("Only an open opportunity, and not the organization's own people.")
        if not findable(await self._deps.stores.people.person(volunteer)):
            raise NotFindable("Only a volunteer who chose to be findable can be invited.")
        doc = {"_id": invitation_id(opp["_id"], volunteer), "opportunity_id": opp["_id"],
               "org_id": org["_id"], "volunteer_id": volunteer,
               "slot_id": _slot(opp, draft.slot_id), "message": draft.message,
               "invited_by": caller.user_id, "status": "pending", "created_at": now,
               "opportunity_title": opp["title"], "org_name": org.get("name", "")}  # fmt: skip
        if not await self._store.create(doc, invited(doc)):
            raise AlreadyInvited("This volunteer was invited to this opportunity already.")
        return view(doc)

    async def mine(self, caller: Principal) -> list[InvitationOut]:
        """The caller's invitations, newest first."""
        return [view(d) for d in await self._store.of_volunteer(caller.user_id)]

    async def accept(
        self, invitation_id: str, caller: Principal, body: InvitationAnswer, now: datetime
    ) -> tuple[InvitationOut, Any]:
        """Accept: apply, then be accepted at once (a place permitting)."""
        doc = await self._pending_of(invitation_id, caller)
        draft = ApplicationDraft(slot_id=doc.get("slot_id"), answers=body.answers,
                                 message=body.message,
                                 meets_minimum_age=body.meets_minimum_age)  # fmt: skip
        applied = await self._applications.apply(doc["opportunity_id"], caller, draft, now)
        with contextlib.suppress(NoPlacesLeft):  # then it stays pending, for a waiting list
            applied = await self._applications.accept_invited(applied.id, doc["invited_by"], now)
        written = await self._store.change(
            invitation_id, answer("accepted", now, (applied.id, applied.status))
        )
        return view(written.after() if written else doc), applied

    async def decline(self, invitation_id: str, caller: Principal, now: datetime) -> InvitationOut:
        """Decline (opportunity.invitation_declined)."""
        await self._pending_of(invitation_id, caller)
        written = await self._store.change(invitation_id, answer("declined", now))
        if written is None or written.change is None:
            raise InvitationAnswered("This invitation was answered already.")
        return view(written.after())

    async def forget(self, user_id: str) -> None:
        """Erasure: a volunteer's invitations go; those they sent name no inviter."""
        await self._store.forget(user_id)

    async def _pending_of(self, invitation_id: str, caller: Principal) -> Document:
        doc = await self._store.invitation(invitation_id)
        if doc is None or doc["volunteer_id"] != caller.user_id:
            raise InvitationNotFound("No such invitation.")
        if doc["status"] != "pending":
            raise InvitationAnswered("This invitation was answered already.")
        return doc


def _slot(opp: Document, wanted: str | None) -> str | None:
    slots = [s["id"] for s in opp.get("slots") or []]
    if wanted is None and len(slots) > 1:
        raise SlotRequired("This opportunity has several slots: name one (slot_id).")
    if wanted is not None and wanted not in slots:
        raise SlotRequired("No such slot in this opportunity.")
    return wanted if wanted is not None else (slots[0] if slots else None)
