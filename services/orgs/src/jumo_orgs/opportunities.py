"""What organizations ask volunteers for: opportunities (issue 9). The use cases.

``Opportunities.get(id)`` is what the other areas of volunteering (applications, the calendar,
the record, matching) read an opportunity through: the domain dataclass of
``opportunity_model``, whatever its status, without any access check (the caller checks).

Rules where the issue is silent:
- Editors, admins and owners write an organization's opportunities; any organization keeps
  drafts, only a verified one that no moderator hid publishes (and resumes a paused one).
- A draft is seen by the organization's people and moderators only; a published one by
  anyone who may see its organization. An organization's list shows others its open, paused
  and filled ones; its own people see every status.
- Places may grow at any time, and shrink down to what accepted applications hold; a slot
  holding accepted volunteers cannot be removed. The observers of ``on_places_added`` (the
  applications area: promotion from the waiting list) are told after the write.
- ``filled`` is the applications area's to set (``mark_filled`` / ``mark_unfilled``): it knows
  when every place is taken. Resuming a full opportunity makes it ``filled``.
- ``close_due(now)`` closes what is past its deadline or last date; safe to repeat.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from jumo_common.events.opportunities import CloseReason
from jumo_common.jwt import Principal
from jumo_common.logging import get_logger
from jumo_common.mongo import Document
from jumo_common.outbox import Plan, WriteConflict, Written
from jumo_orgs import opportunity_plans as plans
from jumo_orgs.cards import card
from jumo_orgs.deps import Deps
from jumo_orgs.errors import ChangingConcurrently, OrgNotFound, OrgNotVerified
from jumo_orgs.news_plans import OrgIsHidden
from jumo_orgs.opportunity_hooks import NoneTaken, PlacesAdded, TakenPlaces
from jumo_orgs.opportunity_model import Opportunity, Status, document_of, opportunity_of
from jumo_orgs.opportunity_plans import OpportunityNotFound
from jumo_orgs.opportunity_search import OpportunitySearch
from jumo_orgs.opportunity_store import is_due
from jumo_orgs.opportunity_views import view
from jumo_orgs.schemas.opportunities import OpportunityDraft, OpportunityOut, OpportunityPatch

log = get_logger(__name__)
WRITERS = "editor"  # the lowest role that writes an organization's opportunities
PUBLIC_STATUSES: tuple[Status, ...] = ("open", "paused", "filled")
REPAIR_EVERY = timedelta(hours=1)  # how often the periodic loop repairs search's index


class Opportunities:
    """Opportunities: writing them, their lifecycle, reading them."""

    def __init__(self, deps: Deps, taken: TakenPlaces | None = None) -> None:
        self._deps = deps
        self._store = deps.stores.opportunities
        self.taken: TakenPlaces = taken or NoneTaken()
        self.on_places_added: list[PlacesAdded] = []
        self.search = OpportunitySearch(deps)
        self._repaired_at: datetime | None = None

    # ---- for the other areas -----------------------------------------------------------------

    async def get(self, opportunity_id: str) -> Opportunity | None:
        """An opportunity by id, in any status (None: there is none)."""
        doc = await self._store.opportunity(opportunity_id)
        return opportunity_of(doc) if doc is not None else None

    async def get_many(self, opportunity_ids: Sequence[str]) -> dict[str, Opportunity]:
        """The opportunities of these ids that exist, by id."""
        docs = await self._store.opportunities(opportunity_ids)
        return {doc["_id"]: opportunity_of(doc) for doc in docs}

    async def mark_filled(self, opportunity_id: str, now: datetime) -> bool:
        """open → filled (the applications area: every place is taken); False if not open."""
        return await self._internal(opportunity_id, "filled", ("open",), now)

    async def mark_unfilled(self, opportunity_id: str, now: datetime) -> bool:
        """filled → open (a place freed and nobody waits for it); False if not filled."""
        return await self._internal(opportunity_id, "open", ("filled",), now)

    # ---- writing -----------------------------------------------------------------------------

    async def create(
        self, org_ref: str, caller: Principal, draft: OpportunityDraft, now: datetime
    ) -> OpportunityOut:
        """An editor+ writes a draft (and publishes it at once with ``publish``)."""
        org = await self._deps.access.org(org_ref, caller)
        await self._deps.access.require(org["_id"], caller, WRITERS)
        if draft.publish:
            _require_publishing(org)
        opp = plans.new_opportunity(plans.new_id(), org["_id"], caller.user_id, draft, now)
        doc = document_of(opp)
        await self._store.create_opportunity(doc, [])
        if draft.publish:
            return await self.publish(opp.id, caller, now)
        return view({**doc, "version": 1}, org, {})

    async def edit(
        self, opportunity_id: str, caller: Principal, patch: OpportunityPatch, now: datetime
    ) -> OpportunityOut:
        """An editor+ changes an opportunity (opportunity.updated once published)."""
        _doc, org = await self._writable(opportunity_id, caller)
        taken = await self.taken.taken(opportunity_id)
        sent, org_card = patch.fields_sent(), card(org)
        written = await self._write(
            opportunity_id, lambda d: plans.edit(d, sent, org_card, taken, caller.user_id, now)
        )
        await self._tell_places_added(written)
        return await self._view(written.after(), org)

    async def publish(
        self, opportunity_id: str, caller: Principal, now: datetime
    ) -> OpportunityOut:
        """draft → open: opportunity.published (a verified organization only)."""
        _doc, org = await self._writable(opportunity_id, caller)
        _require_publishing(org)
        org_card = card(org)
        written = await self._write(
            opportunity_id, lambda d: plans.publish(d, org_card, caller.user_id, now)
        )
        return await self._view(written.after(), org)

    async def pause(self, opportunity_id: str, caller: Principal, now: datetime) -> OpportunityOut:
        """open | filled → paused: no applications meanwhile."""
        return await self._move(opportunity_id, caller, now, "paused", ("open", "filled"))

    async def resume(self, opportunity_id: str, caller: Principal, now: datetime) -> OpportunityOut:
        """paused → open (filled when every place is taken)."""
        _doc, org = await self._writable(opportunity_id, caller)
        _require_publishing(org)
        to: Status = "filled" if await self._full(opportunity_id) else "open"
        return await self._move(opportunity_id, caller, now, to, ("paused",))

    async def close(self, opportunity_id: str, caller: Principal, now: datetime) -> OpportunityOut:
        """Any → closed by the organization: opportunity.closed (reason ``closed``)."""
        _doc, org = await self._writable(opportunity_id, caller)
        org_card = card(org)
        written = await self._write(
            opportunity_id, lambda d: plans.close(d, org_card, caller.user_id, now, "closed")
        )
        return await self._view(written.after(), org)

    async def close_due(self, now: datetime) -> int:
        """The periodic sweep: close every running opportunity past its deadline or last
        date (opportunity.closed, reason ``deadline`` or ``ended``); how many it closed."""
        closed = 0
        for opportunity_id in await self._store.due_to_close(now):
            try:
                closed += await self._close_due_one(opportunity_id, now)
            except WriteConflict:
                log.warning("opportunity changing concurrently; next round", id=opportunity_id)
        return closed

    async def repair_index(self, now: datetime) -> int:
        """The periodic loop's step: at startup, then hourly, rewrite what search's index holds
        wrong (a crash between a write and its rows, an organization hidden or shown since)."""
        if self._repaired_at is not None and now - self._repaired_at < REPAIR_EVERY:
            return 0
        self._repaired_at = now
        return await self._store.repair()

    async def forget(self, user_id: str) -> None:
        """A person left Jumo: the opportunities they created stay their organization's."""
        for opportunity_id in await self._store.ids_created_by(user_id):
            await self._store.change_opportunity(
                opportunity_id, lambda d: plans.forget_creator(d, user_id)
            )

    # ---- reading -----------------------------------------------------------------------------

    async def opportunity(self, opportunity_id: str, caller: Principal | None) -> OpportunityOut:
        """One opportunity with its remaining places, if the caller may see it."""
        doc, org = await self._visible(opportunity_id, caller)
        return await self._view(doc, org)

    async def org_page(
        self, org_ref: str, caller: Principal | None, status: Status | None, *, limit: int,
        cursor: str | None,
    ) -> tuple[list[OpportunityOut], str | None]:  # fmt: skip
        """One page of an organization's opportunities, newest first."""
        org = await self._deps.access.org(org_ref, caller)
        allowed = None if await self._is_own(org["_id"], caller) else PUBLIC_STATUSES
        statuses = _statuses(status, allowed)
        page = await self._store.org_opportunities(org["_id"], statuses, limit=limit, cursor=cursor)
        return [await self._view(d, org) for d in page.items], page.next_cursor

    # ---- helpers -----------------------------------------------------------------------------

    async def _visible(
        self, opportunity_id: str, caller: Principal | None
    ) -> tuple[Document, Document]:
        """The opportunity and its organization, as far as the caller may see them."""
        doc = await self._store.opportunity(opportunity_id)
        if doc is None:
            raise OpportunityNotFound("No such opportunity.")
        try:
            org = await self._deps.access.org(doc["org_id"], caller)
        except OrgNotFound:
            raise OpportunityNotFound("No such opportunity.") from None
        if doc["status"] == "draft" and not await self._is_own(org["_id"], caller):
            raise OpportunityNotFound("No such opportunity.")
        return doc, org

    async def _writable(self, opportunity_id: str, caller: Principal) -> tuple[Document, Document]:
        """The opportunity and its organization when the caller is an editor+ of it."""
        doc, org = await self._visible(opportunity_id, caller)
        await self._deps.access.require(org["_id"], caller, WRITERS)
        return doc, org

    async def _is_own(self, org_id: str, caller: Principal | None) -> bool:
        """Whether the caller is one of the organization's people, or a moderator."""
        access = self._deps.access
        if caller is None:
            return False
        return access.is_moderator(caller) or await access.role(org_id, caller.user_id) is not None

    async def _move(
        self, opportunity_id: str, caller: Principal, now: datetime, to: Status,
        allowed: tuple[Status, ...],
    ) -> OpportunityOut:  # fmt: skip
        _doc, org = await self._writable(opportunity_id, caller)
        org_card, action = card(org), {"paused": "paused"}.get(to, "resumed")
        written = await self._write(
            opportunity_id,
            lambda d: plans.set_status(d, to, allowed, org_card, caller.user_id, now, action),
        )
        return await self._view(written.after(), org)

    async def _internal(
        self, opportunity_id: str, to: Status, allowed: tuple[Status, ...], now: datetime
    ) -> bool:
        doc = await self._store.opportunity(opportunity_id)
        if doc is None or doc["status"] not in allowed:
            return False
        org = await self._deps.stores.orgs.org(doc["org_id"])
        org_card = card(org or {"_id": doc["org_id"], "slug": "", "name": "?"})

        def plan(d: Document) -> Any:
            if d["status"] not in allowed:
                return None
            return plans.set_status(d, to, allowed, org_card, None, now, to)

        written = await self._store.change_opportunity(opportunity_id, plan)
        return written is not None and written.change is not None

    async def _close_due_one(self, opportunity_id: str, now: datetime) -> int:
        doc = await self._store.opportunity(opportunity_id)
        org = await self._deps.stores.orgs.org(doc["org_id"]) if doc else None
        if doc is None or org is None:
            return 0

        def plan(d: Document) -> Any:
            if not is_due(d, now):
                return None
            reason: CloseReason = plans.close_reason(d, now)
            return plans.close(d, card(org), None, now, reason)

        written = await self._store.change_opportunity(opportunity_id, plan)
        return int(written is not None and written.change is not None)

    async def _full(self, opportunity_id: str) -> bool:
        opp = await self.get(opportunity_id)
        taken = await self.taken.taken(opportunity_id)
        return opp is not None and all(taken.get(s.id, 0) >= s.places for s in opp.slots)

    async def _write(self, opportunity_id: str, plan: Plan) -> Written:
        try:
            written = await self._store.change_opportunity(opportunity_id, plan)
        except WriteConflict:
            raise ChangingConcurrently("This opportunity is changing; try again.") from None
        if written is None:
            raise OpportunityNotFound("No such opportunity.")
        return written

    async def _tell_places_added(self, written: Written) -> None:
        if written.change is None or written.before is None:
            return
        after = written.after()
        opp = opportunity_of(after)
        for slot_id, added in plans.places_added(written.before, after):
            for observer in self.on_places_added:
                await observer(opp, slot_id, added)

    async def _view(self, doc: Document, org: Document) -> OpportunityOut:
        return view(doc, org, await self.taken.taken(doc["_id"]))


def _statuses(wanted: Status | None, allowed: tuple[Status, ...] | None) -> list[str] | None:
    if wanted is None:
        return list(allowed) if allowed is not None else None
    return [wanted] if allowed is None or wanted in allowed else []


def _require_publishing(org: Document) -> None:
    """Publishing needs a verified organization that no moderator has hidden."""
    if org.get("status") != "verified":
        raise OrgNotVerified("Only a verified organization publishes opportunities.")
    if org.get("hidden"):
        raise OrgIsHidden("A moderator hid this organization; it publishes nothing now.")
