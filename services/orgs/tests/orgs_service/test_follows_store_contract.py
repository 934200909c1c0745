"""One suite over ``MongoFollowStore`` and its memory twin (``memory_follows.py``): whatever
it checks, both do alike — which is what entitles the use-case tests to run on the twin."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.events import make_event
from jumo_common.events.orgs import OrgUnfollowed
from jumo_common.mongo import WRITE_CLAIMS, Document, ensure_indexes
from jumo_common.outbox import OUTBOX_FIELD, SENT_COLLECTION, Outbox, sent_key
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs.follow_store import (
    CARD_FIELDS,
    INDEXES,
    OUTBOX_COLLECTIONS,
    FollowStore,
    MongoFollowStore,
)

from .memory_follows import MemoryFollowStore
from .memory_orgs import MemoryOrgStore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SETTINGS = {"in_feed": True, "notify": "important", "digest": "weekly"}


@dataclass
class Twin:
    """A follow store, how to add an organization beside it, and how to play the relay."""

    store: FollowStore
    add_org: Callable[[Document], Awaitable[None]]
    confirm_sent: Callable[[], Awaitable[None]]
    relays_later: bool  # memory stores publish at once; MongoDB's relay comes later


@pytest.fixture(params=["mongo", "memory"])
async def twin(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[Twin]:
    """``MongoFollowStore`` on this test's database, or the memory twin."""
    if request.param == "memory":
        orgs = MemoryOrgStore(PublishedEvents())

        async def add_memory(doc: Document) -> None:
            assert await orgs.orgs.create(doc)

        async def nothing() -> None:
            return None

        yield Twin(MemoryFollowStore(PublishedEvents(), orgs), add_memory, nothing, False)
        return
    await ensure_indexes(mongo_db, INDEXES)
    outbox = Outbox(mongo_db, OUTBOX_COLLECTIONS)

    async def add_mongo(doc: Document) -> None:
        await mongo_db["orgs"].insert_one(doc)

    async def confirm() -> None:  # what the relay does once the broker confirmed
        async for doc in mongo_db["org_follows"].find({OUTBOX_FIELD: {"$exists": True}}):
            for event in doc[OUTBOX_FIELD]:
                await mongo_db[SENT_COLLECTION].update_one(
                    {"_id": sent_key(event)}, {"$set": {"at": NOW}}, upsert=True
                )

    store = MongoFollowStore(mongo_db, outbox, mongo_db[WRITE_CLAIMS])
    yield Twin(store, add_mongo, confirm, True)


def followed(user_id: str, org_id: str, at: datetime = NOW) -> Callable[[Document | None], Change]:
    def plan(_doc: Document | None) -> Change:
        return Change(set={"user_id": user_id, "org_id": org_id, "active": True, "since": at,
                           **SETTINGS})  # fmt: skip

    return plan


def unfollowed(_doc: Document | None) -> Change:
    return Change(set={"active": False}, unset=frozenset({"since", *SETTINGS}))


async def test_a_follow_counts_its_versions(twin: Twin) -> None:
    store = twin.store
    assert await store.follow("ann", "o1") is None
    assert (await store.change_follow("ann", "o1", followed("ann", "o1"))).version == 1
    assert (await store.change_follow("ann", "o1", unfollowed)).version == 2
    doc = await store.follow("ann", "o1")
    assert doc is not None
    assert (doc["_id"], doc["active"], doc["version"], "notify" in doc) == (
        "ann:o1", False, 2, False,
    )  # fmt: skip


async def test_follow_lists_are_newest_first_page_with_a_cursor_and_count(twin: Twin) -> None:
    store = twin.store
    for i, who in enumerate(["a", "b", "c", "d"]):
        await store.change_follow(who, "o1", followed(who, "o1", NOW + timedelta(minutes=i)))
    await store.change_follow("b", "o1", unfollowed)
    await store.change_follow("a", "o2", followed("a", "o2", NOW + timedelta(hours=1)))
    first = await store.followers_page("o1", limit=2, cursor=None)
    assert [f["user_id"] for f in first.items] == ["d", "c"]
    rest = await store.followers_page("o1", limit=2, cursor=first.next_cursor)
    assert ([f["user_id"] for f in rest.items], rest.next_cursor) == (["a"], None)
    mine = await store.following_page("a", limit=10, cursor=None)
    assert [f["org_id"] for f in mine.items] == ["o2", "o1"]
    assert (await store.count_followers("o1"), await store.count_followers("o3")) == (3, 0)


async def test_organizations_are_read_by_id_with_card_fields_only(twin: Twin) -> None:
    await twin.add_org({"_id": "o1", "slug": "water", "name": "Water", "status": "verified",
                        "mission": "not read here", "hidden": False})  # fmt: skip
    found = await twin.store.orgs(["o1", "o1", "missing"])
    assert list(found) == ["o1"]
    assert set(found["o1"]) <= set(CARD_FIELDS)
    assert found["o1"]["slug"] == "water"


async def test_every_follow_and_tombstones_purged_once_their_events_are_sent(twin: Twin) -> None:
    store = twin.store
    await store.change_follow("ann", "o1", followed("ann", "o1"))
    await store.change_follow("ann", "o2", followed("ann", "o2"))
    await store.change_follow("ann", "o2", unfollowed)
    await store.change_follow("bob", "o1", followed("bob", "o1"))
    assert sorted(d["org_id"] for d in await store.every_follow_of("ann")) == ["o1", "o2"]

    def tombstone(with_event: bool) -> Callable[[Document | None], Change]:
        def plan(doc: Document | None) -> Change:
            assert doc is not None
            event = make_event(OrgUnfollowed(org_id=doc["org_id"], user_id="ann", seq=9),
                               producer="orgs")  # fmt: skip
            gone = frozenset(k for k in doc if k in ("org_id", "active", "since", *SETTINGS))
            return Change(set={"deleted": True}, unset=gone, events=[event] if with_event else [])

        return plan

    await store.change_follow("ann", "o1", tombstone(with_event=True))
    await store.change_follow("ann", "o2", tombstone(with_event=False))
    assert await store.every_follow_of("ann") == []
    assert await store.count_followers("o1") == 1
    assert await store.purge_forgotten("ann") == (1 if twin.relays_later else 2)
    await twin.confirm_sent()
    assert await store.purge_forgotten() == (1 if twin.relays_later else 0)
    assert await store.follow("ann", "o1") is None
    assert await store.follow("bob", "o1") is not None


async def test_a_hundred_concurrent_follows_count_a_hundred(twin: Twin) -> None:
    people = [f"person{i}" for i in range(100)]
    await asyncio.gather(*(twin.store.change_follow(p, "o1", followed(p, "o1")) for p in people))
    assert await twin.store.count_followers("o1") == 100
