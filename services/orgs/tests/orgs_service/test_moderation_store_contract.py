"""One suite over the MongoDB moderation store and its memory twin (memory_moderation.py):
reports (versioned writes with their events, the reporter's list, the queue's order and cursor,
a thing's reports, who they name, deletion) and blocks. Whatever it checks, both do alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.mongo import WRITE_CLAIMS, Document, ensure_indexes
from jumo_common.outbox import Outbox
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs import moderation_store
from jumo_orgs.moderation_plans import Filing, decided, filed
from jumo_orgs.moderation_store import (
    ModerationStore,
    MongoModerationStore,
    block_key,
    report_key,
    target_key,
)

from .community import NOW
from .memory_moderation import MemoryModerationStore


@pytest.fixture(params=["mongo", "memory"])
async def store(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[ModerationStore]:
    """MongoModerationStore on this test's database, or the memory twin."""
    if request.param == "memory":
        yield MemoryModerationStore(PublishedEvents())
        return
    await ensure_indexes(mongo_db, moderation_store.INDEXES)
    outbox = Outbox(mongo_db, moderation_store.OUTBOX_COLLECTIONS)
    yield MongoModerationStore(mongo_db, outbox, mongo_db[WRITE_CLAIMS])


async def file(
    store: ModerationStore, reporter: str, kind: str, target: str, minutes: int = 0
) -> str:
    filing = Filing(reporter, kind, target, target_key(kind, target), "org1", "spam", "text")
    key = report_key(kind, target, reporter)
    at = NOW + timedelta(minutes=minutes)
    await store.change_report(key, lambda d: filed(d, filing, at))
    return key


def block(org_id: str, user_id: str, minutes: int = 0, **extra: Any) -> Document:
    return {"_id": block_key(org_id, user_id), "org_id": org_id, "user_id": user_id,
            "at": NOW + timedelta(minutes=minutes), **extra}  # fmt: skip


async def test_a_report_is_one_document_per_person_and_thing(store: ModerationStore) -> None:
    key = await file(store, "ann", "post", "p1")
    assert key == report_key("post", "p1", "ann") != report_key("post", "p1", "bob")
    assert await file(store, "ann", "post", "p1", minutes=3) == key
    doc = await store.report(key)
    assert doc is not None
    assert (doc["status"], doc["version"], doc["created_at"]) == ("open", 1, NOW)  # unchanged
    written = await store.change_report(
        key, lambda d: decided(d, "hidden", note=None, by="mo", now=NOW)
    )
    assert written.version == 2
    assert written.change is not None
    assert [e.data.outcome for e in written.change.events_at(2)] == ["hidden"]
    again = await store.change_report(
        key, lambda d: decided(d, "hidden", note=None, by="mo", now=NOW)
    )
    assert again.change is None
    assert await store.report("nope") is None


async def test_a_reporters_list_is_newest_first(store: ModerationStore) -> None:
    keys = [await file(store, "ann", "org", f"o{n}", minutes=n) for n in range(3)]
    await file(store, "bob", "org", "o1")
    first = await store.reports_by("ann", limit=2, cursor=None)
    assert [d["_id"] for d in first.items] == keys[::-1][:2]
    rest = await store.reports_by("ann", limit=2, cursor=first.next_cursor)
    assert ([d["_id"] for d in rest.items], rest.next_cursor) == ([keys[0]], None)


async def test_the_queue_is_oldest_first_and_groups_read_by_thing(store: ModerationStore) -> None:
    a = await file(store, "ann", "post", "p1", minutes=2)
    b = await file(store, "bob", "post", "p1", minutes=0)
    c = await file(store, "cid", "review", "o1:ann", minutes=1)
    await store.change_report(c, lambda d: decided(d, "dismissed", note="no", by="mo", now=NOW))
    page = await store.reports_page("open", limit=1, cursor=None)
    assert [d["_id"] for d in page.items] == [b]
    page = await store.reports_page("open", limit=1, cursor=page.next_cursor)
    assert ([d["_id"] for d in page.items], page.next_cursor) == ([a], None)
    assert [
        d["_id"] for d in (await store.reports_page("resolved", limit=5, cursor=None)).items
    ] == [c]
    of_p1 = await store.reports_of([target_key("post", "p1")], "open")
    assert sorted(d["_id"] for d in of_p1) == sorted([a, b])
    assert await store.reports_of([target_key("review", "o1:ann")], "open") == []


async def test_the_reports_naming_a_person_and_their_deletion(store: ModerationStore) -> None:
    theirs = await file(store, "ann", "org", "o1")
    about = await file(store, "bob", "review", "o1:ann")
    decided_by = await file(store, "cid", "org", "o2")
    await store.change_report(
        decided_by, lambda d: decided(d, "hidden", note=None, by="ann", now=NOW)
    )
    await file(store, "dan", "org", "o3")
    found = await store.reports_mentioning("ann")
    assert sorted(d["_id"] for d in found) == sorted([theirs, about, decided_by])
    assert await store.reports_mentioning("a.n") == []  # a user id is matched literally
    await store.delete_reports([theirs, about])
    await store.delete_reports([])
    assert [d["_id"] for d in await store.reports_mentioning("ann")] == [decided_by]
    written = await store.change_report(
        decided_by, lambda d: Change(unset=frozenset({"resolved_by"}))
    )
    assert "resolved_by" not in written.after()
    assert await store.reports_mentioning("ann") == []


async def test_blocks(store: ModerationStore) -> None:
    assert await store.add_block(block("o1", "troll", 0, blocked_by="ann"))
    assert not await store.add_block(block("o1", "troll", 5))
    assert await store.add_block(block("o1", "spammer", 1, blocked_by="bob"))
    assert await store.add_block(block("o2", "troll", 2, blocked_by="ann"))
    found = await store.block("o1", "troll")
    assert found is not None
    assert (found["user_id"], found["at"]) == ("troll", NOW)
    assert await store.block("o1", "ann") is None
    page = await store.blocks_page("o1", limit=1, cursor=None)
    assert [b["user_id"] for b in page.items] == ["spammer"]
    rest = await store.blocks_page("o1", limit=1, cursor=page.next_cursor)
    assert ([b["user_id"] for b in rest.items], rest.next_cursor) == (["troll"], None)
    assert await store.remove_block("o1", "spammer")
    assert not await store.remove_block("o1", "spammer")
    await store.forget_blocks("troll")
    await store.forget_blocks("ann")
    assert await store.block("o1", "troll") is None
    assert await store.block("o2", "troll") is None
    await store.add_block(block("o3", "eve", blocked_by="ann"))
    await store.forget_blocks("ann")
    kept = await store.block("o3", "eve")
    assert kept is not None
    assert "blocked_by" not in kept
