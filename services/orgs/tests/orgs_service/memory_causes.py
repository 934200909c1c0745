"""``CauseStore`` in memory (the contract suite runs over it and the MongoDB one).

It reads the organizations of the memory ``OrgStore`` it is given, as ``MongoCauseStore``
reads the ``orgs`` collection: by the listed fields, verified and not hidden ones only.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Sequence

from jumo_common.mongo import Document, PageResult
from jumo_common.outbox import UpsertPlan, Written
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents, page_of
from jumo_orgs.cause_store import ORG_FIELDS, ORG_PAGE_SORT, membership_key

from .memory_orgs import MemoryOrgStore


def visible_org(org: Document) -> bool:
    """What the MongoDB store's ``VISIBLE_ORG`` filter keeps."""
    return org.get("status") == "verified" and org.get("hidden") is not True


class MemoryCauseStore:
    """Cause memberships in memory."""

    def __init__(self, published: PublishedEvents, orgs: MemoryOrgStore | None = None) -> None:
        self.published = published
        self.members = MemoryDocuments(published)
        self.orgs = orgs if orgs is not None else MemoryOrgStore(published)

    async def membership(self, cause: str, user_id: str) -> Document | None:
        return await self.members.get(membership_key(cause, user_id))

    async def change_membership(self, cause: str, user_id: str, plan: UpsertPlan) -> Written:
        return await self.members.upsert(membership_key(cause, user_id), plan)

    async def member_counts(self) -> dict[str, int]:
        return dict(Counter(d["cause"] for d in self._active()))

    async def distinct_members(self, causes: Sequence[str]) -> int:
        return len({d["user_id"] for d in self._active() if d["cause"] in causes})

    async def org_counts(self) -> dict[str, int]:
        return dict(Counter(cause for org in self._visible_orgs() for cause in org["causes"]))

    async def count_orgs(self, causes: Sequence[str]) -> int:
        return len(self._orgs_of(causes))

    async def org_page(
        self, causes: Sequence[str], *, limit: int, cursor: str | None
    ) -> PageResult:
        projected = [{k: v for k, v in o.items() if k in ORG_FIELDS} for o in self._orgs_of(causes)]
        return page_of(projected, ORG_PAGE_SORT, limit=limit, cursor=cursor)

    async def memberships_of(self, user_id: str) -> list[Document]:
        mine = sorted((d for d in self._active() if d["user_id"] == user_id), key=_id_of)
        mine.sort(key=lambda d: d["since"], reverse=True)
        return copy.deepcopy(mine)

    async def every_membership_of(self, user_id: str) -> list[Document]:
        docs = self.members.documents.values()
        return [
            copy.deepcopy(d) for d in docs if d.get("user_id") == user_id and not d.get("deleted")
        ]

    async def purge_forgotten(self, user_id: str | None = None) -> int:
        # Every event is published at once here, so every tombstone is done with.
        gone = [
            key for key, d in self.members.documents.items()
            if d.get("deleted") and user_id in (None, d.get("user_id"))
        ]  # fmt: skip
        for key in gone:
            del self.members.documents[key]
        return len(gone)

    def _active(self) -> list[Document]:
        return [d for d in self.members.documents.values() if d.get("active")]

    def _visible_orgs(self) -> list[Document]:
        return [o for o in self.orgs.orgs.documents.values() if visible_org(o)]

    def _orgs_of(self, causes: Sequence[str]) -> list[Document]:
        return [o for o in self._visible_orgs() if set(o.get("causes", ())) & set(causes)]


def _id_of(doc: Document) -> str:
    return str(doc["_id"])
