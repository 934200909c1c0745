"""One suite over both implementations of the versioned-documents port: VersionedDocuments on the
real MongoDB wire server, and testing.memory.MemoryDocuments, which services' use-case tests
stand on. If the two ever behave differently, this fails (eventsourcing's habit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.events import Envelope, make_event
from jumo_common.events.identity import UserFollowed, UserUpdated
from jumo_common.mongo import WRITE_CLAIMS, Document
from jumo_common.outbox import OUTBOX_FIELD, Documents, Outbox, VersionedDocuments
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents


@dataclass
class Port:
    """One implementation under test, and how to see the events its writes carried."""

    docs: Documents
    events_of: Any  # async (doc_id) -> list of event ids written with that document, in order


@pytest.fixture(params=["mongo", "memory"])
async def port(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[Port]:
    """VersionedDocuments on this test's database (no relay: events stay in the documents),
    or MemoryDocuments."""
    if request.param == "memory":
        published = PublishedEvents()
        memory = MemoryDocuments(published, unique=("email",))

        async def memory_events(doc_id: str) -> list[str]:
            return [str(e.id) for e in published if e.subject_id == doc_id]

        yield Port(memory, memory_events)
        return
    await mongo_db.things.create_index("email", unique=True)
    outbox = Outbox(mongo_db, ["things"])
    docs = VersionedDocuments(mongo_db.things, outbox, mongo_db[WRITE_CLAIMS])

    async def stored_events(doc_id: str) -> list[str]:
        doc = await mongo_db.things.find_one({"_id": doc_id})
        return [e["id"] for e in (doc or {}).get(OUTBOX_FIELD) or []]

    yield Port(docs, stored_events)


def renamed(doc_id: str, name: str) -> Envelope[UserUpdated]:
    data = UserUpdated(user_id=doc_id, display_name=name)
    return make_event(data, producer="test", subject_id=doc_id)


def rename(name: str) -> Any:
    def plan(doc: Document) -> Change:
        return Change(set={"name": name}, events=(renamed(doc["_id"], name),))

    return plan


def _strip(doc: Document | None) -> Document | None:
    return {k: v for k, v in doc.items() if not k.startswith("_outbox")} if doc else doc


async def test_create_is_version_one_and_exclusive(port: Port) -> None:
    assert await port.docs.create({"_id": "a", "name": "Ann", "email": "a@x"})
    assert _strip(await port.docs.get("a")) == {"_id": "a", "name": "Ann", "email": "a@x",
                                                "version": 1}  # fmt: skip
    assert not await port.docs.create({"_id": "a", "name": "again"})
    assert not await port.docs.create({"_id": "b", "email": "a@x"})  # a unique field taken
    assert await port.docs.get("b") is None


async def test_a_change_is_one_new_version_with_its_events(port: Port) -> None:
    first = renamed("a", "Ann")
    await port.docs.create({"_id": "a", "name": "Ann", "bio": "hi"}, [first])
    seen: list[Document] = []

    def plan(doc: Document) -> Change:
        seen.append(doc)
        return Change(set={"name": "Bo"}, unset=frozenset({"bio"}), events=(renamed("a", "Bo"),))

    written = await port.docs.change("a", plan)
    assert written is not None
    assert written.version == 2
    assert _strip(written.before) == {"_id": "a", "name": "Ann", "bio": "hi", "version": 1}
    assert written.after() == {"_id": "a", "name": "Bo", "version": 2}
    assert _strip(await port.docs.get("a")) == written.after()
    assert _strip(seen[0]) == _strip(written.before)
    assert len(await port.events_of("a")) == 2
    assert (await port.events_of("a"))[0] == str(first.id)


async def test_no_change_writes_nothing(port: Port) -> None:
    await port.docs.create({"_id": "a", "name": "Ann"})
    written = await port.docs.change("a", lambda _doc: None)
    assert written is not None
    assert written.change is None
    assert written.version == 1
    assert (await port.docs.get("a") or {})["version"] == 1
    assert await port.events_of("a") == []


async def test_missing_or_invisible_documents_are_not_changed(port: Port) -> None:
    assert await port.docs.change("nobody", rename("x")) is None
    await port.docs.create({"_id": "gone", "deleted": True})
    assert (
        await port.docs.change("gone", rename("x"), visible=lambda d: not d.get("deleted")) is None
    )
    assert (await port.docs.get("gone") or {}).get("name") is None


async def test_upsert_creates_then_changes_and_events_see_the_version(port: Port) -> None:
    def follow(doc: Document | None) -> Change:
        active = not (doc or {}).get("active", False)
        return Change(
            set={"active": active},
            events=lambda seq: [make_event(UserFollowed(follower_id="a", followee_id="b",
                                                        seq=seq), producer="t", subject_id="a:b")],
        )  # fmt: skip

    created = await port.docs.upsert("a:b", follow)
    assert created.before is None
    assert created.version == 1
    again = await port.docs.upsert("a:b", follow)
    assert again.version == 2
    assert again.after()["active"] is False
    assert len(await port.events_of("a:b")) == 2
    assert created.change is not None
    assert [e.data.seq for e in created.change.events_at(created.version)] == [1]


async def test_values_come_back_as_the_database_stores_them(port: Port) -> None:
    at = dt.datetime(2026, 5, 4, 3, 2, 1, 987654, tzinfo=dt.UTC)
    await port.docs.create({"_id": "a", "at": at, "tags": ("x", "y")})
    doc = await port.docs.get("a")
    assert doc is not None
    assert doc["at"] == at.replace(microsecond=987000)  # BSON keeps milliseconds
    assert doc["tags"] == ["x", "y"]


async def test_a_document_read_is_a_copy(port: Port) -> None:
    await port.docs.create({"_id": "a", "tags": ["x"]})
    doc = await port.docs.get("a")
    assert doc is not None
    doc["tags"].append("mutated")
    assert (await port.docs.get("a") or {})["tags"] == ["x"]
