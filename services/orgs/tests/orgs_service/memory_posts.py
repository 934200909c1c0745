"""``PostStore`` in memory (the contract suite runs over it and the MongoDB one)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jumo_common.events import Envelope
from jumo_common.mongo import Document, PageResult
from jumo_common.outbox import Plan, Written
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents, page_of
from jumo_orgs.post_store import NEWEST, listed


def matches(doc: Mapping[str, Any], query: Mapping[str, Any]) -> bool:
    """Whether ``doc`` has every field of an equality-only ``query``."""
    return all(doc.get(name) == value for name, value in query.items())


class MemoryPostStore:
    """Post documents in memory."""

    def __init__(self, published: PublishedEvents) -> None:
        self.published = published
        self.posts = MemoryDocuments(published)

    async def post(self, post_id: str) -> Document | None:
        return await self.posts.get(post_id)

    async def create_post(
        self, document: Mapping[str, Any], events: Sequence[Envelope[Any]]
    ) -> bool:
        return await self.posts.create(document, events)

    async def change_post(self, post_id: str, plan: Plan) -> Written | None:
        return await self.posts.change(post_id, plan)

    async def org_posts(self, org_id: str, *, limit: int, cursor: str | None) -> PageResult:
        query = listed(org_id)
        found = [d for d in self.posts.documents.values() if matches(d, query)]
        return page_of(found, NEWEST, limit=limit, cursor=cursor)

    async def post_ids_by(self, author_id: str) -> list[str]:
        return [k for k, d in self.posts.documents.items() if d.get("author_id") == author_id]
