"""Showing up: the organization checks a volunteer in (or types the one-time code the
volunteer shows), records the hours of each session, and the volunteer confirms or disputes.

Who: an organization's editors, admins and owners check in and record hours, at their own
organization's opportunities only; nobody checks themself in or attests their own hours (an
editor who volunteers is checked in by a colleague); only the volunteer asks for a code,
confirms or disputes. A check-in needs an accepted application (``Engagements``, the
applications area's). Exactly once per application and session: the check-in's ``_id`` is
``<application>:<session>`` and it is created by an exclusive insert; a second check-in
answers the first one. A code is spent by an exclusive insert too, so it checks in once.
Rules of sessions, codes and hours: ``attendance_rules``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from jumo_common.events import Envelope, make_event
from jumo_common.events.record import VolunteeringAttested, VolunteeringDisputed
from jumo_common.jwt import Principal
from jumo_common.logging import current_trace_id
from jumo_common.mongo import Document
from jumo_orgs import attendance_rules as rules
from jumo_orgs.application_store import ApplicationStore
from jumo_orgs.attendance_rules import CheckInNotFound, NotAccepted, OwnAttendance
from jumo_orgs.attendance_sources import (
    ApplicationNotFound,
    Engagement,
    Engagements,
    OpportunityNotFound,
    OpportunitySource,
)
from jumo_orgs.attendance_store import check_in_key
from jumo_orgs.cards import card
from jumo_orgs.deps import Deps
from jumo_orgs.errors import OrgNotFound
from jumo_orgs.opportunity_model import Opportunity
from jumo_orgs.schemas.record import CheckInBody, CheckInOut, CodeBody, CodeOut

CHECKERS = "editor"  # the lowest role that checks volunteers in and records their hours
MAX_CODE_ATTEMPTS = 3


class StoredEngagements:
    """``Engagements`` read from the applications area's store (a tombstone of an erased
    volunteer's application is no engagement)."""

    def __init__(self, applications: ApplicationStore) -> None:
        self._applications = applications

    async def engagement(self, application_id: str) -> Engagement | None:
        """An application by id."""
        doc = await self._applications.application(application_id)
        if doc is None or doc.get("erased") or not doc.get("volunteer_id"):
            return None
        return Engagement(application_id=doc["_id"], opportunity_id=doc["opportunity_id"],
                          org_id=doc["org_id"], volunteer_id=doc["volunteer_id"],
                          slot_id=doc["slot_id"], status=doc["status"])  # fmt: skip


def check_in_out(doc: Document) -> CheckInOut:
    """The HTTP view of a stored check-in."""
    return CheckInOut.model_validate(doc | {"id": doc["_id"]})


class Attendance:
    """Check-ins, codes, hours and the volunteer's answers."""

    def __init__(
        self, deps: Deps, opportunities: OpportunitySource, engagements: Engagements
    ) -> None:
        self._deps = deps
        self._store = deps.stores.attendance
        self._opportunities = opportunities
        self._engagements = engagements

    # ---- the volunteer -------------------------------------------------------------------------

    async def issue_code(
        self, application_id: str, caller: Principal, body: CodeBody, now: datetime
    ) -> CodeOut:
        """A one-time code for the volunteer of an accepted application, valid a few minutes."""
        engagement = await self._own_engagement(application_id, caller)
        opp = await self._opportunity(engagement.opportunity_id)
        rules.session_for(opp, engagement.slot_id, body.session, now + rules.EARLY_CHECK_IN)
        expires_at = now + timedelta(minutes=self._deps.settings.check_in_code_minutes)
        for _ in range(MAX_CODE_ATTEMPTS):
            code = rules.new_code()
            doc = {"_id": rules.code_hash(opp.id, code), "application_id": application_id,
                   "opportunity_id": opp.id, "volunteer_id": caller.user_id,
                   "session": body.session, "created_at": now,
                   "expires_at": expires_at}  # fmt: skip
            if await self._store.add_code(doc):
                return CodeOut(code=code, application_id=application_id, opportunity_id=opp.id,
                               session=body.session, expires_at=expires_at)  # fmt: skip
        raise RuntimeError("could not draw an unused check-in code")

    async def confirm(self, check_in_id: str, caller: Principal, now: datetime) -> CheckInOut:
        """The volunteer confirms the recorded hours."""
        await self._own_check_in(check_in_id, caller)
        return await self._change(check_in_id, lambda doc: rules.answered(
            doc, "confirmed", now=now, reason=None, events=lambda after, version: []))  # fmt: skip

    async def dispute(
        self, check_in_id: str, caller: Principal, reason: str, now: datetime
    ) -> CheckInOut:
        """The volunteer disputes the recorded hours, saying why (volunteering.disputed)."""
        await self._own_check_in(check_in_id, caller)
        return await self._change(check_in_id, lambda doc: rules.answered(
            doc, "disputed", now=now, reason=reason, events=_disputed))  # fmt: skip

    # ---- the organization ----------------------------------------------------------------------

    async def check_in(
        self, opportunity_id: str, caller: Principal, body: CheckInBody, now: datetime
    ) -> tuple[CheckInOut, bool]:
        """Check a volunteer in (by application or code); True when this made the check-in."""
        opp = await self._checker(opportunity_id, caller)
        requested, via = body.session, "org"
        if body.code is not None:
            code = await self._spend(opp, body.code, now)
            application_id, requested, via = (
                code["application_id"],
                requested or code["session"],
                "code",
            )
        else:
            application_id = body.application_id or ""
        engagement = await self._engagements.engagement(application_id)
        if engagement is None or engagement.opportunity_id != opp.id:
            raise ApplicationNotFound("No such application to this opportunity.")
        if engagement.volunteer_id == caller.user_id:
            raise OwnAttendance("Someone else of the organization checks you in.")
        if engagement.status != "accepted":
            raise NotAccepted("Only an accepted volunteer is checked in.")
        session = rules.session_for(opp, engagement.slot_id, requested, now)
        doc = self._new_check_in(opp, engagement, session, caller, via, now)
        created = await self._store.create_check_in(await self._snapshot(opp, doc), [])
        found = await self._store.check_in(doc["_id"])
        assert found is not None
        return check_in_out(found), created

    async def record_hours(
        self, opportunity_id: str, check_in_id: str, caller: Principal, hours: float, now: datetime
    ) -> CheckInOut:
        """Record (or correct) the hours of a session: the engagement is attested."""
        opp = await self._checker(opportunity_id, caller)
        doc = await self._store.check_in(check_in_id)
        if doc is None or doc["opportunity_id"] != opp.id:
            raise CheckInNotFound("No such check-in at this opportunity.")
        if doc["volunteer_id"] == caller.user_id:
            raise OwnAttendance("Someone else of the organization attests your hours.")
        events = await self._attested_events(doc)
        return await self._change(check_in_id, lambda current: rules.hours_recorded(
            current, hours, by=caller.user_id, now=now, events=events))  # fmt: skip

    async def check_ins(self, opportunity_id: str, caller: Principal) -> list[CheckInOut]:
        """An opportunity's check-ins (its organization's editors and up), oldest first."""
        opp = await self._checker(opportunity_id, caller)
        found = await self._store.check_ins_of("opportunity_id", opp.id)
        return [
            check_in_out(d) for d in sorted(found, key=lambda d: (d["checked_in_at"], d["_id"]))
        ]

    # ---- erasure and housekeeping --------------------------------------------------------------

    async def forget(self, user_id: str) -> None:
        """A deleted volunteer's codes go, and their check-ins become anonymous tombstones
        (``attendance_rules.erased``) that the organization's figures still count; the feed
        forgets its items on user.deleted itself."""
        for doc in await self._store.check_ins_of("volunteer_id", user_id):
            await self._store.change_check_in(doc["_id"], rules.erased)
        await self._store.forget_codes(user_id)

    async def sweep(self, now: datetime) -> int:
        """Delete the codes that expired (a timer step; safe to repeat)."""
        return await self._store.purge_codes(now)

    # ---- helpers -------------------------------------------------------------------------------

    async def _opportunity(self, opportunity_id: str) -> Opportunity:
        opp = await self._opportunities.get(opportunity_id)
        if opp is None:
            raise OpportunityNotFound("No such opportunity.")
        return opp

    async def _checker(self, opportunity_id: str, caller: Principal) -> Opportunity:
        opp = await self._opportunity(opportunity_id)
        await self._deps.access.require(opp.org_id, caller, CHECKERS)
        return opp

    async def _own_engagement(self, application_id: str, caller: Principal) -> Engagement:
        engagement = await self._engagements.engagement(application_id)
        if engagement is None or engagement.volunteer_id != caller.user_id:
            raise ApplicationNotFound("No such application of yours.")
        if engagement.status != "accepted":
            raise NotAccepted("Only an accepted application gets a check-in code.")
        return engagement

    async def _own_check_in(self, check_in_id: str, caller: Principal) -> Document:
        doc = await self._store.check_in(check_in_id)
        if doc is None or doc["volunteer_id"] != caller.user_id:
            raise CheckInNotFound("No such check-in of yours.")
        return doc

    async def _spend(self, opp: Opportunity, code: str, now: datetime) -> Document:
        code_hash = rules.code_hash(opp.id, code)
        doc = rules.usable_code(await self._store.code(code_hash), opp.id, now)
        if not await self._store.use_code(code_hash, doc["volunteer_id"], now):
            raise rules.InvalidCode("This code is not valid (it may have expired or been used).")
        return doc

    def _new_check_in(self, opp: Opportunity, engagement: Engagement, session: rules.Session,
                      caller: Principal, via: str, now: datetime) -> Document:  # fmt: skip
        return {
            "_id": check_in_key(engagement.application_id, session.key),
            "application_id": engagement.application_id, "opportunity_id": opp.id,
            "org_id": opp.org_id, "volunteer_id": engagement.volunteer_id,
            "session": session.key, "starts_at": session.starts_at, "ends_at": session.ends_at,
            "via": via, "checked_in_by": caller.user_id, "checked_in_at": now,
        }  # fmt: skip

    async def _snapshot(self, opp: Opportunity, doc: Document) -> Document:
        org = await self._deps.stores.orgs.org(opp.org_id)
        if org is None:
            raise OrgNotFound("No such organization.")
        snapshot = {"title": opp.title, "causes": list(opp.causes), "org_name": org["name"],
                    "time_zone": opp.time_zone}  # fmt: skip
        return doc | {"snapshot": snapshot}

    async def _attested_events(self, doc: Document) -> rules.EventsOf:
        org = await self._deps.stores.orgs.org(doc["org_id"])
        person = await self._deps.people.person(doc["volunteer_id"])
        shown = person.visibility if person is not None else "private"
        if org is None or shown not in ("public", "followers"):
            return lambda after, version: []  # a private volunteer's engagements are no news
        visibility: Literal["public", "followers"] = "public" if shown == "public" else "followers"
        org_card = card(org)

        def events(after: Document, version: int) -> list[Envelope[Any]]:
            data = VolunteeringAttested(
                check_in_id=after["_id"], volunteer_id=after["volunteer_id"], org=org_card,
                opportunity_id=after["opportunity_id"],
                opportunity_title=after["snapshot"]["title"],
                causes=tuple(after["snapshot"]["causes"]), session=after["session"],
                starts_at=after.get("starts_at"), hours=after["hours"],
                attested_at=after["attested_at"], visibility=visibility, version=version,
            )  # fmt: skip
            return [_event(data, actor=after["attested_by"], subject=after["volunteer_id"])]

        return events

    async def _change(self, check_in_id: str, plan: Any) -> CheckInOut:
        written = await self._store.change_check_in(check_in_id, plan)
        if written is None:
            raise CheckInNotFound("No such check-in.")
        return check_in_out(written.after())


def _disputed(after: Document, version: int) -> list[Envelope[Any]]:
    data = VolunteeringDisputed(check_in_id=after["_id"], volunteer_id=after["volunteer_id"],
                                org_id=after["org_id"], version=version)  # fmt: skip
    return [_event(data, actor=after["volunteer_id"], subject=after["volunteer_id"])]


def _event(data: Any, *, actor: str, subject: str) -> Envelope[Any]:
    return make_event(data, producer="orgs", actor_id=actor, subject_id=subject,
                      trace_id=current_trace_id())  # fmt: skip
