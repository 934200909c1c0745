"""One suite over ``MongoOrgStore`` and its memory twin (``memory_orgs.py``): whatever the use-case
tests rely on, both do alike — unique slugs, versions, pages in order with cursors, counts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.mongo import WRITE_CLAIMS, ensure_indexes
from jumo_common.outbox import Outbox
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs.org_store import INDEXES, OUTBOX_COLLECTIONS, MongoOrgStore, OrgStore

from .memory_orgs import MemoryOrgStore

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["mongo", "memory"])
async def store(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[OrgStore]:
    """MongoOrgStore on this test's database, or the memory twin."""
    if request.param == "memory":
        yield MemoryOrgStore(PublishedEvents())
        return
    await ensure_indexes(mongo_db, INDEXES)
    yield MongoOrgStore(mongo_db, Outbox(mongo_db, OUTBOX_COLLECTIONS), mongo_db[WRITE_CLAIMS])


def org(org_id: str, slug: str, **fields: Any) -> dict[str, Any]:
    return {"_id": org_id, "slug": slug, "name": slug.title(), "status": "draft", **fields}


def setting(**fields: Any) -> Any:
    def plan(_doc: Any) -> Change:
        return Change(set=fields)

    return plan


async def test_slugs_are_unique_and_found(store: OrgStore) -> None:
    assert await store.create_org(org("a" * 32, "water"), [])
    assert not await store.create_org(org("b" * 32, "water"), [])  # slug taken
    assert not await store.create_org(org("a" * 32, "other"), [])  # id taken
    found = await store.org_by_slug("water")
    assert found is not None
    assert (found["_id"], found["version"]) == ("a" * 32, 1)
    assert await store.org_by_slug("other") is None
    assert await store.org("b" * 32) is None


async def test_changes_claim_versions_and_a_missing_org_is_none(store: OrgStore) -> None:
    await store.create_org(org("a" * 32, "water"), [])
    written = await store.change_org("a" * 32, setting(status="pending"))
    assert written is not None
    assert (written.version, written.after()["status"]) == (2, "pending")
    assert await store.change_org("c" * 32, setting(status="pending")) is None
    nothing = await store.change_org("a" * 32, lambda _d: None)
    assert nothing is not None
    assert nothing.version == 2


async def test_the_pending_queue_is_oldest_first_in_pages(store: OrgStore) -> None:
    for i in range(5):
        doc = org(f"{i:032x}", f"org-{i}", status="pending", submitted_at=T0 - timedelta(hours=i))
        await store.create_org(doc, [])
    await store.create_org(org("f" * 32, "draft"), [])
    first = await store.pending_page(limit=3, cursor=None)
    rest = await store.pending_page(limit=3, cursor=first.next_cursor)
    assert [d["slug"] for d in first.items + rest.items] == [f"org-{i}" for i in (4, 3, 2, 1, 0)]
    assert rest.next_cursor is None


async def test_who_created_what(store: OrgStore) -> None:
    await store.create_org(org("a" * 32, "one", created_by="ann"), [])
    await store.create_org(org("b" * 32, "two", created_by="bob"), [])
    assert await store.orgs_created_by("ann") == ["a" * 32]


async def test_memberships_pages_counts_and_invitations(store: OrgStore) -> None:
    for i, (user, state) in enumerate([("ann", "active"), ("bob", "active"), ("cy", "invited"),
                                       ("dee", "none")]):  # fmt: skip
        plan = setting(org_id="o1", user_id=user, role="editor", state=state,
                       since=T0 + timedelta(minutes=i))  # fmt: skip
        assert (await store.change_member("o1", user, plan)).version == 1
    await store.change_member("o2", "cy", setting(org_id="o2", user_id="cy", state="invited",
                                                  role="admin", since=T0))  # fmt: skip
    active = await store.members_page("o1", "active", limit=1, cursor=None)
    more = await store.members_page("o1", "active", limit=1, cursor=active.next_cursor)
    assert [d["user_id"] for d in active.items + more.items] == ["ann", "bob"]
    assert await store.count_members("o1") == 2
    assert {d["org_id"] for d in await store.memberships_of("cy")} == {"o1", "o2"}
    assert await store.memberships_of("dee") == []
    invited = await store.invitations_of("cy", limit=10, cursor=None)
    assert [d["org_id"] for d in invited.items] == ["o1", "o2"]  # newest first
    member = await store.member("o1", "ann")
    assert member is not None
    assert member["_id"] == "o1:ann"


async def test_concurrent_joins_are_all_counted(store: OrgStore) -> None:
    async def join(i: int) -> None:
        plan = setting(org_id="o1", user_id=f"u{i}", role="editor", state="active", since=T0)
        await store.change_member("o1", f"u{i}", plan)

    await asyncio.gather(*(join(i) for i in range(30)))
    assert await store.count_members("o1") == 30


async def test_claims_queue_and_mine(store: OrgStore) -> None:
    for i, (org_id, user) in enumerate([("o1", "ann"), ("o2", "ann"), ("o1", "bob")]):
        fields = {"org_id": org_id, "user_id": user, "state": "open", "evidence": "e",
                  "created_at": T0 + timedelta(minutes=i)}  # fmt: skip
        await store.change_claim(f"{org_id}:{user}", setting(**fields))
    await store.change_claim("o2:ann", setting(state="rejected"))
    queue = await store.open_claims_page(limit=10, cursor=None)
    assert [c["_id"] for c in queue.items] == ["o1:ann", "o1:bob"]
    mine = await store.claims_of("ann", limit=1, cursor=None)
    older = await store.claims_of("ann", limit=1, cursor=mine.next_cursor)
    assert [c["_id"] for c in mine.items + older.items] == ["o2:ann", "o1:ann"]
    await store.delete_claims_of("ann")
    assert await store.claim("o1:ann") is None
    bob = await store.claim("o1:bob")
    assert bob is not None
    assert bob["version"] == 1
