"""``OrgStore`` in memory (the contract suite runs over it and the MongoDB one)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from jumo_common.events import Envelope
from jumo_common.mongo import Document, PageResult
from jumo_common.outbox import Plan, UpsertPlan, Written
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents, page_of
from jumo_orgs.org_store import (
    INVITATIONS_SORT,
    MEMBERS_SORT,
    MY_CLAIMS_SORT,
    OPEN_CLAIMS_SORT,
    PENDING_SORT,
    member_key,
)


def _where(documents: MemoryDocuments, **query: Any) -> list[Document]:
    return [d for d in documents.documents.values() if all(d.get(k) == v for k, v in query.items())]


class MemoryOrgStore:
    """Organizations, their people and claims in memory."""

    def __init__(self, published: PublishedEvents) -> None:
        self.orgs = MemoryDocuments(published, unique=("slug",))
        self.members = MemoryDocuments(published)
        self.claims = MemoryDocuments(published)

    async def org(self, org_id: str) -> Document | None:
        return await self.orgs.get(org_id)

    async def org_by_slug(self, slug: str) -> Document | None:
        found = _where(self.orgs, slug=slug)
        return copy.deepcopy(found[0]) if found else None

    async def create_org(
        self, document: Mapping[str, Any], events: Sequence[Envelope[Any]]
    ) -> bool:
        return await self.orgs.create(document, events)

    async def change_org(self, org_id: str, plan: Plan) -> Written | None:
        return await self.orgs.change(org_id, plan)

    async def pending_page(self, *, limit: int, cursor: str | None) -> PageResult:
        return page_of(
            _where(self.orgs, status="pending"), PENDING_SORT, limit=limit, cursor=cursor
        )

    async def orgs_created_by(self, user_id: str) -> list[str]:
        return [d["_id"] for d in _where(self.orgs, created_by=user_id)]

    async def member(self, org_id: str, user_id: str) -> Document | None:
        return await self.members.get(member_key(org_id, user_id))

    async def change_member(self, org_id: str, user_id: str, plan: UpsertPlan) -> Written:
        return await self.members.upsert(member_key(org_id, user_id), plan)

    async def members_page(
        self, org_id: str, state: str, *, limit: int, cursor: str | None
    ) -> PageResult:
        found = _where(self.members, org_id=org_id, state=state)
        return page_of(found, MEMBERS_SORT, limit=limit, cursor=cursor)

    async def count_members(self, org_id: str) -> int:
        return len(_where(self.members, org_id=org_id, state="active"))

    async def memberships_of(self, user_id: str) -> list[Document]:
        found = _where(self.members, user_id=user_id)
        return [copy.deepcopy(d) for d in found if d.get("state") in ("active", "invited")]

    async def invitations_of(self, user_id: str, *, limit: int, cursor: str | None) -> PageResult:
        found = _where(self.members, user_id=user_id, state="invited")
        return page_of(found, INVITATIONS_SORT, limit=limit, cursor=cursor)

    async def claim(self, claim_id: str) -> Document | None:
        return await self.claims.get(claim_id)

    async def change_claim(self, claim_id: str, plan: UpsertPlan) -> Written:
        return await self.claims.upsert(claim_id, plan)

    async def open_claims_page(self, *, limit: int, cursor: str | None) -> PageResult:
        found = _where(self.claims, state="open")
        return page_of(found, OPEN_CLAIMS_SORT, limit=limit, cursor=cursor)

    async def claims_of(self, user_id: str, *, limit: int, cursor: str | None) -> PageResult:
        found = _where(self.claims, user_id=user_id)
        return page_of(found, MY_CLAIMS_SORT, limit=limit, cursor=cursor)

    async def delete_claims_of(self, user_id: str) -> None:
        for doc in _where(self.claims, user_id=user_id):
            del self.claims.documents[doc["_id"]]
