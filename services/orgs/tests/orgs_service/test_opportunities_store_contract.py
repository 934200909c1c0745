"""One suite over the MongoDB opportunity store and its memory twin (memory_opportunities.py):
whatever it checks, both do alike, which entitles the use-case tests to the memory store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.mongo import WRITE_CLAIMS, Document, ensure_indexes
from jumo_common.outbox import Outbox
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs import opportunity_store
from jumo_orgs.opportunity_model import (
    Opportunity,
    Place,
    Slot,
    document_of,
    opportunity_of,
)
from jumo_orgs.opportunity_store import MongoOpportunityStore, OpportunityStore

from .community import NOW
from .memory_opportunities import MemoryOpportunityStore


@pytest.fixture(params=["mongo", "memory"])
async def store(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[OpportunityStore]:
    """MongoOpportunityStore on this test's database, or the memory twin."""
    if request.param == "memory":
        yield MemoryOpportunityStore(PublishedEvents())
        return
    await ensure_indexes(mongo_db, opportunity_store.INDEXES)
    outbox = Outbox(mongo_db, opportunity_store.OUTBOX_COLLECTIONS)
    yield MongoOpportunityStore(mongo_db, outbox, mongo_db[WRITE_CLAIMS])


def opportunity(opp_id: str, org_id: str = "org1", minutes: int = 0, **extra: Any) -> Opportunity:
    at = NOW + timedelta(minutes=minutes)
    slot = Slot(f"{opp_id}-s1", NOW + timedelta(days=3), NOW + timedelta(days=3, hours=2), 4)
    fields: dict[str, Any] = {
        "id": opp_id, "org_id": org_id, "status": "open", "title": opp_id, "description": "d",
        "causes": ("education",), "skills_wanted": ("cooking",), "skills_required": (),
        "commitment": "one_off", "time_zone": "Europe/Paris",
        "place": Place(city="Lyon", lat=45.76, lng=4.84), "remote": False, "slots": (slot,),
        "created_by": "ann", "created_at": at, "updated_at": at,
    }  # fmt: skip
    return Opportunity(**(fields | extra))


def doc(opp_id: str, **extra: Any) -> Document:
    return document_of(opportunity(opp_id, **extra))


async def test_an_opportunity_is_created_once_and_reads_back_the_same(
    store: OpportunityStore,
) -> None:
    original = opportunity("o1", deadline=NOW + timedelta(days=2))
    assert await store.create_opportunity(document_of(original), [])
    assert not await store.create_opportunity(document_of(original), [])
    found = await store.opportunity("o1")
    assert found is not None
    assert opportunity_of(found) == original.__class__(**{**original.__dict__, "version": 1})
    assert found["closes_at"] == NOW + timedelta(days=2)
    assert await store.opportunity("nope") is None
    assert [d["_id"] for d in await store.opportunities(["o1", "nope", "o1"])] == ["o1"]


async def test_changes_are_versioned_and_a_missing_one_is_none(store: OpportunityStore) -> None:
    await store.create_opportunity(doc("o1"), [])
    written = await store.change_opportunity("o1", lambda d: Change(set={"title": "t2"}))
    assert written is not None
    assert written.version == 2
    unchanged = await store.change_opportunity("o1", lambda d: None)
    assert unchanged is not None
    assert (unchanged.version, unchanged.change) == (2, None)
    assert await store.change_opportunity("absent", lambda d: Change(set={"x": 1})) is None


async def test_an_organizations_list_is_newest_first_and_filtered_by_status(
    store: OpportunityStore,
) -> None:
    for i in range(5):
        await store.create_opportunity(doc(f"o{i}", minutes=i), [])
    await store.create_opportunity(doc("draft", minutes=9, status="draft"), [])
    await store.create_opportunity(doc("elsewhere", org_id="org2", minutes=9), [])
    first = await store.org_opportunities("org1", ["open"], limit=3, cursor=None)
    assert [d["_id"] for d in first.items] == ["o4", "o3", "o2"]
    rest = await store.org_opportunities("org1", ["open"], limit=3, cursor=first.next_cursor)
    assert ([d["_id"] for d in rest.items], rest.next_cursor) == (["o1", "o0"], None)
    every = await store.org_opportunities("org1", None, limit=50, cursor=None)
    assert every.items[0]["_id"] == "draft"
    assert len(every.items) == 6


async def test_due_to_close_finds_running_ones_past_their_deadline_or_end(
    store: OpportunityStore,
) -> None:
    await store.create_opportunity(doc("soon", deadline=NOW + timedelta(hours=1)), [])
    await store.create_opportunity(doc("later", deadline=NOW + timedelta(days=9)), [])
    await store.create_opportunity(doc("paused", status="paused", deadline=NOW), [])
    await store.create_opportunity(doc("draft", status="draft", deadline=NOW), [])
    await store.create_opportunity(doc("closed", status="closed", deadline=NOW), [])
    await store.create_opportunity(doc("ongoing", slots=(Slot("x", None, None, 3),)), [])
    assert sorted(await store.due_to_close(NOW)) == ["paused"]
    assert sorted(await store.due_to_close(NOW + timedelta(hours=1))) == ["paused", "soon"]
    # the one-off slot ends three days on: that closes "later" too, not the ongoing one
    later = NOW + timedelta(days=4)
    assert sorted(await store.due_to_close(later)) == ["later", "paused", "soon"]


async def test_the_ids_a_person_created_are_found(store: OpportunityStore) -> None:
    await store.create_opportunity(doc("o1"), [])
    await store.create_opportunity(doc("o2", created_by="bob"), [])
    assert await store.ids_created_by("ann") == ["o1"]
    assert await store.ids_created_by("zed") == []
