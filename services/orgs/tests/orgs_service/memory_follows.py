"""``FollowStore`` in memory (the contract suite runs over it and the MongoDB one).

It reads the organizations of the memory ``OrgStore`` it is given, as ``MongoFollowStore``
reads the ``orgs`` collection: by id, card fields only.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from jumo_common.mongo import Document, PageResult
from jumo_common.outbox import UpsertPlan, Written
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents, page_of
from jumo_orgs.follow_store import CARD_FIELDS, FOLLOW_PAGE_SORT, follow_key

from .memory_orgs import MemoryOrgStore


class MemoryFollowStore:
    """Follow documents in memory."""

    def __init__(self, published: PublishedEvents, orgs: MemoryOrgStore | None = None) -> None:
        self.published = published
        self.follows = MemoryDocuments(published)
        self.orgs_store = orgs if orgs is not None else MemoryOrgStore(published)

    async def follow(self, user_id: str, org_id: str) -> Document | None:
        return await self.follows.get(follow_key(user_id, org_id))

    async def change_follow(self, user_id: str, org_id: str, plan: UpsertPlan) -> Written:
        return await self.follows.upsert(follow_key(user_id, org_id), plan)

    async def following_page(self, user_id: str, *, limit: int, cursor: str | None) -> PageResult:
        mine = [d for d in self._active() if d["user_id"] == user_id]
        return page_of(mine, FOLLOW_PAGE_SORT, limit=limit, cursor=cursor)

    async def followers_page(self, org_id: str, *, limit: int, cursor: str | None) -> PageResult:
        theirs = [d for d in self._active() if d["org_id"] == org_id]
        return page_of(theirs, FOLLOW_PAGE_SORT, limit=limit, cursor=cursor)

    async def count_followers(self, org_id: str) -> int:
        return sum(1 for d in self._active() if d["org_id"] == org_id)

    async def orgs(self, org_ids: Sequence[str]) -> dict[str, Document]:
        docs = self.orgs_store.orgs.documents
        return {
            i: {k: v for k, v in copy.deepcopy(docs[i]).items() if k in CARD_FIELDS}
            for i in org_ids
            if i in docs
        }

    async def every_follow_of(self, user_id: str) -> list[Document]:
        docs = self.follows.documents.values()
        return [
            copy.deepcopy(d) for d in docs if d.get("user_id") == user_id and not d.get("deleted")
        ]

    async def purge_forgotten(self, user_id: str | None = None) -> int:
        # Every event is published at once here, so every tombstone is done with.
        gone = [
            key for key, d in self.follows.documents.items()
            if d.get("deleted") and user_id in (None, d.get("user_id"))
        ]  # fmt: skip
        for key in gone:
            del self.follows.documents[key]
        return len(gone)

    def _active(self) -> list[Document]:
        return [d for d in self.follows.documents.values() if d.get("active")]
