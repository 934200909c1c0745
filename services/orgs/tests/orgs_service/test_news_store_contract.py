"""One suite over the MongoDB post store and its memory twin (memory_posts.py): whatever it
checks, both do alike, which entitles the use-case tests to the memory store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.mongo import WRITE_CLAIMS, Document, ensure_indexes
from jumo_common.outbox import Outbox
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs import post_store
from jumo_orgs.post_store import MongoPostStore, PostStore

from .community import NOW
from .memory_posts import MemoryPostStore


@pytest.fixture(params=["mongo", "memory"])
async def store(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[PostStore]:
    """MongoPostStore on this test's database, or the memory twin."""
    if request.param == "memory":
        yield MemoryPostStore(PublishedEvents())
        return
    await ensure_indexes(mongo_db, post_store.INDEXES)
    outbox = Outbox(mongo_db, post_store.OUTBOX_COLLECTIONS)
    yield MongoPostStore(mongo_db, outbox, mongo_db[WRITE_CLAIMS])


def post(post_id: str, org_id: str = "org1", minutes: int = 0, **extra: Any) -> Document:
    at = NOW + timedelta(minutes=minutes)
    return {"_id": post_id, "org_id": org_id, "author_id": "ann", "title": post_id, "body": "b",
            "link": None, "important": False, "state": "published", "hidden": False,
            "created_at": at, "updated_at": at, **extra}  # fmt: skip


async def test_a_post_is_created_once_and_read_by_id(store: PostStore) -> None:
    assert await store.create_post(post("p1"), [])
    assert not await store.create_post(post("p1"), [])
    found = await store.post("p1")
    assert found is not None
    assert (found["title"], found["version"], found["created_at"]) == ("p1", 1, NOW)
    assert await store.post("nope") is None


async def test_changes_are_versioned_and_a_missing_post_is_none(store: PostStore) -> None:
    await store.create_post(post("p1"), [])
    written = await store.change_post("p1", lambda d: Change(set={"title": "t2"}))
    assert written is not None
    assert written.version == 2
    nothing = await store.change_post("p1", lambda d: None)
    assert nothing is not None
    assert nothing.version == 2
    assert nothing.change is None
    assert await store.change_post("absent", lambda d: Change(set={"x": 1})) is None
    gone = await store.change_post(
        "p1", lambda d: Change(set={"state": "deleted"}, unset=frozenset({"title", "body"}))
    )
    assert gone is not None
    found = await store.post("p1")
    assert found is not None
    assert "title" not in found
    assert found["state"] == "deleted"


async def test_the_list_holds_the_organizations_listed_posts_newest_first(
    store: PostStore,
) -> None:
    for i in range(5):
        await store.create_post(post(f"p{i}", minutes=i), [])
    await store.create_post(post("tie", minutes=4), [])  # same time as p4: _id decides
    await store.create_post(post("hidden", minutes=9, hidden=True), [])
    await store.create_post(post("deleted", minutes=9, state="deleted"), [])
    await store.create_post(post("elsewhere", org_id="org2", minutes=9), [])
    first = await store.org_posts("org1", limit=4, cursor=None)
    assert first.next_cursor is not None
    rest = await store.org_posts("org1", limit=4, cursor=first.next_cursor)
    assert [d["_id"] for d in first.items + rest.items] == ["tie", "p4", "p3", "p2", "p1", "p0"]
    assert rest.next_cursor is None


async def test_posts_by_an_author(store: PostStore) -> None:
    await store.create_post(post("p1"), [])
    await store.create_post(post("p2", author_id="bob"), [])
    assert await store.post_ids_by("ann") == ["p1"]
    await store.change_post("p1", lambda d: Change(unset=frozenset({"author_id"})))
    assert await store.post_ids_by("ann") == []
