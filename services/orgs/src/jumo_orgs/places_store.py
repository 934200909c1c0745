"""Seats: the places of an opportunity's slot, each claimed by one exclusive insert.

Collection::

    seats    {_id: "<opportunity>:<slot>:<n>" (n in 1..places), opportunity_id, slot_id, n,
              org_id, application_id, volunteer_id, at}: the accepted application holding
              place n of the slot.

A place is taken by inserting its seat (``insert_once``: exactly one of any number of
concurrent accepts wins seat n, on FerretDB as on MongoDB) and freed by deleting it; the
places taken are counted from the seats, never kept with ``$inc``. So a slot is never
oversold whatever the concurrency, and the count is exact at every read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from jumo_common.mongo import ASCENDING, Collection, Database, Document, IndexSpec, insert_once
from jumo_common.outbox import Outbox

INDEXES = (
    IndexSpec("seats", (("opportunity_id", ASCENDING), ("slot_id", ASCENDING))),
    IndexSpec("seats", (("volunteer_id", ASCENDING),)),
    IndexSpec("seats", (("org_id", ASCENDING),)),
)
OUTBOX_COLLECTIONS: tuple[str, ...] = ()


def seat_key(opportunity_id: str, slot_id: str, n: int) -> str:
    """The _id of place ``n`` of a slot."""
    return f"{opportunity_id}:{slot_id}:{n}"


class SeatStore(Protocol):
    """What the places need of the seats."""

    async def take(self, seat: Document) -> bool:
        """Insert a seat; False when that place is someone's already."""
        ...

    async def seats(self, opportunity_id: str, slot_id: str) -> list[Document]:
        """The seats of a slot, by number."""
        ...

    async def release(self, seat_id: str, application_id: str) -> bool:
        """Delete a seat if this application holds it; False otherwise."""
        ...

    async def taken(self, opportunity_id: str) -> dict[str, int]:
        """How many places of each slot of an opportunity are taken (counted)."""
        ...

    async def taken_among(self, opportunity_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        """``taken`` of several opportunities at once: opportunity → slot → places taken."""
        ...

    async def of_volunteer(self, volunteer_id: str) -> list[Document]:
        """Every seat a person holds."""
        ...


class MongoSeatStore:
    """``SeatStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.seats_: Collection = db["seats"]

    async def take(self, seat: Document) -> bool:
        """Insert a seat; False when that place is someone's already."""
        return await insert_once(self.seats_, seat)

    async def seats(self, opportunity_id: str, slot_id: str) -> list[Document]:
        """The seats of a slot, by number."""
        found = self.seats_.find({"opportunity_id": opportunity_id, "slot_id": slot_id})
        return sorted(await found.to_list(None), key=lambda s: int(s["n"]))

    async def release(self, seat_id: str, application_id: str) -> bool:
        """Delete a seat if this application holds it; False otherwise."""
        result = await self.seats_.delete_one({"_id": seat_id, "application_id": application_id})
        return result.deleted_count == 1

    async def taken(self, opportunity_id: str) -> dict[str, int]:
        """How many places of each slot of an opportunity are taken (counted)."""
        return (await self.taken_among([opportunity_id])).get(opportunity_id, {})

    async def taken_among(self, opportunity_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        """``taken`` of several opportunities at once: opportunity → slot → places taken."""
        # Counted in code from the seats' two ids (a slot has at most its places of them).
        match = {"opportunity_id": {"$in": list(opportunity_ids)}}
        counts: dict[str, dict[str, int]] = {}
        async for seat in self.seats_.find(match, {"opportunity_id": 1, "slot_id": 1}):
            slots = counts.setdefault(seat["opportunity_id"], {})
            slots[seat["slot_id"]] = slots.get(seat["slot_id"], 0) + 1
        return counts

    async def of_volunteer(self, volunteer_id: str) -> list[Document]:
        """Every seat a person holds."""
        return await self.seats_.find({"volunteer_id": volunteer_id}).to_list(None)
