"""The waiting list of a slot, and promotion when a place frees.

The list is the slot's ``waitlisted`` applications by (waitlisting time, id)
(``application_store.WAITING``). ``Waitlist.promote`` gives free places to the first waiting,
in that order, until the list or the places run out: claim a seat (the exclusive insert
decides), then turn the application into ``accepted`` (application.promoted). When that
application moved on meanwhile (it withdrew, the organization declined it), the seat goes back
and the next one is tried. So promotion is idempotent (run it again: nobody is promoted twice,
a full slot promotes nobody) and two frees racing promote two people, never one twice: each
promoter holds its own seat, and of two promoters writing one application one wins the
version and the other gives its seat to the next person.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from jumo_common.mongo import Document
from jumo_common.outbox import WriteConflict
from jumo_orgs import application_plans as plans
from jumo_orgs.application_plans import Notice
from jumo_orgs.application_store import ApplicationStore
from jumo_orgs.opportunity_model import LIVE_STATUSES, Opportunity
from jumo_orgs.places import Holder, Places

NoticeOf = Callable[[Opportunity], Awaitable[Notice]]


def holder_of(doc: Document) -> Holder:
    """The seat holder an application would be."""
    return Holder(application_id=doc["_id"], volunteer_id=doc["volunteer_id"],
                  opportunity_id=doc["opportunity_id"], slot_id=doc["slot_id"],
                  org_id=doc["org_id"])  # fmt: skip


def position(waiting: list[Document], application_id: str) -> int | None:
    """An application's place in line (1: next), None when it is not waiting."""
    ids = [doc["_id"] for doc in waiting]
    return ids.index(application_id) + 1 if application_id in ids else None


class Waitlist:
    """Promotion from a slot's waiting list."""

    def __init__(self, store: ApplicationStore, places: Places, notice_of: NoticeOf) -> None:
        self._store = store
        self._places = places
        self._notice_of = notice_of

    async def waiting(self, opportunity_id: str, slot_id: str) -> list[Document]:
        """A slot's waiting list, first in line first."""
        return await self._store.waiting(opportunity_id, slot_id)

    async def promote(self, opp: Opportunity, slot_id: str, now: datetime) -> list[str]:
        """Give the slot's free places to the first waiting, in order; the ids promoted."""
        slot = opp.slot(slot_id)
        if slot is None or opp.status not in LIVE_STATUSES:
            return []
        notice, promoted = await self._notice_of(opp), []
        tried: set[str] = set()  # an application that moved on is not read again
        while waiting := [d for d in await self.waiting(opp.id, slot_id) if d["_id"] not in tried]:
            first = waiting[0]
            seat = await self._places.claim(holder_of(first), slot.places, now)
            if seat is None:
                break
            outcome = await self._take(first["_id"], seat, now, notice)
            if outcome == "promoted":
                promoted.append(first["_id"])
                continue
            await self._places.release(seat, first["_id"])
            if outcome == "busy":
                break  # keep the order: the next round (or the next free) tries it again
            tried.add(first["_id"])
        return promoted

    async def _take(self, application_id: str, seat: str, now: datetime, notice: Notice) -> str:
        try:
            written = await self._store.change(
                application_id, lambda d: plans.promote(d, seat, now, notice)
            )
        except WriteConflict:
            return "busy"
        return "promoted" if written is not None and written.change is not None else "moved_on"
