"""One suite over the MongoDB application and seat stores and their memory twins
(memory_applications.py): claims and seats are exclusive under concurrency, the waiting list
keeps its order, pages and filters, the expiry selection."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.mongo import WRITE_CLAIMS, Document, ensure_indexes
from jumo_common.outbox import Outbox
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs import application_store, places_store
from jumo_orgs.application_store import (
    ApplicationStore,
    MongoApplicationStore,
    claim_key,
    org_filter,
    slot_key,
)
from jumo_orgs.places import Holder, Places
from jumo_orgs.places_store import MongoSeatStore, SeatStore

from .community import NOW
from .memory_applications import MemoryApplicationStore, MemorySeatStore


@pytest.fixture(params=["mongo", "memory"])
async def store(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[ApplicationStore]:
    """MongoApplicationStore on this test's database, or the memory twin."""
    if request.param == "memory":
        yield MemoryApplicationStore(PublishedEvents())
        return
    await ensure_indexes(mongo_db, application_store.INDEXES)
    outbox = Outbox(mongo_db, application_store.OUTBOX_COLLECTIONS)
    yield MongoApplicationStore(mongo_db, outbox, mongo_db[WRITE_CLAIMS])


@pytest.fixture(params=["mongo", "memory"])
async def seats(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[SeatStore]:
    """MongoSeatStore on this test's database, or the memory twin."""
    if request.param == "memory":
        yield MemorySeatStore()
        return
    await ensure_indexes(mongo_db, places_store.INDEXES)
    yield MongoSeatStore(mongo_db, Outbox(mongo_db, ()), mongo_db[WRITE_CLAIMS])


def application(volunteer: str = "ann", *, slot: str = "s1", status: str = "pending",
                minutes: int = 0, **extra: Any) -> Document:  # fmt: skip
    at = NOW + timedelta(minutes=minutes)
    return {"_id": uuid.uuid4().hex, "opportunity_id": "opp1", "org_id": "org1",
            "slot_id": slot, "slot_key": slot_key("opp1", slot), "volunteer_id": volunteer,
            "status": status, "submitted_at": at, "expires_at": at + timedelta(days=7),
            "updated_at": at, **extra}  # fmt: skip


async def put(store: ApplicationStore, doc: Document) -> str:
    written = await store.create(doc, lambda d: Change(set={k: v for k, v in d.items()
                                                           if k != "_id"}))  # fmt: skip
    assert written is not None
    assert written.version == 1
    return str(doc["_id"])


async def test_an_application_is_created_once_and_changed(store: ApplicationStore) -> None:
    doc = application()
    app_id = await put(store, doc)
    assert await store.create(doc, lambda d: Change(set={"status": "pending"})) is None
    written = await store.change(app_id, lambda d: Change(set={"status": "accepted"}))
    assert written is not None
    assert written.version == 2
    found = await store.application(app_id)
    assert found is not None
    assert (found["status"], found["version"]) == ("accepted", 2)
    assert await store.change("missing", lambda d: Change(set={"x": 1})) is None


async def test_one_claim_per_person_and_slot_under_concurrency(store: ApplicationStore) -> None:
    key = claim_key("opp1", "s1", "ann")
    wins = await asyncio.gather(*(store.claim(key, f"app{i}", "ann", NOW) for i in range(20)))
    assert sum(wins) == 1
    claim = await store.claim_of(key)
    assert claim is not None
    holder = claim["application_id"]
    assert not await store.release_claim(key, "someone-else")
    assert await store.release_claim(key, holder)
    assert await store.claim_of(key) is None
    await store.claim(claim_key("opp1", "s2", "ann"), "a2", "ann", NOW)
    await store.forget_claims("ann")
    assert await store.claim_of(claim_key("opp1", "s2", "ann")) is None


async def test_the_waiting_list_is_in_waitlisting_order(store: ApplicationStore) -> None:
    later = await put(store, application("bo", status="waitlisted",
                                         waitlisted_at=NOW + timedelta(minutes=5)))  # fmt: skip
    first = await put(store, application("ann", status="waitlisted", waitlisted_at=NOW))
    await put(store, application("cy", status="pending"))
    await put(store, application("di", slot="s2", status="waitlisted", waitlisted_at=NOW))
    assert [d["_id"] for d in await store.waiting("opp1", "s1")] == [first, later]


async def test_pages_and_filters(store: ApplicationStore) -> None:
    ids = [await put(store, application(f"p{i}", slot=f"s{i % 2}", minutes=i)) for i in range(5)]
    await put(store, application("p9", erased=True, volunteer_id=None))
    page = await store.of_org(org_filter("org1", None, None, None), limit=3, cursor=None)
    assert [d["_id"] for d in page.items] == ids[::-1][:3]
    rest = await store.of_org(org_filter("org1", None, None, None), limit=3,
                              cursor=page.next_cursor)  # fmt: skip
    assert [d["_id"] for d in rest.items] == ids[::-1][3:]
    assert rest.next_cursor is None
    by_slot = await store.of_org(org_filter("org1", "opp1", "s1", "pending"), limit=9, cursor=None)
    assert {d["_id"] for d in by_slot.items} == {ids[1], ids[3]}
    mine = await store.mine("p2", None, limit=9, cursor=None)
    assert [d["_id"] for d in mine.items] == [ids[2]]
    assert (await store.mine("p2", "accepted", limit=9, cursor=None)).items == []
    assert await store.ids_of("p3") == [ids[3]]
    assert {d["_id"] for d in await store.all_of("slot_id", "s0")} == {ids[0], ids[2], ids[4]}


async def test_due_are_pending_past_their_expiry(store: ApplicationStore) -> None:
    due = await put(store, application("ann"))
    await put(store, application("bo", minutes=60))
    await put(store, application("cy", status="accepted"))
    assert await store.due(NOW + timedelta(days=7, minutes=1), limit=10) == [due]
    assert await store.due(NOW, limit=10) == []


def holder(i: int, slot: str = "s1") -> Holder:
    return Holder(application_id=f"app{i}", volunteer_id=f"v{i}", opportunity_id="opp1",
                  slot_id=slot, org_id="org1")  # fmt: skip


async def test_fifty_claims_for_ten_places_take_exactly_ten(seats: SeatStore) -> None:
    places = Places(seats)
    won = await asyncio.gather(*(places.claim(holder(i), 10, NOW) for i in range(50)))
    taken = [seat for seat in won if seat is not None]
    assert len(taken) == len(set(taken)) == 10
    assert await places.taken("opp1") == {"s1": 10}
    assert len(await places.seats("opp1", "s1")) == 10


async def test_a_seat_is_freed_by_its_holder_only(seats: SeatStore) -> None:
    places = Places(seats)
    first = await places.claim(holder(1), 2, NOW)
    await places.claim(holder(2), 2, NOW)
    await places.claim(holder(3, slot="s2"), 2, NOW)
    assert first is not None
    assert await places.claim(holder(4), 2, NOW) is None
    assert not await places.release(first, "app2")
    assert await places.release(first, "app1")
    assert await places.claim(holder(4), 2, NOW) == first  # the freed number again
    assert await places.taken_among(["opp1", "none"]) == {"opp1": {"s1": 2, "s2": 1}}
    assert [s["application_id"] for s in await places.held_by("v3")] == ["app3"]
