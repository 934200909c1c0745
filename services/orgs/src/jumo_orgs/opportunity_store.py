"""Opportunities: the store's Protocol, its MongoDB implementation, its indexes.

Collections::

    opportunities   one per opportunity: _id (32 hex), org_id, status draft | open | paused |
                    filled | closed, the fields of ``opportunity_model.document_of`` (slots as
                    [{id, starts_at, ends_at, places}], the weekly pattern, place, questions,
                    ...), ``closes_at`` (the deadline or the end, whichever is first: what the
                    auto-close sweep selects by), ``created_by`` (the only personal value it
                    holds; erasure unsets it), ``version``; pending opportunity.* in _outbox.

Search reads its own index collection (``opportunity_search_store``), not this one: every
write here is followed by the sync of the opportunity's rows there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from jumo_common.events import Envelope
from jumo_common.mongo import (
    ASCENDING,
    DESCENDING,
    Collection,
    Database,
    Document,
    IndexSpec,
    PageResult,
    as_utc,
    find_page,
)
from jumo_common.outbox import Outbox, Plan, VersionedDocuments, Written
from jumo_orgs import opportunity_search_store
from jumo_orgs.opportunity_model import LIVE_STATUSES
from jumo_orgs.opportunity_search_store import MongoOpportunityIndex, OppQuery

INDEXES = (
    IndexSpec("opportunities", (("org_id", ASCENDING), ("created_at", DESCENDING))),
    IndexSpec("opportunities", (("status", ASCENDING), ("closes_at", ASCENDING))),
    IndexSpec("opportunities", (("created_by", ASCENDING),)),
    *opportunity_search_store.INDEXES,
)
OUTBOX_COLLECTIONS = ("opportunities",)
# An organization's list: newest first; _id breaks ties so that the order (and cursor) is unique.
NEWEST = (("created_at", DESCENDING), ("_id", DESCENDING))


def org_query(org_id: str, statuses: Sequence[str] | None) -> Document:
    """An organization's opportunities, of ``statuses`` only when given."""
    query: Document = {"org_id": org_id}
    if statuses is not None:
        query["status"] = {"$in": list(statuses)}
    return query


def is_due(doc: Mapping[str, Any], now: datetime) -> bool:
    """Whether a running opportunity is past its deadline or end."""
    closes_at = doc.get("closes_at")
    return (
        doc.get("status") in LIVE_STATUSES
        and closes_at is not None
        and as_utc(closes_at) <= as_utc(now)
    )


class OpportunityStore(Protocol):
    """What the use cases need of opportunities."""

    async def opportunity(self, opportunity_id: str) -> Document | None:
        """An opportunity by id."""
        ...

    async def opportunities(self, opportunity_ids: Sequence[str]) -> list[Document]:
        """The opportunities of these ids that exist (any order)."""
        ...

    async def create_opportunity(
        self, document: Mapping[str, Any], events: Sequence[Envelope[Any]]
    ) -> bool:
        """Insert a new opportunity with its events; False when its id is taken."""
        ...

    async def change_opportunity(self, opportunity_id: str, plan: Plan) -> Written | None:
        """Apply ``plan`` to an existing opportunity (None: there is none)."""
        ...

    async def org_opportunities(
        self, org_id: str, statuses: Sequence[str] | None, *, limit: int, cursor: str | None
    ) -> PageResult:
        """One page of an organization's opportunities (of ``statuses``), newest first."""
        ...

    async def due_to_close(self, now: datetime) -> list[str]:
        """The ids of running opportunities whose deadline or end is at or before ``now``."""
        ...

    async def ids_created_by(self, user_id: str) -> list[str]:
        """The ids of the opportunities a person created (their name is still on them)."""
        ...

    async def candidates(
        self, query: OppQuery, *, limit: int, now: datetime
    ) -> list[dict[str, Any]]:
        """Search: the payloads of open opportunities (of organizations visible when they were
        last written) matching ``query``, at most ``limit`` (``opportunity_search_store``)."""
        ...

    async def repair(self) -> int:
        """Rewrite what search's index holds wrong; how many opportunities."""
        ...


class MongoOpportunityStore:
    """``OpportunityStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.collection: Collection = db["opportunities"]
        self._docs = VersionedDocuments(self.collection, outbox, claims)
        self.index = MongoOpportunityIndex(db)

    async def opportunity(self, opportunity_id: str) -> Document | None:
        """An opportunity by id."""
        return await self._docs.get(opportunity_id)

    async def opportunities(self, opportunity_ids: Sequence[str]) -> list[Document]:
        """The opportunities of these ids that exist (any order)."""
        if not opportunity_ids:
            return []
        found = self.collection.find({"_id": {"$in": list(dict.fromkeys(opportunity_ids))}})
        return [doc async for doc in found]

    async def create_opportunity(
        self, document: Mapping[str, Any], events: Sequence[Envelope[Any]]
    ) -> bool:
        """Insert a new opportunity with its events; False when its id is taken."""
        created = await self._docs.create(document, events)
        if created:
            await self.index.sync(document["_id"])
        return created

    async def change_opportunity(self, opportunity_id: str, plan: Plan) -> Written | None:
        """Apply ``plan`` to an existing opportunity (None: there is none)."""
        written = await self._docs.change(opportunity_id, plan)
        if written is not None and written.change is not None:
            await self.index.sync(opportunity_id)
        return written

    async def org_opportunities(
        self, org_id: str, statuses: Sequence[str] | None, *, limit: int, cursor: str | None
    ) -> PageResult:
        """One page of an organization's opportunities (of ``statuses``), newest first."""
        query = org_query(org_id, statuses)
        return await find_page(self.collection, query, NEWEST, limit=limit, cursor=cursor)

    async def due_to_close(self, now: datetime) -> list[str]:
        """The ids of running opportunities whose deadline or end is at or before ``now``.

        One equality query per running status (what FerretDB pushes down), the time in Python.
        """
        ids: list[str] = []
        for status in LIVE_STATUSES:
            found = self.collection.find({"status": status}, {"status": 1, "closes_at": 1})
            ids += [doc["_id"] async for doc in found if is_due(doc, now)]
        return ids

    async def ids_created_by(self, user_id: str) -> list[str]:
        """The ids of the opportunities a person created (their name is still on them)."""
        found = self.collection.find({"created_by": user_id}, {"_id": 1})
        return [doc["_id"] async for doc in found]

    async def candidates(
        self, query: OppQuery, *, limit: int, now: datetime
    ) -> list[dict[str, Any]]:
        """Search: matching open opportunities' payloads, from the index."""
        return await self.index.candidates(query, limit=limit, now=now)

    async def repair(self) -> int:
        """Rewrite what search's index holds wrong; how many opportunities."""
        return await self.index.repair()
