"""``OpportunityStore`` in memory (the contract suite runs over it and the MongoDB one)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from jumo_common.events import Envelope
from jumo_common.mongo import Document, PageResult
from jumo_common.outbox import Plan, Written
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents, page_of
from jumo_orgs.opportunity_search_index import keys_of, listed, payload
from jumo_orgs.opportunity_search_store import OppQuery, access, listing_keys, matches
from jumo_orgs.opportunity_store import NEWEST, is_due


class MemoryOpportunityStore:
    """Opportunity documents in memory."""

    def __init__(self, published: PublishedEvents, orgs: MemoryDocuments | None = None) -> None:
        self.published = published
        self.docs = MemoryDocuments(published)
        self.orgs = orgs if orgs is not None else MemoryDocuments(published)

    async def opportunity(self, opportunity_id: str) -> Document | None:
        return await self.docs.get(opportunity_id)

    async def opportunities(self, opportunity_ids: Sequence[str]) -> list[Document]:
        found = [await self.docs.get(i) for i in dict.fromkeys(opportunity_ids)]
        return [doc for doc in found if doc is not None]

    async def create_opportunity(
        self, document: Mapping[str, Any], events: Sequence[Envelope[Any]]
    ) -> bool:
        return await self.docs.create(document, events)

    async def change_opportunity(self, opportunity_id: str, plan: Plan) -> Written | None:
        return await self.docs.change(opportunity_id, plan)

    async def org_opportunities(
        self, org_id: str, statuses: Sequence[str] | None, *, limit: int, cursor: str | None
    ) -> PageResult:
        found = [
            d for d in self.docs.documents.values()
            if d["org_id"] == org_id and (statuses is None or d["status"] in statuses)
        ]  # fmt: skip
        return page_of(found, NEWEST, limit=limit, cursor=cursor)

    async def due_to_close(self, now: datetime) -> list[str]:
        return [k for k, d in self.docs.documents.items() if is_due(d, now)]

    async def ids_created_by(self, user_id: str) -> list[str]:
        return [k for k, d in self.docs.documents.items() if d.get("created_by") == user_id]

    async def candidates(
        self, query: OppQuery, *, limit: int, now: datetime
    ) -> list[dict[str, Any]]:
        found = []
        window = set(listing_keys(query, now)) if access(query) is None else None
        for doc in self.docs.documents.values():
            org = self.orgs.documents.get(doc["org_id"])
            if not listed(doc, org) or org is None or not matches(p := payload(doc, org), query):
                continue
            if window is None or window & set(keys_of(p)):  # a listing reads those keys only
                found.append(p)
        return sorted(found, key=lambda p: p["_id"])[:limit]

    async def repair(self) -> int:
        return 0  # computed at each query: nothing to repair
