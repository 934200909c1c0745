"""Applications to opportunities: applying, the organization's answers, withdrawing, expiry,
erasure — the lifecycle of ``application_plans`` with its seats (``places``) and waiting list
(``waitlist``).

Who: the volunteer applies, reads and withdraws their own; the organization's admins and
owners (``ANSWERERS``) read its applications and accept, decline, waitlist or cancel them.
Editors do not: an application carries a volunteer's answers and message, personal data that
deciding who joins needs and writing opportunities does not (the issue names admins for the
lists). Anyone else does not learn that an application exists (404).

The seats around these writes (their order, their repair, ``filled``): ``application_seats``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from jumo_common.jwt import Principal
from jumo_common.mongo import STALE_CLAIM, Document, as_utc
from jumo_common.outbox import Plan, WriteConflict, Written
from jumo_orgs import application_plans as plans
from jumo_orgs import application_rules as rules
from jumo_orgs.access import RANK
from jumo_orgs.application_plans import Decision, Notice
from jumo_orgs.application_rules import ApplicationNotFound, NotActionable, OpportunityNotFound
from jumo_orgs.application_seats import OpportunitySource, Seating
from jumo_orgs.application_store import claim_key, org_filter, slot_key
from jumo_orgs.application_views import view
from jumo_orgs.deps import Deps
from jumo_orgs.errors import ChangingConcurrently, OrgNotFound
from jumo_orgs.opportunity_model import Opportunity
from jumo_orgs.places import Places
from jumo_orgs.schemas.applications import (
    ApplicationDraft,
    ApplicationOut,
    DecisionDraft,
    MyApplicationsQuery,
    OrgApplicationsQuery,
)
from jumo_orgs.waitlist import Waitlist, position

ANSWERERS = "admin"  # the lowest role that reads and answers an organization's applications
EXPIRY_BATCH = 200


class Applications:
    """The use cases of applications."""

    def __init__(self, deps: Deps, opportunities: OpportunitySource) -> None:
        self._deps = deps
        self._store = deps.stores.applications
        self._opps = opportunities
        self.places = Places(deps.stores.seats)
        self.waitlist = Waitlist(self._store, self.places, self.notice)
        self.seating = Seating(self._store, self.places, self.waitlist, opportunities)
        self.expiry_days = deps.settings.application_expiry_days

    # ---- the volunteer ------------------------------------------------------------------------

    async def apply(
        self, opportunity_id: str, caller: Principal, draft: ApplicationDraft, now: datetime
    ) -> ApplicationOut:
        """Apply to an open opportunity (application.submitted): one live application per
        person and slot."""
        opp = await self._open_opportunity(opportunity_id, caller)
        await self._deps.access.check_not_blocked(opp.org_id, caller.user_id)
        if await self._deps.access.role(opp.org_id, caller.user_id) is not None:
            raise rules.OwnOrganization("An organization's own people do not apply to it.")
        slot = rules.check_draft(opp, draft, now)
        fresh = self._fresh(opp, slot.id, caller.user_id, draft, now)
        notice = await self.notice(opp)
        await self._claim(claim_key(opp.id, slot.id, caller.user_id), fresh, now)
        written = await self._store.create(fresh, lambda d: plans.submitted(d, notice))
        if written is None:  # pragma: no cover - a fresh uuid
            raise ChangingConcurrently("Try again.")
        return await self._out(written.after() | {"_id": fresh["_id"]}, opp)

    async def withdraw(
        self, application_id: str, caller: Principal, now: datetime
    ) -> ApplicationOut:
        """The volunteer withdraws (application.withdrawn); an accepted one frees its place,
        which the first waiting person gets."""
        doc = await self._visible(application_id, caller)
        if doc["volunteer_id"] != caller.user_id:
            raise rules.NotTheApplicant("Only the volunteer withdraws their application.")
        opp = await self._opportunity(doc["opportunity_id"])
        notice = await self.notice(opp)
        written = await self._write(application_id, lambda d: plans.withdraw(d, now, notice))
        await self._store.release_claim(_claim_of(doc), application_id)  # they may apply again
        await self.seating.freed(written, opp, now)
        return await self._out(written.after(), opp)

    # ---- the organization ---------------------------------------------------------------------

    async def accept(self, application_id: str, caller: Principal, now: datetime) -> ApplicationOut:
        """Accept a pending or waitlisted application on a free place (application.accepted);
        NoPlacesLeft when every place of its slot is taken."""
        doc, opp = await self._answerable(application_id, caller)
        return await self._accept(doc, opp, caller.user_id, now)

    async def accept_invited(
        self, application_id: str, decided_by: str | None, now: datetime
    ) -> ApplicationOut:
        """Accept at once the application of a volunteer the organization invited (matching:
        the invitation was its answer; ``decided_by``, who invited); NoPlacesLeft when full."""
        doc = await self._get(application_id)
        return await self._accept(doc, await self._opportunity(doc["opportunity_id"]), decided_by,
                                  now)  # fmt: skip

    async def _accept(
        self, doc: Document, opp: Opportunity, decided_by: str | None, now: datetime
    ) -> ApplicationOut:
        application_id = doc["_id"]
        if doc["status"] not in plans.ANSWERABLE:
            raise NotActionable(f"An application {doc['status']} cannot be accepted.")
        seat = await self.seating.seat(doc, opp, now)
        decision, notice = Decision(decided_by, now), await self.notice(opp)
        try:
            written = await self._write(
                application_id, lambda d: plans.accept(d, seat, decision, notice)
            )
        except NotActionable:
            await self.places.release(seat, application_id)
            raise
        await self.seating.mark(opp, now)
        return await self._out(written.after(), opp)

    async def decline(
        self, application_id: str, caller: Principal, draft: DecisionDraft, now: datetime
    ) -> ApplicationOut:
        """Decline a pending or waitlisted application with a reason (application.declined)."""
        _doc, opp = await self._answerable(application_id, caller)
        decision = Decision(caller.user_id, now, draft.reason, draft.text)
        notice = await self.notice(opp)
        written = await self._write(application_id, lambda d: plans.decline(d, decision, notice))
        return await self._out(written.after(), opp)

    async def waitlist_one(
        self, application_id: str, caller: Principal, now: datetime
    ) -> ApplicationOut:
        """Put a pending application on its slot's waiting list (application.waitlisted);
        PlacesRemain while the slot has free places (accept it instead)."""
        doc, opp = await self._answerable(application_id, caller)
        slot = opp.slot(doc["slot_id"])
        taken = (await self.places.taken(opp.id)).get(doc["slot_id"], 0)
        if slot is not None and taken < slot.places and doc["status"] == "pending":
            raise rules.PlacesRemain("This slot still has places: accept the application.")
        decision, notice = Decision(caller.user_id, now), await self.notice(opp)
        await self._write(application_id, lambda d: plans.waitlist(d, decision, notice))
        await self.waitlist.promote(opp, doc["slot_id"], now)  # a place freed meanwhile
        return await self._out(await self._get(application_id), opp)

    async def cancel(
        self, application_id: str, caller: Principal, draft: DecisionDraft, now: datetime
    ) -> ApplicationOut:
        """Cancel an accepted application with a reason (application.cancelled); its place
        goes to the first waiting person."""
        _doc, opp = await self._answerable(application_id, caller)
        decision = Decision(caller.user_id, now, draft.reason, draft.text)
        notice = await self.notice(opp)
        written = await self._write(application_id, lambda d: plans.cancel(d, decision, notice))
        await self.seating.freed(written, opp, now)
        return await self._out(written.after(), opp)

    # ---- reading ------------------------------------------------------------------------------

    async def one(self, application_id: str, caller: Principal) -> ApplicationOut:
        """An application, for its volunteer and the organization's admins."""
        doc = await self._visible(application_id, caller)
        return await self._out(doc, await self._opps.get(doc["opportunity_id"]))

    async def mine(
        self, caller: Principal, query: MyApplicationsQuery
    ) -> tuple[list[ApplicationOut], str | None]:
        """A page of the caller's applications, newest first."""
        page = await self._store.mine(caller.user_id, query.status, limit=query.limit,
                                      cursor=query.cursor)  # fmt: skip
        return await self._views(page.items), page.next_cursor

    async def of_org(
        self, org_ref: str, caller: Principal, query: OrgApplicationsQuery
    ) -> tuple[list[ApplicationOut], str | None]:
        """A page of an organization's applications (its admins), filtered."""
        org = await self._deps.access.org(org_ref, caller)
        await self._deps.access.require(org["_id"], caller, ANSWERERS)
        flt = org_filter(org["_id"], query.opportunity, query.slot, query.status)
        page = await self._store.of_org(flt, limit=query.limit, cursor=query.cursor)
        return await self._views(page.items), page.next_cursor

    # ---- time, places and erasure -------------------------------------------------------------

    async def expire_due(self, now: datetime) -> int:
        """The timer step: pending applications unanswered past their expiry expire
        (application.expired, a notice to both sides); idempotent. How many expired."""
        count = 0
        for application_id in await self._store.due(now, EXPIRY_BATCH):
            doc = await self._store.application(application_id)
            opp = await self._opps.get(doc["opportunity_id"]) if doc else None
            if doc is None or opp is None:
                continue
            notice = await self.notice(opp)
            written = await self._try(application_id, _expiring(now, notice))
            if written is not None and written.change is not None:
                await self._store.release_claim(_claim_of(doc), application_id)
                count += 1
        return count

    async def promote_waiting(self, now: datetime) -> int:
        """The timer step that catches promotion up (a crash after a free, places added):
        every slot with a waiting list gets its free places filled. How many promoted."""
        slots = {(d["opportunity_id"], d["slot_id"]) for d in
                 await self._store.all_of("status", "waitlisted")}  # fmt: skip
        promoted = 0
        for opportunity_id, slot_id in sorted(slots):
            opp = await self._opps.get(opportunity_id)
            if opp is not None:
                promoted += len(await self.places_changed(opp, slot_id, now))
        return promoted

    async def places_changed(self, opp: Opportunity, slot_id: str, now: datetime) -> list[str]:
        """A slot may have free places (more places, a free): the first waiting get them."""
        return await self.seating.places_changed(opp, slot_id, now)

    async def places_added(self, opportunity: Opportunity, slot_id: str, added: int) -> None:
        """The opportunities area's ``PlacesAdded``: a slot gained places."""
        await self.places_changed(opportunity, slot_id, datetime.now(UTC))

    async def taken(self, opportunity_id: str) -> dict[str, int]:
        """The opportunities area's ``TakenPlaces``: accepted per slot (counted seats)."""
        return await self.places.taken(opportunity_id)

    async def forget(self, user_id: str) -> None:
        """A person left Jumo: their applications become anonymous tombstones (the
        organization's figures stay), a live one is withdrawn (its place goes to the next
        waiting), their claims and seats go."""
        now = datetime.now(UTC)
        for application_id in await self._store.ids_of(user_id):
            doc = await self._store.application(application_id)
            opp = await self._opps.get(doc["opportunity_id"]) if doc else None
            notice = await self.notice(opp) if opp else Notice("", "")
            written = await self._try(application_id, _erasing(now, notice))
            if opp is not None and written is not None:
                await self.seating.freed(written, opp, now)
        for seat in await self.places.held_by(user_id):
            await self.places.release(seat["_id"], seat["application_id"])
        await self._store.forget_claims(user_id)

    async def notice(self, opp: Opportunity) -> Notice:
        """What a notification of an application to ``opp`` shows."""
        org = await self._deps.stores.orgs.org(opp.org_id)
        return Notice(opportunity_title=opp.title, org_name=org["name"] if org else "")

    # ---- helpers ------------------------------------------------------------------------------

    def _fresh(self, opp: Opportunity, slot_id: str, volunteer_id: str, draft: ApplicationDraft,
               now: datetime) -> Document:  # fmt: skip
        return {"_id": uuid.uuid4().hex, "opportunity_id": opp.id, "org_id": opp.org_id,
                "slot_id": slot_id, "slot_key": slot_key(opp.id, slot_id),
                "volunteer_id": volunteer_id,
                "answers": [a.model_dump() for a in draft.answers], "message": draft.message,
                "meets_minimum_age": draft.meets_minimum_age, "submitted_at": now,
                "expires_at": plans.expiry(now, self.expiry_days), "updated_at": now}  # fmt: skip

    async def _claim(self, key: str, fresh: Document, now: datetime) -> None:
        """The person's one claim on the slot; a claim whose application was never written
        (its applier crashed) is taken over once stale."""
        for _ in range(2):
            if await self._store.claim(key, fresh["_id"], fresh["volunteer_id"], now):
                return
            held = await self._store.claim_of(key)
            if held is None:
                continue
            if await self._store.application(held["application_id"]) is not None or (
                now - as_utc(held["at"]) < STALE_CLAIM
            ):
                raise rules.AlreadyApplied("You have applied to this slot already.")
            await self._store.release_claim(key, held["application_id"])
        raise ChangingConcurrently("Applying is changing concurrently; try again.")

    async def _open_opportunity(self, opportunity_id: str, caller: Principal) -> Opportunity:
        opp = await self._opps.get(opportunity_id)
        if opp is None or opp.status == "draft":
            raise OpportunityNotFound("No such opportunity.")
        try:
            await self._deps.access.org(opp.org_id, caller)
        except OrgNotFound:
            raise OpportunityNotFound("No such opportunity.") from None
        return opp

    async def _opportunity(self, opportunity_id: str) -> Opportunity:
        opp = await self._opps.get(opportunity_id)
        if opp is None:
            raise OpportunityNotFound("This application's opportunity is gone.")
        return opp

    async def _get(self, application_id: str) -> Document:
        doc = await self._store.application(application_id)
        if doc is None or doc.get("erased"):
            raise ApplicationNotFound("No such application.")
        return doc

    async def _visible(self, application_id: str, caller: Principal) -> Document:
        """An application its volunteer or the organization's admins ask for."""
        doc = await self._get(application_id)
        if doc["volunteer_id"] == caller.user_id:
            return doc
        role = await self._deps.access.role(doc["org_id"], caller.user_id)
        if role is None or RANK[role] < RANK[ANSWERERS]:
            raise ApplicationNotFound("No such application.")
        return doc

    async def _answerable(
        self, application_id: str, caller: Principal
    ) -> tuple[Document, Opportunity]:
        doc = await self._visible(application_id, caller)
        await self._deps.access.require(doc["org_id"], caller, ANSWERERS)
        return doc, await self._opportunity(doc["opportunity_id"])

    async def _write(self, application_id: str, plan: Plan) -> Written:
        written = await self._try(application_id, plan)
        if written is None:
            raise ApplicationNotFound("No such application.")
        if written.change is None:
            raise NotActionable("This application is not in a state this applies to.")
        return written

    async def _try(self, application_id: str, plan: Plan) -> Written | None:
        try:
            return await self._store.change(application_id, plan)
        except WriteConflict:
            raise ChangingConcurrently("This application is changing; try again.") from None

    async def _out(self, doc: Document, opp: Opportunity | None) -> ApplicationOut:
        waiting = None
        if doc.get("status") == "waitlisted":
            waiting = position(await self.waitlist.waiting(doc["opportunity_id"], doc["slot_id"]),
                               doc["_id"])  # fmt: skip
        people = await self._deps.people.people([doc["volunteer_id"]])
        return view(doc, opp, people, waiting)

    async def _views(self, docs: list[Document]) -> list[ApplicationOut]:
        found = await self._opps.get_many(list({d["opportunity_id"] for d in docs}))
        people = await self._deps.people.people(list({d["volunteer_id"] for d in docs}))
        return [view(d, found.get(d["opportunity_id"]), people, None) for d in docs]


def _claim_of(doc: Document) -> str:
    return claim_key(doc["opportunity_id"], doc["slot_id"], doc["volunteer_id"])


def _expiring(now: datetime, notice: Notice) -> Plan:
    return lambda doc: plans.expire(doc, now, notice)


def _erasing(now: datetime, notice: Notice) -> Plan:
    return lambda doc: plans.erase(doc, now, notice)
