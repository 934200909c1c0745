"""The places of an opportunity's slots: taken by claiming a seat, freed by deleting it.

``Places.claim`` tries the slot's free seat numbers in order until one exclusive insert wins
(``places_store``): of any number of concurrent accepts for the last place exactly one gets
it. ``Places.taken`` is what the opportunities area shows as remaining places (its
``TakenPlaces``): the seats counted. Nothing here knows about applications beyond the id a seat
holds; the lifecycle (``applications``) decides who claims and who frees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from jumo_common.mongo import Document
from jumo_orgs.places_store import SeatStore, seat_key


@dataclass(frozen=True)
class Holder:
    """Who would hold a seat: an application of a volunteer, on a slot of an opportunity."""

    application_id: str
    volunteer_id: str
    opportunity_id: str
    slot_id: str
    org_id: str


def seat_document(holder: Holder, n: int, at: datetime) -> Document:
    """Seat ``n`` of the holder's slot, held by its application."""
    return {"_id": seat_key(holder.opportunity_id, holder.slot_id, n), "n": n,
            "opportunity_id": holder.opportunity_id, "slot_id": holder.slot_id,
            "org_id": holder.org_id, "application_id": holder.application_id,
            "volunteer_id": holder.volunteer_id, "at": at}  # fmt: skip


def free_numbers(places: int, seats: Sequence[Document]) -> list[int]:
    """The seat numbers of 1..places nobody holds, lowest first."""
    held = {int(seat["n"]) for seat in seats}
    return [n for n in range(1, places + 1) if n not in held]


class Places:
    """Seats of slots: claim, release, count."""

    def __init__(self, store: SeatStore) -> None:
        self._store = store

    async def claim(self, holder: Holder, places: int, at: datetime) -> str | None:
        """Claim a free place of the holder's slot: the seat's id, or None when the slot is
        full (every seat of 1..places is someone's)."""
        seats = await self._store.seats(holder.opportunity_id, holder.slot_id)
        for n in free_numbers(places, seats):
            seat = seat_document(holder, n, at)
            if await self._store.take(seat):
                return str(seat["_id"])
        return None

    async def release(self, seat_id: str, application_id: str) -> bool:
        """Free a place (only its holder's application frees it); False when it was not held."""
        return await self._store.release(seat_id, application_id)

    async def seats(self, opportunity_id: str, slot_id: str) -> list[Document]:
        """The seats of a slot."""
        return await self._store.seats(opportunity_id, slot_id)

    async def taken(self, opportunity_id: str) -> dict[str, int]:
        """Places taken per slot of an opportunity (slot id → count; absent: none)."""
        return await self._store.taken(opportunity_id)

    async def taken_among(self, opportunity_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        """``taken`` of several opportunities (a search page) in one read."""
        return await self._store.taken_among(opportunity_ids)

    async def held_by(self, volunteer_id: str) -> list[Document]:
        """Every seat a person holds (erasure frees them)."""
        return await self._store.of_volunteer(volunteer_id)
