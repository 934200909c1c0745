"""Organizations' news: the store's Protocol, its MongoDB implementation, its indexes.

Collections::

    posts   one per post: {_id: 32 hex, org_id, author_id, title, body, link {kind, id} | null,
            important, state published | deleted, hidden, created_at, updated_at, version};
            pending post.* in _outbox. A deleted post is a tombstone {_id, org_id, state:
            "deleted", version} that keeps nothing it said (nor who wrote it): it stays only
            to carry post.deleted to the relay and to keep its version growing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    find_page,
)
from jumo_common.outbox import Outbox, Plan, VersionedDocuments, Written

INDEXES = (
    IndexSpec("posts", (("org_id", ASCENDING), ("created_at", DESCENDING))),
    IndexSpec("posts", (("author_id", ASCENDING),)),
)
OUTBOX_COLLECTIONS = ("posts",)
# Newest first; _id breaks ties so that the order (and the cursor) is unique.
NEWEST = (("created_at", DESCENDING), ("_id", DESCENDING))


def listed(org_id: str) -> Document:
    """The posts an organization's list shows: published and not hidden."""
    return {"org_id": org_id, "state": "published", "hidden": False}


class PostStore(Protocol):
    """What the use cases need of posts."""

    async def post(self, post_id: str) -> Document | None:
        """A post (a tombstone too) by id."""
        ...

    async def create_post(
        self, document: Mapping[str, Any], events: Sequence[Envelope[Any]]
    ) -> bool:
        """Insert a new post with its events; False when its id is taken."""
        ...

    async def change_post(self, post_id: str, plan: Plan) -> Written | None:
        """Apply ``plan`` to an existing post (None: there is none)."""
        ...

    async def org_posts(self, org_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """One page of an organization's listed posts, newest first."""
        ...

    async def post_ids_by(self, author_id: str) -> list[str]:
        """The ids of every post a person wrote (their authorship is still recorded)."""
        ...


class MongoPostStore:
    """``PostStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.posts: Collection = db["posts"]
        self._posts = VersionedDocuments(self.posts, outbox, claims)

    async def post(self, post_id: str) -> Document | None:
        """A post (a tombstone too) by id."""
        return await self._posts.get(post_id)

    async def create_post(
        self, document: Mapping[str, Any], events: Sequence[Envelope[Any]]
    ) -> bool:
        """Insert a new post with its events; False when its id is taken."""
        return await self._posts.create(document, events)

    async def change_post(self, post_id: str, plan: Plan) -> Written | None:
        """Apply ``plan`` to an existing post (None: there is none)."""
        return await self._posts.change(post_id, plan)

    async def org_posts(self, org_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """One page of an organization's listed posts, newest first."""
        return await find_page(self.posts, listed(org_id), NEWEST, limit=limit, cursor=cursor)

    async def post_ids_by(self, author_id: str) -> list[str]:
        """The ids of every post a person wrote (their authorship is still recorded)."""
        return [doc["_id"] async for doc in self.posts.find({"author_id": author_id}, {"_id": 1})]
