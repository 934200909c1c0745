"""One suite over ``MongoCauseStore`` and its memory twin (``memory_causes.py``): whatever it
checks, both do alike — which is what entitles the use-case tests to run on the twin."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.events import make_event
from jumo_common.events.orgs import CauseLeft
from jumo_common.mongo import WRITE_CLAIMS, Document, ensure_indexes
from jumo_common.outbox import OUTBOX_FIELD, SENT_COLLECTION, Outbox, sent_key
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs.cause_store import (
    INDEXES,
    ORG_FIELDS,
    OUTBOX_COLLECTIONS,
    CauseStore,
    MongoCauseStore,
)

from .memory_causes import MemoryCauseStore
from .memory_orgs import MemoryOrgStore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class Twin:
    """A cause store, how to add an organization beside it, and how to play the relay."""

    store: CauseStore
    add_org: Callable[[Document], Awaitable[None]]
    confirm_sent: Callable[[], Awaitable[None]]
    relays_later: bool  # memory stores publish at once; MongoDB's relay comes later


@pytest.fixture(params=["mongo", "memory"])
async def twin(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[Twin]:
    """``MongoCauseStore`` on this test's database, or the memory twin."""
    if request.param == "memory":
        orgs = MemoryOrgStore(PublishedEvents())

        async def add_memory(doc: Document) -> None:
            assert await orgs.orgs.create(doc)

        async def nothing() -> None:
            return None

        yield Twin(MemoryCauseStore(PublishedEvents(), orgs), add_memory, nothing, False)
        return
    await ensure_indexes(mongo_db, INDEXES)
    outbox = Outbox(mongo_db, OUTBOX_COLLECTIONS)

    async def add_mongo(doc: Document) -> None:
        await mongo_db["orgs"].insert_one(doc)

    async def confirm() -> None:  # what the relay does once the broker confirmed
        async for doc in mongo_db["cause_members"].find({OUTBOX_FIELD: {"$exists": True}}):
            for event in doc[OUTBOX_FIELD]:
                await mongo_db[SENT_COLLECTION].update_one(
                    {"_id": sent_key(event)}, {"$set": {"at": NOW}}, upsert=True
                )

    yield Twin(MongoCauseStore(mongo_db, outbox, mongo_db[WRITE_CLAIMS]), add_mongo, confirm, True)


def joined(cause: str, user_id: str, at: datetime = NOW) -> Callable[[Document | None], Change]:
    def plan(_doc: Document | None) -> Change:
        return Change(set={"cause": cause, "user_id": user_id, "active": True, "since": at})

    return plan


def left(_doc: Document | None) -> Change:
    return Change(set={"active": False}, unset=frozenset({"since"}))


def org(slug: str, causes: list[str], **fields: Any) -> Document:
    return {"_id": f"id-{slug}", "slug": slug, "name": slug.title(), "causes": causes,
            "status": "verified", "hq": {"city": "Lyon", "country": "FR"}, **fields}  # fmt: skip


async def test_a_membership_counts_its_versions(twin: Twin) -> None:
    store = twin.store
    assert await store.membership("literacy", "ann") is None
    assert (
        await store.change_membership("literacy", "ann", joined("literacy", "ann"))
    ).version == 1
    assert (await store.change_membership("literacy", "ann", left)).version == 2
    doc = await store.membership("literacy", "ann")
    assert doc is not None
    assert (doc["_id"], doc["active"], doc["version"], "since" in doc) == (
        "literacy:ann", False, 2, False,
    )  # fmt: skip


async def test_members_are_counted_per_cause_and_once_per_person(twin: Twin) -> None:
    store = twin.store
    for cause, who in [("literacy", "ann"), ("tutoring", "ann"), ("literacy", "bob"),
                       ("wildlife", "cat"), ("wildlife", "dan")]:  # fmt: skip
        await store.change_membership(cause, who, joined(cause, who))
    await store.change_membership("wildlife", "dan", left)
    assert await store.member_counts() == {"literacy": 2, "tutoring": 1, "wildlife": 1}
    assert await store.distinct_members(["literacy", "tutoring"]) == 2
    assert await store.distinct_members(["health"]) == 0


async def test_organizations_are_counted_and_listed_when_verified_and_visible(twin: Twin) -> None:
    for doc in [
        org("zeta", ["literacy", "education"]),
        org("alpha", ["literacy"]),
        org("mid", ["tutoring"], description="not read here"),
        org("draft", ["literacy"], status="draft"),
        org("hidden", ["literacy"], hidden=True),
        org("shown", ["wildlife"], hidden=False),
    ]:
        await twin.add_org(doc)  # fmt: skip
    store = twin.store
    assert await store.org_counts() == {"literacy": 2, "education": 1, "tutoring": 1,
                                        "wildlife": 1}  # fmt: skip
    assert await store.count_orgs(["education", "literacy", "tutoring"]) == 3
    first = await store.org_page(["education", "literacy", "tutoring"], limit=2, cursor=None)
    assert [o["slug"] for o in first.items] == ["alpha", "mid"]
    assert all(set(o) <= set(ORG_FIELDS) for o in first.items)
    assert first.items[0]["hq"]["city"] == "Lyon"
    rest = await store.org_page(["education", "literacy", "tutoring"], limit=2,
                                cursor=first.next_cursor)  # fmt: skip
    assert ([o["slug"] for o in rest.items], rest.next_cursor) == (["zeta"], None)


async def test_a_persons_memberships_newest_first_and_all_of_them(twin: Twin) -> None:
    store = twin.store
    later = NOW + timedelta(minutes=5)
    await store.change_membership("literacy", "ann", joined("literacy", "ann"))
    await store.change_membership("wildlife", "ann", joined("wildlife", "ann", later))
    await store.change_membership("health", "ann", joined("health", "ann"))
    await store.change_membership("health", "ann", left)
    await store.change_membership("literacy", "bob", joined("literacy", "bob"))
    assert [d["cause"] for d in await store.memberships_of("ann")] == ["wildlife", "literacy"]
    every = await store.every_membership_of("ann")
    assert sorted(d["cause"] for d in every) == ["health", "literacy", "wildlife"]


def tombstone(with_event: bool) -> Callable[[Document | None], Change]:
    def plan(doc: Document | None) -> Change:
        assert doc is not None
        event = make_event(CauseLeft(cause=doc["cause"], user_id="ann", seq=9), producer="orgs")
        return Change(set={"deleted": True}, unset=frozenset({"cause", "active", "since"}),
                      events=[event] if with_event else [])  # fmt: skip

    return plan


async def test_tombstones_are_purged_once_their_events_are_sent(twin: Twin) -> None:
    store = twin.store
    for cause in ("literacy", "wildlife"):
        await store.change_membership(cause, "ann", joined(cause, "ann"))
    await store.change_membership("literacy", "bob", joined("literacy", "bob"))
    await store.change_membership("literacy", "ann", tombstone(with_event=True))
    await store.change_membership("wildlife", "ann", tombstone(with_event=False))
    assert await store.every_membership_of("ann") == []
    assert await store.memberships_of("ann") == []
    assert await store.member_counts() == {"literacy": 1}
    assert await store.purge_forgotten("ann") == (1 if twin.relays_later else 2)
    await twin.confirm_sent()
    assert await store.purge_forgotten() == (1 if twin.relays_later else 0)
    assert await store.membership("literacy", "ann") is None
    assert await store.membership("wildlife", "ann") is None
    assert await store.membership("literacy", "bob") is not None


async def test_a_hundred_concurrent_joins_count_a_hundred(twin: Twin) -> None:
    store = twin.store
    people = [f"person{i}" for i in range(100)]
    await asyncio.gather(
        *(store.change_membership("literacy", p, joined("literacy", p)) for p in people)
    )
    assert (await store.member_counts())["literacy"] == 100
    assert await store.distinct_members(["education", "literacy"]) == 100
