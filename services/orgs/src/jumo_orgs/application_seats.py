"""The seats of applications: taking one to accept, freeing it (and promoting the next
waiting), repairing what a crash left, and telling the opportunities area when a slot is full.

Order of writes, so that a crash leaves nothing oversold and nothing stuck: accepting claims
the seat first, then writes the application (a seat whose application never became accepted
is an orphan that ``repair`` frees once stale); freeing writes the application first, then
deletes the seat, then promotes (a crash before the promotion is caught up by the timer step
``Applications.promote_waiting``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from jumo_common.logging import get_logger
from jumo_common.mongo import STALE_CLAIM, Document, as_utc
from jumo_common.outbox import WriteConflict, Written
from jumo_orgs import application_rules as rules
from jumo_orgs.application_store import ApplicationStore
from jumo_orgs.opportunity_model import Opportunity
from jumo_orgs.places import Places
from jumo_orgs.waitlist import Waitlist, holder_of

# A seat older than this whose application does not hold it is an orphan (a write takes less).
ORPHAN_AFTER = timedelta(seconds=STALE_CLAIM.total_seconds() * 3)
log = get_logger(__name__)


class OpportunitySource(Protocol):
    """What applications read of the opportunities area (``Opportunities``)."""

    async def get(self, opportunity_id: str) -> Opportunity | None:
        """An opportunity by id, in any status."""
        ...

    async def get_many(self, opportunity_ids: Sequence[str]) -> dict[str, Opportunity]:
        """The opportunities of these ids that exist, by id."""
        ...

    async def mark_filled(self, opportunity_id: str, now: datetime) -> bool:
        """open → filled: every place is taken."""
        ...

    async def mark_unfilled(self, opportunity_id: str, now: datetime) -> bool:
        """filled → open: a place is free."""
        ...


class Seating:
    """Seats taken and freed around the applications' writes."""

    def __init__(
        self, store: ApplicationStore, places: Places, waitlist: Waitlist,
        opportunities: OpportunitySource,
    ) -> None:  # fmt: skip
        self._store = store
        self.places = places
        self.waitlist = waitlist
        self._opps = opportunities

    async def places_changed(self, opp: Opportunity, slot_id: str, now: datetime) -> list[str]:
        """A slot may have free places (more places, a free): the first waiting get them."""
        await self.repair(opp, slot_id, now)
        promoted = await self.waitlist.promote(opp, slot_id, now)
        await self.mark(opp, now)
        return promoted

    async def seat(self, doc: Document, opp: Opportunity, now: datetime) -> str:
        """A free place of the application's slot for it (orphans freed first when the slot
        looks full); NoPlacesLeft when every place is someone's."""
        slot = opp.slot(doc["slot_id"])
        places = slot.places if slot is not None else 0
        seat = await self.places.claim(holder_of(doc), places, now)
        if seat is None and await self.repair(opp, doc["slot_id"], now):
            seat = await self.places.claim(holder_of(doc), places, now)
        if seat is None:
            raise rules.NoPlacesLeft("Every place of this slot is taken.")
        return seat

    async def repair(self, opp: Opportunity, slot_id: str, now: datetime) -> int:
        """Free the slot's orphan seats: held by an application that is not accepted on them,
        older than a write takes (a crash between the seat and the application's write)."""
        freed = 0
        for seat in await self.places.seats(opp.id, slot_id):
            if now - as_utc(seat["at"]) < ORPHAN_AFTER:
                continue
            holder = await self._store.application(seat["application_id"])
            if holder is None or holder.get("seat_id") != seat["_id"]:
                freed += await self.places.release(seat["_id"], seat["application_id"])
        return freed

    async def freed(self, written: Written, opp: Opportunity, now: datetime) -> None:
        """After a write that may have freed a place: delete its seat, promote the next."""
        before = written.before or {}
        if written.change is None or not before.get("seat_id"):
            return
        await self.places.release(before["seat_id"], before["_id"])
        await self.waitlist.promote(opp, before["slot_id"], now)
        await self.mark(opp, now)

    async def mark(self, opp: Opportunity, now: datetime) -> None:
        """Tell the opportunities area whether every place is taken now (``filled``).

        It follows a write that is done (an acceptance, a freed place): losing too many races
        for the opportunity here must not turn that write's answer into an error. The places
        themselves are exact either way (each seat is an exclusive insert); the next change of
        a seat marks the status again."""
        taken = await self.places.taken(opp.id)
        full = all(taken.get(slot.id, 0) >= slot.places for slot in opp.slots)
        try:
            if full and opp.status == "open":
                await self._opps.mark_filled(opp.id, now)
            elif not full and opp.status == "filled":
                await self._opps.mark_unfilled(opp.id, now)
        except WriteConflict:
            log.warning("opportunity changing concurrently; filled not marked", id=opp.id)
