"""``OrgStore`` in memory (the contract suite runs over it and the MongoDB one)."""

from __future__ import annotations

import copy

from jumo_common.mongo import Document
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents
from jumo_orgs.org_store import member_key


class MemoryOrgStore:
    """Organizations and their people in memory."""

    def __init__(self, published: PublishedEvents) -> None:
        self.orgs = MemoryDocuments(published, unique=("slug",))
        self.members = MemoryDocuments(published)

    async def org(self, org_id: str) -> Document | None:
        return await self.orgs.get(org_id)

    async def org_by_slug(self, slug: str) -> Document | None:
        found = [d for d in self.orgs.documents.values() if d.get("slug") == slug]
        return copy.deepcopy(found[0]) if found else None

    async def member(self, org_id: str, user_id: str) -> Document | None:
        return await self.members.get(member_key(org_id, user_id))
