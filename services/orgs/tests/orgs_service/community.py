"""What the news and reviews tests share: organizations and their people as the organizations
area stores them (inserted directly, in memory or in the test's database), callers, blocks.

The shapes are those ``Access`` reads: an organization ``{_id, slug, name, status, …}`` and a
membership ``{_id: "<org>:<user>", org_id, user_id, role, state: "active"}``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jumo_common.jwt import Principal
from jumo_common.mongo import MONGO_DB, Database, Document
from jumo_common.testing.memory import PublishedEvents
from jumo_common.testing.tokens import TestKeys
from jumo_orgs.deps import Deps
from jumo_orgs.moderation_store import block_key
from jumo_orgs.news import News
from jumo_orgs.org_store import member_key
from jumo_orgs.reviews import Reviews

from .conftest import Client
from .memory import memory_deps
from .memory_moderation import MemoryModerationStore
from .memory_orgs import MemoryOrgStore
from .memory_reviews import MemoryReviewStore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def org_document(slug: str, *, status: str = "verified", **extra: Any) -> Document:
    """An organization as the organizations area stores it (the fields news and reviews read)."""
    return {"_id": uuid.uuid4().hex[:24], "slug": slug, "name": slug.replace("-", " ").title(),
            "status": status, "hidden": False, "created_at": NOW, "version": 1,
            **extra}  # fmt: skip


def member_document(org_id: str, user_id: str, role: str) -> Document:
    """An active membership of an organization."""
    return {"_id": member_key(org_id, user_id), "org_id": org_id, "user_id": user_id,
            "role": role, "state": "active", "version": 1}  # fmt: skip


def principal(user_id: str | None = None, *, roles: tuple[str, ...] = ()) -> Principal:
    """A caller with a valid token (a random user unless named)."""
    return Principal(
        user_id=user_id or uuid.uuid4().hex, token_id=uuid.uuid4().hex, expires_at=2**40,
        roles=frozenset(roles),
    )  # fmt: skip


@dataclass
class World:
    """News and reviews on the memory stores, with the organizations they are about."""

    deps: Deps
    events: PublishedEvents
    news: News
    reviews: Reviews

    @classmethod
    def make(cls) -> World:
        """A fresh world in memory."""
        deps, events = memory_deps()
        return cls(deps, events, News(deps), Reviews(deps))

    @property
    def _orgs(self) -> MemoryOrgStore:
        store = self.deps.stores.orgs
        assert isinstance(store, MemoryOrgStore)
        return store

    @property
    def review_store(self) -> MemoryReviewStore:
        """The memory review store (votes are inspected directly)."""
        store = self.deps.stores.reviews
        assert isinstance(store, MemoryReviewStore)
        return store

    async def org(self, slug: str, **fields: Any) -> Document:
        """A new organization (verified unless ``status`` says otherwise)."""
        doc = org_document(slug, **fields)
        assert await self._orgs.orgs.create(doc)
        return doc

    async def member(self, org: Document, role: str = "editor") -> Principal:
        """A new person with ``role`` in ``org``."""
        caller = principal()
        assert await self._orgs.members.create(member_document(org["_id"], caller.user_id, role))
        return caller

    async def block(self, org: Document, who: Principal) -> None:
        """The organization's admins blocked this person."""
        store = self.deps.stores.moderation
        assert isinstance(store, MemoryModerationStore)
        key = block_key(org["_id"], who.user_id)
        store.blocks[key] = {"_id": key, "org_id": org["_id"], "user_id": who.user_id}


# ---- the same, in the database of an app under test -------------------------------------------


def database(client: Client) -> Database:
    """The app's database."""
    db: Database = client.app[MONGO_DB]
    return db


async def http_org(client: Client, slug: str, **fields: Any) -> Document:
    """An organization in the app's database."""
    doc = org_document(slug, **fields)
    await database(client)["orgs"].insert_one(doc)
    return doc


async def http_member(client: Client, org: Document, user_id: str, role: str) -> None:
    """A person's active membership of an organization, in the app's database."""
    await database(client)["org_members"].insert_one(member_document(org["_id"], user_id, role))


async def http_block(client: Client, org: Document, user_id: str) -> None:
    """The organization blocked this person, in the app's database."""
    key = block_key(org["_id"], user_id)
    await database(client)["org_blocks"].insert_one(
        {"_id": key, "org_id": org["_id"], "user_id": user_id, "at": NOW}
    )


async def answer_of(response: Any, status: int = 200) -> Any:
    """The JSON body of an answer that must have ``status``."""
    body = await response.json() if response.status != 204 else None
    assert response.status == status, body
    return body


def bearer(user_id: str, keys: TestKeys, *roles: str) -> dict[str, str]:
    """The Authorization header of a token for ``user_id`` (unknown to the projection is fine)."""
    token = keys.mint(user_id, roles=list(roles)) if roles else keys.mint(user_id)
    return {"Authorization": f"Bearer {token}"}
