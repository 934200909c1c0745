"""``ApplicationStore`` and ``SeatStore`` in memory (the contract suites run over them and the
MongoDB ones)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from jumo_common.mongo import Document, PageResult, as_utc
from jumo_common.outbox import Plan, Written
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents, page_of, stored
from jumo_orgs.application_store import NEWEST, WAITING, mine_filter, slot_key


def matches(doc: Mapping[str, Any], query: Mapping[str, Any]) -> bool:
    """Whether ``doc`` matches a query of equalities and ``$ne``."""
    for name, wanted in query.items():
        if isinstance(wanted, Mapping) and "$ne" in wanted:
            if doc.get(name) == wanted["$ne"]:
                return False
        elif doc.get(name) != wanted:
            return False
    return True


class MemoryApplicationStore:
    """Applications and their claims in memory."""

    def __init__(self, published: PublishedEvents) -> None:
        self.published = published
        self.docs = MemoryDocuments(published)
        self.claims: dict[str, Document] = {}

    def _found(self, query: Mapping[str, Any]) -> list[Document]:
        return [d for d in self.docs.documents.values() if matches(d, query)]

    async def application(self, application_id: str) -> Document | None:
        return await self.docs.get(application_id)

    async def create(self, doc: Document, plan: Plan) -> Written | None:
        written = await self.docs.upsert(doc["_id"], lambda found: None if found else plan(doc))
        return written if written.change is not None else None

    async def change(self, application_id: str, plan: Plan) -> Written | None:
        return await self.docs.change(application_id, plan)

    async def claim(self, key: str, application_id: str, volunteer_id: str, at: datetime) -> bool:
        if key in self.claims:
            return False
        self.claims[key] = stored({"_id": key, "application_id": application_id,
                                   "volunteer_id": volunteer_id, "at": at})  # fmt: skip
        return True

    async def claim_of(self, key: str) -> Document | None:
        return copy.deepcopy(self.claims.get(key))

    async def release_claim(self, key: str, application_id: str) -> bool:
        claim = self.claims.get(key)
        if claim is None or claim["application_id"] != application_id:
            return False
        del self.claims[key]
        return True

    async def forget_claims(self, volunteer_id: str) -> None:
        self.claims = {k: c for k, c in self.claims.items() if c["volunteer_id"] != volunteer_id}

    async def mine(
        self, volunteer_id: str, status: str | None, *, limit: int, cursor: str | None
    ) -> PageResult:
        found = self._found(mine_filter(volunteer_id, status))
        return page_of(found, NEWEST, limit=limit, cursor=cursor)

    async def of_org(self, query: Document, *, limit: int, cursor: str | None) -> PageResult:
        return page_of(self._found(query), NEWEST, limit=limit, cursor=cursor)

    async def waiting(self, opportunity_id: str, slot_id: str) -> list[Document]:
        query = {"slot_key": slot_key(opportunity_id, slot_id), "status": "waitlisted"}
        return page_of(self._found(query), WAITING, limit=10**6).items

    async def due(self, now: datetime, limit: int) -> list[str]:
        found = [d for d in self._found({"status": "pending"})
                 if d.get("expires_at") and as_utc(d["expires_at"]) <= now]  # fmt: skip
        found.sort(key=lambda d: as_utc(d["expires_at"]))
        return [d["_id"] for d in found[:limit]]

    async def ids_of(self, volunteer_id: str) -> list[str]:
        return [d["_id"] for d in self._found({"volunteer_id": volunteer_id})]

    async def all_of(self, field: str, value: str) -> list[Document]:
        return copy.deepcopy(self._found({field: value}))


class MemorySeatStore:
    """Seats in memory."""

    def __init__(self) -> None:
        self.seats_: dict[str, Document] = {}

    async def take(self, seat: Document) -> bool:
        if seat["_id"] in self.seats_:
            return False
        self.seats_[seat["_id"]] = stored(seat)
        return True

    async def seats(self, opportunity_id: str, slot_id: str) -> list[Document]:
        found = [s for s in self.seats_.values()
                 if (s["opportunity_id"], s["slot_id"]) == (opportunity_id, slot_id)]  # fmt: skip
        return copy.deepcopy(sorted(found, key=lambda s: int(s["n"])))

    async def release(self, seat_id: str, application_id: str) -> bool:
        seat = self.seats_.get(seat_id)
        if seat is None or seat["application_id"] != application_id:
            return False
        del self.seats_[seat_id]
        return True

    async def taken(self, opportunity_id: str) -> dict[str, int]:
        return (await self.taken_among([opportunity_id])).get(opportunity_id, {})

    async def taken_among(self, opportunity_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for seat in self.seats_.values():
            if seat["opportunity_id"] in opportunity_ids:
                slots = counts.setdefault(seat["opportunity_id"], {})
                slots[seat["slot_id"]] = slots.get(seat["slot_id"], 0) + 1
        return counts

    async def of_volunteer(self, volunteer_id: str) -> list[Document]:
        return copy.deepcopy([s for s in self.seats_.values() if s["volunteer_id"] == volunteer_id])
