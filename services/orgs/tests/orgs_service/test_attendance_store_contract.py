"""One suite over the MongoDB attendance store and its memory twin (memory_record.py):
check-ins exactly once per application and session, codes spent once, erasure."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.mongo import WRITE_CLAIMS, Document, ensure_indexes
from jumo_common.outbox import Outbox
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs import attendance_store
from jumo_orgs.attendance_store import AttendanceStore, MongoAttendanceStore, check_in_key

from .community import NOW
from .memory_record import MemoryAttendanceStore


@pytest.fixture(params=["mongo", "memory"])
async def store(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[AttendanceStore]:
    """MongoAttendanceStore on this test's database, or the memory twin."""
    if request.param == "memory":
        yield MemoryAttendanceStore(PublishedEvents())
        return
    await ensure_indexes(mongo_db, attendance_store.INDEXES)
    outbox = Outbox(mongo_db, attendance_store.OUTBOX_COLLECTIONS)
    yield MongoAttendanceStore(mongo_db, outbox, mongo_db[WRITE_CLAIMS])


def check_in(application: str, session: str, volunteer: str = "ann", **extra: Any) -> Document:
    return {"_id": check_in_key(application, session), "application_id": application,
            "opportunity_id": "opp1", "org_id": "org1", "volunteer_id": volunteer,
            "session": session, "checked_in_at": NOW, **extra}  # fmt: skip


async def test_a_session_is_checked_in_exactly_once(store: AttendanceStore) -> None:
    tries = await asyncio.gather(*(store.create_check_in(check_in("app1", "s1"), [])
                                   for _ in range(20)))  # fmt: skip
    assert sum(tries) == 1
    assert await store.create_check_in(check_in("app1", "s2"), [])
    assert {d["_id"] for d in await store.check_ins_of("opportunity_id", "opp1")} == {
        "app1:s1", "app1:s2"}  # fmt: skip
    assert await store.check_ins_of("volunteer_id", "bob") == []


async def test_a_check_in_changes_through_its_versions(store: AttendanceStore) -> None:
    await store.create_check_in(check_in("app1", "s1"), [])
    written = await store.change_check_in("app1:s1", lambda d: Change(set={"hours": 3.5}))
    assert written is not None
    assert written.version == 2
    found = await store.check_in("app1:s1")
    assert found is not None
    assert found["hours"] == 3.5
    assert await store.change_check_in("nope", lambda d: Change(set={"hours": 1})) is None


async def test_a_code_is_spent_once_and_purged_when_expired(store: AttendanceStore) -> None:
    code = {"_id": "h1", "application_id": "app1", "opportunity_id": "opp1",
            "volunteer_id": "ann", "session": None, "created_at": NOW,
            "expires_at": NOW + timedelta(minutes=15)}  # fmt: skip
    assert await store.add_code(code)
    assert not await store.add_code(code)
    found = await store.code("h1")
    assert found is not None
    assert found["application_id"] == "app1"
    spent = await asyncio.gather(*(store.use_code("h1", "ann", NOW) for _ in range(20)))
    assert sum(spent) == 1
    assert await store.purge_codes(NOW) == 0
    assert await store.purge_codes(NOW + timedelta(minutes=16)) == 1
    assert await store.code("h1") is None
    assert await store.use_code("h1", "ann", NOW)  # its use went with it


async def test_forget_codes_takes_a_volunteers_codes_and_their_uses(
    store: AttendanceStore,
) -> None:
    await store.add_code({"_id": "h2", "volunteer_id": "bob", "opportunity_id": "opp1",
                          "expires_at": NOW})  # fmt: skip
    await store.add_code({"_id": "h1", "volunteer_id": "ann", "opportunity_id": "opp1",
                          "expires_at": NOW})  # fmt: skip
    await store.use_code("h1", "ann", NOW)
    assert await store.forget_codes("ann") == 2
    assert await store.code("h1") is None
    assert await store.code("h2") is not None
